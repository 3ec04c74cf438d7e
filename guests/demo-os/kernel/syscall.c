/* System calls. Both doors (INT 0x80 and SYSENTER) arrive here with the same trap frame; the number is
 * in EAX, the arguments in EBX, ESI, EDI, and the result goes back in EAX (abi.h).
 *
 * Every pointer from ring 3 is checked against the process's page tables before the kernel touches it:
 * the kernel runs with CR0.WP=1 and any fault in ring 0 is fatal, so a bad pointer must become an error
 * return, never a kernel page fault. */
#include "kernel.h"

/* Is [va, va+len) mapped user-accessible (and writable, if asked) in the current address space? */
static bool user_range_ok(u32 va, u32 len, bool write)
{
    if (len == 0)
        return true;
    if (va < USER_BASE || va >= USER_TOP || len > USER_TOP - va)
        return false;
    for (u32 page = va & ~(PAGE_SIZE - 1); page < va + len; page += PAGE_SIZE) {
        u32 pte = as_lookup(current->pd, page);
        if (!(pte & PTE_P) || !(pte & PTE_U) || (write && !(pte & PTE_W)))
            return false;
    }
    return true;
}

/* Copy a NUL-terminated user string of at most size-1 characters; false if unmapped or too long. */
static bool user_string(char *dst, u32 va, u32 size)
{
    for (u32 i = 0; i < size; i++) {
        if (!user_range_ok(va + i, 1, false))
            return false;
        dst[i] = *(const char *)(va + i);
        if (!dst[i])
            return true;
    }
    return false;
}

static i32 sys_sbrk(i32 incr)
{
    struct proc *p = current;
    u32 old = p->brk, new = p->brk + (u32)incr;
    u32 limit = USER_TOP - (USER_STACK_PAGES + 1) * PAGE_SIZE; /* keep an unmapped guard page above */
    if ((incr > 0 && (new < old || new > limit)) || (incr < 0 && (new > old || new < p->brk_base)))
        return -1;
    u32 old_top = (old + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1), new_top = (new + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
    for (u32 va = old_top; va < new_top; va += PAGE_SIZE) {
        u32 frame = frame_alloc();
        if (!frame || !as_map(p->pd, va, frame, PTE_U | PTE_W)) {
            if (frame)
                frame_free(frame);
            for (u32 undo = old_top; undo < va; undo += PAGE_SIZE)
                frame_free(as_unmap(p->pd, undo));
            return -1;
        }
    }
    for (u32 va = new_top; va < old_top; va += PAGE_SIZE) /* shrinking: unmap (with INVLPG) and free */
        frame_free(as_unmap(p->pd, va));
    p->brk = new;
    return (i32)old;
}

static i32 sys_procinfo(u32 slot, u32 uinfo)
{
    if (slot >= MAX_PROCS)
        return -2;
    if (!user_range_ok(uinfo, sizeof(struct procinfo), true))
        return -3;
    const struct proc *p = &procs[slot];
    if (p->state == P_FREE)
        return -1;
    struct procinfo *info = (struct procinfo *)uinfo;
    info->pid = p->pid;
    info->ppid = p->ppid;
    info->ticks = p->ticks;
    info->preempts = p->preempts;
    info->sc_int80 = p->sc_int80;
    info->sc_sysenter = p->sc_sysenter;
    info->pages = slot == 0 ? 0 : as_count_pages(p->pd);
    strlcpy(info->state, proc_state_name(p), sizeof(info->state));
    strlcpy(info->name, p->name, sizeof(info->name));
    return 0;
}

void syscall_dispatch(struct trapframe *tf)
{
    if (tf->vector == SYSENTER_VECTOR)
        current->sc_sysenter++;
    else
        current->sc_int80++;
    u32 a1 = tf->ebx, a2 = tf->esi;
    i32 ret = -1;
    switch (tf->eax) {
    case SYS_EXIT:
        proc_exit((i32)(a1 & 0xFF));
    case SYS_WRITE:
        if (user_range_ok(a1, a2, false)) {
            console_write((const char *)a1, a2);
            ret = (i32)a2;
        }
        break;
    case SYS_READ:
        if (user_range_ok(a1, a2, true))
            ret = console_read((char *)a1, a2);
        break;
    case SYS_SPAWN: {
        char name[16], arg[128];
        if (user_string(name, a1, sizeof(name)) && (a2 == 0 || user_string(arg, a2, sizeof(arg))))
            ret = proc_spawn(name, a2 ? arg : "", current->pid);
        break;
    }
    case SYS_WAIT: {
        i32 status = 0;
        if (a2 && !user_range_ok(a2, 4, true))
            break;
        ret = proc_wait((i32)a1, &status);
        if (ret > 0 && a2 && user_range_ok(a2, 4, true))
            *(i32 *)a2 = status;
        break;
    }
    case SYS_SLEEP:
        proc_sleep(a1);
        ret = 0;
        break;
    case SYS_TICKS:
        ret = (i32)ticks;
        break;
    case SYS_PROCINFO:
        ret = sys_procinfo(a1, a2);
        break;
    case SYS_SBRK:
        ret = sys_sbrk((i32)a1);
        break;
    case SYS_POWEROFF:
        kprintf("[kernel] power off requested by pid %d (%s), status %u\n", current->pid, current->name, a1);
        console_flush(true); /* sleep while the console drains, then poll out the last bytes */
        poweroff(a1);
    case SYS_GETPID:
        ret = current->pid;
        break;
    case SYS_SYSINFO:
        if (user_range_ok(a1, sizeof(struct sysinfo), true)) {
            struct sysinfo *si = (struct sysinfo *)a1;
            si->ticks = ticks;
            si->hz = HZ;
            si->free_kib = mm_free_kib();
            si->total_kib = mm_total_kib();
            si->sysenter = cpu_features.sep;
            ret = 0;
        }
        break;
    case SYS_PANIC:
        /* Demonstrates the kernel-fault path: a ring-0 read of the unmapped page 0. */
        kprintf("[kernel] pid %d asked for a kernel fault\n", current->pid);
        ret = (i32) * (volatile u32 *)0;
        break;
    }
    tf->eax = (u32)ret;
}
