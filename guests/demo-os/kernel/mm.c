/* Physical memory and paging.
 *
 * Physical frames: the available regions of the Multiboot memory map above the kernel image, kept on a
 * free list threaded through the free frames themselves (the kernel reaches every frame through the
 * identity mapping below).
 *
 * Address spaces: 32-bit paging with 4 KiB pages (SDM vol. 3A §4.3). The first KERNEL_MAP_MIB of
 * physical memory are identity-mapped supervisor-only by page tables that every page directory shares,
 * so the kernel is at the same place in every process and ring 3 cannot touch it (U/S = 0 in the PDE).
 * Page 0 stays unmapped to catch null pointers. When the CPU has global pages, the kernel's entries are
 * global and survive the CR3 load of every process switch. The user half (USER_BASE..USER_TOP) has page
 * tables of its own in each process. */
#include "kernel.h"

#define KERNEL_MAP_MIB 64
#define KERNEL_PDES (KERNEL_MAP_MIB / 4)

static u32 kernel_pd[1024] __attribute__((aligned(4096)));
static u32 kernel_pt[KERNEL_PDES][1024] __attribute__((aligned(4096)));
static u32 identity_limit; /* mapped physical memory: [0, identity_limit) */

static u32 free_list;      /* physical address of the first free frame; each holds the next one's address */
static u32 free_frames, total_frames;

void mm_init(u32 kernel_end, const struct mb_mmap_region *regions, int nregions)
{
    u32 top = 0;
    for (int i = 0; i < nregions; i++)
        if (regions[i].end > top)
            top = regions[i].end;
    identity_limit = top < (KERNEL_MAP_MIB << 20) ? top & ~(PAGE_SIZE - 1) : (KERNEL_MAP_MIB << 20);

    /* Free list, built from the highest frame down so that allocation hands out low frames first. */
    u32 lo = (kernel_end + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
    for (int i = nregions - 1; i >= 0; i--) {
        u32 start = (regions[i].base + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
        u32 end = regions[i].end & ~(PAGE_SIZE - 1);
        if (start < lo)
            start = lo;
        if (end > identity_limit)
            end = identity_limit;
        for (u32 pa = end; pa > start;) {
            pa -= PAGE_SIZE;
            *(u32 *)pa = free_list;
            free_list = pa;
            free_frames++;
        }
    }
    total_frames = free_frames;
}

u32 frame_alloc(void)
{
    u32 pa = free_list;
    if (!pa)
        return 0;
    free_list = *(u32 *)pa;
    free_frames--;
    memset((void *)pa, 0, PAGE_SIZE);
    return pa;
}

void frame_free(u32 pa)
{
    *(u32 *)pa = free_list;
    free_list = pa;
    free_frames++;
}

u32 mm_free_kib(void) { return free_frames * 4; }
u32 mm_total_kib(void) { return total_frames * 4; }
u32 mm_kernel_pd(void) { return (u32)kernel_pd; }
u32 mm_identity_limit(void) { return identity_limit; }

void paging_enable(void)
{
    u32 global = cpu_features.pge ? PTE_G : 0;
    for (u32 pa = PAGE_SIZE; pa < identity_limit; pa += PAGE_SIZE)
        kernel_pt[pa >> 22][(pa >> 12) & 1023] = pa | PTE_P | PTE_W | global;
    for (u32 i = 0; i < KERNEL_PDES; i++)
        kernel_pd[i] = (u32)kernel_pt[i] | PTE_P | PTE_W; /* U/S = 0: supervisor only */
    if (cpu_features.pge)
        write_cr4(read_cr4() | 0x80); /* CR4.PGE */
    write_cr3((u32)kernel_pd);
    /* CR0.PG turns paging on; CR0.WP makes ring 0 respect read-only pages too (SDM vol. 3A §4.6). */
    write_cr0(read_cr0() | 0x80000000u | 0x10000u);
}

u32 as_create(void)
{
    u32 pd = frame_alloc();
    if (pd)
        memcpy((void *)pd, kernel_pd, KERNEL_PDES * sizeof(u32));
    return pd;
}

static u32 *pte_of(u32 pd, u32 va, bool create)
{
    u32 *pde = &((u32 *)pd)[va >> 22];
    if (!(*pde & PTE_P)) {
        if (!create)
            return NULL;
        u32 pt = frame_alloc();
        if (!pt)
            return NULL;
        /* The PDE allows everything; each PTE decides (the effective rights are the stricter of both). */
        *pde = pt | PTE_P | PTE_W | PTE_U;
    }
    return &((u32 *)(*pde & ~0xFFFu))[(va >> 12) & 1023];
}

bool as_map(u32 pd, u32 va, u32 pa, u32 flags)
{
    u32 *pte = pte_of(pd, va, true);
    if (!pte)
        return false;
    *pte = pa | flags | PTE_P;
    return true;
}

u32 as_unmap(u32 pd, u32 va)
{
    u32 *pte = pte_of(pd, va, false);
    if (!pte || !(*pte & PTE_P))
        return 0;
    u32 pa = *pte & ~0xFFFu;
    *pte = 0;
    /* A changed entry may be cached in the TLB; INVLPG drops it (SDM vol. 3A §4.10.4.1). Only needed when
     * this address space is the live one; a switched-out one gets a fresh TLB on its next CR3 load. */
    if (read_cr3() == pd)
        invlpg(va);
    return pa;
}

u32 as_lookup(u32 pd, u32 va)
{
    u32 *pte = pte_of(pd, va, false);
    return pte ? *pte : 0;
}

u32 as_count_pages(u32 pd)
{
    u32 n = 0;
    for (u32 i = USER_BASE >> 22; i < USER_TOP >> 22; i++) {
        u32 pde = ((u32 *)pd)[i];
        if (!(pde & PTE_P))
            continue;
        n++;
        for (u32 j = 0; j < 1024; j++)
            if (((u32 *)(pde & ~0xFFFu))[j] & PTE_P)
                n++;
    }
    return n;
}

void as_destroy(u32 pd)
{
    for (u32 i = USER_BASE >> 22; i < USER_TOP >> 22; i++) {
        u32 pde = ((u32 *)pd)[i];
        if (!(pde & PTE_P))
            continue;
        u32 *pt = (u32 *)(pde & ~0xFFFu);
        for (u32 j = 0; j < 1024; j++)
            if (pt[j] & PTE_P)
                frame_free(pt[j] & ~0xFFFu);
        frame_free((u32)pt);
    }
    frame_free(pd);
}
