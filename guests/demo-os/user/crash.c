/* A program that misbehaves on purpose, to show that a fault in ring 3 ends only the faulting process:
 * the kernel prints what happened and the shell carries on. */
#include "ulib.h"

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
    } else if (strcmp(kind, "de") == 0) {
        volatile u32 zero = 0;
        return (int)(100 / zero); /* #DE */
    } else {
        printf("crash: unknown kind %s (pf, null, wp, gp, io, ud, de)\n", kind);
        return 2;
    }
    puts("crash: still alive?");
    return 1;
}
