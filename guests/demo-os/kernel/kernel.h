/* Declarations shared by the demo OS kernel's files. */
#ifndef DEMO_KERNEL_H
#define DEMO_KERNEL_H

#include "../../lib/types.h"
#include "../../lib/string.h"
#include "../../lib/x86.h"
#include "../abi.h"

/* Segment selectors (GDT layout in cpu.c). SYSENTER/SYSEXIT dictate the order: SS = CS+8 on entry,
 * CS = CS+16 and SS = CS+24 (with RPL 3) on exit (SDM vol. 2 "SYSENTER", "SYSEXIT"). */
#define KERNEL_CS 0x08
#define KERNEL_DS 0x10
#define USER_CS 0x1B
#define USER_DS 0x23
#define TSS_SEL 0x28

#define PAGE_SIZE 4096u
#define HZ 100
#define MAX_PROCS 16
#define KSTACK_SIZE 8192
/* The pseudo vector trap frames from SYSENTER carry, so the return path knows to use SYSEXIT. */
#define SYSENTER_VECTOR 0x100

/* What the assembly entry stubs push (entry.asm), lowest address first. */
struct trapframe {
    u32 gs, fs, es, ds;
    u32 edi, esi, ebp, esp_unused, ebx, edx, ecx, eax; /* PUSHAD order */
    u32 vector, error;
    u32 eip, cs, eflags; /* pushed by the CPU (or built by the SYSENTER stub) */
    u32 user_esp, user_ss; /* only present when the CPU came from ring 3 */
};

/* console.c: the 16550A driver and kernel printing */
void serial_init(void);
void serial_enable_interrupts(void); /* once the PICs are programmed and IRQ 4 is unmasked */
bool serial_is_16550a(void);
void serial_irq(void);
void console_write(const char *s, size_t n); /* from a process: may block while the buffer is full */
void console_flush(bool may_block);             /* until the last byte has left the UART */
int console_read(char *buf, size_t n); /* blocks until at least one byte */
void kprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* cpu.c: descriptor tables, CPU features */
struct cpu_features {
    bool cpuid, sep, pge;
    u32 family, model, stepping;
    char vendor[13];
};
extern struct cpu_features cpu_features;
void cpu_detect(void);
void gdt_init(void);
void idt_init(void);
void sysenter_init(void);
void tss_set_kernel_stack(u32 esp0);
void tss_allow_cmos_ports(bool allow);

/* trap.c: interrupts and exceptions */
void pic_init(void);
void pic_unmask(int irq);
void pit_init(u32 hz);
void trap_dispatch(struct trapframe *tf);
void panic(const char *why, struct trapframe *tf) __attribute__((noreturn));
void poweroff(u32 status) __attribute__((noreturn));
extern volatile u32 ticks;

/* mm.c: physical frames and page tables */
/* An available memory region from the Multiboot memory map (below 4 GiB). */
struct mb_mmap_region {
    u32 base, end; /* [base, end) */
};

#define PTE_P 0x001
#define PTE_W 0x002
#define PTE_U 0x004
#define PTE_G 0x100
void mm_init(u32 kernel_end, const struct mb_mmap_region *regions, int nregions);
u32 frame_alloc(void); /* a zeroed frame, or 0 when memory is exhausted */
void frame_free(u32 pa);
u32 mm_free_kib(void);
u32 mm_total_kib(void);
u32 mm_kernel_pd(void);
u32 mm_identity_limit(void);
void paging_enable(void);
u32 as_create(void);                               /* a new page directory sharing the kernel's tables */
void as_destroy(u32 pd);                           /* free every user page, page table and the directory */
bool as_map(u32 pd, u32 va, u32 pa, u32 flags);   /* false when a page table cannot be allocated */
u32 as_unmap(u32 pd, u32 va);                      /* returns the frame that was mapped (0 if none) */
u32 as_lookup(u32 pd, u32 va);                     /* the PTE for va, or 0 */
u32 as_count_pages(u32 pd);

/* proc.c: processes and the scheduler */
enum proc_state { P_FREE, P_READY, P_SLEEPING, P_WAITING, P_READING, P_WRITING, P_ZOMBIE };
struct proc {
    i32 pid, ppid;
    enum proc_state state;
    char name[16];
    u32 pd;         /* physical address of the page directory (identity-mapped, so also a pointer) */
    u32 kesp;       /* saved kernel stack pointer while switched out */
    u32 brk_base, brk;
    u32 wake_tick;  /* P_SLEEPING: when to wake */
    i32 wait_pid;   /* P_WAITING: which child (-1 = any) */
    i32 exit_status;
    bool use_sysenter, io_cmos;
    u32 ticks, preempts, sc_int80, sc_sysenter;
};
extern struct proc procs[MAX_PROCS];
extern struct proc *current;
void proc_init(void);
i32 proc_spawn(const char *name, const char *arg, i32 ppid);
void proc_exit(i32 status) __attribute__((noreturn));
i32 proc_wait(i32 pid, i32 *status);
void proc_sleep(u32 nticks);
void proc_block(enum proc_state why); /* current stops running until someone makes it P_READY */
void proc_wake_sleepers(void);
void proc_wake_readers(void);
void proc_wake_writers(void);
void proc_timer_tick(bool from_user);
void proc_idle_loop(void) __attribute__((noreturn));
const char *proc_state_name(const struct proc *p);

/* syscall.c */
void syscall_dispatch(struct trapframe *tf);

/* main.c */
extern bool autorun;

/* entry.asm */
extern u32 isr_stubs[48];
void isr_syscall(void);
void sysenter_entry(void);
void trap_return(void);
void switch_stacks(u32 *save_esp, u32 new_esp);

#endif
