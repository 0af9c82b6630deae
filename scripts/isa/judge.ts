// Judges one corpus line: does our decoder + formatter agree with objdump, with llvm-mc, and if
// with neither, which documented rule (the SDM's reading) explains it. Shared by the corpus
// generator (scripts/isa/corpus-main.ts) and the test (isa/decoder.test.ts).

import { decode } from '../../isa/decoder';
import { OpKind } from '../../isa/form';
import { formatInstr } from '../../isa/format';
import type { Instr } from '../../isa/instr';
import { canon, joinLlvmLines, type CanonContext } from './normalize';

export interface CaseLine {
  bytes: number[];
  /** objdump's instructions: first text, then `@off text` for any that follow. */
  objdump: string;
  /** llvm-mc's lines joined with ` ;; `, `(bad)` for an invalid-encoding warning. */
  llvm: string;
  /** A RULES key when we differ from both oracles or they differ from each other ('' if not). */
  note: string;
  /** Our text on noted lines, as generated (a regression check for the documented cases). */
  ours: string;
}

export interface Verdict {
  objdump: boolean;
  llvm: boolean;
  oraclesAgree: boolean;
  /** Agrees with an oracle, or a rule explains the difference. */
  ok: boolean;
  rule: string;
  oursText: string;
  why: string;
}

interface RuleCtx {
  bytes: number[];
  bits: number;
  d: Instr;
  ours: string;
  objdump: string;
  llvm: string;
  /** The opcode bytes after prefixes, as hex. */
  op: string;
  prefixes: number[];
}

export interface Rule {
  key: string;
  doc: string;
  test: (c: RuleCtx) => boolean;
}

const LEGACY = new Set([0xf0, 0xf2, 0xf3, 0x66, 0x67, 0x26, 0x2e, 0x36, 0x3e, 0x64, 0x65]);

function split(bytes: number[], bits: number): { prefixes: number[]; op: string } {
  let i = 0;
  while (i < bytes.length && (LEGACY.has(bytes[i]!) || (bits === 64 && (bytes[i]! & 0xf0) === 0x40))) i++;
  return { prefixes: bytes.slice(0, i), op: bytes.slice(i).map((b) => b.toString(16).padStart(2, '0')).join(' ') };
}

/**
 * The documented disagreements. Each rule is consulted only when we differ from both oracles
 * (or the oracles differ from each other); the first whose test holds names the line.
 */
export const RULES: Rule[] = [
  {
    key: 'lock-ud',
    doc: 'LOCK on a form that does not allow it, or with a register destination, is #UD (SDM Vol. 2A, LOCK); objdump and llvm-mc print `lock ...`.',
    test: (c) => c.d.invalid === 'LOCK prefix not allowed',
  },
  {
    key: 'f64-near-branch',
    doc: 'In 64-bit mode Intel CPUs ignore 66 on near JMP/Jcc/CALL/RET/LOOP/JrCXZ (operand size forced to 64: SDM Vol. 2 JMP, Jcc, CALL, RET); objdump and llvm-mc decode the AMD way, with a 16-bit displacement or return (`jmpw`, `callw`, `retw`).',
    test: (c) => c.bits === 64 && c.prefixes.includes(0x66) && (c.d.form?.size64 === 'f64' || /^(7[0-9a-f]|e[0-3]|e[89b]|c[23]|0f 8[0-9a-f])( |$)/.test(c.op)),
  },
  {
    key: 'far-m16-64',
    doc: 'REX.W FF /3, FF /5, 0F B2, 0F B4 and 0F B5 (far CALL, JMP, LSS, LFS, LGS) take an m16:64 pointer (TBYTE) on Intel CPUs (SDM CALL, JMP, LSS); objdump ignores REX.W (FWORD, AMD) and llvm-mc omits the size.',
    test: (c) => c.bits === 64 && !!c.d.form?.operands.some((o) => o.text === 'm16:64'),
  },
  {
    key: 'movsxd-16',
    doc: 'SDM: 66 63 /r is MOVSXD r16, r/m16 (a 16-bit source); objdump and llvm-mc name a 32-bit source register.',
    test: (c) => c.d.form?.id === 'Movsxd_r16_rm16',
  },
  {
    key: 'lar-lsl-r64',
    doc: 'SDM: REX.W LAR/LSL are `LAR r64, r32/m16`; for a register source objdump names r64, llvm-mc r16, we name r32 as the manual does.',
    test: (c) => /^(Lar|Lsl)_r64_r32m16$/.test(c.d.form?.id ?? ''),
  },
  {
    key: 'ud-size',
    doc: 'The table has UD0/UD1 as `r32, r/m32` only (they raise #UD whatever the size); objdump names 16-bit registers under 66 and llvm-mc rejects 66 0F FF.',
    test: (c) => /^Ud[01]_/.test(c.d.form?.id ?? ''),
  },
  {
    key: 'bad-cr-dr',
    doc: 'MOV to or from CR1, CR5-CR7, CR9-CR15 or DR8-DR15 is #UD (SDM MOV—Move to/from Control Registers, Debug Registers); both tools print it.',
    test: (c) => c.d.invalid === 'invalid control register' || c.d.invalid === 'invalid debug register',
  },
  {
    key: 'mov-cs',
    doc: 'MOV CS, r/m16 is #UD (SDM MOV: "the CS register cannot be loaded"); both tools print it.',
    test: (c) => c.d.invalid === 'MOV to CS',
  },
  {
    key: 'too-long',
    doc: 'An instruction of more than 15 bytes is rejected (#GP, SDM Vol. 2 2.3.11); llvm-mc decodes it, objdump splits off prefixes.',
    test: (c) => c.d.invalid === 'too long',
  },
  {
    key: 'rex-not-last',
    doc: 'A REX prefix that is not immediately before the opcode is ignored (SDM Vol. 2 2.2.1); objdump prints it as a separate `rex` instruction, llvm-mc is inconsistent.',
    test: (c) => {
      const i = c.prefixes.findIndex((b) => (b & 0xf0) === 0x40);
      return c.bits === 64 && i >= 0 && i < c.prefixes.length - 1;
    },
  },
  {
    key: 'f2-f3-last',
    doc: 'With both F2 and F3 present the last one is the one that counts (here as the mandatory prefix: F3 F2 0F BC is BSF); both tools reject the combination.',
    test: (c) => c.prefixes.includes(0xf2) && c.prefixes.includes(0xf3),
  },
  {
    key: 'ip16-truncate',
    doc: 'With operand size 16 a relative branch truncates the new IP to 16 bits (SDM JMP, Jcc, LOOP: "EIP <- EIP AND 0000FFFFH"); the tools print the 32-bit target.',
    test: (c) => c.bits === 32 && c.d.opSize === 2 && !!c.d.form?.operands.some((o) => o.kind === OpKind.Rel),
  },
  {
    key: 'not-in-table',
    doc: 'Encodings of instructions the table does not have (XGETBV and the other 0F 01 register forms, CLFLUSHOPT and TPAUSE under 66 0F AE, BSWAP r16, SETcc with ModRM.reg != 0): we decode them as invalid.',
    test: (c) => !!c.d.invalid && /^(0f 01 [c-f][0-9a-f]|0f ae|0f c[89a-f]|0f 9[0-9a-f])( |$)/.test(c.op),
  },
  {
    key: 'prefix-ignored',
    doc: '66 on WBINVD/INVD has no meaning and is ignored like any prefix without one; the tools reject it because their tables key 0F 09 by prefix (F3 0F 09 is WBNOINVD).',
    test: (c) => /^0f 0[89]$/.test(c.op) && !c.d.invalid,
  },
  {
    key: 'nop-66',
    doc: 'SDM NOP: 66 90 is the two-byte NOP (and 90 stays NOP under REX.W); objdump shows `xchg ax,ax`, llvm-mc `nop`.',
    test: (c) => c.d.form?.id === 'Nop',
  },
  {
    key: 'llvm-rejects',
    doc: 'Valid encodings llvm-mc 14 rejects and objdump decodes as we do: BOUND, MOV to/from CR/DR with ModRM.mod != 3 (the SDM: "the mod field is ignored"), and a few prefix combinations.',
    test: (c) => !c.d.invalid && /\(bad\)$/.test(c.llvm.split(' ;; ')[0]!),
  },
  {
    key: 'lar-lsl-src',
    doc: 'SDM: LAR/LSL r32, r32/m16 and r16, r16/m16; for a register source llvm-mc names the 16-bit register, objdump and we the one of the notation.',
    test: (c) => /^(Lar|Lsl)_/.test(c.d.form?.id ?? ''),
  },
  {
    key: 'xchg-nop-rexb',
    doc: 'F3 with REX.B 90 is XCHG r8d, eAX (REX.B turns 90 into XCHG; F3 is then an ignored REP); objdump calls it `pause`, llvm-mc agrees with us.',
    test: (c) => /^Xchg_/.test(c.d.form?.id ?? '') && c.op === '90',
  },
  {
    key: 'llvm-drops-lock',
    doc: 'llvm-mc 14 loses the LOCK prefix when 66 follows it (`67 f0 66 0f ba ...`); objdump and we keep it.',
    test: (c) => (c.d.prefixes & 1) !== 0 && !/lock/.test(c.llvm),
  },
  {
    key: 'shift-slash-6',
    doc: 'D0-D3, C0 and C1 with ModRM.reg 6 are an undocumented alias of SHL; the SDM lists no /6 form, so the table has none and we reject it as llvm-mc does (objdump shows `shl`).',
    test: (c) => !!c.d.invalid && /^(d[0-3]|c[01]) [0-9a-f]{2}/.test(c.op) && ((parseInt(c.op.slice(3, 5), 16) >> 3) & 7) === 6,
  },
  {
    key: 'prefetch-reg',
    doc: '0F 18 with a register operand: the SDM defines only memory forms (PREFETCHh m8), so we reject it as llvm-mc does (objdump shows a hint `nop`).',
    test: (c) => !!c.d.invalid && /^0f 18 [c-f][0-9a-f]/.test(c.op),
  },
  {
    key: 'longer-case',
    doc: 'A case synthesised from a form of the other mode can be longer than the instruction it decodes to here; llvm-mc then shows several instructions (objdump agrees with our first one).',
    test: (c) => !c.d.invalid && c.d.length < c.bytes.length,
  },
  {
    key: 'mode-64-only',
    doc: 'SYSCALL, SYSRET and SWAPGS are #UD outside 64-bit mode on Intel CPUs (SDM SYSCALL, SYSRET, SWAPGS); the tools decode them in 32-bit code.',
    test: (c) => c.bits === 32 && /^not valid/.test(c.d.invalid) && /^0f (05|07|01 f8)$/.test(c.op),
  },
  {
    key: 'objdump-prefix-noise',
    doc: 'objdump prints a prefix it cannot attach (`data16`, `rex`) as its own instruction before a (bad) or valid one; llvm-mc and we reject or decode the whole.',
    test: (c) => /^(data16|rex(\.[WRXB]+)?|addr32)( |$)/.test(c.objdump) && (!!c.d.invalid || c.llvm !== '(bad)'),
  },
  {
    key: 'salc',
    doc: 'D6 (SALC) is not in the SDM and not in the table; objdump rejects it as we do, llvm-mc decodes it.',
    test: (c) => c.op === 'd6',
  },
];

function parseObjdump(field: string, caseLen: number): { text: string; len: number; bad: boolean } {
  const items = field.split(' ;; ');
  const first = items[0]!;
  const second = items[1]?.match(/^@(\d+) /);
  const len = second ? +second[1]! : caseLen;
  const bad = first === '(none)' || canon(first, { bits: 64, immBits: 64 }) === '(bad)';
  return { text: first, len, bad };
}

function parseLlvm(field: string): { items: string[]; bad: boolean } {
  const items = joinLlvmLines(field.split(' ;; '));
  return { items, bad: items.length === 0 || items[0] === '(bad)' };
}

export function judge(line: CaseLine, bits: 64 | 32): Verdict {
  const bytes = Uint8Array.from(line.bytes);
  const d = decode(bytes, 0, bytes.length, bits);
  const ours = d.invalid ? '(bad)' : formatInstr(d, 0n, { ripComment: false });
  const caseLen = bytes.length;
  const immBits = d.invalid ? 64 : d.opSize * 8;
  const opWidths = d.form ? d.form.operands.map((o) => (o.kind === OpKind.Imm2 ? 8 : o.kind === OpKind.Imm && !d.form!.immSigned ? o.size * 8 : immBits)) : undefined;
  const ctx: CanonContext = { bits, immBits, opWidths };
  const ctxL: CanonContext = { bits, immBits, opWidths, noSizes: true, branchBase: BigInt(caseLen) };
  const o = parseObjdump(line.objdump, caseLen);
  const l = parseLlvm(line.llvm);
  const oursC = canon(ours, ctx);
  const oursL = canon(ours, { ...ctx, noSizes: true });
  let objdump: boolean;
  let llvm: boolean;
  let why = '';
  if (d.invalid) {
    objdump = o.bad;
    llvm = l.bad;
    why = `ours invalid: ${d.invalid}`;
  } else {
    const objC = canon(o.text, ctx);
    objdump = !o.bad && o.len === d.length && objC === oursC;
    llvm = !l.bad && l.items.length === 1 && d.length === caseLen && canon(l.items[0]!, ctxL) === oursL;
    why = `len ours ${d.length} objdump ${o.len}; canon ours '${oursC}' objdump '${objC}' llvm '${l.items[0] ? canon(l.items[0], ctxL) : ''}'`;
  }
  let oraclesAgree: boolean;
  if (o.bad || l.bad) oraclesAgree = o.bad && l.bad;
  else oraclesAgree = o.len === caseLen && l.items.length === 1 && canon(o.text, { ...ctx, noSizes: true }) === canon(l.items[0]!, ctxL);
  let rule = '';
  if (!(objdump && llvm) && !(objdump && oraclesAgree)) {
    const { prefixes, op } = split(line.bytes, bits);
    const rc: RuleCtx = { bytes: line.bytes, bits, d, ours, objdump: line.objdump, llvm: line.llvm, op, prefixes };
    if (!objdump || !oraclesAgree) rule = RULES.find((r) => r.test(rc))?.key ?? '';
  }
  const ok = objdump || llvm || rule !== '';
  return { objdump, llvm, oraclesAgree, ok, rule, oursText: ours, why };
}
