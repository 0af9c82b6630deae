// Shifts and rotates: ROL ROR RCL RCR SHL SHR SAR (by 1, CL, imm8), SHLD, SHRD.
// Rows of the one instruction table; the format is described in isa/README.md.

export const ROWS = `
# ROL
D0 /0           | ROL r/m8, 1           | 64 32 | w=oc           |  | Rotate r/m8 left by 1.
D2 /0           | ROL r/m8, CL          | 64 32 | w=c u=o        |  | Rotate r/m8 left by CL masked to 5 bits; a zero count changes no flags and OF is defined only for a count of 1.
C0 /0 ib        | ROL r/m8, imm8        | 64 32 | w=c u=o        |  | Rotate r/m8 left by imm8 masked to 5 bits; a zero count changes no flags and OF is defined only for a count of 1.
o16 D1 /0       | ROL r/m16, 1          | 64 32 | w=oc           |  | Rotate r/m16 left by 1.
o16 D3 /0       | ROL r/m16, CL         | 64 32 | w=c u=o        |  | Rotate r/m16 left by CL masked to 5 bits; a zero count changes no flags and OF is defined only for a count of 1.
o16 C1 /0 ib    | ROL r/m16, imm8       | 64 32 | w=c u=o        |  | Rotate r/m16 left by imm8 masked to 5 bits; a zero count changes no flags and OF is defined only for a count of 1.
o32 D1 /0       | ROL r/m32, 1          | 64 32 | w=oc           |  | Rotate r/m32 left by 1.
o32 D3 /0       | ROL r/m32, CL         | 64 32 | w=c u=o        |  | Rotate r/m32 left by CL masked to 5 bits; a zero count changes no flags and OF is defined only for a count of 1.
o32 C1 /0 ib    | ROL r/m32, imm8       | 64 32 | w=c u=o        |  | Rotate r/m32 left by imm8 masked to 5 bits; a zero count changes no flags and OF is defined only for a count of 1.
o64 D1 /0       | ROL r/m64, 1          | 64    | w=oc           |  | Rotate r/m64 left by 1.
o64 D3 /0       | ROL r/m64, CL         | 64    | w=c u=o        |  | Rotate r/m64 left by CL masked to 6 bits; a zero count changes no flags and OF is defined only for a count of 1.
o64 C1 /0 ib    | ROL r/m64, imm8       | 64    | w=c u=o        |  | Rotate r/m64 left by imm8 masked to 6 bits; a zero count changes no flags and OF is defined only for a count of 1.
# ROR
D0 /1           | ROR r/m8, 1           | 64 32 | w=oc           |  | Rotate r/m8 right by 1.
D2 /1           | ROR r/m8, CL          | 64 32 | w=c u=o        |  | Rotate r/m8 right by CL masked to 5 bits; a zero count changes no flags and OF is defined only for a count of 1.
C0 /1 ib        | ROR r/m8, imm8        | 64 32 | w=c u=o        |  | Rotate r/m8 right by imm8 masked to 5 bits; a zero count changes no flags and OF is defined only for a count of 1.
o16 D1 /1       | ROR r/m16, 1          | 64 32 | w=oc           |  | Rotate r/m16 right by 1.
o16 D3 /1       | ROR r/m16, CL         | 64 32 | w=c u=o        |  | Rotate r/m16 right by CL masked to 5 bits; a zero count changes no flags and OF is defined only for a count of 1.
o16 C1 /1 ib    | ROR r/m16, imm8       | 64 32 | w=c u=o        |  | Rotate r/m16 right by imm8 masked to 5 bits; a zero count changes no flags and OF is defined only for a count of 1.
o32 D1 /1       | ROR r/m32, 1          | 64 32 | w=oc           |  | Rotate r/m32 right by 1.
o32 D3 /1       | ROR r/m32, CL         | 64 32 | w=c u=o        |  | Rotate r/m32 right by CL masked to 5 bits; a zero count changes no flags and OF is defined only for a count of 1.
o32 C1 /1 ib    | ROR r/m32, imm8       | 64 32 | w=c u=o        |  | Rotate r/m32 right by imm8 masked to 5 bits; a zero count changes no flags and OF is defined only for a count of 1.
o64 D1 /1       | ROR r/m64, 1          | 64    | w=oc           |  | Rotate r/m64 right by 1.
o64 D3 /1       | ROR r/m64, CL         | 64    | w=c u=o        |  | Rotate r/m64 right by CL masked to 6 bits; a zero count changes no flags and OF is defined only for a count of 1.
o64 C1 /1 ib    | ROR r/m64, imm8       | 64    | w=c u=o        |  | Rotate r/m64 right by imm8 masked to 6 bits; a zero count changes no flags and OF is defined only for a count of 1.
# RCL
D0 /2           | RCL r/m8, 1           | 64 32 | r=c w=oc       |  | Rotate r/m8 left through CF by 1.
D2 /2           | RCL r/m8, CL          | 64 32 | r=c w=c u=o    |  | Rotate r/m8 left through CF by CL masked to 5 bits; a zero count changes no flags and OF is defined only for a count of 1.
C0 /2 ib        | RCL r/m8, imm8        | 64 32 | r=c w=c u=o    |  | Rotate r/m8 left through CF by imm8 masked to 5 bits; a zero count changes no flags and OF is defined only for a count of 1.
o16 D1 /2       | RCL r/m16, 1          | 64 32 | r=c w=oc       |  | Rotate r/m16 left through CF by 1.
o16 D3 /2       | RCL r/m16, CL         | 64 32 | r=c w=c u=o    |  | Rotate r/m16 left through CF by CL masked to 5 bits; a zero count changes no flags and OF is defined only for a count of 1.
o16 C1 /2 ib    | RCL r/m16, imm8       | 64 32 | r=c w=c u=o    |  | Rotate r/m16 left through CF by imm8 masked to 5 bits; a zero count changes no flags and OF is defined only for a count of 1.
o32 D1 /2       | RCL r/m32, 1          | 64 32 | r=c w=oc       |  | Rotate r/m32 left through CF by 1.
o32 D3 /2       | RCL r/m32, CL         | 64 32 | r=c w=c u=o    |  | Rotate r/m32 left through CF by CL masked to 5 bits; a zero count changes no flags and OF is defined only for a count of 1.
o32 C1 /2 ib    | RCL r/m32, imm8       | 64 32 | r=c w=c u=o    |  | Rotate r/m32 left through CF by imm8 masked to 5 bits; a zero count changes no flags and OF is defined only for a count of 1.
o64 D1 /2       | RCL r/m64, 1          | 64    | r=c w=oc       |  | Rotate r/m64 left through CF by 1.
o64 D3 /2       | RCL r/m64, CL         | 64    | r=c w=c u=o    |  | Rotate r/m64 left through CF by CL masked to 6 bits; a zero count changes no flags and OF is defined only for a count of 1.
o64 C1 /2 ib    | RCL r/m64, imm8       | 64    | r=c w=c u=o    |  | Rotate r/m64 left through CF by imm8 masked to 6 bits; a zero count changes no flags and OF is defined only for a count of 1.
# RCR
D0 /3           | RCR r/m8, 1           | 64 32 | r=c w=oc       |  | Rotate r/m8 right through CF by 1.
D2 /3           | RCR r/m8, CL          | 64 32 | r=c w=c u=o    |  | Rotate r/m8 right through CF by CL masked to 5 bits; a zero count changes no flags and OF is defined only for a count of 1.
C0 /3 ib        | RCR r/m8, imm8        | 64 32 | r=c w=c u=o    |  | Rotate r/m8 right through CF by imm8 masked to 5 bits; a zero count changes no flags and OF is defined only for a count of 1.
o16 D1 /3       | RCR r/m16, 1          | 64 32 | r=c w=oc       |  | Rotate r/m16 right through CF by 1.
o16 D3 /3       | RCR r/m16, CL         | 64 32 | r=c w=c u=o    |  | Rotate r/m16 right through CF by CL masked to 5 bits; a zero count changes no flags and OF is defined only for a count of 1.
o16 C1 /3 ib    | RCR r/m16, imm8       | 64 32 | r=c w=c u=o    |  | Rotate r/m16 right through CF by imm8 masked to 5 bits; a zero count changes no flags and OF is defined only for a count of 1.
o32 D1 /3       | RCR r/m32, 1          | 64 32 | r=c w=oc       |  | Rotate r/m32 right through CF by 1.
o32 D3 /3       | RCR r/m32, CL         | 64 32 | r=c w=c u=o    |  | Rotate r/m32 right through CF by CL masked to 5 bits; a zero count changes no flags and OF is defined only for a count of 1.
o32 C1 /3 ib    | RCR r/m32, imm8       | 64 32 | r=c w=c u=o    |  | Rotate r/m32 right through CF by imm8 masked to 5 bits; a zero count changes no flags and OF is defined only for a count of 1.
o64 D1 /3       | RCR r/m64, 1          | 64    | r=c w=oc       |  | Rotate r/m64 right through CF by 1.
o64 D3 /3       | RCR r/m64, CL         | 64    | r=c w=c u=o    |  | Rotate r/m64 right through CF by CL masked to 6 bits; a zero count changes no flags and OF is defined only for a count of 1.
o64 C1 /3 ib    | RCR r/m64, imm8       | 64    | r=c w=c u=o    |  | Rotate r/m64 right through CF by imm8 masked to 6 bits; a zero count changes no flags and OF is defined only for a count of 1.
# SHL
D0 /4           | SHL r/m8, 1           | 64 32 | w=oszcp u=a    |  | Shift r/m8 left by 1.
D2 /4           | SHL r/m8, CL          | 64 32 | w=szp u=oac    |  | Shift r/m8 left by CL masked to 5 bits; a zero count changes no flags, OF is defined only for a count of 1 and CF only for counts below 8.
C0 /4 ib        | SHL r/m8, imm8        | 64 32 | w=szp u=oac    |  | Shift r/m8 left by imm8 masked to 5 bits; a zero count changes no flags, OF is defined only for a count of 1 and CF only for counts below 8.
o16 D1 /4       | SHL r/m16, 1          | 64 32 | w=oszcp u=a    |  | Shift r/m16 left by 1.
o16 D3 /4       | SHL r/m16, CL         | 64 32 | w=szp u=oac    |  | Shift r/m16 left by CL masked to 5 bits; a zero count changes no flags, OF is defined only for a count of 1 and CF only for counts below 16.
o16 C1 /4 ib    | SHL r/m16, imm8       | 64 32 | w=szp u=oac    |  | Shift r/m16 left by imm8 masked to 5 bits; a zero count changes no flags, OF is defined only for a count of 1 and CF only for counts below 16.
o32 D1 /4       | SHL r/m32, 1          | 64 32 | w=oszcp u=a    |  | Shift r/m32 left by 1.
o32 D3 /4       | SHL r/m32, CL         | 64 32 | w=szcp u=oa    |  | Shift r/m32 left by CL masked to 5 bits; a zero count changes no flags and OF is defined only for a count of 1.
o32 C1 /4 ib    | SHL r/m32, imm8       | 64 32 | w=szcp u=oa    |  | Shift r/m32 left by imm8 masked to 5 bits; a zero count changes no flags and OF is defined only for a count of 1.
o64 D1 /4       | SHL r/m64, 1          | 64    | w=oszcp u=a    |  | Shift r/m64 left by 1.
o64 D3 /4       | SHL r/m64, CL         | 64    | w=szcp u=oa    |  | Shift r/m64 left by CL masked to 6 bits; a zero count changes no flags and OF is defined only for a count of 1.
o64 C1 /4 ib    | SHL r/m64, imm8       | 64    | w=szcp u=oa    |  | Shift r/m64 left by imm8 masked to 6 bits; a zero count changes no flags and OF is defined only for a count of 1.
# SAL at /6: an alias of SHL
D0 /6           | SAL r/m8, 1           | 64 32 | w=oszcp u=a    | id=Sal_rm8_1_6 alias=Shl_rm8_1 | Undocumented alias of the /4 form that every x86-64 CPU decodes: Shift r/m8 left by 1.
D2 /6           | SAL r/m8, CL          | 64 32 | w=szp u=oac    | id=Sal_rm8_cl_6 alias=Shl_rm8_cl | Undocumented alias of the /4 form that every x86-64 CPU decodes: Shift r/m8 left by CL masked to 5 bits; a zero count changes no flags, OF is defined only for a count of 1 and CF only for counts below 8.
C0 /6 ib        | SAL r/m8, imm8        | 64 32 | w=szp u=oac    | id=Sal_rm8_imm8_6 alias=Shl_rm8_imm8 | Undocumented alias of the /4 form that every x86-64 CPU decodes: Shift r/m8 left by imm8 masked to 5 bits; a zero count changes no flags, OF is defined only for a count of 1 and CF only for counts below 8.
o16 D1 /6       | SAL r/m16, 1          | 64 32 | w=oszcp u=a    | id=Sal_rm16_1_6 alias=Shl_rm16_1 | Undocumented alias of the /4 form that every x86-64 CPU decodes: Shift r/m16 left by 1.
o16 D3 /6       | SAL r/m16, CL         | 64 32 | w=szp u=oac    | id=Sal_rm16_cl_6 alias=Shl_rm16_cl | Undocumented alias of the /4 form that every x86-64 CPU decodes: Shift r/m16 left by CL masked to 5 bits; a zero count changes no flags, OF is defined only for a count of 1 and CF only for counts below 16.
o16 C1 /6 ib    | SAL r/m16, imm8       | 64 32 | w=szp u=oac    | id=Sal_rm16_imm8_6 alias=Shl_rm16_imm8 | Undocumented alias of the /4 form that every x86-64 CPU decodes: Shift r/m16 left by imm8 masked to 5 bits; a zero count changes no flags, OF is defined only for a count of 1 and CF only for counts below 16.
o32 D1 /6       | SAL r/m32, 1          | 64 32 | w=oszcp u=a    | id=Sal_rm32_1_6 alias=Shl_rm32_1 | Undocumented alias of the /4 form that every x86-64 CPU decodes: Shift r/m32 left by 1.
o32 D3 /6       | SAL r/m32, CL         | 64 32 | w=szcp u=oa    | id=Sal_rm32_cl_6 alias=Shl_rm32_cl | Undocumented alias of the /4 form that every x86-64 CPU decodes: Shift r/m32 left by CL masked to 5 bits; a zero count changes no flags and OF is defined only for a count of 1.
o32 C1 /6 ib    | SAL r/m32, imm8       | 64 32 | w=szcp u=oa    | id=Sal_rm32_imm8_6 alias=Shl_rm32_imm8 | Undocumented alias of the /4 form that every x86-64 CPU decodes: Shift r/m32 left by imm8 masked to 5 bits; a zero count changes no flags and OF is defined only for a count of 1.
o64 D1 /6       | SAL r/m64, 1          | 64    | w=oszcp u=a    | id=Sal_rm64_1_6 alias=Shl_rm64_1 | Undocumented alias of the /4 form that every x86-64 CPU decodes: Shift r/m64 left by 1.
o64 D3 /6       | SAL r/m64, CL         | 64    | w=szcp u=oa    | id=Sal_rm64_cl_6 alias=Shl_rm64_cl | Undocumented alias of the /4 form that every x86-64 CPU decodes: Shift r/m64 left by CL masked to 6 bits; a zero count changes no flags and OF is defined only for a count of 1.
o64 C1 /6 ib    | SAL r/m64, imm8       | 64    | w=szcp u=oa    | id=Sal_rm64_imm8_6 alias=Shl_rm64_imm8 | Undocumented alias of the /4 form that every x86-64 CPU decodes: Shift r/m64 left by imm8 masked to 6 bits; a zero count changes no flags and OF is defined only for a count of 1.
# SHR
D0 /5           | SHR r/m8, 1           | 64 32 | w=oszcp u=a    |  | Shift r/m8 right (unsigned) by 1.
D2 /5           | SHR r/m8, CL          | 64 32 | w=szp u=oac    |  | Shift r/m8 right (unsigned) by CL masked to 5 bits; a zero count changes no flags, OF is defined only for a count of 1 and CF only for counts below 8.
C0 /5 ib        | SHR r/m8, imm8        | 64 32 | w=szp u=oac    |  | Shift r/m8 right (unsigned) by imm8 masked to 5 bits; a zero count changes no flags, OF is defined only for a count of 1 and CF only for counts below 8.
o16 D1 /5       | SHR r/m16, 1          | 64 32 | w=oszcp u=a    |  | Shift r/m16 right (unsigned) by 1.
o16 D3 /5       | SHR r/m16, CL         | 64 32 | w=szp u=oac    |  | Shift r/m16 right (unsigned) by CL masked to 5 bits; a zero count changes no flags, OF is defined only for a count of 1 and CF only for counts below 16.
o16 C1 /5 ib    | SHR r/m16, imm8       | 64 32 | w=szp u=oac    |  | Shift r/m16 right (unsigned) by imm8 masked to 5 bits; a zero count changes no flags, OF is defined only for a count of 1 and CF only for counts below 16.
o32 D1 /5       | SHR r/m32, 1          | 64 32 | w=oszcp u=a    |  | Shift r/m32 right (unsigned) by 1.
o32 D3 /5       | SHR r/m32, CL         | 64 32 | w=szcp u=oa    |  | Shift r/m32 right (unsigned) by CL masked to 5 bits; a zero count changes no flags and OF is defined only for a count of 1.
o32 C1 /5 ib    | SHR r/m32, imm8       | 64 32 | w=szcp u=oa    |  | Shift r/m32 right (unsigned) by imm8 masked to 5 bits; a zero count changes no flags and OF is defined only for a count of 1.
o64 D1 /5       | SHR r/m64, 1          | 64    | w=oszcp u=a    |  | Shift r/m64 right (unsigned) by 1.
o64 D3 /5       | SHR r/m64, CL         | 64    | w=szcp u=oa    |  | Shift r/m64 right (unsigned) by CL masked to 6 bits; a zero count changes no flags and OF is defined only for a count of 1.
o64 C1 /5 ib    | SHR r/m64, imm8       | 64    | w=szcp u=oa    |  | Shift r/m64 right (unsigned) by imm8 masked to 6 bits; a zero count changes no flags and OF is defined only for a count of 1.
# SAR
D0 /7           | SAR r/m8, 1           | 64 32 | 0=o w=szcp u=a |  | Shift r/m8 right (signed) by 1.
D2 /7           | SAR r/m8, CL          | 64 32 | w=szcp u=oa    |  | Shift r/m8 right (signed) by CL masked to 5 bits; a zero count changes no flags and OF is defined only for a count of 1.
C0 /7 ib        | SAR r/m8, imm8        | 64 32 | w=szcp u=oa    |  | Shift r/m8 right (signed) by imm8 masked to 5 bits; a zero count changes no flags and OF is defined only for a count of 1.
o16 D1 /7       | SAR r/m16, 1          | 64 32 | 0=o w=szcp u=a |  | Shift r/m16 right (signed) by 1.
o16 D3 /7       | SAR r/m16, CL         | 64 32 | w=szcp u=oa    |  | Shift r/m16 right (signed) by CL masked to 5 bits; a zero count changes no flags and OF is defined only for a count of 1.
o16 C1 /7 ib    | SAR r/m16, imm8       | 64 32 | w=szcp u=oa    |  | Shift r/m16 right (signed) by imm8 masked to 5 bits; a zero count changes no flags and OF is defined only for a count of 1.
o32 D1 /7       | SAR r/m32, 1          | 64 32 | 0=o w=szcp u=a |  | Shift r/m32 right (signed) by 1.
o32 D3 /7       | SAR r/m32, CL         | 64 32 | w=szcp u=oa    |  | Shift r/m32 right (signed) by CL masked to 5 bits; a zero count changes no flags and OF is defined only for a count of 1.
o32 C1 /7 ib    | SAR r/m32, imm8       | 64 32 | w=szcp u=oa    |  | Shift r/m32 right (signed) by imm8 masked to 5 bits; a zero count changes no flags and OF is defined only for a count of 1.
o64 D1 /7       | SAR r/m64, 1          | 64    | 0=o w=szcp u=a |  | Shift r/m64 right (signed) by 1.
o64 D3 /7       | SAR r/m64, CL         | 64    | w=szcp u=oa    |  | Shift r/m64 right (signed) by CL masked to 6 bits; a zero count changes no flags and OF is defined only for a count of 1.
o64 C1 /7 ib    | SAR r/m64, imm8       | 64    | w=szcp u=oa    |  | Shift r/m64 right (signed) by imm8 masked to 6 bits; a zero count changes no flags and OF is defined only for a count of 1.
# SHLD, SHRD (a 16-bit form with a count above 16 leaves the result and flags undefined)
o16 0F A4 /r ib | SHLD r/m16, r16, imm8 | 64 32 | u=oszacp       |  | Shift r/m16 left by imm8 masked to 5 bits, filling from the high bits of r16; counts above 16 leave the result and all flags undefined.
o16 0F A5 /r    | SHLD r/m16, r16, CL   | 64 32 | u=oszacp       |  | Shift r/m16 left by CL masked to 5 bits, filling from the high bits of r16; counts above 16 leave the result and all flags undefined.
o32 0F A4 /r ib | SHLD r/m32, r32, imm8 | 64 32 | w=szcp u=oa    |  | Shift r/m32 left by imm8 masked to 5 bits, filling from the high bits of r32; a zero count changes no flags and OF is defined only for a count of 1.
o32 0F A5 /r    | SHLD r/m32, r32, CL   | 64 32 | w=szcp u=oa    |  | Shift r/m32 left by CL masked to 5 bits, filling from the high bits of r32; a zero count changes no flags and OF is defined only for a count of 1.
o64 0F A4 /r ib | SHLD r/m64, r64, imm8 | 64    | w=szcp u=oa    |  | Shift r/m64 left by imm8 masked to 6 bits, filling from the high bits of r64; a zero count changes no flags and OF is defined only for a count of 1.
o64 0F A5 /r    | SHLD r/m64, r64, CL   | 64    | w=szcp u=oa    |  | Shift r/m64 left by CL masked to 6 bits, filling from the high bits of r64; a zero count changes no flags and OF is defined only for a count of 1.
o16 0F AC /r ib | SHRD r/m16, r16, imm8 | 64 32 | u=oszacp       |  | Shift r/m16 right by imm8 masked to 5 bits, filling from the low bits of r16; counts above 16 leave the result and all flags undefined.
o16 0F AD /r    | SHRD r/m16, r16, CL   | 64 32 | u=oszacp       |  | Shift r/m16 right by CL masked to 5 bits, filling from the low bits of r16; counts above 16 leave the result and all flags undefined.
o32 0F AC /r ib | SHRD r/m32, r32, imm8 | 64 32 | w=szcp u=oa    |  | Shift r/m32 right by imm8 masked to 5 bits, filling from the low bits of r32; a zero count changes no flags and OF is defined only for a count of 1.
o32 0F AD /r    | SHRD r/m32, r32, CL   | 64 32 | w=szcp u=oa    |  | Shift r/m32 right by CL masked to 5 bits, filling from the low bits of r32; a zero count changes no flags and OF is defined only for a count of 1.
o64 0F AC /r ib | SHRD r/m64, r64, imm8 | 64    | w=szcp u=oa    |  | Shift r/m64 right by imm8 masked to 6 bits, filling from the low bits of r64; a zero count changes no flags and OF is defined only for a count of 1.
o64 0F AD /r    | SHRD r/m64, r64, CL   | 64    | w=szcp u=oa    |  | Shift r/m64 right by CL masked to 6 bits, filling from the low bits of r64; a zero count changes no flags and OF is defined only for a count of 1.
`;
