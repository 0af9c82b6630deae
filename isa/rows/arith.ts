// Binary and decimal arithmetic and logic: ADD ADC SUB SBB CMP AND OR XOR TEST INC DEC NEG NOT MUL IMUL DIV IDIV, BCD adjusts, ADCX ADOX.
// Rows of the one instruction table; the format is described in isa/README.md.

export const ROWS = `
# ADD
00 /r              | ADD r/m8, r8           | 64 32 | w=oszacp         | lock                    | Add r8 to r/m8.
o16 01 /r          | ADD r/m16, r16         | 64 32 | w=oszacp         | lock                    | Add r16 to r/m16.
o32 01 /r          | ADD r/m32, r32         | 64 32 | w=oszacp         | lock                    | Add r32 to r/m32.
o64 01 /r          | ADD r/m64, r64         | 64    | w=oszacp         | lock                    | Add r64 to r/m64.
02 /r              | ADD r8, r/m8           | 64 32 | w=oszacp         |                         | Add r/m8 to r8.
o16 03 /r          | ADD r16, r/m16         | 64 32 | w=oszacp         |                         | Add r/m16 to r16.
o32 03 /r          | ADD r32, r/m32         | 64 32 | w=oszacp         |                         | Add r/m32 to r32.
o64 03 /r          | ADD r64, r/m64         | 64    | w=oszacp         |                         | Add r/m64 to r64.
04 ib              | ADD AL, imm8           | 64 32 | w=oszacp         |                         | Add imm8 to AL.
o16 05 iw          | ADD AX, imm16          | 64 32 | w=oszacp         |                         | Add imm16 to AX.
o32 05 id          | ADD EAX, imm32         | 64 32 | w=oszacp         |                         | Add imm32 to EAX.
o64 05 id          | ADD RAX, imm32         | 64    | w=oszacp         |                         | Add imm32 sign-extended to 64 bits to RAX.
80 /0 ib           | ADD r/m8, imm8         | 64 32 | w=oszacp         | lock                    | Add imm8 to r/m8.
82 /0 ib           | ADD r/m8, imm8         | 32    | w=oszacp         | lock id=Add_rm8_imm8_82 alias=Add_rm8_imm8 | Add imm8 to r/m8 (alias of 80; invalid in 64-bit mode).
o16 81 /0 iw       | ADD r/m16, imm16       | 64 32 | w=oszacp         | lock                    | Add imm16 to r/m16.
o32 81 /0 id       | ADD r/m32, imm32       | 64 32 | w=oszacp         | lock                    | Add imm32 to r/m32.
o64 81 /0 id       | ADD r/m64, imm32       | 64    | w=oszacp         | lock                    | Add imm32 sign-extended to 64 bits to r/m64.
o16 83 /0 ib       | ADD r/m16, imm8        | 64 32 | w=oszacp         | lock                    | Add imm8 sign-extended to 16 bits to r/m16.
o32 83 /0 ib       | ADD r/m32, imm8        | 64 32 | w=oszacp         | lock                    | Add imm8 sign-extended to 32 bits to r/m32.
o64 83 /0 ib       | ADD r/m64, imm8        | 64    | w=oszacp         | lock                    | Add imm8 sign-extended to 64 bits to r/m64.
# OR
08 /r              | OR r/m8, r8            | 64 32 | 0=oc w=szp u=a   | lock                    | Bitwise OR r8 into r/m8.
o16 09 /r          | OR r/m16, r16          | 64 32 | 0=oc w=szp u=a   | lock                    | Bitwise OR r16 into r/m16.
o32 09 /r          | OR r/m32, r32          | 64 32 | 0=oc w=szp u=a   | lock                    | Bitwise OR r32 into r/m32.
o64 09 /r          | OR r/m64, r64          | 64    | 0=oc w=szp u=a   | lock                    | Bitwise OR r64 into r/m64.
0A /r              | OR r8, r/m8            | 64 32 | 0=oc w=szp u=a   |                         | Bitwise OR r/m8 into r8.
o16 0B /r          | OR r16, r/m16          | 64 32 | 0=oc w=szp u=a   |                         | Bitwise OR r/m16 into r16.
o32 0B /r          | OR r32, r/m32          | 64 32 | 0=oc w=szp u=a   |                         | Bitwise OR r/m32 into r32.
o64 0B /r          | OR r64, r/m64          | 64    | 0=oc w=szp u=a   |                         | Bitwise OR r/m64 into r64.
0C ib              | OR AL, imm8            | 64 32 | 0=oc w=szp u=a   |                         | Bitwise OR imm8 into AL.
o16 0D iw          | OR AX, imm16           | 64 32 | 0=oc w=szp u=a   |                         | Bitwise OR imm16 into AX.
o32 0D id          | OR EAX, imm32          | 64 32 | 0=oc w=szp u=a   |                         | Bitwise OR imm32 into EAX.
o64 0D id          | OR RAX, imm32          | 64    | 0=oc w=szp u=a   |                         | Bitwise OR imm32 sign-extended to 64 bits into RAX.
80 /1 ib           | OR r/m8, imm8          | 64 32 | 0=oc w=szp u=a   | lock                    | Bitwise OR imm8 into r/m8.
82 /1 ib           | OR r/m8, imm8          | 32    | 0=oc w=szp u=a   | lock id=Or_rm8_imm8_82 alias=Or_rm8_imm8  | Bitwise OR imm8 into r/m8 (alias of 80; invalid in 64-bit mode).
o16 81 /1 iw       | OR r/m16, imm16        | 64 32 | 0=oc w=szp u=a   | lock                    | Bitwise OR imm16 into r/m16.
o32 81 /1 id       | OR r/m32, imm32        | 64 32 | 0=oc w=szp u=a   | lock                    | Bitwise OR imm32 into r/m32.
o64 81 /1 id       | OR r/m64, imm32        | 64    | 0=oc w=szp u=a   | lock                    | Bitwise OR imm32 sign-extended to 64 bits into r/m64.
o16 83 /1 ib       | OR r/m16, imm8         | 64 32 | 0=oc w=szp u=a   | lock                    | Bitwise OR imm8 sign-extended to 16 bits into r/m16.
o32 83 /1 ib       | OR r/m32, imm8         | 64 32 | 0=oc w=szp u=a   | lock                    | Bitwise OR imm8 sign-extended to 32 bits into r/m32.
o64 83 /1 ib       | OR r/m64, imm8         | 64    | 0=oc w=szp u=a   | lock                    | Bitwise OR imm8 sign-extended to 64 bits into r/m64.
# ADC
10 /r              | ADC r/m8, r8           | 64 32 | r=c w=oszacp     | lock                    | Add r8 and CF to r/m8.
o16 11 /r          | ADC r/m16, r16         | 64 32 | r=c w=oszacp     | lock                    | Add r16 and CF to r/m16.
o32 11 /r          | ADC r/m32, r32         | 64 32 | r=c w=oszacp     | lock                    | Add r32 and CF to r/m32.
o64 11 /r          | ADC r/m64, r64         | 64    | r=c w=oszacp     | lock                    | Add r64 and CF to r/m64.
12 /r              | ADC r8, r/m8           | 64 32 | r=c w=oszacp     |                         | Add r/m8 and CF to r8.
o16 13 /r          | ADC r16, r/m16         | 64 32 | r=c w=oszacp     |                         | Add r/m16 and CF to r16.
o32 13 /r          | ADC r32, r/m32         | 64 32 | r=c w=oszacp     |                         | Add r/m32 and CF to r32.
o64 13 /r          | ADC r64, r/m64         | 64    | r=c w=oszacp     |                         | Add r/m64 and CF to r64.
14 ib              | ADC AL, imm8           | 64 32 | r=c w=oszacp     |                         | Add imm8 and CF to AL.
o16 15 iw          | ADC AX, imm16          | 64 32 | r=c w=oszacp     |                         | Add imm16 and CF to AX.
o32 15 id          | ADC EAX, imm32         | 64 32 | r=c w=oszacp     |                         | Add imm32 and CF to EAX.
o64 15 id          | ADC RAX, imm32         | 64    | r=c w=oszacp     |                         | Add imm32 sign-extended to 64 bits and CF to RAX.
80 /2 ib           | ADC r/m8, imm8         | 64 32 | r=c w=oszacp     | lock                    | Add imm8 and CF to r/m8.
82 /2 ib           | ADC r/m8, imm8         | 32    | r=c w=oszacp     | lock id=Adc_rm8_imm8_82 alias=Adc_rm8_imm8 | Add imm8 and CF to r/m8 (alias of 80; invalid in 64-bit mode).
o16 81 /2 iw       | ADC r/m16, imm16       | 64 32 | r=c w=oszacp     | lock                    | Add imm16 and CF to r/m16.
o32 81 /2 id       | ADC r/m32, imm32       | 64 32 | r=c w=oszacp     | lock                    | Add imm32 and CF to r/m32.
o64 81 /2 id       | ADC r/m64, imm32       | 64    | r=c w=oszacp     | lock                    | Add imm32 sign-extended to 64 bits and CF to r/m64.
o16 83 /2 ib       | ADC r/m16, imm8        | 64 32 | r=c w=oszacp     | lock                    | Add imm8 sign-extended to 16 bits and CF to r/m16.
o32 83 /2 ib       | ADC r/m32, imm8        | 64 32 | r=c w=oszacp     | lock                    | Add imm8 sign-extended to 32 bits and CF to r/m32.
o64 83 /2 ib       | ADC r/m64, imm8        | 64    | r=c w=oszacp     | lock                    | Add imm8 sign-extended to 64 bits and CF to r/m64.
# SBB
18 /r              | SBB r/m8, r8           | 64 32 | r=c w=oszacp     | lock                    | Subtract r8 and CF from r/m8.
o16 19 /r          | SBB r/m16, r16         | 64 32 | r=c w=oszacp     | lock                    | Subtract r16 and CF from r/m16.
o32 19 /r          | SBB r/m32, r32         | 64 32 | r=c w=oszacp     | lock                    | Subtract r32 and CF from r/m32.
o64 19 /r          | SBB r/m64, r64         | 64    | r=c w=oszacp     | lock                    | Subtract r64 and CF from r/m64.
1A /r              | SBB r8, r/m8           | 64 32 | r=c w=oszacp     |                         | Subtract r/m8 and CF from r8.
o16 1B /r          | SBB r16, r/m16         | 64 32 | r=c w=oszacp     |                         | Subtract r/m16 and CF from r16.
o32 1B /r          | SBB r32, r/m32         | 64 32 | r=c w=oszacp     |                         | Subtract r/m32 and CF from r32.
o64 1B /r          | SBB r64, r/m64         | 64    | r=c w=oszacp     |                         | Subtract r/m64 and CF from r64.
1C ib              | SBB AL, imm8           | 64 32 | r=c w=oszacp     |                         | Subtract imm8 and CF from AL.
o16 1D iw          | SBB AX, imm16          | 64 32 | r=c w=oszacp     |                         | Subtract imm16 and CF from AX.
o32 1D id          | SBB EAX, imm32         | 64 32 | r=c w=oszacp     |                         | Subtract imm32 and CF from EAX.
o64 1D id          | SBB RAX, imm32         | 64    | r=c w=oszacp     |                         | Subtract imm32 sign-extended to 64 bits and CF from RAX.
80 /3 ib           | SBB r/m8, imm8         | 64 32 | r=c w=oszacp     | lock                    | Subtract imm8 and CF from r/m8.
82 /3 ib           | SBB r/m8, imm8         | 32    | r=c w=oszacp     | lock id=Sbb_rm8_imm8_82 alias=Sbb_rm8_imm8 | Subtract imm8 and CF from r/m8 (alias of 80; invalid in 64-bit mode).
o16 81 /3 iw       | SBB r/m16, imm16       | 64 32 | r=c w=oszacp     | lock                    | Subtract imm16 and CF from r/m16.
o32 81 /3 id       | SBB r/m32, imm32       | 64 32 | r=c w=oszacp     | lock                    | Subtract imm32 and CF from r/m32.
o64 81 /3 id       | SBB r/m64, imm32       | 64    | r=c w=oszacp     | lock                    | Subtract imm32 sign-extended to 64 bits and CF from r/m64.
o16 83 /3 ib       | SBB r/m16, imm8        | 64 32 | r=c w=oszacp     | lock                    | Subtract imm8 sign-extended to 16 bits and CF from r/m16.
o32 83 /3 ib       | SBB r/m32, imm8        | 64 32 | r=c w=oszacp     | lock                    | Subtract imm8 sign-extended to 32 bits and CF from r/m32.
o64 83 /3 ib       | SBB r/m64, imm8        | 64    | r=c w=oszacp     | lock                    | Subtract imm8 sign-extended to 64 bits and CF from r/m64.
# AND
20 /r              | AND r/m8, r8           | 64 32 | 0=oc w=szp u=a   | lock                    | Bitwise AND r8 into r/m8.
o16 21 /r          | AND r/m16, r16         | 64 32 | 0=oc w=szp u=a   | lock                    | Bitwise AND r16 into r/m16.
o32 21 /r          | AND r/m32, r32         | 64 32 | 0=oc w=szp u=a   | lock                    | Bitwise AND r32 into r/m32.
o64 21 /r          | AND r/m64, r64         | 64    | 0=oc w=szp u=a   | lock                    | Bitwise AND r64 into r/m64.
22 /r              | AND r8, r/m8           | 64 32 | 0=oc w=szp u=a   |                         | Bitwise AND r/m8 into r8.
o16 23 /r          | AND r16, r/m16         | 64 32 | 0=oc w=szp u=a   |                         | Bitwise AND r/m16 into r16.
o32 23 /r          | AND r32, r/m32         | 64 32 | 0=oc w=szp u=a   |                         | Bitwise AND r/m32 into r32.
o64 23 /r          | AND r64, r/m64         | 64    | 0=oc w=szp u=a   |                         | Bitwise AND r/m64 into r64.
24 ib              | AND AL, imm8           | 64 32 | 0=oc w=szp u=a   |                         | Bitwise AND imm8 into AL.
o16 25 iw          | AND AX, imm16          | 64 32 | 0=oc w=szp u=a   |                         | Bitwise AND imm16 into AX.
o32 25 id          | AND EAX, imm32         | 64 32 | 0=oc w=szp u=a   |                         | Bitwise AND imm32 into EAX.
o64 25 id          | AND RAX, imm32         | 64    | 0=oc w=szp u=a   |                         | Bitwise AND imm32 sign-extended to 64 bits into RAX.
80 /4 ib           | AND r/m8, imm8         | 64 32 | 0=oc w=szp u=a   | lock                    | Bitwise AND imm8 into r/m8.
82 /4 ib           | AND r/m8, imm8         | 32    | 0=oc w=szp u=a   | lock id=And_rm8_imm8_82 alias=And_rm8_imm8 | Bitwise AND imm8 into r/m8 (alias of 80; invalid in 64-bit mode).
o16 81 /4 iw       | AND r/m16, imm16       | 64 32 | 0=oc w=szp u=a   | lock                    | Bitwise AND imm16 into r/m16.
o32 81 /4 id       | AND r/m32, imm32       | 64 32 | 0=oc w=szp u=a   | lock                    | Bitwise AND imm32 into r/m32.
o64 81 /4 id       | AND r/m64, imm32       | 64    | 0=oc w=szp u=a   | lock                    | Bitwise AND imm32 sign-extended to 64 bits into r/m64.
o16 83 /4 ib       | AND r/m16, imm8        | 64 32 | 0=oc w=szp u=a   | lock                    | Bitwise AND imm8 sign-extended to 16 bits into r/m16.
o32 83 /4 ib       | AND r/m32, imm8        | 64 32 | 0=oc w=szp u=a   | lock                    | Bitwise AND imm8 sign-extended to 32 bits into r/m32.
o64 83 /4 ib       | AND r/m64, imm8        | 64    | 0=oc w=szp u=a   | lock                    | Bitwise AND imm8 sign-extended to 64 bits into r/m64.
# SUB
28 /r              | SUB r/m8, r8           | 64 32 | w=oszacp         | lock                    | Subtract r8 from r/m8.
o16 29 /r          | SUB r/m16, r16         | 64 32 | w=oszacp         | lock                    | Subtract r16 from r/m16.
o32 29 /r          | SUB r/m32, r32         | 64 32 | w=oszacp         | lock                    | Subtract r32 from r/m32.
o64 29 /r          | SUB r/m64, r64         | 64    | w=oszacp         | lock                    | Subtract r64 from r/m64.
2A /r              | SUB r8, r/m8           | 64 32 | w=oszacp         |                         | Subtract r/m8 from r8.
o16 2B /r          | SUB r16, r/m16         | 64 32 | w=oszacp         |                         | Subtract r/m16 from r16.
o32 2B /r          | SUB r32, r/m32         | 64 32 | w=oszacp         |                         | Subtract r/m32 from r32.
o64 2B /r          | SUB r64, r/m64         | 64    | w=oszacp         |                         | Subtract r/m64 from r64.
2C ib              | SUB AL, imm8           | 64 32 | w=oszacp         |                         | Subtract imm8 from AL.
o16 2D iw          | SUB AX, imm16          | 64 32 | w=oszacp         |                         | Subtract imm16 from AX.
o32 2D id          | SUB EAX, imm32         | 64 32 | w=oszacp         |                         | Subtract imm32 from EAX.
o64 2D id          | SUB RAX, imm32         | 64    | w=oszacp         |                         | Subtract imm32 sign-extended to 64 bits from RAX.
80 /5 ib           | SUB r/m8, imm8         | 64 32 | w=oszacp         | lock                    | Subtract imm8 from r/m8.
82 /5 ib           | SUB r/m8, imm8         | 32    | w=oszacp         | lock id=Sub_rm8_imm8_82 alias=Sub_rm8_imm8 | Subtract imm8 from r/m8 (alias of 80; invalid in 64-bit mode).
o16 81 /5 iw       | SUB r/m16, imm16       | 64 32 | w=oszacp         | lock                    | Subtract imm16 from r/m16.
o32 81 /5 id       | SUB r/m32, imm32       | 64 32 | w=oszacp         | lock                    | Subtract imm32 from r/m32.
o64 81 /5 id       | SUB r/m64, imm32       | 64    | w=oszacp         | lock                    | Subtract imm32 sign-extended to 64 bits from r/m64.
o16 83 /5 ib       | SUB r/m16, imm8        | 64 32 | w=oszacp         | lock                    | Subtract imm8 sign-extended to 16 bits from r/m16.
o32 83 /5 ib       | SUB r/m32, imm8        | 64 32 | w=oszacp         | lock                    | Subtract imm8 sign-extended to 32 bits from r/m32.
o64 83 /5 ib       | SUB r/m64, imm8        | 64    | w=oszacp         | lock                    | Subtract imm8 sign-extended to 64 bits from r/m64.
# XOR
30 /r              | XOR r/m8, r8           | 64 32 | 0=oc w=szp u=a   | lock                    | Bitwise XOR r8 into r/m8.
o16 31 /r          | XOR r/m16, r16         | 64 32 | 0=oc w=szp u=a   | lock                    | Bitwise XOR r16 into r/m16.
o32 31 /r          | XOR r/m32, r32         | 64 32 | 0=oc w=szp u=a   | lock                    | Bitwise XOR r32 into r/m32.
o64 31 /r          | XOR r/m64, r64         | 64    | 0=oc w=szp u=a   | lock                    | Bitwise XOR r64 into r/m64.
32 /r              | XOR r8, r/m8           | 64 32 | 0=oc w=szp u=a   |                         | Bitwise XOR r/m8 into r8.
o16 33 /r          | XOR r16, r/m16         | 64 32 | 0=oc w=szp u=a   |                         | Bitwise XOR r/m16 into r16.
o32 33 /r          | XOR r32, r/m32         | 64 32 | 0=oc w=szp u=a   |                         | Bitwise XOR r/m32 into r32.
o64 33 /r          | XOR r64, r/m64         | 64    | 0=oc w=szp u=a   |                         | Bitwise XOR r/m64 into r64.
34 ib              | XOR AL, imm8           | 64 32 | 0=oc w=szp u=a   |                         | Bitwise XOR imm8 into AL.
o16 35 iw          | XOR AX, imm16          | 64 32 | 0=oc w=szp u=a   |                         | Bitwise XOR imm16 into AX.
o32 35 id          | XOR EAX, imm32         | 64 32 | 0=oc w=szp u=a   |                         | Bitwise XOR imm32 into EAX.
o64 35 id          | XOR RAX, imm32         | 64    | 0=oc w=szp u=a   |                         | Bitwise XOR imm32 sign-extended to 64 bits into RAX.
80 /6 ib           | XOR r/m8, imm8         | 64 32 | 0=oc w=szp u=a   | lock                    | Bitwise XOR imm8 into r/m8.
82 /6 ib           | XOR r/m8, imm8         | 32    | 0=oc w=szp u=a   | lock id=Xor_rm8_imm8_82 alias=Xor_rm8_imm8 | Bitwise XOR imm8 into r/m8 (alias of 80; invalid in 64-bit mode).
o16 81 /6 iw       | XOR r/m16, imm16       | 64 32 | 0=oc w=szp u=a   | lock                    | Bitwise XOR imm16 into r/m16.
o32 81 /6 id       | XOR r/m32, imm32       | 64 32 | 0=oc w=szp u=a   | lock                    | Bitwise XOR imm32 into r/m32.
o64 81 /6 id       | XOR r/m64, imm32       | 64    | 0=oc w=szp u=a   | lock                    | Bitwise XOR imm32 sign-extended to 64 bits into r/m64.
o16 83 /6 ib       | XOR r/m16, imm8        | 64 32 | 0=oc w=szp u=a   | lock                    | Bitwise XOR imm8 sign-extended to 16 bits into r/m16.
o32 83 /6 ib       | XOR r/m32, imm8        | 64 32 | 0=oc w=szp u=a   | lock                    | Bitwise XOR imm8 sign-extended to 32 bits into r/m32.
o64 83 /6 ib       | XOR r/m64, imm8        | 64    | 0=oc w=szp u=a   | lock                    | Bitwise XOR imm8 sign-extended to 64 bits into r/m64.
# CMP
38 /r              | CMP r/m8, r8           | 64 32 | w=oszacp         |                         | Compare r/m8 with r8: subtract and set the flags, discarding the result.
o16 39 /r          | CMP r/m16, r16         | 64 32 | w=oszacp         |                         | Compare r/m16 with r16: subtract and set the flags, discarding the result.
o32 39 /r          | CMP r/m32, r32         | 64 32 | w=oszacp         |                         | Compare r/m32 with r32: subtract and set the flags, discarding the result.
o64 39 /r          | CMP r/m64, r64         | 64    | w=oszacp         |                         | Compare r/m64 with r64: subtract and set the flags, discarding the result.
3A /r              | CMP r8, r/m8           | 64 32 | w=oszacp         |                         | Compare r8 with r/m8: subtract and set the flags, discarding the result.
o16 3B /r          | CMP r16, r/m16         | 64 32 | w=oszacp         |                         | Compare r16 with r/m16: subtract and set the flags, discarding the result.
o32 3B /r          | CMP r32, r/m32         | 64 32 | w=oszacp         |                         | Compare r32 with r/m32: subtract and set the flags, discarding the result.
o64 3B /r          | CMP r64, r/m64         | 64    | w=oszacp         |                         | Compare r64 with r/m64: subtract and set the flags, discarding the result.
3C ib              | CMP AL, imm8           | 64 32 | w=oszacp         |                         | Compare AL with imm8: subtract and set the flags, discarding the result.
o16 3D iw          | CMP AX, imm16          | 64 32 | w=oszacp         |                         | Compare AX with imm16: subtract and set the flags, discarding the result.
o32 3D id          | CMP EAX, imm32         | 64 32 | w=oszacp         |                         | Compare EAX with imm32: subtract and set the flags, discarding the result.
o64 3D id          | CMP RAX, imm32         | 64    | w=oszacp         |                         | Compare RAX with imm32 sign-extended to 64 bits: subtract and set the flags, discarding the result.
80 /7 ib           | CMP r/m8, imm8         | 64 32 | w=oszacp         |                         | Compare r/m8 with imm8: subtract and set the flags, discarding the result.
82 /7 ib           | CMP r/m8, imm8         | 32    | w=oszacp         | id=Cmp_rm8_imm8_82 alias=Cmp_rm8_imm8      | Compare r/m8 with imm8: subtract and set the flags, discarding the result (alias of 80; invalid in 64-bit mode).
o16 81 /7 iw       | CMP r/m16, imm16       | 64 32 | w=oszacp         |                         | Compare r/m16 with imm16: subtract and set the flags, discarding the result.
o32 81 /7 id       | CMP r/m32, imm32       | 64 32 | w=oszacp         |                         | Compare r/m32 with imm32: subtract and set the flags, discarding the result.
o64 81 /7 id       | CMP r/m64, imm32       | 64    | w=oszacp         |                         | Compare r/m64 with imm32 sign-extended to 64 bits: subtract and set the flags, discarding the result.
o16 83 /7 ib       | CMP r/m16, imm8        | 64 32 | w=oszacp         |                         | Compare r/m16 with imm8 sign-extended to 16 bits: subtract and set the flags, discarding the result.
o32 83 /7 ib       | CMP r/m32, imm8        | 64 32 | w=oszacp         |                         | Compare r/m32 with imm8 sign-extended to 32 bits: subtract and set the flags, discarding the result.
o64 83 /7 ib       | CMP r/m64, imm8        | 64    | w=oszacp         |                         | Compare r/m64 with imm8 sign-extended to 64 bits: subtract and set the flags, discarding the result.
# TEST
84 /r              | TEST r/m8, r8          | 64 32 | 0=oc w=szp u=a   |                         | AND r8 with r/m8 and set SF, ZF and PF by the result, discarding it.
o16 85 /r          | TEST r/m16, r16        | 64 32 | 0=oc w=szp u=a   |                         | AND r16 with r/m16 and set SF, ZF and PF by the result, discarding it.
o32 85 /r          | TEST r/m32, r32        | 64 32 | 0=oc w=szp u=a   |                         | AND r32 with r/m32 and set SF, ZF and PF by the result, discarding it.
o64 85 /r          | TEST r/m64, r64        | 64    | 0=oc w=szp u=a   |                         | AND r64 with r/m64 and set SF, ZF and PF by the result, discarding it.
A8 ib              | TEST AL, imm8          | 64 32 | 0=oc w=szp u=a   |                         | AND imm8 with AL and set SF, ZF and PF by the result, discarding it.
o16 A9 iw          | TEST AX, imm16         | 64 32 | 0=oc w=szp u=a   |                         | AND imm16 with AX and set SF, ZF and PF by the result, discarding it.
o32 A9 id          | TEST EAX, imm32        | 64 32 | 0=oc w=szp u=a   |                         | AND imm32 with EAX and set SF, ZF and PF by the result, discarding it.
o64 A9 id          | TEST RAX, imm32        | 64    | 0=oc w=szp u=a   |                         | AND imm32 sign-extended to 64 bits with RAX and set SF, ZF and PF by the result, discarding it.
F6 /0 ib           | TEST r/m8, imm8        | 64 32 | 0=oc w=szp u=a   |                         | AND imm8 with r/m8 and set SF, ZF and PF by the result, discarding it.
o16 F7 /0 iw       | TEST r/m16, imm16      | 64 32 | 0=oc w=szp u=a   |                         | AND imm16 with r/m16 and set SF, ZF and PF by the result, discarding it.
o32 F7 /0 id       | TEST r/m32, imm32      | 64 32 | 0=oc w=szp u=a   |                         | AND imm32 with r/m32 and set SF, ZF and PF by the result, discarding it.
o64 F7 /0 id       | TEST r/m64, imm32      | 64    | 0=oc w=szp u=a   |                         | AND imm32 sign-extended to 64 bits with r/m64 and set SF, ZF and PF by the result, discarding it.
F6 /1 ib           | TEST r/m8, imm8        | 64 32 | 0=oc w=szp u=a   | id=Test_rm8_imm8_f6_1 alias=Test_rm8_imm8   | Undocumented alias of F6 /0 that every x86-64 CPU decodes: TEST r/m8, imm8.
o16 F7 /1 iw       | TEST r/m16, imm16      | 64 32 | 0=oc w=szp u=a   | id=Test_rm16_imm16_f7_1 alias=Test_rm16_imm16 | Undocumented alias of F7 /0: TEST r/m16, imm16.
o32 F7 /1 id       | TEST r/m32, imm32      | 64 32 | 0=oc w=szp u=a   | id=Test_rm32_imm32_f7_1 alias=Test_rm32_imm32 | Undocumented alias of F7 /0: TEST r/m32, imm32.
o64 F7 /1 id       | TEST r/m64, imm32      | 64    | 0=oc w=szp u=a   | id=Test_rm64_imm32_f7_1 alias=Test_rm64_imm32 | Undocumented alias of F7 /0: TEST r/m64, imm32 sign-extended.
# INC, DEC (40-4F are INC/DEC only outside 64-bit mode, where they are REX prefixes)
FE /0              | INC r/m8               | 64 32 | w=oszap          | lock                    | Increment r/m8 by 1, leaving CF unchanged.
o16 FF /0          | INC r/m16              | 64 32 | w=oszap          | lock                    | Increment r/m16 by 1, leaving CF unchanged.
o32 FF /0          | INC r/m32              | 64 32 | w=oszap          | lock                    | Increment r/m32 by 1, leaving CF unchanged.
o64 FF /0          | INC r/m64              | 64    | w=oszap          | lock                    | Increment r/m64 by 1, leaving CF unchanged.
o16 40+rw          | INC r16                | 32    | w=oszap          |                         | Increment r16 by 1, leaving CF unchanged.
o32 40+rd          | INC r32                | 32    | w=oszap          |                         | Increment r32 by 1, leaving CF unchanged.
FE /1              | DEC r/m8               | 64 32 | w=oszap          | lock                    | Decrement r/m8 by 1, leaving CF unchanged.
o16 FF /1          | DEC r/m16              | 64 32 | w=oszap          | lock                    | Decrement r/m16 by 1, leaving CF unchanged.
o32 FF /1          | DEC r/m32              | 64 32 | w=oszap          | lock                    | Decrement r/m32 by 1, leaving CF unchanged.
o64 FF /1          | DEC r/m64              | 64    | w=oszap          | lock                    | Decrement r/m64 by 1, leaving CF unchanged.
o16 48+rw          | DEC r16                | 32    | w=oszap          |                         | Decrement r16 by 1, leaving CF unchanged.
o32 48+rd          | DEC r32                | 32    | w=oszap          |                         | Decrement r32 by 1, leaving CF unchanged.
# NOT, NEG
F6 /2              | NOT r/m8               | 64 32 |                  | lock                    | Replace r/m8 with its one's complement.
o16 F7 /2          | NOT r/m16              | 64 32 |                  | lock                    | Replace r/m16 with its one's complement.
o32 F7 /2          | NOT r/m32              | 64 32 |                  | lock                    | Replace r/m32 with its one's complement.
o64 F7 /2          | NOT r/m64              | 64    |                  | lock                    | Replace r/m64 with its one's complement.
F6 /3              | NEG r/m8               | 64 32 | w=oszacp         | lock                    | Replace r/m8 with its two's complement negation (CF is set unless the operand was 0).
o16 F7 /3          | NEG r/m16              | 64 32 | w=oszacp         | lock                    | Replace r/m16 with its two's complement negation (CF is set unless the operand was 0).
o32 F7 /3          | NEG r/m32              | 64 32 | w=oszacp         | lock                    | Replace r/m32 with its two's complement negation (CF is set unless the operand was 0).
o64 F7 /3          | NEG r/m64              | 64    | w=oszacp         | lock                    | Replace r/m64 with its two's complement negation (CF is set unless the operand was 0).
# MUL, IMUL, DIV, IDIV
F6 /4              | MUL r/m8               | 64 32 | w=oc u=szap      |                         | Unsigned multiply AL by r/m8 into AX (CF and OF set when the upper half is nonzero).
o16 F7 /4          | MUL r/m16              | 64 32 | w=oc u=szap      |                         | Unsigned multiply AX by r/m16 into DX:AX (CF and OF set when the upper half is nonzero).
o32 F7 /4          | MUL r/m32              | 64 32 | w=oc u=szap      |                         | Unsigned multiply EAX by r/m32 into EDX:EAX (CF and OF set when the upper half is nonzero).
o64 F7 /4          | MUL r/m64              | 64    | w=oc u=szap      |                         | Unsigned multiply RAX by r/m64 into RDX:RAX (CF and OF set when the upper half is nonzero).
F6 /5              | IMUL r/m8              | 64 32 | w=oc u=szap      |                         | Signed multiply AL by r/m8 into AX (CF and OF set when the upper half is not the sign extension of the lower).
o16 F7 /5          | IMUL r/m16             | 64 32 | w=oc u=szap      |                         | Signed multiply AX by r/m16 into DX:AX (CF and OF set when the upper half is not the sign extension of the lower).
o32 F7 /5          | IMUL r/m32             | 64 32 | w=oc u=szap      |                         | Signed multiply EAX by r/m32 into EDX:EAX (CF and OF set when the upper half is not the sign extension of the lower).
o64 F7 /5          | IMUL r/m64             | 64    | w=oc u=szap      |                         | Signed multiply RAX by r/m64 into RDX:RAX (CF and OF set when the upper half is not the sign extension of the lower).
o16 0F AF /r       | IMUL r16, r/m16        | 64 32 | w=oc u=szap      |                         | Signed multiply r16 by r/m16, keeping the low 16 bits (CF and OF set when the result was truncated).
o32 0F AF /r       | IMUL r32, r/m32        | 64 32 | w=oc u=szap      |                         | Signed multiply r32 by r/m32, keeping the low 32 bits (CF and OF set when the result was truncated).
o64 0F AF /r       | IMUL r64, r/m64        | 64    | w=oc u=szap      |                         | Signed multiply r64 by r/m64, keeping the low 64 bits (CF and OF set when the result was truncated).
o16 6B /r ib       | IMUL r16, r/m16, imm8  | 64 32 | w=oc u=szap      |                         | Signed multiply r/m16 by sign-extended imm8 into r16 (CF and OF set when the result was truncated).
o32 6B /r ib       | IMUL r32, r/m32, imm8  | 64 32 | w=oc u=szap      |                         | Signed multiply r/m32 by sign-extended imm8 into r32 (CF and OF set when the result was truncated).
o64 6B /r ib       | IMUL r64, r/m64, imm8  | 64    | w=oc u=szap      |                         | Signed multiply r/m64 by sign-extended imm8 into r64 (CF and OF set when the result was truncated).
o16 69 /r iw       | IMUL r16, r/m16, imm16 | 64 32 | w=oc u=szap      |                         | Signed multiply r/m16 by imm16 into r16 (CF and OF set when the result was truncated).
o32 69 /r id       | IMUL r32, r/m32, imm32 | 64 32 | w=oc u=szap      |                         | Signed multiply r/m32 by imm32 into r32 (CF and OF set when the result was truncated).
o64 69 /r id       | IMUL r64, r/m64, imm32 | 64    | w=oc u=szap      |                         | Signed multiply r/m64 by sign-extended imm32 into r64 (CF and OF set when the result was truncated).
F6 /6              | DIV r/m8               | 64 32 | u=oszacp         |                         | Unsigned divide AX by r/m8, quotient in AL and remainder in AH (#DE on a zero divisor or a quotient too large).
o16 F7 /6          | DIV r/m16              | 64 32 | u=oszacp         |                         | Unsigned divide DX:AX by r/m16, quotient in AX and remainder in DX (#DE on a zero divisor or a quotient too large).
o32 F7 /6          | DIV r/m32              | 64 32 | u=oszacp         |                         | Unsigned divide EDX:EAX by r/m32, quotient in EAX and remainder in EDX (#DE on a zero divisor or a quotient too large).
o64 F7 /6          | DIV r/m64              | 64    | u=oszacp         |                         | Unsigned divide RDX:RAX by r/m64, quotient in RAX and remainder in RDX (#DE on a zero divisor or a quotient too large).
F6 /7              | IDIV r/m8              | 64 32 | u=oszacp         |                         | Signed divide AX by r/m8, quotient in AL and remainder in AH (#DE on a zero divisor or a quotient too large).
o16 F7 /7          | IDIV r/m16             | 64 32 | u=oszacp         |                         | Signed divide DX:AX by r/m16, quotient in AX and remainder in DX (#DE on a zero divisor or a quotient too large).
o32 F7 /7          | IDIV r/m32             | 64 32 | u=oszacp         |                         | Signed divide EDX:EAX by r/m32, quotient in EAX and remainder in EDX (#DE on a zero divisor or a quotient too large).
o64 F7 /7          | IDIV r/m64             | 64    | u=oszacp         |                         | Signed divide RDX:RAX by r/m64, quotient in RAX and remainder in RDX (#DE on a zero divisor or a quotient too large).
# Decimal (BCD) adjustments: not valid in 64-bit mode
27                 | DAA                    | 32    | r=ac w=szacp u=o |                         | Adjust AL after a packed-BCD addition.
2F                 | DAS                    | 32    | r=ac w=szacp u=o |                         | Adjust AL after a packed-BCD subtraction.
37                 | AAA                    | 32    | r=a w=ac u=oszp  |                         | Adjust AX after an unpacked-BCD addition (AF and CF set on a decimal carry).
3F                 | AAS                    | 32    | r=a w=ac u=oszp  |                         | Adjust AX after an unpacked-BCD subtraction (AF and CF set on a decimal borrow).
D4 0A              | AAM                    | 32    | w=szp u=oac      |                         | Set AH to AL divided by 10 and AL to the remainder (unpacked-BCD adjust after a multiply).
D4 ib              | AAM imm8               | 32    | w=szp u=oac      |                         | Set AH to AL divided by imm8 and AL to the remainder (AAM is imm8 0A; #DE when imm8 is 0).
D5 0A              | AAD                    | 32    | w=szp u=oac      |                         | Set AL to AH times 10 plus AL, masked to 8 bits, and AH to 0 (unpacked-BCD adjust before a divide).
D5 ib              | AAD imm8               | 32    | w=szp u=oac      |                         | Set AL to AH times imm8 plus AL, masked to 8 bits, and AH to 0 (AAD is imm8 0A).
# ADX: add with carry through CF only (ADCX) or OF only (ADOX)
o32 66 0F 38 F6 /r | ADCX r32, r/m32        | 64 32 | r=c w=c          |                         | Add r/m32 and CF to r32, setting CF to the unsigned carry and leaving the other flags unchanged.
o64 66 0F 38 F6 /r | ADCX r64, r/m64        | 64    | r=c w=c          |                         | Add r/m64 and CF to r64, setting CF to the unsigned carry and leaving the other flags unchanged.
o32 F3 0F 38 F6 /r | ADOX r32, r/m32        | 64 32 | r=o w=o          |                         | Add r/m32 and OF to r32, setting OF to the unsigned carry and leaving the other flags unchanged.
o64 F3 0F 38 F6 /r | ADOX r64, r/m64        | 64    | r=o w=o          |                         | Add r/m64 and OF to r64, setting OF to the unsigned carry and leaving the other flags unchanged.
`;
