// Control transfer: JMP, Jcc, JrCXZ, LOOPcc, CALL/RET near, ENTER/LEAVE, INT n/INT3/INT1.
// Near branches check the target before changing anything: a non-canonical target raises #GP(0)
// with RIP and RSP as before the instruction.

import type { Cpu } from '../cpu';
import type { Handler, Op } from '../op';
import { def } from '../registry';
import { CC_NAMES } from './datamov';
import { Vec } from '../../memory/mmu';
import * as F from '../flags';

const TWO32 = 4294967296;
const CANON = 140737488355328;

/** Target of a relative branch for the given operand size (64: no truncation). */
function relTarget(cpu: Cpu, op: Op, bits: number): number {
  const t = cpu.ip + op.imm;
  return bits === 64 ? t : bits === 32 ? t >>> 0 : t & 0xffff;
}

/** Validates a 64-bit-mode target (canonical) without jumping. */
function checkTarget(cpu: Cpu, t: number): number {
  if (cpu.bits === 64) {
    if (!(t >= -CANON && t < CANON)) cpu.gp(0);
    return t;
  }
  return t;
}

// ---- JMP / Jcc -------------------------------------------------------------------------------

const jmp64: Handler = (cpu, op) => {
  const t = cpu.ip + op.imm;
  if (t >= -CANON && t < CANON) cpu.ip = t;
  else cpu.jump(t);
};
/** Takes a relative branch in 64-bit mode. */
export function take(cpu: Cpu, op: Op): void {
  const t = cpu.ip + op.imm;
  if (t >= -CANON && t < CANON) cpu.ip = t;
  else cpu.jump(t);
}
// One function per condition, so each condition's test inlines into its own handler.
const JCC64: Handler[] = [
  (cpu, op) => void (F.condO(cpu.lf, cpu.flagsReg) && take(cpu, op)),
  (cpu, op) => void (F.condNO(cpu.lf, cpu.flagsReg) && take(cpu, op)),
  (cpu, op) => void (F.condB(cpu.lf, cpu.flagsReg) && take(cpu, op)),
  (cpu, op) => void (F.condAE(cpu.lf, cpu.flagsReg) && take(cpu, op)),
  (cpu, op) => void (F.condE(cpu.lf, cpu.flagsReg) && take(cpu, op)),
  (cpu, op) => void (F.condNE(cpu.lf, cpu.flagsReg) && take(cpu, op)),
  (cpu, op) => void (F.condBE(cpu.lf, cpu.flagsReg) && take(cpu, op)),
  (cpu, op) => void (F.condA(cpu.lf, cpu.flagsReg) && take(cpu, op)),
  (cpu, op) => void (F.condS(cpu.lf, cpu.flagsReg) && take(cpu, op)),
  (cpu, op) => void (F.condNS(cpu.lf, cpu.flagsReg) && take(cpu, op)),
  (cpu, op) => void (F.condP(cpu.lf, cpu.flagsReg) && take(cpu, op)),
  (cpu, op) => void (F.condNP(cpu.lf, cpu.flagsReg) && take(cpu, op)),
  (cpu, op) => void (F.condL(cpu.lf, cpu.flagsReg) && take(cpu, op)),
  (cpu, op) => void (F.condGE(cpu.lf, cpu.flagsReg) && take(cpu, op)),
  (cpu, op) => void (F.condLE(cpu.lf, cpu.flagsReg) && take(cpu, op)),
  (cpu, op) => void (F.condG(cpu.lf, cpu.flagsReg) && take(cpu, op)),
];
const jmpN = (bits: number): Handler => (cpu, op) => cpu.jump(relTarget(cpu, op, bits));
const jccN = (bits: number): Handler => (cpu, op) => {
  if (cpu.cond(op.arg)) cpu.jump(relTarget(cpu, op, bits));
};

def('Jmp_rel8_64', jmp64);
def('Jmp_rel32_64', jmp64);
def('Jmp_rel8_32', jmpN(32));
def('Jmp_rel32_32', jmpN(32));
def('Jmp_rel8_16', jmpN(16));
def('Jmp_rel16', jmpN(16));
for (let cc = 0; cc < 16; cc++) {
  const n = CC_NAMES[cc]!;
  const J = n.charAt(0).toUpperCase() + n.slice(1);
  def(`J${n}_rel8_64`, JCC64[cc]!, cc);
  def(`J${n}_rel32_64`, JCC64[cc]!, cc);
  def(`J${n}_rel8_32`, jccN(32), cc);
  def(`J${n}_rel32_32`, jccN(32), cc);
  def(`J${n}_rel8_16`, jccN(16), cc);
  def(`J${n}_rel16`, jccN(16), cc);
  void J;
}

// Indirect JMP
def('Jmp_rm64',
  (cpu, op) => {
    const r = cpu.regs, s = op.rm << 1;
    cpu.jump64(r[s]!, r[s + 1]!);
  },
  (cpu, op) => {
    const lo = cpu.rd64(cpu.ea(op));
    cpu.jump64(lo, cpu.hi);
  });
def('Jmp_rm32', (cpu, op) => {
  const v = op.rm >= 0 ? cpu.regs[op.rm << 1]! : cpu.rd32(cpu.ea(op));
  cpu.jump(v >>> 0);
});
def('Jmp_rm16', (cpu, op) => {
  const v = op.rm >= 0 ? cpu.get16(op.rm) : cpu.rd16(cpu.ea(op));
  cpu.jump(v);
});

// ---- JrCXZ / LOOPcc --------------------------------------------------------------------------

/** Count register value test by address size: zero? */
function countZero(cpu: Cpu, addrSize: number): boolean {
  const r = cpu.regs;
  if (addrSize === 8) return (r[2]! | r[3]!) === 0;
  if (addrSize === 4) return r[2] === 0;
  return (r[2]! & 0xffff) === 0;
}
/** Decrements rCX (by address size); returns true when the result is nonzero. */
function decCount(cpu: Cpu, addrSize: number): boolean {
  const r = cpu.regs;
  if (addrSize === 8) {
    const lo = r[2]!;
    r[2] = (lo - 1) | 0;
    if (lo === 0) r[3] = (r[3]! - 1) | 0;
    return (r[2]! | r[3]!) !== 0;
  }
  if (addrSize === 4) {
    const v = (r[2]! - 1) | 0;
    r[2] = v;
    r[3] = 0;
    return v !== 0;
  }
  const v = (r[2]! - 1) & 0xffff;
  r[2] = (r[2]! & ~0xffff) | v;
  return v !== 0;
}

function jcxz(bits: number): Handler {
  return (cpu, op) => {
    if (countZero(cpu, op.addrSize)) cpu.jump(relTarget(cpu, op, bits));
  };
}
def('Jrcxz_rel8', jcxz(64));
def('Jecxz_rel8_64', jcxz(64));
def('Jecxz_rel8_32', jcxz(32));
def('Jecxz_rel8_16', jcxz(16));
def('Jcxz_rel8_32', jcxz(32));
def('Jcxz_rel8_16', jcxz(16));

/** LOOP (kind 0), LOOPE (1), LOOPNE (2). The target is checked before rCX changes. */
function loop(bits: number, kind: number): Handler {
  return (cpu, op) => {
    const t = relTarget(cpu, op, bits);
    const r = cpu.regs;
    const c0 = r[2]!, c1 = r[3]!;
    const nz = decCount(cpu, op.addrSize);
    let take = nz;
    if (kind === 1) take = nz && cpu.cond(4);
    else if (kind === 2) take = nz && cpu.cond(5);
    if (take) {
      if (cpu.bits === 64 && !(t >= -CANON && t < CANON)) {
        r[2] = c0;
        r[3] = c1;
        cpu.gp(0);
      }
      cpu.jump(t);
    }
  };
}
for (const [name, kind] of [['Loop', 0], ['Loope', 1], ['Loopne', 2]] as const) {
  def(`${name}_rel8_64`, loop(64, kind));
  def(`${name}_rel8_32`, loop(32, kind));
  def(`${name}_rel8_16`, loop(16, kind));
}

// ---- CALL / RET ------------------------------------------------------------------------------

function splitPush64(cpu: Cpu, v: number): void {
  const lo = v >>> 0;
  cpu.push64(lo | 0, ((v - lo) / TWO32) | 0);
}

const callRel64: Handler = (cpu, op) => {
  const ret = cpu.ip;
  const t = checkTarget(cpu, ret + op.imm);
  splitPush64(cpu, ret);
  cpu.ip = t;
};
def('Call_rel32_64', callRel64);
def('Call_rm64',
  (cpu, op) => {
    const r = cpu.regs, s = op.rm << 1;
    const t = checkTarget(cpu, r[s + 1]! * TWO32 + (r[s]! >>> 0));
    splitPush64(cpu, cpu.ip);
    cpu.ip = t;
  },
  (cpu, op) => {
    const lo = cpu.rd64(cpu.ea(op));
    const t = checkTarget(cpu, cpu.hi * TWO32 + (lo >>> 0));
    splitPush64(cpu, cpu.ip);
    cpu.ip = t;
  });
// 16/32-bit forms (compatibility/protected mode)
function pushN(cpu: Cpu, size: number, v: number): void {
  if (size === 2) cpu.push16(v);
  else cpu.push32(v);
}
def('Call_rel32_32', (cpu, op) => {
  const t = relTarget(cpu, op, 32);
  pushN(cpu, 4, cpu.ip);
  cpu.jump(t);
});
def('Call_rel16', (cpu, op) => {
  const t = relTarget(cpu, op, 16);
  pushN(cpu, 2, cpu.ip);
  cpu.jump(t);
});
def('Call_rm32', (cpu, op) => {
  const t = op.rm >= 0 ? cpu.regs[op.rm << 1]! : cpu.rd32(cpu.ea(op));
  pushN(cpu, 4, cpu.ip);
  cpu.jump(t >>> 0);
});
def('Call_rm16', (cpu, op) => {
  const t = op.rm >= 0 ? cpu.get16(op.rm) : cpu.rd16(cpu.ea(op));
  pushN(cpu, 2, cpu.ip);
  cpu.jump(t);
});

function ret64(cpu: Cpu, extra: number): void {
  const lo = cpu.peekStack(0, 8);
  const t = checkTarget(cpu, cpu.hi * TWO32 + (lo >>> 0));
  cpu.setRsp(cpu.rsp() + 8 + extra);
  cpu.ip = t;
}
def('Retq', (cpu) => ret64(cpu, 0));
def('Retq_imm16', (cpu, op) => ret64(cpu, op.imm & 0xffff));
def('Retd', (cpu) => {
  const t = cpu.pop32() >>> 0;
  cpu.jump(t);
});
def('Retd_imm16', (cpu, op) => {
  const t = cpu.pop32() >>> 0;
  cpu.adjustSp(op.imm & 0xffff);
  cpu.jump(t);
});
def('Retw', (cpu) => {
  if (cpu.bits === 64) {
    const t = cpu.peekStack(0, 2);
    cpu.setRsp(cpu.rsp() + 2);
    cpu.ip = t;
    return;
  }
  cpu.jump(cpu.pop16());
});
def('Retw_imm16', (cpu, op) => {
  const t = cpu.pop16();
  cpu.adjustSp(op.imm & 0xffff);
  cpu.jump(t);
});

// ---- ENTER / LEAVE ---------------------------------------------------------------------------

def('Enterq_imm16_imm8', (cpu, op) => {
  const size = op.imm & 0xffff;
  const level = op.imm2 & 31;
  const r = cpu.regs;
  let sp = cpu.rsp();
  const rbpLo = r[10]!, rbpHi = r[11]!;
  const write = (lo: number, hi: number): void => {
    sp -= 8;
    cpu.wr64(cpu.stackLin(sp, 8), lo, hi);
  };
  write(rbpLo, rbpHi);
  const frame = sp;
  if (level > 0) {
    let bp = rbpHi * TWO32 + (rbpLo >>> 0);
    for (let i = 1; i < level; i++) {
      bp -= 8;
      const lo = cpu.rd64(cpu.stackLin(bp, 8));
      write(lo, cpu.hi);
    }
    const fl = frame % TWO32;
    write(fl | 0, ((frame - fl) / TWO32) | 0);
  }
  const newSp = sp - size;
  // The hardware checks the new stack top for writing (a #PF when it is not writable).
  cpu.rd8w(cpu.stackLin(newSp, 1));
  cpu.setNum(5, frame);
  cpu.setRsp(newSp);
});
/** ENTER with a 16-bit operand size (66 C8): pushes and frame pointer are 16-bit. */
def('Enterw_imm16_imm8', (cpu, op) => {
  const size = op.imm & 0xffff;
  const level = op.imm2 & 31;
  const r = cpu.regs;
  const w = cpu.stackSize();
  const mask = w === 8 ? -1 : w === 4 ? 0xffffffff : 0xffff;
  let sp = cpu.sp();
  const wrap = (v: number): number => (mask === -1 ? v : (v & mask) >>> 0);
  const write = (v: number): void => {
    sp = wrap(sp - 2);
    cpu.wr16(cpu.stackLin(sp, 2), v);
  };
  write(r[10]! & 0xffff);
  const frame = sp;
  if (level > 0) {
    let bp = w === 8 ? r[11]! * TWO32 + (r[10]! >>> 0) : w === 4 ? r[10]! >>> 0 : r[10]! & 0xffff;
    for (let i = 1; i < level; i++) {
      bp = wrap(bp - 2);
      write(cpu.rd16(cpu.stackLin(bp, 2)));
    }
    write(frame & 0xffff);
  }
  const newSp = wrap(sp - size);
  cpu.rd8w(cpu.stackLin(newSp, 1));
  cpu.set16(5, frame);
  cpu.setSpSized(newSp);
});
def('Leaveq', (cpu) => {
  const r = cpu.regs;
  const bp = r[11]! * TWO32 + (r[10]! >>> 0);
  const lo = cpu.rd64(cpu.stackLin(bp, 8));
  const hi = cpu.hi;
  cpu.setRsp(bp + 8);
  cpu.set64(5, lo, hi);
});
def('Leavew', (cpu) => {
  const r = cpu.regs;
  const bp = cpu.bits === 64 ? r[11]! * TWO32 + (r[10]! >>> 0) : r[10]! & 0xffff;
  const v = cpu.rd16(cpu.stackLin(bp, 2));
  cpu.setSpSized(bp + 2);
  cpu.set16(5, v);
});
def('Leaved', (cpu) => {
  const bp = cpu.regs[10]! >>> 0;
  const v = cpu.rd32(cpu.stackLin(bp, 4));
  cpu.setSpSized(bp + 4);
  cpu.set32(5, v);
});

// ---- INT -------------------------------------------------------------------------------------

def('Int_imm8', (cpu, op) => cpu.softInt(op.imm & 0xff));
def('Int3', (cpu) => cpu.softInt(Vec.BP));
def('Int1', (cpu) => cpu.softInt(Vec.DB, true));
def('Into', (cpu) => {
  if (cpu.cond(0)) cpu.softInt(Vec.OF);
});
