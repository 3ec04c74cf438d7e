// Summaries and number formatting for the benchmark's tables.

export interface Spread { min: number; median: number; max: number }

export function spread(values: readonly number[]): Spread | undefined {
  if (values.length === 0) return undefined;
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  const median = s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
  return { min: s[0], median, max: s[s.length - 1] };
}

/** 1234567 -> "1,234,567". */
export function fmtInt(n: number): string {
  return Math.round(n).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** Three significant digits at least, no exponent: 0.0123, 1.23, 12.3, 123, 2461. */
export function fmtNum(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  const a = Math.abs(n);
  if (a >= 100) return n.toFixed(0);
  if (a >= 10) return n.toFixed(1);
  if (a >= 1) return n.toFixed(2);
  if (a >= 0.1) return n.toFixed(3);
  return n.toPrecision(3);
}

export function fmtSpread(s: Spread | undefined, f: (n: number) => string = fmtNum): string {
  if (!s) return '–';
  return s.min === s.max ? f(s.min) : `${f(s.min)} / ${f(s.median)} / ${f(s.max)}`;
}

/** "0.31×" (two significant digits under 10, whole numbers above). */
export function fmtRatio(r: number): string {
  if (!Number.isFinite(r) || r <= 0) return '–';
  return (r >= 10 ? r.toFixed(0) : r >= 1 ? r.toFixed(2) : r.toPrecision(2)) + '×';
}

/** Lay out rows as columns: left-aligned unless a column's alignment says 'r'. */
export function table(header: readonly string[], rows: readonly (readonly string[])[], align: readonly ('l' | 'r')[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells.map((c, i) => (align[i] === 'r' ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join('  ').trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}
