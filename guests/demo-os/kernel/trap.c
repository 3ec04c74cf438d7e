/* Interrupts and exceptions: the 8259A PIC pair, the 8254 timer, and what happens on each vector. */
#include "kernel.h"

volatile u32 ticks;

/* ---- 8259A programmable interrupt controllers (master 0x20/0x21, slave 0xA0/0xA1) ---- */

static void io_delay(void) { outb(0x80, 0); } /* the traditional POST port write: a short bus delay */

/* Remap the PICs so IRQ 0-7 arrive as vectors 0x20-0x27 and IRQ 8-15 as 0x28-0x2F: the BIOS default
 * (0x08-0x0F) collides with the CPU's exceptions. The initialisation sequence is ICW1..ICW4 (8259A
 * datasheet, "Initialization Command Words"). */
void pic_init(void)
{
    outb(0x20, 0x11), io_delay(); /* ICW1: edge triggered, cascade mode, ICW4 follows */
    outb(0xA0, 0x11), io_delay();
    outb(0x21, 0x20), io_delay(); /* ICW2: vector base */
    outb(0xA1, 0x28), io_delay();
    outb(0x21, 0x04), io_delay(); /* ICW3 master: a slave sits on IR2 */
    outb(0xA1, 0x02), io_delay(); /* ICW3 slave: its cascade identity is 2 */
    outb(0x21, 0x01), io_delay(); /* ICW4: 8086 mode, normal (not automatic) EOI */
    outb(0xA1, 0x01), io_delay();
    outb(0x21, 0xFB);             /* OCW1: mask everything except the cascade line IR2 */
    outb(0xA1, 0xFF);
}

void pic_unmask(int irq)
{
    u16 port = irq < 8 ? 0x21 : 0xA1;
    outb(port, inb(port) & (u8) ~(1u << (irq & 7)));
}

static u8 pic_isr(u16 cmd_port)
{
    outb(cmd_port, 0x0B); /* OCW3: the next read of the command port returns the In-Service Register */
    return inb(cmd_port);
}

/* A spurious interrupt: the request went away between INTR and the acknowledge cycle, and the 8259A
 * answered with its lowest-priority vector (IR7) without setting the ISR bit. It must not get an EOI,
 * except that for a spurious IRQ 15 the master did see a real request on IR2 and needs its own EOI. */
static bool pic_spurious(int irq)
{
    if (irq == 7 && !(pic_isr(0x20) & 0x80))
        return true;
    if (irq == 15 && !(pic_isr(0xA0) & 0x80)) {
        outb(0x20, 0x20);
        return true;
    }
    return false;
}

static void pic_eoi(int irq)
{
    if (irq >= 8)
        outb(0xA0, 0x20); /* OCW2: non-specific EOI */
    outb(0x20, 0x20);
}

/* ---- 8254 programmable interval timer, channel 0 -> IRQ 0 ---- */

#define PIT_HZ 1193182u /* the PC's 14.31818 MHz crystal divided by 12 */

void pit_init(u32 hz)
{
    u32 divisor = (PIT_HZ + hz / 2) / hz;
    outb(0x43, 0x34); /* channel 0, access lobyte/hibyte, mode 2 (rate generator), binary */
    outb(0x40, divisor & 0xFF);
    outb(0x40, divisor >> 8);
}

/* ---- dispatch ---- */

static const char *const exception_names[32] = {
    "divide error (#DE)", "debug (#DB)", "NMI", "breakpoint (#BP)", "overflow (#OF)", "bound range (#BR)",
    "invalid opcode (#UD)", "device not available (#NM)", "double fault (#DF)", "coprocessor overrun",
    "invalid TSS (#TS)", "segment not present (#NP)", "stack fault (#SS)", "general protection (#GP)",
    "page fault (#PF)", "reserved 15", "x87 error (#MF)", "alignment check (#AC)", "machine check (#MC)",
    "SIMD error (#XM)", "reserved 20", "reserved 21", "reserved 22", "reserved 23", "reserved 24",
    "reserved 25", "reserved 26", "reserved 27", "reserved 28", "reserved 29", "reserved 30", "reserved 31",
};

static void exception(struct trapframe *tf)
{
    if (tf->vector == 1 && (tf->cs & 3) == 0) {
        /* A single-step trap in ring 0. The kernel never sets TF, but SYSENTER keeps it (it clears only
         * IF, VM and RF: SDM vol. 2 "SYSENTER"), so a program that sets TF and executes SYSENTER traps on
         * the kernel's first instruction. Stop single-stepping and carry on: the program's saved flags are
         * built from the cleared copy, so it returns with TF clear too. */
        tf->eflags &= ~0x100u;
        return;
    }
    if ((tf->cs & 3) == 0)
        panic(exception_names[tf->vector], tf);
    /* A fault in ring 3 is the process's problem, not the system's: report it and end the process. */
    kprintf("[kernel] pid %d (%s) killed: %s at eip %08x, error code %x", current->pid, current->name,
            exception_names[tf->vector], tf->eip, tf->error);
    if (tf->vector == 14) {
        u32 cr2 = read_cr2();
        kprintf(", address %08x (%s, %s, %s)", cr2, tf->error & 1 ? "protection violation" : "not present",
                tf->error & 2 ? "write" : "read", tf->error & 4 ? "user" : "supervisor");
    }
    kprintf("\n");
    proc_exit(EXIT_KILLED + (i32)tf->vector);
}

void trap_dispatch(struct trapframe *tf)
{
    u32 v = tf->vector;
    if (v < 32) {
        exception(tf);
    } else if (v < 48) {
        int irq = (int)v - 32;
        if ((irq == 7 || irq == 15) && pic_spurious(irq))
            return;
        /* Acknowledge first: the handlers below may switch to another process, and the PIC must not stay
         * blocked at this priority level while that process runs. */
        pic_eoi(irq);
        if (irq == 0) {
            ticks++;
            proc_timer_tick((tf->cs & 3) == 3);
        } else if (irq == 4) {
            serial_irq();
        }
    } else if (v == 0x80 || v == SYSENTER_VECTOR) {
        syscall_dispatch(tf);
    } else {
        panic("unexpected vector", tf);
    }
}

void poweroff(u32 status)
{
    cli();
    console_flush(false);
    /* QEMU's isa-debug-exit device (and trapeze's) ends the emulator with exit code (status << 1) | 1. */
    outb(0xF4, (u8)status);
    kprintf("[kernel] no debug-exit device at port 0xf4; halting\n");
    console_flush(false);
    for (;;)
        hlt();
}

void panic(const char *why, struct trapframe *tf)
{
    cli();
    console_flush(false); /* what was queued first; the dump below then goes out by polling */
    kprintf("\nKERNEL PANIC: %s\n", why);
    if (tf) {
        /* A fault in ring 0 pushes no SS:ESP: the interrupted ESP is where that part of the frame would be. */
        u32 esp = (tf->cs & 3) ? tf->user_esp : (u32)&tf->user_esp;
        kprintf("  vector %u, error code %08x, process %d (%s)\n", tf->vector, tf->error, current->pid,
                current->name);
        kprintf("  eip %08x  cs %04x  eflags %08x  esp %08x\n", tf->eip, tf->cs & 0xFFFF, tf->eflags, esp);
        kprintf("  eax %08x  ebx %08x  ecx %08x  edx %08x\n", tf->eax, tf->ebx, tf->ecx, tf->edx);
        kprintf("  esi %08x  edi %08x  ebp %08x\n", tf->esi, tf->edi, tf->ebp);
        kprintf("  ds %04x  es %04x  fs %04x  gs %04x\n", tf->ds & 0xFFFF, tf->es & 0xFFFF, tf->fs & 0xFFFF,
                tf->gs & 0xFFFF);
    }
    kprintf("  cr0 %08x  cr2 %08x  cr3 %08x  cr4 %08x\n", read_cr0(), read_cr2(), read_cr3(), read_cr4());
    poweroff(POWEROFF_PANIC);
}
