/* The user runtime. syscall() goes through the door the kernel told crt0 to use. */
#include "ulib.h"
#include "../../lib/format.h"

u32 syscall_door; /* set by crt0.asm: 1 = SYSENTER, 0 = INT 0x80 */

i32 sc_int80(u32 nr, u32 a1, u32 a2, u32 a3);
i32 sc_sysenter(u32 nr, u32 a1, u32 a2, u32 a3);

i32 syscall(u32 nr, u32 a1, u32 a2, u32 a3)
{
    return syscall_door ? sc_sysenter(nr, a1, a2, a3) : sc_int80(nr, a1, a2, a3);
}

const char *syscall_door_name(void) { return syscall_door ? "sysenter" : "int 0x80"; }

void exit(i32 status)
{
    syscall(SYS_EXIT, (u32)status, 0, 0);
    for (;;) /* not reached */
        ;
}

i32 write(const char *buf, u32 len) { return syscall(SYS_WRITE, (u32)buf, len, 0); }
i32 read(char *buf, u32 len) { return syscall(SYS_READ, (u32)buf, len, 0); }
i32 spawn(const char *name, const char *arg) { return syscall(SYS_SPAWN, (u32)name, (u32)arg, 0); }
i32 wait(i32 pid, i32 *status) { return syscall(SYS_WAIT, (u32)pid, (u32)status, 0); }
void sleep(u32 n) { syscall(SYS_SLEEP, n, 0, 0); }
u32 ticks(void) { return (u32)syscall(SYS_TICKS, 0, 0, 0); }
i32 procinfo(u32 slot, struct procinfo *info) { return syscall(SYS_PROCINFO, slot, (u32)info, 0); }
void *sbrk(i32 increment) { return (void *)syscall(SYS_SBRK, (u32)increment, 0, 0); }
i32 getpid(void) { return syscall(SYS_GETPID, 0, 0, 0); }
i32 sysinfo(struct sysinfo *info) { return syscall(SYS_SYSINFO, (u32)info, 0, 0); }

void poweroff(u32 status)
{
    syscall(SYS_POWEROFF, status, 0, 0);
    for (;;)
        ;
}

/* printf collects the output and hands it to the kernel in as few write() calls as possible. */
struct outbuf {
    char buf[256];
    u32 len;
};

static void out_put(char c, void *ctx)
{
    struct outbuf *o = ctx;
    o->buf[o->len++] = c;
    if (o->len == sizeof(o->buf)) {
        write(o->buf, o->len);
        o->len = 0;
    }
}

int printf(const char *fmt, ...)
{
    struct outbuf o;
    o.len = 0;
    va_list ap;
    va_start(ap, fmt);
    int n = vformat(out_put, &o, fmt, ap);
    va_end(ap);
    if (o.len)
        write(o.buf, o.len);
    return n;
}

void puts(const char *s)
{
    printf("%s\n", s);
}
