// Instruction trace for `trapeze run --trace`: before each instruction, its number, CS:EIP, bytes and
// disassembly (iced-x86, NASM syntax). Reading the bytes must not change what the guest sees: only the
// bytes the instruction occupies are read (so no extra page is walked and no accessed bit is set beyond
// what the fetch itself does), and CR2 and the pending-exception fields are restored afterwards.

import type { CPU } from '../cpu/cpu.ts';
import type { InterceptHook } from '../cpu/intercept.ts';
import { CS } from '../cpu/regs.ts';

type Iced = typeof import('iced-x86');

const EXCEPTION_NAMES = ['#DE', '#DB', 'NMI', '#BP', '#OF', '#BR', '#UD', '#NM', '#DF', '', '#TS', '#NP', '#SS', '#GP', '#PF', '', '#MF', '#AC', '#MC', '#XM'];
const KIND_NAMES = ['external interrupt', 'exception', 'int', 'int (int3/into)', 'int1'];

export class Tracer {
  private readonly formatter: InstanceType<Iced['Formatter']>;
  private readonly buf = new Uint8Array(15);
  /** Events (interrupts, exceptions, INT n) seen since the last takeEvents(). */
  private readonly events: string[] = [];
  /** Observes every event delivery through the CPU's intercept point, changing nothing. */
  private readonly hook: InterceptHook = {
    sensitive: () => {},
    event: (_cpu, vector, errorCode, kind) => {
      const name = kind === 1 && EXCEPTION_NAMES[vector] ? ` ${EXCEPTION_NAMES[vector]}` : '';
      const err = errorCode >= 0 ? ` error 0x${errorCode.toString(16)}` : '';
      this.events.push(`${''.padStart(10)}  -- ${KIND_NAMES[kind] ?? 'event'} vector 0x${vector.toString(16).padStart(2, '0')}${name}${err}`);
      return false;
    },
  };

  /** A tracer for cpu; iced-x86 is loaded here, not at start-up (~170 ms that only --trace needs). */
  static async create(cpu: CPU): Promise<Tracer> {
    // (A CommonJS package: its exports are `default` under Node's loader, the namespace itself under tsx's.)
    const mod = await import('iced-x86');
    return new Tracer(cpu, mod.default ?? mod);
  }

  private constructor(private readonly cpu: CPU, private readonly iced: Iced) {
    this.formatter = new iced.Formatter(iced.FormatterSyntax.Nasm);
    this.formatter.uppercaseHex = false;
    this.formatter.hexPrefix = '0x';
    this.formatter.hexSuffix = '';
    this.formatter.spaceAfterOperandSeparator = true;
  }

  /** Start observing events (the CPU's intercept hook must be free: nothing else uses it under `run`). */
  attach(): void {
    if (this.cpu.hook === null) this.cpu.hook = this.hook;
  }

  detach(): void {
    if (this.cpu.hook === this.hook) this.cpu.hook = null;
  }

  /** Lines for the events delivered since the last call. */
  takeEvents(): string[] {
    return this.events.splice(0);
  }

  /** Read up to `n` instruction bytes at CS:EIP; returns how many could be read. */
  private fetch(n: number): number {
    const cpu = this.cpu;
    const saved = [cpu.cr2, cpu.excVector, cpu.excError];
    const lin = (cpu.segBase[CS] + cpu.eip) | 0;
    let got = 0;
    try {
      for (; got < n; got++) this.buf[got] = cpu.readLin8((lin + got) | 0);
    } catch {
      // not mapped: the fetch will fault
    } finally {
      [cpu.cr2, cpu.excVector, cpu.excError] = saved;
    }
    return got;
  }

  /** One line describing the instruction at CS:EIP (not yet executed). */
  line(): string {
    const cpu = this.cpu;
    const lin = (cpu.segBase[CS] + cpu.eip) >>> 0;
    const where = `${cpu.segSel[CS].toString(16).padStart(4, '0')}:${(cpu.eip >>> 0).toString(16).padStart(8, '0')}`;
    const head = `${String(cpu.icount).padStart(10)}  ${where}  `;
    // Bytes on this page first; more only if the instruction really continues on the next page.
    let avail = this.fetch(Math.min(15, 0x1000 - (lin & 0xFFF)));
    let text = '';
    let len = 0;
    for (let attempt = 0; attempt < 2; attempt++) {
      const decoder = new this.iced.Decoder(cpu.code32 ? 32 : 16, this.buf.subarray(0, avail), this.iced.DecoderOptions.None);
      decoder.ip = BigInt(cpu.eip >>> 0);
      const insn = decoder.decode();
      const err = decoder.lastError;
      len = insn.length;
      text = err === this.iced.DecoderError.None ? this.formatter.format(insn) : '(bad)';
      insn.free();
      decoder.free();
      if (err !== this.iced.DecoderError.NoMoreBytes || avail === 15) break;
      const more = this.fetch(15);
      if (more <= avail) { text = '(not mapped)'; break; }
      avail = more;
    }
    if (avail === 0) return `${head}${''.padEnd(30)}(not mapped)`;
    let bytes = '';
    for (let k = 0; k < Math.max(1, Math.min(len, avail)); k++) bytes += this.buf[k].toString(16).padStart(2, '0');
    return `${head}${bytes.padEnd(30)}${text}`;
  }
}
