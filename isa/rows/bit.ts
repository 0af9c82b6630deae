// Bit and byte instructions: BT BTS BTR BTC, BSF BSR, POPCNT LZCNT TZCNT, SETcc.
// Rows of the one instruction table; the format is described in isa/README.md.

export const ROWS = `
# BT
o16 0F A3 /r    | BT r/m16, r16     | 64 32 | w=c u=osap  |      | Copy the bit of r/m16 selected by r16 into CF (with a memory operand the signed bit offset may reach outside the addressed 16-bit word).
o32 0F A3 /r    | BT r/m32, r32     | 64 32 | w=c u=osap  |      | Copy the bit of r/m32 selected by r32 into CF (with a memory operand the signed bit offset may reach outside the addressed 32-bit word).
o64 0F A3 /r    | BT r/m64, r64     | 64    | w=c u=osap  |      | Copy the bit of r/m64 selected by r64 into CF (with a memory operand the signed bit offset may reach outside the addressed 64-bit word).
o16 0F BA /4 ib | BT r/m16, imm8    | 64 32 | w=c u=osap  |      | Copy the bit of r/m16 selected by imm8 modulo 16 into CF.
o32 0F BA /4 ib | BT r/m32, imm8    | 64 32 | w=c u=osap  |      | Copy the bit of r/m32 selected by imm8 modulo 32 into CF.
o64 0F BA /4 ib | BT r/m64, imm8    | 64    | w=c u=osap  |      | Copy the bit of r/m64 selected by imm8 modulo 64 into CF.
# BTS
o16 0F AB /r    | BTS r/m16, r16    | 64 32 | w=c u=osap  | lock | Copy the bit of r/m16 selected by r16 into CF and set it (with a memory operand the signed bit offset may reach outside the addressed 16-bit word).
o32 0F AB /r    | BTS r/m32, r32    | 64 32 | w=c u=osap  | lock | Copy the bit of r/m32 selected by r32 into CF and set it (with a memory operand the signed bit offset may reach outside the addressed 32-bit word).
o64 0F AB /r    | BTS r/m64, r64    | 64    | w=c u=osap  | lock | Copy the bit of r/m64 selected by r64 into CF and set it (with a memory operand the signed bit offset may reach outside the addressed 64-bit word).
o16 0F BA /5 ib | BTS r/m16, imm8   | 64 32 | w=c u=osap  | lock | Copy the bit of r/m16 selected by imm8 modulo 16 into CF and set it.
o32 0F BA /5 ib | BTS r/m32, imm8   | 64 32 | w=c u=osap  | lock | Copy the bit of r/m32 selected by imm8 modulo 32 into CF and set it.
o64 0F BA /5 ib | BTS r/m64, imm8   | 64    | w=c u=osap  | lock | Copy the bit of r/m64 selected by imm8 modulo 64 into CF and set it.
# BTR
o16 0F B3 /r    | BTR r/m16, r16    | 64 32 | w=c u=osap  | lock | Copy the bit of r/m16 selected by r16 into CF and clear it (with a memory operand the signed bit offset may reach outside the addressed 16-bit word).
o32 0F B3 /r    | BTR r/m32, r32    | 64 32 | w=c u=osap  | lock | Copy the bit of r/m32 selected by r32 into CF and clear it (with a memory operand the signed bit offset may reach outside the addressed 32-bit word).
o64 0F B3 /r    | BTR r/m64, r64    | 64    | w=c u=osap  | lock | Copy the bit of r/m64 selected by r64 into CF and clear it (with a memory operand the signed bit offset may reach outside the addressed 64-bit word).
o16 0F BA /6 ib | BTR r/m16, imm8   | 64 32 | w=c u=osap  | lock | Copy the bit of r/m16 selected by imm8 modulo 16 into CF and clear it.
o32 0F BA /6 ib | BTR r/m32, imm8   | 64 32 | w=c u=osap  | lock | Copy the bit of r/m32 selected by imm8 modulo 32 into CF and clear it.
o64 0F BA /6 ib | BTR r/m64, imm8   | 64    | w=c u=osap  | lock | Copy the bit of r/m64 selected by imm8 modulo 64 into CF and clear it.
# BTC
o16 0F BB /r    | BTC r/m16, r16    | 64 32 | w=c u=osap  | lock | Copy the bit of r/m16 selected by r16 into CF and complement it (with a memory operand the signed bit offset may reach outside the addressed 16-bit word).
o32 0F BB /r    | BTC r/m32, r32    | 64 32 | w=c u=osap  | lock | Copy the bit of r/m32 selected by r32 into CF and complement it (with a memory operand the signed bit offset may reach outside the addressed 32-bit word).
o64 0F BB /r    | BTC r/m64, r64    | 64    | w=c u=osap  | lock | Copy the bit of r/m64 selected by r64 into CF and complement it (with a memory operand the signed bit offset may reach outside the addressed 64-bit word).
o16 0F BA /7 ib | BTC r/m16, imm8   | 64 32 | w=c u=osap  | lock | Copy the bit of r/m16 selected by imm8 modulo 16 into CF and complement it.
o32 0F BA /7 ib | BTC r/m32, imm8   | 64 32 | w=c u=osap  | lock | Copy the bit of r/m32 selected by imm8 modulo 32 into CF and complement it.
o64 0F BA /7 ib | BTC r/m64, imm8   | 64    | w=c u=osap  | lock | Copy the bit of r/m64 selected by imm8 modulo 64 into CF and complement it.
# Bit scans and counts
o16 0F BC /r    | BSF r16, r/m16    | 64 32 | w=z u=ocsap |      | Set r16 to the index of the lowest set bit of r/m16; if the source is 0, set ZF and leave r16 unchanged (the SDM calls it undefined).
o32 0F BC /r    | BSF r32, r/m32    | 64 32 | w=z u=ocsap |      | Set r32 to the index of the lowest set bit of r/m32; if the source is 0, set ZF and leave r32 unchanged (the SDM calls it undefined; in 64-bit mode Intel CPUs still clear bits 63:32).
o64 0F BC /r    | BSF r64, r/m64    | 64    | w=z u=ocsap |      | Set r64 to the index of the lowest set bit of r/m64; if the source is 0, set ZF and leave r64 unchanged (the SDM calls it undefined).
o16 0F BD /r    | BSR r16, r/m16    | 64 32 | w=z u=ocsap |      | Set r16 to the index of the highest set bit of r/m16; if the source is 0, set ZF and leave r16 unchanged (the SDM calls it undefined).
o32 0F BD /r    | BSR r32, r/m32    | 64 32 | w=z u=ocsap |      | Set r32 to the index of the highest set bit of r/m32; if the source is 0, set ZF and leave r32 unchanged (the SDM calls it undefined; in 64-bit mode Intel CPUs still clear bits 63:32).
o64 0F BD /r    | BSR r64, r/m64    | 64    | w=z u=ocsap |      | Set r64 to the index of the highest set bit of r/m64; if the source is 0, set ZF and leave r64 unchanged (the SDM calls it undefined).
o16 F3 0F B8 /r | POPCNT r16, r/m16 | 64 32 | 0=osacp w=z |      | Set r16 to the number of set bits in r/m16 (ZF set when the source is 0).
o32 F3 0F B8 /r | POPCNT r32, r/m32 | 64 32 | 0=osacp w=z |      | Set r32 to the number of set bits in r/m32 (ZF set when the source is 0).
o64 F3 0F B8 /r | POPCNT r64, r/m64 | 64    | 0=osacp w=z |      | Set r64 to the number of set bits in r/m64 (ZF set when the source is 0).
o16 F3 0F BD /r | LZCNT r16, r/m16  | 64 32 | w=zc u=osap |      | Set r16 to the number of leading zero bits of r/m16 (CF set when the source is 0, ZF when the result is 0).
o32 F3 0F BD /r | LZCNT r32, r/m32  | 64 32 | w=zc u=osap |      | Set r32 to the number of leading zero bits of r/m32 (CF set when the source is 0, ZF when the result is 0).
o64 F3 0F BD /r | LZCNT r64, r/m64  | 64    | w=zc u=osap |      | Set r64 to the number of leading zero bits of r/m64 (CF set when the source is 0, ZF when the result is 0).
o16 F3 0F BC /r | TZCNT r16, r/m16  | 64 32 | w=zc u=osap |      | Set r16 to the number of trailing zero bits of r/m16 (CF set when the source is 0, ZF when the result is 0).
o32 F3 0F BC /r | TZCNT r32, r/m32  | 64 32 | w=zc u=osap |      | Set r32 to the number of trailing zero bits of r/m32 (CF set when the source is 0, ZF when the result is 0).
o64 F3 0F BC /r | TZCNT r64, r/m64  | 64    | w=zc u=osap |      | Set r64 to the number of trailing zero bits of r/m64 (CF set when the source is 0, ZF when the result is 0).
# SETcc (the ModRM.reg field is ignored)
0F 90 /x        | SETO r/m8         | 64 32 | r=o         |      | Set r/m8 to 1 if overflow (OF=1), else to 0.
0F 91 /x        | SETNO r/m8        | 64 32 | r=o         |      | Set r/m8 to 1 if not overflow (OF=0), else to 0.
0F 92 /x        | SETB r/m8         | 64 32 | r=c         |      | Set r/m8 to 1 if below (CF=1), else to 0.
0F 93 /x        | SETAE r/m8        | 64 32 | r=c         |      | Set r/m8 to 1 if above or equal (CF=0), else to 0.
0F 94 /x        | SETE r/m8         | 64 32 | r=z         |      | Set r/m8 to 1 if equal (ZF=1), else to 0.
0F 95 /x        | SETNE r/m8        | 64 32 | r=z         |      | Set r/m8 to 1 if not equal (ZF=0), else to 0.
0F 96 /x        | SETBE r/m8        | 64 32 | r=zc        |      | Set r/m8 to 1 if below or equal (CF=1 or ZF=1), else to 0.
0F 97 /x        | SETA r/m8         | 64 32 | r=zc        |      | Set r/m8 to 1 if above (CF=0 and ZF=0), else to 0.
0F 98 /x        | SETS r/m8         | 64 32 | r=s         |      | Set r/m8 to 1 if sign (SF=1), else to 0.
0F 99 /x        | SETNS r/m8        | 64 32 | r=s         |      | Set r/m8 to 1 if not sign (SF=0), else to 0.
0F 9A /x        | SETP r/m8         | 64 32 | r=p         |      | Set r/m8 to 1 if parity (PF=1), else to 0.
0F 9B /x        | SETNP r/m8        | 64 32 | r=p         |      | Set r/m8 to 1 if not parity (PF=0), else to 0.
0F 9C /x        | SETL r/m8         | 64 32 | r=so        |      | Set r/m8 to 1 if less (SF!=OF), else to 0.
0F 9D /x        | SETGE r/m8        | 64 32 | r=so        |      | Set r/m8 to 1 if greater or equal (SF=OF), else to 0.
0F 9E /x        | SETLE r/m8        | 64 32 | r=zso       |      | Set r/m8 to 1 if less or equal (ZF=1 or SF!=OF), else to 0.
0F 9F /x        | SETG r/m8         | 64 32 | r=zso       |      | Set r/m8 to 1 if greater (ZF=0 and SF=OF), else to 0.
`;
