// The launch configuration (`type: kstack`, `request: launch`): checked and normalized, every
// problem reported with the attribute's name.

import { Errors } from './errors';
import { parseSourceFileMap, type SourceMapEntry } from './sourcemap';

export type BootFormat = 'auto' | 'multiboot' | 'elf64' | 'flat';

export interface LaunchArguments {
  program?: unknown;
  stopOnEntry?: unknown;
  memory?: unknown;
  cmdline?: unknown;
  serialInput?: unknown;
  boot?: unknown;
  cwd?: unknown;
  /** Stop when the guest raises one of these exceptions (vector numbers or names such as '#PF'). */
  stopOnExceptions?: unknown;
  noDebug?: unknown;
  [key: string]: unknown;
}

export interface LaunchConfig {
  /** As written in the configuration. */
  program: string;
  stopOnEntry: boolean;
  memoryBytes: number;
  cmdline: string;
  /** Path of a file whose bytes the guest reads from COM1, as written. */
  serialInput?: string;
  boot: BootFormat;
  cwd?: string;
  /** `sourceFileMap`: prefixes of recorded source paths -> directories here, longest first. */
  sourceFileMap: SourceMapEntry[];
  noDebug: boolean;
  /** Vectors (0-31) whose exceptions stop before delivery (`stopOnExceptions`). */
  interceptVectors: number[];
  /** `stacks`, as written (symbols are resolved against the program at load). */
  stacks: StackSpec[];
  /** `inject`, checked. */
  inject: InjectSpec[];
}

export interface StackSpec {
  name: string;
  base?: string | number;
  top?: string | number;
  size?: number;
}

export interface InjectSpec {
  kind: 'nmi' | 'irq' | 'mc';
  vector?: number;
  /** Deliver once this many instructions have run since reset. */
  afterInstructions?: number;
  /** Deliver when execution reaches this address or symbol. */
  at?: string | number;
  /** Then again every this many instructions. */
  every?: number;
}

const VECTOR_NAMES: Record<string, number> = {
  DE: 0, DB: 1, NMI: 2, BP: 3, OF: 4, BR: 5, UD: 6, NM: 7, DF: 8, TS: 10, NP: 11, SS: 12, GP: 13, PF: 14, MF: 16, AC: 17, MC: 18, XM: 19, XF: 19, VE: 20, CP: 21,
};

/** '#PF', 'pf', 'PF', 14, '14', '0xe' -> 14; undefined if not an exception vector. */
export function exceptionVector(v: unknown): number | undefined {
  if (typeof v === 'number') return Number.isInteger(v) && v >= 0 && v < 32 ? v : undefined;
  if (typeof v !== 'string') return undefined;
  const t = v.trim().replace(/^#/, '').toUpperCase();
  if (t in VECTOR_NAMES) return VECTOR_NAMES[t];
  if (/^(0X[0-9A-F]+|\d+)$/.test(t)) return exceptionVector(Number(t));
  return undefined;
}

function checkStacks(v: unknown): StackSpec[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw Errors.badConfig('stacks', 'must be an array of { name, base, top, size }');
  return v.map((s, i) => {
    const at = `stacks[${i}]`;
    if (!s || typeof s !== 'object') throw Errors.badConfig(at, 'must be an object { name, base, top, size }');
    const o = s as Record<string, unknown>;
    if (typeof o['name'] !== 'string' || !o['name']) throw Errors.badConfig(`${at}.name`, 'must be a non-empty string');
    for (const k of ['base', 'top'])
      if (o[k] !== undefined && typeof o[k] !== 'string' && !(typeof o[k] === 'number' && Number.isSafeInteger(o[k]) && (o[k] as number) >= 0))
        throw Errors.badConfig(`${at}.${k}`, `must be an address or a symbol (got ${JSON.stringify(o[k])})`);
    if (o['size'] !== undefined && !(typeof o['size'] === 'number' && Number.isSafeInteger(o['size']) && o['size'] > 0))
      throw Errors.badConfig(`${at}.size`, `must be a positive number of bytes (got ${JSON.stringify(o['size'])})`);
    const n = (o['base'] !== undefined ? 1 : 0) + (o['top'] !== undefined ? 1 : 0) + (o['size'] !== undefined ? 1 : 0);
    if (n < 2) throw Errors.badConfig(at, `needs two of base, top and size (stack '${o['name']}')`);
    return { name: o['name'], base: o['base'] as string | number | undefined, top: o['top'] as string | number | undefined, size: o['size'] as number | undefined };
  });
}

function checkInject(v: unknown): InjectSpec[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw Errors.badConfig('inject', 'must be an array of { kind, vector, afterInstructions, at, every }');
  return v.map((e, i) => {
    const at = `inject[${i}]`;
    if (!e || typeof e !== 'object') throw Errors.badConfig(at, 'must be an object { kind, vector, afterInstructions, at, every }');
    const o = e as Record<string, unknown>;
    const kind = o['kind'];
    if (kind !== 'nmi' && kind !== 'irq' && kind !== 'mc') throw Errors.badConfig(`${at}.kind`, `must be nmi, irq or mc (got ${JSON.stringify(kind)})`);
    const vector = o['vector'];
    if (kind === 'irq' && !(typeof vector === 'number' && Number.isInteger(vector) && vector >= 32 && vector <= 255))
      throw Errors.badConfig(`${at}.vector`, `an irq needs a vector from 32 to 255 (got ${JSON.stringify(vector)})`);
    const count = (k: string, min: number): number | undefined => {
      const x = o[k];
      if (x === undefined) return undefined;
      if (!(typeof x === 'number' && Number.isSafeInteger(x) && x >= min)) throw Errors.badConfig(`${at}.${k}`, `must be an integer >= ${min} (got ${JSON.stringify(x)})`);
      return x;
    };
    const after = count('afterInstructions', 0);
    const every = count('every', 1);
    const where = o['at'];
    if (where !== undefined && typeof where !== 'string' && !(typeof where === 'number' && Number.isSafeInteger(where) && where >= 0))
      throw Errors.badConfig(`${at}.at`, `must be an address or a symbol (got ${JSON.stringify(where)})`);
    if (after === undefined && where === undefined) throw Errors.badConfig(at, 'needs afterInstructions or at (when to deliver)');
    if (after !== undefined && where !== undefined) throw Errors.badConfig(at, 'takes afterInstructions or at, not both');
    return { kind, vector: kind === 'irq' ? (vector as number) : undefined, afterInstructions: after, at: where as string | number | undefined, every };
  });
}

export const DEFAULT_MEMORY = 64 << 20;
const MIN_MEMORY = 2 << 20;
const MAX_MEMORY = 2048 * 1024 * 1024 - 4096;

/** '64M', '64MiB', '1G', '0x4000000', 67108864 -> bytes. */
export function parseMemorySize(v: unknown): number | undefined {
  if (typeof v === 'number') return Number.isSafeInteger(v) ? v : undefined;
  if (typeof v !== 'string') return undefined;
  const m = /^\s*(0x[0-9a-f]+|\d+)\s*(k|kb|kib|m|mb|mib|g|gb|gib)?\s*$/i.exec(v);
  if (!m) return undefined;
  const n = Number(m[1]!.toLowerCase().startsWith('0x') ? BigInt(m[1]!) : BigInt(m[1]!));
  const unit = (m[2] ?? '').toLowerCase()[0];
  const mult = unit === 'k' ? 1024 : unit === 'm' ? 1 << 20 : unit === 'g' ? 1 << 30 : 1;
  return n * mult;
}

export function checkLaunchArguments(a: LaunchArguments): LaunchConfig {
  if (a.program === undefined || a.program === null || a.program === '') throw Errors.noProgram();
  if (typeof a.program !== 'string') throw Errors.badConfig('program', 'must be a string (the path of the program)');
  const bool = (name: string, v: unknown): boolean => {
    if (v === undefined) return false;
    if (typeof v !== 'boolean') throw Errors.badConfig(name, `must be true or false (got ${JSON.stringify(v)})`);
    return v;
  };
  let memoryBytes = DEFAULT_MEMORY;
  if (a.memory !== undefined) {
    const m = parseMemorySize(a.memory);
    if (m === undefined) throw Errors.badConfig('memory', `must be a size such as 64M, 256MiB, 1G or a number of bytes (got ${JSON.stringify(a.memory)})`);
    if (m % 4096 !== 0) throw Errors.badConfig('memory', `must be a multiple of 4 KiB (got ${m})`);
    if (m < MIN_MEMORY || m > MAX_MEMORY) throw Errors.badConfig('memory', `must be between 2M and 2047M (got ${JSON.stringify(a.memory)})`);
    memoryBytes = m;
  }
  const str = (name: string, v: unknown): string | undefined => {
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'string') throw Errors.badConfig(name, `must be a string (got ${JSON.stringify(v)})`);
    return v;
  };
  let interceptVectors: number[] = [];
  if (a.stopOnExceptions !== undefined && a.stopOnExceptions !== null) {
    if (!Array.isArray(a.stopOnExceptions)) throw Errors.badConfig('stopOnExceptions', "must be an array of vectors or names such as '#PF'");
    interceptVectors = a.stopOnExceptions.map((x, i) => {
      const v = exceptionVector(x);
      if (v === undefined) throw Errors.badConfig(`stopOnExceptions[${i}]`, `must be an exception vector 0-31 or a name such as '#PF', '#GP', '#DF' (got ${JSON.stringify(x)})`);
      return v;
    });
  }
  const boot = str('boot', a.boot) ?? 'auto';
  if (!['auto', 'multiboot', 'elf64', 'flat'].includes(boot))
    throw Errors.badConfig('boot', `must be one of auto, multiboot, elf64, flat (got ${JSON.stringify(boot)})`);
  const sourceFileMap = parseSourceFileMap(a.sourceFileMap);
  if (typeof sourceFileMap === 'string') throw Errors.badConfig('sourceFileMap', sourceFileMap);
  return {
    program: a.program,
    stopOnEntry: bool('stopOnEntry', a.stopOnEntry),
    memoryBytes,
    cmdline: str('cmdline', a.cmdline) ?? '',
    serialInput: str('serialInput', a.serialInput) || undefined,
    boot: boot as BootFormat,
    cwd: str('cwd', a.cwd) || undefined,
    sourceFileMap,
    noDebug: bool('noDebug', a.noDebug),
    interceptVectors,
    stacks: checkStacks(a.stacks),
    inject: checkInject(a.inject),
  };
}
