// Where QEMU 7.2 (TCG) is not the ground truth for a test kernel's transcript: the lines of its
// raw output to replace, and why. scripts/qemu/transcripts.mjs applies these to produce
// test/fixtures/qemu/<kernel>.txt (the expected output of an exact x86-64) next to
// <kernel>.qemu-raw.txt (what QEMU printed). Every case is explained in test/kernels/README.md.
//
// A correction: { raw: 'exact line' | pattern: /re/, expected: line | [lines] | fn(line, lines, i),
//                 after?: 'the line to search after', all?: true, why: 'one line' }
// `{symbol}` in raw / after / expected strings is that kernel symbol's address (0x...).

const WHY = {
  rf: 'RF=1 in the RFLAGS pushed for a fault-class exception other than an instruction-breakpoint #DB '
    + '(SDM Vol. 3 17.3.1.1; hardware probe: RF=1 for #PF #GP #SS #UD); QEMU pushes RF unchanged (0)',
  istSS: 'SS is kept on a same-privilege delivery through an IST gate (SDM: only a privilege change '
    + 'loads a null SS); QEMU loads a null SS whenever the gate has an IST',
  idtCode: '#GP error code for an IDT entry is vector*8 + 2 (+1 EXT for an external event) (SDM; '
    + 'probe: int $0x81 gives 0x40a); QEMU 7.2 pushes vector*16 + 2 in 64-bit mode and no EXT',
  ssCanonical: 'a non-canonical reference through SS (base RSP or RBP) raises #SS(0), not #GP(0) '
    + '(SDM; probe: SIGBUS with trapno 12); QEMU raises #GP(0) for any non-canonical address',
  rsvdP: 'a reserved-bit #PF has P=1 in its error code (the entry was present: 0x9 for a read); '
    + 'QEMU 7.2 reports 0x8',
  msr: 'RDMSR / WRMSR of an MSR that does not exist raise #GP(0) (SDM); QEMU 7.2 ignores the write '
    + 'and reads 0',
  msrFlags: 'RDMSR / WRMSR of an MSR that does not exist raise #GP(0) (SDM); QEMU 7.2 ignores the write '
    + 'and reads 0. The frame holds RFLAGS as the two XORs before the instruction left them (ZF PF) and RF',
  syscallFlags: 'SYSCALL keeps the RFLAGS bits FMASK does not clear (CF here: 0x203 & ~0x47700 = 0x3); '
    + 'QEMU 7.2 drops the arithmetic flags it keeps lazily',
  follow: 'the kernel\'s own tally and exit code follow from the corrections above',
};

/** The same line with RF (bit 16) set in its rflags=0x... */
function withRF(line) {
  return line.replace(/rflags=0x([0-9a-f]+)/, (_, v) => `rflags=0x${(BigInt(`0x${v}`) | 0x10000n).toString(16)}`);
}

/**
 * The two report lines of the case titled `title` (the lines after it), made to name `sym`, with
 * the frame's rflags replaced by `rflags` when given (the flags at the faulting instruction).
 */
function likeCase(title, sym, rflags) {
  return (_line, lines) => {
    const at = lines.indexOf(`case: ${title}`);
    if (at < 0) throw new Error(`no case: ${title}`);
    let frame = lines[at + 2].replace(/rip=0x[0-9a-f]+ <[^>]*>/, `rip={${sym}} <${sym}>`);
    if (rflags !== undefined) frame = frame.replace(/rflags=0x[0-9a-f]+/, `rflags=${rflags}`);
    return [lines[at + 1], frame];
  };
}

/** The #SS line the kernel would print for error code 0: RSP at entry as in its #SS(0x48) line. */
function ssZero(_line, lines) {
  const real = lines.find((l) => l.startsWith('ss: #SS ist=1 error=0x48 '));
  if (!real) throw new Error('no #SS(0x48) line');
  return real.replace('error=0x48 ', 'error=0x0 ');
}

export const corrections = {
  int3: [
    { pattern: /^bp: n=[12] .* ss_now=0x0$/, all: true, expected: (l) => l.replace('ss_now=0x0', 'ss_now=0x10'), why: WHY.istSS },
  ],

  ist_reentry: [
    { pattern: /^bp: frame .* ss=0x0$/, all: true, expected: (l) => l.replace(/ss=0x0$/, 'ss=0x10'), why: WHY.istSS },
    { pattern: /^db: my frame now: .* ss=0x0$/, all: true, expected: (l) => l.replace(/ss=0x0$/, 'ss=0x10'), why: WHY.istSS },
  ],

  user_rsp0: [
    { raw: 'gp: error=0x812', expected: 'gp: error=0x40a', why: WHY.idtCode },
    { pattern: /^gp: frame /, expected: withRF, why: WHY.rf },
  ],

  ss_fault: [
    {
      after: 'case: mov rax, [rbp] with rbp=0x8000000000000000 (non-canonical, SS segment)',
      pattern: /^gp: #GP ist=2 error=0x0 /,
      expected: ssZero,
      why: WHY.ssCanonical,
    },
    {
      after: 'case: push rax with rsp=0x8000000000000000',
      pattern: /^gp: #GP ist=2 error=0x0 /,
      expected: ssZero,
      why: WHY.ssCanonical,
    },
    { pattern: /^ {2}frame rip=/, all: true, expected: withRF, why: WHY.rf },
  ],

  syscall_sysret: [
    { pattern: /^syscall: rcx=.* r11=0x203 rflags_at_entry=0x2 /, all: true, expected: (l) => l.replace('rflags_at_entry=0x2 ', 'rflags_at_entry=0x3 '), why: WHY.syscallFlags },
  ],

  pf_gp_codes: [
    { pattern: /^ {2}frame rip=/, all: true, expected: withRF, why: WHY.rf },
    { pattern: /^pf: error=0x8 \[RSVD\] /, expected: (l) => l.replace('error=0x8 [RSVD]', 'error=0x9 [P RSVD]'), why: WHY.rsvdP },
    { after: 'case: wrmsr to MSR 0xbadc0de (no such MSR)', raw: 'no exception', expected: likeCase('read of a non-canonical address (base RAX)', 'gp_wrmsr', '0x10046'), why: WHY.msrFlags },
    { after: 'case: rdmsr from MSR 0xbadc0de (no such MSR)', raw: 'no exception', expected: likeCase('read of a non-canonical address (base RAX)', 'gp_rdmsr', '0x10046'), why: WHY.msrFlags },
    { pattern: /^gp: error=0x512 \[IDT index=0xa2\] /, expected: (l) => l.replace('error=0x512 [IDT index=0xa2]', 'error=0x28a [IDT index=0x51]'), why: WHY.idtCode },
    { pattern: /^gp: error=0x522 \[IDT index=0xa4\] /, expected: (l) => l.replace('error=0x522 [IDT index=0xa4]', 'error=0x293 [EXT IDT index=0x52]'), why: WHY.idtCode },
    { raw: 'main: exceptions=16', expected: 'main: exceptions=18', why: WHY.follow },
    { raw: 'KSTACK-TEST-END code=0x10', expected: 'KSTACK-TEST-END code=0x0', why: WHY.follow },
    { raw: 'exit-status=33', expected: 'exit-status=1', why: WHY.follow },
  ],
};
