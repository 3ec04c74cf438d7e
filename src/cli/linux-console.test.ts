// `trapeze run linux` as a user drives it (issue 10): the Debian guest's busybox shell on COM1, fed by
// piped standard input or typed on a terminal. Each test boots the guest through the real command
// (bin/trapeze.mjs) and asserts on what the guest prints:
//   - piped input reaches the shell whole (none lost while the kernel's serial driver starts: uart16550.ts
//     holdInput), a line at a time after each prompt (paceLines), the commands' output; the Ctrl-D that
//     follows the input ends the shell and /init powers off (status 0); two runs with the same input give
//     the same bytes and instruction count;
//   - under a pseudo-terminal (util-linux `script`; Node has no pty of its own): a prompt, line editing
//     (backspace), Ctrl-C interrupting the foreground job in the guest, C-a x stopping a guest stuck in a
//     loop with status 0 and the terminal's mode restored;
//   - --max-insns stops the guest with status 124 (`reboot -f` → 6 is run-command.test.ts's, through the
//     same i8042 reset command 0xFE that Linux uses).
// A boot to the shell is ~370 M guest instructions (15-30 s at the interpreter's usual speed, much more on
// a loaded machine): hence few boots, run side by side where possible, and generous timeouts.
// Skipped when .cache/linux does not hold the guest (npm run fetch:linux).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { INIT_MARKER } from '../loaders/linux-initramfs.ts';
import { LINUX_CACHE_DIR } from './linux-files.ts';

const BIN = join(import.meta.dirname, '../../bin/trapeze.mjs');
const have = existsSync(join(LINUX_CACHE_DIR, 'bzImage')) && existsSync(join(LINUX_CACHE_DIR, 'busybox'));
const skipNoGuest = !have && '.cache/linux absent (npm run fetch:linux)';
const haveScript = spawnSync('script', ['--version'], { encoding: 'utf8' }).stdout?.includes('util-linux') ?? false;

/** Host time allowed for one test (a loaded, shared machine runs the guest at a few M instructions/s). */
const TEST_TIMEOUT = 40 * 60_000;
/** The busybox shell's prompt in /root (PS1 from the initramfs's /etc/profile). */
const PROMPT = '~ # ';

interface Finished { status: number | null; signal: string | null; stdout: string; stderr: string }

/** Run `trapeze` with the given piped standard input; resolves when it exits. Output as Latin-1 text. */
function trapeze(args: string[], input: string): Promise<Finished> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [], err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', reject);
    child.on('close', (status, signal) => resolve({
      status, signal, stdout: Buffer.concat(out).toString('latin1'), stderr: Buffer.concat(err).toString('latin1'),
    }));
    child.stdin.end(input);
  });
}

/**
 * The guest's console as lines (the tty sends CR LF), without the cursor-position query (ESC [ 6 n) that
 * busybox's line editor sends before a prompt when no input is pending.
 */
const lines = (s: string) => s.replace(/\x1b\[6n/g, '').split('\r\n');

const instructions = (stderr: string) => /instructions +([\d,]+)/.exec(stderr)?.[1];

test('piped input: every line runs after its prompt, end of input powers off (0), two runs give the same bytes and instruction count', { skip: skipNoGuest, timeout: TEST_TIMEOUT }, async () => {
  // The whole input is queued at time 0, long before the kernel opens its console: none of it may be lost,
  // not even beyond the 4 KiB a tty buffers (500 numbered lines).
  const many = Array.from({ length: 500 }, (_, k) => `echo L${k + 1}\n`).join('');
  const input = `echo hello\nuname -m\necho $((6 * 7)) >/tmp/x; cat /tmp/x\n${many}`;
  assert.ok(input.length > 4096, `${input.length} bytes`);
  const [a, b] = await Promise.all([1, 2].map(() => trapeze(['run', 'linux', '--stats'], input)));
  for (const r of [a, b]) {
    assert.equal(r.status, 0, `status ${r.status}; console tail:\n${r.stdout.slice(-1500)}\nstderr:\n${r.stderr}`);
    assert.match(r.stderr, /^trapeze: guest halted with interrupts disabled \(powered off\)\n/m);
  }
  const out = lines(a.stdout);
  // The transcript of a typed session: the marker line whole, each command once, after its prompt, and its
  // output on the next line (the tty never echoes a line ahead of the shell).
  assert.ok(out.includes(INIT_MARKER), a.stdout.slice(-1500));
  const commands = ['echo hello', 'uname -m', 'echo $((6 * 7)) >/tmp/x; cat /tmp/x', ...many.trimEnd().split('\n')];
  const results = ['hello', 'i686', '42', ...many.trimEnd().split('\n').map((c) => c.slice(5))];
  const typed = out.filter((l) => l.startsWith(PROMPT) && l !== PROMPT);
  assert.deepEqual(typed, commands.map((c) => PROMPT + c));
  for (const [k, cmd] of commands.entries()) {
    const at = out.indexOf(PROMPT + cmd);
    assert.equal(out[at + 1], results[k], cmd);
  }
  assert.equal(out.filter((l) => /^echo L\d+$/.test(l)).length, 0, 'no line echoed ahead of its prompt');
  // Then Ctrl-D at the last prompt: the shell exits and /init runs poweroff -f.
  assert.deepEqual(out.slice(-4, -2), ['L500', PROMPT]);
  assert.match(out.at(-2)!, /^\[ *\d+\.\d+\] reboot: System halted$/);
  assert.equal(out.at(-1), '');
  // Determinism: piped input is part of the inputs.
  assert.equal(b.stdout, a.stdout);
  assert.ok(instructions(a.stderr), a.stderr);
  assert.equal(instructions(b.stderr), instructions(a.stderr));
});

test('--max-insns stops the guest with status 124, its console output so far flushed', { skip: skipNoGuest, timeout: TEST_TIMEOUT }, async () => {
  // The instruction budget is checked by the run loop whatever the guest does (the terminal test stops a
  // guest spinning in its shell with C-a x); 100 M instructions is the middle of the kernel's boot, after
  // its first console lines (the whole boot to the prompt is ~370 M).
  const r = await trapeze(['run', 'linux', '--max-insns', '100M'], 'echo never\n');
  assert.equal(r.status, 124, `status ${r.status}; console tail:\n${r.stdout.slice(-1500)}\nstderr:\n${r.stderr}`);
  assert.match(r.stderr, /^trapeze: stopped after 100,000,000 instructions \(--max-insns\) at 0060:c[0-9a-f]{7}\n/m);
  assert.match(r.stdout, /^\[    0\.000000\] /, 'the kernel had printed its first lines');
  assert.ok(!r.stdout.includes(INIT_MARKER));
});

/**
 * `trapeze run linux` on a pseudo-terminal made by util-linux `script`, followed by `stty -a` on the same
 * terminal (to see the mode trapeze left it in). Bytes written go to the terminal as typed keys.
 * `screen` is the output as a reader sees it: without busybox's cursor-position query (ESC [ 6 n, sent
 * before each prompt when no input is pending; a terminal's answer is optional) and with the host tty's
 * line ends as LF (Node's raw mode keeps ONLCR, so the guest's CR LF arrives as CR CR LF).
 */
class PtySession {
  private readonly child;
  private output = '';
  get screen(): string { return this.output.replace(/\x1b\[6n/g, '').replace(/\r*\n/g, '\n'); }
  exit: Promise<number | null>;
  private waiters: (() => void)[] = [];

  constructor() {
    const cmd = `'${process.execPath}' '${BIN}' run linux; echo "trapeze-status=$?"; stty -a`;
    this.child = spawn('script', ['-qfec', cmd, '/dev/null'], {
      stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, SHELL: '/bin/sh', TERM: 'vt100' },
    });
    const onData = (b: Buffer) => { this.output += b.toString('latin1'); for (const w of this.waiters.splice(0)) w(); };
    this.child.stdout.on('data', onData);
    this.child.stderr.on('data', onData);
    this.exit = new Promise((res) => this.child.on('close', (status) => { for (const w of this.waiters.splice(0)) w(); res(status); }));
  }

  type(keys: string): void { this.child.stdin.write(Buffer.from(keys, 'latin1')); }

  /** Wait until `pred(output)` holds; fails after `ms` of host time with the output's tail. */
  async until(what: string, pred: (out: string) => boolean, ms: number): Promise<void> {
    const deadline = Date.now() + ms;
    while (!pred(this.screen)) {
      const left = deadline - Date.now();
      if (left <= 0 || this.child.exitCode !== null) {
        throw new Error(`waiting for ${what}: ${left <= 0 ? 'timed out' : 'script exited'}; output tail:\n${JSON.stringify(this.output.slice(-1500))}`);
      }
      await new Promise<void>((res) => { const t = setTimeout(res, Math.min(left, 1000)); this.waiters.push(() => { clearTimeout(t); res(); }); });
    }
  }

  /** Number of prompts printed so far. */
  prompts(): number { return this.screen.split(PROMPT).length - 1; }

  kill(): void { if (this.child.exitCode === null) this.child.kill('SIGKILL'); }
}

test('a terminal: prompt, backspace, Ctrl-C reaches the guest\'s foreground job, C-a x quits a spinning guest and restores the terminal', {
  skip: skipNoGuest || (!haveScript && 'util-linux script(1) not installed'), timeout: TEST_TIMEOUT,
}, async (t) => {
  const s = new PtySession();
  try {
    await s.until('the shell prompt', (o) => o.includes('interactive shell') && o.endsWith(PROMPT), TEST_TIMEOUT - 5 * 60_000);

    // Line editing: a wrong key rubbed out with DEL (what a terminal's Backspace sends in raw mode).
    s.type('echo abcX\x7fd\r');
    await s.until('the edited command\'s output', (o) => /\nabcd\n~ # $/.test(o), 120_000);

    // Ctrl-C: with the terminal in raw mode 0x03 is a byte for the guest; its tty turns it into SIGINT
    // for the shell's foreground job. `sleep 600` would otherwise hold the prompt for 10 minutes.
    let n = s.prompts();
    s.type('sleep 600\r');
    await s.until('the echo of sleep 600', (o) => o.endsWith(PROMPT + 'sleep 600\n'), 120_000);
    await new Promise((res) => setTimeout(res, 3000));
    assert.equal(s.prompts(), n, 'sleep is still running: no new prompt');
    const sent = Date.now();
    s.type('\x03');
    // Well before the 600 s of sleep (virtual time follows the host's on a terminal).
    await s.until('the prompt after Ctrl-C', (o) => o.split(PROMPT).length - 1 > n && o.endsWith(PROMPT), 60_000);
    t.diagnostic(`prompt back ${((Date.now() - sent) / 1000).toFixed(1)} s after Ctrl-C`);
    s.type('echo status=$?\r');
    await s.until('the interrupted job\'s status', (o) => /\nstatus=\d+\n~ # $/.test(o), 120_000);
    assert.match(s.screen, /\nstatus=130\n~ # $/, 'sleep ended by SIGINT (128 + 2)');

    // A guest busy forever: the escape key still stops the emulator.
    n = s.prompts();
    s.type('while :; do :; done\r');
    await s.until('the echo of the loop', (o) => o.endsWith(PROMPT + 'while :; do :; done\n'), 120_000);
    await new Promise((res) => setTimeout(res, 2000));
    assert.equal(s.prompts(), n, 'the loop is running');
    s.type('\x01x');
    const status = await Promise.race([s.exit, new Promise<'timeout'>((res) => setTimeout(() => res('timeout'), 120_000))]);
    assert.notEqual(status, 'timeout', `script did not exit after C-a x; output tail:\n${JSON.stringify(s.screen.slice(-1500))}`);
    const tail = s.screen.slice(s.screen.lastIndexOf('while :; do :; done'));
    assert.match(tail, /\ntrapeze: quit \(C-a x\)\n/);
    assert.match(tail, /\ntrapeze-status=0\n/);
    // stty -a after trapeze exited: the terminal is back in its cooked mode (raw mode clears these).
    const stty = tail.slice(tail.indexOf('trapeze-status=0'));
    for (const flag of ['icanon', 'isig', 'echo', 'icrnl', 'opost']) {
      assert.match(stty, new RegExp(`(^|[\\s;])${flag}(?=[\\s;]|$)`, 'm'), `${flag} is set again:\n${stty}`);
    }
  } finally {
    s.kill();
  }
});
