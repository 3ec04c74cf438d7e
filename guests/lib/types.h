/* Basic types for our freestanding guests. Only GCC's freestanding headers are used (no libc). */
#ifndef GUEST_TYPES_H
#define GUEST_TYPES_H

#include <stdint.h>
#include <stddef.h>
#include <stdarg.h>
#include <stdbool.h>

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;
typedef int32_t i32;

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#endif
