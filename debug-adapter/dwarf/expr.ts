// DWARF expressions (DWARF 5 section 2.5, 2.6): a decoder, a readelf-style printer, and a
// stack-machine evaluator for the location and CFA expressions compilers emit (register and
// frame-base offsets, DW_OP_call_frame_cfa, DW_OP_piece, arithmetic, branches). Never throws:
// bad or unsupported input gives { kind: 'error' }; loops and the stack are bounded.

import { DW_OP, opName, regName } from './constants';
import { errorText, Reader } from './reader';

export interface ExprOp {
  offset: number;
  op: number;
  name: string;
  /** Numeric operands (registers, offsets, constants, sizes, branch targets as signed offsets). */
  args: bigint[];
  /** Block operand (DW_OP_implicit_value, DW_OP_entry_value's sub-expression, const_type value). */
  block?: Uint8Array;
}

export interface ExprFormat {
  addressSize: number;
  /** 64-bit DWARF: DW_OP_call_ref and implicit_pointer operands are 8 bytes. */
  dwarf64?: boolean;
  /** DWARF version of the unit (DW_OP_call_ref is address-sized in v2). */
  version?: number;
  littleEndian?: boolean;
}

/** Operand shapes: u1 s1 u2 s2 u4 s4 u8 s8 addr uleb sleb off (offset-size) blk (uleb length + bytes). */
const OPERANDS: Record<number, string[]> = {
  [DW_OP.addr]: ['addr'],
  [DW_OP.const1u]: ['u1'],
  [DW_OP.const1s]: ['s1'],
  [DW_OP.const2u]: ['u2'],
  [DW_OP.const2s]: ['s2'],
  [DW_OP.const4u]: ['u4'],
  [DW_OP.const4s]: ['s4'],
  [DW_OP.const8u]: ['u8'],
  [DW_OP.const8s]: ['s8'],
  [DW_OP.constu]: ['uleb'],
  [DW_OP.consts]: ['sleb'],
  [DW_OP.pick]: ['u1'],
  [DW_OP.plus_uconst]: ['uleb'],
  [DW_OP.bra]: ['s2'],
  [DW_OP.skip]: ['s2'],
  [DW_OP.regx]: ['uleb'],
  [DW_OP.fbreg]: ['sleb'],
  [DW_OP.bregx]: ['uleb', 'sleb'],
  [DW_OP.piece]: ['uleb'],
  [DW_OP.deref_size]: ['u1'],
  [DW_OP.xderef_size]: ['u1'],
  [DW_OP.call2]: ['u2'],
  [DW_OP.call4]: ['u4'],
  [DW_OP.call_ref]: ['off'],
  [DW_OP.bit_piece]: ['uleb', 'uleb'],
  [DW_OP.implicit_value]: ['blk'],
  [DW_OP.implicit_pointer]: ['off', 'sleb'],
  [DW_OP.GNU_implicit_pointer]: ['off', 'sleb'],
  [DW_OP.addrx]: ['uleb'],
  [DW_OP.constx]: ['uleb'],
  [DW_OP.GNU_addr_index]: ['uleb'],
  [DW_OP.GNU_const_index]: ['uleb'],
  [DW_OP.entry_value]: ['blk'],
  [DW_OP.GNU_entry_value]: ['blk'],
  [DW_OP.const_type]: ['uleb', 'blk1'],
  [DW_OP.GNU_const_type]: ['uleb', 'blk1'],
  [DW_OP.regval_type]: ['uleb', 'uleb'],
  [DW_OP.GNU_regval_type]: ['uleb', 'uleb'],
  [DW_OP.deref_type]: ['u1', 'uleb'],
  [DW_OP.GNU_deref_type]: ['u1', 'uleb'],
  [DW_OP.xderef_type]: ['u1', 'uleb'],
  [DW_OP.convert]: ['uleb'],
  [DW_OP.GNU_convert]: ['uleb'],
  [DW_OP.reinterpret]: ['uleb'],
  [DW_OP.GNU_reinterpret]: ['uleb'],
  [DW_OP.GNU_parameter_ref]: ['u4'],
  [DW_OP.GNU_variable_value]: ['off'],
};

/** Decode an expression into operations; throws DwarfError on truncated operands. */
export function decodeExpr(bytes: Uint8Array, fmt: ExprFormat): ExprOp[] {
  const r = new Reader(bytes, 'DWARF expression', fmt.littleEndian ?? true);
  const ops: ExprOp[] = [];
  while (!r.atEnd) {
    const offset = r.pos;
    const op = r.u8('opcode');
    const e: ExprOp = { offset, op, name: opName(op), args: [] };
    if (op >= DW_OP.breg0 && op <= DW_OP.breg31) e.args.push(r.slebBig());
    else {
      const shape = OPERANDS[op];
      if (!shape) {
        const known =
          (op >= DW_OP.lit0 && op <= DW_OP.lit31) ||
          (op >= DW_OP.reg0 && op <= DW_OP.reg31) ||
          (op >= DW_OP.deref && op <= DW_OP.call_frame_cfa) ||
          op === DW_OP.stack_value ||
          op === DW_OP.push_object_address ||
          op === DW_OP.form_tls_address ||
          op === DW_OP.GNU_push_tls_address ||
          op === DW_OP.GNU_uninit ||
          op === DW_OP.nop;
        if (!known) r.fail(`unknown opcode 0x${op.toString(16)}`, offset);
      }
      for (const s of shape ?? []) {
        switch (s) {
          case 'u1':
            e.args.push(BigInt(r.u8()));
            break;
          case 's1':
            e.args.push(BigInt(r.i8()));
            break;
          case 'u2':
            e.args.push(BigInt(r.u16()));
            break;
          case 's2':
            e.args.push(BigInt(r.i16()));
            break;
          case 'u4':
            e.args.push(BigInt(r.u32()));
            break;
          case 's4':
            e.args.push(BigInt(r.i32()));
            break;
          case 'u8':
            e.args.push(r.u64());
            break;
          case 's8':
            e.args.push(r.i64());
            break;
          case 'addr':
            e.args.push(r.addr(fmt.addressSize));
            break;
          case 'uleb':
            e.args.push(r.ulebBig());
            break;
          case 'sleb':
            e.args.push(r.slebBig());
            break;
          case 'off':
            e.args.push(
              fmt.version === 2 && op === DW_OP.call_ref ? r.addr(fmt.addressSize) : BigInt(r.offset(fmt.dwarf64 ?? false)),
            );
            break;
          case 'blk':
            e.block = r.block(r.uleb('block length'));
            break;
          case 'blk1':
            e.block = r.block(r.u8('block length'));
            break;
        }
      }
    }
    ops.push(e);
  }
  return ops;
}

function signedText(v: bigint): string {
  return v.toString();
}

/** readelf's rendering, e.g. "DW_OP_breg7 (rsp): 24; DW_OP_deref". */
export function formatExpr(bytes: Uint8Array, fmt: ExprFormat): string {
  let ops: ExprOp[];
  try {
    ops = decodeExpr(bytes, fmt);
  } catch (e) {
    return `<bad expression: ${errorText(e)}>`;
  }
  return ops.map((o) => formatOp(o, fmt)).join('; ');
}

export function formatOp(o: ExprOp, fmt: ExprFormat): string {
  const { op, name, args } = o;
  if (op >= DW_OP.reg0 && op <= DW_OP.reg31) return `${name} (${regName(op - DW_OP.reg0)})`;
  if (op >= DW_OP.breg0 && op <= DW_OP.breg31) return `${name} (${regName(op - DW_OP.breg0)}): ${signedText(args[0]!)}`;
  switch (op) {
    case DW_OP.addr:
      return `${name}: ${args[0]!.toString(16)}`;
    case DW_OP.regx:
      return `${name}: ${args[0]} (${regName(Number(args[0]))})`;
    case DW_OP.bregx:
      return `${name}: ${args[0]} (${regName(Number(args[0]))}) ${args[1]}`;
    case DW_OP.entry_value:
    case DW_OP.GNU_entry_value:
      return `${name}: (${o.block ? formatExpr(o.block, fmt) : ''})`;
    case DW_OP.addrx:
    case DW_OP.constx:
      // readelf 2.40: an index into .debug_addr, "<0>", "<0x1>".
      return `${name} <${args[0] === 0n ? '0' : `0x${args[0]!.toString(16)}`}>`;
    case DW_OP.implicit_value:
      return `${name}: ${o.block?.length ?? 0} byte block: ${[...(o.block ?? [])].map((b) => b.toString(16)).join(' ')}`;
    default:
      return args.length === 0 ? name : `${name}: ${args.map(signedText).join(', ')}`;
  }
}

// ---------------------------------------------------------------------------------------------

export type SimpleLocation =
  | { kind: 'memory'; address: bigint }
  | { kind: 'register'; reg: number }
  | { kind: 'value'; value: bigint }
  | { kind: 'implicit'; bytes: Uint8Array }
  | { kind: 'optimized' };

export interface Piece {
  /** Size of the piece in bits. */
  bits: number;
  /** Bit offset into the location (DW_OP_bit_piece). */
  offsetBits: number;
  location: SimpleLocation;
}

export type ExprResult = SimpleLocation | { kind: 'pieces'; pieces: Piece[] } | { kind: 'error'; message: string };

export interface ExprContext extends ExprFormat {
  /** A register's value by DWARF number, undefined when unknown in this frame. */
  readRegister(reg: number): bigint | undefined;
  readMemory(addr: bigint, size: number): Uint8Array | undefined;
  /** The frame base (DW_AT_frame_base evaluated), for DW_OP_fbreg. */
  frameBase?: () => bigint | undefined;
  /** The canonical frame address, for DW_OP_call_frame_cfa. */
  cfa?: bigint;
  /** Values pushed before the expression runs (a CFA-relative rule pushes the CFA). */
  initialStack?: bigint[];
  objectAddress?: bigint;
  /** An entry of .debug_addr for DW_OP_addrx / DW_OP_constx. */
  addrx?: (index: number) => bigint | undefined;
  /**
   * The value a register (the sub-expression, e.g. DW_OP_reg5) had on entry to the function, from
   * the caller's call-site information; undefined when it cannot be known.
   */
  entryValue?: (expr: Uint8Array) => bigint | undefined;
  /** Relocation of DW_OP_addr for a loaded image: added to addresses (default 0). */
  addressBias?: bigint;
}

const MAX_STEPS = 10_000;
const MAX_STACK = 1_000;

class EvalError extends Error {}

/** Evaluate a location (or CFA) expression. An empty expression means "optimized out". */
export function evaluateExpr(bytes: Uint8Array, ctx: ExprContext): ExprResult {
  if (bytes.length === 0) return { kind: 'optimized' };
  let ops: ExprOp[];
  try {
    ops = decodeExpr(bytes, ctx);
  } catch (e) {
    return { kind: 'error', message: errorText(e) };
  }
  try {
    return run(ops, ctx);
  } catch (e) {
    return { kind: 'error', message: e instanceof EvalError ? e.message : `internal: ${errorText(e)}` };
  }
}

function run(ops: ExprOp[], ctx: ExprContext): ExprResult {
  const bits = BigInt(Math.max(1, Math.min(8, ctx.addressSize)) * 8);
  const u = (v: bigint): bigint => BigInt.asUintN(Number(bits), v);
  const s = (v: bigint): bigint => BigInt.asIntN(Number(bits), v);
  const stack: bigint[] = (ctx.initialStack ?? []).map(u);
  const byOffset = new Map<number, number>();
  ops.forEach((o, i) => byOffset.set(o.offset, i));
  const endOffset = ops.length ? ops[ops.length - 1]!.offset + 1 : 0;
  const pieces: Piece[] = [];
  // The location the current piece (or the whole expression) describes, when not memory.
  let pending: SimpleLocation | undefined;

  const fail = (m: string): never => {
    throw new EvalError(m);
  };
  const push = (v: bigint): void => {
    if (stack.length >= MAX_STACK) fail('expression stack overflow');
    stack.push(u(v));
  };
  const pop = (what: string): bigint => {
    const v = stack.pop();
    if (v === undefined) fail(`${what}: the stack is empty`);
    return v!;
  };
  const reg = (n: number): bigint => {
    const v = ctx.readRegister(n);
    if (v === undefined) fail(`register ${regName(n)} is not available`);
    return v!;
  };
  const mem = (addr: bigint, size: number): bigint => {
    const b = ctx.readMemory(addr, size);
    if (!b || b.length < size) fail(`cannot read ${size} byte(s) at 0x${addr.toString(16)}`);
    let v = 0n;
    for (let i = 0; i < size; i++) {
      const byte = BigInt(b![(ctx.littleEndian ?? true) ? i : size - 1 - i]!);
      v |= byte << BigInt(8 * i);
    }
    return v;
  };
  const jump = (from: ExprOp, delta: bigint): number => {
    const target = from.offset + 1 + 2 + Number(delta);
    if (target === endOffset) return ops.length;
    const idx = byOffset.get(target);
    if (idx === undefined) fail(`branch to offset ${target}, which is not the start of an operation`);
    return idx!;
  };
  const currentLocation = (): SimpleLocation => {
    if (pending) return pending;
    if (stack.length === 0) return { kind: 'optimized' };
    return { kind: 'memory', address: stack[stack.length - 1]! };
  };

  let steps = 0;
  for (let i = 0; i < ops.length; ) {
    if (++steps > MAX_STEPS) fail(`more than ${MAX_STEPS} operations executed (a loop?)`);
    const o = ops[i]!;
    const op = o.op;
    const a0 = o.args[0] ?? 0n;
    i++;
    if (pending && op !== DW_OP.piece && op !== DW_OP.bit_piece && op !== DW_OP.nop)
      fail(`${o.name} after a register, DW_OP_stack_value or DW_OP_implicit_value location`);
    if (op >= DW_OP.lit0 && op <= DW_OP.lit31) {
      push(BigInt(op - DW_OP.lit0));
      continue;
    }
    if (op >= DW_OP.reg0 && op <= DW_OP.reg31) {
      pending = { kind: 'register', reg: op - DW_OP.reg0 };
      continue;
    }
    if (op >= DW_OP.breg0 && op <= DW_OP.breg31) {
      push(reg(op - DW_OP.breg0) + a0);
      continue;
    }
    switch (op) {
      case DW_OP.addr:
        push(a0 + (ctx.addressBias ?? 0n));
        break;
      case DW_OP.addrx:
      case DW_OP.GNU_addr_index:
      case DW_OP.constx:
      case DW_OP.GNU_const_index: {
        const v = ctx.addrx?.(Number(a0));
        if (v === undefined) fail(`${o.name} ${a0}: no .debug_addr entry`);
        push(v! + (op === DW_OP.addrx || op === DW_OP.GNU_addr_index ? (ctx.addressBias ?? 0n) : 0n));
        break;
      }
      case DW_OP.const1u:
      case DW_OP.const1s:
      case DW_OP.const2u:
      case DW_OP.const2s:
      case DW_OP.const4u:
      case DW_OP.const4s:
      case DW_OP.const8u:
      case DW_OP.const8s:
      case DW_OP.constu:
      case DW_OP.consts:
        push(a0);
        break;
      case DW_OP.dup:
        push(stack[stack.length - 1] ?? fail('DW_OP_dup: the stack is empty'));
        break;
      case DW_OP.drop:
        pop(o.name);
        break;
      case DW_OP.over:
        if (stack.length < 2) fail('DW_OP_over: fewer than 2 entries');
        push(stack[stack.length - 2]!);
        break;
      case DW_OP.pick: {
        const k = Number(a0);
        if (k >= stack.length) fail(`DW_OP_pick ${k}: only ${stack.length} entries`);
        push(stack[stack.length - 1 - k]!);
        break;
      }
      case DW_OP.swap: {
        const x = pop(o.name);
        const y = pop(o.name);
        push(x);
        push(y);
        break;
      }
      case DW_OP.rot: {
        const x = pop(o.name);
        const y = pop(o.name);
        const z = pop(o.name);
        push(x);
        push(z);
        push(y);
        break;
      }
      case DW_OP.deref:
        push(mem(pop(o.name), ctx.addressSize));
        break;
      case DW_OP.deref_size:
      case DW_OP.deref_type:
      case DW_OP.GNU_deref_type: {
        const size = Number(a0);
        if (size < 1 || size > 8) fail(`${o.name} with size ${size}`);
        push(mem(pop(o.name), size));
        break;
      }
      case DW_OP.xderef:
      case DW_OP.xderef_size:
      case DW_OP.xderef_type:
        fail(`${o.name}: address spaces are not supported`);
        break;
      case DW_OP.abs: {
        const v = s(pop(o.name));
        push(v < 0n ? -v : v);
        break;
      }
      case DW_OP.neg:
        push(-s(pop(o.name)));
        break;
      case DW_OP.not:
        push(~pop(o.name));
        break;
      case DW_OP.plus_uconst:
        push(pop(o.name) + a0);
        break;
      case DW_OP.and:
      case DW_OP.div:
      case DW_OP.minus:
      case DW_OP.mod:
      case DW_OP.mul:
      case DW_OP.or:
      case DW_OP.plus:
      case DW_OP.shl:
      case DW_OP.shr:
      case DW_OP.shra:
      case DW_OP.xor:
      case DW_OP.eq:
      case DW_OP.ge:
      case DW_OP.gt:
      case DW_OP.le:
      case DW_OP.lt:
      case DW_OP.ne: {
        const b = pop(o.name);
        const a = pop(o.name);
        push(binary(op, a, b, s, bits, fail));
        break;
      }
      case DW_OP.skip:
        i = jump(o, a0);
        break;
      case DW_OP.bra:
        if (pop(o.name) !== 0n) i = jump(o, a0);
        break;
      case DW_OP.regx:
        pending = { kind: 'register', reg: Number(a0) };
        break;
      case DW_OP.fbreg: {
        const fb = ctx.frameBase?.();
        if (fb === undefined) fail('DW_OP_fbreg: the frame base is not available');
        push(fb! + a0);
        break;
      }
      case DW_OP.bregx:
        push(reg(Number(a0)) + o.args[1]!);
        break;
      case DW_OP.call_frame_cfa:
        if (ctx.cfa === undefined) fail('DW_OP_call_frame_cfa: the CFA is not available');
        push(ctx.cfa!);
        break;
      case DW_OP.push_object_address:
        if (ctx.objectAddress === undefined) fail('DW_OP_push_object_address: no object');
        push(ctx.objectAddress!);
        break;
      case DW_OP.stack_value:
        pending = { kind: 'value', value: pop(o.name) };
        break;
      case DW_OP.implicit_value:
        pending = { kind: 'implicit', bytes: o.block ?? new Uint8Array() };
        break;
      case DW_OP.const_type:
      case DW_OP.GNU_const_type: {
        let v = 0n;
        const blk = o.block ?? new Uint8Array();
        for (let k = Math.min(8, blk.length) - 1; k >= 0; k--) v = (v << 8n) | BigInt(blk[k]!);
        push(v);
        break;
      }
      case DW_OP.regval_type:
      case DW_OP.GNU_regval_type:
        push(reg(Number(a0)));
        break;
      case DW_OP.convert:
      case DW_OP.GNU_convert:
      case DW_OP.reinterpret:
      case DW_OP.GNU_reinterpret:
      case DW_OP.nop:
        break;
      case DW_OP.piece:
      case DW_OP.bit_piece: {
        const pieceBits = op === DW_OP.piece ? Number(a0) * 8 : Number(a0);
        const offsetBits = op === DW_OP.bit_piece ? Number(o.args[1]!) : 0;
        const location = currentLocation();
        pieces.push({ bits: pieceBits, offsetBits, location });
        pending = undefined;
        stack.length = 0;
        break;
      }
      case DW_OP.entry_value:
      case DW_OP.GNU_entry_value: {
        const v = o.block ? ctx.entryValue?.(o.block) : undefined;
        if (v === undefined) fail(`${o.name}: the value on entry to the function is not known`);
        push(v!);
        break;
      }
      case DW_OP.GNU_parameter_ref:
        fail(`${o.name}: the value on entry to the function is not known`);
        break;
      case DW_OP.implicit_pointer:
      case DW_OP.GNU_implicit_pointer:
        fail(`${o.name}: a synthetic pointer (the pointed-to object has no address)`);
        break;
      case DW_OP.call2:
      case DW_OP.call4:
      case DW_OP.call_ref:
        fail(`${o.name}: DWARF procedure calls are not supported`);
        break;
      case DW_OP.form_tls_address:
      case DW_OP.GNU_push_tls_address:
        fail(`${o.name}: thread-local storage is not supported`);
        break;
      case DW_OP.GNU_variable_value:
        fail(`${o.name}: not supported`);
        break;
      case DW_OP.GNU_uninit:
        break;
      default:
        fail(`${o.name}: not supported`);
    }
  }
  if (pieces.length > 0) {
    if (pending || stack.length > 0) fail('operations after the last DW_OP_piece');
    return { kind: 'pieces', pieces };
  }
  if (pending) return pending;
  if (stack.length === 0) fail('the expression leaves the stack empty');
  return { kind: 'memory', address: stack[stack.length - 1]! };
}

function binary(op: number, a: bigint, b: bigint, s: (v: bigint) => bigint, bits: bigint, fail: (m: string) => never): bigint {
  switch (op) {
    case DW_OP.and:
      return a & b;
    case DW_OP.or:
      return a | b;
    case DW_OP.xor:
      return a ^ b;
    case DW_OP.plus:
      return a + b;
    case DW_OP.minus:
      return a - b;
    case DW_OP.mul:
      return a * b;
    case DW_OP.div:
      if (b === 0n) fail('DW_OP_div by zero');
      return s(a) / s(b);
    case DW_OP.mod:
      if (b === 0n) fail('DW_OP_mod by zero');
      return a % b;
    case DW_OP.shl:
      return b >= bits ? 0n : a << b;
    case DW_OP.shr:
      return b >= bits ? 0n : a >> b;
    case DW_OP.shra:
      return s(a) >> (b >= bits ? bits - 1n : b);
    case DW_OP.eq:
      return s(a) === s(b) ? 1n : 0n;
    case DW_OP.ne:
      return s(a) !== s(b) ? 1n : 0n;
    case DW_OP.lt:
      return s(a) < s(b) ? 1n : 0n;
    case DW_OP.le:
      return s(a) <= s(b) ? 1n : 0n;
    case DW_OP.gt:
      return s(a) > s(b) ? 1n : 0n;
    case DW_OP.ge:
      return s(a) >= s(b) ? 1n : 0n;
    default:
      return fail(`operator 0x${op.toString(16)}`);
  }
}
