/* The serial console: a driver for the NS16550A UART at COM1 (0x3F8, IRQ 4).
 *
 * Output polls the Line Status Register for "transmitter holding register empty" before each byte (simple
 * and never loses a byte). Input is interrupt driven: the UART raises IRQ 4 when received data is
 * available, the handler drains the receive FIFO into a ring buffer and wakes the process blocked in
 * read(). Register offsets and bits follow the NS16550A datasheet. */
#include "kernel.h"
#include "../../lib/format.h"

#define COM1 0x3F8
#define RBR 0 /* receive buffer (read, DLAB=0)         */
#define THR 0 /* transmit holding (write, DLAB=0)      */
#define DLL 0 /* divisor latch low (DLAB=1)            */
#define IER 1 /* interrupt enable (DLAB=0)             */
#define DLM 1 /* divisor latch high (DLAB=1)           */
#define IIR 2 /* interrupt identification (read)       */
#define FCR 2 /* FIFO control (write)                  */
#define LCR 3 /* line control; bit 7 = DLAB            */
#define MCR 4 /* modem control                         */
#define LSR 5 /* line status                           */
#define MSR 6 /* modem status                          */

#define LSR_DR 0x01   /* data ready */
#define LSR_THRE 0x20 /* transmitter holding register empty */

static bool fifo_16550a;
static char rx_buf[256];
static volatile u32 rx_head, rx_tail; /* head: next write (IRQ), tail: next read; indexes mod 256 */

void serial_init(void)
{
    outb(COM1 + IER, 0x00); /* no interrupts while we program it */
    outb(COM1 + LCR, 0x80); /* DLAB=1: ports 0/1 become the divisor latch */
    outb(COM1 + DLL, 1);    /* divisor 1: 1.8432 MHz / (16 * 1) = 115200 baud */
    outb(COM1 + DLM, 0);
    outb(COM1 + LCR, 0x03); /* 8 data bits, no parity, 1 stop bit, DLAB=0 */
    /* Enable and clear both FIFOs with a receive trigger level of 1 byte, so every typed key raises the
     * interrupt at once. IIR bits 7:6 read 11 only on a 16550A with working FIFOs. */
    outb(COM1 + FCR, 0x07);
    fifo_16550a = (inb(COM1 + IIR) & 0xC0) == 0xC0;
    /* DTR and RTS up; OUT2 must be set on a PC because it gates the UART's interrupt line onto the bus. */
    outb(COM1 + MCR, 0x0B);
    (void)inb(COM1 + LSR); /* clear stale line status, data and modem status */
    (void)inb(COM1 + RBR);
    (void)inb(COM1 + MSR);
    outb(COM1 + IER, 0x01); /* interrupt on received data available (and FIFO timeout) */
}

bool serial_is_16550a(void) { return fifo_16550a; }

static void serial_putc(char c)
{
    /* Bounded wait: if no UART answers (LSR reads 0xFF on an empty bus, THRE set) we still make progress. */
    for (u32 spin = 0; !(inb(COM1 + LSR) & LSR_THRE) && spin < 1000000; spin++)
        ;
    outb(COM1 + THR, (u8)c);
}

/* The console is a terminal in raw mode: a newline needs a carriage return before it. */
void console_write(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '\n')
            serial_putc('\r');
        serial_putc(s[i]);
    }
}

/* IRQ 4. The IIR names the highest-priority pending cause; service them until it says "none" (bit 0).
 * The bound protects against a device that never stops reporting one. */
void serial_irq(void)
{
    for (int round = 0; round < 32; round++) {
        u8 iir = inb(COM1 + IIR);
        if (iir & 0x01)
            break;
        switch (iir & 0x0E) {
        case 0x06: /* receiver line status: reading LSR clears it */
            (void)inb(COM1 + LSR);
            break;
        case 0x04: /* received data available */
        case 0x0C: /* character timeout (FIFO holds data below the trigger level) */
            while (inb(COM1 + LSR) & LSR_DR) {
                u8 c = inb(COM1 + RBR);
                if (rx_head - rx_tail < sizeof(rx_buf)) /* drop input when nobody reads it */
                    rx_buf[rx_head++ % sizeof(rx_buf)] = (char)c;
            }
            break;
        case 0x02: /* THR empty: reading IIR already cleared it; we do not use it */
            break;
        default: /* modem status change: reading MSR clears it */
            (void)inb(COM1 + MSR);
            break;
        }
    }
    if (rx_head != rx_tail)
        proc_wake_readers();
}

int console_read(char *buf, size_t n)
{
    if (n == 0)
        return 0;
    while (rx_head == rx_tail) /* the kernel runs with interrupts off, so this test cannot race the IRQ */
        proc_block(P_READING);
    size_t got = 0;
    while (got < n && rx_head != rx_tail)
        buf[got++] = rx_buf[rx_tail++ % sizeof(rx_buf)];
    return (int)got;
}

static void kputc(char c, void *ctx)
{
    (void)ctx;
    console_write(&c, 1);
}

void kprintf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vformat(kputc, NULL, fmt, ap);
    va_end(ap);
}
