import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { HELPER_NICENESS, lowerHelperThreads } from './host-tuning.ts';

/** Niceness of a thread of this process (field 19 of /proc/self/task/<tid>/stat). */
function niceness(tid: number): number {
  const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]);
}

test('helper threads run at a lower priority than the main thread, which keeps its own', { skip: !existsSync('/proc/self/task') }, (ctx) => {
  const before = niceness(process.pid);
  const helpers = readdirSync('/proc/self/task').map(Number).filter((t) => t !== process.pid);
  assert.ok(helpers.length > 0, 'Node has helper threads from its start');
  const was = new Map(helpers.map((t) => [t, niceness(t)]));
  const n = lowerHelperThreads();
  if (n === 0 && helpers.every((h) => was.get(h)! < HELPER_NICENESS && existsSync(`/proc/self/task/${h}`) && niceness(h) === was.get(h))) {
    ctx.skip('this host refuses to change thread priorities (lowerHelperThreads leaves them)');
    return;
  }
  // (at least those: a thread started meanwhile is lowered too)
  assert.ok(n >= helpers.filter((t) => was.get(t)! < HELPER_NICENESS).length);
  for (const t of helpers) {
    if (existsSync(`/proc/self/task/${t}`)) assert.equal(niceness(t), Math.max(was.get(t)!, HELPER_NICENESS), `thread ${t}`);
  }
  assert.equal(niceness(process.pid), before);
});
