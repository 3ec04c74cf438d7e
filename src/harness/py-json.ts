// JSON text exactly as Python's json.dumps writes it by default (", " and ": " separators, ASCII only),
// so `trapeze exec` output is byte-comparable with the x86 oracle's.

export function pyJson(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : JSON.stringify(v);
  if (typeof v === 'string') {
    return JSON.stringify(v).replace(/[\u007f-\uffff]/g, (c) => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0'));
  }
  if (Array.isArray(v)) return '[' + v.map(pyJson).join(', ') + ']';
  const parts: string[] = [];
  for (const [k, x] of Object.entries(v as Record<string, unknown>)) parts.push(pyJson(k) + ': ' + pyJson(x));
  return '{' + parts.join(', ') + '}';
}
