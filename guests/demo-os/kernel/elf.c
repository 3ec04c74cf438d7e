/* Loading a user program (an ELF32 executable embedded in the kernel image, see programs.asm) into a
 * fresh address space. The checks are those of any ELF loader: the header must describe a 32-bit
 * little-endian i386 executable, and every PT_LOAD segment must lie inside the file and inside the user
 * half of the address space. */
#include "kernel.h"
#include "elf.h"

struct __attribute__((packed)) elf32_ehdr {
    u8 ident[16];
    u16 type, machine;
    u32 version, entry, phoff, shoff, flags;
    u16 ehsize, phentsize, phnum, shentsize, shnum, shstrndx;
};

struct __attribute__((packed)) elf32_phdr {
    u32 type, offset, vaddr, paddr, filesz, memsz, flags, align;
};

#define PT_LOAD 1
#define PF_W 2

/* Copy bytes into an address space that is not necessarily the current one, through the identity map. */
static bool copy_to_space(u32 pd, u32 va, const u8 *src, u32 n)
{
    while (n) {
        u32 pte = as_lookup(pd, va);
        if (!(pte & PTE_P))
            return false;
        u32 off = va & (PAGE_SIZE - 1);
        u32 chunk = PAGE_SIZE - off < n ? PAGE_SIZE - off : n;
        memcpy((u8 *)((pte & ~0xFFFu) + off), src, chunk);
        va += chunk, src += chunk, n -= chunk;
    }
    return true;
}

const char *elf_load(u32 pd, const u8 *image, u32 size, u32 *entry, u32 *image_end)
{
    const struct elf32_ehdr *eh = (const void *)image;
    if (size < sizeof(*eh) || memcmp(eh->ident, "\x7f" "ELF", 4) != 0)
        return "not an ELF file";
    if (eh->ident[4] != 1 || eh->ident[5] != 1 || eh->type != 2 || eh->machine != 3)
        return "not a 32-bit little-endian i386 executable";
    if (eh->phentsize != sizeof(struct elf32_phdr) || eh->phoff > size ||
        (u32)eh->phnum * sizeof(struct elf32_phdr) > size - eh->phoff)
        return "program headers outside the file";
    u32 end = USER_BASE;
    for (u32 i = 0; i < eh->phnum; i++) {
        const struct elf32_phdr *ph = (const void *)(image + eh->phoff + i * sizeof(*ph));
        if (ph->type != PT_LOAD || ph->memsz == 0)
            continue;
        if (ph->filesz > ph->memsz || ph->offset > size || ph->filesz > size - ph->offset)
            return "segment outside the file";
        if (ph->vaddr < USER_BASE || ph->memsz > USER_TOP - ph->vaddr ||
            ph->vaddr + ph->memsz > USER_TOP - USER_STACK_PAGES * PAGE_SIZE)
            return "segment outside user space";
        /* Map every page the segment touches (fresh frames are zero, which is also the bss) ... */
        u32 flags = PTE_U | ((ph->flags & PF_W) ? PTE_W : 0);
        for (u32 va = ph->vaddr & ~(PAGE_SIZE - 1); va < ph->vaddr + ph->memsz; va += PAGE_SIZE) {
            u32 pte = as_lookup(pd, va);
            if (pte & PTE_P) {
                as_map(pd, va, pte & ~0xFFFu, (pte & 0xFFFu) | flags);
                continue;
            }
            u32 frame = frame_alloc();
            if (!frame || !as_map(pd, va, frame, flags)) {
                if (frame)
                    frame_free(frame);
                return "out of memory";
            }
        }
        /* ... then copy the file's part of it. */
        if (!copy_to_space(pd, ph->vaddr, image + ph->offset, ph->filesz))
            return "internal error: segment not mapped";
        if (ph->vaddr + ph->memsz > end)
            end = ph->vaddr + ph->memsz;
    }
    if (eh->entry < USER_BASE || eh->entry >= end)
        return "entry point outside the program";
    *entry = eh->entry;
    *image_end = end;
    return NULL;
}

bool copy_string_to_space(u32 pd, u32 va, const char *s)
{
    return copy_to_space(pd, va, (const u8 *)s, strlen(s) + 1);
}
