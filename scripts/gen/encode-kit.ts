// Byte-encoding helpers, the deterministic generator and the oracle case type shared by every golden-vector
// generator.

export type RegName = 'eax' | 'ebx' | 'ecx' | 'edx' | 'esi' | 'edi' | 'ebp' | 'esp' | 'eflags';
export type Regs = Partial<Record<RegName, number>>;
export interface Mem { addr: number; hex: string }
export interface Dump { addr: number; len: number }

/** One x86-oracle case in user32 mode (the oracle README's input format). */
export interface Case {
  name: string;
  mode: 'user32';
  code: string;
  code_addr?: number;
  regs?: Regs;
  mem?: Mem[];
  dump?: Dump[];
}

/** mulberry32: a small deterministic PRNG (each generator uses a fixed seed). */
export function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6D2B79F5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
}

/** Little-endian hex of `v` in `bytes` bytes. */
export function le(v: number, bytes: number): string {
  let s = '';
  for (let k = 0; k < bytes; k++) s += ((v >>> (8 * k)) & 0xFF).toString(16).padStart(2, '0');
  return s;
}

/** Hex of a list of bytes. */
export function hx(...bytes: number[]): string {
  return bytes.map((b) => (b & 0xFF).toString(16).padStart(2, '0')).join('');
}

/** ModRM byte. */
export function modrm(mod: number, reg: number, rm: number): number {
  return (mod << 6) | (reg << 3) | rm;
}
