// Register names of the assembler (NASM spelling, lower case) -> class, number and size.

export type RegClass = 'gpr' | 'seg' | 'cr' | 'dr' | 'rip';

export interface RegInfo {
  name: string;
  cls: RegClass;
  /**
   * The number the encoding uses: 0-15 for general registers (ModRM/SIB/opcode bits plus the REX
   * extension bit; AH..BH are 4..7 with `high8`), 0-5 for ES CS SS DS FS GS, n for CRn/DRn.
   */
  num: number;
  /** Size in bytes (general registers 1/2/4/8, segment registers 2, CR/DR/RIP 8 in 64-bit mode: 0 = mode-dependent). */
  size: 0 | 1 | 2 | 4 | 8;
  /** AH, CH, DH, BH: cannot appear in an instruction that has a REX prefix. */
  high8: boolean;
  /** SPL, BPL, SIL, DIL and R8B..R15B, R8..R15 and their parts: need a REX prefix (64-bit mode only). */
  rex: boolean;
}

const TABLE = new Map<string, RegInfo>();

function add(name: string, cls: RegClass, num: number, size: RegInfo['size'], high8 = false, rex = false): void {
  TABLE.set(name, { name, cls, num, size, high8, rex });
}

{
  const r64 = ['rax', 'rcx', 'rdx', 'rbx', 'rsp', 'rbp', 'rsi', 'rdi'];
  const r32 = ['eax', 'ecx', 'edx', 'ebx', 'esp', 'ebp', 'esi', 'edi'];
  const r16 = ['ax', 'cx', 'dx', 'bx', 'sp', 'bp', 'si', 'di'];
  const r8 = ['al', 'cl', 'dl', 'bl'];
  for (let i = 0; i < 8; i++) {
    add(r64[i]!, 'gpr', i, 8);
    add(r32[i]!, 'gpr', i, 4);
    add(r16[i]!, 'gpr', i, 2);
  }
  r8.forEach((n, i) => add(n, 'gpr', i, 1));
  ['ah', 'ch', 'dh', 'bh'].forEach((n, i) => add(n, 'gpr', 4 + i, 1, true));
  ['spl', 'bpl', 'sil', 'dil'].forEach((n, i) => add(n, 'gpr', 4 + i, 1, false, true));
  for (let i = 8; i < 16; i++) {
    add(`r${i}`, 'gpr', i, 8, false, true);
    add(`r${i}d`, 'gpr', i, 4, false, true);
    add(`r${i}w`, 'gpr', i, 2, false, true);
    add(`r${i}b`, 'gpr', i, 1, false, true);
  }
  ['es', 'cs', 'ss', 'ds', 'fs', 'gs'].forEach((n, i) => add(n, 'seg', i, 2));
  for (let i = 0; i < 16; i++) {
    add(`cr${i}`, 'cr', i, 0);
    add(`dr${i}`, 'dr', i, 0);
  }
  add('rip', 'rip', 0, 8);
}

/**
 * NASM's `%use altreg` names: r8l..r15l for the low bytes of r8..r15 (plain NASM knows only r8b..r15b,
 * so these are registers only when the source asked for altreg).
 */
const ALTREG = new Map<string, RegInfo>();
for (let i = 8; i < 16; i++) ALTREG.set(`r${i}l`, { ...TABLE.get(`r${i}b`)!, name: `r${i}l` });

/** The register called `name` (any case), or undefined; `altreg` adds r8l..r15l. */
export function lookupRegister(name: string, altreg = false): RegInfo | undefined {
  const n = name.toLowerCase();
  return TABLE.get(n) ?? (altreg ? ALTREG.get(n) : undefined);
}

/** True when `name` is a register name (`altreg`: r8l..r15l too). */
export function isRegister(name: string, altreg = false): boolean {
  return lookupRegister(name, altreg) !== undefined;
}

/** Every register name, lower case. */
export const REGISTER_NAMES: readonly string[] = [...TABLE.keys()];
