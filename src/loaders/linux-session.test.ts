// Issue 10's differential test: guests/linux/session.sh run natively with Debian's i386 busybox (this host
// runs 32-bit binaries) and in the guest must print the same bytes, except the "== machine: ... =="
// sections. The guest is `trapeze run linux --append trapeze.mode=script`; with TRAPEZE_SESSION_PEER=qemu
// it is QEMU TCG on the same kernel and initramfs instead (a check of this test and of the script itself,
// independent of our emulator). The comparison is src/loaders/linux-session.ts.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, openSync, closeSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describePartial, dropMachineSections, extractPartialSession, extractSession, firstDifference, normalizeLineEnds, sectionNames } from './linux-session.ts';
import { SESSION_BEGIN_MARKER, SESSION_DONE_MARKER, INIT_MARKER } from './linux-initramfs.ts';

const root = join(import.meta.dirname, '../..');
const cacheDir = join(root, '.cache/linux');
const busybox = join(cacheDir, 'busybox');
const sessionSh = join(root, 'guests/linux/session.sh');
const haveLinux = existsSync(busybox) && existsSync(join(cacheDir, 'bzImage'));
const skipLinux = !haveLinux && '.cache/linux absent (npm run fetch:linux)';
const peer = process.env.TRAPEZE_SESSION_PEER === 'qemu' ? 'qemu' : 'trapeze';

/** The kernel command line of both guests (notes/linux-guest.md: the fast one) plus script mode. */
const APPEND = 'trapeze.mode=script';
/**
 * QEMU TCG runs the session in about 4 s of guest time; our emulator gets far more, but not forever
 * (TRAPEZE_SESSION_TIMEOUT=seconds overrides the 15 minutes).
 */
const GUEST_TIMEOUT_MS = Number(process.env.TRAPEZE_SESSION_TIMEOUT ?? 900) * 1000;
const QEMU_CMDLINE = `console=ttyS0 nokaslr cryptomgr.notests noisapnp pci=off 8250.nr_uarts=1 quiet acpi=off ${APPEND}`;

// ---- the comparison module, on made-up console output (always runs) ----

const consoleText = [
  '[    0.000000] Linux version 6.1.0', INIT_MARKER, SESSION_BEGIN_MARKER,
  '== machine: uname ==', 'Linux (none) 6.1.0-50-686 i686', '== machine: cpuinfo ==', 'processor\t: 0', 'flags\t\t: fpu',
  '== hashes ==', 'd41d8cd98f00b204e9800998ecf8427e  empty.txt', '== end ==', SESSION_DONE_MARKER, '[   17.3] reboot: Power down', '',
].join('\r\n');

test('extractSession: the lines between the markers, CR LF turned to LF', () => {
  assert.equal(extractSession(consoleText),
    '== machine: uname ==\nLinux (none) 6.1.0-50-686 i686\n== machine: cpuinfo ==\nprocessor\t: 0\nflags\t\t: fpu\n'
    + '== hashes ==\nd41d8cd98f00b204e9800998ecf8427e  empty.txt\n== end ==\n');
  assert.throws(() => extractSession('no markers\r\n'), /no "trapeze-init: session begin" line in the console output \(2 lines\)/);
  assert.throws(() => extractSession(`${SESSION_BEGIN_MARKER}\r\nhalf\r\n`), /session began but no "trapeze-init: session done" line followed/);
  assert.equal(normalizeLineEnds('a\r\r\nb\r\nc\rd\n'), 'a\nb\nc\rd\n');
});

test('dropMachineSections: each "== machine: ... ==" section up to the next header goes; the rest stays', () => {
  const s = extractSession(consoleText);
  assert.equal(dropMachineSections(s), '== hashes ==\nd41d8cd98f00b204e9800998ecf8427e  empty.txt\n== end ==\n');
  assert.deepEqual(sectionNames(s), ['machine: uname', 'machine: cpuinfo', 'hashes', 'end']);
  // A line that only looks like a header inside a section is data.
  assert.equal(dropMachineSections('== a ==\n== x\n== machine: m ==\nq\n== b ==\n'), '== a ==\n== x\n== b ==\n');
});

test('extractPartialSession and describePartial: how far a session cut short got', () => {
  const cut = `${INIT_MARKER}\r\n${SESSION_BEGIN_MARKER}\r\n== a ==\r\n1\r\n== b ==\r\n2\r\n3`;
  assert.equal(extractPartialSession('nothing\r\n'), undefined);
  assert.equal(extractPartialSession(cut), '== a ==\n1\n== b ==\n2\n');
  assert.equal(describePartial('== a ==\n1\n== b ==\n2\n3\n4\n', extractPartialSession(cut)!),
    'guest\'s 4 lines match native\'s; it stopped in section == b ==, before "3"');
  assert.equal(describePartial('== a ==\n1\n== b ==\n9\n', extractPartialSession(cut)!, ['n', 'q']),
    'q differs from n at line 4, in section == b ==: "9" vs "2"');
});

test('firstDifference: names the section and both lines', () => {
  assert.equal(firstDifference('== a ==\n1\n', '== a ==\n1\n'), undefined);
  assert.equal(firstDifference('== a ==\n1\n== b ==\n2\n3\n', '== a ==\n1\n== b ==\n2\n4\n'),
    'first difference at line 5, in section == b ==:\n  native: "3"\n  guest: "4"');
  assert.equal(firstDifference('x\n', 'x\ny\n', ['n', 'q']), 'first difference at line 2, in section (before any section):\n  n: ""\n  q: "y"');
});

// ---- the real session ----

/**
 * session.sh run natively: a PATH of nothing but busybox applet symlinks, an empty environment but for
 * PATH, HOME and TMPDIR, the script copied in as "session.sh" and run from its folder (the guest's /init
 * runs it as "session.sh" from /), standard input /dev/null, standard output and error into one file.
 */
function runNative(): string {
  const dir = mkdtempSync(join(tmpdir(), 'trapeze-session-'));
  try {
    const bin = join(dir, 'bin'), work = join(dir, 'tmp'), run = join(dir, 'run');
    for (const d of [bin, work, run]) mkdirSync(d);
    const applets = spawnSync(busybox, ['--list'], { encoding: 'utf8' }).stdout.split('\n').filter(Boolean);
    for (const a of new Set([...applets, 'busybox'])) symlinkSync(busybox, join(bin, a));
    copyFileSync(sessionSh, join(run, 'session.sh'));
    const outFile = join(dir, 'out');
    const fd = openSync(outFile, 'w');
    try {
      const r = spawnSync(join(bin, 'sh'), ['session.sh'], {
        cwd: run, env: { PATH: bin, HOME: run, TMPDIR: work }, stdio: ['ignore', fd, fd], timeout: 120_000,
      });
      assert.equal(r.error, undefined, `native run: ${r.error?.message}`);
      assert.equal(r.status, 0, `native session.sh exit status ${r.status}`);
    } finally {
      closeSync(fd);
    }
    return readFileSync(outFile, 'latin1');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

interface GuestRun { console: string; stderr: string; seconds: number; exitCode: number | null; timedOut: boolean }

/** Spawn a guest; stop it once the session's done line has been printed (or it exits by itself). */
function runGuest(cmd: string, args: string[], timeoutMs: number, killAfterDone: boolean): Promise<GuestRun> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(cmd, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '', err = '', done = false, timedOut = false;
    const timer = setTimeout(() => { timedOut = true; child.kill('SIGKILL'); }, timeoutMs);
    child.stdout.setEncoding('latin1').on('data', (s: string) => {
      out += s;
      if (!done && new RegExp(`${SESSION_DONE_MARKER}\r?\n`).test(out)) {
        done = true;
        // Without ACPI the guest's power-off is HLT with interrupts off, which QEMU sits in forever.
        if (killAfterDone) child.kill('SIGKILL');
      }
    });
    child.stderr.setEncoding('utf8').on('data', (s: string) => { err += s; });
    child.on('error', (e) => { clearTimeout(timer); reject(new Error(`cannot start ${cmd}: ${e.message}`)); });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ console: out, stderr: err, seconds: (performance.now() - t0) / 1000, exitCode: killAfterDone || timedOut ? null : code, timedOut });
    });
  });
}

async function runPeer(): Promise<GuestRun> {
  if (peer === 'qemu') {
    const probe = spawnSync('qemu-system-i386', ['--version'], { encoding: 'utf8' });
    assert.equal(probe.error, undefined, 'TRAPEZE_SESSION_PEER=qemu needs qemu-system-i386 (apt-get install qemu-system-x86)');
    // The CLI layer builds the initramfs (src/cli/initramfs-file.ts): the one `trapeze run linux` boots.
    const { linuxInitramfs } = await import('../cli/initramfs-file.ts');
    const dir = mkdtempSync(join(tmpdir(), 'trapeze-session-qemu-'));
    try {
      const initrd = join(dir, 'initrd.gz');
      writeFileSync(initrd, linuxInitramfs(cacheDir));
      return await runGuest('qemu-system-i386', [
        '-accel', 'tcg', '-cpu', 'pentium3', '-m', '128', '-display', 'none', '-serial', 'stdio', '-monitor', 'none',
        '-no-reboot', '-kernel', join(cacheDir, 'bzImage'), '-initrd', initrd, '-append', QEMU_CMDLINE,
      ], GUEST_TIMEOUT_MS, true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  return runGuest(process.execPath, [join(root, 'bin/trapeze.mjs'), 'run', 'linux', '--append', APPEND], GUEST_TIMEOUT_MS, false);
}

test(`session.sh: natively and in the guest (${peer}), byte for byte but for the machine sections`, { skip: skipLinux, timeout: GUEST_TIMEOUT_MS + 300_000 }, async (t) => {
  const native = runNative();
  const guest = await runPeer();
  t.diagnostic(`${peer}: ${guest.seconds.toFixed(1)} s from spawn to the end of the session`);
  if (guest.timedOut) {
    const partial = extractPartialSession(guest.console);
    const how = partial === undefined ? 'the session never began' : describePartial(dropMachineSections(native), dropMachineSections(partial), ['native', peer]);
    assert.fail(`${peer} stopped after ${guest.seconds.toFixed(0)} s without finishing the session: ${how}; console tail:\n${guest.console.slice(-1500)}`);
  }
  let session: string;
  try {
    session = extractSession(guest.console);
  } catch (e) {
    throw new Error(`${(e as Error).message}; exit status ${guest.exitCode}; console tail:\n${guest.console.slice(-2000)}\nstderr tail:\n${guest.stderr.slice(-2000)}`);
  }
  if (guest.exitCode !== null) assert.equal(guest.exitCode, 0, 'poweroff -f ends `trapeze run` with status 0');
  const want = dropMachineSections(native), got = dropMachineSections(session);
  // Both ran the whole script: every section, in order, and the machine ones are really there.
  const names = sectionNames(native);
  assert.ok(names.includes('machine: uname') && names.includes('hashes') && names.at(-1) === 'end', names.join(', '));
  assert.deepEqual(sectionNames(session), names);
  const diff = firstDifference(want, got, ['native', peer]);
  assert.equal(diff, undefined, diff);
  assert.equal(got, want);
});

test('session.sh natively: two runs print the same bytes', { skip: skipLinux }, () => {
  assert.equal(runNative(), runNative());
});
