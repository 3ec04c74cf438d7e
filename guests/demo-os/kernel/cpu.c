/* The processor's tables: GDT, TSS (with its I/O permission bitmap), IDT, and the SYSENTER MSRs. */
#include "kernel.h"

struct cpu_features cpu_features;

/* The 32-bit TSS (SDM vol. 3A §7.2.1). We use only ESP0/SS0 (the stack for entering ring 0 from ring 3)
 * and the I/O permission bitmap; tasks are switched in software. */
struct __attribute__((packed)) tss {
    u32 link, esp0, ss0, esp1, ss1, esp2, ss2, cr3, eip, eflags;
    u32 eax, ecx, edx, ebx, esp, ebp, esi, edi;
    u32 es, cs, ss, ds, fs, gs, ldtr;
    u16 trap, iomap_base;
    /* One bit per port, 1 = ring 3 may not use it (SDM vol. 1 §19.5.2). The extra byte of ones is required
     * because the processor always reads two bytes of the bitmap. */
    u8 iomap[65536 / 8 + 1];
};

static struct tss tss __attribute__((aligned(128)));
static u64 gdt[6] __attribute__((aligned(8)));
static u64 idt[256] __attribute__((aligned(8)));

void gdt_init(void)
{
    gdt[0] = 0;
    gdt[1] = gdt_entry(0, 0xFFFFF, 0x9A, 0xC); /* 0x08 kernel code: DPL 0, execute/read, 4 GiB, 32-bit */
    gdt[2] = gdt_entry(0, 0xFFFFF, 0x92, 0xC); /* 0x10 kernel data: DPL 0, read/write */
    gdt[3] = gdt_entry(0, 0xFFFFF, 0xFA, 0xC); /* 0x18 user code: DPL 3 */
    gdt[4] = gdt_entry(0, 0xFFFFF, 0xF2, 0xC); /* 0x20 user data: DPL 3 */
    /* 0x28 TSS: type 9 (available 32-bit TSS), byte granular limit covering the I/O bitmap */
    gdt[5] = gdt_entry((u32)&tss, sizeof(tss) - 1, 0x89, 0x0);

    memset(&tss, 0, sizeof(tss));
    tss.ss0 = KERNEL_DS;
    tss.iomap_base = __builtin_offsetof(struct tss, iomap);
    memset(tss.iomap, 0xFF, sizeof(tss.iomap)); /* no port is open to ring 3 ... */

    lgdt(gdt, sizeof(gdt) - 1);
    /* ... and the segment registers still hold the loader's selectors: reload all of them. CS needs a far
     * transfer. */
    __asm__ volatile("ljmp %0, $1f\n1:\n\t"
                     "mov %1, %%ax\n\t"
                     "mov %%ax, %%ds\n\t"
                     "mov %%ax, %%es\n\t"
                     "mov %%ax, %%ss\n\t"
                     "xor %%ax, %%ax\n\t"
                     "mov %%ax, %%fs\n\t"
                     "mov %%ax, %%gs"
                     :
                     : "i"(KERNEL_CS), "i"(KERNEL_DS)
                     : "eax", "memory");
    ltr(TSS_SEL);
}

/* The stack the CPU switches to when an interrupt or INT 0x80 arrives from ring 3 (and, through the MSR,
 * the one SYSENTER uses): always the running process's kernel stack. */
void tss_set_kernel_stack(u32 esp0)
{
    tss.esp0 = esp0;
    if (cpu_features.sep)
        wrmsr(0x175, esp0); /* IA32_SYSENTER_ESP */
}

/* The clock program reads the CMOS clock itself: open ports 0x70 and 0x71 (bits 0 and 1 of byte 14) in
 * the bitmap while it runs, close them for everyone else. */
void tss_allow_cmos_ports(bool allow)
{
    if (allow)
        tss.iomap[0x70 / 8] &= (u8)~0x03;
    else
        tss.iomap[0x70 / 8] |= 0x03;
}

void idt_init(void)
{
    for (int v = 0; v < 48; v++)
        idt[v] = idt_gate(isr_stubs[v], KERNEL_CS, 0);
    /* DPL 3 so that ring 3 may execute INT 0x80; every other gate has DPL 0, so a user INT n to it raises
     * #GP instead of faking a hardware interrupt (SDM vol. 3A §6.12.1.1). Interrupt gates clear IF: the
     * kernel runs with interrupts disabled except when idle. */
    idt[0x80] = idt_gate((u32)isr_syscall, KERNEL_CS, 3);
    lidt(idt, sizeof(idt) - 1);
}

void cpu_detect(void)
{
    struct cpu_features *f = &cpu_features;
    strlcpy(f->vendor, "unknown", sizeof(f->vendor));
    f->cpuid = have_cpuid();
    if (!f->cpuid)
        return;
    u32 a, b, c, d;
    cpuid(0, &a, &b, &c, &d);
    memcpy(f->vendor, &b, 4);
    memcpy(f->vendor + 4, &d, 4);
    memcpy(f->vendor + 8, &c, 4);
    f->vendor[12] = 0;
    if (a < 1)
        return;
    cpuid(1, &a, &b, &c, &d);
    f->family = (a >> 8) & 0xF;
    f->model = (a >> 4) & 0xF;
    f->stepping = a & 0xF;
    /* CPUID.01H:EDX.SEP (bit 11) announces SYSENTER/SYSEXIT, except that the Pentium Pro (family 6, model
     * < 3, stepping < 3) sets it without having them (SDM vol. 2 "SYSENTER", Operation notes). */
    f->sep = (d & (1u << 11)) && !(f->family == 6 && f->model < 3 && f->stepping < 3);
    f->pge = (d & (1u << 13)) != 0; /* global pages (CR4.PGE) */
}

/* SYSENTER enters at CS = IA32_SYSENTER_CS with SS = CS + 8, on the stack IA32_SYSENTER_ESP, at
 * IA32_SYSENTER_EIP (SDM vol. 3A §5.8.7). */
void sysenter_init(void)
{
    if (!cpu_features.sep)
        return;
    wrmsr(0x174, KERNEL_CS);            /* IA32_SYSENTER_CS */
    wrmsr(0x175, 0);                    /* IA32_SYSENTER_ESP: set per process by tss_set_kernel_stack */
    wrmsr(0x176, (u32)sysenter_entry);  /* IA32_SYSENTER_EIP */
}
