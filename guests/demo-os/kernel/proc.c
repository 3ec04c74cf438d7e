/* Processes and the scheduler.
 *
 * Each process has its own page directory, its own kernel stack and a slot in procs[]. Slot 0 is the idle
 * process: the boot stack running proc_idle_loop, in the kernel's own address space. The kernel is not
 * preemptible (it runs with interrupts disabled; only the idle loop enables them, around HLT), so a
 * process leaves the CPU only at well-defined points: when it blocks in a system call, when it exits, or
 * when the timer interrupts it in ring 3. Switching is a change of kernel stack (switch_stacks) plus CR3.
 * The policy is round robin with a time slice of one timer tick. */
#include "kernel.h"
#include "elf.h"

struct proc procs[MAX_PROCS];
struct proc *current = &procs[0];
static u8 kstacks[MAX_PROCS][KSTACK_SIZE] __attribute__((aligned(16)));
static i32 next_pid = 1;
static i32 shell_pid;

/* The programs embedded in the kernel image (programs.asm). */
extern const u8 prog_shell[], prog_shell_end[], prog_sieve[], prog_sieve_end[];
extern const u8 prog_clock[], prog_clock_end[], prog_crash[], prog_crash_end[];
static const struct program {
    const char *name;
    const u8 *start, *end;
    bool sysenter; /* which system-call door its runtime uses (when the CPU has SYSENTER) */
    bool io_cmos;  /* may use ports 0x70-0x71 directly (TSS I/O permission bitmap) */
} programs[] = {
    { "shell", prog_shell, prog_shell_end, true, false },
    { "sieve", prog_sieve, prog_sieve_end, true, false },
    { "clock", prog_clock, prog_clock_end, false, true },
    { "crash", prog_crash, prog_crash_end, false, false },
};

static u32 kstack_top(const struct proc *p) { return (u32)kstacks[p - procs] + KSTACK_SIZE; }

void proc_init(void)
{
    struct proc *idle = &procs[0];
    idle->pid = 0;
    idle->ppid = -1;
    idle->state = P_READY;
    strlcpy(idle->name, "idle", sizeof(idle->name));
    idle->pd = mm_kernel_pd();
}

const char *proc_state_name(const struct proc *p)
{
    if (p == current)
        return "running";
    switch (p->state) {
    case P_READY: return "ready";
    case P_SLEEPING: return "sleeping";
    case P_WAITING: return "waiting";
    case P_READING: return "reading";
    case P_WRITING: return "writing";
    case P_ZOMBIE: return "zombie";
    default: return "free";
    }
}

/* ---- switching ---- */

static void switch_to(struct proc *next)
{
    struct proc *prev = current;
    if (next == prev)
        return;
    current = next;
    if (next != &procs[0]) {
        tss_set_kernel_stack(kstack_top(next));
        tss_allow_cmos_ports(next->io_cmos);
    }
    if (read_cr3() != next->pd)
        write_cr3(next->pd); /* flushes the non-global TLB entries: the user half changes meaning */
    switch_stacks(&prev->kesp, next->kesp);
}

/* Round robin: the next ready process after the current one; the idle process only when nobody is. */
static struct proc *pick_next(void)
{
    u32 start = (u32)(current - procs);
    for (u32 k = 1; k <= MAX_PROCS; k++) {
        struct proc *p = &procs[(start + k) % MAX_PROCS];
        if (p != &procs[0] && p->state == P_READY)
            return p;
    }
    return &procs[0];
}

void proc_block(enum proc_state why)
{
    current->state = why;
    switch_to(pick_next());
}

void proc_timer_tick(bool from_user)
{
    current->ticks++;
    proc_wake_sleepers();
    if (!from_user) /* the kernel itself is never preempted; the idle loop picks up woken processes */
        return;
    struct proc *next = pick_next();
    if (next != current) {
        current->preempts++;
        switch_to(next);
    }
}

void proc_wake_sleepers(void)
{
    for (int i = 1; i < MAX_PROCS; i++)
        if (procs[i].state == P_SLEEPING && (i32)(ticks - procs[i].wake_tick) >= 0)
            procs[i].state = P_READY;
}

void proc_wake_readers(void)
{
    for (int i = 1; i < MAX_PROCS; i++)
        if (procs[i].state == P_READING)
            procs[i].state = P_READY;
}

void proc_wake_writers(void)
{
    for (int i = 1; i < MAX_PROCS; i++)
        if (procs[i].state == P_WRITING)
            procs[i].state = P_READY;
}

void proc_sleep(u32 nticks)
{
    current->wake_tick = ticks + nticks;
    if (nticks)
        proc_block(P_SLEEPING);
}

/* ---- life and death ---- */

static struct proc *find_pid(i32 pid)
{
    for (int i = 1; i < MAX_PROCS; i++)
        if (procs[i].state != P_FREE && procs[i].pid == pid)
            return &procs[i];
    return NULL;
}

static void proc_free(struct proc *p)
{
    as_destroy(p->pd);
    p->state = P_FREE;
}

i32 proc_spawn(const char *name, const char *arg, i32 ppid)
{
    const struct program *prog = NULL;
    for (u32 i = 0; i < ARRAY_SIZE(programs); i++)
        if (strcmp(programs[i].name, name) == 0)
            prog = &programs[i];
    if (!prog)
        return -1;
    struct proc *p = NULL;
    for (int i = 1; i < MAX_PROCS && !p; i++)
        if (procs[i].state == P_FREE)
            p = &procs[i];
    if (!p)
        return -2;

    u32 pd = as_create();
    if (!pd)
        return -3;
    u32 entry, image_end;
    const char *err = elf_load(pd, prog->start, (u32)(prog->end - prog->start), &entry, &image_end);
    /* The user stack: the top pages of user space. The argument string goes at its very top; below it
     * the two words crt0.asm expects: the argument pointer and the system-call door to use. */
    u32 stack_lo = USER_TOP - USER_STACK_PAGES * PAGE_SIZE;
    for (u32 va = stack_lo; !err && va < USER_TOP; va += PAGE_SIZE) {
        u32 frame = frame_alloc();
        if (!frame || !as_map(pd, va, frame, PTE_U | PTE_W)) {
            if (frame)
                frame_free(frame);
            err = "out of memory";
        }
    }
    if (err) {
        as_destroy(pd);
        return strcmp(err, "out of memory") == 0 ? -3 : -4;
    }
    char argbuf[128];
    strlcpy(argbuf, arg ? arg : "", sizeof(argbuf));
    u32 arg_va = USER_TOP - sizeof(argbuf);
    copy_string_to_space(pd, arg_va, argbuf);
    u32 user_esp = arg_va - 8;
    bool sysenter = prog->sysenter && cpu_features.sep;
    u32 *words = (u32 *)((as_lookup(pd, user_esp) & ~0xFFFu) + (user_esp & 0xFFFu));
    words[0] = arg_va;
    words[1] = sysenter ? 1 : 0;

    /* The first kernel stack: a trap frame that "returns" to ring 3 at the entry point with interrupts
     * enabled, and under it what switch_stacks pops (four registers and a return address to trap_return). */
    u32 *sp = (u32 *)kstack_top(p);
    *--sp = USER_DS;  /* ss */
    *--sp = user_esp; /* esp */
    *--sp = 0x202;    /* eflags: IF=1, IOPL 0 */
    *--sp = USER_CS;  /* cs */
    *--sp = entry;    /* eip */
    *--sp = 0;        /* error code */
    *--sp = 0;        /* vector: anything but SYSENTER_VECTOR, so trap_return uses IRET */
    for (int r = 0; r < 8; r++)
        *--sp = 0;    /* eax..edi (PUSHAD image) */
    for (int s = 0; s < 4; s++)
        *--sp = USER_DS; /* ds, es, fs, gs */
    *--sp = (u32)trap_return;
    for (int r = 0; r < 4; r++)
        *--sp = 0;    /* ebp, ebx, esi, edi */

    memset(p, 0, sizeof(*p));
    p->pid = next_pid++;
    p->ppid = ppid;
    strlcpy(p->name, prog->name, sizeof(p->name));
    p->pd = pd;
    p->kesp = (u32)sp;
    p->brk_base = p->brk = (image_end + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
    p->use_sysenter = sysenter;
    p->io_cmos = prog->io_cmos;
    p->state = P_READY;
    if (strcmp(name, "shell") == 0 && ppid == 0)
        shell_pid = p->pid;
    return p->pid;
}

void proc_exit(i32 status)
{
    struct proc *p = current;
    p->exit_status = status;
    p->state = P_ZOMBIE;
    for (int i = 1; i < MAX_PROCS; i++) /* orphans are reaped by the idle loop */
        if (procs[i].state != P_FREE && procs[i].ppid == p->pid)
            procs[i].ppid = 0;
    struct proc *parent = find_pid(p->ppid);
    if (parent && parent->state == P_WAITING && (parent->wait_pid == -1 || parent->wait_pid == p->pid))
        parent->state = P_READY;
    if (p->pid == shell_pid) {
        if (autorun) {
            kprintf("[kernel] the shell ended with status %d during autorun\n", status);
            poweroff(POWEROFF_FAIL);
        }
        kprintf("[kernel] the shell ended with status %d; starting a new one\n", status);
        proc_spawn("shell", "", 0);
    }
    switch_to(pick_next()); /* a zombie is never picked again */
    panic("a zombie was scheduled", NULL);
}

i32 proc_wait(i32 pid, i32 *status)
{
    for (;;) {
        bool any = false;
        for (int i = 1; i < MAX_PROCS; i++) {
            struct proc *c = &procs[i];
            if (c->state == P_FREE || c->ppid != current->pid || (pid != -1 && c->pid != pid))
                continue;
            any = true;
            if (c->state == P_ZOMBIE) {
                *status = c->exit_status;
                proc_free(c);
                return c->pid;
            }
        }
        if (!any)
            return -1;
        current->wait_pid = pid;
        proc_block(P_WAITING);
    }
}

/* The idle process: reap orphans, run whoever is ready, otherwise halt until the next interrupt (on an
 * emulator with virtual time, halting is what lets time jump ahead to the next timer event). */
void proc_idle_loop(void)
{
    for (;;) {
        for (int i = 1; i < MAX_PROCS; i++)
            if (procs[i].state == P_ZOMBIE && procs[i].ppid == 0)
                proc_free(&procs[i]);
        struct proc *next = pick_next();
        if (next != current) {
            switch_to(next);
        } else {
            sti_hlt();
            cli();
        }
    }
}
