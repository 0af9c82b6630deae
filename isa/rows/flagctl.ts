// Flag control: STC CLC CMC STD CLD STI CLI, LAHF SAHF, PUSHF POPF.
// Rows of the one instruction table; the format is described in isa/README.md.

export const ROWS = `
# Single flags
F9     | STC    | 64 32 | 1=c          |    | Set CF.
F8     | CLC    | 64 32 | 0=c          |    | Clear CF.
F5     | CMC    | 64 32 | r=c w=c      |    | Complement CF.
FD     | STD    | 64 32 | 1=d          |    | Set DF, so string instructions step downwards.
FC     | CLD    | 64 32 | 0=d          |    | Clear DF, so string instructions step upwards.
FB     | STI    | 64 32 | 1=i          | io | Set IF (#GP unless CPL <= IOPL); interrupts are recognised only after the next instruction.
FA     | CLI    | 64 32 | 0=i          | io | Clear IF (#GP unless CPL <= IOPL).
# AH and the stack
9F     | LAHF   | 64 32 | r=szacp      |    | Load SF, ZF, AF, PF and CF into bits 7, 6, 4, 2 and 0 of AH (bit 1 set, bits 3 and 5 clear).
9E     | SAHF   | 64 32 | w=szacp      |    | Store bits 7, 6, 4, 2 and 0 of AH into SF, ZF, AF, PF and CF.
o16 9C | PUSHF  | 64 32 | r=oszacpdit  |    | Push the low 16 bits of EFLAGS.
o32 9C | PUSHFD | 32    | r=oszacpditn |    | Push EFLAGS with VM and RF cleared in the pushed image.
d64 9C | PUSHFQ | 64    | r=oszacpditn |    | Push RFLAGS with VM and RF cleared in the pushed image.
o16 9D | POPF   | 64 32 | w=oszacpdit  |    | Pop the low 16 bits of EFLAGS (IOPL changes only at CPL 0, IF only when CPL <= IOPL).
o32 9D | POPFD  | 32    | w=oszacpditn |    | Pop EFLAGS, leaving RF, VM, VIF and VIP unchanged (IOPL changes only at CPL 0, IF only when CPL <= IOPL).
d64 9D | POPFQ  | 64    | w=oszacpditn |    | Pop RFLAGS, leaving RF, VM, VIF and VIP unchanged (IOPL changes only at CPL 0, IF only when CPL <= IOPL).
`;
