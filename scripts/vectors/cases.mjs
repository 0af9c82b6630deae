// Building one test case: the starting state of the machine for one instruction.
//
// A case is a seed (the background: data region and all 16 registers, see prng.mjs) plus
// overrides: registers the instruction reads get values biased toward edges (0, -1, 0x80..,
// 0x7f.., small numbers, single bits), registers used as memory bases get addresses inside the
// data region, and memory operands may be patched with edge values. Forms add their own setup
// (shift counts, divisors, string counts, branch targets) and the mask of flags the manual leaves
// undefined for this case.

import { DATA_BASE, DATA_SIZE, REGS, background } from './prng.mjs';

export const CF = 0x1, PF = 0x4, AF = 0x10, ZF = 0x40, SF = 0x80, DF = 0x400, OF = 0x800;
export const STATUS = CF | PF | AF | ZF | SF | OF;

/** name -> { idx, bits, shift } for every general register name nasm accepts in 64-bit mode. */
export const REG = {};
{
  const r32 = ['eax', 'ecx', 'edx', 'ebx', 'esp', 'ebp', 'esi', 'edi'];
  const r16 = ['ax', 'cx', 'dx', 'bx', 'sp', 'bp', 'si', 'di'];
  const r8 = ['al', 'cl', 'dl', 'bl', 'spl', 'bpl', 'sil', 'dil'];
  for (let i = 0; i < 16; i++) {
    REG[REGS[i]] = { idx: i, bits: 64, shift: 0 };
    REG[i < 8 ? r32[i] : `r${i}d`] = { idx: i, bits: 32, shift: 0 };
    REG[i < 8 ? r16[i] : `r${i}w`] = { idx: i, bits: 16, shift: 0 };
    REG[i < 8 ? r8[i] : `r${i}b`] = { idx: i, bits: 8, shift: 0 };
  }
  ['ah', 'ch', 'dh', 'bh'].forEach((n, i) => (REG[n] = { idx: i, bits: 8, shift: 8 }));
}

const SIZE_WORDS = { byte: 1, word: 2, dword: 4, qword: 8, oword: 16 };
const PREFIXES = new Set(['lock', 'rep', 'repe', 'repz', 'repne', 'repnz', 'a32', 'a64', 'o16', 'o32', 'o64']);

export function mask(bits) {
  return (1n << BigInt(bits)) - 1n;
}

/**
 * Splits `lock add dword [rbx+8], ecx` into prefixes, mnemonic and operand strings (a `; comment`,
 * used to name an alternative encoding, is dropped).
 */
export function splitAsm(asm) {
  const words = asm.replace(/;.*$/, '').trim().split(/\s+/);
  const prefixes = [];
  while (PREFIXES.has(words[0])) prefixes.push(words.shift());
  const mnemonic = words.shift();
  const rest = words.join(' ');
  const operands = rest ? rest.split(',').map((s) => s.trim()) : [];
  return { prefixes, mnemonic, operands };
}

/** Parses `[rbx+rcx*4-0x10]`, `[rel 0x100200]`, `[abs 0x100300]`, `[nosplit rcx*2+0x1000]`. */
export function parseMem(op) {
  const m = /^(?:(byte|word|dword|qword|oword)\s+)?(?:(?:strict|far|near)\s+)?\[(.*)\]$/.exec(op.trim());
  if (!m) return null;
  let inner = m[2].trim().replace(/^[cdefgs]s:/, '');
  const size = m[1] ? SIZE_WORDS[m[1]] : 0;
  let rel = false;
  for (;;) {
    const kw = /^(rel|abs|nosplit|qword|dword)\s+/.exec(inner);
    if (!kw) break;
    if (kw[1] === 'rel') rel = true;
    inner = inner.slice(kw[0].length);
  }
  let base = null, index = null, scale = 1, disp = 0n;
  for (const t of inner.replace(/\s+/g, '').match(/[+-]?[^+-]+/g) ?? []) {
    const neg = t.startsWith('-');
    const body = t.replace(/^[+-]/, '');
    const sc = /^([a-z0-9]+)\*(\d)$/.exec(body) ?? /^(\d)\*([a-z0-9]+)$/.exec(body);
    if (sc) {
      const [r, s] = REG[sc[1]] ? [sc[1], sc[2]] : [sc[2], sc[1]];
      index = r;
      scale = Number(s);
    } else if (REG[body]) {
      if (base === null) base = body;
      else index = body;
    } else {
      const v = BigInt(body);
      disp += neg ? -v : v;
    }
  }
  const a32 = [base, index].some((r) => r && REG[r].bits === 32);
  return { size, rel, base, index, scale, disp, a32 };
}

export class Ctx {
  constructor(form, rng, seed) {
    this.form = form;
    this.rng = rng;
    this.seed = seed;
    const bg = background(seed);
    this.bgRegs = bg.regs;
    this.data = bg.data; // working copy: background plus patches
    this.over = new Map(); // register index -> full 64-bit value
    this.patches = new Map(); // data offset -> byte
    this.rflags = 0x202;
    this.undef = null;
    this.mem = null; // { ea, size } of the form's memory operand
    this.targets = [];
    this.addrRegs = new Set();
  }
  u32() {
    return this.rng();
  }
  u64() {
    return (BigInt(this.rng()) << 32n) | BigInt(this.rng());
  }
  below(n) {
    return Math.floor((this.rng() / 4294967296) * n);
  }
  chance(p) {
    return this.rng() < p * 4294967296;
  }
  pick(arr) {
    return arr[this.below(arr.length)];
  }
  /** A value of `bits` bits biased toward the edges of the type. */
  edge(bits) {
    const m = mask(bits);
    const sign = 1n << BigInt(bits - 1);
    const r = this.below(100);
    if (r < 30) return this.pick([0n, 1n, 2n, m, m - 1n, sign, sign - 1n, sign + 1n, 0x7fn, 0x80n, 0xffn, 0x7fffn, 0x8000n]) & m;
    if (r < 42) return BigInt(this.below(33)) & m;
    if (r < 52) return (m - BigInt(this.below(33))) & m;
    if (r < 62) return (1n << BigInt(this.below(bits))) & m;
    return this.u64() & m;
  }
  reg64(idx) {
    return this.over.has(idx) ? this.over.get(idx) : this.bgRegs[idx];
  }
  get(name) {
    const r = REG[name];
    return (this.reg64(r.idx) >> BigInt(r.shift)) & mask(r.bits);
  }
  /** Sets the named part of a register; the rest of the register keeps its background bits. */
  set(name, v) {
    const r = REG[name];
    if (!r) throw new Error(`unknown register ${name}`);
    const m = mask(r.bits) << BigInt(r.shift);
    const old = this.reg64(r.idx);
    this.over.set(r.idx, (old & ~m) | ((BigInt.asUintN(r.bits, BigInt(v)) << BigInt(r.shift)) & m));
  }
  touched(name) {
    return this.over.has(REG[name].idx);
  }
  readMem(addr, n) {
    const off = Number(addr) - DATA_BASE;
    if (off < 0 || off + n > DATA_SIZE) throw new Error(`read outside the data region: ${addr.toString(16)}`);
    let v = 0n;
    for (let i = n - 1; i >= 0; i--) v = (v << 8n) | BigInt(this.data[off + i]);
    return v;
  }
  /** Writes `n` little-endian bytes of `v` at linear address `addr` in the case's starting data. */
  patch(addr, v, n) {
    const off = Number(addr) - DATA_BASE;
    if (off < 0 || off + n > DATA_SIZE) throw new Error(`patch outside the data region: ${addr.toString(16)}`);
    let x = BigInt.asUintN(n * 8, BigInt(v));
    for (let i = 0; i < n; i++) {
      this.data[off + i] = Number(x & 0xffn);
      this.patches.set(off + i, Number(x & 0xffn));
      x >>= 8n;
    }
  }
  /** A random address in the data region, [lo, hi) as offsets, aligned to `align`. */
  addr(lo, hi, align = 1) {
    const off = lo + this.below(Math.floor((hi - lo) / align)) * align;
    return DATA_BASE + off;
  }
  /** A stack pointer inside the data region, usually 8-aligned. */
  stackPointer() {
    return this.addr(0x500, 0xb00, this.chance(0.85) ? 8 : 1);
  }
  /**
   * Points the memory operand `m` at `ea` by choosing its base and index registers (the index gets
   * a small signed value). RIP-relative and absolute operands have a fixed address.
   */
  place(m, ea) {
    if (m.rel || (!m.base && !m.index)) return Number(m.disp);
    let target = BigInt(ea);
    let idx = 0n;
    if (m.index) {
      const s = BigInt(m.scale);
      if (m.base) idx = BigInt(this.below(129) - 64);
      else {
        target -= (target - m.disp) % s;
        idx = (target - m.disp) / s;
      }
      this.set(m.index, idx);
      this.addrRegs.add(REG[m.index].idx);
    }
    if (m.base) {
      if (m.index && REG[m.base].idx === REG[m.index].idx) throw new Error('base and index are the same register');
      this.set(m.base, target - m.disp - idx * BigInt(m.scale));
      this.addrRegs.add(REG[m.base].idx);
    }
    return Number(target);
  }
  /** Full 16-register starting state: background with overrides. */
  regs() {
    return REGS.map((_, i) => BigInt.asUintN(64, this.reg64(i)));
  }
}

/**
 * The generic part of a case: random status flags, edge values in the register operands, memory
 * operands inside the data region (sometimes patched with an edge value), RSP in the data region.
 * Then the form's own setup.
 */
export function buildCase(form, rng, seed) {
  const c = new Ctx(form, rng, seed);
  for (const f of [CF, PF, AF, ZF, SF, OF]) if (c.chance(0.5)) c.rflags |= f;
  if (form.df && c.chance(0.5)) c.rflags |= DF;
  const { operands } = splitAsm(form.asm);
  let regBits = 0;
  for (const op of operands) if (REG[op]) regBits = Math.max(regBits, REG[op].bits);
  for (const op of operands) {
    const m = parseMem(op);
    if (!m) continue;
    if (form.lea) {
      // LEA reads no memory: any register values will do.
      for (const r of [m.base, m.index]) if (r) c.set(r, c.edge(REG[r].bits));
      continue;
    }
    const size = m.size || form.memSize || regBits / 8;
    if (!size) throw new Error(`${form.asm}: memory operand size unknown`);
    const [lo, hi] = form.memRange ?? [0x100, 0xf00];
    const ea = c.place(m, c.addr(lo, hi - size, form.memAlign ?? 1));
    c.mem = { ea, size, m };
    if (!form.noMemEdge && c.chance(0.5)) c.patch(ea, c.edge(Math.min(size, 8) * 8), Math.min(size, 8));
  }
  for (const op of operands) {
    const r = REG[op];
    if (!r || c.addrRegs.has(r.idx)) continue;
    c.set(op, c.edge(r.bits));
  }
  if (!c.touched('rsp')) c.set('rsp', c.stackPointer());
  if (form.setup) form.setup(c);
  if (form.stack) c.set('rsp', c.stackPointer());
  if (form.stackSetup) form.stackSetup(c);
  if (c.undef === null) c.undef = form.undef ?? 0;
  return c;
}
