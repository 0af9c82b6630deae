// System instructions: descriptor tables, MSW, control/debug registers, LAR LSL VERR VERW ARPL, INVLPG, caches, HLT, MSRs, fast system calls.
// Rows of the one instruction table; the format is described in isa/README.md.

export const ROWS = `
# Descriptor tables and the task register
f64 0F 01 /2 m | LGDT m16&64      | 64    |                   | cpl0             | Load GDTR from a 16-bit limit and a 64-bit base in memory.
0F 01 /2 m     | LGDT m16&32      | 32    |                   | cpl0             | Load GDTR from a 16-bit limit and a 32-bit base in memory (24 bits of it with a 16-bit operand size).
f64 0F 01 /3 m | LIDT m16&64      | 64    |                   | cpl0             | Load IDTR from a 16-bit limit and a 64-bit base in memory.
0F 01 /3 m     | LIDT m16&32      | 32    |                   | cpl0             | Load IDTR from a 16-bit limit and a 32-bit base in memory (24 bits of it with a 16-bit operand size).
f64 0F 01 /0 m | SGDT m16&64      | 64    |                   |                  | Store GDTR as a 16-bit limit and a 64-bit base.
0F 01 /0 m     | SGDT m16&32      | 32    |                   |                  | Store GDTR as a 16-bit limit and a 32-bit base.
f64 0F 01 /1 m | SIDT m16&64      | 64    |                   |                  | Store IDTR as a 16-bit limit and a 64-bit base.
0F 01 /1 m     | SIDT m16&32      | 32    |                   |                  | Store IDTR as a 16-bit limit and a 32-bit base.
0F 00 /2       | LLDT r/m16       | 64 32 |                   | cpl0             | Load LDTR with the selector in r/m16 and its descriptor from the GDT.
0F 00 /3       | LTR r/m16        | 64 32 |                   | cpl0             | Load the task register with the selector in r/m16 and mark the TSS descriptor busy.
o16 0F 00 /0   | SLDT r/m16       | 64 32 |                   |                  | Store the LDTR selector in r/m16.
o32 0F 00 /0   | SLDT r32/m16     | 64 32 |                   |                  | Store the LDTR selector in r32 (zero-extended) or in a 16-bit memory word.
o64 0F 00 /0   | SLDT r64/m16     | 64    |                   |                  | Store the LDTR selector in r64 (zero-extended) or in a 16-bit memory word.
o16 0F 00 /1   | STR r/m16        | 64 32 |                   |                  | Store the task register selector in r/m16.
o32 0F 00 /1   | STR r32/m16      | 64 32 |                   |                  | Store the task register selector in r32 (zero-extended) or in a 16-bit memory word.
o64 0F 00 /1   | STR r64/m16      | 64    |                   |                  | Store the task register selector in r64 (zero-extended) or in a 16-bit memory word.
# Machine status word, CR0.TS
o16 0F 01 /4   | SMSW r/m16       | 64 32 |                   |                  | Store the low 16 bits of CR0 in r/m16.
o32 0F 01 /4   | SMSW r32/m16     | 64 32 |                   |                  | Store CR0 in r32 (only the low 16 bits are architecturally defined) or its low 16 bits in memory.
o64 0F 01 /4   | SMSW r64/m16     | 64    |                   |                  | Store CR0 in r64 (only the low 16 bits are architecturally defined) or its low 16 bits in memory.
0F 01 /6       | LMSW r/m16       | 64 32 |                   | cpl0             | Load the low 4 bits of CR0 (PE, MP, EM, TS) from r/m16; PE can be set but not cleared.
0F 06          | CLTS             | 64 32 |                   | cpl0             | Clear CR0.TS.
# Control and debug registers: the GPR is ModRM.rm and ModRM.mod is ignored (always a register)
f64 0F 20 /r   | MOV r64, CRn     | 64    | u=oszacp          | cpl0             | Copy a control register (CR0, CR2, CR3, CR4, CR8) to r64.
0F 20 /r       | MOV r32, CRn     | 32    | u=oszacp          | cpl0             | Copy a control register (CR0, CR2, CR3, CR4) to r32.
f64 0F 22 /r   | MOV CRn, r64     | 64    | u=oszacp          | cpl0             | Load a control register (CR0, CR2, CR3, CR4, CR8) from r64.
0F 22 /r       | MOV CRn, r32     | 32    | u=oszacp          | cpl0             | Load a control register (CR0, CR2, CR3, CR4) from r32.
f64 0F 21 /r   | MOV r64, DRn     | 64    | u=oszacp          | cpl0             | Copy a debug register (DR0-DR7) to r64.
0F 21 /r       | MOV r32, DRn     | 32    | u=oszacp          | cpl0             | Copy a debug register (DR0-DR7) to r32.
f64 0F 23 /r   | MOV DRn, r64     | 64    | u=oszacp          | cpl0             | Load a debug register (DR0-DR7) from r64.
0F 23 /r       | MOV DRn, r32     | 32    | u=oszacp          | cpl0             | Load a debug register (DR0-DR7) from r32.
# Segment descriptor checks
o16 0F 02 /r   | LAR r16, r16/m16 | 64 32 | w=z               |                  | Load the access-rights bits of the descriptor selected by the source into r16 and set ZF, or clear ZF if the descriptor is not visible at CPL and RPL.
o32 0F 02 /r   | LAR r32, r32/m16 | 64 32 | w=z               |                  | Load the access-rights bits of the descriptor selected by the source into r32 and set ZF, or clear ZF if the descriptor is not visible at CPL and RPL.
o64 0F 02 /r   | LAR r64, r32/m16 | 64    | w=z               |                  | Load the access-rights bits of the descriptor selected by the source into r64 and set ZF, or clear ZF if the descriptor is not visible at CPL and RPL.
o16 0F 03 /r   | LSL r16, r16/m16 | 64 32 | w=z               |                  | Load the segment limit, in bytes, of the descriptor selected by the source into r16 and set ZF, or clear ZF if the descriptor is not visible at CPL and RPL.
o32 0F 03 /r   | LSL r32, r32/m16 | 64 32 | w=z               |                  | Load the segment limit, in bytes, of the descriptor selected by the source into r32 and set ZF, or clear ZF if the descriptor is not visible at CPL and RPL.
o64 0F 03 /r   | LSL r64, r32/m16 | 64    | w=z               |                  | Load the segment limit, in bytes, of the descriptor selected by the source into r64 and set ZF, or clear ZF if the descriptor is not visible at CPL and RPL.
0F 00 /4       | VERR r/m16       | 64 32 | w=z               |                  | Set ZF if the segment selected by r/m16 is readable at the current privilege level, else clear it.
0F 00 /5       | VERW r/m16       | 64 32 | w=z               |                  | Set ZF if the segment selected by r/m16 is writable at the current privilege level, else clear it.
63 /r          | ARPL r/m16, r16  | 32    | w=z               |                  | If the RPL of r/m16 is below that of r16, raise it to match and set ZF, else clear ZF.
# Caches, TLB, halting, MSRs
0F 01 /7 m     | INVLPG m         | 64 32 |                   | cpl0             | Invalidate the TLB entries for the page holding m.
0F 08          | INVD             | 64 32 |                   | cpl0             | Invalidate the caches without writing back modified lines.
0F 09          | WBINVD           | 64 32 |                   | cpl0             | Write back all modified cache lines and invalidate the caches.
F4             | HLT              | 64 32 |                   | cpl0             | Stop executing until an interrupt, NMI, SMI or reset arrives.
0F 32          | RDMSR            | 64 32 |                   | cpl0             | Read the model-specific register selected by ECX into EDX:EAX.
0F 30          | WRMSR            | 64 32 |                   | cpl0             | Write EDX:EAX to the model-specific register selected by ECX.
# Fast system calls (SYSCALL and SYSRET are 64-bit mode only on Intel CPUs)
0F 05          | SYSCALL          | 64    | w=oszacpditn 0=r  |                  | Save RIP in RCX and RFLAGS in R11, clear the RFLAGS bits set in IA32_FMASK, and enter CPL 0 at IA32_LSTAR.
o32 0F 07      | SYSRET           | 64    | w=oszacpditn 0=rv | cpl0 id=Sysretd  | Return to compatibility mode at CPL 3: EIP from ECX, RFLAGS from R11.
o64 0F 07      | SYSRET           | 64    | w=oszacpditn 0=rv | cpl0 id=Sysretq  | Return to 64-bit mode at CPL 3: RIP from RCX, RFLAGS from R11.
0F 34          | SYSENTER         | 64 32 | 0=ivr             |                  | Enter CPL 0 at IA32_SYSENTER_EIP with the stack at IA32_SYSENTER_ESP.
o32 0F 35      | SYSEXIT          | 64 32 |                   | cpl0 id=Sysexitd | Return to 32-bit code at CPL 3: EIP from EDX, ESP from ECX.
o64 0F 35      | SYSEXIT          | 64    |                   | cpl0 id=Sysexitq | Return to 64-bit code at CPL 3: RIP from RDX, RSP from RCX.
0F 01 F8       | SWAPGS           | 64    |                   | cpl0             | Exchange the GS base with the IA32_KERNEL_GS_BASE MSR.
`;
