/* The Multiboot hand-over: the machine state at entry and the boot information structure, checked
 * against the Multiboot v1 specification (sections 3.2 "Machine state" and 3.3 "Boot information
 * format"). Built twice: as an ELF kernel and (-DAOUT) as a flat binary loaded through the a.out kludge. */
#include "lib/testlib.h"

#ifdef AOUT
const char test_name[] = "boot-aout";
#else
const char test_name[] = "boot";
#endif

extern u8 _image_start[], _image_end[];
static u8 bss_probe[65536];                  /* the loader must zero the bss (ELF p_memsz, a.out bss_end_addr) */
static volatile u32 data_probe = 0x5EED1234; /* and copy initialised data */

static bool overlaps_image(u32 start, u32 end)
{
    return start < (u32)_image_end && end > (u32)_image_start;
}

/* A string the loader placed: NUL-terminated within a sane length, outside our image. */
static bool check_string(const char *what, u32 addr)
{
    u32 n = 0;
    while (n < 4096 && ((const char *)addr)[n])
        n++;
    check(n < 4096, "%s string at %08x is NUL-terminated (%u characters)", what, addr, n);
    check(!overlaps_image(addr, addr + n + 1), "%s string lies outside the kernel image", what);
    return n < 4096;
}

static void check_a20(void)
{
    /* With A20 enabled, physical addresses X and X + 1 MiB are different memory. */
    volatile u32 *lo = (volatile u32 *)0x080000, *hi = (volatile u32 *)0x180000;
    u32 save_lo = *lo, save_hi = *hi;
    *lo = 0x11111111;
    *hi = 0x22222222;
    bool distinct = *lo == 0x11111111 && *hi == 0x22222222;
    *hi = save_hi;
    *lo = save_lo;
    check(distinct, "A20 is enabled (0x080000 and 0x180000 are different memory)");
}

static void check_mmap(void)
{
    u32 addr = mbi->mmap_addr, end = mbi->mmap_addr + mbi->mmap_length;
    check(!overlaps_image(addr, end), "memory map at %08x+%u lies outside the kernel image", addr,
          mbi->mmap_length);
    bool sizes_ok = true, found_upper = false, covers_image = false, have_low = false;
    u32 n = 0;
    while (addr < end && end - addr >= 24 && n < 64) {
        const struct mb_mmap_entry *e = (const void *)addr;
        info("mmap %08x%08x + %08x%08x type %u (size field %u)", e->base_hi, e->base_lo, e->len_hi, e->len_lo,
             e->type, e->size);
        if (e->size < 20)
            sizes_ok = false;
        if (e->type == 1 && e->base_hi == 0 && e->len_hi == 0) {
            u32 b = e->base_lo, l = e->len_lo;
            if (b == 0 && l >= mbi->mem_lower * 1024)
                have_low = true;
            if (b <= 0x100000 && b + l > 0x100000) {
                found_upper = true;
                check(b + l - 0x100000 >= mbi->mem_upper * 1024,
                      "available region from 1 MiB (%u KiB) holds mem_upper (%u KiB)", (b + l - 0x100000) / 1024,
                      mbi->mem_upper);
            }
            if (b <= (u32)_image_start && b + l >= (u32)_image_end)
                covers_image = true;
        }
        addr += e->size + 4;
        n++;
    }
    check(n > 0 && addr == end, "memory map: %u entries exactly fill mmap_length %u", n, mbi->mmap_length);
    check(sizes_ok, "every memory map entry has size >= 20");
    check(have_low, "memory map: available RAM from 0 covering mem_lower");
    check(found_upper, "memory map: available RAM at 1 MiB");
    check(covers_image, "memory map: the kernel image %08x-%08x lies in available RAM", (u32)_image_start,
          (u32)_image_end);
}

static void check_modules(void)
{
    const struct mb_module *m = (const void *)mbi->mods_addr;
    check(!overlaps_image(mbi->mods_addr, mbi->mods_addr + mbi->mods_count * 16),
          "module list at %08x lies outside the kernel image", mbi->mods_addr);
    for (u32 i = 0; i < mbi->mods_count && i < 16; i++) {
        u32 sum = 0;
        for (u32 a = m[i].mod_start; a < m[i].mod_end; a++)
            sum += *(const u8 *)a;
        info("module %u: %08x-%08x (%u bytes, byte sum %u), string \"%s\"", i, m[i].mod_start, m[i].mod_end,
             m[i].mod_end - m[i].mod_start, sum, (const char *)m[i].string);
        check(m[i].mod_start <= m[i].mod_end, "module %u: start <= end", i);
        check((m[i].mod_start & 0xFFF) == 0, "module %u: page aligned (header flag 0 asks for it)", i);
        check(!overlaps_image(m[i].mod_start, m[i].mod_end), "module %u lies outside the kernel image", i);
        check_string("module", m[i].string);
        for (u32 j = 0; j < i; j++)
            check(m[i].mod_start >= m[j].mod_end || m[i].mod_end <= m[j].mod_start,
                  "module %u does not overlap module %u", i, j);
    }
}

void test_main(void)
{
    /* Machine state (spec 3.2) */
    check(boot_eax == MULTIBOOT_BOOTLOADER_MAGIC, "EAX holds the magic 0x2badb002 (got %08x)", boot_eax);
    check(boot_cr0 & 1, "CR0.PE = 1 (CR0 = %08x)", boot_cr0);
    check(!(boot_cr0 & 0x80000000u), "CR0.PG = 0");
    check(!(boot_eflags & 0x200), "EFLAGS.IF = 0 (EFLAGS = %08x)", boot_eflags);
    check(!(boot_eflags & 0x20000), "EFLAGS.VM = 0");
    info("selectors cs %04x ds %04x es %04x fs %04x gs %04x ss %04x; esp %08x; cr4 %08x", boot_sel[0], boot_sel[1],
         boot_sel[2], boot_sel[3], boot_sel[4], boot_sel[5], boot_esp, boot_cr4);
    info("gdtr %08x/%04x, idtr %08x/%04x", *(u32 *)(boot_gdtr + 2), *(u16 *)boot_gdtr, *(u32 *)(boot_idtr + 2),
         *(u16 *)boot_idtr);
    check_a20();
    /* The image itself */
    bool zero = true;
    for (u32 i = 0; i < sizeof(bss_probe); i++)
        zero &= bss_probe[i] == 0;
    check(zero, "the bss (%u bytes at %08x) is zero", (u32)sizeof(bss_probe), (u32)bss_probe);
    check(data_probe == 0x5EED1234, "initialised data was loaded (%08x)", data_probe);
    if (!mbi) {
        check(false, "no boot information (EAX was not the magic)");
        return;
    }
    /* Boot information (spec 3.3) */
    info("boot information at %08x, flags %08x", (u32)mbi, mbi->flags);
    check(!overlaps_image((u32)mbi, (u32)mbi + sizeof(*mbi)), "the information structure lies outside the image");
    check(mbi->flags & MBI_MEMORY, "flags bit 0: mem_lower/mem_upper present (header flag 1 asks for them)");
    if (mbi->flags & MBI_MEMORY) {
        info("mem_lower %u KiB, mem_upper %u KiB", mbi->mem_lower, mbi->mem_upper);
        check(mbi->mem_lower >= 512 && mbi->mem_lower <= 640, "mem_lower %u KiB is between 512 and 640",
              mbi->mem_lower);
        check(mbi->mem_upper >= 1024, "mem_upper %u KiB is at least 1 MiB", mbi->mem_upper);
    }
    if (mbi->flags & MBI_BOOTDEV)
        info("boot_device %08x", mbi->boot_device);
    check(mbi->flags & MBI_CMDLINE, "flags bit 2: command line present");
    if ((mbi->flags & MBI_CMDLINE) && check_string("command line", mbi->cmdline))
        info("command line \"%s\"", (const char *)mbi->cmdline);
    if (mbi->flags & MBI_MODS)
        check_modules();
    else
        info("no modules (flags bit 3 clear)");
    check(mbi->flags & MBI_MMAP, "flags bit 6: memory map present");
    if (mbi->flags & MBI_MMAP)
        check_mmap();
    if (mbi->flags & MBI_LOADER_NAME && check_string("boot loader name", mbi->boot_loader_name))
        info("boot loader \"%s\"", (const char *)mbi->boot_loader_name);
}
