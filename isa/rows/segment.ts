// Segment registers: PUSH/POP of segment registers, LDS LES LSS LFS LGS, RDFSBASE WRFSBASE RDGSBASE WRGSBASE (MOV Sreg is in datamov).
// Rows of the one instruction table; the format is described in isa/README.md.

export const ROWS = `
# PUSH and POP of segment registers (CS, SS, DS, ES only outside 64-bit mode)
o16 06         | PUSH ES         | 32    |  | id=Pushw_es | Push the ES selector as 16 bits.
o32 06         | PUSH ES         | 32    |  | id=Pushd_es | Push the ES selector in a 32-bit slot.
o16 07         | POP ES          | 32    |  | id=Popw_es  | Pop a 16-bit selector into ES.
o32 07         | POP ES          | 32    |  | id=Popd_es  | Pop a 32-bit slot into ES, using its low 16 bits.
o16 0E         | PUSH CS         | 32    |  | id=Pushw_cs | Push the CS selector as 16 bits.
o32 0E         | PUSH CS         | 32    |  | id=Pushd_cs | Push the CS selector in a 32-bit slot.
o16 16         | PUSH SS         | 32    |  | id=Pushw_ss | Push the SS selector as 16 bits.
o32 16         | PUSH SS         | 32    |  | id=Pushd_ss | Push the SS selector in a 32-bit slot.
o16 17         | POP SS          | 32    |  | id=Popw_ss  | Pop a 16-bit selector into SS (interrupts are inhibited until after the next instruction).
o32 17         | POP SS          | 32    |  | id=Popd_ss  | Pop a 32-bit slot into SS, using its low 16 bits (interrupts are inhibited until after the next instruction).
o16 1E         | PUSH DS         | 32    |  | id=Pushw_ds | Push the DS selector as 16 bits.
o32 1E         | PUSH DS         | 32    |  | id=Pushd_ds | Push the DS selector in a 32-bit slot.
o16 1F         | POP DS          | 32    |  | id=Popw_ds  | Pop a 16-bit selector into DS.
o32 1F         | POP DS          | 32    |  | id=Popd_ds  | Pop a 32-bit slot into DS, using its low 16 bits.
o16 0F A0      | PUSH FS         | 64 32 |  | id=Pushw_fs | Push the FS selector as 16 bits.
o32 0F A0      | PUSH FS         | 32    |  | id=Pushd_fs | Push the FS selector in a 32-bit slot.
d64 0F A0      | PUSH FS         | 64    |  | id=Pushq_fs | Push the FS selector in a 64-bit slot.
o16 0F A1      | POP FS          | 64 32 |  | id=Popw_fs  | Pop a 16-bit selector into FS.
o32 0F A1      | POP FS          | 32    |  | id=Popd_fs  | Pop a 32-bit slot into FS, using its low 16 bits.
d64 0F A1      | POP FS          | 64    |  | id=Popq_fs  | Pop a 64-bit slot into FS, using its low 16 bits.
o16 0F A8      | PUSH GS         | 64 32 |  | id=Pushw_gs | Push the GS selector as 16 bits.
o32 0F A8      | PUSH GS         | 32    |  | id=Pushd_gs | Push the GS selector in a 32-bit slot.
d64 0F A8      | PUSH GS         | 64    |  | id=Pushq_gs | Push the GS selector in a 64-bit slot.
o16 0F A9      | POP GS          | 64 32 |  | id=Popw_gs  | Pop a 16-bit selector into GS.
o32 0F A9      | POP GS          | 32    |  | id=Popd_gs  | Pop a 32-bit slot into GS, using its low 16 bits.
d64 0F A9      | POP GS          | 64    |  | id=Popq_gs  | Pop a 64-bit slot into GS, using its low 16 bits.
# Far pointer loads (C4 and C5 are VEX prefixes in 64-bit mode)
o16 C5 /r m    | LDS r16, m16:16 | 32    |  |             | Load the far pointer m16:16 into DS and r16.
o32 C5 /r m    | LDS r32, m16:32 | 32    |  |             | Load the far pointer m16:32 into DS and r32.
o16 C4 /r m    | LES r16, m16:16 | 32    |  |             | Load the far pointer m16:16 into ES and r16.
o32 C4 /r m    | LES r32, m16:32 | 32    |  |             | Load the far pointer m16:32 into ES and r32.
o16 0F B2 /r m | LSS r16, m16:16 | 64 32 |  |             | Load the far pointer m16:16 into SS and r16.
o32 0F B2 /r m | LSS r32, m16:32 | 64 32 |  |             | Load the far pointer m16:32 into SS and r32.
o64 0F B2 /r m | LSS r64, m16:64 | 64    |  |             | Load the far pointer m16:64 into SS and r64.
o16 0F B4 /r m | LFS r16, m16:16 | 64 32 |  |             | Load the far pointer m16:16 into FS and r16.
o32 0F B4 /r m | LFS r32, m16:32 | 64 32 |  |             | Load the far pointer m16:32 into FS and r32.
o64 0F B4 /r m | LFS r64, m16:64 | 64    |  |             | Load the far pointer m16:64 into FS and r64.
o16 0F B5 /r m | LGS r16, m16:16 | 64 32 |  |             | Load the far pointer m16:16 into GS and r16.
o32 0F B5 /r m | LGS r32, m16:32 | 64 32 |  |             | Load the far pointer m16:32 into GS and r32.
o64 0F B5 /r m | LGS r64, m16:64 | 64    |  |             | Load the far pointer m16:64 into GS and r64.
# FS and GS base registers (FSGSBASE; #UD unless CR4.FSGSBASE is set)
o32 F3 0F AE /0 r | RDFSBASE r32 | 64 |  |  | Load the low 32 bits of the FS base address into r32 (zero-extended).
o64 F3 0F AE /0 r | RDFSBASE r64 | 64 |  |  | Load the FS base address into r64.
o32 F3 0F AE /1 r | RDGSBASE r32 | 64 |  |  | Load the low 32 bits of the GS base address into r32 (zero-extended).
o64 F3 0F AE /1 r | RDGSBASE r64 | 64 |  |  | Load the GS base address into r64.
o32 F3 0F AE /2 r | WRFSBASE r32 | 64 |  |  | Set the FS base address to r32 (zero-extended).
o64 F3 0F AE /2 r | WRFSBASE r64 | 64 |  |  | Set the FS base address to r64 (#GP(0) unless it is canonical).
o32 F3 0F AE /3 r | WRGSBASE r32 | 64 |  |  | Set the GS base address to r32 (zero-extended).
o64 F3 0F AE /3 r | WRGSBASE r64 | 64 |  |  | Set the GS base address to r64 (#GP(0) unless it is canonical).
`;
