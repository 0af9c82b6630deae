// NASM's standard macro packages for `%use NAME` (the ones that are only macro definitions):
// altreg (r0..r15 names for the general registers), ifunc (ilog2 functions), fp (floating-point
// constants and conversion functions). Each is the list of preprocessor lines `%use` runs, checked
// against nasm 2.16 (asm/nasm-live.test.ts). `smartalign` changes how `align` pads and is not here.

const ALT_REG64 = ['rax', 'rcx', 'rdx', 'rbx', 'rsp', 'rbp', 'rsi', 'rdi'];

function altreg(): string[] {
  const out: string[] = [];
  ALT_REG64.forEach((r, i) => {
    const b = r.slice(1); // ax, cx, ..., si, di
    out.push(`%idefine r${i} ${r}`, `%idefine r${i}d e${b}`, `%idefine r${i}w ${b}`);
    const low = i < 4 ? `${b[0]}l` : `${b}l`; // al cl dl bl, spl bpl sil dil
    out.push(`%idefine r${i}b ${low}`, `%idefine r${i}l ${low}`);
    if (i < 4) out.push(`%idefine r${i}h ${b[0]}h`);
  });
  for (let i = 8; i < 16; i++) out.push(`%idefine r${i}l r${i}b`);
  return out;
}

export const USE_PACKAGES: Record<string, readonly string[]> = {
  altreg: [...altreg(), '%define __?USE_ALTREG?__'],
  ifunc: [
    '%idefine ilog2(x) (__?ilog2e?__(x))',
    '%idefine ilog2e(x) (__?ilog2e?__(x))',
    '%idefine ilog2w(x) (__?ilog2w?__(x))',
    '%idefine ilog2f(x) (__?ilog2f?__(x))',
    '%idefine ilog2fw(x) (__?ilog2w?__(x))',
    '%idefine ilog2c(x) (__?ilog2c?__(x))',
    '%idefine ilog2cw(x) (__?ilog2w?__(x) * 0 + __?ilog2c?__(x))',
    '%define __?USE_IFUNC?__',
  ],
  fp: [
    '%define Inf __?Infinity?__',
    '%define NaN __?QNaN?__',
    '%define QNaN __?QNaN?__',
    '%define SNaN __?SNaN?__',
    ...['float8', 'float16', 'bfloat16', 'float32', 'float64', 'float80m', 'float80e', 'float128l', 'float128h'].map((f) => `%define ${f}(x) __?${f}?__(x)`),
    '%define __?USE_FP?__',
  ],
};
