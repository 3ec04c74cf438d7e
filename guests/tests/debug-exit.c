/* The debug-exit port: the kernel writes the status given on the command line ("status=N", default 42) to
 * port 0xF4. The check happens outside: the emulator must stop with exit code (N << 1) | 1 (85 for 42);
 * if it keeps running, the kernel reports the failure itself. */
#include "lib/testlib.h"

const char test_name[] = "debug-exit";

static u32 status_from_cmdline(void)
{
    if (!mbi || !(mbi->flags & MBI_CMDLINE))
        return 42;
    for (const char *s = (const char *)mbi->cmdline; *s; s++)
        if (strncmp(s, "status=", 7) == 0 && (s == (const char *)mbi->cmdline || s[-1] == ' '))
            return parse_u32(s + 7, NULL);
    return 42;
}

void test_main(void)
{
    u32 status = status_from_cmdline() & 0xFF;
    t_printf("PASS %s: writing %u to port 0xf4; expect exit code %u\n", test_name, status, ((status << 1) | 1) & 0xFF);
    t_flush();
    outb(0xF4, (u8)status);
    t_printf("FAIL %s: still running after the write to port 0xf4\n", test_name);
    t_exit(1);
}
