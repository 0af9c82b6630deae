// The instruction forms the vectors cover, grouped in families (one fixture file per family).
//
// Each form is one instruction in nasm syntax, assembled as if at 0x200000 (the fixture records
// its text and bytes). Options:
//   setup(c)    form-specific state (implicit registers, counts, divisors, pointers, targets);
//               may set c.undef, the mask of flags the manual leaves undefined for this case
//   undef       a constant undefined-flags mask (when it does not depend on the operands)
//   targets     branch targets (absolute addresses): the harness puts a landing pad on each
//   df          randomize DF (string instructions); DF is 0 otherwise
//   de          #DE is an expected outcome (DIV/IDIV)
//   lea         the memory operand is not accessed (LEA): base and index get any values
//   memSize, memRange, memAlign, noMemEdge: how the memory operand is placed and filled
//   stack       put RSP back in the data region after the operands are set (PUSH RSP etc.)
//   db          the bytes to assemble instead of the text, for encodings nasm does not choose
//               (the text then ends in a `; comment` naming the encoding)
//
// Undefined flags, from the Intel SDM Vol. 2 "Flags Affected" sections (AMD APM Vol. 3 agrees
// for every rule used here). A flag not listed as undefined is compared, whether the instruction
// writes it or leaves it alone ("unaffected" is a defined outcome). When an instruction raises
// #DE no flag changes, so a faulting case compares all of them.
//   ADD ADC SUB SBB CMP NEG INC DEC XADD CMPXCHG CMPS SCAS: none undefined.
//   AND OR XOR TEST: AF undefined ("The OF and CF flags are cleared; ... The state of the AF flag
//     is undefined").
//   MUL, IMUL (all forms): SF ZF AF PF undefined; CF and OF defined.
//   DIV, IDIV: CF OF SF ZF AF PF all undefined.
//   SHL/SAL, SHR, SAR (count masked to 5 bits, 6 with REX.W): masked count 0 affects no flag;
//     otherwise AF undefined, OF undefined unless the masked count is 1, and for SHL/SHR CF
//     undefined when the count is >= the operand width ("undefined for SHL and SHR instructions
//     where the count is greater than or equal to the size ... of the destination operand").
//   ROL ROR RCL RCR: masked count 0 affects no flag; OF undefined unless the masked count is 1;
//     CF defined; SF ZF AF PF unaffected.
//   SHLD SHRD: masked count 0 affects no flag; otherwise AF undefined and OF undefined unless the
//     count is 1; a masked count above the operand width (16-bit forms) leaves the destination and
//     flags undefined, so those counts are not generated.
//   BT BTS BTR BTC: OF SF AF PF undefined; CF defined; ZF unaffected.
//   BSF BSR: CF OF SF AF PF undefined; ZF defined. A zero source leaves the destination as this
//     CPU leaves it (AMD documents "unchanged"; the fixture records what the hardware did).
//   LZCNT TZCNT: OF SF PF AF undefined; CF ZF defined. POPCNT: all defined (cleared, ZF by result).
//   Data movement, LEA, CMOVcc, SETcc, Jcc, PUSH, POP, CALL, RET, ENTER, LEAVE, BSWAP, XCHG,
//   MOVS, STOS, LODS, MOVZX/MOVSX/MOVSXD, MOVBE, CBW.., XLAT: no flag changes (all defined).
//   ADCX: only CF; ADOX: only OF (all others unaffected, so all defined).
//   CMPXCHG8B/16B: ZF defined, others unaffected. SAHF: loads SF ZF AF PF CF (all defined).
//   POPF: all flags loaded from the stack (defined).

import { CF, PF, AF, ZF, SF, OF, DF, STATUS, REG, mask, splitAsm } from './cases.mjs';

export const FORMS = [];
function F(fam, asm, opts = {}) {
  FORMS.push({ fam, asm, ...opts });
}

const SZW = { 8: 'byte', 16: 'word', 32: 'dword', 64: 'qword' };
const ACC = { 8: 'al', 16: 'ax', 32: 'eax', 64: 'rax' };
const R8 = ['al', 'cl', 'dl', 'bl', 'spl', 'bpl', 'sil', 'dil', 'r8b', 'r9b', 'r10b', 'r11b', 'r12b', 'r13b', 'r14b', 'r15b'];
const byIdx = (bits, i) =>
  bits === 64 ? ['rax', 'rcx', 'rdx', 'rbx', 'rsp', 'rbp', 'rsi', 'rdi'][i] ?? `r${i}`
  : bits === 32 ? ['eax', 'ecx', 'edx', 'ebx', 'esp', 'ebp', 'esi', 'edi'][i] ?? `r${i}d`
  : bits === 16 ? ['ax', 'cx', 'dx', 'bx', 'sp', 'bp', 'si', 'di'][i] ?? `r${i}w`
  : R8[i];

/** Register pairs (destination, source) per width, cycled through by the generators. */
const PAIRS = {
  8: [['cl', 'dl'], ['ah', 'bl'], ['r10b', 'sil'], ['bh', 'ch'], ['dil', 'r15b'], ['r9b', 'al'], ['dh', 'ah'], ['bpl', 'r12b']],
  16: [['dx', 'si'], ['r8w', 'ax'], ['cx', 'r11w'], ['bp', 'di'], ['r14w', 'bx'], ['si', 'r9w'], ['ax', 'cx'], ['r13w', 'r15w']],
  32: [['esi', 'r9d'], ['eax', 'edx'], ['r12d', 'ebx'], ['ecx', 'ebp'], ['edi', 'r14d'], ['r11d', 'eax'], ['ebx', 'esi'], ['r15d', 'r8d']],
  64: [['rax', 'r11'], ['rbx', 'rcx'], ['r13', 'rdx'], ['rsi', 'rdi'], ['r15', 'r8'], ['rbp', 'r10'], ['rdx', 'r12'], ['r9', 'rax']],
};
/** Memory operands (addressing forms), cycled through. RSP/RBP-based ones included. */
const MEMS = [
  '[rbx]', '[rsi+0x10]', '[rdi-0x24]', '[rbp+0x100]', '[r8+0x7f]', '[r12]', '[r13]', '[rsp+0x18]',
  '[rax+rcx*2]', '[rbx+rdx*4+0x20]', '[r9+r10*8-0x40]', '[nosplit rcx*8+0x100400]', '[rel 0x100230]',
  '[abs 0x100340]', '[r14+r15]', '[rdx+0x12345]', '[rbp+rsi*1-0x8]', '[r11+rax*2+0x7ff]',
];
const regsOfMem = (m) => (m.match(/\b[a-z][a-z0-9]*\b/g) ?? []).filter((r) => REG[r]).map((r) => REG[r].idx);
let memCursor = 0;
function nextMem(avoid = []) {
  const avoidIdx = avoid.map((r) => REG[r].idx);
  for (;;) {
    const m = MEMS[memCursor++ % MEMS.length];
    if (!regsOfMem(m).some((i) => avoidIdx.includes(i))) return m;
  }
}
/** A register of width `bits` not used by memory operand `mem` (and not RSP). */
function regAvoiding(bits, mem, k) {
  const used = new Set(regsOfMem(mem));
  const pool = [];
  for (let i = 0; i < 16; i++) {
    if (i === 4 || used.has(i)) continue;
    if (bits === 8 && (i === 5 || i === 6 || i === 7) && k % 2) continue;
    pool.push(byIdx(bits, i));
  }
  return pool[(k * 5 + 3) % pool.length];
}

// ---------------------------------------------------------------------------------------------
// alu: ADD OR ADC SBB AND SUB XOR CMP, TEST, INC DEC NEG NOT
const ALU = ['add', 'or', 'adc', 'sbb', 'and', 'sub', 'xor', 'cmp'];
const LOGIC = new Set(['and', 'or', 'xor', 'test']);
const IMM = {
  8: ['0x5a', '0x80', '0xff', '0x7f', '0x01', '0x00', '0xa5', '0x40'],
  16: ['0x1234', '0x7fff', '0x8000', '0xffff', '0x0001', '0xedcb', '0x0100', '0x00ff'],
  32: ['0x12345678', '0x7fffffff', '0x80000000', '0xffffffff', '0x00000001', '0xfedcba98', '0x00010000', '0x000000ff'],
  64: ['0x12345678', '0x7fffffff', '-0x80000000', '-1', '1', '-0x1234568', '0x10000', '0xff'],
};
const IMM8S = ['-1', '0x7f', '-0x80', '0', '1', '-3', '0x40', '-0x41'];
ALU.forEach((op, k) => {
  const undef = LOGIC.has(op) ? AF : 0;
  for (const bits of [8, 16, 32, 64]) {
    const [d, s] = PAIRS[bits][k % 8];
    const w = SZW[bits];
    const imm = IMM[bits][k % 8];
    F('alu', `${op} ${d}, ${s}`, { undef });
    let mem = nextMem();
    F('alu', `${op} ${w} ${mem}, ${regAvoiding(bits, mem, k)}`, { undef });
    mem = nextMem();
    F('alu', `${op} ${regAvoiding(bits, mem, k + 1)}, ${w} ${mem}`, { undef });
    F('alu', `${op} ${ACC[bits]}, ${imm}`, { undef });
    F('alu', `${op} ${PAIRS[bits][(k + 3) % 8][1] === ACC[bits] ? PAIRS[bits][(k + 4) % 8][1] : PAIRS[bits][(k + 3) % 8][1]}, ${imm}`, { undef });
    F('alu', `${op} ${w} ${nextMem()}, ${IMM[bits][(k + 2) % 8]}`, { undef });
    if (bits !== 8) {
      F('alu', `${op} ${PAIRS[bits][(k + 5) % 8][0]}, byte ${IMM8S[k % 8]}`, { undef });
      F('alu', `${op} ${w} ${nextMem()}, byte ${IMM8S[(k + 3) % 8]}`, { undef });
    }
  }
});
// Same-register idioms and LOCK forms.
F('alu', 'xor eax, eax', { undef: AF });
F('alu', 'sub r9, r9');
F('alu', 'sbb ecx, ecx');
F('alu', 'adc dh, dh');
F('alu', 'lock add dword [rbx+0x8], ecx');
F('alu', 'lock sub qword [rsi], byte 5');
F('alu', 'lock or byte [rdi+rcx], 0x81', { undef: AF });
F('alu', 'lock adc word [r12+0x2], r9w');
F('alu', 'lock inc qword [rbp-0x10]');
F('alu', 'lock neg dword [r13]');
F('alu', 'lock not byte [rdx+0x3]');
// Encodings nasm does not pick for the text (the reg, r/m direction with two registers) and
// prefixes that change nothing or change the registers.
ALU.forEach((op, k) => {
  const o = k * 8;
  const h = (n) => n.toString(16).padStart(2, '0');
  F('alu', `${op} cl, dl ; ${h(o + 2)} /r`, { db: `${h(o + 2)} ca`, undef: LOGIC.has(op) ? AF : 0 });
  F('alu', `${op} r10, rbx ; REX.W ${h(o + 3)} /r`, { db: `4c ${h(o + 3)} d3`, undef: LOGIC.has(op) ? AF : 0 });
});
F('alu', 'mov ecx, esi ; 8b /r', { db: '8b ce' });
F('alu', 'mov bh, ah ; 8a /r', { db: '8a fc' });
F('alu', 'add rax, rcx ; 66 REX.W 01 /r (REX.W wins)', { db: '66 48 01 c8' });
F('alu', 'add spl, al ; REX 00 /r (SPL, not AH)', { db: '40 00 c4' });
F('alu', 'add al, cl ; REX.W 00 /r (W ignored for bytes)', { db: '48 00 c8' });
F('alu', 'add eax, ecx ; 67 01 /r (no memory operand)', { db: '67 01 c8' });
F('alu', 'sub edx, dword [ds:rbx+0x8]', {});
F('alu', 'xor rcx, qword [cs:rsi]', { undef: AF });
F('alu', 'and word [es:rdi], ax', { undef: AF });
F('alu', 'cmp byte [ss:rsp+0x8], 0x7f');
F('alu', 'add eax, ecx ; two REX prefixes (only the last counts)', { db: '4f 40 01 c8' });
F('alu', 'or r8w, cx ; 66 66 REX.B 09 /r', { db: '66 66 41 09 c8', undef: AF });
['test'].forEach(() => {
  [8, 16, 32, 64].forEach((bits, k) => {
    const [d, s] = PAIRS[bits][(k + 2) % 8];
    const w = SZW[bits];
    F('alu', `test ${d}, ${s}`, { undef: AF });
    const mem = nextMem();
    F('alu', `test ${w} ${mem}, ${regAvoiding(bits, mem, k)}`, { undef: AF });
    F('alu', `test ${ACC[bits]}, ${IMM[bits][k + 1]}`, { undef: AF });
    F('alu', `test ${PAIRS[bits][(k + 4) % 8][0]}, ${IMM[bits][k + 2]}`, { undef: AF });
    F('alu', `test ${w} ${nextMem()}, ${IMM[bits][k + 3]}`, { undef: AF });
  });
});
['inc', 'dec', 'neg', 'not'].forEach((op, k) => {
  for (const bits of [8, 16, 32, 64]) {
    F('alu', `${op} ${PAIRS[bits][(k + bits / 8) % 8][0]}`);
    F('alu', `${op} ${SZW[bits]} ${nextMem()}`);
  }
});

// ---------------------------------------------------------------------------------------------
// shift: ROL ROR RCL RCR SHL SHR SAR by 1, CL and immediates; SHLD SHRD.
const SHIFTS = ['rol', 'ror', 'rcl', 'rcr', 'shl', 'shr', 'sar'];
/** Immediate counts per width: 0, 1 (the C0/C1 encoding), in range, the width, above it. */
const SHIFT_IMMS = {
  8: [0, 1, 4, 8, 9, 17, 33],
  16: [0, 1, 9, 16, 17, 31],
  32: [0, 1, 13, 31, 32, 33],
  64: [0, 1, 37, 63, 64, 65],
};
/** The undefined-flags mask of a shift or rotate by `count` (see the rules at the top). */
export function shiftUndef(op, bits, count) {
  const c = count & (bits === 64 ? 0x3f : 0x1f);
  if (c === 0) return 0;
  let u = c === 1 ? 0 : OF;
  if (op === 'shl' || op === 'shr' || op === 'sar') u |= AF;
  if ((op === 'shl' || op === 'shr') && c >= bits) u |= CF;
  if (op === 'shld' || op === 'shrd') u |= AF;
  return u;
}
/** A CL count biased toward the interesting ones. */
function clCount(c, bits) {
  if (c.chance(0.35)) return c.pick([0, 1, 2, bits - 1, bits, bits + 1, 9, 17, 31, 32, 33, 63, 64, 65, 255]);
  return c.below(256);
}
function shiftForm(op, bits, dst, count) {
  // count: 'cl', 'one' (the D0/D1 encoding) or a number (C0/C1 with an imm8).
  const asm = `${op} ${dst}, ${count === 'cl' ? 'cl' : count === 'one' ? '1' : `byte ${count}`}`;
  F('shift', asm, {
    setup(c) {
      let n;
      if (count === 'cl') {
        n = clCount(c, bits);
        c.set('cl', n);
      } else n = count === 'one' ? 1 : count;
      c.undef = shiftUndef(op, bits, n);
    },
  });
}
SHIFTS.forEach((op, k) => {
  for (const bits of [8, 16, 32, 64]) {
    const avoid = (i) => (i === 1 || i === 4 ? i + 2 : i); // not RCX (the count) nor RSP
    const dst = byIdx(bits, avoid((k * 3 + bits / 8) % 16));
    shiftForm(op, bits, dst, 'one');
    shiftForm(op, bits, byIdx(bits, avoid((k * 5 + bits / 8 + 1) % 16)), 'cl');
    for (const n of SHIFT_IMMS[bits]) shiftForm(op, bits, byIdx(bits, avoid((k + n) % 16)), n);
    shiftForm(op, bits, `${SZW[bits]} ${nextMem(['rcx'])}`, 'one');
    shiftForm(op, bits, `${SZW[bits]} ${nextMem(['rcx'])}`, 'cl');
    shiftForm(op, bits, `${SZW[bits]} ${nextMem(['rcx'])}`, SHIFT_IMMS[bits][(k % 4) + 2]);
  }
});
for (const op of ['shld', 'shrd']) {
  [16, 32, 64].forEach((bits, k) => {
    const [d, s] = PAIRS[bits][(k + (op === 'shrd' ? 3 : 0)) % 8].map((r) => (REG[r].idx === 1 ? byIdx(bits, 12) : r));
    const imms = bits === 16 ? [0, 1, 7, 16, 33] : bits === 32 ? [0, 1, 19, 31, 32] : [0, 1, 29, 63, 64];
    for (const n of imms) {
      F('shift', `${op} ${d}, ${s}, ${n}`, { undef: shiftUndef(op, bits, n) });
    }
    const setupCl = (c) => {
      let n = clCount(c, bits);
      // 16-bit: a masked count above 16 leaves the result undefined; keep the count in range.
      if (bits === 16) n = (n & 0xe0) | ((n & 0x1f) % 17);
      c.set('cl', n);
      c.undef = shiftUndef(op, bits, n);
    };
    F('shift', `${op} ${d}, ${s}, cl`, { setup: setupCl });
    const mem = nextMem(['rcx', s]);
    F('shift', `${op} ${SZW[bits]} ${mem}, ${s}, cl`, { setup: setupCl });
    F('shift', `${op} ${SZW[bits]} ${nextMem(['rcx', s])}, ${s}, ${imms[2]}`, { undef: shiftUndef(op, bits, imms[2]) });
  });
}

// ---------------------------------------------------------------------------------------------
// muldiv: MUL IMUL DIV IDIV (one operand, with #DE), IMUL two and three operands.
const MULU = SF | ZF | AF | PF;
/** MUL/IMUL one operand: RAX (and RDX, which is only written) get edge values. */
function mulSetup(bits) {
  return (c) => {
    const src = c.mem ? null : splitAsm(c.form.asm).operands[0];
    if (!src || REG[src].idx !== 0) c.set(ACC[bits], c.edge(bits));
    if (bits > 8) c.set(byIdx(bits, 2), c.edge(bits));
    c.undef = MULU;
  };
}
/**
 * DIV/IDIV: choose the divisor and dividend so that about 1/8 of the cases divide by zero, about
 * 1/4 overflow the quotient (#DE), and the rest divide.
 */
function divSetup(bits, signed) {
  return (c) => {
    const B = BigInt(bits);
    const m = mask(bits);
    let d;
    let hi, lo;
    const kind = c.below(8);
    if (kind === 0) d = 0n;
    else {
      d = c.edge(bits);
      if (d === 0n) d = 1n;
    }
    const sd = signed ? BigInt.asIntN(bits, d) : d;
    if (signed) {
      let N;
      if (kind === 0) N = BigInt.asIntN(2 * bits, c.u64() << 64n | c.u64());
      else if (kind <= 2) {
        // Overflow: the most negative dividend by -1, or a quotient out of range.
        if (kind === 1) {
          N = -(1n << (B - 1n));
          d = m;
        } else {
          const q = (1n << (B - 1n)) + BigInt(c.below(1000));
          N = q * BigInt.asIntN(bits, d === 0n ? 1n : d) * (c.chance(0.5) ? 1n : -1n);
        }
      } else {
        const qmax = 1n << (B - 1n);
        const q = (BigInt.asIntN(bits, c.edge(bits)) % qmax);
        const ad = sd < 0n ? -sd : sd;
        let r = ad > 1n ? BigInt(c.u64() % ad) : 0n;
        const prod = q * sd;
        if (prod < 0n || (prod === 0n && c.chance(0.5))) r = -r;
        N = prod + r;
      }
      N = BigInt.asUintN(2 * bits, N);
      hi = N >> B;
      lo = N & m;
    } else {
      if (kind === 0 || kind > 2) {
        hi = d === 0n ? c.edge(bits) : c.u64() % d;
      } else hi = d + (c.u64() % (m - d + 1n));
      lo = c.edge(bits);
    }
    const src = splitAsm(c.form.asm).operands[0];
    if (c.mem) c.patch(c.mem.ea, d, bits / 8);
    else c.set(src, d);
    if (bits === 8) c.set('ax', (hi << 8n) | lo);
    else {
      c.set(ACC[bits], lo);
      c.set(byIdx(bits, 2), hi);
    }
    c.undef = STATUS;
  };
}
for (const op of ['mul', 'imul', 'div', 'idiv']) {
  [8, 16, 32, 64].forEach((bits, k) => {
    const regs = { 8: ['bl', 'ch', 'r9b', 'sil'], 16: ['bx', 'r10w', 'di', 'cx'], 32: ['ecx', 'r11d', 'esi', 'ebx'], 64: ['rbx', 'r8', 'rdi', 'r14'] };
    const isDiv = op === 'div' || op === 'idiv';
    const setup = isDiv ? divSetup(bits, op === 'idiv') : mulSetup(bits);
    F('muldiv', `${op} ${regs[bits][(k + op.length) % 4]}`, { setup, de: isDiv });
    F('muldiv', `${op} ${SZW[bits]} ${nextMem(['rax', 'rdx'])}`, { setup, de: isDiv, noMemEdge: isDiv });
  });
}
F('muldiv', 'mul ah', { setup: (c) => { c.set('al', c.edge(8)); c.undef = MULU; } });
F('muldiv', 'imul al', { setup: (c) => { c.undef = MULU; } });
F('muldiv', 'mul rax', { setup: (c) => { c.undef = MULU; } });
F('muldiv', 'imul rdx', { setup: (c) => { c.set('rax', c.edge(64)); c.undef = MULU; } });
[16, 32, 64].forEach((bits, k) => {
  const [d, s] = PAIRS[bits][(k + 1) % 8];
  F('muldiv', `imul ${d}, ${s}`, { undef: MULU });
  let mem = nextMem();
  F('muldiv', `imul ${regAvoiding(bits, mem, k)}, ${SZW[bits]} ${mem}`, { undef: MULU });
  const [d2, s2] = PAIRS[bits][(k + 4) % 8];
  F('muldiv', `imul ${d2}, ${s2}, byte ${IMM8S[k + 1]}`, { undef: MULU });
  F('muldiv', `imul ${s2}, ${d2}, byte ${IMM8S[k + 4]}`, { undef: MULU });
  F('muldiv', `imul ${d}, ${s}, ${IMM[bits][k + 1]}`, { undef: MULU });
  mem = nextMem();
  F('muldiv', `imul ${regAvoiding(bits, mem, k + 2)}, ${SZW[bits]} ${mem}, byte ${IMM8S[k + 2]}`, { undef: MULU });
  mem = nextMem();
  F('muldiv', `imul ${regAvoiding(bits, mem, k + 3)}, ${SZW[bits]} ${mem}, ${IMM[bits][k + 5]}`, { undef: MULU });
});

// ---------------------------------------------------------------------------------------------
// bit: BT BTS BTR BTC, BSF BSR, POPCNT LZCNT TZCNT.
const BTU = OF | SF | AF | PF;
['bt', 'bts', 'btr', 'btc'].forEach((op, k) => {
  [16, 32, 64].forEach((bits, j) => {
    const [d, s] = PAIRS[bits][(k * 3 + j) % 8];
    F('bit', `${op} ${d}, ${s}`, { undef: BTU });
    // Memory with a register bit offset: the offset is signed and may reach outside the operand.
    const mem = nextMem();
    const off = regAvoiding(bits, mem, k + j);
    F('bit', `${op} ${SZW[bits]} ${mem}, ${off}`, {
      undef: BTU,
      memRange: [0x600, 0xa00],
      setup(c) {
        c.set(off, BigInt(c.below(0x300 * 8) - 0x180 * 8));
      },
    });
    const imms = [3, bits - 1, bits + 5, 200];
    F('bit', `${op} ${PAIRS[bits][(k + j + 2) % 8][0]}, ${imms[(k + j) % 4]}`, { undef: BTU });
    F('bit', `${op} ${SZW[bits]} ${nextMem()}, ${imms[(k + j + 1) % 4]}`, { undef: BTU });
  });
});
F('bit', 'lock bts dword [rbx], ecx', { undef: BTU, memRange: [0x600, 0xa00], setup: (c) => c.set('ecx', BigInt(c.below(0x1000) - 0x800)) });
F('bit', 'lock btr qword [rsi+0x8], 0x2a', { undef: BTU });
F('bit', 'lock btc word [rdi], 0x3', { undef: BTU });
const SCAN_UNDEF = { bsf: CF | OF | SF | AF | PF, bsr: CF | OF | SF | AF | PF, lzcnt: OF | SF | PF | AF, tzcnt: OF | SF | PF | AF, popcnt: 0 };
['bsf', 'bsr', 'popcnt', 'lzcnt', 'tzcnt'].forEach((op, k) => {
  [16, 32, 64].forEach((bits, j) => {
    const [d, s] = PAIRS[bits][(k + j * 2) % 8];
    const zeroSometimes = (c) => {
      if (c.chance(0.25)) {
        if (c.mem) c.patch(c.mem.ea, 0n, bits / 8);
        else c.set(s, 0n);
      }
    };
    F('bit', `${op} ${d}, ${s}`, { undef: SCAN_UNDEF[op], setup: zeroSometimes });
    const mem = nextMem();
    F('bit', `${op} ${regAvoiding(bits, mem, k + j)}, ${SZW[bits]} ${mem}`, { undef: SCAN_UNDEF[op], setup: zeroSometimes });
  });
});

// ---------------------------------------------------------------------------------------------
// string: MOVS STOS LODS CMPS SCAS, plain, REP, REPE/REPNE, both directions, 32-bit addressing.
const SUF = { 8: 'b', 16: 'w', 32: 'd', 64: 'q' };
function stringSetup(op, bits, rep, a32) {
  const e = bits / 8;
  return (c) => {
    const down = (c.rflags & DF) !== 0;
    const n = rep ? (c.chance(0.2) ? 0 : c.chance(0.15) ? 1 : 1 + c.below(40)) : 1;
    const span = n * e;
    // Source and destination: apart for CMPS (so the match patches below do not collide),
    // anywhere (overlap included) for MOVS. The whole run stays inside [lo, hi).
    const pickBase = (lo, hi) => {
      const a = c.chance(0.7) ? e : 1;
      return down ? c.addr(lo + span, hi, a) - e : c.addr(lo, hi - span, a);
    };
    let si = pickBase(0x100, 0xf00);
    let di = pickBase(0x100, 0xf00);
    if (op === 'cmps') {
      si = pickBase(0x100, 0x780);
      di = pickBase(0x800, 0xf00);
    }
    const at = (base, i) => base + (down ? -i * e : i * e);
    const setA = (r64, r32, v) => (a32 ? c.set(r32, v) : c.set(r64, v));
    if (op !== 'stos' && op !== 'scas') setA('rsi', 'esi', si);
    if (op !== 'lods') setA('rdi', 'edi', di);
    if (rep) setA('rcx', 'ecx', n);
    if (op === 'stos' || op === 'scas' || op === 'lods') c.set(ACC[bits], c.edge(bits));
    if (op === 'cmps' || op === 'scas') {
      // REPE: equal for k elements then one difference (sometimes all equal); REPNE: different
      // for k elements then one match (sometimes none). Plain forms: equal half of the time.
      const k = rep ? c.below(n + 1) : 0;
      const ref = (i) => (op === 'cmps' ? c.readMem(at(si, i), e) : c.get(ACC[bits]));
      const m = mask(bits);
      for (let i = 0; i < Math.max(n, 1); i++) {
        const want = rep === 'repe' ? i < k : rep === 'repne' ? i >= k : c.chance(0.5);
        const cur = c.readMem(at(di, i), e);
        const r = ref(i);
        if (want && cur !== r) c.patch(at(di, i), r, e);
        if (!want && cur === r) c.patch(at(di, i), (r ^ (1n << BigInt(c.below(bits)))) & m, e);
        if (rep === 'repne' && i > k) break;
      }
    }
    c.undef = 0;
  };
}
for (const op of ['movs', 'stos', 'lods', 'cmps', 'scas']) {
  for (const bits of [8, 16, 32, 64]) {
    const name = `${op}${SUF[bits]}`;
    F('string', name, { df: true, setup: stringSetup(op, bits, null, false) });
    if (op === 'cmps' || op === 'scas') {
      F('string', `repe ${name}`, { df: true, setup: stringSetup(op, bits, 'repe', false) });
      F('string', `repne ${name}`, { df: true, setup: stringSetup(op, bits, 'repne', false) });
    } else F('string', `rep ${name}`, { df: true, setup: stringSetup(op, bits, 'rep', false) });
  }
}
F('string', 'a32 movsb', { df: true, setup: stringSetup('movs', 8, null, true) });
F('string', 'a32 rep movsd', { df: true, setup: stringSetup('movs', 32, 'rep', true) });
F('string', 'a32 rep stosq', { df: true, setup: stringSetup('stos', 64, 'rep', true) });
F('string', 'a32 repe cmpsw', { df: true, setup: stringSetup('cmps', 16, 'repe', true) });
F('string', 'a32 repne scasb', { df: true, setup: stringSetup('scas', 8, 'repne', true) });
F('string', 'a32 lodsq', { df: true, setup: stringSetup('lods', 64, null, true) });
// F2 on MOVS/STOS/LODS repeats like F3 (only CMPS/SCAS tell REPE from REPNE).
F('string', 'repne movsb ; F2 A4', { db: 'f2 a4', df: true, setup: stringSetup('movs', 8, 'rep', false) });
F('string', 'repne stosd ; F2 AB', { db: 'f2 ab', df: true, setup: stringSetup('stos', 32, 'rep', false) });

// ---------------------------------------------------------------------------------------------
// cond: CMOVcc, SETcc, Jcc for all 16 conditions.
const CC = ['o', 'no', 'b', 'nb', 'z', 'nz', 'be', 'nbe', 's', 'ns', 'p', 'np', 'l', 'nl', 'le', 'nle'];
CC.forEach((cc, k) => {
  F('cond', `cmov${cc} ${PAIRS[16][k % 8][0]}, ${PAIRS[16][k % 8][1]}`);
  F('cond', `cmov${cc} ${PAIRS[32][(k + 3) % 8][0]}, ${PAIRS[32][(k + 3) % 8][1]}`);
  const mem = nextMem();
  F('cond', `cmov${cc} ${regAvoiding(64, mem, k)}, qword ${mem}`);
  F('cond', `set${cc} ${PAIRS[8][k % 8][k % 2]}`);
  if (k % 4 === 0) F('cond', `set${cc} byte ${nextMem()}`);
  F('cond', `j${cc} short 0x200040`, { targets: [0x200040] });
  F('cond', `j${cc} near 0x1ff800`, { targets: [0x1ff800] });
});

// ---------------------------------------------------------------------------------------------
// datamov: MOV, MOVZX MOVSX MOVSXD, LEA over the addressing forms, BSWAP, XCHG, XADD, CMPXCHG,
// CMPXCHG8B/16B, MOVBE, CBW family, XLAT.
[8, 16, 32, 64].forEach((bits, k) => {
  const [d, s] = PAIRS[bits][(k + 5) % 8];
  const w = SZW[bits];
  F('datamov', `mov ${d}, ${s}`);
  let mem = nextMem();
  F('datamov', `mov ${w} ${mem}, ${regAvoiding(bits, mem, k)}`);
  mem = nextMem();
  F('datamov', `mov ${regAvoiding(bits, mem, k + 1)}, ${w} ${mem}`);
  F('datamov', `mov ${PAIRS[bits][(k + 6) % 8][1]}, ${IMM[bits][k + 2]}`);
  F('datamov', `mov ${w} ${nextMem()}, ${IMM[bits][k + 3]}`);
});
F('datamov', 'mov r11, 0x123456789abcdef0');
F('datamov', 'mov rax, -1');
F('datamov', 'mov al, [abs qword 0x100123]');
F('datamov', 'mov eax, [abs qword 0x100200]');
F('datamov', 'mov [abs qword 0x100301], ax');
F('datamov', 'mov [abs qword 0x100308], rax');
F('datamov', 'mov ecx, ecx');
for (const op of ['movzx', 'movsx']) {
  const pairs = [['ax', 'bl'], ['ecx', 'dh'], ['r9', 'sil'], ['edx', 'r11w'], ['r10', 'cx']];
  pairs.forEach(([d, s]) => {
    F('datamov', `${op} ${d}, ${s}`);
    const sw = REG[s].bits === 8 ? 'byte' : 'word';
    const mem = nextMem([d]);
    F('datamov', `${op} ${d}, ${sw} ${mem}`);
  });
}
F('datamov', 'movsxd rax, ecx');
F('datamov', 'movsxd r8, dword [rsi+0x4]');
F('datamov', 'movsxd r12, r13d');
const LEAS = [
  'lea rax, [rbx]', 'lea rcx, [rdx+0x7f]', 'lea rdx, [rsi-0x80]', 'lea rbx, [rdi+0x12345678]',
  'lea rsi, [rsp]', 'lea rdi, [rsp+0x40]', 'lea r8, [rbp]', 'lea r9, [rbp-0x1000]', 'lea r10, [r12]',
  'lea r11, [r13]', 'lea r12, [r13+0x10]', 'lea r13, [rax+rcx]', 'lea r14, [rbx+rdx*2]',
  'lea r15, [rsi+rdi*4+0x10]', 'lea rax, [rbp+r8*8-0x7ffffff0]', 'lea rcx, [r9+r10*1+0x3]',
  'lea rdx, [nosplit r11*8]', 'lea rbx, [nosplit rcx*2+0x1000]', 'lea rsi, [abs 0x12345678]',
  'lea rdi, [rel 0x200100]', 'lea r8, [rel 0x1f0000]', 'lea rax, [rsp+rbx*4]', 'lea rax, [r12+r13*2+0x55]',
  'lea rcx, [rax+rax*8]', 'lea rdx, [r12+rsp]', 'lea eax, [rbx+rcx*4+0x10]', 'lea ax, [rbx+rcx]',
  'lea r9w, [rsi-1]', 'lea eax, [ebx+ecx*2+5]', 'lea rax, [ebx+ecx*8-0x10]', 'lea ecx, [esp+0x20]',
  'lea edx, [r8d+r9d*4]', 'lea ax, [ebx+esi]', 'lea r15d, [ebp]', 'lea eax, [r13d+0x7f]',
  'lea esi, [r12d-0x80000000]', 'lea rdi, [edi+edi]',
];
for (const asm of LEAS) F('datamov', asm, { lea: true });
for (const r of ['eax', 'r9d', 'rcx', 'r14', 'esp', 'rbp']) F('datamov', `bswap ${r}`);
[8, 16, 32, 64].forEach((bits, k) => {
  const [d, s] = PAIRS[bits][(k + 2) % 8];
  const w = SZW[bits];
  F('datamov', `xchg ${d}, ${s}`);
  let mem = nextMem();
  F('datamov', `xchg ${w} ${mem}, ${regAvoiding(bits, mem, k)}`);
  F('datamov', `xadd ${PAIRS[bits][(k + 3) % 8][0]}, ${PAIRS[bits][(k + 3) % 8][1]}`);
  mem = nextMem();
  F('datamov', `xadd ${w} ${mem}, ${regAvoiding(bits, mem, k + 1)}`);
  // CMPXCHG: the accumulator equals the destination half of the time.
  const eqAcc = (dst) => (c) => {
    if (c.chance(0.5)) c.set(ACC[bits], c.mem ? c.readMem(c.mem.ea, bits / 8) : c.get(dst));
  };
  const [cd, cs] = PAIRS[bits][(k + 4) % 8].map((r) => (REG[r].idx === 0 ? byIdx(bits, 13) : r));
  F('datamov', `cmpxchg ${cd}, ${cs}`, { setup: eqAcc(cd) });
  mem = nextMem(['rax']);
  F('datamov', `cmpxchg ${w} ${mem}, ${regAvoiding(bits, mem, k + 2).replace(/^(al|ax|eax|rax)$/, byIdx(bits, 9))}`, { setup: eqAcc(null) });
});
F('datamov', 'xchg eax, ecx');
F('datamov', 'xchg rax, r8');
F('datamov', 'xchg ax, r9w');
F('datamov', 'xchg eax, eax');
F('datamov', 'lock xadd dword [rbx+0x4], edx');
F('datamov', 'lock cmpxchg qword [rsi], rcx', { setup: (c) => c.chance(0.5) && c.set('rax', c.readMem(c.mem.ea, 8)) });
F('datamov', 'xchg al, ah');
F('datamov', 'cmpxchg8b [rdi+0x8]', {
  memSize: 8,
  undef: 0,
  setup(c) {
    for (const r of ['rax', 'rdx', 'rcx', 'rbx']) c.set(r, c.edge(64));
    if (c.chance(0.5)) {
      const v = c.readMem(c.mem.ea, 8);
      c.set('eax', v & 0xffffffffn);
      c.set('edx', v >> 32n);
    }
  },
});
F('datamov', 'cmpxchg16b [rsi]', {
  memSize: 16,
  memAlign: 16,
  setup(c) {
    for (const r of ['rax', 'rdx', 'rcx', 'rbx']) c.set(r, c.edge(64));
    if (c.chance(0.5)) {
      c.set('rax', c.readMem(c.mem.ea, 8));
      c.set('rdx', c.readMem(c.mem.ea + 8, 8));
    }
  },
});
F('datamov', 'movbe eax, [rbx]');
F('datamov', 'movbe r9w, [rsi+0x3]');
F('datamov', 'movbe rcx, [rdi-0x8]');
F('datamov', 'movbe [rbp+0x10], edx');
F('datamov', 'movbe [r12], r10');
F('datamov', 'movbe [rax+rcx], si');
const accSetup = (c) => {
  c.set('rax', c.edge(64));
  c.set('rdx', c.u64());
};
for (const op of ['cbw', 'cwde', 'cdqe', 'cwd', 'cdq', 'cqo']) F('datamov', op, { setup: accSetup });
F('datamov', 'xlatb', {
  setup(c) {
    c.set('rbx', c.addr(0x200, 0xd00));
    c.set('al', c.edge(8));
  },
});
F('datamov', 'nop');
F('datamov', 'nop dword [rax+rax*1+0x0]', { lea: true });

// ---------------------------------------------------------------------------------------------
// stack: PUSH POP CALL RET ENTER LEAVE PUSHF POPF, JMP, LOOP and JrCXZ.
const PADS = [0x200800, 0x1ff400];
const pickPad = (c) => BigInt(c.pick(PADS));
for (const r of ['rax', 'r15', 'rsp', 'rbp']) F('stack', `push ${r}`, { stack: true });
F('stack', 'push r9w', { stack: true });
F('stack', 'push byte -5', { stack: true });
F('stack', 'push byte 0x7f', { stack: true });
F('stack', 'push dword 0x80000000', { stack: true });
F('stack', 'push dword 0x12345678', { stack: true });
F('stack', 'push word 0x8234', { stack: true });
F('stack', 'push qword [rbx+0x10]', { stack: true });
F('stack', 'push qword [rsp+0x8]');
F('stack', 'push word [rsi]', { stack: true });
for (const r of ['rbx', 'r12', 'rsp', 'rbp']) F('stack', `pop ${r}`, { stack: true });
F('stack', 'pop r10w', { stack: true });
F('stack', 'pop qword [rdi-0x8]', { stack: true });
F('stack', 'pop qword [rsp+0x8]');
F('stack', 'pop word [rbx]', { stack: true });
F('stack', 'pushfq', { stack: true });
F('stack', 'pushfw', { stack: true });
F('stack', 'popfq', {
  stack: true,
  stackSetup(c) {
    // The popped image: IF=1 (user mode cannot change it), random status flags and DF.
    let v = 0x202n;
    for (const f of [CF, PF, AF, ZF, SF, OF, DF]) if (c.chance(0.5)) v |= BigInt(f);
    c.patch(c.get('rsp'), v, 8);
  },
});
F('stack', 'call 0x201000', { stack: true, targets: [0x201000] });
F('stack', 'call r11', { stack: true, targets: PADS, setup: (c) => c.set('r11', pickPad(c)) });
F('stack', 'call qword [rbx+0x8]', { stack: true, targets: PADS, setup: (c) => c.patch(c.mem.ea, pickPad(c), 8) });
F('stack', 'call qword [rsp+0x10]', { targets: PADS, setup: (c) => c.patch(c.mem.ea, pickPad(c), 8) });
F('stack', 'ret', { stack: true, targets: PADS, stackSetup: (c) => c.patch(c.get('rsp'), pickPad(c), 8) });
F('stack', 'ret 0x18', { stack: true, targets: PADS, stackSetup: (c) => c.patch(c.get('rsp'), pickPad(c), 8) });
F('stack', 'jmp short 0x200070', { targets: [0x200070] });
F('stack', 'jmp near 0x1ffa00', { targets: [0x1ffa00] });
F('stack', 'jmp rdx', { targets: PADS, setup: (c) => c.set('rdx', pickPad(c)) });
F('stack', 'jmp qword [rsi-0x10]', { targets: PADS, setup: (c) => c.patch(c.mem.ea, pickPad(c), 8) });
const enterSetup = (c) => {
  c.set('rbp', c.addr(0x600, 0xc00, c.chance(0.85) ? 8 : 1));
};
for (const [size, level] of [[0, 0], [0x10, 0], [0x20, 1], [8, 2], [0, 3], [0x18, 5], [0x100, 1], [4, 0x21]]) {
  F('stack', `enter ${size}, ${level}`, { stack: true, setup: enterSetup });
}
for (const [size, level] of [[0x10, 0], [6, 2]]) F('stack', `o16 enter ${size}, ${level}`, { stack: true, setup: enterSetup });
F('stack', 'leave', { setup: enterSetup });
F('stack', 'o16 leave', {
  setup(c) {
    // SP = BP, then pop BP: keep RBP and RSP in the same 64 KiB so SP = BP stays in the region.
    enterSetup(c);
  },
});
const loopSetup = (reg) => (c) => {
  c.set(reg, c.pick([0n, 1n, 2n, 0x100000000n, 0xffffffffn, 0x100000001n, c.u64()]));
};
F('stack', 'loop 0x1fffc0', { targets: [0x1fffc0], setup: loopSetup('rcx') });
F('stack', 'loope 0x200050', { targets: [0x200050], setup: loopSetup('rcx') });
F('stack', 'loopne 0x200050', { targets: [0x200050], setup: loopSetup('rcx') });
F('stack', 'a32 loop 0x200050', { targets: [0x200050], setup: loopSetup('rcx') });
F('stack', 'jrcxz 0x200050', { targets: [0x200050], setup: loopSetup('rcx') });
F('stack', 'jecxz 0x1fffc0', { targets: [0x1fffc0], setup: loopSetup('rcx') });

// ---------------------------------------------------------------------------------------------
// flags: CLC STC CMC CLD STD LAHF SAHF, ADCX ADOX.
for (const op of ['clc', 'stc', 'cmc', 'cld', 'std']) F('flags', op, { df: true });
F('flags', 'lahf');
F('flags', 'sahf');
F('flags', 'adcx eax, ecx');
F('flags', 'adcx r9, qword [rbx+0x8]');
F('flags', 'adox rax, r11');
F('flags', 'adox edx, dword [rsi]');

