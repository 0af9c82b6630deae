// NASM's mnemonics -> the table's mnemonics (isa/table.ts). Every mnemonic of the table is a NASM
// mnemonic of the same name; this file adds NASM's other spellings: condition-code synonyms
// (jz -> JE, setnae -> SETB, cmovz -> CMOVE), size-suffixed and size-generic names (pushf picks
// PUSHF/PUSHFD/PUSHFQ by the default operand size, retq forces 64), and plain aliases (sal -> SHL,
// xlat -> XLATB, icebp -> INT1, ud2a -> UD2, ud2b -> UD1). No opcodes here: the encoder finds them in the table.

import { FORMS } from '../isa/table';

export interface MnemonicInfo {
  /** Table mnemonics (upper case) whose forms may encode this mnemonic. */
  table: readonly string[];
  /** Operand size the spelling itself fixes (retw: 16, iretq: 64); 0 when the operands or the mode decide. */
  opSize: 0 | 16 | 32 | 64;
  /** NASM rejects the spelling in 64-bit mode (retd). */
  not64?: boolean;
}

const MAP = new Map<string, MnemonicInfo>();

for (const f of FORMS) {
  const n = f.mnemonic.toLowerCase();
  if (!MAP.has(n)) MAP.set(n, { table: [f.mnemonic], opSize: 0 });
}
const TABLE_MNEMONICS = new Set(FORMS.map((f) => f.mnemonic));

function set(name: string, table: string[], opSize: MnemonicInfo['opSize'] = 0, not64 = false): void {
  for (const t of table) if (!TABLE_MNEMONICS.has(t)) throw new Error(`asm/mnemonics: '${name}' maps to '${t}', which the table does not have`);
  MAP.set(name, not64 ? { table, opSize, not64 } : { table, opSize });
}

// Condition-code synonyms (Intel's second names), for Jcc, SETcc and CMOVcc.
const CC_ALIASES: Record<string, string> = {
  c: 'B', nae: 'B', nb: 'AE', nc: 'AE', z: 'E', nz: 'NE', na: 'BE', nbe: 'A',
  pe: 'P', po: 'NP', nge: 'L', nl: 'GE', ng: 'LE', nle: 'G',
};
for (const [prefix, upper] of [['j', 'J'], ['set', 'SET'], ['cmov', 'CMOV']] as const) {
  for (const [alias, cc] of Object.entries(CC_ALIASES)) set(prefix + alias, [upper + cc]);
}

// Size-generic spellings: the default operand size of the mode picks the form; -w/-d/-q force it.
set('pushf', ['PUSHF', 'PUSHFD', 'PUSHFQ']);
set('pushfw', ['PUSHF']);
set('popf', ['POPF', 'POPFD', 'POPFQ']);
set('popfw', ['POPF']);
set('pusha', ['PUSHA', 'PUSHAD']);
set('pushaw', ['PUSHA']);
set('popa', ['POPA', 'POPAD']);
set('popaw', ['POPA']);
set('iret', ['IRET', 'IRETD', 'IRETQ']);
set('iretw', ['IRET']);
for (const r of ['ret', 'retn']) {
  set(r, ['RET']);
  set(r + 'w', ['RET'], 16);
  set(r + 'd', ['RET'], 32, true);
  set(r + 'q', ['RET'], 64);
}
set('retfw', ['RETF'], 16);
set('retfd', ['RETF'], 32);
set('retfq', ['RETF'], 64);

// Plain aliases.
set('sal', ['SHL']); // NASM encodes SAL as SHL (/4), never the /6 alias row
set('movsx', ['MOVSX', 'MOVSXD']); // movsx r64, r/m32 is MOVSXD
set('xlat', ['XLATB']);
set('ud2a', ['UD2']);
set('ud2b', ['UD1']); // NASM's name for UD1 (0F B9), also without operands
set('icebp', ['INT1']);
set('int01', ['INT1']);
set('int03', ['INT3']);
set('loopz', ['LOOPE']);
set('loopnz', ['LOOPNE']);

/** What NASM's mnemonic `name` (any case) encodes as, or undefined for an unknown mnemonic. */
export function lookupMnemonic(name: string): MnemonicInfo | undefined {
  return MAP.get(name.toLowerCase());
}

/** True when `name` is an instruction mnemonic (not a prefix, register or directive). */
export function isMnemonic(name: string): boolean {
  return MAP.has(name.toLowerCase());
}

/** Instruction prefixes NASM accepts before a mnemonic (lower case). */
export const PREFIX_NAMES: readonly string[] = [
  'lock', 'rep', 'repe', 'repz', 'repne', 'repnz',
  'o16', 'o32', 'o64', 'a16', 'a32', 'a64',
  'cs', 'ds', 'es', 'fs', 'gs', 'ss',
];

/** True when `name` is an instruction prefix. */
export function isPrefix(name: string): boolean {
  return PREFIX_NAMES.includes(name.toLowerCase());
}

/** Every mnemonic, lower case. */
export const MNEMONIC_NAMES: readonly string[] = [...MAP.keys()];
