// The instruction table: parses the rows of rows/*.ts (format: isa/README.md) once, at module
// load, into FORMS. A malformed row is our own bug, so it throws with family, line and cause.

import { Flag, OpKind, type Form, type Operand } from './form';
import { ROW_SOURCES } from './rows/index';

/** Fixed general registers by name: [register number, size in bytes]. */
const GPR_FIXED: Record<string, [number, number]> = {};
{
  const r64 = ['RAX', 'RCX', 'RDX', 'RBX', 'RSP', 'RBP', 'RSI', 'RDI'];
  const r32 = ['EAX', 'ECX', 'EDX', 'EBX', 'ESP', 'EBP', 'ESI', 'EDI'];
  const r16 = ['AX', 'CX', 'DX', 'BX', 'SP', 'BP', 'SI', 'DI'];
  const r8 = ['AL', 'CL', 'DL', 'BL'];
  for (let i = 0; i < 8; i++) {
    GPR_FIXED[r64[i]!] = [i, 8];
    GPR_FIXED[r32[i]!] = [i, 4];
    GPR_FIXED[r16[i]!] = [i, 2];
  }
  for (let i = 0; i < 4; i++) GPR_FIXED[r8[i]!] = [i, 1];
  ['AH', 'CH', 'DH', 'BH'].forEach((n, i) => (GPR_FIXED[n] = [16 + i, 1]));
}
const SEG_FIXED: Record<string, number> = { ES: 0, CS: 1, SS: 2, DS: 3, FS: 4, GS: 5 };

const FLAG_LETTERS: Record<string, number> = {
  o: Flag.OF,
  s: Flag.SF,
  z: Flag.ZF,
  a: Flag.AF,
  c: Flag.CF,
  p: Flag.PF,
  d: Flag.DF,
  i: Flag.IF,
  t: Flag.TF,
  r: Flag.RF,
  n: Flag.AC,
  v: Flag.VM,
};

/**
 * Mnemonics whose immediate is an unsigned count, port, vector or size rather than an operand
 * value, so it is zero-extended (Form.immSigned false). Every other immediate is sign-extended to
 * the operand size, as the manual says for `imm8` with a wider destination.
 */
const UNSIGNED_IMM = new Set([
  'ROL', 'ROR', 'RCL', 'RCR', 'SHL', 'SAL', 'SHR', 'SAR', 'SHLD', 'SHRD',
  'BT', 'BTS', 'BTR', 'BTC', 'IN', 'OUT', 'ENTER', 'RET', 'RETF', 'RETN', 'INT', 'AAM', 'AAD',
]);

/** Mnemonics whose `m8`.. operands are implicit (ES:rDI, DS:rSI, DS:[rBX+AL]), not ModRM. */
const IMPLICIT_MEM = new Set(['MOVS', 'CMPS', 'SCAS', 'LODS', 'STOS', 'INS', 'OUTS', 'XLAT', 'XLATB']);

const STRING_WIDTH: Record<string, number> = { B: 1, W: 2, D: 4, Q: 8 };
const STRING_OPS = new Set(['MOVS', 'CMPS', 'SCAS', 'LODS', 'STOS', 'INS', 'OUTS']);

function op(kind: OpKind, size: number, text: string, extra?: Partial<Operand>): Operand {
  return { kind, size, memSize: extra?.memSize ?? (kind === OpKind.Mem || kind === OpKind.Moffs ? size : 0), reg: extra?.reg ?? -1, seg: extra?.seg ?? false, text };
}

/** Parses one operand notation. Throws on an unknown notation. */
function parseOperand(t: string): Operand {
  let m: RegExpMatchArray | null;
  if ((m = t.match(/^r(8|16|32|64)$/))) return op(OpKind.Reg, +m[1]! / 8, t);
  if ((m = t.match(/^r\/m(8|16|32|64)$/))) return op(OpKind.RegMem, +m[1]! / 8, t, { memSize: +m[1]! / 8 });
  // Mixed notations: r32/m16, r64/m16, r16/r32/m16 (register size by operand size: 0).
  if ((m = t.match(/^r(8|16|32|64)\/m(8|16|32|64)$/))) return op(OpKind.RegMem, +m[1]! / 8, t, { memSize: +m[2]! / 8 });
  if ((m = t.match(/^r(16|32|64)(?:\/r(16|32|64))+\/m(8|16|32|64)$/))) return op(OpKind.RegMem, 0, t, { memSize: +m[3]! / 8 });
  if (t === 'm') return op(OpKind.Mem, 0, t);
  if ((m = t.match(/^m(8|16|32|64|80|128|256|512)$/))) return op(OpKind.Mem, +m[1]! / 8, t);
  if ((m = t.match(/^m(16|32)&(16|32|64)$/))) return op(OpKind.Mem, (+m[1]! + +m[2]!) / 8, t);
  if ((m = t.match(/^m16:(16|32|64)$/))) return op(OpKind.Mem, (16 + +m[1]!) / 8, t);
  if ((m = t.match(/^imm(8|16|32|64)$/))) return op(OpKind.Imm, +m[1]! / 8, t);
  if ((m = t.match(/^rel(8|16|32)$/))) return op(OpKind.Rel, +m[1]! / 8, t);
  if ((m = t.match(/^moffs(8|16|32|64)$/))) return op(OpKind.Moffs, +m[1]! / 8, t);
  if ((m = t.match(/^ptr16:(16|32)$/))) return op(OpKind.FarPtr, (16 + +m[1]!) / 8, t);
  if (t === 'Sreg') return op(OpKind.Sreg, 2, t);
  if (/^CR(n|\d+)?(\s*[-–]\s*CR\d+)?$/.test(t)) return op(OpKind.Cr, 0, t);
  if (/^DR(n|\d+)?(\s*[-–]\s*DR\d+)?$/.test(t)) return op(OpKind.Dr, 0, t);
  if (t === '1') return op(OpKind.One, 1, t);
  const g = GPR_FIXED[t];
  if (g) return op(OpKind.Fixed, g[1], t, { reg: g[0] });
  const s = SEG_FIXED[t];
  if (s !== undefined) return op(OpKind.Fixed, 2, t, { reg: s, seg: true });
  throw new Error(`unknown operand notation '${t}'`);
}

/** The identifier piece for one operand (README: Identifiers). */
function idPart(o: Operand): string {
  if (o.kind === OpKind.Cr && !/^CR\d+$/.test(o.text)) return 'cr';
  if (o.kind === OpKind.Dr && !/^DR\d+$/.test(o.text)) return 'dr';
  return o.text.toLowerCase().replace(/[/&:]/g, '');
}

function parseFlags(text: string): [number, number, number, number, number] {
  const masks: [number, number, number, number, number] = [0, 0, 0, 0, 0];
  const groups = ['r', 'w', 'u', '0', '1'];
  for (const g of text.split(/\s+/).filter(Boolean)) {
    const m = g.match(/^([rwu01])=([a-z]+)$/);
    if (!m) throw new Error(`bad flags group '${g}'`);
    let mask = 0;
    for (const ch of m[2]!) {
      const bit = FLAG_LETTERS[ch];
      if (bit === undefined) throw new Error(`unknown flag letter '${ch}' in '${g}'`);
      mask |= bit;
    }
    masks[groups.indexOf(m[1]!)]! |= mask;
  }
  return masks;
}

const HEX_BYTE = /^[0-9A-F]{2}$/;

/** Parses one row into a Form (index -1; buildForms numbers them). */
function parseRow(cols: string[]): Form {
  const [encoding, instruction, modes, flags, attrs, description] = cols.map((c) => c.trim()) as [string, string, string, string, string, string];
  if (!encoding) throw new Error('empty ENCODING');
  if (!instruction) throw new Error('empty INSTRUCTION');
  if (!description) throw new Error('empty DESCRIPTION');

  // INSTRUCTION
  const sp = instruction.search(/\s/);
  const mnemonic = sp < 0 ? instruction : instruction.slice(0, sp);
  if (!/^[A-Z][A-Z0-9]*$/.test(mnemonic)) throw new Error(`bad mnemonic '${mnemonic}'`);
  const opText = sp < 0 ? '' : instruction.slice(sp + 1).trim();
  const operands = opText ? opText.split(',').map((t) => parseOperand(t.trim())) : [];

  // ENCODING
  const tokens = encoding
    .replace(/REX\.W\s*\+/g, 'REX.W ')
    .replace(/REX\s*\+/g, 'REX ')
    .replace(/\s*\+\s*(r[bwdo])\b/g, ' +$1')
    .split(/\s+/)
    .filter(Boolean);
  let opSize = 0 as 0 | 16 | 32 | 64;
  let size64 = '' as '' | 'd64' | 'f64';
  let addrSize: 0 | 16 | 32 | 64 = 0;
  let mandatory = 0;
  const opcode: number[] = [];
  let modrm = -1;
  let modRestrict: 0 | 1 | 2 = 0;
  let opReg = false;
  let opRegSize = 0;
  const immTokens: string[] = [];
  let moffs = false;
  let stage = 0; // 0 size/addr/mandatory, 1 opcode bytes, 2 modifiers
  for (const t of tokens) {
    if (stage === 0 && (t === 'o16' || t === 'o32' || t === 'o64' || t === 'REX.W' || t === 'd64' || t === 'f64')) {
      if (opSize || size64) throw new Error(`second operand-size token '${t}'`);
      if (t === 'd64' || t === 'f64') size64 = t;
      else opSize = t === 'o16' ? 16 : t === 'o32' ? 32 : 64;
    } else if (stage === 0 && (t === 'a16' || t === 'a32' || t === 'a64')) {
      if (addrSize) throw new Error(`second address-size token '${t}'`);
      addrSize = t === 'a16' ? 16 : t === 'a32' ? 32 : 64;
    } else if (stage === 0 && t === 'REX') {
      // `REX + 88 /r` (Intel's r/m8 with REX rows): no constraint beyond the operands.
    } else if (stage === 0 && (t === 'NP' || ((t === '66' || t === 'F2' || t === 'F3') && !mandatory))) {
      if (mandatory) throw new Error(`second mandatory prefix '${t}'`);
      mandatory = t === 'NP' ? -1 : parseInt(t, 16);
    } else if (stage <= 1 && HEX_BYTE.test(t)) {
      stage = 1;
      opcode.push(parseInt(t, 16));
    } else if (stage >= 1 && /^\+r[bwdo]$/.test(t)) {
      if (stage !== 1 || opReg) throw new Error(`misplaced '${t}'`);
      opReg = true;
      opRegSize = { b: 1, w: 2, d: 4, o: 8 }[t[2] as 'b']!;
      stage = 2;
    } else if (stage >= 1 && (t === '/r' || t === '/x' || /^\/[0-7]$/.test(t))) {
      if (modrm >= 0 || opReg) throw new Error(`misplaced '${t}'`);
      modrm = t === '/r' ? 8 : t === '/x' ? 9 : +t[1]!;
      stage = 2;
    } else if (stage === 2 && (t === 'm' || t === 'r') && modrm >= 0 && !modRestrict && !immTokens.length) {
      modRestrict = t === 'm' ? 1 : 2;
    } else if (stage >= 1 && /^(i[bwdoz]|c[bwdp])$/.test(t)) {
      immTokens.push(t);
      stage = 2;
    } else if (stage >= 1 && t === 'mo') {
      if (moffs) throw new Error(`second 'mo'`);
      moffs = true;
      stage = 2;
    } else {
      throw new Error(`unexpected encoding token '${t}'`);
    }
  }
  if (!opcode.length) throw new Error('no opcode bytes');
  if (opSize === 64 && /\b64\b/.test(modes) === false) throw new Error('o64 form not valid in 64-bit mode');

  // Opcode map length: 0F 38 xx and 0F 3A xx are three bytes, 0F xx two, else one; one more
  // byte written out is a full ModRM byte (0F 01 F8) or a fixed second byte (D5 0A).
  const mapLen = opcode[0] === 0x0f ? (opcode[1] === 0x38 || opcode[1] === 0x3a ? 3 : 2) : 1;
  if (opcode.length < mapLen) throw new Error('opcode shorter than its map');
  if (opcode.length > mapLen + 1) throw new Error('too many opcode bytes');
  if (opcode.length > mapLen && (modrm >= 0 || opReg)) throw new Error('explicit ModRM byte with /r, /digit or +r');

  // Operands against the encoding.
  const count = (k: OpKind) => operands.filter((o) => o.kind === k).length;
  const regLike = count(OpKind.Reg) + count(OpKind.Sreg) + count(OpKind.Cr) + count(OpKind.Dr);
  const rmLike = count(OpKind.RegMem) + count(OpKind.Mem);
  if (opReg) {
    const regs = operands.filter((o) => o.kind === OpKind.Reg);
    if (regs.length !== 1) throw new Error('a +r form needs exactly one register operand');
    const r = regs[0]!;
    if (r.size !== opRegSize) throw new Error(`'+r${'?bwd?o'[opRegSize] ?? '?'}' does not fit operand '${r.text}'`);
    r.kind = OpKind.OpReg;
    if (rmLike) throw new Error('a +r form cannot have an r/m operand');
  } else if (modrm === 8) {
    if (count(OpKind.Cr) + count(OpKind.Dr)) {
      // MOV to/from CRn/DRn: the GPR is ModRM.rm and mod is ignored (always a register).
      if (operands.length !== 2 || count(OpKind.Reg) !== 1) throw new Error('CR/DR form needs one general register');
      operands.find((o) => o.kind === OpKind.Reg)!.kind = OpKind.RegMem;
      if (modRestrict === 1) throw new Error("'m' on a CR/DR form");
    } else if (regLike === 2 && rmLike === 0 && modRestrict === 2 && count(OpKind.Reg) === 2) {
      // `/r r` with two registers: the first is ModRM.reg, the second ModRM.rm.
      operands.filter((o) => o.kind === OpKind.Reg)[1]!.kind = OpKind.RegMem;
    } else if (regLike !== 1 || rmLike !== 1) {
      throw new Error('/r needs one ModRM.reg operand and one r/m operand');
    }
  } else if (modrm >= 0) {
    if (count(OpKind.Sreg) + count(OpKind.Cr) + count(OpKind.Dr)) throw new Error('/digit form with a ModRM.reg operand');
    // A register operand of a /digit form (RDFSBASE r64) is ModRM.rm, register only.
    for (const o of operands) if (o.kind === OpKind.Reg) {
      o.kind = OpKind.RegMem;
      if (modRestrict === 1) throw new Error("'m' with a register operand");
      modRestrict = 2;
    }
    if (operands.filter((o) => o.kind === OpKind.RegMem || o.kind === OpKind.Mem).length > 1) throw new Error('two r/m operands');
  } else if (regLike || count(OpKind.RegMem)) {
    throw new Error('register or r/m operand without ModRM');
  } else if (rmLike && !IMPLICIT_MEM.has(mnemonic)) {
    throw new Error('memory operand without ModRM (only string instructions and XLAT have implicit memory operands)');
  }
  if (modRestrict === 2 && count(OpKind.Mem)) throw new Error("'r' (register only) with a memory-only operand");
  if (modrm >= 0 && count(OpKind.Mem) && modRestrict === 0) modRestrict = 1; // m-only operands imply memory-only
  if (moffs !== count(OpKind.Moffs) > 0) throw new Error("'mo' and a moffs operand go together");

  // Immediates: match each token to an Imm/Rel/FarPtr operand, in order.
  const immOps = operands.filter((o) => o.kind === OpKind.Imm || o.kind === OpKind.Rel || o.kind === OpKind.FarPtr);
  const immSizes: number[] = [];
  let ti = 0;
  for (const o of immOps) {
    const t = immTokens[ti++];
    if (!t) throw new Error(`operand '${o.text}' has no immediate token`);
    if (o.kind === OpKind.FarPtr) {
      const want = o.size === 6 ? 'cp' : 'cd';
      if (t !== want) throw new Error(`'${o.text}' is encoded as '${want}', not '${t}'`);
      immSizes.push(o.size - 2, 2);
      continue;
    }
    let n = { b: 1, w: 2, d: 4, o: 8, z: opSize === 16 ? 2 : 4, p: 6 }[t[1] as 'b']!;
    if (o.kind === OpKind.Rel ? t[0] !== 'c' : t[0] !== 'i') throw new Error(`'${o.text}' is not encoded by '${t}'`);
    if (n !== o.size) throw new Error(`'${t}' does not fit operand '${o.text}'`);
    immSizes.push(n);
  }
  if (ti !== immTokens.length) throw new Error('more immediate tokens than immediate operands');
  // The second immediate of ENTER-style forms.
  const imms = operands.filter((o) => o.kind === OpKind.Imm);
  if (imms.length === 2) imms[1]!.kind = OpKind.Imm2;
  else if (imms.length > 2) throw new Error('more than two immediates');

  // MODES
  const modeTokens = modes.split(/\s+/).filter(Boolean);
  for (const m of modeTokens) if (m !== '64' && m !== '32') throw new Error(`unknown mode '${m}'`);
  const mode64 = modeTokens.includes('64');
  const mode32 = modeTokens.includes('32');
  if (!mode64 && !mode32) throw new Error('no mode');
  if (opSize === 64 && mode32) throw new Error('o64 form marked valid in 32-bit mode');

  // FLAGS, ATTRIBUTES
  const [flagsRead, flagsWritten, flagsUndefined, flagsCleared, flagsSet] = parseFlags(flags);
  let lock = false, rep = false, repe = false, cpl0 = false, ioCheck = false;
  let explicitId = '';
  let aliasOf = '';
  for (const a of attrs.split(/\s+/).filter(Boolean)) {
    if (a === 'lock') lock = true;
    else if (a === 'rep') rep = true;
    else if (a === 'repe') repe = true;
    else if (a === 'cpl0') cpl0 = true;
    else if (a === 'io') ioCheck = true;
    else if (a.startsWith('id=') && /^id=[A-Z][A-Za-z0-9_]*$/.test(a)) explicitId = a.slice(3);
    else if (a.startsWith('alias=') && /^alias=[A-Z][A-Za-z0-9_]*$/.test(a)) aliasOf = a.slice(6);
    else throw new Error(`unknown attribute '${a}'`);
  }
  if (lock && !rmLike) throw new Error("'lock' on a form without an r/m operand");

  const id = explicitId || [mnemonic[0] + mnemonic.slice(1).toLowerCase(), ...operands.map(idPart)].join('_');

  // Operation width: the size of the first data operand (8-bit forms report opSize 1).
  let dataSize = 0;
  const sizeSuffix = STRING_OPS.has(mnemonic.slice(0, -1)) ? STRING_WIDTH[mnemonic.slice(-1)] : undefined;
  if (sizeSuffix) dataSize = sizeSuffix;
  else {
    for (const o of operands) {
      if (o.kind === OpKind.Fixed && (o.seg || ((mnemonic === 'IN' || mnemonic === 'OUT' || mnemonic === 'INS' || mnemonic === 'OUTS') && o.text === 'DX'))) continue;
      if (o.kind === OpKind.Imm || o.kind === OpKind.Imm2 || o.kind === OpKind.Rel || o.kind === OpKind.One || o.kind === OpKind.FarPtr) continue;
      if (o.kind === OpKind.Sreg || o.kind === OpKind.Cr || o.kind === OpKind.Dr) continue;
      dataSize = o.kind === OpKind.RegMem && o.size === 0 ? 0 : o.size;
      break;
    }
  }

  const first = immOps[0];
  const immSigned = !!first && first.kind === OpKind.Imm && !UNSIGNED_IMM.has(mnemonic);

  return {
    index: -1,
    id,
    mnemonic,
    operands,
    encoding,
    instruction,
    opSize,
    size64,
    addrSize,
    mandatory,
    opcode,
    modrm,
    modRestrict,
    opReg,
    immSizes,
    mode64,
    mode32,
    flagsRead,
    flagsWritten,
    flagsUndefined,
    flagsCleared,
    flagsSet,
    lock,
    rep,
    repe,
    cpl0,
    ioCheck,
    description,
    aliasOf,
    family: '',
    line: 0,
    moffs,
    immSigned,
    fixedModrm: opcode.length > mapLen ? opcode[mapLen]! : -1,
    map: mapLen === 1 ? 0 : mapLen === 2 ? 1 : opcode[1] === 0x38 ? 2 : 3,
    dataSize,
  };
}

/**
 * Parses the text of one family's rows. Throws an Error naming the family, the line and the
 * cause on the first malformed row.
 */
export function parseRows(text: string, family: string): Form[] {
  const forms: Form[] = [];
  const ids = new Map<string, number>();
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (!line || line.startsWith('#')) continue;
    const cols = line.split('|');
    if (cols.length < 6) throw new Error(`isa rows '${family}' line ${i + 1}: expected 6 columns, found ${cols.length}: ${line}`);
    if (cols.length > 6) cols.splice(5, cols.length - 5, cols.slice(5).join('|'));
    let form: Form;
    try {
      form = parseRow(cols);
    } catch (e) {
      throw new Error(`isa rows '${family}' line ${i + 1}: ${(e as Error).message}: ${line}`);
    }
    form.family = family;
    form.line = i + 1;
    const prev = ids.get(form.id);
    if (prev !== undefined) throw new Error(`isa rows '${family}' line ${i + 1}: identifier '${form.id}' already used on line ${prev} (add id=)`);
    ids.set(form.id, i + 1);
    forms.push(form);
  }
  return forms;
}

/** Parses every family and numbers the forms; identifiers must be unique across families. */
export function buildForms(sources: readonly { family: string; text: string }[]): Form[] {
  const all: Form[] = [];
  const seen = new Map<string, Form>();
  for (const s of sources) {
    for (const f of parseRows(s.text, s.family)) {
      const prev = seen.get(f.id);
      if (prev) throw new Error(`isa rows '${f.family}' line ${f.line}: identifier '${f.id}' already used in '${prev.family}' line ${prev.line} (add id=)`);
      seen.set(f.id, f);
      f.index = all.length;
      all.push(f);
    }
  }
  for (const f of all) {
    if (!f.aliasOf) continue;
    const target = seen.get(f.aliasOf);
    if (!target) throw new Error(`isa rows '${f.family}' line ${f.line}: alias of unknown form '${f.aliasOf}'`);
    if (target.aliasOf) throw new Error(`isa rows '${f.family}' line ${f.line}: alias of an alias '${f.aliasOf}'`);
    const ops = (g: Form) => g.operands.map((o) => o.text).join(',');
    if (ops(target) !== ops(f)) throw new Error(`isa rows '${f.family}' line ${f.line}: alias '${f.aliasOf}' has other operands`);
  }
  return all;
}

/** Index of each form's identifier in `forms`. */
export function formIds(forms: readonly Form[]): Record<string, number> {
  const ids: Record<string, number> = Object.create(null);
  for (const f of forms) ids[f.id] = f.index;
  return ids;
}

/** Every form of the table, parsed once at module load. */
export const FORMS: readonly Form[] = buildForms(ROW_SOURCES);
/** Form identifier -> index in FORMS. */
export const FORM_ID: Record<string, number> = formIds(FORMS);
