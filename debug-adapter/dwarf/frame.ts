// Call frame information (DWARF 5 section 6.4; .eh_frame per the LSB): CIE/FDE parsing with the
// z/L/P/R/S augmentations and DW_EH_PE pointer encodings, the CFA program interpreter (every
// DW_CFA_* instruction, expression rules), and an unwinder that turns one frame's registers into
// its caller's, for code built without frame pointers.

import { DW_CFA, REG_RIP, REG_RSP, regName, regNumber } from './constants';
import { evaluateExpr, formatExpr, type ExprContext } from './expr';
import { DwarfError, errorText, hex, Reader } from './reader';
import type { DwarfSource } from './source';

export interface Cie {
  /** Offset of the CIE in its section. */
  offset: number;
  section: '.eh_frame' | '.debug_frame';
  version: number;
  augmentation: string;
  addressSize: number;
  segmentSize: number;
  codeAlign: number;
  dataAlign: number;
  raReg: number;
  /** DW_EH_PE_* of FDE addresses ('R'); absptr when absent. */
  fdeEncoding: number;
  lsdaEncoding?: number;
  personalityEncoding?: number;
  personality?: bigint;
  /** 'S': the frames this CIE describes are interrupt or signal frames. */
  signalFrame: boolean;
  /** Unknown augmentation: its FDEs cannot be read. */
  unusable?: string;
  instructions: Uint8Array;
  /** Offset of the instructions in the section (for messages). */
  instructionsOffset: number;
  dwarf64: boolean;
  /** Load address of the section (for pc-relative DW_CFA_set_loc). */
  sectionAddress: bigint;
}

export interface Fde {
  offset: number;
  section: '.eh_frame' | '.debug_frame';
  cie: Cie;
  pcBegin: bigint;
  pcEnd: bigint;
  lsda?: bigint;
  instructions: Uint8Array;
  instructionsOffset: number;
}

export type RegisterRule =
  | { kind: 'undefined' }
  | { kind: 'same' }
  | { kind: 'offset'; offset: number }
  | { kind: 'val_offset'; offset: number }
  | { kind: 'register'; reg: number }
  | { kind: 'expression'; expr: Uint8Array }
  | { kind: 'val_expression'; expr: Uint8Array };

export type CfaRule = { kind: 'reg'; reg: number; offset: number } | { kind: 'expr'; expr: Uint8Array } | { kind: 'none' };

export interface CfaRow {
  /** The row applies to [loc, end). */
  loc: bigint;
  end: bigint;
  cfa: CfaRule;
  /** Registers with a rule; a register not here is unspecified. */
  regs: Map<number, RegisterRule>;
  /** DW_CFA_GNU_args_size in effect. */
  argsSize: number;
}

/** DW_EH_PE_* (LSB 4.1, "DWARF Exception Header Encoding"). */
export const DW_EH_PE = {
  absptr: 0x00,
  uleb128: 0x01,
  udata2: 0x02,
  udata4: 0x03,
  udata8: 0x04,
  sleb128: 0x09,
  sdata2: 0x0a,
  sdata4: 0x0b,
  sdata8: 0x0c,
  pcrel: 0x10,
  textrel: 0x20,
  datarel: 0x30,
  funcrel: 0x40,
  aligned: 0x50,
  indirect: 0x80,
  omit: 0xff,
} as const;

interface PointerBases {
  /** Address of section offset 0 (pcrel). */
  section: bigint;
  text?: bigint;
  data?: bigint;
  func?: bigint;
}

/** Read a DW_EH_PE-encoded pointer; `valueOnly` skips the application (FDE address ranges). */
function readEncoded(r: Reader, enc: number, addressSize: number, bases: PointerBases, valueOnly = false): bigint | undefined {
  if (enc === DW_EH_PE.omit) return undefined;
  const at = r.pos;
  const app = enc & 0x70;
  if (!valueOnly && app === DW_EH_PE.aligned) {
    const mis = r.pos % addressSize;
    if (mis) r.skip(addressSize - mis, 'alignment padding');
  }
  const fieldAddr = bases.section + BigInt(r.pos);
  let v: bigint;
  switch (enc & 0x0f) {
    case DW_EH_PE.absptr:
      v = r.addr(addressSize, 'encoded pointer');
      break;
    case DW_EH_PE.uleb128:
      v = r.ulebBig();
      break;
    case DW_EH_PE.udata2:
      v = BigInt(r.u16());
      break;
    case DW_EH_PE.udata4:
      v = BigInt(r.u32());
      break;
    case DW_EH_PE.udata8:
      v = r.u64();
      break;
    case DW_EH_PE.sleb128:
      v = r.slebBig();
      break;
    case DW_EH_PE.sdata2:
      v = BigInt(r.i16());
      break;
    case DW_EH_PE.sdata4:
      v = BigInt(r.i32());
      break;
    case DW_EH_PE.sdata8:
      v = r.i64();
      break;
    default:
      return r.fail(`pointer encoding 0x${enc.toString(16)}: unknown value format`, at);
  }
  if (!valueOnly) {
    switch (app) {
      case 0:
      case DW_EH_PE.aligned:
        break;
      case DW_EH_PE.pcrel:
        v += fieldAddr;
        break;
      case DW_EH_PE.textrel:
        v += bases.text ?? 0n;
        break;
      case DW_EH_PE.datarel:
        v += bases.data ?? 0n;
        break;
      case DW_EH_PE.funcrel:
        v += bases.func ?? 0n;
        break;
      default:
        return r.fail(`pointer encoding 0x${enc.toString(16)}: unknown application`, at);
    }
  }
  return BigInt.asUintN(addressSize * 8, v);
}

export interface CfiTable {
  cies: Cie[];
  fdes: Fde[];
  warnings: string[];
}

/** Parse .eh_frame or .debug_frame. Bad entries are skipped with a warning naming their offset. */
export function parseCfi(src: DwarfSource, section: '.eh_frame' | '.debug_frame'): CfiTable {
  const out: CfiTable = { cies: [], fdes: [], warnings: [] };
  const bytes = src.section(section);
  if (!bytes) return out;
  const eh = section === '.eh_frame';
  const defaultAddressSize = src.is64 ? 8 : 4;
  const bases: PointerBases = {
    section: src.sectionAddress?.(section) ?? 0n,
    text: src.sectionAddress?.('.text'),
    data: src.sectionAddress?.('.got'),
  };
  const cies = new Map<number, Cie | string>();
  const r = new Reader(bytes, section, src.littleEndian);

  const readCie = (offset: number): Cie | string => {
    const known = cies.get(offset);
    if (known !== undefined) return known;
    let result: Cie | string;
    try {
      result = parseCieAt(new Reader(bytes, section, src.littleEndian, offset), section, defaultAddressSize, bases);
      out.cies.push(result);
    } catch (e) {
      result = errorText(e);
      out.warnings.push(`CIE skipped: ${result}`);
    }
    cies.set(offset, result);
    return result;
  };

  let guard = 0;
  while (r.remaining >= 4 && guard++ < 10_000_000) {
    const start = r.pos;
    let end: number;
    let dwarf64: boolean;
    try {
      const il = r.initialLength('length');
      if (il.length === 0) {
        if (eh) break; // the .eh_frame terminator
        continue;
      }
      dwarf64 = il.dwarf64;
      end = r.pos + il.length;
      if (end > bytes.length) {
        out.warnings.push(`${section} at offset ${hex(start)}: length ${hex(il.length)} runs past the end of the section; the rest is skipped`);
        break;
      }
    } catch (e) {
      out.warnings.push(`${errorText(e)}; the rest of ${section} is skipped`);
      break;
    }
    try {
      const idAt = r.pos;
      const id = dwarf64 ? r.u64('CIE id') : BigInt(r.u32('CIE id'));
      const isCie = eh ? id === 0n : id === (dwarf64 ? 0xffffffffffffffffn : 0xffffffffn);
      if (isCie) readCie(start);
      else {
        const cieOffset = eh ? idAt - Number(id) : Number(id);
        if (!(cieOffset >= 0 && cieOffset < bytes.length)) r.fail(`CIE pointer ${hex(id)} points outside the section`, idAt);
        const cie = readCie(cieOffset);
        if (typeof cie === 'string') return r.fail(`its CIE at ${hex(cieOffset)} is unreadable`, start);
        if (cie.unusable) r.fail(`its CIE at ${hex(cieOffset)} has ${cie.unusable}`, start);
        const body = r.slice(r.pos, end);
        out.fdes.push(parseFdeBody(body, start, section, cie, bases));
      }
    } catch (e) {
      out.warnings.push(`entry skipped: ${errorText(e)}`);
    }
    r.pos = end;
  }
  out.cies.sort((a, b) => a.offset - b.offset);
  return out;
}

function parseCieAt(top: Reader, section: Cie['section'], defaultAddressSize: number, bases: PointerBases): Cie {
  const offset = top.pos;
  const { length, dwarf64 } = top.initialLength('CIE length');
  const end = top.pos + length;
  if (end > top.end) top.fail('CIE length runs past the end of the section', offset);
  const r = top.slice(top.pos, end);
  const eh = section === '.eh_frame';
  const id = dwarf64 ? r.u64('CIE id') : BigInt(r.u32('CIE id'));
  if (eh ? id !== 0n : id !== (dwarf64 ? 0xffffffffffffffffn : 0xffffffffn)) r.fail('not a CIE (an FDE points here)', offset);
  const version = r.u8('CIE version');
  if (version !== 1 && version !== 3 && version !== 4) r.fail(`CIE version ${version} is not 1, 3 or 4`, r.pos - 1);
  const augmentation = r.cstr('augmentation');
  let addressSize = defaultAddressSize;
  let segmentSize = 0;
  if (augmentation.includes('eh')) r.skip(defaultAddressSize, 'eh_data');
  if (version === 4) {
    addressSize = r.u8('address_size');
    segmentSize = r.u8('segment_selector_size');
    if (addressSize !== 2 && addressSize !== 4 && addressSize !== 8) r.fail(`address_size ${addressSize}`, r.pos - 2);
  }
  const codeAlign = r.uleb('code_alignment_factor');
  const dataAlign = r.sleb('data_alignment_factor');
  const raReg = version === 1 ? r.u8('return_address_register') : r.uleb('return_address_register');
  const cie: Cie = {
    offset,
    section,
    version,
    augmentation,
    addressSize,
    segmentSize,
    codeAlign,
    dataAlign,
    raReg,
    fdeEncoding: DW_EH_PE.absptr,
    signalFrame: false,
    instructions: new Uint8Array(),
    instructionsOffset: 0,
    dwarf64,
    sectionAddress: bases.section,
  };
  if (augmentation.startsWith('z')) {
    const augLen = r.uleb('augmentation length');
    const augEnd = r.pos + augLen;
    if (augEnd > r.end) r.fail('augmentation data runs past the end of the CIE');
    for (const ch of augmentation.slice(1)) {
      if (ch === 'L') cie.lsdaEncoding = r.u8('LSDA encoding');
      else if (ch === 'R') cie.fdeEncoding = r.u8('FDE encoding');
      else if (ch === 'P') {
        cie.personalityEncoding = r.u8('personality encoding');
        cie.personality = readEncoded(r, cie.personalityEncoding & 0x7f, addressSize, bases);
      } else if (ch === 'S') cie.signalFrame = true;
      else if (ch === 'B' || ch === 'G') continue;
      else break; // unknown: the augmentation length lets us skip the rest
    }
    r.pos = augEnd;
  } else if (/^[SBG]+$/.test(augmentation)) {
    cie.signalFrame = augmentation.includes('S'); // gas in .debug_frame: "S" without "z"
  } else if (augmentation !== '' && augmentation !== 'eh') {
    cie.unusable = `augmentation "${augmentation}" (unknown: its FDEs cannot be parsed)`;
  }
  cie.instructionsOffset = r.pos;
  cie.instructions = r.block(r.remaining, 'initial instructions');
  return cie;
}

function parseFdeBody(r: Reader, offset: number, section: Fde['section'], cie: Cie, bases: PointerBases): Fde {
  const eh = section === '.eh_frame';
  const enc = eh ? cie.fdeEncoding : DW_EH_PE.absptr;
  if (cie.segmentSize) r.skip(cie.segmentSize, 'segment selector');
  const pcBegin = readEncoded(r, enc & 0x7f, cie.addressSize, bases);
  const pcRange = readEncoded(r, enc & 0x0f, cie.addressSize, bases, true);
  if (pcBegin === undefined || pcRange === undefined) r.fail('FDE address encoding is "omit"', offset);
  let lsda: bigint | undefined;
  if (cie.augmentation.startsWith('z')) {
    const augLen = r.uleb('augmentation length');
    const augEnd = r.pos + augLen;
    if (augEnd > r.end) r.fail('augmentation data runs past the end of the FDE');
    if (cie.lsdaEncoding !== undefined && augLen > 0)
      lsda = readEncoded(r, cie.lsdaEncoding & 0x7f, cie.addressSize, { ...bases, func: pcBegin });
    r.pos = augEnd;
  }
  const instructionsOffset = r.pos;
  return {
    offset,
    section,
    cie,
    pcBegin: pcBegin!,
    pcEnd: BigInt.asUintN(cie.addressSize * 8, pcBegin! + pcRange!),
    lsda,
    instructions: r.block(r.remaining, 'instructions'),
    instructionsOffset,
  };
}

// ---------------------------------------------------------------------------------------------

interface State {
  cfa: CfaRule;
  regs: Map<number, RegisterRule>;
  argsSize: number;
}

const cloneState = (s: State): State => ({ cfa: s.cfa, regs: new Map(s.regs), argsSize: s.argsSize });

/** Bound on instructions executed per program (a program cannot loop, but it can be huge). */
const MAX_CFA_INSTRUCTIONS = 1_000_000;
/** Bound on the remember_state stack. */
const MAX_REMEMBERED = 1_000;

/**
 * Run the CIE's initial instructions and then the FDE's, producing the rows of the table for
 * [pcBegin, pcEnd). With `until`, stops at the row that covers that address. Throws DwarfError on
 * malformed instructions.
 */
export function cfaRows(fde: Fde, until?: bigint): CfaRow[] {
  const cie = fde.cie;
  const state: State = { cfa: { kind: 'none' }, regs: new Map(), argsSize: 0 };
  const ctx = { cie, fde };
  execute(cie.instructions, cie.instructionsOffset, state, state, ctx, undefined);
  const initial = cloneState(state);
  const rows: CfaRow[] = [];
  execute(fde.instructions, fde.instructionsOffset, state, initial, ctx, { rows, until });
  return rows;
}

function execute(
  code: Uint8Array,
  codeOffset: number,
  state: State,
  initial: State,
  ctx: { cie: Cie; fde: Fde },
  out: { rows: CfaRow[]; until?: bigint } | undefined,
): void {
  const { cie, fde } = ctx;
  // Instructions are read with section offsets in messages: wrap the bytes at their offset.
  const r = new Reader(code, 'CFA instructions', true);
  let insnStart = 0;
  const at = (): number => codeOffset + insnStart;
  let loc = fde.pcBegin;
  const stack: State[] = [];
  const mask = (v: bigint): bigint => BigInt.asUintN(cie.addressSize * 8, v);
  let steps = 0;
  const fail = (m: string): never => {
    throw new DwarfError(cie.section, at(), m);
  };

  const advanceTo = (next: bigint): boolean => {
    if (!out) return false; // in the CIE, locations do not matter
    if (next < loc) fail(`location goes backwards to ${hex(next)} (from ${hex(loc)})`);
    if (next === loc) return false;
    out.rows.push({ loc, end: next, cfa: state.cfa, regs: new Map(state.regs), argsSize: state.argsSize });
    loc = next;
    return out.until !== undefined && out.until < next;
  };
  const setReg = (reg: number, rule: RegisterRule): void => {
    state.regs.set(reg, rule);
  };
  const restore = (reg: number): void => {
    const rule = initial.regs.get(reg);
    if (rule) state.regs.set(reg, rule);
    else state.regs.delete(reg);
  };
  const codeFactor = BigInt(cie.codeAlign);

  try {
    while (!r.atEnd) {
      if (++steps > MAX_CFA_INSTRUCTIONS) fail('too many CFA instructions');
      insnStart = r.pos;
      const b = r.u8('CFA instruction');
      const high = b & 0xc0;
      const low = b & 0x3f;
      if (high === DW_CFA.advance_loc) {
        if (advanceTo(mask(loc + BigInt(low) * codeFactor))) return;
        continue;
      }
      if (high === DW_CFA.offset) {
        setReg(low, { kind: 'offset', offset: r.uleb() * cie.dataAlign });
        continue;
      }
      if (high === DW_CFA.restore) {
        restore(low);
        continue;
      }
      switch (b) {
        case DW_CFA.nop:
          break;
        case DW_CFA.set_loc: {
          const enc = cie.section === '.eh_frame' ? cie.fdeEncoding & 0x7f : DW_EH_PE.absptr;
          // pcrel set_loc is relative to the operand's address in the section.
          const sub = new Reader(code, 'CFA instructions', true, r.pos);
          const v = readEncoded(sub, enc, cie.addressSize, { section: cie.sectionAddress + BigInt(codeOffset) });
          r.pos = sub.pos;
          if (v !== undefined && advanceTo(v)) return;
          break;
        }
        case DW_CFA.advance_loc1:
          if (advanceTo(mask(loc + BigInt(r.u8()) * codeFactor))) return;
          break;
        case DW_CFA.advance_loc2:
          if (advanceTo(mask(loc + BigInt(r.u16()) * codeFactor))) return;
          break;
        case DW_CFA.advance_loc4:
          if (advanceTo(mask(loc + BigInt(r.u32()) * codeFactor))) return;
          break;
        case DW_CFA.MIPS_advance_loc8:
          if (advanceTo(mask(loc + r.u64() * codeFactor))) return;
          break;
        case DW_CFA.offset_extended: {
          const reg = r.uleb();
          setReg(reg, { kind: 'offset', offset: r.uleb() * cie.dataAlign });
          break;
        }
        case DW_CFA.offset_extended_sf: {
          const reg = r.uleb();
          setReg(reg, { kind: 'offset', offset: r.sleb() * cie.dataAlign });
          break;
        }
        case DW_CFA.GNU_negative_offset_extended: {
          const reg = r.uleb();
          setReg(reg, { kind: 'offset', offset: -r.uleb() * cie.dataAlign });
          break;
        }
        case DW_CFA.val_offset: {
          const reg = r.uleb();
          setReg(reg, { kind: 'val_offset', offset: r.uleb() * cie.dataAlign });
          break;
        }
        case DW_CFA.val_offset_sf: {
          const reg = r.uleb();
          setReg(reg, { kind: 'val_offset', offset: r.sleb() * cie.dataAlign });
          break;
        }
        case DW_CFA.restore_extended:
          restore(r.uleb());
          break;
        case DW_CFA.undefined:
          setReg(r.uleb(), { kind: 'undefined' });
          break;
        case DW_CFA.same_value:
          setReg(r.uleb(), { kind: 'same' });
          break;
        case DW_CFA.register: {
          const reg = r.uleb();
          setReg(reg, { kind: 'register', reg: r.uleb() });
          break;
        }
        case DW_CFA.remember_state:
          if (stack.length >= MAX_REMEMBERED) fail('DW_CFA_remember_state nested too deeply');
          stack.push(cloneState(state));
          break;
        case DW_CFA.restore_state: {
          const s = stack.pop();
          if (!s) fail('DW_CFA_restore_state without DW_CFA_remember_state');
          state.cfa = s!.cfa;
          state.regs = s!.regs;
          state.argsSize = s!.argsSize;
          break;
        }
        case DW_CFA.def_cfa: {
          const reg = r.uleb();
          state.cfa = { kind: 'reg', reg, offset: r.uleb() };
          break;
        }
        case DW_CFA.def_cfa_sf: {
          const reg = r.uleb();
          state.cfa = { kind: 'reg', reg, offset: r.sleb() * cie.dataAlign };
          break;
        }
        case DW_CFA.def_cfa_register: {
          const reg = r.uleb();
          state.cfa = { kind: 'reg', reg, offset: state.cfa.kind === 'reg' ? state.cfa.offset : 0 };
          break;
        }
        case DW_CFA.def_cfa_offset: {
          const offset = r.uleb();
          state.cfa = { kind: 'reg', reg: state.cfa.kind === 'reg' ? state.cfa.reg : REG_RSP, offset };
          break;
        }
        case DW_CFA.def_cfa_offset_sf: {
          const offset = r.sleb() * cie.dataAlign;
          state.cfa = { kind: 'reg', reg: state.cfa.kind === 'reg' ? state.cfa.reg : REG_RSP, offset };
          break;
        }
        case DW_CFA.def_cfa_expression:
          state.cfa = { kind: 'expr', expr: r.block(r.uleb('expression length')) };
          break;
        case DW_CFA.expression: {
          const reg = r.uleb();
          setReg(reg, { kind: 'expression', expr: r.block(r.uleb('expression length')) });
          break;
        }
        case DW_CFA.val_expression: {
          const reg = r.uleb();
          setReg(reg, { kind: 'val_expression', expr: r.block(r.uleb('expression length')) });
          break;
        }
        case DW_CFA.GNU_args_size:
          state.argsSize = r.uleb();
          break;
        case DW_CFA.GNU_window_save:
          break; // SPARC / AArch64 only: no effect on x86-64 rules
        default:
          fail(`unknown CFA instruction 0x${b.toString(16)}`);
      }
    }
  } catch (e) {
    if (e instanceof DwarfError && e.section === 'CFA instructions') throw new DwarfError(cie.section, codeOffset + e.offset, e.reason);
    throw e;
  }
  if (out) out.rows.push({ loc, end: fde.pcEnd > loc ? fde.pcEnd : loc, cfa: state.cfa, regs: new Map(state.regs), argsSize: state.argsSize });
}

// ---------------------------------------------------------------------------------------------
// readelf --debug-dump=frames-interp notation, for tests and for a "frame" view in the debugger.

export function cfaRuleText(c: CfaRule, addressSize = 8): string {
  if (c.kind === 'none') return 'u';
  if (c.kind === 'expr') return 'exp';
  void addressSize;
  return `${regName(c.reg)}${c.offset >= 0 ? '+' : ''}${c.offset}`;
}

export function registerRuleText(rule: RegisterRule | undefined): string {
  if (!rule) return 'u';
  switch (rule.kind) {
    case 'undefined':
      return 'u';
    case 'same':
      return 's';
    case 'offset':
      return `c${rule.offset >= 0 ? '+' : ''}${rule.offset}`;
    case 'val_offset':
      return `v${rule.offset >= 0 ? '+' : ''}${rule.offset}`;
    case 'register':
      return `r${rule.reg} (${regName(rule.reg)})`;
    case 'expression':
      return 'exp';
    case 'val_expression':
      return 'vexp';
  }
}

/** A rule as a sentence, e.g. "saved at CFA-16", "CFA = DW_OP_breg7 (rsp): 24; DW_OP_deref". */
export function describeRule(rule: RegisterRule | CfaRule, addressSize = 8): string {
  switch (rule.kind) {
    case 'none':
      return 'not defined';
    case 'reg':
      return `${regName(rule.reg)}${rule.offset >= 0 ? '+' : ''}${rule.offset}`;
    case 'expr':
      return formatExpr(rule.expr, { addressSize });
    case 'undefined':
      return 'undefined';
    case 'same':
      return 'same value';
    case 'offset':
      return `saved at CFA${rule.offset >= 0 ? '+' : ''}${rule.offset}`;
    case 'val_offset':
      return `= CFA${rule.offset >= 0 ? '+' : ''}${rule.offset}`;
    case 'register':
      return `in ${regName(rule.reg)}`;
    case 'expression':
      return `saved at [${formatExpr(rule.expr, { addressSize })}]`;
    case 'val_expression':
      return `= ${formatExpr(rule.expr, { addressSize })}`;
  }
}

// ---------------------------------------------------------------------------------------------

/** Register values by x86-64 name ("rip", "rsp", "rbp", "rbx", "r12", ..., "rflags", "cs"). */
export type Registers = { [name: string]: bigint | undefined };

export type ReadMemory = (addr: bigint, size: number) => Uint8Array | undefined;

export interface UnwindOptions {
  /**
   * The registers are a caller's (rip is a return address): look the FDE up at rip - 1 so a call
   * that ends a function still finds that function. Leave false for the innermost frame and for
   * a frame interrupted by an exception or IRQ (rip is the interrupted instruction).
   */
  isCaller?: boolean;
}

export interface UnwindResult {
  /** The caller's registers: by the CFA rules; registers without a rule keep their value; undefined ones are absent. */
  caller: Registers;
  /** The CFA of the frame that was unwound (its frame base for DW_OP_call_frame_cfa). */
  cfa: bigint;
  /** The unwound frame is an interrupt/signal frame ('S'): the caller's rip was interrupted, not a return address. */
  signalFrame: boolean;
  fde: Fde;
  row: CfaRow;
}

/** Frames from .debug_frame and .eh_frame, indexed by address. */
export class Unwinder {
  readonly fdes: Fde[];
  readonly warnings: string[] = [];
  private readonly rowCache = new Map<Fde, CfaRow[] | string>();
  private readonly littleEndian: boolean;

  constructor(tables: CfiTable[], opts: { littleEndian?: boolean } = {}) {
    this.littleEndian = opts.littleEndian ?? true;
    // .debug_frame first: when both describe a function, the first one found wins.
    this.fdes = tables.flatMap((t) => t.fdes).filter((f) => f.pcEnd > f.pcBegin);
    this.fdes.sort((a, b) => (a.pcBegin < b.pcBegin ? -1 : a.pcBegin > b.pcBegin ? 1 : 0));
    for (const t of tables) this.warnings.push(...t.warnings);
  }

  static fromSource(src: DwarfSource): Unwinder {
    return new Unwinder([parseCfi(src, '.debug_frame'), parseCfi(src, '.eh_frame')], { littleEndian: src.littleEndian });
  }

  /** The FDE that covers `pc`. */
  fdeFor(pc: bigint): Fde | undefined {
    const f = this.fdes;
    let lo = 0;
    let hi = f.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (f[mid]!.pcBegin <= pc) lo = mid + 1;
      else hi = mid;
    }
    for (let i = lo - 1; i >= 0 && i >= lo - 16; i--) if (pc < f[i]!.pcEnd) return f[i];
    return undefined;
  }

  /** All rows of an FDE's table (cached); a string when its instructions are malformed. */
  rows(fde: Fde): CfaRow[] | string {
    let rows = this.rowCache.get(fde);
    if (rows === undefined) {
      try {
        rows = cfaRows(fde);
      } catch (e) {
        rows = errorText(e);
        this.warnings.push(`FDE at ${fde.section} offset ${hex(fde.offset)}: ${rows}`);
      }
      this.rowCache.set(fde, rows);
    }
    return rows;
  }

  /** The row in effect at `pc`. */
  rowAt(pc: bigint): { fde: Fde; row: CfaRow } | undefined {
    const fde = this.fdeFor(pc);
    if (!fde) return undefined;
    const rows = this.rows(fde);
    if (typeof rows === 'string') return undefined;
    let lo = 0;
    let hi = rows.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (rows[mid]!.loc <= pc) lo = mid + 1;
      else hi = mid;
    }
    const row = rows[Math.max(0, lo - 1)];
    return row ? { fde, row } : undefined;
  }

  /** The CFA of the frame whose registers are `regs`. */
  cfa(regs: Registers, readMemory: ReadMemory, opts: UnwindOptions = {}): bigint | undefined {
    const pc = regs.rip;
    if (pc === undefined) return undefined;
    const hit = this.rowAt(opts.isCaller ? pc - 1n : pc);
    return hit ? this.evalCfa(hit.row, hit.fde, regs, readMemory) : undefined;
  }

  /** One step up the stack: the caller's registers, or undefined at the outermost frame or without CFI. */
  step(regs: Registers, readMemory: ReadMemory, opts: UnwindOptions = {}): UnwindResult | undefined {
    const pc = regs.rip;
    if (pc === undefined) return undefined;
    const hit = this.rowAt(opts.isCaller ? pc - 1n : pc);
    if (!hit) return undefined;
    const { fde, row } = hit;
    const size = fde.cie.addressSize;
    const cfa = this.evalCfa(row, fde, regs, readMemory);
    if (cfa === undefined) return undefined;
    const readWord = (addr: bigint): bigint | undefined => {
      const b = readMemory(addr, size);
      if (!b || b.length < size) return undefined;
      let v = 0n;
      for (let i = 0; i < size; i++) v |= BigInt(b[this.littleEndian ? i : size - 1 - i]!) << BigInt(8 * i);
      return v;
    };
    // Registers without a rule keep their value (gdb's choice; gcc's -fipa-ra relies on it when a
    // callee is known not to clobber a caller-saved register).
    const caller: Registers = { ...regs };
    const ctx = this.exprContext(regs, readMemory, size, cfa);
    const ruleValue = (reg: number, rule: RegisterRule): bigint | undefined => {
      switch (rule.kind) {
        case 'undefined':
          return undefined;
        case 'same':
          return regs[regName(reg)];
        case 'offset':
          return readWord(cfa + BigInt(rule.offset));
        case 'val_offset':
          return BigInt.asUintN(64, cfa + BigInt(rule.offset));
        case 'register':
          return regs[regName(rule.reg)];
        case 'expression': {
          const res = evaluateExpr(rule.expr, ctx);
          return res.kind === 'memory' ? readWord(res.address) : undefined;
        }
        case 'val_expression': {
          const res = evaluateExpr(rule.expr, ctx);
          return res.kind === 'memory' ? res.address : res.kind === 'value' ? res.value : undefined;
        }
      }
    };
    caller.rsp = cfa;
    let ra: bigint | undefined;
    let raDefined = true;
    for (const [reg, rule] of row.regs) {
      const v = ruleValue(reg, rule);
      if (reg === fde.cie.raReg) {
        ra = v;
        raDefined = rule.kind !== 'undefined';
        continue;
      }
      const name = regName(reg);
      if (v === undefined) delete caller[name];
      else caller[name] = v;
    }
    if (!row.regs.has(fde.cie.raReg)) raDefined = false;
    if (!raDefined || ra === undefined) return undefined; // outermost frame: no return address
    caller.rip = ra;
    if (ra === 0n) return undefined;
    // A step that goes nowhere would loop forever in a stack walk.
    if (caller.rsp === regs.rsp && ra === pc) return undefined;
    return { caller, cfa, signalFrame: fde.cie.signalFrame, fde, row };
  }

  /** The brief's shape: the caller's registers, or undefined. */
  unwindStep(regs: Registers, readMemory: ReadMemory, opts: UnwindOptions = {}): Registers | undefined {
    return this.step(regs, readMemory, opts)?.caller;
  }

  private exprContext(regs: Registers, readMemory: ReadMemory, addressSize: number, cfa?: bigint): ExprContext {
    return {
      addressSize,
      littleEndian: this.littleEndian,
      readRegister: (n) => (n === REG_RSP && cfa !== undefined && regs.rsp === undefined ? undefined : regs[regName(n)]),
      readMemory,
      initialStack: cfa === undefined ? undefined : [cfa],
      cfa,
    };
  }

  private evalCfa(row: CfaRow, fde: Fde, regs: Registers, readMemory: ReadMemory): bigint | undefined {
    const c = row.cfa;
    if (c.kind === 'none') return undefined;
    if (c.kind === 'reg') {
      const v = regs[regName(c.reg)];
      return v === undefined ? undefined : BigInt.asUintN(64, v + BigInt(c.offset));
    }
    const res = evaluateExpr(c.expr, { ...this.exprContext(regs, readMemory, fde.cie.addressSize), initialStack: [] });
    return res.kind === 'memory' ? res.address : res.kind === 'value' ? res.value : undefined;
  }
}

/** Register name -> DWARF number (re-exported for callers that build Registers). */
export { regNumber, REG_RIP };
