/* The serial console: a driver for the NS16550A UART at COM1 (0x3F8, IRQ 4). Register offsets and bits
 * follow the NS16550A datasheet.
 *
 * Both directions are interrupt driven. Output goes into a ring buffer; the "transmitter holding register
 * empty" (THRE) interrupt moves it into the UART's 16-byte transmit FIFO, 16 bytes at a time. At 115200
 * baud a byte takes 87 us on the line: a CPU that polled for each one would spend nearly all its time
 * waiting (on an emulator with virtual time: executing instructions), while with the interrupt it halts
 * and the time passes for free. A process whose output does not fit blocks until there is room. Input:
 * the receive interrupt drains the receive FIFO into another ring buffer and wakes the reader. */
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

#define IER_RX 0x01  /* received data available (and FIFO timeout) */
#define IER_THRE 0x02 /* transmitter holding register empty */

static void tx_start(void);
static bool fifo_16550a;
static char rx_buf[256];
static volatile u32 rx_head, rx_tail; /* head: next write (IRQ), tail: next read; indexes mod size */
static char tx_buf[4096];
static u32 tx_head, tx_tail;          /* head: next write, tail: next byte for the UART */
static bool tx_running;               /* the THRE interrupt is enabled and will come */
static bool irqs_on;                  /* serial_enable_interrupts() has run */

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
    /* No interrupts yet: the PICs are not programmed. The 8259A's ICW1 resets its edge detector, and an
     * IRQ line that is already high then (input typed ahead, a pending THRE) would never give the rising
     * edge the PIC waits for: IRQ 4 would be lost for good. serial_enable_interrupts() comes later. */
    outb(COM1 + IER, 0);
}

/* After the PICs are set up and IRQ 4 is unmasked: the UART's interrupt output is low (IER was 0), so
 * enabling the causes now gives a clean rising edge if any is pending. */
void serial_enable_interrupts(void)
{
    irqs_on = true;
    outb(COM1 + IER, IER_RX); /* received data available (and FIFO timeout); THRE only while sending */
    tx_start();
}

bool serial_is_16550a(void) { return fifo_16550a; }

/* Hand bytes to the UART: as many as its transmit FIFO takes (16 when THRE says it is empty, else 1 for
 * an 8250 without FIFO), or none if it is still busy. */
static void tx_feed(void)
{
    if (!(inb(COM1 + LSR) & LSR_THRE))
        return;
    for (int n = fifo_16550a ? 16 : 1; n > 0 && tx_tail != tx_head; n--)
        outb(COM1 + THR, (u8)tx_buf[tx_tail++ % sizeof(tx_buf)]);
}

static void tx_start(void)
{
    tx_feed();
    if (irqs_on && !tx_running && tx_tail != tx_head) {
        tx_running = true;
        outb(COM1 + IER, IER_RX | IER_THRE); /* the interrupt comes when the FIFO has emptied */
    }
}

/* Where there is no interrupt to wait for (boot, panics, or a full buffer in kernel context): move bytes
 * by polling. The bound keeps a missing UART (LSR reads 0xFF on an empty bus) from hanging us. */
static void tx_drain_polling(u32 keep)
{
    for (u32 spin = 0; tx_head - tx_tail > keep && spin < 10000000; spin++)
        tx_feed();
}

static void tx_put(char c, bool may_block)
{
    while (tx_head - tx_tail == sizeof(tx_buf)) {
        tx_start(); /* make sure the UART is draining (and its interrupt will come) before we wait */
        if (may_block && irqs_on)
            proc_block(P_WRITING); /* the THRE interrupt wakes us when there is room */
        else
            tx_drain_polling(sizeof(tx_buf) - 64);
    }
    tx_buf[tx_head++ % sizeof(tx_buf)] = c;
}

/* The console is a terminal in raw mode: a newline needs a carriage return before it. `may_block` is
 * true for write() from a process, which may sleep until the buffer has room. */
static void console_put(const char *s, size_t n, bool may_block)
{
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '\n')
            tx_put('\r', may_block);
        tx_put(s[i], may_block);
    }
    tx_start();
}

void console_write(const char *s, size_t n) { console_put(s, n, true); }

/* Wait until every byte has left the UART (transmitter empty, LSR.TEMT): before power-off. A process
 * sleeps while the ring buffer empties; only the last FIFO-full is polled. */
void console_flush(bool may_block)
{
    while (may_block && irqs_on && tx_head != tx_tail)
        proc_block(P_WRITING);
    tx_drain_polling(0);
    for (u32 spin = 0; !(inb(COM1 + LSR) & 0x40) && spin < 10000000; spin++)
        ;
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
        case 0x02: /* THR empty (reading IIR cleared it): refill the FIFO, or stop when there is nothing left */
            tx_feed();
            if (tx_tail == tx_head) {
                tx_running = false;
                outb(COM1 + IER, IER_RX);
            }
            proc_wake_writers();
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
    console_put(&c, 1, false);
}

void kprintf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vformat(kputc, NULL, fmt, ap);
    va_end(ap);
}
