/* The test kernels' runtime (see testlib.h). */
#include "testlib.h"

const struct mb_info *mbi;
volatile u32 t_ticks;

static u64 gdt[3] __attribute__((aligned(8)));
static u64 idt[48] __attribute__((aligned(8)));
static t_handler handlers[48];
static int failures;
static char first_failure[160];
extern const u32 t_isr_stubs[48];

/* ---- serial output: COM1, 115200 8N1 ----
 *
 * Output is collected in a log in RAM and sent when the kernel finishes (t_flush), with the THRE interrupt
 * feeding the 16-byte FIFO while the CPU halts. Polling the line status for every byte would keep the CPU
 * busy for the whole time the bytes take on the line (87 us each at 115200 baud): on an emulator with
 * virtual time, millions of instructions, and timer interrupts left pending in the middle of the tests. */

static char log_buf[16384];
static u32 log_len;
static volatile u32 log_sent;

static void serial_init(void)
{
    outb(0x3F9, 0x00); /* IER: no interrupts */
    outb(0x3FB, 0x80); /* LCR.DLAB */
    outb(0x3F8, 1);    /* divisor 1: 115200 baud */
    outb(0x3F9, 0);
    outb(0x3FB, 0x03); /* 8N1 */
    outb(0x3FA, 0x07); /* FIFOs on and cleared */
    outb(0x3FC, 0x0B); /* DTR, RTS, OUT2 (which gates IRQ 4 on a PC) */
}

/* Up to 16 bytes into the transmit FIFO if it is empty (LSR.THRE). */
static void log_feed(void)
{
    if (!(inb(0x3FD) & 0x20))
        return;
    for (int n = 0; n < 16 && log_sent < log_len; n++)
        outb(0x3F8, (u8)log_buf[log_sent++]);
}

static void flush_irq(struct t_regs *r)
{
    (void)r;
    (void)inb(0x3FA); /* IIR: reading it acknowledges the THRE interrupt */
    log_feed();
    outb(0x20, 0x20);
}

void t_flush(void)
{
    u32 flags = read_eflags();
    cli();
    if (inb(0x3FD) == 0xFF) { /* no UART: nobody to tell */
        log_len = log_sent = 0;
        return;
    }
    serial_init();
    /* The tests may have left the PICs anywhere: back to the standard setup, only IRQ 4 open. */
    t_handler saved = handlers[0x24];
    t_pic_init(0x20, 0x28, 0x01);
    outb(0x21, 0xEF);
    t_set_handler(0x24, flush_irq);
    log_feed();
    outb(0x3F9, 0x02); /* IER: THRE; the interrupt comes each time the FIFO has emptied */
    for (u32 n = 0; log_sent < log_len && n < 1000000; n++) {
        sti_hlt();
        cli();
    }
    outb(0x3F9, 0x00);
    for (u32 spin = 0; log_sent < log_len && spin < 100000000; spin++) /* only if the interrupt never came */
        log_feed();
    for (u32 spin = 0; !(inb(0x3FD) & 0x40) && spin < 10000000; spin++) /* TEMT: the last byte has left */
        ;
    outb(0x21, 0xFF);
    outb(0xA1, 0xFF);
    t_set_handler(0x24, saved);
    log_len = log_sent = 0;
    if (flags & 0x200)
        sti();
}

static void t_putc(char c, void *ctx)
{
    (void)ctx;
    if (log_len + 2 > sizeof(log_buf))
        t_flush();
    if (c == '\n')
        log_buf[log_len++] = '\r';
    log_buf[log_len++] = c;
}

void t_printf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vformat(t_putc, NULL, fmt, ap);
    va_end(ap);
}

/* ---- results ---- */

void check(bool ok, const char *fmt, ...)
{
    char buf[160];
    va_list ap;
    va_start(ap, fmt);
    vsnformat(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    t_printf("  %s %s\n", ok ? "ok  " : "FAIL", buf);
    if (!ok && failures++ == 0)
        strlcpy(first_failure, buf, sizeof(first_failure));
}

void info(const char *fmt, ...)
{
    char buf[160];
    va_list ap;
    va_start(ap, fmt);
    vsnformat(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    t_printf("  info %s\n", buf);
}

void t_exit(u8 status)
{
    t_flush();
    cli();
    outb(0xF4, status); /* debug-exit: the emulator stops here */
    t_printf("  (no debug-exit device at port 0xf4; halting)\n");
    t_flush();
    cli();
    for (;;)
        hlt();
}

void t_finish(void)
{
    if (failures == 0) {
        t_printf("PASS %s\n", test_name);
        t_exit(0);
    }
    if (failures > 1)
        t_printf("FAIL %s: %s (and %d more)\n", test_name, first_failure, failures - 1);
    else
        t_printf("FAIL %s: %s\n", test_name, first_failure);
    t_exit(1);
}

/* ---- interrupts ---- */

void t_trap(struct t_regs *r)
{
    if (r->vector < 48 && handlers[r->vector]) {
        handlers[r->vector](r);
        return;
    }
    if (r->vector < 32)
        t_printf("FAIL %s: unexpected exception %u at eip %08x, error code %x, cr2 %08x\n", test_name, r->vector,
                 r->eip, r->error, read_cr2());
    else
        t_printf("FAIL %s: unexpected interrupt vector 0x%x\n", test_name, r->vector);
    t_exit(1);
}

void t_set_handler(u32 vector, t_handler h) { handlers[vector] = h; }

void t_irq_mask(int irq, bool masked)
{
    u16 port = irq < 8 ? 0x21 : 0xA1;
    u8 bit = (u8)(1u << (irq & 7));
    outb(port, masked ? (inb(port) | bit) : (inb(port) & (u8)~bit));
}

void t_pic_eoi(int irq)
{
    if (irq >= 8)
        outb(0xA0, 0x20);
    outb(0x20, 0x20);
}

/* ICW1-ICW4 for both controllers (8259A datasheet), then every line masked. */
void t_pic_init(u8 master_base, u8 slave_base, u8 icw4)
{
    outb(0x20, 0x11);
    outb(0xA0, 0x11);
    outb(0x21, master_base);
    outb(0xA1, slave_base);
    outb(0x21, 0x04);
    outb(0xA1, 0x02);
    outb(0x21, icw4);
    outb(0xA1, icw4);
    outb(0x21, 0xFF);
    outb(0xA1, 0xFF);
}

/* OCW3 selects which register the next read of the command port returns: 0x0A IRR, 0x0B ISR. */
u8 t_pic_read_irr(bool slave)
{
    u16 port = slave ? 0xA0 : 0x20;
    outb(port, 0x0A);
    return inb(port);
}

u8 t_pic_read_isr(bool slave)
{
    u16 port = slave ? 0xA0 : 0x20;
    outb(port, 0x0B);
    return inb(port);
}

/* ---- timer ---- */

static void timer_irq(struct t_regs *r)
{
    (void)r;
    t_ticks++;
    t_pic_eoi(0);
}

void t_timer_start(u32 hz)
{
    u32 divisor = (1193182u + hz / 2) / hz;
    t_set_handler(0x20, timer_irq);
    outb(0x43, 0x34); /* channel 0, lobyte/hibyte, mode 2, binary */
    outb(0x40, divisor & 0xFF);
    outb(0x40, divisor >> 8);
    t_irq_mask(0, false);
}

void t_timer_stop(void) { t_irq_mask(0, true); }

void t_wait_ticks(u32 n)
{
    /* A tick already pending in the PIC (IRR bit 0) happened before the call: it does not count, so that
     * n ticks always mean more than n - 1 whole periods. */
    if (t_pic_read_irr(false) & 0x01)
        n++;
    u32 start = t_ticks;
    while (t_ticks - start < n) {
        sti_hlt(); /* woken by the next interrupt, which runs before CLI */
        cli();
    }
}

/* ---- CMOS ---- */

u8 cmos_read(u8 reg)
{
    outb(0x70, reg);
    return inb(0x71);
}

void cmos_write(u8 reg, u8 v)
{
    outb(0x70, reg);
    outb(0x71, v);
}

/* ---- start-up ---- */

void test_entry(void)
{
    serial_init();
    mbi = boot_eax == MULTIBOOT_BOOTLOADER_MAGIC ? (const struct mb_info *)boot_ebx : NULL;
    /* Our own flat segments (the loader's GDT is undefined by the spec) ... */
    gdt[0] = 0;
    gdt[1] = gdt_entry(0, 0xFFFFF, 0x9A, 0xC);
    gdt[2] = gdt_entry(0, 0xFFFFF, 0x92, 0xC);
    lgdt(gdt, sizeof(gdt) - 1);
    __asm__ volatile("ljmp $0x08, $1f\n1:\n\t"
                     "mov $0x10, %%ax\n\t"
                     "mov %%ax, %%ds\n\t"
                     "mov %%ax, %%es\n\t"
                     "mov %%ax, %%fs\n\t"
                     "mov %%ax, %%gs\n\t"
                     "mov %%ax, %%ss"
                     :
                     :
                     : "eax", "memory");
    /* ... our own IDT, and the PICs moved off the exception vectors with every line masked. */
    for (int v = 0; v < 48; v++)
        idt[v] = idt_gate(t_isr_stubs[v], 0x08, 0);
    lidt(idt, sizeof(idt) - 1);
    t_pic_init(0x20, 0x28, 0x01);
    outb(0x21, 0xFB); /* the cascade line stays open so slave IRQs can reach us when unmasked */
    t_printf("\ntest %s\n", test_name);
    test_main();
    t_finish();
}
