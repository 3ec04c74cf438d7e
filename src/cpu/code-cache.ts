// Decoded-instruction cache. Decoding is the interpreter's most expensive step, so each instruction is
// decoded once and kept by the physical address of its first byte (plus the default operand size it
// was decoded for: 16- and 32-bit code have separate tables, so a hit needs no size check). Correctness rules:
// - Only instructions that lie within one page and in plain RAM are cached, so a page's bytes are all
//   the instruction depends on.
// - A page holding cached code is a "code page": the CPU keeps TLB write permission bits off for it, so
//   every write to it takes the slow path, which calls invalidate() before the bytes change. x86 makes
//   self-modifying code visible to the next instruction (SDM vol. 3A §11.6); dropping the page does that.
// - A page that is invalidated again and again (code and data mixed in one page) stops being cached:
//   decoding it every time is cheaper than the churn.

import type { Insn } from './insn.ts';
import type { JitRegion } from './jit/block.ts';

/** Invalidations after which a page is no longer cached. */
const CHURN_LIMIT = 64;

export class CodeCache {
  /**
   * Cached instructions per physical page, indexed by the offset in the page: `pages` for code decoded
   * with a 32-bit default size (CS.D = 1), `pages16` for 16-bit code. Both arrays are filled with
   * undefined up front so that V8 keeps them as fast (non-dictionary) arrays whatever the page numbers.
   */
  readonly pages: (Insn[] | undefined)[];
  readonly pages16: (Insn[] | undefined)[];
  /** 1 when the page holds cached instructions (writes must invalidate). */
  readonly codePage: Uint8Array;
  private readonly churn: Uint8Array;
  /** Translated blocks built from each page's code (jit/): killed when the page is invalidated. */
  private readonly blocks: (JitRegion[] | undefined)[];
  /** Statistics: instructions decoded into the cache, page invalidations. */
  decoded = 0;
  invalidations = 0;

  constructor(physPages: number) {
    this.codePage = new Uint8Array(physPages);
    this.churn = new Uint8Array(physPages);
    this.pages = new Array<Insn[] | undefined>(physPages).fill(undefined);
    this.pages16 = new Array<Insn[] | undefined>(physPages).fill(undefined);
    this.blocks = new Array<JitRegion[] | undefined>(physPages).fill(undefined);
  }

  /** Record a translated block under every page it was built from (each must hold cached code). */
  addBlock(b: JitRegion): void {
    for (const p of b.pages) {
      let list = this.blocks[p];
      if (list === undefined) list = this.blocks[p] = [];
      // Blocks that died through another page stay listed here until this page goes: drop them now and then.
      if (list.length >= 64) { const live = list.filter((x) => !x.dead); list.length = 0; list.push(...live); }
      list.push(b);
    }
  }

  /** The slots of a page for code of the given default size, if any instruction of it is cached. */
  slots(page: number, code32: boolean): Insn[] | undefined {
    return code32 ? this.pages[page] : this.pages16[page];
  }

  /** May instructions of this page be cached? */
  cacheable(page: number): boolean {
    return page < this.codePage.length && this.churn[page] < CHURN_LIMIT;
  }

  /** Store a decoded instruction; returns true when the page has just become a code page. */
  insert(phys: number, i: Insn): boolean {
    const page = phys >>> 12;
    const table = i.code32 ? this.pages : this.pages16;
    let slots = table[page];
    if (slots === undefined) slots = table[page] = new Array<Insn>(4096);
    slots[phys & 0xFFF] = i;
    this.decoded++;
    const fresh = this.codePage[page] === 0;
    this.codePage[page] = 1;
    return fresh;
  }

  /**
   * Make a page a code page although no instruction of it is cached (a translated region holds an
   * instruction that runs into it: jit/translate.ts); true when it has just become one.
   */
  markCode(page: number): boolean {
    const fresh = this.codePage[page] === 0;
    this.codePage[page] = 1;
    return fresh;
  }

  /** Forget every instruction of a page (its bytes are about to change). */
  invalidate(page: number): void {
    if (this.codePage[page] === 0) return;
    this.pages[page] = undefined;
    this.pages16[page] = undefined;
    this.codePage[page] = 0;
    const list = this.blocks[page];
    if (list !== undefined) {
      this.blocks[page] = undefined;
      for (const b of list) b.kill();
    }
    if (this.churn[page] < 255) this.churn[page]++;
    this.invalidations++;
  }

  /** Drop everything (e.g. the machine loaded new memory contents behind the CPU's back). */
  clear(): void {
    for (let p = 0; p < this.codePage.length; p++) if (this.codePage[p] !== 0) this.invalidate(p);
    this.churn.fill(0);
  }
}
