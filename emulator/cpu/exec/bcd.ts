// Decimal arithmetic (32-bit modes only; #UD in 64-bit mode by the decoder): DAA DAS AAA AAS
// AAM AAD. AAM with a zero base raises #DE.
//
// The defined results follow the manual's pseudo-code (AAA/AAS adjust AX as a whole: AX + 106H,
// AX - 6 then AH - 1). This machine's hypervisor refuses 32-bit code segments, so these could not
// be run natively; results and flags were instead checked against QEMU (TCG) for every AL, eight
// AH values, all CF/AF inputs and the bases 0, 1, 7, 10, 16, 255 (all equal, undefined flags
// included). The undefined flags follow QEMU: DAA/DAS OF = 0; AAA/AAS leave OF SF ZF PF
// unchanged; AAM/AAD OF = AF = CF = 0.

import type { Cpu } from '../cpu';
import type { Handler } from '../op';
import { def } from '../registry';
import * as F from '../flags';
import { Vec } from '../../memory/mmu';

/** SF ZF PF of an 8-bit value. */
function szp(v: number): number {
  return F.PARITY[v]! | (v === 0 ? F.ZF : 0) | (v & 0x80);
}

def('Daa', (cpu: Cpu) => {
  const f = cpu.getFlags();
  const old = cpu.get8(0);
  const oldCf = f & F.CF;
  let al = old;
  let cf = 0;
  let af = 0;
  if ((al & 0x0f) > 9 || (f & F.AF) !== 0) {
    al = (al + 6) & 0xff;
    af = F.AF;
  }
  if (old > 0x99 || oldCf !== 0) {
    al = (al + 0x60) & 0xff;
    cf = F.CF;
  }
  cpu.set8(0, al);
  cpu.setArith(szp(al) | af | cf);
});

def('Das', (cpu: Cpu) => {
  const f = cpu.getFlags();
  const old = cpu.get8(0);
  const oldCf = f & F.CF;
  let al = old;
  let cf = 0;
  let af = 0;
  if ((al & 0x0f) > 9 || (f & F.AF) !== 0) {
    cf = oldCf | (al < 6 ? F.CF : 0);
    al = (al - 6) & 0xff;
    af = F.AF;
  }
  if (old > 0x99 || oldCf !== 0) {
    al = (al - 0x60) & 0xff;
    cf = F.CF;
  }
  cpu.set8(0, al);
  cpu.setArith(szp(al) | af | cf);
});

def('Aaa', (cpu: Cpu) => {
  const f = cpu.getFlags();
  let ax = cpu.get16(0);
  let fl = 0;
  if ((ax & 0x0f) > 9 || (f & F.AF) !== 0) {
    ax = (ax + 0x106) & 0xffff;
    fl = F.AF | F.CF;
  }
  ax &= 0xff0f;
  cpu.set16(0, ax);
  cpu.setArith((f & (F.OF | F.SF | F.ZF | F.PF)) | fl);
});

def('Aas', (cpu: Cpu) => {
  const f = cpu.getFlags();
  let ax = cpu.get16(0);
  let fl = 0;
  if ((ax & 0x0f) > 9 || (f & F.AF) !== 0) {
    ax = (ax - 6) & 0xffff;
    ax = (ax - 0x100) & 0xffff;
    fl = F.AF | F.CF;
  }
  ax &= 0xff0f;
  cpu.set16(0, ax);
  cpu.setArith((f & (F.OF | F.SF | F.ZF | F.PF)) | fl);
});

function aam(base: number): Handler {
  return (cpu, op) => {
    const b = base > 0 ? base : op.imm & 0xff;
    if (b === 0) cpu.fault(Vec.DE);
    const al = cpu.get8(0);
    const q = Math.floor(al / b);
    const r = al - q * b;
    cpu.set16(0, (q << 8) | r);
    cpu.setArith(szp(r));
  };
}

function aad(base: number): Handler {
  return (cpu, op) => {
    const b = base > 0 ? base : op.imm & 0xff;
    const al = cpu.get8(0);
    const ah = cpu.get8(16);
    const r = (al + ah * b) & 0xff;
    cpu.set16(0, r);
    cpu.setArith(szp(r));
  };
}

def('Aam', aam(10));
def('Aam_imm8', aam(0));
def('Aad', aad(10));
def('Aad_imm8', aad(0));
