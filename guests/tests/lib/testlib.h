/* The platform test kernels' little runtime: polled serial output, descriptor tables, interrupt handlers,
 * the PIC and PIT basics, checks, and the exit through the debug-exit port.
 *
 * Output protocol (over COM1, lines end in CR LF): any number of "  ok   ..." / "  FAIL ..." / "  info ..."
 * lines, then exactly one final line "PASS <name>" or "FAIL <name>: <first failure>", then the kernel
 * writes its status to port 0xF4 (0 = pass, 1 = fail; QEMU exits with (status << 1) | 1). */
#ifndef TESTLIB_H
#define TESTLIB_H

#include "../../lib/types.h"
#include "../../lib/string.h"
#include "../../lib/format.h"
#include "../../lib/x86.h"
#include "../../lib/multiboot.h"

/* Each test kernel defines these two. */
extern const char test_name[];
void test_main(void);

/* The machine state at entry (entry.asm). */
extern u32 boot_eax, boot_ebx, boot_esp, boot_eflags, boot_cr0, boot_cr4;
extern u8 boot_gdtr[8], boot_idtr[8];
extern u16 boot_sel[6];
/* The Multiboot information (NULL when EAX did not hold the loader magic). */
extern const struct mb_info *mbi;

struct t_regs {
    u32 edi, esi, ebp, esp, ebx, edx, ecx, eax; /* PUSHAD */
    u32 vector, error, eip, cs, eflags;
};
typedef void (*t_handler)(struct t_regs *r);

/* Output goes to a log in RAM; t_flush() sends it (interrupt driven, with HLT) and runs at the end. */
void t_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void t_flush(void);
void check(bool ok, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void t_finish(void) __attribute__((noreturn));
void t_exit(u8 status) __attribute__((noreturn));

/* Interrupts: vectors 0x20-0x2F are IRQ 0-15 (the PICs are initialised that way, all lines masked).
 * An interrupt without a handler is a test failure. Handlers send their own EOI. */
void t_set_handler(u32 vector, t_handler h);
void t_irq_mask(int irq, bool masked);
void t_pic_eoi(int irq);
void t_pic_init(u8 master_base, u8 slave_base, u8 icw4);
u8 t_pic_read_irr(bool slave);
u8 t_pic_read_isr(bool slave);

/* The PIT channel 0 as a tick source: mode 2 at `hz`, IRQ 0 counting t_ticks. */
extern volatile u32 t_ticks;
void t_timer_start(u32 hz);
void t_timer_stop(void);
/* Halt until n timer ticks have happened after the call, so more than n - 1 whole periods have passed
 * (interrupts enabled only inside the wait). */
void t_wait_ticks(u32 n);

/* CMOS register access (index port 0x70 keeps NMI enabled). */
u8 cmos_read(u8 reg);
void cmos_write(u8 reg, u8 v);

#endif
