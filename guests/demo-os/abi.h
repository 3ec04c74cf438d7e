/* The demo OS's system-call interface, shared by the kernel and the user programs.
 *
 * A system call passes its number in EAX and up to three arguments in EBX, ESI and EDI; the result comes
 * back in EAX (negative = error). Both entry paths use the same registers:
 *   - INT 0x80 (an interrupt gate with DPL 3), returning with IRET;
 *   - SYSENTER, returning with SYSEXIT. SYSENTER saves nothing, so the user stub passes its return address
 *     in EDX and its stack pointer in ECX (SYSEXIT loads EIP from EDX and ESP from ECX, SDM vol. 2
 *     "SYSEXIT"); that is why ECX and EDX cannot carry arguments.
 */
#ifndef DEMO_ABI_H
#define DEMO_ABI_H

#include "../lib/types.h"

enum {
    SYS_EXIT = 1,      /* exit(status)                                  never returns            */
    SYS_WRITE = 2,     /* write(buf, len)           to the console      -> bytes written        */
    SYS_READ = 3,      /* read(buf, len)            from the console    -> bytes read (blocks)  */
    SYS_SPAWN = 4,     /* spawn(name, arg)          start a program     -> pid                  */
    SYS_WAIT = 5,      /* wait(pid or -1, &status)  reap a child        -> pid                  */
    SYS_SLEEP = 6,     /* sleep(ticks)                                  -> 0                    */
    SYS_TICKS = 7,     /* ticks()                   timer ticks since boot                      */
    SYS_PROCINFO = 8,  /* procinfo(slot, &info)     -> 0, -1 free slot, -2 past the table       */
    SYS_SBRK = 9,      /* sbrk(increment)           grow/shrink the heap -> old break           */
    SYS_POWEROFF = 10, /* poweroff(status)          write status to the debug-exit port 0xF4    */
    SYS_GETPID = 11,   /* getpid()                                                              */
    SYS_SYSINFO = 12,  /* sysinfo(&info)                                                        */
    SYS_PANIC = 13,    /* panic()                   make the kernel fault (demonstrates the dump) */
};

/* Exit statuses >= EXIT_KILLED mean "killed by exception (status - EXIT_KILLED)". */
#define EXIT_KILLED 0x100

struct procinfo {
    i32 pid, ppid;
    u32 ticks;       /* timer ticks charged to the process                         */
    u32 preempts;    /* times the timer took the CPU away from it                   */
    u32 sc_int80;    /* system calls made through INT 0x80                          */
    u32 sc_sysenter; /* system calls made through SYSENTER                          */
    u32 pages;       /* user pages mapped (code, data, heap, stack, page tables)    */
    char state[10];
    char name[16];
};

struct sysinfo {
    u32 ticks, hz;
    u32 free_kib, total_kib;
    u32 sysenter; /* 1 when the CPU has SYSENTER/SYSEXIT (CPUID.01H:EDX.SEP) and the kernel enabled it */
};

/* User address space: programs are linked at USER_BASE; the stack sits just below USER_TOP. Everything
 * below USER_BASE belongs to the kernel and is mapped supervisor-only in every address space. */
#define USER_BASE 0x40000000u
#define USER_TOP 0x80000000u
#define USER_STACK_PAGES 4

/* Exit statuses written to the debug-exit port (QEMU exits with (status << 1) | 1). */
#define POWEROFF_OK 0
#define POWEROFF_FAIL 1
#define POWEROFF_PANIC 2

#endif
