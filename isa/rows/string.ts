// String instructions: MOVS CMPS SCAS LODS STOS INS OUTS (the REP prefixes are attributes).
// Rows of the one instruction table; the format is described in isa/README.md.

export const ROWS = `
# String instructions: rSI/rDI/rCX are SI/ESI/RSI... by address size; ES:rDI cannot be overridden
# MOVS
A4     | MOVSB | 64 32 | r=d          | rep    | Copy the byte at [rSI] to ES:[rDI] and step by 1 in the direction DF selects.
o16 A5 | MOVSW | 64 32 | r=d          | rep    | Copy the word at [rSI] to ES:[rDI] and step by 2 in the direction DF selects.
o32 A5 | MOVSD | 64 32 | r=d          | rep    | Copy the doubleword at [rSI] to ES:[rDI] and step by 4 in the direction DF selects.
o64 A5 | MOVSQ | 64    | r=d          | rep    | Copy the quadword at [rSI] to ES:[rDI] and step by 8 in the direction DF selects.
# CMPS
A6     | CMPSB | 64 32 | r=d w=oszacp | repe   | Compare the byte at [rSI] with the one at ES:[rDI], setting flags as CMP does, and step by 1 in the direction DF selects.
o16 A7 | CMPSW | 64 32 | r=d w=oszacp | repe   | Compare the word at [rSI] with the one at ES:[rDI], setting flags as CMP does, and step by 2 in the direction DF selects.
o32 A7 | CMPSD | 64 32 | r=d w=oszacp | repe   | Compare the doubleword at [rSI] with the one at ES:[rDI], setting flags as CMP does, and step by 4 in the direction DF selects.
o64 A7 | CMPSQ | 64    | r=d w=oszacp | repe   | Compare the quadword at [rSI] with the one at ES:[rDI], setting flags as CMP does, and step by 8 in the direction DF selects.
# SCAS
AE     | SCASB | 64 32 | r=d w=oszacp | repe   | Compare AL with the byte at ES:[rDI], setting flags as CMP does, and step by 1 in the direction DF selects.
o16 AF | SCASW | 64 32 | r=d w=oszacp | repe   | Compare AX with the word at ES:[rDI], setting flags as CMP does, and step by 2 in the direction DF selects.
o32 AF | SCASD | 64 32 | r=d w=oszacp | repe   | Compare EAX with the doubleword at ES:[rDI], setting flags as CMP does, and step by 4 in the direction DF selects.
o64 AF | SCASQ | 64    | r=d w=oszacp | repe   | Compare RAX with the quadword at ES:[rDI], setting flags as CMP does, and step by 8 in the direction DF selects.
# LODS
AC     | LODSB | 64 32 | r=d          | rep    | Load the byte at [rSI] into AL and step by 1 in the direction DF selects.
o16 AD | LODSW | 64 32 | r=d          | rep    | Load the word at [rSI] into AX and step by 2 in the direction DF selects.
o32 AD | LODSD | 64 32 | r=d          | rep    | Load the doubleword at [rSI] into EAX and step by 4 in the direction DF selects.
o64 AD | LODSQ | 64    | r=d          | rep    | Load the quadword at [rSI] into RAX and step by 8 in the direction DF selects.
# STOS
AA     | STOSB | 64 32 | r=d          | rep    | Store AL to the byte at ES:[rDI] and step by 1 in the direction DF selects.
o16 AB | STOSW | 64 32 | r=d          | rep    | Store AX to the word at ES:[rDI] and step by 2 in the direction DF selects.
o32 AB | STOSD | 64 32 | r=d          | rep    | Store EAX to the doubleword at ES:[rDI] and step by 4 in the direction DF selects.
o64 AB | STOSQ | 64    | r=d          | rep    | Store RAX to the quadword at ES:[rDI] and step by 8 in the direction DF selects.
# INS, OUTS (IOPL and the TSS I/O bitmap are checked; no 64-bit form)
6C     | INSB  | 64 32 | r=d          | rep io | Read a byte from the I/O port in DX into ES:[rDI] and step by 1 in the direction DF selects.
o16 6D | INSW  | 64 32 | r=d          | rep io | Read a word from the I/O port in DX into ES:[rDI] and step by 2 in the direction DF selects.
o32 6D | INSD  | 64 32 | r=d          | rep io | Read a doubleword from the I/O port in DX into ES:[rDI] and step by 4 in the direction DF selects.
6E     | OUTSB | 64 32 | r=d          | rep io | Write the byte at [rSI] to the I/O port in DX and step by 1 in the direction DF selects.
o16 6F | OUTSW | 64 32 | r=d          | rep io | Write the word at [rSI] to the I/O port in DX and step by 2 in the direction DF selects.
o32 6F | OUTSD | 64 32 | r=d          | rep io | Write the doubleword at [rSI] to the I/O port in DX and step by 4 in the direction DF selects.
`;
