// Data transfer: MOV, MOVZX/MOVSX/MOVSXD, CMOVcc, XCHG, BSWAP, XADD, CMPXCHG, PUSH/POP, conversions, MOVBE, LEA, IN/OUT.
// Rows of the one instruction table; the format is described in isa/README.md.

export const ROWS = `
# MOV between registers and memory
88 /r             | MOV r/m8, r8       | 64 32 |          |                | Copy r8 to r/m8.
o16 89 /r         | MOV r/m16, r16     | 64 32 |          |                | Copy r16 to r/m16.
o32 89 /r         | MOV r/m32, r32     | 64 32 |          |                | Copy r32 to r/m32.
o64 89 /r         | MOV r/m64, r64     | 64    |          |                | Copy r64 to r/m64.
8A /r             | MOV r8, r/m8       | 64 32 |          |                | Copy r/m8 to r8.
o16 8B /r         | MOV r16, r/m16     | 64 32 |          |                | Copy r/m16 to r16.
o32 8B /r         | MOV r32, r/m32     | 64 32 |          |                | Copy r/m32 to r32.
o64 8B /r         | MOV r64, r/m64     | 64    |          |                | Copy r/m64 to r64.
# MOV with segment registers (Sreg from ModRM.reg: ES CS SS DS FS GS)
o16 8C /r         | MOV r/m16, Sreg    | 64 32 |          |                | Copy a segment selector to r/m16.
o32 8C /r         | MOV r32/m16, Sreg  | 64 32 |          |                | Copy a segment selector to r32 (zero-extended) or to a 16-bit memory word.
o64 8C /r         | MOV r64/m16, Sreg  | 64    |          |                | Copy a segment selector to r64 (zero-extended) or to a 16-bit memory word.
8E /r             | MOV Sreg, r/m16    | 64 32 |          |                | Load a segment register other than CS from r/m16 (loading SS inhibits interrupts until after the next instruction).
# MOV with an absolute offset (moffs is 64-bit with 64-bit addressing, 32-bit with a32, 16-bit with a16)
A0 mo             | MOV AL, moffs8     | 64 32 |          |                | Copy the byte at the absolute offset moffs8 (DS unless overridden) to AL.
o16 A1 mo         | MOV AX, moffs16    | 64 32 |          |                | Copy the 16-bit value at the absolute offset moffs16 to AX.
o32 A1 mo         | MOV EAX, moffs32   | 64 32 |          |                | Copy the 32-bit value at the absolute offset moffs32 to EAX.
o64 A1 mo         | MOV RAX, moffs64   | 64    |          |                | Copy the 64-bit value at the absolute offset moffs64 to RAX.
A2 mo             | MOV moffs8, AL     | 64 32 |          |                | Copy AL to the byte at the absolute offset moffs8 (DS unless overridden).
o16 A3 mo         | MOV moffs16, AX    | 64 32 |          |                | Copy AX to the 16-bit value at the absolute offset moffs16.
o32 A3 mo         | MOV moffs32, EAX   | 64 32 |          |                | Copy EAX to the 32-bit value at the absolute offset moffs32.
o64 A3 mo         | MOV moffs64, RAX   | 64    |          |                | Copy RAX to the 64-bit value at the absolute offset moffs64.
# MOV immediate
B0+rb ib          | MOV r8, imm8       | 64 32 |          |                | Copy imm8 to r8.
o16 B8+rw iw      | MOV r16, imm16     | 64 32 |          |                | Copy imm16 to r16.
o32 B8+rd id      | MOV r32, imm32     | 64 32 |          |                | Copy imm32 to r32.
o64 B8+ro io      | MOV r64, imm64     | 64    |          |                | Copy imm64 to r64.
C6 /0 ib          | MOV r/m8, imm8     | 64 32 |          |                | Copy imm8 to r/m8.
o16 C7 /0 iw      | MOV r/m16, imm16   | 64 32 |          |                | Copy imm16 to r/m16.
o32 C7 /0 id      | MOV r/m32, imm32   | 64 32 |          |                | Copy imm32 to r/m32.
o64 C7 /0 id      | MOV r/m64, imm32   | 64    |          |                | Copy imm32 sign-extended to 64 bits to r/m64.
# MOVZX, MOVSX, MOVSXD
o16 0F B6 /r      | MOVZX r16, r/m8    | 64 32 |          |                | Copy r/m8 zero-extended to r16.
o32 0F B6 /r      | MOVZX r32, r/m8    | 64 32 |          |                | Copy r/m8 zero-extended to r32.
o64 0F B6 /r      | MOVZX r64, r/m8    | 64    |          |                | Copy r/m8 zero-extended to r64.
o16 0F B7 /r      | MOVZX r16, r/m16   | 64 32 |          |                | Copy r/m16 to r16 (the 16-bit form of this opcode is a plain move).
o32 0F B7 /r      | MOVZX r32, r/m16   | 64 32 |          |                | Copy r/m16 zero-extended to r32.
o64 0F B7 /r      | MOVZX r64, r/m16   | 64    |          |                | Copy r/m16 zero-extended to r64.
o16 0F BE /r      | MOVSX r16, r/m8    | 64 32 |          |                | Copy r/m8 sign-extended to r16.
o32 0F BE /r      | MOVSX r32, r/m8    | 64 32 |          |                | Copy r/m8 sign-extended to r32.
o64 0F BE /r      | MOVSX r64, r/m8    | 64    |          |                | Copy r/m8 sign-extended to r64.
o16 0F BF /r      | MOVSX r16, r/m16   | 64 32 |          |                | Copy r/m16 to r16 (the 16-bit form of this opcode is a plain move).
o32 0F BF /r      | MOVSX r32, r/m16   | 64 32 |          |                | Copy r/m16 sign-extended to r32.
o64 0F BF /r      | MOVSX r64, r/m16   | 64    |          |                | Copy r/m16 sign-extended to r64.
o16 63 /r         | MOVSXD r16, r/m16  | 64    |          |                | Copy r/m16 to r16 (63 is ARPL outside 64-bit mode).
o32 63 /r         | MOVSXD r32, r/m32  | 64    |          |                | Copy r/m32 to r32, zero-extending into the 64-bit register.
o64 63 /r         | MOVSXD r64, r/m32  | 64    |          |                | Copy r/m32 sign-extended to 64 bits to r64.
# CMOVcc (a 32-bit destination is zero-extended to 64 bits even when the condition is false)
o16 0F 40 /r      | CMOVO r16, r/m16   | 64 32 | r=o      |                | Copy r/m16 to r16 if overflow (OF=1).
o32 0F 40 /r      | CMOVO r32, r/m32   | 64 32 | r=o      |                | Copy r/m32 to r32 if overflow (OF=1).
o64 0F 40 /r      | CMOVO r64, r/m64   | 64    | r=o      |                | Copy r/m64 to r64 if overflow (OF=1).
o16 0F 41 /r      | CMOVNO r16, r/m16  | 64 32 | r=o      |                | Copy r/m16 to r16 if not overflow (OF=0).
o32 0F 41 /r      | CMOVNO r32, r/m32  | 64 32 | r=o      |                | Copy r/m32 to r32 if not overflow (OF=0).
o64 0F 41 /r      | CMOVNO r64, r/m64  | 64    | r=o      |                | Copy r/m64 to r64 if not overflow (OF=0).
o16 0F 42 /r      | CMOVB r16, r/m16   | 64 32 | r=c      |                | Copy r/m16 to r16 if below (CF=1).
o32 0F 42 /r      | CMOVB r32, r/m32   | 64 32 | r=c      |                | Copy r/m32 to r32 if below (CF=1).
o64 0F 42 /r      | CMOVB r64, r/m64   | 64    | r=c      |                | Copy r/m64 to r64 if below (CF=1).
o16 0F 43 /r      | CMOVAE r16, r/m16  | 64 32 | r=c      |                | Copy r/m16 to r16 if above or equal (CF=0).
o32 0F 43 /r      | CMOVAE r32, r/m32  | 64 32 | r=c      |                | Copy r/m32 to r32 if above or equal (CF=0).
o64 0F 43 /r      | CMOVAE r64, r/m64  | 64    | r=c      |                | Copy r/m64 to r64 if above or equal (CF=0).
o16 0F 44 /r      | CMOVE r16, r/m16   | 64 32 | r=z      |                | Copy r/m16 to r16 if equal (ZF=1).
o32 0F 44 /r      | CMOVE r32, r/m32   | 64 32 | r=z      |                | Copy r/m32 to r32 if equal (ZF=1).
o64 0F 44 /r      | CMOVE r64, r/m64   | 64    | r=z      |                | Copy r/m64 to r64 if equal (ZF=1).
o16 0F 45 /r      | CMOVNE r16, r/m16  | 64 32 | r=z      |                | Copy r/m16 to r16 if not equal (ZF=0).
o32 0F 45 /r      | CMOVNE r32, r/m32  | 64 32 | r=z      |                | Copy r/m32 to r32 if not equal (ZF=0).
o64 0F 45 /r      | CMOVNE r64, r/m64  | 64    | r=z      |                | Copy r/m64 to r64 if not equal (ZF=0).
o16 0F 46 /r      | CMOVBE r16, r/m16  | 64 32 | r=zc     |                | Copy r/m16 to r16 if below or equal (CF=1 or ZF=1).
o32 0F 46 /r      | CMOVBE r32, r/m32  | 64 32 | r=zc     |                | Copy r/m32 to r32 if below or equal (CF=1 or ZF=1).
o64 0F 46 /r      | CMOVBE r64, r/m64  | 64    | r=zc     |                | Copy r/m64 to r64 if below or equal (CF=1 or ZF=1).
o16 0F 47 /r      | CMOVA r16, r/m16   | 64 32 | r=zc     |                | Copy r/m16 to r16 if above (CF=0 and ZF=0).
o32 0F 47 /r      | CMOVA r32, r/m32   | 64 32 | r=zc     |                | Copy r/m32 to r32 if above (CF=0 and ZF=0).
o64 0F 47 /r      | CMOVA r64, r/m64   | 64    | r=zc     |                | Copy r/m64 to r64 if above (CF=0 and ZF=0).
o16 0F 48 /r      | CMOVS r16, r/m16   | 64 32 | r=s      |                | Copy r/m16 to r16 if sign (SF=1).
o32 0F 48 /r      | CMOVS r32, r/m32   | 64 32 | r=s      |                | Copy r/m32 to r32 if sign (SF=1).
o64 0F 48 /r      | CMOVS r64, r/m64   | 64    | r=s      |                | Copy r/m64 to r64 if sign (SF=1).
o16 0F 49 /r      | CMOVNS r16, r/m16  | 64 32 | r=s      |                | Copy r/m16 to r16 if not sign (SF=0).
o32 0F 49 /r      | CMOVNS r32, r/m32  | 64 32 | r=s      |                | Copy r/m32 to r32 if not sign (SF=0).
o64 0F 49 /r      | CMOVNS r64, r/m64  | 64    | r=s      |                | Copy r/m64 to r64 if not sign (SF=0).
o16 0F 4A /r      | CMOVP r16, r/m16   | 64 32 | r=p      |                | Copy r/m16 to r16 if parity (PF=1).
o32 0F 4A /r      | CMOVP r32, r/m32   | 64 32 | r=p      |                | Copy r/m32 to r32 if parity (PF=1).
o64 0F 4A /r      | CMOVP r64, r/m64   | 64    | r=p      |                | Copy r/m64 to r64 if parity (PF=1).
o16 0F 4B /r      | CMOVNP r16, r/m16  | 64 32 | r=p      |                | Copy r/m16 to r16 if not parity (PF=0).
o32 0F 4B /r      | CMOVNP r32, r/m32  | 64 32 | r=p      |                | Copy r/m32 to r32 if not parity (PF=0).
o64 0F 4B /r      | CMOVNP r64, r/m64  | 64    | r=p      |                | Copy r/m64 to r64 if not parity (PF=0).
o16 0F 4C /r      | CMOVL r16, r/m16   | 64 32 | r=so     |                | Copy r/m16 to r16 if less (SF!=OF).
o32 0F 4C /r      | CMOVL r32, r/m32   | 64 32 | r=so     |                | Copy r/m32 to r32 if less (SF!=OF).
o64 0F 4C /r      | CMOVL r64, r/m64   | 64    | r=so     |                | Copy r/m64 to r64 if less (SF!=OF).
o16 0F 4D /r      | CMOVGE r16, r/m16  | 64 32 | r=so     |                | Copy r/m16 to r16 if greater or equal (SF=OF).
o32 0F 4D /r      | CMOVGE r32, r/m32  | 64 32 | r=so     |                | Copy r/m32 to r32 if greater or equal (SF=OF).
o64 0F 4D /r      | CMOVGE r64, r/m64  | 64    | r=so     |                | Copy r/m64 to r64 if greater or equal (SF=OF).
o16 0F 4E /r      | CMOVLE r16, r/m16  | 64 32 | r=zso    |                | Copy r/m16 to r16 if less or equal (ZF=1 or SF!=OF).
o32 0F 4E /r      | CMOVLE r32, r/m32  | 64 32 | r=zso    |                | Copy r/m32 to r32 if less or equal (ZF=1 or SF!=OF).
o64 0F 4E /r      | CMOVLE r64, r/m64  | 64    | r=zso    |                | Copy r/m64 to r64 if less or equal (ZF=1 or SF!=OF).
o16 0F 4F /r      | CMOVG r16, r/m16   | 64 32 | r=zso    |                | Copy r/m16 to r16 if greater (ZF=0 and SF=OF).
o32 0F 4F /r      | CMOVG r32, r/m32   | 64 32 | r=zso    |                | Copy r/m32 to r32 if greater (ZF=0 and SF=OF).
o64 0F 4F /r      | CMOVG r64, r/m64   | 64    | r=zso    |                | Copy r/m64 to r64 if greater (ZF=0 and SF=OF).
# XCHG (with a memory operand it is locked whether or not LOCK is given), BSWAP, XADD
o16 90+rw         | XCHG AX, r16       | 64 32 |          |                | Exchange r16 with AX.
o32 90+rd         | XCHG EAX, r32      | 64 32 |          |                | Exchange r32 with EAX (90 with no REX.B is NOP, not XCHG EAX, EAX).
o64 90+ro         | XCHG RAX, r64      | 64    |          |                | Exchange r64 with RAX.
86 /r             | XCHG r/m8, r8      | 64 32 |          | lock           | Exchange r8 with r/m8.
o16 87 /r         | XCHG r/m16, r16    | 64 32 |          | lock           | Exchange r16 with r/m16.
o32 87 /r         | XCHG r/m32, r32    | 64 32 |          | lock           | Exchange r32 with r/m32.
o64 87 /r         | XCHG r/m64, r64    | 64    |          | lock           | Exchange r64 with r/m64.
o16 0F C8+rw      | BSWAP r16          | 64 32 |          |                | Undefined by the SDM for a 16-bit register; the hardware clears the low 16 bits of r16.
o32 0F C8+rd      | BSWAP r32          | 64 32 |          |                | Reverse the byte order of r32.
o64 0F C8+ro      | BSWAP r64          | 64    |          |                | Reverse the byte order of r64.
0F C0 /r          | XADD r/m8, r8      | 64 32 | w=oszacp | lock           | Exchange r8 and r/m8, then store their sum in r/m8.
o16 0F C1 /r      | XADD r/m16, r16    | 64 32 | w=oszacp | lock           | Exchange r16 and r/m16, then store their sum in r/m16.
o32 0F C1 /r      | XADD r/m32, r32    | 64 32 | w=oszacp | lock           | Exchange r32 and r/m32, then store their sum in r/m32.
o64 0F C1 /r      | XADD r/m64, r64    | 64    | w=oszacp | lock           | Exchange r64 and r/m64, then store their sum in r/m64.
# CMPXCHG, CMPXCHG8B, CMPXCHG16B
0F B0 /r          | CMPXCHG r/m8, r8   | 64 32 | w=oszacp | lock           | Compare AL with r/m8: if equal set ZF and store r8 in r/m8, else clear ZF and load r/m8 into AL.
o16 0F B1 /r      | CMPXCHG r/m16, r16 | 64 32 | w=oszacp | lock           | Compare AX with r/m16: if equal set ZF and store r16 in r/m16, else clear ZF and load r/m16 into AX.
o32 0F B1 /r      | CMPXCHG r/m32, r32 | 64 32 | w=oszacp | lock           | Compare EAX with r/m32: if equal set ZF and store r32 in r/m32, else clear ZF and load r/m32 into EAX.
o64 0F B1 /r      | CMPXCHG r/m64, r64 | 64    | w=oszacp | lock           | Compare RAX with r/m64: if equal set ZF and store r64 in r/m64, else clear ZF and load r/m64 into RAX.
0F C7 /1 m        | CMPXCHG8B m64      | 64 32 | w=z      | lock           | Compare EDX:EAX with m64: if equal set ZF and store ECX:EBX in m64, else clear ZF and load m64 into EDX:EAX.
o64 0F C7 /1 m    | CMPXCHG16B m128    | 64    | w=z      | lock           | Compare RDX:RAX with m128 (16-byte aligned): if equal set ZF and store RCX:RBX, else clear ZF and load m128 into RDX:RAX.
# PUSH, POP (segment registers are in segment.ts, flags in flagctl.ts)
o16 FF /6         | PUSH r/m16         | 64 32 |          |                | Push r/m16.
o32 FF /6         | PUSH r/m32         | 32    |          |                | Push r/m32.
d64 FF /6         | PUSH r/m64         | 64    |          |                | Push r/m64.
o16 50+rw         | PUSH r16           | 64 32 |          |                | Push r16.
o32 50+rd         | PUSH r32           | 32    |          |                | Push r32.
d64 50+ro         | PUSH r64           | 64    |          |                | Push r64.
o16 6A ib         | PUSH imm8          | 64 32 |          | id=Pushw_imm8  | Push imm8 sign-extended to 16 bits.
o32 6A ib         | PUSH imm8          | 32    |          | id=Pushd_imm8  | Push imm8 sign-extended to 32 bits.
d64 6A ib         | PUSH imm8          | 64    |          | id=Pushq_imm8  | Push imm8 sign-extended to 64 bits.
o16 68 iw         | PUSH imm16         | 64 32 |          |                | Push imm16.
o32 68 id         | PUSH imm32         | 32    |          | id=Pushd_imm32 | Push imm32.
d64 68 id         | PUSH imm32         | 64    |          | id=Pushq_imm32 | Push imm32 sign-extended to 64 bits.
o16 8F /0         | POP r/m16          | 64 32 |          |                | Pop the top of the stack into r/m16.
o32 8F /0         | POP r/m32          | 32    |          |                | Pop the top of the stack into r/m32.
d64 8F /0         | POP r/m64          | 64    |          |                | Pop the top of the stack into r/m64.
o16 58+rw         | POP r16            | 64 32 |          |                | Pop the top of the stack into r16.
o32 58+rd         | POP r32            | 32    |          |                | Pop the top of the stack into r32.
d64 58+ro         | POP r64            | 64    |          |                | Pop the top of the stack into r64.
o16 60            | PUSHA              | 32    |          |                | Push AX, CX, DX, BX, the original SP, BP, SI and DI.
o32 60            | PUSHAD             | 32    |          |                | Push EAX, ECX, EDX, EBX, the original ESP, EBP, ESI and EDI.
o16 61            | POPA               | 32    |          |                | Pop DI, SI, BP, (discarded SP), BX, DX, CX and AX.
o32 61            | POPAD              | 32    |          |                | Pop EDI, ESI, EBP, (discarded ESP), EBX, EDX, ECX and EAX.
# Conversions
o16 98            | CBW                | 64 32 |          |                | Sign-extend AL into AX.
o32 98            | CWDE               | 64 32 |          |                | Sign-extend AX into EAX.
o64 98            | CDQE               | 64    |          |                | Sign-extend EAX into RAX.
o16 99            | CWD                | 64 32 |          |                | Sign-extend AX into DX:AX.
o32 99            | CDQ                | 64 32 |          |                | Sign-extend EAX into EDX:EAX.
o64 99            | CQO                | 64    |          |                | Sign-extend RAX into RDX:RAX.
# MOVBE (F2 0F 38 F0/F1 is CRC32, not in this table), LEA
o16 0F 38 F0 /r m | MOVBE r16, m16     | 64 32 |          |                | Copy m16 to r16 with its bytes reversed.
o32 0F 38 F0 /r m | MOVBE r32, m32     | 64 32 |          |                | Copy m32 to r32 with its bytes reversed.
o64 0F 38 F0 /r m | MOVBE r64, m64     | 64    |          |                | Copy m64 to r64 with its bytes reversed.
o16 0F 38 F1 /r m | MOVBE m16, r16     | 64 32 |          |                | Copy r16 to m16 with its bytes reversed.
o32 0F 38 F1 /r m | MOVBE m32, r32     | 64 32 |          |                | Copy r32 to m32 with its bytes reversed.
o64 0F 38 F1 /r m | MOVBE m64, r64     | 64    |          |                | Copy r64 to m64 with its bytes reversed.
o16 8D /r m       | LEA r16, m         | 64 32 |          |                | Store the effective address of m (its offset, truncated or zero-extended) in r16.
o32 8D /r m       | LEA r32, m         | 64 32 |          |                | Store the effective address of m (its offset, truncated or zero-extended) in r32.
o64 8D /r m       | LEA r64, m         | 64    |          |                | Store the effective address of m (its offset, truncated or zero-extended) in r64.
# IN, OUT (IOPL and the TSS I/O bitmap are checked)
E4 ib             | IN AL, imm8        | 64 32 |          | io             | Read a byte from I/O port imm8 into AL.
o16 E5 ib         | IN AX, imm8        | 64 32 |          | io             | Read a word from I/O port imm8 into AX.
o32 E5 ib         | IN EAX, imm8       | 64 32 |          | io             | Read a doubleword from I/O port imm8 into EAX.
EC                | IN AL, DX          | 64 32 |          | io             | Read a byte from the I/O port in DX into AL.
o16 ED            | IN AX, DX          | 64 32 |          | io             | Read a word from the I/O port in DX into AX.
o32 ED            | IN EAX, DX         | 64 32 |          | io             | Read a doubleword from the I/O port in DX into EAX.
E6 ib             | OUT imm8, AL       | 64 32 |          | io             | Write AL to I/O port imm8.
o16 E7 ib         | OUT imm8, AX       | 64 32 |          | io             | Write AX to I/O port imm8.
o32 E7 ib         | OUT imm8, EAX      | 64 32 |          | io             | Write EAX to I/O port imm8.
EE                | OUT DX, AL         | 64 32 |          | io             | Write AL to the I/O port in DX.
o16 EF            | OUT DX, AX         | 64 32 |          | io             | Write AX to the I/O port in DX.
o32 EF            | OUT DX, EAX        | 64 32 |          | io             | Write EAX to the I/O port in DX.
`;
