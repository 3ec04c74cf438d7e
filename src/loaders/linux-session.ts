// Comparing runs of guests/linux/session.sh: in a guest (trapeze, QEMU, ...) its output arrives on the
// serial console between /init's two marker lines, with the tty's CR LF line ends; natively it is the
// script's own output. Both are reduced to the same comparable text: LF line ends, the sections that name
// the machine ("== machine: ... ==" up to the next "== " header) removed. Used by linux-session.test.ts
// and free for the bench or anyone else to reuse.

import { SESSION_BEGIN_MARKER, SESSION_DONE_MARKER } from './linux-initramfs.ts';

/** Section headers are lines "== name ==" (session.sh); these name the machine and differ by design. */
export const MACHINE_SECTION_PREFIX = '== machine:';

/** CR LF (the tty's ONLCR output processing; CR CR LF when a program wrote CR LF itself) → LF. */
export function normalizeLineEnds(text: string): string {
  return text.replace(/\r+\n/g, '\n');
}

/**
 * The session's output in a guest's console output: the lines after SESSION_BEGIN_MARKER up to the
 * line of SESSION_DONE_MARKER, LF-terminated. Throws an Error naming the missing marker (the guest did
 * not reach userspace, or the session did not finish).
 */
export function extractSession(consoleOutput: string): string {
  const text = normalizeLineEnds(consoleOutput);
  const lines = text.split('\n');
  const begin = lines.indexOf(SESSION_BEGIN_MARKER);
  if (begin < 0) throw new Error(`no "${SESSION_BEGIN_MARKER}" line in the console output (${lines.length} lines)`);
  const done = lines.indexOf(SESSION_DONE_MARKER, begin + 1);
  if (done < 0) throw new Error(`the session began but no "${SESSION_DONE_MARKER}" line followed (${lines.length - begin - 1} lines after the begin marker)`);
  return lines.slice(begin + 1, done).map((l) => l + '\n').join('');
}

/**
 * What a guest printed of the session so far, when it never printed the done line (a hang, a timeout):
 * the complete lines after SESSION_BEGIN_MARKER, or undefined when the session did not even begin.
 */
export function extractPartialSession(consoleOutput: string): string | undefined {
  const lines = normalizeLineEnds(consoleOutput).split('\n');
  const begin = lines.indexOf(SESSION_BEGIN_MARKER);
  if (begin < 0) return undefined;
  let end = lines.indexOf(SESSION_DONE_MARKER, begin + 1);
  if (end < 0) end = lines.length - 1; // the last element is an unfinished line (or '')
  return lines.slice(begin + 1, end).map((l) => l + '\n').join('');
}

/**
 * For a session cut short: does what it printed agree with the start of the expected text? One line:
 * how many lines matched and in which section it stopped, or the first difference.
 */
export function describePartial(expected: string, partial: string, names: [string, string] = ['native', 'guest']): string {
  const got = partial.split('\n').slice(0, -1);
  const want = expected.split('\n');
  let section = '(before any section)';
  for (let i = 0; i < got.length; i++) {
    if (want[i]?.startsWith('== ')) section = want[i];
    if (got[i] !== want[i]) return `${names[1]} differs from ${names[0]} at line ${i + 1}, in section ${section}: ${JSON.stringify(want[i] ?? null)} vs ${JSON.stringify(got[i])}`;
  }
  return `${names[1]}'s ${got.length} lines match ${names[0]}'s; it stopped in section ${section}, before ${JSON.stringify(want[got.length] ?? null)}`;
}

/** The session's text without its machine sections (header line included). */
export function dropMachineSections(session: string): string {
  let keep = true;
  const out: string[] = [];
  for (const line of normalizeLineEnds(session).split(/(?<=\n)/)) {
    if (line.startsWith('== ') && /==\n?$/.test(line)) keep = !line.startsWith(MACHINE_SECTION_PREFIX);
    if (keep) out.push(line);
  }
  return out.join('');
}

/** The names of the sections in order ("== name ==" headers), for messages and sanity checks. */
export function sectionNames(session: string): string[] {
  return normalizeLineEnds(session).split('\n').filter((l) => /^== .* ==$/.test(l)).map((l) => l.slice(3, -3));
}

/**
 * undefined when the two comparable texts are equal; else a short report: the section and line number
 * of the first difference and both versions of that line.
 */
export function firstDifference(expected: string, actual: string, names: [string, string] = ['native', 'guest']): string | undefined {
  if (expected === actual) return undefined;
  const a = expected.split('\n'), b = actual.split('\n');
  let section = '(before any section)';
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    if (a[i]?.startsWith('== ')) section = a[i];
    if (a[i] !== b[i]) {
      const show = (s: string | undefined) => (s === undefined ? '(no line)' : JSON.stringify(s));
      return `first difference at line ${i + 1}, in section ${section}:\n  ${names[0]}: ${show(a[i])}\n  ${names[1]}: ${show(b[i])}`;
    }
  }
  return 'the texts differ only in their final line end';
}
