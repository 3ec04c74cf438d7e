/* The demo OS's kernel entry: read what the Multiboot loader tells us, set up the CPU tables, memory,
 * devices and the first process, then become the idle process. */
#include "kernel.h"
#include "../../lib/multiboot.h"

bool autorun;

extern u8 _kernel_start[], _kernel_end[]; /* from the linker script */

static char cmdline[256];
static char loader_name[64];
static struct mb_mmap_region regions[32];
static int nregions;

/* Is `word` one of the space-separated words of s? (Loaders put the kernel's path first.) */
static bool has_word(const char *s, const char *word)
{
    size_t n = strlen(word);
    while (*s) {
        while (*s == ' ')
            s++;
        const char *w = s;
        while (*s && *s != ' ')
            s++;
        if ((size_t)(s - w) == n && strncmp(w, word, n) == 0)
            return true;
    }
    return false;
}

/* Everything we need from the boot information is copied out before paging starts (the structure may
 * live anywhere in low memory, including pages we leave unmapped). */
static void read_multiboot(const struct mb_info *mbi)
{
    kprintf("multiboot: info at %08x, flags %x\n", (u32)mbi, mbi->flags);
    if (mbi->flags & MBI_LOADER_NAME)
        strlcpy(loader_name, (const char *)mbi->boot_loader_name, sizeof(loader_name));
    if (mbi->flags & MBI_CMDLINE)
        strlcpy(cmdline, (const char *)mbi->cmdline, sizeof(cmdline));
    kprintf("  boot loader: %s\n", loader_name[0] ? loader_name : "(not given)");
    kprintf("  command line: \"%s\"\n", cmdline);
    if (mbi->flags & MBI_MEMORY)
        kprintf("  memory: %u KiB lower, %u KiB upper\n", mbi->mem_lower, mbi->mem_upper);
    if (mbi->flags & MBI_MODS)
        kprintf("  modules: %u (not used)\n", mbi->mods_count);
    if (mbi->flags & MBI_MMAP) {
        kprintf("  memory map:\n");
        u32 addr = mbi->mmap_addr, end = mbi->mmap_addr + mbi->mmap_length;
        while (addr < end && end - addr >= sizeof(struct mb_mmap_entry)) {
            const struct mb_mmap_entry *e = (const void *)addr;
            u64 base = ((u64)e->base_hi << 32) | e->base_lo, len = ((u64)e->len_hi << 32) | e->len_lo;
            u64 last = base + len - 1;
            if (base >> 32)
                kprintf("    (above 4 GiB, ignored)\n");
            else
                kprintf("    %08x-%08x %s\n", (u32)base, last >> 32 ? 0xFFFFFFFFu : (u32)last,
                        e->type == 1 ? "available" : "reserved");
            if (e->type == 1 && base < 0x100000000ull && len && nregions < (int)ARRAY_SIZE(regions)) {
                u64 top = base + len > 0x100000000ull ? 0x100000000ull : base + len;
                regions[nregions].base = (u32)base;
                regions[nregions].end = top == 0x100000000ull ? 0xFFFFF000u : (u32)top;
                nregions++;
            }
            addr += e->size + 4; /* `size` does not count itself */
        }
    } else if (mbi->flags & MBI_MEMORY) {
        /* No map: trust mem_upper (KiB of contiguous memory from 1 MiB). */
        regions[0].base = 0x100000;
        regions[0].end = 0x100000 + mbi->mem_upper * 1024;
        nregions = 1;
    }
}

void kmain(u32 magic, const struct mb_info *mbi)
{
    serial_init();
    kprintf("\nTrapeze demo OS\n");
    if (magic != MULTIBOOT_BOOTLOADER_MAGIC) {
        kprintf("not started by a Multiboot loader (EAX=%08x)\n", magic);
        poweroff(POWEROFF_FAIL);
    }
    read_multiboot(mbi);
    autorun = has_word(cmdline, "autorun");
    if (nregions == 0) {
        kprintf("no memory information from the loader\n");
        poweroff(POWEROFF_FAIL);
    }

    cpu_detect();
    kprintf("cpu: %s family %u model %u stepping %u; sysenter %s, global pages %s\n", cpu_features.vendor,
            cpu_features.family, cpu_features.model, cpu_features.stepping, cpu_features.sep ? "yes" : "no",
            cpu_features.pge ? "yes" : "no");
    gdt_init();
    idt_init();
    sysenter_init();
    kprintf("syscalls: int 0x80%s\n", cpu_features.sep ? " and sysenter" : " only (no SYSENTER on this CPU)");

    mm_init((u32)_kernel_end, regions, nregions);
    paging_enable();
    kprintf("paging: kernel %08x-%08x, %u KiB identity-mapped supervisor-only, %u KiB free for processes\n",
            (u32)_kernel_start, (u32)_kernel_end, mm_identity_limit() / 1024, mm_free_kib());

    pic_init();
    pit_init(HZ);
    pic_unmask(0);
    pic_unmask(4);
    serial_enable_interrupts();
    kprintf("timer: PIT channel 0, mode 2, %u Hz; PIC vectors 0x20-0x2f\n", HZ);
    kprintf("serial: %s at 0x3f8, 115200 8N1, receive interrupt on IRQ 4\n",
            serial_is_16550a() ? "16550A" : "8250/16450 (no FIFO)");

    proc_init();
    i32 pid = proc_spawn("shell", autorun ? "autorun" : "", 0);
    if (pid < 0)
        panic("cannot start the shell", NULL);
    proc_idle_loop();
}
