/* The few string/memory functions the guests need. GCC may also call memcpy/memset/memmove/memcmp on its
 * own (structure copies, zeroing), so every freestanding image must link string.c. */
#ifndef GUEST_STRING_H
#define GUEST_STRING_H

#include "types.h"

void *memset(void *dst, int c, size_t n);
void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
/* Copy at most size-1 characters and always terminate (when size > 0); returns strlen(src). */
size_t strlcpy(char *dst, const char *src, size_t size);
/* Parse an unsigned decimal number; *end (if not NULL) receives the first unparsed character. */
u32 parse_u32(const char *s, const char **end);

#endif
