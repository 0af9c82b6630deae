// Miscellaneous: NOP, PAUSE, prefetch hints, ENDBR, CLFLUSH, fences, UD0/UD1/UD2, XLATB, CPUID, RDTSC(P), RDRAND, RDSEED, RDPMC.
// Rows of the one instruction table; the format is described in isa/README.md.

export const ROWS = `
# No operation and hints
90             | NOP            | 64 32 |             |  | Do nothing (also with 66 or REX.W; with REX.B it is XCHG r8, rAX).
o16 0F 1F /x   | NOP r/m16      | 64 32 |             |  | Do nothing; the operand is decoded but not accessed (multi-byte NOP); the reg field of ModRM is ignored.
o32 0F 1F /x   | NOP r/m32      | 64 32 |             |  | Do nothing; the operand is decoded but not accessed (multi-byte NOP); the reg field of ModRM is ignored.
o64 0F 1F /x   | NOP r/m64      | 64    |             |  | Do nothing; the operand is decoded but not accessed (multi-byte NOP); the reg field of ModRM is ignored.
F3 90          | PAUSE          | 64 32 |             |  | Hint that this is a spin-wait loop.
0F 18 /0 m     | PREFETCHNTA m8 | 64 32 |             |  | Hint to prefetch the line holding m8 with minimal cache pollution (non-temporal).
0F 18 /1 m     | PREFETCHT0 m8  | 64 32 |             |  | Hint to prefetch the line holding m8 into all cache levels.
0F 18 /2 m     | PREFETCHT1 m8  | 64 32 |             |  | Hint to prefetch the line holding m8 into level 2 cache and higher.
0F 18 /3 m     | PREFETCHT2 m8  | 64 32 |             |  | Hint to prefetch the line holding m8 into level 3 cache and higher.
0F 0D /1 m     | PREFETCHW m8   | 64 32 |             |  | Hint to prefetch the line holding m8 in anticipation of a write.
F3 0F 1E FA    | ENDBR64        | 64 32 |             |  | Mark a valid 64-bit indirect branch target for CET (a NOP when CET is off).
F3 0F 1E FB    | ENDBR32        | 64 32 |             |  | Mark a valid 32-bit indirect branch target for CET (a NOP when CET is off).
# Cache and ordering
NP 0F AE /7 m  | CLFLUSH m8     | 64 32 |             |  | Write back and invalidate the cache line holding m8 in every cache level.
NP 0F AE E8    | LFENCE         | 64 32 |             |  | Wait until all earlier instructions have completed locally before later ones start.
NP 0F AE F0    | MFENCE         | 64 32 |             |  | Order all earlier loads and stores before all later ones.
NP 0F AE F8    | SFENCE         | 64 32 |             |  | Order all earlier stores before all later ones.
# Undefined instructions
0F FF /r       | UD0 r32, r/m32 | 64 32 |             |  | Raise the invalid-opcode exception #UD.
0F B9 /r       | UD1 r32, r/m32 | 64 32 |             |  | Raise the invalid-opcode exception #UD.
0F 0B          | UD2            | 64 32 |             |  | Raise the invalid-opcode exception #UD.
# Table lookup, identification and counters
D7             | XLATB          | 64 32 |             |  | Set AL to the byte at [rBX + zero-extended AL] (DS unless overridden; rBX by address size).
0F A2          | CPUID          | 64 32 |             |  | Load processor identification and feature information for leaf EAX (and subleaf ECX) into EAX, EBX, ECX and EDX.
0F 31          | RDTSC          | 64 32 |             |  | Read the time-stamp counter into EDX:EAX (#GP when CR4.TSD is set and CPL is not 0).
0F 01 F9       | RDTSCP         | 64 32 |             |  | Read the time-stamp counter into EDX:EAX and IA32_TSC_AUX into ECX.
# Random numbers (CF=1 when a value was returned, else the destination is 0)
o16 0F C7 /6 r | RDRAND r16     | 64 32 | w=c 0=oszap |  | Load a random value from the hardware random number generator into r16, setting CF when it is valid.
o32 0F C7 /6 r | RDRAND r32     | 64 32 | w=c 0=oszap |  | Load a random value from the hardware random number generator into r32, setting CF when it is valid.
o64 0F C7 /6 r | RDRAND r64     | 64    | w=c 0=oszap |  | Load a random value from the hardware random number generator into r64, setting CF when it is valid.
o16 0F C7 /7 r | RDSEED r16     | 64 32 | w=c 0=oszap |  | Load a random value from the entropy source into r16, setting CF when it is valid.
o32 0F C7 /7 r | RDSEED r32     | 64 32 | w=c 0=oszap |  | Load a random value from the entropy source into r32, setting CF when it is valid.
o64 0F C7 /7 r | RDSEED r64     | 64    | w=c 0=oszap |  | Load a random value from the entropy source into r64, setting CF when it is valid.
0F 33          | RDPMC          | 64 32 |             |  | Read the performance counter selected by ECX into EDX:EAX (#GP when CR4.PCE is clear and CPL is not 0).
`;
