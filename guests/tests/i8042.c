/* The i8042 keyboard controller's system functions: status and command ports, self-test, interface test,
 * command byte, output port, and the A20 gate it drives (IBM PC/AT Technical Reference, i8042 commands).
 * This kernel is linked at 2 MiB: with A20 off, physical bit 20 is forced to 0, folding 1-2 MiB onto 0-1 MiB,
 * while code, data and stack at 2-3 MiB (bit 20 clear) stay where they are. */
#include "lib/testlib.h"

const char test_name[] = "i8042";

static bool wait_input_empty(void) /* status bit 1: the controller has not yet taken our last byte */
{
    for (u32 i = 0; i < 1000000; i++)
        if (!(inb(0x64) & 0x02))
            return true;
    return false;
}

static int read_data(void) /* status bit 0: a byte waits in the output buffer */
{
    for (u32 i = 0; i < 1000000; i++)
        if (inb(0x64) & 0x01)
            return inb(0x60);
    return -1;
}

static void command(u8 cmd)
{
    wait_input_empty();
    outb(0x64, cmd);
}

static void flush_output(void)
{
    for (int i = 0; i < 32 && (inb(0x64) & 0x01); i++)
        (void)inb(0x60);
}

static int read_output_port(void)
{
    command(0xD0);
    return read_data();
}

static void write_output_port(u8 v)
{
    command(0xD1);
    wait_input_empty();
    outb(0x60, v);
    wait_input_empty();
}

/* Does physical X + 1 MiB alias X? Both locations are restored. */
static bool aliased(void)
{
    volatile u32 *lo = (volatile u32 *)0x080000, *hi = (volatile u32 *)0x180000;
    u32 save_lo = *lo;
    *lo = 0x11111111;
    u32 save_hi = *hi;
    *hi = 0x22222222;
    bool alias = *lo == 0x22222222;
    *hi = save_hi;
    *lo = save_lo;
    return alias;
}

void test_main(void)
{
    u8 st = inb(0x64);
    info("status register %02x", st);
    check(st != 0xFF, "a controller answers at port 0x64 (0xff means none)");
    flush_output();

    command(0xAA);
    int r = read_data();
    check(r == 0x55, "self-test (command aa) answers 55 (%02x)", r);
    command(0xAB);
    r = read_data();
    check(r == 0x00, "keyboard interface test (command ab) answers 00 (%02x)", r);

    command(0x20);
    int cb = read_data();
    check(cb >= 0, "read command byte (20): %02x", cb);
    if (cb >= 0) {
        command(0x60);
        wait_input_empty();
        outb(0x60, (u8)cb);
        command(0x20);
        int cb2 = read_data();
        check(cb2 == cb, "write command byte (60) then read it back: %02x", cb2);
    }

    int op = read_output_port();
    info("output port %02x", op);
    check(op >= 0 && (op & 0x03) == 0x03, "output port: A20 (bit 1) enabled and reset line (bit 0) inactive (%02x)", op);
    check(!aliased(), "A20 on: 0x080000 and 0x180000 are different memory");

    /* A20 off: clear bit 1, keep bit 0 (writing bit 0 = 0 would reset the processor). */
    write_output_port((u8)(op & ~0x02));
    int op_off = read_output_port();
    bool alias_off = aliased();
    write_output_port((u8)(op | 0x02));
    int op_on = read_output_port();
    bool alias_on = aliased();
    check(op_off >= 0 && !(op_off & 0x02), "output port after disabling A20: %02x (bit 1 clear)", op_off);
    check(alias_off, "A20 off: 0x180000 aliases 0x080000");
    check(op_on >= 0 && (op_on & 0x02), "output port after enabling A20: %02x (bit 1 set)", op_on);
    check(!alias_on, "A20 on again: no aliasing");
}
