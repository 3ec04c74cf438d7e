/* The Multiboot v1 boot information structure, as the specification lays it out
 * (https://www.gnu.org/software/grub/manual/multiboot/multiboot.html, section 3.3). */
#ifndef GUEST_MULTIBOOT_H
#define GUEST_MULTIBOOT_H

#include "types.h"

#define MULTIBOOT_BOOTLOADER_MAGIC 0x2BADB002u

#define MBI_MEMORY (1u << 0)
#define MBI_BOOTDEV (1u << 1)
#define MBI_CMDLINE (1u << 2)
#define MBI_MODS (1u << 3)
#define MBI_MMAP (1u << 6)
#define MBI_LOADER_NAME (1u << 9)

struct __attribute__((packed)) mb_info {
    u32 flags;
    u32 mem_lower, mem_upper; /* KiB below 1 MiB / KiB from 1 MiB to the first hole */
    u32 boot_device;
    u32 cmdline;
    u32 mods_count, mods_addr;
    u32 syms[4];
    u32 mmap_length, mmap_addr;
    u32 drives_length, drives_addr;
    u32 config_table;
    u32 boot_loader_name;
};

struct __attribute__((packed)) mb_module {
    u32 mod_start, mod_end, string, reserved;
};

/* One memory map entry. `size` counts the bytes after itself (20 here) and is how one steps to the next. */
struct __attribute__((packed)) mb_mmap_entry {
    u32 size;
    u32 base_lo, base_hi;
    u32 len_lo, len_hi;
    u32 type; /* 1 = available RAM, anything else reserved */
};

#endif
