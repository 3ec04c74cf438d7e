/* The user programs' runtime: system-call wrappers and printing. */
#ifndef DEMO_ULIB_H
#define DEMO_ULIB_H

#include "../../lib/types.h"
#include "../../lib/string.h"
#include "../abi.h"

i32 syscall(u32 nr, u32 a1, u32 a2, u32 a3);
const char *syscall_door_name(void);

void exit(i32 status) __attribute__((noreturn));
i32 write(const char *buf, u32 len);
i32 read(char *buf, u32 len);
i32 spawn(const char *name, const char *arg);
i32 wait(i32 pid, i32 *status);
void sleep(u32 ticks);
u32 ticks(void);
i32 procinfo(u32 slot, struct procinfo *info);
void *sbrk(i32 increment);
void poweroff(u32 status) __attribute__((noreturn));
i32 getpid(void);
i32 sysinfo(struct sysinfo *info);

int printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void puts(const char *s); /* writes s and a newline */

#endif
