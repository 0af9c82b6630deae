// Operand types shared by the assembler front end and the encoder (asm/encoder.ts).
export type Size = 1 | 2 | 4 | 8 | 10 | 16 | 0; // 0 = not given
export interface RegOperand { kind: 'reg'; name: string; }             // 'rax', 'al', 'cr3', 'fs', 'dr7'
export interface ImmOperand { kind: 'imm'; value: bigint; size: Size; strict: boolean; known: boolean; }
// known=false: the value depends on a symbol not yet resolved (first pass) or a relocation; the
// encoder must then pick the form that stays valid for any value (nasm's pass rules), or ask for another pass.
export interface MemOperand {
  kind: 'mem'; size: Size; seg: string | null; base: string | null; index: string | null; scale: 1 | 2 | 4 | 8;
  disp: bigint; dispKnown: boolean; dispSize: Size; // dispSize: explicit `byte`/`dword` on the displacement
  rel: boolean;      // RIP-relative (explicit `rel` or `default rel` with no base/index)
  absAddr: boolean;  // `[abs x]` or no registers at all
  nosplit: boolean;
}
export interface FarOperand { kind: 'far'; segment: bigint; offset: bigint; known: boolean; size?: Size; segmentKnown?: boolean; } // jmp 0x08:label; known: the offset; segmentKnown (default true): the segment; size: `jmp word 0x08:x` (the offset's size)
export type Operand = RegOperand | ImmOperand | MemOperand | FarOperand;
export interface AsmInstruction {
  prefixes: string[];   // 'lock', 'rep', 'repe', 'repne', 'o16', 'o32', 'o64', 'a16', 'a32', 'a64', 'cs'.. segment overrides written as prefixes
  mnemonic: string;     // lower case as written
  operands: Operand[];
  strictJump?: 'short' | 'near' | 'far' | null; // `jmp short x`, `jmp near x`, `jmp far [mem]` / `call far [mem]`
}
export interface EncodeContext { bits: 16 | 32 | 64; address: bigint; defaultRel: boolean; }
export interface Fixup { offset: number; size: 1 | 2 | 4 | 8; pcRel: boolean; signed: boolean; operand: number; field: 'imm' | 'disp' | 'imm2' | 'rel'; }
export type EncodeResult =
  | { ok: true; bytes: Uint8Array; formId: string; fixups: Fixup[]; warnings?: string[] } // warnings: NASM's (value exceeds bounds...)
  | { ok: false; error: string; operand?: number };  // a message a person understands: "invalid combination of opcode and operands", "instruction not supported in 64-bit mode", "impossible register combination"...
