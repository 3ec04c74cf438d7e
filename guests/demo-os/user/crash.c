/* A program that misbehaves on purpose, to show that a fault in ring 3 ends only the faulting process:
 * the kernel prints what happened and the shell carries on. */
#include "ulib.h"

/* SYSENTER with EFLAGS.TF set: the single-step trap comes after SYSENTER, i.e. on the kernel's first
 * instruction, in ring 0. POPF sets TF and the trap follows the instruction after it. */
static void sysenter_single_stepped(void)
{
    __asm__ volatile("pushl %%ebp\n\t"
                     "movl %%esp, %%ecx\n\t" /* SYSEXIT returns with this ESP ... */
                     "movl $1f, %%edx\n\t"   /* ... to this EIP (abi.h) */
                     "pushfl\n\t"
                     "orl $0x100, (%%esp)\n\t"
                     "popfl\n\t"
                     "sysenter\n"
                     "1:\n\t"
                     "popl %%ebp"
                     :
                     : "a"(SYS_GETPID)
                     : "ebx", "ecx", "edx", "esi", "edi", "memory", "cc");
}

int main(const char *arg)
{
    const char *kind = *arg ? arg : "pf";
    printf("crash: %s\n", kind);
    if (strcmp(kind, "pf") == 0) {
        /* The kernel image at 1 MiB is mapped in every address space, but supervisor-only:
         * #PF with error code 5 (present, read, user). */
        return *(volatile u32 *)0x100000;
    } else if (strcmp(kind, "null") == 0) {
        return *(volatile u32 *)(uintptr_t)0; /* page 0 is not mapped: #PF, error code 4 */
    } else if (strcmp(kind, "wp") == 0) {
        *(volatile u8 *)(uintptr_t)main = 0xC3; /* our own code is mapped read-only: #PF, error code 7 */
    } else if (strcmp(kind, "gp") == 0) {
        __asm__ volatile("cli"); /* IOPL is 0: CLI in ring 3 raises #GP(0) */
    } else if (strcmp(kind, "io") == 0) {
        __asm__ volatile("outb %%al, $0xf4" : : "a"(0)); /* port 0xF4 is closed in the I/O bitmap: #GP(0) */
    } else if (strcmp(kind, "ud") == 0) {
        __asm__ volatile("ud2"); /* #UD */
    } else if (strcmp(kind, "tf") == 0) {
        struct sysinfo si;
        if (sysinfo(&si) == 0 && si.sysenter) {
            sysenter_single_stepped();
            puts("crash: single-stepping into SYSENTER did not bring the kernel down");
        }
        __asm__ volatile("pushfl; orl $0x100, (%%esp); popfl; nop" : : : "memory", "cc"); /* #DB in ring 3 */
    } else if (strcmp(kind, "de") == 0) {
        volatile u32 zero = 0;
        return (int)(100 / zero); /* #DE */
    } else {
        printf("crash: unknown kind %s (pf, null, wp, gp, io, ud, de, tf)\n", kind);
        return 2;
    }
    puts("crash: still alive?");
    return 1;
}
