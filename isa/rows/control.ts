// Control transfer: JMP, Jcc, JrCXZ, LOOPcc, CALL, RET, RETF, ENTER, LEAVE, INT, IRET, BOUND.
// Rows of the one instruction table; the format is described in isa/README.md.

export const ROWS = `
# JMP (near forms ignore 66 in 64-bit mode, as Intel CPUs do)
o16 EB cb     | JMP rel8          | 32    |                | id=Jmp_rel8_16       | Jump short, relative to the next instruction, truncating the new IP to 16 bits.
o32 EB cb     | JMP rel8          | 32    |                | id=Jmp_rel8_32       | Jump short, relative to the next instruction.
f64 EB cb     | JMP rel8          | 64    |                | id=Jmp_rel8_64       | Jump short, relative to the next instruction.
o16 E9 cw     | JMP rel16         | 32    |                |                      | Jump near, relative to the next instruction, truncating the new IP to 16 bits.
o32 E9 cd     | JMP rel32         | 32    |                | id=Jmp_rel32_32      | Jump near, relative to the next instruction.
f64 E9 cd     | JMP rel32         | 64    |                | id=Jmp_rel32_64      | Jump near, relative to the next instruction (rel32 sign-extended to 64 bits).
o16 FF /4     | JMP r/m16         | 32    |                |                      | Jump near, absolute indirect, to the 16-bit address in r/m16.
o32 FF /4     | JMP r/m32         | 32    |                |                      | Jump near, absolute indirect, to the 32-bit address in r/m32.
f64 FF /4     | JMP r/m64         | 64    |                |                      | Jump near, absolute indirect, to the 64-bit address in r/m64.
o16 EA cd     | JMP ptr16:16      | 32    |                |                      | Jump far to the selector and 16-bit offset given in the instruction.
o32 EA cp     | JMP ptr16:32      | 32    |                |                      | Jump far to the selector and 32-bit offset given in the instruction.
o16 FF /5 m   | JMP m16:16        | 64 32 |                |                      | Jump far, absolute indirect, to the 16-bit offset and selector in memory.
o32 FF /5 m   | JMP m16:32        | 64 32 |                |                      | Jump far, absolute indirect, to the 32-bit offset and selector in memory.
o64 FF /5 m   | JMP m16:64        | 64    |                |                      | Jump far, absolute indirect, to the 64-bit offset and selector in memory.
# Jcc
o16 70 cb     | JO rel8           | 32    | r=o            | id=Jo_rel8_16        | Jump short if overflow (OF=1), truncating the new IP to 16 bits.
o32 70 cb     | JO rel8           | 32    | r=o            | id=Jo_rel8_32        | Jump short if overflow (OF=1).
f64 70 cb     | JO rel8           | 64    | r=o            | id=Jo_rel8_64        | Jump short if overflow (OF=1).
o16 0F 80 cw  | JO rel16          | 32    | r=o            |                      | Jump near if overflow (OF=1), truncating the new IP to 16 bits.
o32 0F 80 cd  | JO rel32          | 32    | r=o            | id=Jo_rel32_32       | Jump near if overflow (OF=1).
f64 0F 80 cd  | JO rel32          | 64    | r=o            | id=Jo_rel32_64       | Jump near if overflow (OF=1).
o16 71 cb     | JNO rel8          | 32    | r=o            | id=Jno_rel8_16       | Jump short if not overflow (OF=0), truncating the new IP to 16 bits.
o32 71 cb     | JNO rel8          | 32    | r=o            | id=Jno_rel8_32       | Jump short if not overflow (OF=0).
f64 71 cb     | JNO rel8          | 64    | r=o            | id=Jno_rel8_64       | Jump short if not overflow (OF=0).
o16 0F 81 cw  | JNO rel16         | 32    | r=o            |                      | Jump near if not overflow (OF=0), truncating the new IP to 16 bits.
o32 0F 81 cd  | JNO rel32         | 32    | r=o            | id=Jno_rel32_32      | Jump near if not overflow (OF=0).
f64 0F 81 cd  | JNO rel32         | 64    | r=o            | id=Jno_rel32_64      | Jump near if not overflow (OF=0).
o16 72 cb     | JB rel8           | 32    | r=c            | id=Jb_rel8_16        | Jump short if below (CF=1), truncating the new IP to 16 bits.
o32 72 cb     | JB rel8           | 32    | r=c            | id=Jb_rel8_32        | Jump short if below (CF=1).
f64 72 cb     | JB rel8           | 64    | r=c            | id=Jb_rel8_64        | Jump short if below (CF=1).
o16 0F 82 cw  | JB rel16          | 32    | r=c            |                      | Jump near if below (CF=1), truncating the new IP to 16 bits.
o32 0F 82 cd  | JB rel32          | 32    | r=c            | id=Jb_rel32_32       | Jump near if below (CF=1).
f64 0F 82 cd  | JB rel32          | 64    | r=c            | id=Jb_rel32_64       | Jump near if below (CF=1).
o16 73 cb     | JAE rel8          | 32    | r=c            | id=Jae_rel8_16       | Jump short if above or equal (CF=0), truncating the new IP to 16 bits.
o32 73 cb     | JAE rel8          | 32    | r=c            | id=Jae_rel8_32       | Jump short if above or equal (CF=0).
f64 73 cb     | JAE rel8          | 64    | r=c            | id=Jae_rel8_64       | Jump short if above or equal (CF=0).
o16 0F 83 cw  | JAE rel16         | 32    | r=c            |                      | Jump near if above or equal (CF=0), truncating the new IP to 16 bits.
o32 0F 83 cd  | JAE rel32         | 32    | r=c            | id=Jae_rel32_32      | Jump near if above or equal (CF=0).
f64 0F 83 cd  | JAE rel32         | 64    | r=c            | id=Jae_rel32_64      | Jump near if above or equal (CF=0).
o16 74 cb     | JE rel8           | 32    | r=z            | id=Je_rel8_16        | Jump short if equal (ZF=1), truncating the new IP to 16 bits.
o32 74 cb     | JE rel8           | 32    | r=z            | id=Je_rel8_32        | Jump short if equal (ZF=1).
f64 74 cb     | JE rel8           | 64    | r=z            | id=Je_rel8_64        | Jump short if equal (ZF=1).
o16 0F 84 cw  | JE rel16          | 32    | r=z            |                      | Jump near if equal (ZF=1), truncating the new IP to 16 bits.
o32 0F 84 cd  | JE rel32          | 32    | r=z            | id=Je_rel32_32       | Jump near if equal (ZF=1).
f64 0F 84 cd  | JE rel32          | 64    | r=z            | id=Je_rel32_64       | Jump near if equal (ZF=1).
o16 75 cb     | JNE rel8          | 32    | r=z            | id=Jne_rel8_16       | Jump short if not equal (ZF=0), truncating the new IP to 16 bits.
o32 75 cb     | JNE rel8          | 32    | r=z            | id=Jne_rel8_32       | Jump short if not equal (ZF=0).
f64 75 cb     | JNE rel8          | 64    | r=z            | id=Jne_rel8_64       | Jump short if not equal (ZF=0).
o16 0F 85 cw  | JNE rel16         | 32    | r=z            |                      | Jump near if not equal (ZF=0), truncating the new IP to 16 bits.
o32 0F 85 cd  | JNE rel32         | 32    | r=z            | id=Jne_rel32_32      | Jump near if not equal (ZF=0).
f64 0F 85 cd  | JNE rel32         | 64    | r=z            | id=Jne_rel32_64      | Jump near if not equal (ZF=0).
o16 76 cb     | JBE rel8          | 32    | r=zc           | id=Jbe_rel8_16       | Jump short if below or equal (CF=1 or ZF=1), truncating the new IP to 16 bits.
o32 76 cb     | JBE rel8          | 32    | r=zc           | id=Jbe_rel8_32       | Jump short if below or equal (CF=1 or ZF=1).
f64 76 cb     | JBE rel8          | 64    | r=zc           | id=Jbe_rel8_64       | Jump short if below or equal (CF=1 or ZF=1).
o16 0F 86 cw  | JBE rel16         | 32    | r=zc           |                      | Jump near if below or equal (CF=1 or ZF=1), truncating the new IP to 16 bits.
o32 0F 86 cd  | JBE rel32         | 32    | r=zc           | id=Jbe_rel32_32      | Jump near if below or equal (CF=1 or ZF=1).
f64 0F 86 cd  | JBE rel32         | 64    | r=zc           | id=Jbe_rel32_64      | Jump near if below or equal (CF=1 or ZF=1).
o16 77 cb     | JA rel8           | 32    | r=zc           | id=Ja_rel8_16        | Jump short if above (CF=0 and ZF=0), truncating the new IP to 16 bits.
o32 77 cb     | JA rel8           | 32    | r=zc           | id=Ja_rel8_32        | Jump short if above (CF=0 and ZF=0).
f64 77 cb     | JA rel8           | 64    | r=zc           | id=Ja_rel8_64        | Jump short if above (CF=0 and ZF=0).
o16 0F 87 cw  | JA rel16          | 32    | r=zc           |                      | Jump near if above (CF=0 and ZF=0), truncating the new IP to 16 bits.
o32 0F 87 cd  | JA rel32          | 32    | r=zc           | id=Ja_rel32_32       | Jump near if above (CF=0 and ZF=0).
f64 0F 87 cd  | JA rel32          | 64    | r=zc           | id=Ja_rel32_64       | Jump near if above (CF=0 and ZF=0).
o16 78 cb     | JS rel8           | 32    | r=s            | id=Js_rel8_16        | Jump short if sign (SF=1), truncating the new IP to 16 bits.
o32 78 cb     | JS rel8           | 32    | r=s            | id=Js_rel8_32        | Jump short if sign (SF=1).
f64 78 cb     | JS rel8           | 64    | r=s            | id=Js_rel8_64        | Jump short if sign (SF=1).
o16 0F 88 cw  | JS rel16          | 32    | r=s            |                      | Jump near if sign (SF=1), truncating the new IP to 16 bits.
o32 0F 88 cd  | JS rel32          | 32    | r=s            | id=Js_rel32_32       | Jump near if sign (SF=1).
f64 0F 88 cd  | JS rel32          | 64    | r=s            | id=Js_rel32_64       | Jump near if sign (SF=1).
o16 79 cb     | JNS rel8          | 32    | r=s            | id=Jns_rel8_16       | Jump short if not sign (SF=0), truncating the new IP to 16 bits.
o32 79 cb     | JNS rel8          | 32    | r=s            | id=Jns_rel8_32       | Jump short if not sign (SF=0).
f64 79 cb     | JNS rel8          | 64    | r=s            | id=Jns_rel8_64       | Jump short if not sign (SF=0).
o16 0F 89 cw  | JNS rel16         | 32    | r=s            |                      | Jump near if not sign (SF=0), truncating the new IP to 16 bits.
o32 0F 89 cd  | JNS rel32         | 32    | r=s            | id=Jns_rel32_32      | Jump near if not sign (SF=0).
f64 0F 89 cd  | JNS rel32         | 64    | r=s            | id=Jns_rel32_64      | Jump near if not sign (SF=0).
o16 7A cb     | JP rel8           | 32    | r=p            | id=Jp_rel8_16        | Jump short if parity (PF=1), truncating the new IP to 16 bits.
o32 7A cb     | JP rel8           | 32    | r=p            | id=Jp_rel8_32        | Jump short if parity (PF=1).
f64 7A cb     | JP rel8           | 64    | r=p            | id=Jp_rel8_64        | Jump short if parity (PF=1).
o16 0F 8A cw  | JP rel16          | 32    | r=p            |                      | Jump near if parity (PF=1), truncating the new IP to 16 bits.
o32 0F 8A cd  | JP rel32          | 32    | r=p            | id=Jp_rel32_32       | Jump near if parity (PF=1).
f64 0F 8A cd  | JP rel32          | 64    | r=p            | id=Jp_rel32_64       | Jump near if parity (PF=1).
o16 7B cb     | JNP rel8          | 32    | r=p            | id=Jnp_rel8_16       | Jump short if not parity (PF=0), truncating the new IP to 16 bits.
o32 7B cb     | JNP rel8          | 32    | r=p            | id=Jnp_rel8_32       | Jump short if not parity (PF=0).
f64 7B cb     | JNP rel8          | 64    | r=p            | id=Jnp_rel8_64       | Jump short if not parity (PF=0).
o16 0F 8B cw  | JNP rel16         | 32    | r=p            |                      | Jump near if not parity (PF=0), truncating the new IP to 16 bits.
o32 0F 8B cd  | JNP rel32         | 32    | r=p            | id=Jnp_rel32_32      | Jump near if not parity (PF=0).
f64 0F 8B cd  | JNP rel32         | 64    | r=p            | id=Jnp_rel32_64      | Jump near if not parity (PF=0).
o16 7C cb     | JL rel8           | 32    | r=so           | id=Jl_rel8_16        | Jump short if less (SF!=OF), truncating the new IP to 16 bits.
o32 7C cb     | JL rel8           | 32    | r=so           | id=Jl_rel8_32        | Jump short if less (SF!=OF).
f64 7C cb     | JL rel8           | 64    | r=so           | id=Jl_rel8_64        | Jump short if less (SF!=OF).
o16 0F 8C cw  | JL rel16          | 32    | r=so           |                      | Jump near if less (SF!=OF), truncating the new IP to 16 bits.
o32 0F 8C cd  | JL rel32          | 32    | r=so           | id=Jl_rel32_32       | Jump near if less (SF!=OF).
f64 0F 8C cd  | JL rel32          | 64    | r=so           | id=Jl_rel32_64       | Jump near if less (SF!=OF).
o16 7D cb     | JGE rel8          | 32    | r=so           | id=Jge_rel8_16       | Jump short if greater or equal (SF=OF), truncating the new IP to 16 bits.
o32 7D cb     | JGE rel8          | 32    | r=so           | id=Jge_rel8_32       | Jump short if greater or equal (SF=OF).
f64 7D cb     | JGE rel8          | 64    | r=so           | id=Jge_rel8_64       | Jump short if greater or equal (SF=OF).
o16 0F 8D cw  | JGE rel16         | 32    | r=so           |                      | Jump near if greater or equal (SF=OF), truncating the new IP to 16 bits.
o32 0F 8D cd  | JGE rel32         | 32    | r=so           | id=Jge_rel32_32      | Jump near if greater or equal (SF=OF).
f64 0F 8D cd  | JGE rel32         | 64    | r=so           | id=Jge_rel32_64      | Jump near if greater or equal (SF=OF).
o16 7E cb     | JLE rel8          | 32    | r=zso          | id=Jle_rel8_16       | Jump short if less or equal (ZF=1 or SF!=OF), truncating the new IP to 16 bits.
o32 7E cb     | JLE rel8          | 32    | r=zso          | id=Jle_rel8_32       | Jump short if less or equal (ZF=1 or SF!=OF).
f64 7E cb     | JLE rel8          | 64    | r=zso          | id=Jle_rel8_64       | Jump short if less or equal (ZF=1 or SF!=OF).
o16 0F 8E cw  | JLE rel16         | 32    | r=zso          |                      | Jump near if less or equal (ZF=1 or SF!=OF), truncating the new IP to 16 bits.
o32 0F 8E cd  | JLE rel32         | 32    | r=zso          | id=Jle_rel32_32      | Jump near if less or equal (ZF=1 or SF!=OF).
f64 0F 8E cd  | JLE rel32         | 64    | r=zso          | id=Jle_rel32_64      | Jump near if less or equal (ZF=1 or SF!=OF).
o16 7F cb     | JG rel8           | 32    | r=zso          | id=Jg_rel8_16        | Jump short if greater (ZF=0 and SF=OF), truncating the new IP to 16 bits.
o32 7F cb     | JG rel8           | 32    | r=zso          | id=Jg_rel8_32        | Jump short if greater (ZF=0 and SF=OF).
f64 7F cb     | JG rel8           | 64    | r=zso          | id=Jg_rel8_64        | Jump short if greater (ZF=0 and SF=OF).
o16 0F 8F cw  | JG rel16          | 32    | r=zso          |                      | Jump near if greater (ZF=0 and SF=OF), truncating the new IP to 16 bits.
o32 0F 8F cd  | JG rel32          | 32    | r=zso          | id=Jg_rel32_32       | Jump near if greater (ZF=0 and SF=OF).
f64 0F 8F cd  | JG rel32          | 64    | r=zso          | id=Jg_rel32_64       | Jump near if greater (ZF=0 and SF=OF).
# JCXZ, JECXZ, JRCXZ (the counter is chosen by the address size)
o16 a16 E3 cb | JCXZ rel8         | 32    |                | id=Jcxz_rel8_16      | Jump short if CX is 0, truncating the new IP to 16 bits.
o32 a16 E3 cb | JCXZ rel8         | 32    |                | id=Jcxz_rel8_32      | Jump short if CX is 0.
o16 a32 E3 cb | JECXZ rel8        | 32    |                | id=Jecxz_rel8_16     | Jump short if ECX is 0, truncating the new IP to 16 bits.
o32 a32 E3 cb | JECXZ rel8        | 32    |                | id=Jecxz_rel8_32     | Jump short if ECX is 0.
f64 a32 E3 cb | JECXZ rel8        | 64    |                | id=Jecxz_rel8_64     | Jump short if ECX is 0.
f64 a64 E3 cb | JRCXZ rel8        | 64    |                |                      | Jump short if RCX is 0.
# LOOP, LOOPE, LOOPNE (the counter is CX, ECX or RCX by address size)
o16 E2 cb     | LOOP rel8         | 32    |                | id=Loop_rel8_16      | Decrement the count register without changing flags and jump short if it is not 0, truncating the new IP to 16 bits.
o32 E2 cb     | LOOP rel8         | 32    |                | id=Loop_rel8_32      | Decrement the count register without changing flags and jump short if it is not 0.
f64 E2 cb     | LOOP rel8         | 64    |                | id=Loop_rel8_64      | Decrement the count register without changing flags and jump short if it is not 0.
o16 E1 cb     | LOOPE rel8        | 32    | r=z            | id=Loope_rel8_16     | Decrement the count register without changing flags and jump short if it is not 0 and ZF=1, truncating the new IP to 16 bits.
o32 E1 cb     | LOOPE rel8        | 32    | r=z            | id=Loope_rel8_32     | Decrement the count register without changing flags and jump short if it is not 0 and ZF=1.
f64 E1 cb     | LOOPE rel8        | 64    | r=z            | id=Loope_rel8_64     | Decrement the count register without changing flags and jump short if it is not 0 and ZF=1.
o16 E0 cb     | LOOPNE rel8       | 32    | r=z            | id=Loopne_rel8_16    | Decrement the count register without changing flags and jump short if it is not 0 and ZF=0, truncating the new IP to 16 bits.
o32 E0 cb     | LOOPNE rel8       | 32    | r=z            | id=Loopne_rel8_32    | Decrement the count register without changing flags and jump short if it is not 0 and ZF=0.
f64 E0 cb     | LOOPNE rel8       | 64    | r=z            | id=Loopne_rel8_64    | Decrement the count register without changing flags and jump short if it is not 0 and ZF=0.
# CALL
o16 E8 cw     | CALL rel16        | 32    |                |                      | Push the 16-bit return address and call near, relative, truncating the new IP to 16 bits.
o32 E8 cd     | CALL rel32        | 32    |                | id=Call_rel32_32     | Push the 32-bit return address and call near, relative to the next instruction.
f64 E8 cd     | CALL rel32        | 64    |                | id=Call_rel32_64     | Push the 64-bit return address and call near, relative to the next instruction.
o16 FF /2     | CALL r/m16        | 32    |                |                      | Call near, absolute indirect, to the 16-bit address in r/m16.
o32 FF /2     | CALL r/m32        | 32    |                |                      | Call near, absolute indirect, to the 32-bit address in r/m32.
f64 FF /2     | CALL r/m64        | 64    |                |                      | Call near, absolute indirect, to the 64-bit address in r/m64.
o16 9A cd     | CALL ptr16:16     | 32    |                |                      | Push CS and IP and call far to the selector and 16-bit offset given in the instruction.
o32 9A cp     | CALL ptr16:32     | 32    |                |                      | Push CS and EIP and call far to the selector and 32-bit offset given in the instruction.
o16 FF /3 m   | CALL m16:16       | 64 32 |                |                      | Call far, absolute indirect, to the 16-bit offset and selector in memory.
o32 FF /3 m   | CALL m16:32       | 64 32 |                |                      | Call far, absolute indirect, to the 32-bit offset and selector in memory.
o64 FF /3 m   | CALL m16:64       | 64    |                |                      | Call far, absolute indirect, to the 64-bit offset and selector in memory.
# RET near (66 is ignored in 64-bit mode on Intel CPUs), RETF (far return: Intel writes RET)
o16 C3        | RET               | 32    |                | id=Retw              | Near return: pop a 16-bit return address into IP.
o32 C3        | RET               | 32    |                | id=Retd              | Near return: pop a 32-bit return address into EIP.
f64 C3        | RET               | 64    |                | id=Retq              | Near return: pop a 64-bit return address into RIP.
o16 C2 iw     | RET imm16         | 32    |                | id=Retw_imm16        | Near return: pop a 16-bit return address into IP, then release imm16 bytes of stack.
o32 C2 iw     | RET imm16         | 32    |                | id=Retd_imm16        | Near return: pop a 32-bit return address into EIP, then release imm16 bytes of stack.
f64 C2 iw     | RET imm16         | 64    |                | id=Retq_imm16        | Near return: pop a 64-bit return address into RIP, then release imm16 bytes of stack.
o16 CB        | RETF              | 64 32 |                | id=Retfw             | Far return: pop a 16-bit offset and a selector into IP and CS.
o32 CB        | RETF              | 64 32 |                | id=Retfd             | Far return: pop a 32-bit offset and a selector into EIP and CS.
o64 CB        | RETF              | 64    |                | id=Retfq             | Far return: pop a 64-bit offset and a selector into RIP and CS.
o16 CA iw     | RETF imm16        | 64 32 |                | id=Retfw_imm16       | Far return with 16-bit pops, releasing imm16 bytes of the caller stack.
o32 CA iw     | RETF imm16        | 64 32 |                | id=Retfd_imm16       | Far return with 32-bit pops, releasing imm16 bytes of the caller stack.
o64 CA iw     | RETF imm16        | 64    |                | id=Retfq_imm16       | Far return with 64-bit pops, releasing imm16 bytes of the caller stack.
# ENTER, LEAVE
o16 C8 iw ib  | ENTER imm16, imm8 | 64 32 |                | id=Enterw_imm16_imm8 | Make a stack frame of imm16 bytes with nesting level imm8 modulo 32, pushing BP.
o32 C8 iw ib  | ENTER imm16, imm8 | 32    |                | id=Enterd_imm16_imm8 | Make a stack frame of imm16 bytes with nesting level imm8 modulo 32, pushing EBP.
d64 C8 iw ib  | ENTER imm16, imm8 | 64    |                | id=Enterq_imm16_imm8 | Make a stack frame of imm16 bytes with nesting level imm8 modulo 32, pushing RBP.
o16 C9        | LEAVE             | 64 32 |                | id=Leavew            | Set SP (by stack size) to BP, then pop BP.
o32 C9        | LEAVE             | 32    |                | id=Leaved            | Set ESP (by stack size) to EBP, then pop EBP.
d64 C9        | LEAVE             | 64    |                | id=Leaveq            | Set RSP to RBP, then pop RBP.
# Software interrupts: IF is cleared through an interrupt gate and kept through a trap gate
CD ib         | INT imm8          | 64 32 | w=i 0=tr       |                      | Raise software interrupt imm8 through the IDT (the gate DPL is checked against CPL).
CC            | INT3              | 64 32 | w=i 0=tr       |                      | Raise the breakpoint exception #BP (vector 3, gate DPL checked).
F1            | INT1              | 64 32 | w=i 0=tr       |                      | Raise a debug exception #DB (vector 1) without a gate DPL check.
CE            | INTO              | 32    | r=o w=i 0=tr   |                      | Raise the overflow exception #OF (vector 4) if OF is 1.
# IRET
o16 CF        | IRET              | 64 32 | w=oszacpdit    |                      | Return from an interrupt, popping IP, CS and FLAGS (and SP and SS on a privilege change).
o32 CF        | IRETD             | 64 32 | w=oszacpditrnv |                      | Return from an interrupt, popping EIP, CS and EFLAGS (and ESP and SS on a privilege change).
o64 CF        | IRETQ             | 64    | w=oszacpditrn  |                      | Return from an interrupt, popping RIP, CS, RFLAGS, RSP and SS.
# BOUND (62 is EVEX in 64-bit mode)
o16 62 /r m   | BOUND r16, m16&16 | 32    |                |                      | Raise #BR unless r16 lies within the signed lower and upper bounds in memory.
o32 62 /r m   | BOUND r32, m32&32 | 32    |                |                      | Raise #BR unless r32 lies within the signed lower and upper bounds in memory.
`;
