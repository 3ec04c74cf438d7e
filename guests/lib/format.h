/* A small printf core shared by the kernels and the user programs: the caller supplies where each
 * character goes. Supports %d %i %u %x %X %p %s %c %% with optional '-', '0', width and 'l' (ignored). */
#ifndef GUEST_FORMAT_H
#define GUEST_FORMAT_H

#include "types.h"

typedef void (*format_sink)(char c, void *ctx);

int vformat(format_sink sink, void *ctx, const char *fmt, va_list ap);
/* vformat into a buffer (always terminated); returns the length the full output would have. */
int vsnformat(char *buf, size_t size, const char *fmt, va_list ap);
int snformat(char *buf, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#endif
