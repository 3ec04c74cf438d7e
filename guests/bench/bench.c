/* The benchmark guests' common part: linked with one workload (tight.asm or mixed.asm), it reads the iteration
 * count from the Multiboot command line ("iters=N"), reports over COM1, runs the workload between the two
 * window markers on port 0xE9, reports the checksum and exits through isa-debug-exit (port 0xF4) with
 * status 0 (1 for a bad command line). Nothing here depends on the machine beyond COM1 and those two ports,
 * so the same image runs on trapeze, QEMU and v86, and bench/ compares them.
 *
 * COM1 is polled (no interrupts): waiting for the transmitter to empty, then filling the 16-byte FIFO. The
 * lines are short because on an emulator that models the line rate every byte costs ~87 us of polling. */
#include "../lib/types.h"
#include "../lib/x86.h"
#include "../lib/format.h"
#include "../lib/multiboot.h"

#define COM1 0x3F8
#define DEBUG_EXIT 0xF4

extern u32 workload_loop(u32 iterations);
extern const char workload_name[];
extern const u32 workload_insns_per_iter;
extern const u32 workload_default_iters;

static void serial_init(void)
{
    outb(COM1 + 1, 0x00); /* IER: no interrupts */
    outb(COM1 + 3, 0x80); /* LCR: DLAB */
    outb(COM1 + 0, 0x01); /* divisor 1: 115200 baud */
    outb(COM1 + 1, 0x00);
    outb(COM1 + 3, 0x03); /* 8N1 */
    outb(COM1 + 2, 0x07); /* FIFOs on and cleared */
    outb(COM1 + 4, 0x03); /* DTR, RTS */
}

struct line {
    char buf[128];
    u32 len;
};

static void line_sink(char c, void *ctx)
{
    struct line *l = ctx;
    if (l->len < sizeof(l->buf))
        l->buf[l->len++] = c;
}

static void serial_write(const char *s, u32 len)
{
    while (len > 0) {
        while (!(inb(COM1 + 5) & 0x20)) /* LSR.THRE: the transmit FIFO is empty */
            ;
        for (u32 n = 0; n < 16 && len > 0; n++, len--)
            outb(COM1, (u8)*s++);
    }
}

__attribute__((format(printf, 1, 2))) static void say(const char *fmt, ...)
{
    struct line l = { .len = 0 };
    va_list ap;
    va_start(ap, fmt);
    vformat(line_sink, &l, fmt, ap);
    va_end(ap);
    serial_write(l.buf, l.len);
}

static __attribute__((noreturn)) void debug_exit(u8 status)
{
    /* Wait until the last byte has left the transmitter (LSR.TEMT), so that no output is lost. */
    while (!(inb(COM1 + 5) & 0x40))
        ;
    outb(DEBUG_EXIT, status);
    for (;;) {
        cli();
        hlt();
    }
}

/* The value of "iters=N" in the command line, the default when absent, 0 when malformed. */
static u32 parse_iters(const char *cmdline)
{
    for (const char *p = cmdline; p && *p; p++) {
        if ((p == cmdline || p[-1] == ' ') && p[0] == 'i' && p[1] == 't' && p[2] == 'e' && p[3] == 'r' &&
            p[4] == 's' && p[5] == '=') {
            u32 n = 0;
            p += 6;
            if (*p < '0' || *p > '9')
                return 0;
            for (; *p >= '0' && *p <= '9'; p++) {
                if (n > 429496728u)
                    return 0;
                n = n * 10 + (u32)(*p - '0');
            }
            return (*p == 0 || *p == ' ') ? n : 0;
        }
    }
    return workload_default_iters;
}

void bench_main(u32 magic, const struct mb_info *mbi)
{
    serial_init();
    const char *cmdline = "";
    if (magic == MULTIBOOT_BOOTLOADER_MAGIC && (mbi->flags & MBI_CMDLINE))
        cmdline = (const char *)mbi->cmdline;
    u32 iters = parse_iters(cmdline);
    if (iters == 0) {
        say("bench %s: bad command line \"%s\" (iters=N, N >= 1)\r\n", workload_name, cmdline);
        debug_exit(1);
    }
    say("bench %s: %u x %u\r\n", workload_name, iters, workload_insns_per_iter);
    u32 sum = workload_loop(iters);
    say("bench %s: done %08x\r\n", workload_name, sum);
    debug_exit(0);
}
