/* The shell: a command loop over the serial console. Each command that does real work runs as a separate
 * ring-3 process (spawn + wait); the shell itself only parses, starts and reports.
 * With the argument "autorun" (the kernel passes it when the Multiboot command line says autorun) it
 * types a fixed script to itself instead of reading the console, then powers the machine off. */
#include "ulib.h"
#include "../../lib/format.h"

static const char *const autorun_script[] = {
    "help",
    "echo hello from ring 3",
    "sieve 1000",
    "clock",
    "run",
    "crash",
    "ps",
    "poweroff",
};

static void cmd_help(void)
{
    puts("commands:\n"
         "  help               this list\n"
         "  echo TEXT          print TEXT\n"
         "  ps                 list the processes\n"
         "  sieve [N]          count the primes up to N (default 100000), in a new process\n"
         "  clock [N [T]]      read the CMOS clock N times, T timer ticks apart, in a new process\n"
         "  run                sieve and clock at the same time: the timer preempts one for the other\n"
         "  crash [KIND]       a process that faults (pf, null, wp, gp, io, ud, de, tf); the kernel kills it\n"
         "  panic              make the kernel itself fault: register dump, exit status 2\n"
         "  poweroff [STATUS]  leave through the debug-exit port (default status 0)");
}

/* The process list goes out in a single write(): the kernel copies it to the console in one go, so the
 * output of processes running at the same time cannot land in the middle of the table. */
static void cmd_ps(void)
{
    static char out[2048];
    u32 len = 0;
    struct procinfo pi;
    len += (u32)snformat(out + len, sizeof(out) - len, "  PID PPID STATE     TICKS PREEMPT  INT80 SYSENTER PAGES NAME\n");
    for (u32 slot = 0; len < sizeof(out); slot++) {
        i32 r = procinfo(slot, &pi);
        if (r == -2)
            break;
        if (r != 0)
            continue;
        char ppid[8] = "-";
        if (pi.ppid >= 0)
            snformat(ppid, sizeof(ppid), "%d", pi.ppid);
        len += (u32)snformat(out + len, sizeof(out) - len, "%5d %4s %-9s %5u %7u %6u %8u %5u %s\n", pi.pid, ppid,
                             pi.state, pi.ticks, pi.preempts, pi.sc_int80, pi.sc_sysenter, pi.pages, pi.name);
    }
    struct sysinfo si;
    if (len < sizeof(out) && sysinfo(&si) == 0)
        len += (u32)snformat(out + len, sizeof(out) - len,
                             "memory: %u KiB free of %u KiB; uptime %u.%02u s; the shell calls the kernel with %s\n",
                             si.free_kib, si.total_kib, si.ticks / si.hz, (si.ticks % si.hz) * 100 / si.hz,
                             syscall_door_name());
    write(out, len < sizeof(out) ? len : sizeof(out) - 1);
}

static void report(i32 pid, i32 status)
{
    if (status >= EXIT_KILLED)
        printf("[pid %d killed by exception %d]\n", pid, status - EXIT_KILLED);
    else if (status != 0)
        printf("[pid %d exited with status %d]\n", pid, status);
}

static const char *spawn_error(i32 err)
{
    switch (err) {
    case -1: return "no such program";
    case -2: return "process table full";
    case -3: return "out of memory";
    default: return "bad program image";
    }
}

/* Start a program and wait for it: the foreground job. */
static void run_program(const char *name, const char *arg)
{
    i32 pid = spawn(name, arg);
    if (pid < 0) {
        printf("%s: %s\n", name, spawn_error(pid));
        return;
    }
    i32 status = 0;
    if (wait(pid, &status) == pid)
        report(pid, status);
}

/* Two processes at once: sieve is pure computation and never gives up the CPU on its own; clock sleeps
 * between readings. The clock's lines appear while the sieve is still running only because the timer
 * interrupt preempts the sieve. ps in the middle shows both alive. */
static void cmd_run(void)
{
    i32 s = spawn("sieve", "3000000"); /* about 3 timer ticks of computation */
    i32 c = spawn("clock", "3 1");     /* three readings, one tick apart */
    if (s < 0 || c < 0) {
        printf("run: %s\n", spawn_error(s < 0 ? s : c));
        return;
    }
    printf("run: sieve is pid %d, clock is pid %d\n", s, c);
    sleep(1);
    cmd_ps();
    for (int k = 0; k < 2; k++) {
        i32 status = 0;
        i32 pid = wait(-1, &status);
        if (pid > 0) {
            printf("run: pid %d (%s) finished\n", pid, pid == s ? "sieve" : pid == c ? "clock" : "?");
            report(pid, status);
        }
    }
}

static void execute(char *line)
{
    while (*line == ' ')
        line++;
    char *arg = line;
    while (*arg && *arg != ' ')
        arg++;
    if (*arg)
        *arg++ = 0;
    while (*arg == ' ')
        arg++;

    if (!*line)
        return;
    if (strcmp(line, "help") == 0)
        cmd_help();
    else if (strcmp(line, "echo") == 0)
        puts(arg);
    else if (strcmp(line, "ps") == 0)
        cmd_ps();
    else if (strcmp(line, "sieve") == 0 || strcmp(line, "clock") == 0 || strcmp(line, "crash") == 0)
        run_program(line, arg);
    else if (strcmp(line, "run") == 0)
        cmd_run();
    else if (strcmp(line, "panic") == 0)
        syscall(SYS_PANIC, 0, 0, 0);
    else if (strcmp(line, "poweroff") == 0)
        poweroff(parse_u32(arg, NULL));
    else
        printf("%s: unknown command (try help)\n", line);
}

/* ---- console input with a little line editing ---- */

static char inbuf[64];
static u32 inpos, inlen;

static char getc(void)
{
    while (inpos == inlen) {
        i32 n = read(inbuf, sizeof(inbuf));
        inpos = 0;
        inlen = n > 0 ? (u32)n : 0;
    }
    return inbuf[inpos++];
}

static void read_line(char *buf, u32 size)
{
    static bool last_cr;
    u32 n = 0;
    for (;;) {
        char c = getc();
        if (c == '\n' && last_cr) { /* CR LF counts as one Enter */
            last_cr = false;
            continue;
        }
        last_cr = c == '\r';
        if (c == '\r' || c == '\n') {
            write("\n", 1);
            buf[n] = 0;
            return;
        }
        if (c == 0x7F || c == 0x08) { /* DEL or backspace */
            if (n) {
                n--;
                write("\b \b", 3);
            }
        } else if (c == 0x03) { /* ^C: drop the line */
            write("^C\n", 3);
            buf[0] = 0;
            return;
        } else if (c >= 0x20 && c < 0x7F && n + 1 < size) {
            buf[n++] = c;
            write(&c, 1);
        }
    }
}

int main(const char *arg)
{
    char line[128];
    if (strcmp(arg, "autorun") == 0) {
        printf("shell: pid %d, autorun script of %u commands\n", getpid(), (u32)ARRAY_SIZE(autorun_script));
        for (u32 i = 0; i < ARRAY_SIZE(autorun_script); i++) {
            printf("$ %s\n", autorun_script[i]);
            strlcpy(line, autorun_script[i], sizeof(line));
            execute(line);
        }
        return 1; /* poweroff did not happen */
    }
    puts("\nWelcome to the Trapeze demo OS. Type help for the commands.");
    for (;;) {
        write("$ ", 2);
        read_line(line, sizeof(line));
        execute(line);
    }
}
