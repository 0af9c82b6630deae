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
  };
}
