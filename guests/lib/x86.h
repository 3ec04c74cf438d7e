/* Inline wrappers for the x86 instructions C cannot express: port I/O, control registers, MSRs, CPUID,
 * descriptor tables. Used by the kernels (ring 0) and, for inb/outb, by the clock program (ring 3 with
 * the TSS I/O permission bitmap opened for ports 0x70-0x71). */
#ifndef GUEST_X86_H
#define GUEST_X86_H

#include "types.h"

static inline void outb(u16 port, u8 v) { __asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port)); }
static inline void outw(u16 port, u16 v) { __asm__ volatile("outw %0, %1" : : "a"(v), "Nd"(port)); }
static inline void outl(u16 port, u32 v) { __asm__ volatile("outl %0, %1" : : "a"(v), "Nd"(port)); }
static inline u8 inb(u16 port)
{
    u8 v;
    __asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
    return v;
}
static inline u16 inw(u16 port)
{
    u16 v;
    __asm__ volatile("inw %1, %0" : "=a"(v) : "Nd"(port));
    return v;
}
static inline u32 inl(u16 port)
{
    u32 v;
    __asm__ volatile("inl %1, %0" : "=a"(v) : "Nd"(port));
    return v;
}

static inline void cli(void) { __asm__ volatile("cli" : : : "memory"); }
static inline void sti(void) { __asm__ volatile("sti" : : : "memory"); }
static inline void hlt(void) { __asm__ volatile("hlt" : : : "memory"); }
/* STI's interrupt shadow covers the HLT, so an interrupt that is already pending wakes the HLT instead of
 * being taken between the two instructions (SDM vol. 2 "STI"): no lost wake-up. */
static inline void sti_hlt(void) { __asm__ volatile("sti; hlt" : : : "memory"); }

static inline u32 read_eflags(void)
{
    u32 f;
    __asm__ volatile("pushfl; popl %0" : "=r"(f));
    return f;
}

#define DEFINE_CR(n)                                                            \
    static inline u32 read_cr##n(void)                                          \
    {                                                                           \
        u32 v;                                                                  \
        __asm__ volatile("mov %%cr" #n ", %0" : "=r"(v));                       \
        return v;                                                               \
    }                                                                           \
    static inline void write_cr##n(u32 v) { __asm__ volatile("mov %0, %%cr" #n : : "r"(v) : "memory"); }
DEFINE_CR(0)
DEFINE_CR(2)
DEFINE_CR(3)
DEFINE_CR(4)
#undef DEFINE_CR

static inline void invlpg(u32 va) { __asm__ volatile("invlpg (%0)" : : "r"(va) : "memory"); }

static inline void wrmsr(u32 msr, u64 v)
{
    __asm__ volatile("wrmsr" : : "c"(msr), "a"((u32)v), "d"((u32)(v >> 32)));
}
static inline u64 rdmsr(u32 msr)
{
    u32 lo, hi;
    __asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
    return ((u64)hi << 32) | lo;
}

static inline void cpuid(u32 leaf, u32 *a, u32 *b, u32 *c, u32 *d)
{
    __asm__ volatile("cpuid" : "=a"(*a), "=b"(*b), "=c"(*c), "=d"(*d) : "a"(leaf), "c"(0));
}

/* CPUID exists when software can toggle EFLAGS.ID (bit 21) (SDM vol. 1 §20.1). */
static inline bool have_cpuid(void)
{
    u32 a, b;
    __asm__ volatile("pushfl\n\t"
                     "pushfl\n\t"
                     "popl %0\n\t"
                     "movl %0, %1\n\t"
                     "xorl $0x200000, %0\n\t"
                     "pushl %0\n\t"
                     "popfl\n\t"
                     "pushfl\n\t"
                     "popl %0\n\t"
                     "popfl"
                     : "=&r"(a), "=&r"(b));
    return ((a ^ b) & 0x200000) != 0;
}

struct __attribute__((packed)) dtr {
    u16 limit;
    u32 base;
};

static inline void lgdt(const void *base, u16 limit)
{
    struct dtr d = { limit, (u32)base };
    __asm__ volatile("lgdt %0" : : "m"(d));
}
static inline void lidt(const void *base, u16 limit)
{
    struct dtr d = { limit, (u32)base };
    __asm__ volatile("lidt %0" : : "m"(d));
}
static inline void ltr(u16 sel) { __asm__ volatile("ltr %0" : : "r"(sel)); }

/* A GDT code/data descriptor (SDM vol. 3A §3.4.5): access = P|DPL|S|type, flags = G|D/B in bits 3:2. */
static inline u64 gdt_entry(u32 base, u32 limit, u8 access, u8 flags)
{
    return (u64)(limit & 0xFFFF) | ((u64)(base & 0xFFFFFF) << 16) | ((u64)access << 40) |
           ((u64)((limit >> 16) & 0xF) << 48) | ((u64)(flags & 0xF) << 52) | ((u64)(base >> 24) << 56);
}

/* An IDT interrupt gate (type 0xE, 32-bit): IF is cleared on entry (SDM vol. 3A §6.11, §6.12.1.3). */
static inline u64 idt_gate(u32 offset, u16 sel, u8 dpl)
{
    return (u64)(offset & 0xFFFF) | ((u64)sel << 16) | ((u64)(0x8E | (dpl << 5)) << 40) |
           ((u64)(offset >> 16) << 48);
}

#endif
