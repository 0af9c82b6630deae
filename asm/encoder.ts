// The instruction encoder: one parsed instruction (asm/operands.ts) -> bytes, choosing among the
// forms of the one instruction table (isa/table.ts) the encoding `nasm -f bin` (2.16, -Ox) picks.
// There is no opcode here: every byte comes from a Form; this file only holds NASM's choice rules.
//
// How a form is chosen (NASM's rules, checked line by line against nasm in test/fixtures/asm):
//   1. The mnemonic maps to table mnemonics (asm/mnemonics.ts); every form of those, valid in the
//      mode, not an `alias=` row and not one NASM has no syntax for (NASM_LACKS), is tried against
//      the operands (XCHG and TEST also with the two operands swapped: NASM accepts both orders).
//      Size keywords must be ones NASM accepts for the form (immSizes, memSizes).
//   2. An unsized memory operand that several matching forms would read at different sizes is an
//      error ("operation size not specified"), unless a byte/word/dword keyword on the value
//      immediate gives the size (`add [rax], byte 1`); near/far JMP and CALL take the default size.
//   3. When forms of several operand sizes are left and no operand fixes the size (RET, PUSH imm,
//      PUSHF, Jcc...), the default operand size of the mode wins (d64/f64 rows: 64 in 64-bit mode),
//      or the one a sized mnemonic asks for (retfq). An o16/o32/o64 prefix picks nothing: it only
//      replaces the form's operand-size prefix (`o16 push 1000` is 66 68 id; `o32 mov ax, ax` 89 C0).
//   4. Of what is left the shortest encoding wins; a form that has to truncate a value (NASM's
//      "exceeds bounds" warnings) loses to one that does not, and `[qword addr]` prefers the moffs
//      form. Ties: a sign-extended imm8 form first (NASM: `add ax, 1` is 83 /0, not 05), then the
//      table's order (`add eax, ebx` is 01 /r, the r/m-first row), then the operands as written
//      (but XCHG of two registers puts the first in ModRM.reg: `xchg ecx, ebx` is 87 CB).
//   Plus NASM's rewrites: `mov r64, imm` with a known value in 0..2^32-1 (no `strict`, no `dword`)
//   is `mov r32, imm32`; `imul r, imm` is `imul r, r, imm`; `mov r64, sreg` is the 32-bit form.
//   Prefixes come out as NASM writes them: REP/REPNE, LOCK, segment, 66, 67, (the LOCK that stands
//   for REX.R of CR8 outside 64-bit mode), the mandatory prefix, REX.
//
// Unknown values. ImmOperand.known / MemOperand.dispKnown false mean the encoder must not rely on
// the value: it picks the form that holds any value (no imm8/disp8 shrinking, rel32 branches, imm64
// for `mov r64, x`), writes into the field what the given value would give, and returns a Fixup
// for it (offset and size in the bytes, pcRel, signed = the CPU sign-extends it to the operation
// size, i.e. R_X86_64_32S rather than R_X86_64_32; checked against nasm -f elf64's relocations).
// NASM treats every label address as such a value (a relocatable value, even in -f bin), so the
// front end passes known=false for label-relative immediates and displacements (with the label's
// address as the value when it has one), and known=true for plain numbers and `equ` constants.
//
// Relative branches and RIP-relative memory: ImmOperand.value (MemOperand.disp with rel) holds the
// TARGET address; the encoder writes target - (ctx.address + length). known=true when the front end
// knows the target in this pass (a label of the same section); then a short form is picked when the
// target is in range (unless `near`), else rel32. known=false (another section, an external symbol)
// gives rel32 and a pcRel Fixup; its field then holds value - (ctx.address + length), so a
// relocation at fixup.offset wants addend = value - (bytes.length - fixup.offset) with the symbol's
// offset as value. `rel` applies only to relocatable addresses: NASM makes `[rel 0x10]` absolute
// (warning "absolute address can not be RIP-relative"), so the front end clears `rel` there (and,
// under `default rel`, for fs:/gs: and `abs`). A base of `rip` ([rip+8]) is taken as the offset from
// the end of the instruction.
//
// Multi-pass contract with the front end: encode every instruction with the addresses of the
// current pass; repeat the pass while any label moved or any length changed, then emit. Either
// start optimistic (an unknown forward target taken as in range: short; lengths then only grow) or
// pessimistic (known=false: rel32; lengths then only shrink): both converge, and NASM's result is
// the optimistic fixed point (all short where it fits), which asm/assembler.ts uses.

import { OpKind, type Form, type Operand as FormOperand } from '../isa/form';
import { FORMS } from '../isa/table';
import { lookupMnemonic } from './mnemonics';
import type { AsmInstruction, EncodeContext, EncodeResult, Fixup, MemOperand, Size } from './operands';
import { lookupRegister, type RegInfo } from './registers';

type Bits = 16 | 32 | 64;

// NASM's own view of some forms, by table identifier (rules about which syntax NASM accepts, not
// opcodes: the bytes still come from the forms).
/** Forms NASM has no syntax for (`movzx ax, word [x]`, `movsxd eax, ebx`, `bswap ax`). */
const NASM_LACKS = new Set(['Movzx_r16_rm16', 'Movsx_r16_rm16', 'Movsxd_r16_rm16', 'Movsxd_r32_rm32', 'Bswap_r16']);
/**
 * Whether an `o64` prefix leaves REX.W out (64 is the form's default size): PUSH/POP and near
 * JMP/CALL through sized memory, PUSH of an unsized (or dword/qword) immediate, JRCXZ. NASM writes
 * REX.W for `o64 jmp [rax]` (unsized) and `o64 push byte 1`.
 */
function o64WithoutW(c: { form: Form; ops: AOp[] }): boolean {
  switch (c.form.id) {
    case 'Jrcxz_rel8':
    case 'Push_r64':
    case 'Pop_r64':
      return true;
    case 'Pushq_imm8':
    case 'Pushq_imm32':
      return !c.ops.some((o) => o.k === 'imm' && o.size === 1);
    case 'Push_rm64':
    case 'Pop_rm64':
    case 'Jmp_rm64':
    case 'Call_rm64':
      return c.ops.some((o) => o.k === 'mem' && o.m.size !== 0);
  }
  return false;
}
/**
 * The size keywords NASM accepts on the memory operand of a form, where they are not just the
 * operand's size: CLFLUSH takes none, PREFETCHW `qword`, `mov qword [x], sreg` is the REX.W form.
 * Memory operands of no fixed size (m, m16&64, m16:32...) take none unless listed.
 */
const ANY_SIZE = [1, 2, 4, 8, 10, 16];
const MEM_SIZE_OVERRIDE: Record<string, number[]> = {
  Clflush_m8: [], Prefetchw_m8: [8], Mov_r64m16_sreg: [8], Mov_sreg_rm16: [2, 8],
  Lea_r16_m: ANY_SIZE, Lea_r32_m: ANY_SIZE, Lea_r64_m: ANY_SIZE,
};
/** Mnemonics whose immediates take no size keyword at all. */
const IMM_UNSIZED = new Set(['SHLD', 'SHRD', 'ENTER']);
/** 64-bit-mode forms NASM also assembles in 32/16-bit code (AMD has them there). */
const NASM_ANY_MODE = new Set(['Syscall', 'Sysretd']);
/** SLDT r64 is written without REX.W by NASM. */
const REG_NO_W = new Set(['Sldt_r64m16']);
/** 16-bit code: NASM writes these 32-bit forms without 66 (ADOX, SYSEXIT), and UD0/UD1 with 32-bit registers with one. */
const NO_66_IN_16 = new Set(['Adox_r32_rm32', 'Sysexitd']);
const ADD_66_IN_16 = new Set(['Ud0_r32_rm32', 'Ud1_r32_rm32']);
/**
 * Register sizes NASM accepts for an r/m operand where they are not the notation's: LAR/LSL take
 * any general register as the selector, MOV to a segment register a 32/64-bit one (no REX.W), MOV
 * from one writes a 64-bit register with the 32-bit form; the r64/m16 row is for `qword [x]` only.
 */
const RM_REG_SIZES: Record<string, number[]> = {
  Lar_r16_r16m16: [2, 4, 8], Lar_r32_r32m16: [2, 4, 8], Lar_r64_r32m16: [2, 4, 8],
  Lsl_r16_r16m16: [2, 4, 8], Lsl_r32_r32m16: [2, 4, 8], Lsl_r64_r32m16: [2, 4, 8],
  Mov_sreg_rm16: [2, 4, 8], Mov_r32m16_sreg: [4, 8], Mov_r64m16_sreg: [],
};

/** Forms NASM can write (no `alias=` rows) by table mnemonic, in table order. */
const BY_MNEMONIC = new Map<string, Form[]>();
for (const f of FORMS) {
  if (f.aliasOf || NASM_LACKS.has(f.id)) continue;
  let list = BY_MNEMONIC.get(f.mnemonic);
  if (!list) BY_MNEMONIC.set(f.mnemonic, (list = []));
  list.push(f);
}

/** The forms of each mnemonic spelling (asm/mnemonics.ts infos are shared objects). */
const FORMS_OF = new Map<object, Form[]>();

/** Forms whose r/m operand is a register only (`r` rows, MOV CR/DR). */
const REG_ONLY = new Set(FORMS.filter((f) => f.modRestrict === 2 || f.operands.some((o) => o.kind === OpKind.Cr || o.kind === OpKind.Dr)).map((f) => f.index));

const SEG_PREFIX = [0x26, 0x2e, 0x36, 0x3e, 0x64, 0x65]; // ES CS SS DS FS GS
const SEG_NUM: Record<string, number> = { es: 0, cs: 1, ss: 2, ds: 3, fs: 4, gs: 5 };

const ERR_INVALID = 'invalid combination of opcode and operands';
const ERR_SIZE = 'operation size not specified';
const ERR_MISMATCH = 'mismatch in operand sizes';

// ---------------------------------------------------------------------------------------------
// Values

function fitsSigned(v: bigint, bits: number): boolean {
  const h = 1n << BigInt(bits - 1);
  return v >= -h && v < h;
}
/** Fits `bits` bits read either way (NASM's "data exceeds bounds" check). */
function fitsEither(v: bigint, bits: number): boolean {
  return v >= -(1n << BigInt(bits - 1)) && v < 1n << BigInt(bits);
}
const SIZE_WORD: Record<number, string> = { 1: 'byte', 2: 'word', 4: 'dword', 8: 'qword' };
/** NASM's "data exceeds bounds" test for a `bits`-bit field: the value (as 64 bits) outside -2^bits..2^bits-1. */
function dataOverflows(v: bigint, bits: number): boolean {
  const x = BigInt.asIntN(64, v);
  return x < -(1n << BigInt(bits)) || x >= 1n << BigInt(bits);
}

// ---------------------------------------------------------------------------------------------
// Operands as the matcher sees them

interface RegOp { k: 'reg'; r: RegInfo; index: number }
interface MemOp { k: 'mem'; m: MemOperand; ea: EA; index: number }
interface ImmOp { k: 'imm'; v: bigint; size: Size; strict: boolean; known: boolean; index: number }
interface FarOp { k: 'far'; seg: bigint; off: bigint; known: boolean; segKnown: boolean; size: Size; index: number }
type AOp = RegOp | MemOp | ImmOp | FarOp;

/** An effective address, encoded as far as it can be without knowing the form. */
interface EA {
  asize: 16 | 32 | 64;
  /** No base and no index: an absolute address (moffs forms may take it). */
  noRegs: boolean;
  mod: number;
  rm: number;
  /** SIB byte, or -1. */
  sib: number;
  rexX: boolean;
  rexB: boolean;
  dispLen: 0 | 1 | 2 | 4;
  /** The displacement; for ripRel the target address (ripRaw: the offset itself). */
  disp: bigint;
  ripRel: boolean;
  ripRaw: boolean;
  dispKnown: boolean;
  /** `[qword addr]`: NASM takes the moffs form when there is one. */
  preferMoffs: boolean;
  /** Segment register number of an override written in the operand, or -1. */
  seg: number;
  warnings: string[];
}

const SCALE_BITS: Record<number, number> = { 1: 0, 2: 1, 4: 2, 8: 3 };

/** 16-bit ModRM.rm by the set of registers (BX=3, BP=5, SI=6, DI=7 as a bit mask). */
const RM16: Record<number, number> = {
  [(1 << 3) | (1 << 6)]: 0,
  [(1 << 3) | (1 << 7)]: 1,
  [(1 << 5) | (1 << 6)]: 2,
  [(1 << 5) | (1 << 7)]: 3,
  [1 << 6]: 4,
  [1 << 7]: 5,
  [1 << 5]: 6,
  [1 << 3]: 7,
};

function computeEA(m: MemOperand, bits: Bits, userAsz: number): EA | string {
  const bad = bits === 64 ? 'invalid 64-bit effective address' : 'invalid effective address';
  let base: RegInfo | null = null;
  let index: RegInfo | null = null;
  if (m.base) {
    base = lookupRegister(m.base) ?? null;
    if (!base) return `unknown register '${m.base}' in a memory operand`;
  }
  if (m.index) {
    index = lookupRegister(m.index) ?? null;
    if (!index) return `unknown register '${m.index}' in a memory operand`;
  }
  let scale: number = m.scale || 1;
  let seg = -1;
  if (m.seg) {
    const s = SEG_NUM[m.seg.toLowerCase()];
    if (s === undefined) return `'${m.seg}' is not a segment register`;
    seg = s;
  }
  const warnings: string[] = [];
  const base0: EA = {
    asize: 64, noRegs: false, mod: 0, rm: 0, sib: -1, rexX: false, rexB: false, dispLen: 0, disp: m.disp,
    ripRel: false, ripRaw: false, dispKnown: m.dispKnown, preferMoffs: false, seg, warnings,
  };

  // [rip + offset]: NASM itself has no such syntax (it writes `rel`); taken as the offset from
  // the end of the instruction.
  if (base?.cls === 'rip' || index?.cls === 'rip') {
    if (index || bits !== 64) return bad;
    return { ...base0, mod: 0, rm: 5, dispLen: 4, ripRel: true, ripRaw: true };
  }
  if ((base && (base.cls !== 'gpr' || base.size === 1)) || (index && (index.cls !== 'gpr' || index.size === 1))) return bad;

  // NASM splits index-only addresses: [rax*1] is [rax], [rax*2] is [rax+rax] (unless nosplit).
  if (index && !base && !m.nosplit && (scale === 1 || scale === 2)) {
    base = index;
    index = scale === 2 ? index : null;
    scale = 1;
  }
  // (e)sp cannot be an index: with scale 1 it trades places with the base.
  if (index && index.num === 4 && index.size !== 2) {
    if (scale === 1 && base && base.num !== 4) [base, index] = [index, base];
    else if (scale === 1 && !base) [base, index] = [index, null];
    else return bad;
  }

  const sizes = [base, index].filter((r): r is RegInfo => r !== null).map((r) => r.size);
  if (sizes.length === 2 && sizes[0] !== sizes[1]) return 'impossible combination of address sizes';
  const noRegs = sizes.length === 0;
  // An absolute address takes its size from a16/a32 or from `word`/`dword` on it ([word 0x1234] in bits 32).
  let absSize: number = bits;
  if (bits !== 64 && m.dispSize === 2) absSize = 16;
  else if (bits === 16 && m.dispSize === 4) absSize = 32;
  else if (bits !== 64 && m.dispSize === 8) return 'impossible combination of address sizes';
  const asize = (noRegs ? userAsz || absSize : sizes[0]! * 8) as 16 | 32 | 64;
  if (!noRegs && userAsz && userAsz !== asize) return 'impossible combination of address sizes';
  if (asize === 64 && bits !== 64) return '64-bit addressing is only available in 64-bit mode';
  if (asize === 16 && bits === 64) return '16-bit addressing is not available in 64-bit mode';
  if ((base?.rex || index?.rex) && bits !== 64) return 'registers r8-r15 exist only in 64-bit mode';

  if (asize === 16) {
    if (m.dispSize === 4 || m.dispSize === 8) return bad;
    if (index && scale !== 1) return bad;
    let mask = 0;
    for (const r of [base, index]) {
      if (!r) continue;
      if (mask & (1 << r.num)) return bad;
      mask |= 1 << r.num;
    }
    const d = BigInt.asIntN(16, m.disp);
    if (mask === 0) {
      if (m.dispKnown && dataOverflows(m.disp, 16)) warnings.push('word data exceeds bounds');
      return { ...base0, asize, noRegs: true, mod: 0, rm: 6, dispLen: 2, disp: d };
    }
    const rm = RM16[mask];
    if (rm === undefined) return bad;
    let dispLen: 0 | 1 | 2;
    if (m.dispSize === 1) dispLen = 1;
    else if (m.dispSize === 2 || !m.dispKnown) dispLen = 2;
    else if (d === 0n && rm !== 6) dispLen = 0;
    else dispLen = fitsSigned(d, 8) ? 1 : 2;
    if (m.dispKnown && dataOverflows(m.disp, dispLen * 8 || 16)) warnings.push(`${SIZE_WORD[dispLen || 2]} data exceeds bounds`);
    return { ...base0, asize, mod: dispLen, rm, dispLen, disp: d };
  }

  if (m.dispSize === 2) return bad;
  if (m.dispSize === 8 && !noRegs) return bad;
  const d = BigInt.asIntN(32, m.disp);
  // A disp32 that 64-bit addressing sign-extends must fit signed 32 bits.
  const d32Overflows = m.dispKnown && (asize === 64 ? !fitsSigned(BigInt.asIntN(64, m.disp), 32) : dataOverflows(m.disp, 32));

  if (noRegs) {
    if (m.rel && bits === 64) return { ...base0, asize, noRegs: false, mod: 0, rm: 5, dispLen: 4, ripRel: true };
    const preferMoffs = m.dispSize === 8;
    if (d32Overflows) warnings.push('dword data exceeds bounds');
    if (bits === 64) return { ...base0, asize, noRegs: true, mod: 0, rm: 4, sib: 0x25, dispLen: 4, disp: d, preferMoffs };
    return { ...base0, asize, noRegs: true, mod: 0, rm: 5, dispLen: 4, disp: d, preferMoffs };
  }

  const ss = SCALE_BITS[scale];
  if (ss === undefined) return bad;
  if (!base) {
    // Index only: SIB with no base, always a disp32.
    if (d32Overflows) warnings.push('dword data exceeds bounds');
    return { ...base0, asize, mod: 0, rm: 4, sib: (ss << 6) | ((index!.num & 7) << 3) | 5, rexX: index!.num >= 8, dispLen: 4, disp: d };
  }
  let dispLen: 0 | 1 | 4;
  if (m.dispSize === 1) dispLen = 1;
  else if (m.dispSize === 4 || !m.dispKnown) dispLen = 4;
  else if (d === 0n && (base.num & 7) !== 5) dispLen = 0;
  else dispLen = fitsSigned(d, 8) ? 1 : 4;
  if (dispLen === 1 && m.dispKnown && dataOverflows(m.disp, 8)) warnings.push('byte data exceeds bounds');
  if (dispLen === 4 && d32Overflows) warnings.push('dword data exceeds bounds');
  const mod = dispLen === 0 ? 0 : dispLen === 1 ? 1 : 2;
  if (index || (base.num & 7) === 4) {
    const sib = (ss << 6) | (((index ? index.num : 4) & 7) << 3) | (base.num & 7);
    return { ...base0, asize, mod, rm: 4, sib, rexX: !!index && index.num >= 8, rexB: base.num >= 8, dispLen, disp: d };
  }
  return { ...base0, asize, mod, rm: base.num & 7, rexB: base.num >= 8, dispLen, disp: d };
}

// ---------------------------------------------------------------------------------------------
// Matching one form

interface State {
  bits: Bits;
  ctx: EncodeContext;
  mnemonicSize: number; // bytes, 0 = none
  userOsz: number; // bytes
  userAsz: number; // bits
  lock: boolean;
  rep: number;
  seg: number;
  strictJump: 'short' | 'near' | 'far' | null;
}

interface Cand {
  form: Form;
  perm: number;
  /** Actual operands aligned with form.operands. */
  ops: AOp[];
  osz: number;
  pinned: boolean;
  /** memSize the form gives an unsized memory operand (0 = any), or -1. */
  unsizedMem: number;
  penalty: number;
  prefer: number;
  /** REX.W that the form does not ask for (`mov ss, qword [x]`). */
  forceW: boolean;
  warnings: string[];
  bytes: Uint8Array;
  fixups: Fixup[];
}

const EMPTY = new Uint8Array(0);

/** The form's operand size in bytes in this mode (0: the form has none). */
function formOsz(f: Form, bits: Bits): number {
  if (f.opSize) return f.opSize / 8;
  if (f.size64 && bits === 64) return 8;
  return 0;
}

const isFarMem = (fo: FormOperand): boolean => fo.kind === OpKind.Mem && /^m16:/.test(fo.text);

/** The operand size a form with no sizing operand gets by default in this mode (bytes). */
function defaultOsz(f: Form, bits: Bits): number {
  if (bits === 64) {
    if (f.size64) return 8;
    // NASM: `jmp far [mem]` / `call far [mem]` in 64-bit mode are m16:64.
    if (f.operands.some(isFarMem)) return 8;
    return 4;
  }
  return bits === 32 ? 4 : 2;
}

/**
 * Explicit sizes NASM accepts on an immediate for a form's field: `exact` selects the field as it
 * is (also with `strict`); `shrink` lets a non-strict sized value use a sign-extended imm8 field
 * when it fits (`add eax, dword 1` is 83 /0 ib).
 */
function immSizes(f: Form, fs: number, os: number, signed: boolean): { exact: number[]; shrink: number[] } {
  if (!signed || os === 0 || fs >= os) return { exact: [fs], shrink: [] };
  const m = f.mnemonic;
  if (fs === 4 && os === 8) {
    // imm32 sign-extended to 64 bits: NASM calls it qword for arithmetic, dword for MOV.
    if (m === 'MOV') return { exact: [4, 8], shrink: [] };
    if (m === 'IMUL' || m === 'PUSH') return { exact: [4, 8], shrink: [] };
    return { exact: [8], shrink: [] };
  }
  // fs === 1: a sign-extended imm8
  if (os === 8) return { exact: [1], shrink: m === 'PUSH' ? [4, 8] : [8] };
  return { exact: [1], shrink: [os] };
}

/** The size keywords NASM accepts on a memory operand (see MEM_SIZE_OVERRIDE). */
function memSizes(f: Form, fo: FormOperand): number[] {
  const o = MEM_SIZE_OVERRIDE[f.id];
  if (o) return o;
  if (fo.kind === OpKind.RegMem) return [fo.memSize];
  if (isFarMem(fo) && (f.mnemonic === 'JMP' || f.mnemonic === 'CALL')) return [fo.size - 2]; // `jmp far dword [x]`: the offset's size
  if (/[&:]/.test(fo.text) || fo.size === 0) return [];
  return [fo.size];
}

function matchMemSize(f: Form, fo: FormOperand, ao: MemOp, c: Cand): string | null {
  const size = fo.kind === OpKind.RegMem ? fo.memSize : fo.size;
  if (!ao.m.size) {
    c.unsizedMem = size;
    return null;
  }
  if (!memSizes(f, fo).includes(ao.m.size)) return ERR_MISMATCH;
  c.pinned = true;
  if (ao.m.size === 8 && f.id === 'Mov_sreg_rm16') c.forceW = true; // `mov ss, qword [x]`
  return null;
}

/** Checks an immediate against a form's imm operand; returns an error or null, and notes penalties. */
function matchImm(f: Form, fo: FormOperand, ao: ImmOp, os: number, c: Cand): string | null {
  const fs = fo.size;
  const signed = f.immSigned && fo.kind === OpKind.Imm;
  // "full": the field holds every value of the operation (imm32 sign-extended counts for 64-bit).
  const full = !signed || os === 0 || fs >= os || (fs === 4 && os === 8);
  // NASM reduces the value to the operation size (32 bits for 64-bit operations) before testing imm8.
  const sbyteFits = ao.known && fitsSigned(BigInt.asIntN(Math.min(os || fs, 4) * 8, ao.v), 8);
  if (ao.size) {
    if (IMM_UNSIZED.has(f.mnemonic)) return ERR_MISMATCH;
    const sizes = immSizes(f, fs, os, signed);
    if (sizes.exact.includes(ao.size)) {
      // `mov r64, strict qword x` is B8+r io, not C7 /0 id.
      if (ao.strict && ao.size === 8 && fs === 4) c.penalty += 1;
    } else if (sizes.shrink.includes(ao.size) && !ao.strict) {
      if (!full && !sbyteFits) return ERR_INVALID;
      if (full && !ao.known) c.penalty += 1;
    } else return ERR_MISMATCH;
    if (ao.size !== 1 || os <= 1) c.pinned = true;
  } else if (!full) {
    if (!sbyteFits) return ERR_INVALID;
  }
  if (!ao.known) {
    // A field that cannot hold every value loses to one that can (mov r64: imm64 over imm32).
    if (fs === 4 && os === 8) c.penalty += 1;
    return null;
  }
  // Value range: NASM truncates with a warning; a form that truncates loses to one that does not.
  const v64 = BigInt.asIntN(64, ao.v);
  const warn = (...w: string[]) => {
    c.warnings.push(...w);
    c.penalty += 1;
  };
  if (signed && fs === 1 && os > 1) {
    if (os === 8 ? !fitsSigned(v64, 32) : dataOverflows(ao.v, os * 8)) warn(os === 8 ? 'signed dword value exceeds bounds' : `${SIZE_WORD[os]} value exceeds bounds`);
    else if (ao.size === 1 && !fitsSigned(BigInt.asIntN(os * 8, ao.v), 8)) warn('signed byte value exceeds bounds');
  } else if (signed && fs === 4 && os === 8) {
    if (!fitsSigned(v64, 32)) warn('signed dword immediate exceeds bounds', 'dword data exceeds bounds');
  } else if (fs < 8 && (dataOverflows(ao.v, fs * 8) || (!signed && fs === 1 && v64 < 0n))) warn(`${SIZE_WORD[fs]} data exceeds bounds`);
  return null;
}

/** An empty set that is never added to. */
const NO_SIZES: ReadonlySet<number> = new Set<number>();

const SCRATCH: Cand = { form: null as unknown as Form, perm: 0, ops: [], osz: 0, pinned: false, unsizedMem: -1, penalty: 0, prefer: 0, forceW: false, warnings: [], bytes: EMPTY, fixups: [] };

function matchForm(f: Form, ops: AOp[], perm: number, st: State): Cand | string {
  const bits = st.bits;
  if (f.operands.length !== ops.length) return ERR_INVALID;
  const os = formOsz(f, bits);
  // most forms tried do not match: check into one scratch candidate, copy it only on a match
  const c = SCRATCH;
  c.form = f;
  c.perm = perm;
  c.ops = ops;
  c.osz = os;
  c.pinned = false;
  c.unsizedMem = -1;
  c.penalty = 0;
  c.prefer = 0;
  c.forceW = false;
  c.warnings.length = 0;
  const jmpCall = f.mnemonic === 'JMP' || f.mnemonic === 'CALL';
  let far = false;
  for (let i = 0; i < ops.length; i++) {
    const fo = f.operands[i]!;
    const ao = ops[i]!;
    switch (fo.kind) {
      case OpKind.Reg:
      case OpKind.OpReg: {
        if (ao.k !== 'reg' || ao.r.cls !== 'gpr' || ao.r.size !== fo.size) return ERR_INVALID;
        c.pinned = true;
        break;
      }
      case OpKind.RegMem: {
        const regOnly = REG_ONLY.has(f.index);
        if (ao.k === 'reg') {
          if (f.modRestrict === 1) return ERR_INVALID;
          const want = RM_REG_SIZES[f.id] ?? [fo.size || os];
          if (ao.r.cls !== 'gpr' || !want.includes(ao.r.size)) return ERR_INVALID;
          c.pinned = true;
        } else if (ao.k === 'mem') {
          if (regOnly) return ERR_INVALID;
          const e = matchMemSize(f, fo, ao, c);
          if (e) return e;
        } else return ERR_INVALID;
        break;
      }
      case OpKind.Mem: {
        if (ao.k !== 'mem') return ERR_INVALID;
        if (isFarMem(fo) && jmpCall) {
          if (st.strictJump !== 'far') return ERR_INVALID;
          far = true;
        }
        const e = matchMemSize(f, fo, ao, c);
        if (e) return e;
        break;
      }
      case OpKind.Moffs: {
        if (ao.k !== 'mem' || !ao.ea.noRegs) return ERR_INVALID;
        // `[qword x]` asks for a 64-bit moffs; with a32 (or `[dword x]` in 64-bit code) there is none.
        if (ao.m.dispSize && ao.m.dispSize * 8 !== ao.ea.asize) return ERR_INVALID;
        if (ao.m.size) {
          if (ao.m.size !== fo.size) return ERR_MISMATCH;
          c.pinned = true;
        } else c.unsizedMem = fo.size;
        break;
      }
      case OpKind.Imm:
      case OpKind.Imm2: {
        if (ao.k !== 'imm') return ERR_INVALID;
        const e = matchImm(f, fo, ao, os, c);
        if (e) return e;
        break;
      }
      case OpKind.One: {
        if (ao.k !== 'imm' || !ao.known || ao.v !== 1n || ao.size) return ERR_INVALID;
        break;
      }
      case OpKind.Rel: {
        if (ao.k !== 'imm' || st.strictJump === 'far') return ERR_INVALID;
        if (fo.size === 1) {
          if (st.strictJump === 'near') return ERR_INVALID;
          // An unknown target gets the long form where there is one (LOOP/JrCXZ have only rel8).
          if (!ao.known && st.strictJump !== 'short') c.penalty += 1;
        } else if (st.strictJump === 'short') return ERR_INVALID;
        break;
      }
      case OpKind.FarPtr: {
        if (ao.k !== 'far') return ERR_INVALID;
        if (ao.size) {
          if (ao.size !== fo.size - 2) return ERR_MISMATCH;
          c.pinned = true;
        }
        break;
      }
      case OpKind.Fixed: {
        if (ao.k !== 'reg') return ERR_INVALID;
        if (fo.seg) {
          if (ao.r.cls !== 'seg' || ao.r.num !== fo.reg) return ERR_INVALID;
        } else {
          if (ao.r.cls !== 'gpr' || ao.r.high8 || ao.r.num !== fo.reg || ao.r.size !== fo.size) return ERR_INVALID;
          if (fo.text !== 'CL' && fo.text !== 'DX') c.pinned = true;
        }
        break;
      }
      case OpKind.Sreg: {
        if (ao.k !== 'reg' || ao.r.cls !== 'seg') return ERR_INVALID;
        break;
      }
      case OpKind.Cr: {
        if (ao.k !== 'reg' || ao.r.cls !== 'cr') return ERR_INVALID;
        break;
      }
      case OpKind.Dr: {
        if (ao.k !== 'reg' || ao.r.cls !== 'dr') return ERR_INVALID;
        break;
      }
      default:
        return ERR_INVALID;
    }
  }
  if (jmpCall && st.strictJump === 'far' && !far && !ops.some((o) => o.k === 'far')) return ERR_INVALID;
  // Moffs preference for [qword addr]: the ModRM forms lose.
  const mem = ops.find((o): o is MemOp => o.k === 'mem');
  if (mem?.ea.preferMoffs && !f.moffs) c.prefer = 1;
  // In 64-bit mode 90 is NOP: `xchg eax, eax` is 87 C0.
  if (f.mnemonic === 'XCHG' && f.opReg && bits === 64 && os === 4) {
    const r = ops.find((o, i): o is RegOp => f.operands[i]!.kind === OpKind.OpReg && o.k === 'reg');
    if (r && r.r.num === 0) return ERR_INVALID;
  }
  return { ...c, warnings: c.warnings.slice(), bytes: EMPTY, fixups: [] };
}

// ---------------------------------------------------------------------------------------------
// Laying out the bytes of one candidate

function le(out: number[], v: bigint, n: number): void {
  let x = BigInt.asUintN(n * 8, v);
  for (let i = 0; i < n; i++) {
    out.push(Number(x & 0xffn));
    x >>= 8n;
  }
}

function layout(c: Cand, st: State): string | null {
  const f = c.form;
  const bits = st.bits;
  const ops = c.ops;
  const warnings = c.warnings;

  let regField: RegInfo | null = null; // ModRM.reg operand
  let rmReg: RegInfo | null = null;
  let ea: EA | null = null;
  let moffs: EA | null = null;
  let opReg: RegInfo | null = null;
  for (let i = 0; i < ops.length; i++) {
    const fo = f.operands[i]!;
    const ao = ops[i]!;
    if (fo.kind === OpKind.Reg || fo.kind === OpKind.Sreg || fo.kind === OpKind.Cr || fo.kind === OpKind.Dr) regField = (ao as RegOp).r;
    else if (fo.kind === OpKind.OpReg) opReg = (ao as RegOp).r;
    else if (fo.kind === OpKind.RegMem || fo.kind === OpKind.Mem) {
      if (ao.k === 'reg') rmReg = ao.r;
      else if (ao.k === 'mem') ea = ao.ea;
    } else if (fo.kind === OpKind.Moffs) moffs = (ao as MemOp).ea;
  }
  if (ea) {
    warnings.push(...ea.warnings);
    const mem = ops.find((o): o is MemOp => o.k === 'mem')!;
    const ds = mem.m.dispSize;
    if (ds && (ea.noRegs || ea.ripRel) && ds !== ea.dispLen) warnings.push('displacement size ignored on absolute address');
  }

  // Legacy prefixes, in NASM's order: REP, LOCK, segment, 66, 67, then the mandatory prefix.
  const out: number[] = [];
  // CR8-CR15 outside 64-bit mode: a LOCK before the opcode stands for REX.R (AMD), as NASM writes it.
  const crLock = regField?.cls === 'cr' && regField.num >= 8 && bits !== 64;
  if (crLock && st.lock) return 'invalid lock prefix';
  if (st.rep) out.push(st.rep);
  if (st.lock) out.push(0xf0);
  if (st.seg >= 0) out.push(SEG_PREFIX[st.seg]!);
  const eaSeg = (ea ?? moffs)?.seg ?? -1;
  if (eaSeg >= 0 && eaSeg !== st.seg) out.push(SEG_PREFIX[eaSeg]!);
  // Operand size: an o16/o32/o64 prefix (or a sized mnemonic, retw) replaces the form's own choice.
  const osz = st.userOsz;
  let need66 = osz ? (bits === 16 ? osz === 4 : osz === 2) : bits === 16 ? f.opSize === 32 : f.opSize === 16;
  if (bits === 16 && !osz && NO_66_IN_16.has(f.id)) need66 = false;
  if (bits === 16 && !osz && ADD_66_IN_16.has(f.id) && f.operands.length) need66 = true;
  if (need66 && !(f.mandatory === 0x66 && !osz)) out.push(0x66); // the form's mandatory 66 serves as its size prefix too
  const asz = ea ? ea.asize : moffs ? moffs.asize : f.addrSize || st.userAsz || bits;
  if (asz !== bits || (st.userAsz && st.userAsz !== bits)) out.push(0x67);
  if (crLock) out.push(0xf0);
  if (f.mandatory > 0) out.push(f.mandatory);

  // REX
  let rex = 0;
  if ((f.opSize === 64 && !(rmReg && REG_NO_W.has(f.id))) || c.forceW || (st.userOsz === 8 && !o64WithoutW(c))) rex |= 8;
  if (regField && regField.cls !== 'seg' && regField.num >= 8 && !(regField.cls === 'cr' && bits !== 64)) rex |= 4;
  if (rmReg && rmReg.num >= 8) rex |= 1;
  if (opReg && opReg.num >= 8) rex |= 1;
  if (ea) rex |= (ea.rexX ? 2 : 0) | (ea.rexB ? 1 : 0);
  const regs = ops.filter((o): o is RegOp => o.k === 'reg').map((o) => o.r);
  const needRex = rex !== 0 || regs.some((r) => r.cls === 'gpr' && r.rex && r.size === 1);
  if (needRex) {
    if (bits !== 64) return 'instruction needs a REX prefix, which exists only in 64-bit mode';
    if (regs.some((r) => r.high8)) return 'cannot use high byte register (ah, bh, ch, dh) in an instruction that needs a REX prefix';
    out.push(0x40 | rex);
  }
  if (bits !== 64 && regs.some((r) => r.rex)) return 'registers r8-r15, spl, bpl, sil, dil exist only in 64-bit mode';

  // Opcode
  const opc = f.opcode.slice();
  if (f.opReg) opc[opc.length - 1]! += opReg!.num & 7;
  out.push(...opc);

  // ModRM, SIB, displacement
  let dispPos = -1;
  if (f.modrm >= 0) {
    const regBits = f.modrm === 8 ? (regField ? regField.num & 7 : 0) : f.modrm === 9 ? 0 : f.modrm;
    if (rmReg) out.push(0xc0 | (regBits << 3) | (rmReg.num & 7));
    else if (ea) {
      out.push((ea.mod << 6) | (regBits << 3) | ea.rm);
      if (ea.sib >= 0) out.push(ea.sib);
      dispPos = out.length;
      le(out, ea.disp, ea.dispLen);
    } else return ERR_INVALID;
  }
  const fixups: Fixup[] = [];
  const memOp = ops.find((o): o is MemOp => o.k === 'mem');
  if (ea && ea.dispLen && !ea.dispKnown) {
    fixups.push({ offset: dispPos, size: ea.dispLen as 1 | 2 | 4, pcRel: ea.ripRel, signed: ea.ripRel || ea.asize === 64 || ea.dispLen === 1, operand: memOp!.index, field: 'disp' });
  }
  if (moffs) {
    const n = moffs.asize / 8;
    const pos = out.length;
    le(out, memOp!.m.disp, n);
    if (moffs.dispKnown && n < 8 && dataOverflows(memOp!.m.disp, n * 8)) warnings.push(`${SIZE_WORD[n]} data exceeds bounds`);
    if (!moffs.dispKnown) fixups.push({ offset: pos, size: n as 2 | 4 | 8, pcRel: false, signed: false, operand: memOp!.index, field: 'disp' });
  }

  // Immediates, relative offsets, far pointers, in operand order.
  let si = 0;
  const rels: { pos: number; n: number; op: ImmOp }[] = [];
  for (let i = 0; i < ops.length; i++) {
    const fo = f.operands[i]!;
    const ao = ops[i]!;
    if (fo.kind === OpKind.Imm || fo.kind === OpKind.Imm2) {
      const n = f.immSizes[si++]!;
      const imm = ao as ImmOp;
      const pos = out.length;
      le(out, imm.v, n);
      if (!imm.known) fixups.push({ offset: pos, size: n as 1 | 2 | 4 | 8, pcRel: false, signed: f.immSigned && fo.kind === OpKind.Imm && n < c.osz, operand: imm.index, field: fo.kind === OpKind.Imm2 ? 'imm2' : 'imm' });
    } else if (fo.kind === OpKind.Rel) {
      const n = f.immSizes[si++]!;
      rels.push({ pos: out.length, n, op: ao as ImmOp });
      le(out, 0n, n);
    } else if (fo.kind === OpKind.FarPtr) {
      const n = f.immSizes[si++]!;
      si++;
      const fp = ao as FarOp;
      const pos = out.length;
      le(out, fp.off, n);
      le(out, fp.seg, 2);
      if (!fp.known) fixups.push({ offset: pos, size: n as 2 | 4, pcRel: false, signed: false, operand: fp.index, field: 'imm' });
      if (!fp.segKnown) fixups.push({ offset: pos + n, size: 2, pcRel: false, signed: false, operand: fp.index, field: 'imm2' });
      if (fp.known && !fitsEither(fp.off, n * 8)) warnings.push(`${SIZE_WORD[n]} data exceeds bounds`);
    }
  }

  // Now the length is known: relative fields.
  const end = st.ctx.address + BigInt(out.length);
  for (const r of rels) {
    const d = r.op.v - end;
    if (r.n === 1) {
      if (r.op.known && !fitsSigned(d, 8)) return 'short jump is out of range';
    } else if (r.n === 4 && bits === 64 && r.op.known && !fitsSigned(d, 32)) return 'jump target out of range';
    else if (r.n === 2 && r.op.known && dataOverflows(d, 16)) warnings.push('word data exceeds bounds');
    const tmp: number[] = [];
    le(tmp, d, r.n);
    out.splice(r.pos, r.n, ...tmp);
    if (!r.op.known) fixups.push({ offset: r.pos, size: r.n as 1 | 2 | 4, pcRel: true, signed: true, operand: r.op.index, field: 'rel' });
  }
  if (ea?.ripRel) {
    const d = ea.ripRaw ? ea.disp : ea.disp - end;
    if (ea.dispKnown && !fitsSigned(d, 32)) return 'RIP-relative address out of range';
    const tmp: number[] = [];
    le(tmp, d, 4);
    out.splice(dispPos, 4, ...tmp);
  }
  c.bytes = Uint8Array.from(out);
  c.fixups = fixups;
  return null;
}

// ---------------------------------------------------------------------------------------------
// encode()

function fail(error: string, operand?: number): EncodeResult {
  return operand === undefined ? { ok: false, error } : { ok: false, error, operand };
}

/** Error messages by how much they say (the most specific one is reported). */
const ERROR_RANK = (e: string): number => (e === ERR_INVALID ? 0 : e === ERR_MISMATCH ? 1 : 2);

/**
 * Encodes one instruction as NASM would in a `bits` 16/32/64 section at `ctx.address`.
 * Relative branch operands hold the target address; see the header comment for the multi-pass
 * contract and what `known` means.
 */
export function encode(ins: AsmInstruction, ctx: EncodeContext): EncodeResult {
  const bits = ctx.bits;
  const st: State = { bits, ctx, mnemonicSize: 0, userOsz: 0, userAsz: 0, lock: false, rep: 0, seg: -1, strictJump: ins.strictJump ?? null };
  // Prefixes: one of each group (a repeated one is redundant, two different ones conflict).
  const groups = new Map<string, string>();
  const warnings: string[] = [];
  for (const p0 of ins.prefixes) {
    const p = p0.toLowerCase();
    const g = p === 'lock' ? 'lock' : /^rep/.test(p) ? 'rep' : /^o\d/.test(p) ? 'o' : /^a\d/.test(p) ? 'a' : 'seg';
    const prev = groups.get(g);
    if (prev !== undefined && prev !== p) return fail('instruction has conflicting prefixes');
    if (prev !== undefined) warnings.push('instruction has redundant prefixes');
    groups.set(g, p);
    if (p === 'lock') st.lock = true;
    else if (p === 'rep' || p === 'repe' || p === 'repz') st.rep = 0xf3;
    else if (p === 'repne' || p === 'repnz') st.rep = 0xf2;
    else if (p === 'o16' || p === 'o32' || p === 'o64') {
      st.userOsz = +p.slice(1) / 8;
      if (p === 'o64' && bits !== 64) return fail('o64 prefix is only available in 64-bit mode');
    } else if (p === 'a16' || p === 'a32' || p === 'a64') {
      st.userAsz = +p.slice(1);
      if (p === 'a64' && bits !== 64) return fail('a64 prefix is only available in 64-bit mode');
      if (p === 'a16' && bits === 64) return fail('a16 prefix is not available in 64-bit mode');
    } else if (SEG_NUM[p] !== undefined) st.seg = SEG_NUM[p]!;
    else return fail(`unknown prefix '${p0}'`);
  }
  const info = lookupMnemonic(ins.mnemonic);
  if (!info) return fail(`unknown instruction '${ins.mnemonic}'`);
  if (info.not64 && bits === 64) return fail('instruction not supported in 64-bit mode');
  st.mnemonicSize = info.opSize / 8;
  if (st.seg >= 0 && ins.operands.some((o) => o.kind === 'mem' && o.seg)) return fail('instruction has conflicting segment overrides');
  // NASM takes no `short`/`near` on the branches that only have a rel8 form.
  if ((st.strictJump === 'short' || st.strictJump === 'near') && info.table.some((t) => /^(LOOP|J[ER]?CXZ)/.test(t))) return fail(ERR_MISMATCH);

  // Operands
  let ops: AOp[] = [];
  for (let i = 0; i < ins.operands.length; i++) {
    const o = ins.operands[i]!;
    if (o.kind === 'reg') {
      const r = lookupRegister(o.name);
      if (!r) return fail(`unknown register '${o.name}'`, i);
      if (r.cls === 'rip') return fail('rip can only be used in a memory operand', i);
      if (bits !== 64 && r.cls === 'gpr' && (r.size === 8 || r.rex)) return fail(`instruction not supported in ${bits}-bit mode`, i);
      ops.push({ k: 'reg', r, index: i });
    } else if (o.kind === 'mem') {
      const ea = computeEA(o, bits, st.userAsz);
      if (typeof ea === 'string') return fail(ea, i);
      ops.push({ k: 'mem', m: o, ea, index: i });
    } else if (o.kind === 'imm') {
      ops.push({ k: 'imm', v: o.value, size: o.size, strict: o.strict, known: o.known, index: i });
    } else {
      ops.push({ k: 'far', seg: o.segment, off: o.offset, known: o.known, segKnown: o.segmentKnown ?? true, size: o.size ?? 0, index: i });
    }
  }

  // An o64 prefix on an instruction with a 64-bit register says nothing more (`o64 mov rax, cr0` has no REX.W).
  if (st.userOsz === 8 && ops.some((o) => o.k === 'reg' && o.r.cls === 'gpr' && o.r.size === 8)) st.userOsz = 0;

  // NASM: `mov r64, imm` with a known value that zero-extends from 32 bits is `mov r32, imm32`.
  if (bits === 64 && info.table.includes('MOV') && ops.length === 2) {
    const [d, s] = ops;
    if (d?.k === 'reg' && d.r.cls === 'gpr' && d.r.size === 8 && s?.k === 'imm' && s.known && !s.strict && (s.size === 0 || s.size === 8)) {
      const v = BigInt.asIntN(64, s.v);
      if (v >= 0n && v < 1n << 32n) ops = [{ ...d, r: { ...d.r, size: 4 } }, { ...s, size: 0 }];
    }
  }
  // NASM: `imul r, imm` is `imul r, r, imm`.
  if (info.table[0] === 'IMUL' && ops.length === 2 && ops[0]!.k === 'reg' && ops[1]!.k === 'imm') ops = [ops[0]!, ops[0]!, ops[1]!];

  let forms = FORMS_OF.get(info);
  if (!forms) FORMS_OF.set(info, (forms = info.table.flatMap((t) => BY_MNEMONIC.get(t) ?? [])));
  // NASM's operand-less UD0/UD1 (and UD2B, its name for UD1): the opcode alone, no ModRM byte.
  if (!ops.length && (info.table[0] === 'UD0' || info.table[0] === 'UD1')) {
    const f = forms[0]!;
    forms = [{ ...f, operands: [], modrm: -1, modRestrict: 0, opSize: 0, size64: '', immSizes: [] }];
    if (info.table[0] === 'UD0') warnings.push('instruction obsolete and removed from the target CPU');
  }
  // XCHG and TEST take their operands in either order; for two registers NASM puts XCHG's first
  // operand in ModRM.reg (`xchg ecx, ebx` is 87 CB) and TEST's second (`test ecx, ebx` is 85 D9).
  const perms: AOp[][] = [ops];
  if (ops.length === 2 && info.table[0] === 'TEST') perms.push([ops[1]!, ops[0]!]);
  if (ops.length === 2 && info.table[0] === 'XCHG') perms.unshift([ops[1]!, ops[0]!]);

  let cands: Cand[] = [];
  let bestErr = ERR_INVALID;
  const inMode = (f: Form) => (bits === 64 ? f.mode64 : f.mode32 || NASM_ANY_MODE.has(f.id));
  for (const f of forms) {
    if (f.operands.length !== ops.length || !inMode(f)) continue;
    for (let p = 0; p < perms.length; p++) {
      const r = matchForm(f, perms[p]!, p, st);
      if (typeof r !== 'string') cands.push(r);
      else if (ERROR_RANK(r) > ERROR_RANK(bestErr)) bestErr = r;
    }
  }
  if (!cands.length) {
    // Would a form of the other mode take it?
    const other = { ...st, bits: (bits === 64 ? 32 : 64) as Bits };
    const otherMode = forms.some((f) => !inMode(f) && f.operands.length === ops.length && perms.some((ops2, p) => typeof matchForm(f, ops2, p, other) !== 'string'));
    if (otherMode && bestErr === ERR_INVALID) return fail(`instruction not supported in ${bits}-bit mode`);
    return fail(bestErr);
  }

  // An unsized memory operand read at different sizes by the candidates: ambiguous, unless a size
  // keyword on the (value) immediate says it (`add [rax], byte 1` is a byte operation).
  let unsized = cands.some((c) => c.unsizedMem > 0) ? new Set(cands.filter((c) => c.unsizedMem > 0).map((c) => c.unsizedMem)) : NO_SIZES;
  const hint = ops.find((o): o is ImmOp => o.k === 'imm' && o.size > 0);
  if (hint?.size === 8 && cands.some((c) => c.unsizedMem > 0 && c.form.immSigned)) return fail(ERR_SIZE);
  if (unsized.size > 1 && hint) {
    // Not for qword: the 64-bit forms' imm32 field is no qword (`add [rax], qword 1` is an error).
    const fieldOk = (c: Cand) => c.form.operands.some((o) => o.kind === OpKind.Imm && (o.size === hint.size || o.size === 1));
    const hinted = hint.size === 8 ? [] : cands.filter((c) => c.unsizedMem === hint.size && c.form.immSigned && fieldOk(c));
    if (hinted.length) {
      cands = hinted;
      unsized = new Set([hint.size]);
    }
  }
  if (unsized.size > 1 && !(info.table.includes('JMP') || info.table.includes('CALL'))) return fail(ERR_SIZE);

  // Forms whose operand size no operand fixes take the default operand size of the mode (or the
  // one a sized mnemonic asks for), when the candidates offer several sizes. An o16/o32/o64 prefix
  // picks nothing: it only replaces the form's operand-size prefix (`o16 push 1000` is 66 68 id).
  const want = st.mnemonicSize;
  const free = cands.filter((c) => !c.pinned && c.osz);
  if (new Set(free.map((c) => c.osz)).size > 1) {
    const sized = (w: number) => cands.filter((c) => c.pinned || c.osz === 0 || c.osz === (w || defaultOsz(c.form, bits)));
    const kept = sized(want);
    if (!kept.length) return fail(`instruction not supported in ${bits}-bit mode`);
    cands = kept;
  } else if (st.mnemonicSize && !st.userOsz && free.length && free[0]!.osz !== st.mnemonicSize) {
    // A sized mnemonic with no form of its size in this mode is the plain one with a prefix (retw = o16 ret).
    st.userOsz = st.mnemonicSize;
  }

  // Lay out the candidates, the least penalised first, and pick the best.
  cands.sort((a, b) => a.penalty - b.penalty || a.prefer - b.prefer);
  let best: Cand | null = null;
  let layoutErr = '';
  for (const c of cands) {
    if (best && (c.penalty > best.penalty || c.prefer > best.prefer)) break;
    const e = layout(c, st);
    if (e) {
      layoutErr ||= e;
      continue;
    }
    if (!best || better(c, best)) best = c;
  }
  if (!best) return fail(layoutErr || ERR_INVALID);
  // REPNE before a near branch is MPX's BND prefix: NASM refuses it as REPNE (except on a jump it
  // shortened itself).
  if (st.rep === 0xf2) {
    const f = best.form;
    const near = (f.mnemonic === 'JMP' || f.mnemonic === 'CALL' || f.mnemonic === 'RET' || /^J(?!.*CXZ$)/.test(f.mnemonic)) && !f.operands.some((o) => o.kind === OpKind.FarPtr || isFarMem(o));
    const relaxed = f.immSizes[0] === 1 && f.operands[0]?.kind === OpKind.Rel && (st.strictJump !== 'short' || f.mnemonic === 'JMP');
    if (near && !relaxed) return fail('repne prefix is not allowed');
  }
  // NASM's warnings about prefixes.
  const bf = best.form;
  const userO = groups.get('o');
  const reg64 = ins.operands.some((o) => o.kind === 'reg' && lookupRegister(o.name)?.size === 8);
  const sizedForm = (best.pinned && !reg64) || (!bf.operands.length && bf.opSize && info.table.length === 1);
  if (userO && sizedForm && (best.osz === 2 || best.osz === 4) && +userO.slice(1) !== best.osz * 8) warnings.push(`invalid operand size prefix, must be o${best.osz * 8}`);
  const rmMem = best.ops.some((o, i) => o.k === 'mem' && (bf.operands[i]!.kind === OpKind.RegMem || bf.operands[i]!.kind === OpKind.Mem));
  if (st.lock && !(bf.lock && rmMem)) warnings.push('instruction is not lockable');
  if (bits === 64) {
    const segs = st.seg >= 0 || ops.some((o) => o.k === 'mem' && o.ea.seg >= 0) ? new Set<number>([st.seg, ...ops.map((o) => (o.k === 'mem' ? o.ea.seg : -1))]) : NO_SIZES;
    for (const sg of segs) if (sg >= 0 && sg <= 3) warnings.push(`${['es', 'cs', 'ss', 'ds'][sg]} segment base generated, but will be ignored in 64-bit mode`);
  }
  const res: EncodeResult = { ok: true, bytes: best.bytes, formId: best.form.id, fixups: best.fixups };
  const all = [...warnings, ...best.warnings];
  if (all.length) res.warnings = [...new Set(all)];
  return res;
}

/** Whether a imm8 form: the imm is narrower than the operation (sign-extended imm8). */
function sbyteForm(c: Cand): boolean {
  const f = c.form;
  return f.immSigned && f.operands.some((o) => o.kind === OpKind.Imm && o.size === 1) && c.osz > 1;
}

function better(a: Cand, b: Cand): boolean {
  if (a.penalty !== b.penalty) return a.penalty < b.penalty;
  if (a.prefer !== b.prefer) return a.prefer < b.prefer;
  if (a.bytes.length !== b.bytes.length) return a.bytes.length < b.bytes.length;
  const sa = sbyteForm(a), sb = sbyteForm(b);
  if (sa !== sb) return sa;
  if (a.form.index !== b.form.index) return a.form.index < b.form.index;
  return a.perm < b.perm;
}
