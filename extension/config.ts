// Launch configurations for the `kstack` debugger: what F5 with no launch.json, the explorer's
// "Debug with KStack" and the launch.json templates produce. No VS Code API here (tested alone).

export const DEBUG_TYPE = 'kstack';

/** The launch attributes the manifest's schema describes (besides type, request, name). */
export interface KStackLaunch {
  type: string;
  request: string;
  name: string;
  program?: string;
  stopOnEntry?: boolean;
  memory?: string | number;
  cmdline?: string;
  serialInput?: string;
  boot?: 'auto' | 'multiboot' | 'elf64' | 'flat';
  cwd?: string;
  stopOnExceptions?: (number | string)[];
  stacks?: unknown;
  inject?: unknown;
  reverse?: unknown;
  [key: string]: unknown;
}

/** What a file is to KStack: NASM source (assembled at launch), an ELF image, or a flat binary. */
export type ProgramKind = 'asm' | 'elf' | 'flat';

const ASM_EXTENSIONS = ['.asm', '.nasm', '.s'];
const FLAT_EXTENSIONS = ['.bin', '.img', '.flat'];

function extname(path: string): string {
  const base = basename(path);
  const dot = base.lastIndexOf('.');
  return dot <= 0 ? '' : base.slice(dot).toLowerCase();
}

export function basename(path: string): string {
  const parts = path.split(/[\\/]/);
  return parts[parts.length - 1] ?? path;
}

/** True when the bytes start with the ELF magic (0x7f 'E' 'L' 'F'). */
export function isElf(head: Uint8Array): boolean {
  return head.length >= 4 && head[0] === 0x7f && head[1] === 0x45 && head[2] === 0x4c && head[3] === 0x46;
}

/**
 * Which kind of program a file is, from its name and (when known) its first bytes. `languageId`
 * 'nasm' wins; an ELF magic makes an ELF whatever the name; .bin/.img/.flat are flat binaries.
 */
export function programKind(path: string, head?: Uint8Array, languageId?: string): ProgramKind | undefined {
  if (languageId === 'nasm') return 'asm';
  const ext = extname(path);
  if (ASM_EXTENSIONS.includes(ext)) return 'asm';
  if (head && isElf(head)) return 'elf';
  if (ext === '.elf') return 'elf';
  if (FLAT_EXTENSIONS.includes(ext)) return 'flat';
  return undefined;
}

/** A complete configuration that debugs one file. */
export function configurationFor(path: string, kind: ProgramKind = 'asm'): KStackLaunch {
  return {
    type: DEBUG_TYPE,
    request: 'launch',
    name: `KStack: ${basename(path)}`,
    program: path,
    stopOnEntry: true,
    boot: kind === 'flat' ? 'flat' : 'auto',
  };
}

/** The file F5 would debug: the clicked resource first, then the active editor. */
export interface FileContext {
  path: string;
  languageId?: string;
  /** The first bytes of the file, when it was read (ELF detection). */
  head?: Uint8Array;
}

export type Resolution = { config: KStackLaunch } | { error: string };

/**
 * resolveDebugConfiguration's logic. An empty configuration (F5 with no launch.json) becomes one
 * for the file in context; a kstack configuration without `program` gets the file's path;
 * anything else is passed on unchanged (with `type` and `request` defaulted).
 */
export function resolveConfiguration(config: Record<string, unknown>, file: FileContext | undefined): Resolution {
  const empty = !config['type'] && !config['request'] && !config['name'];
  if (empty) {
    if (!file) return { error: 'Open a .asm file or an ELF kernel, or add a launch.json configuration of type "kstack", to debug with KStack.' };
    const kind = programKind(file.path, file.head, file.languageId);
    if (!kind) return { error: `KStack cannot debug '${basename(file.path)}': open a .asm file, an ELF kernel or a flat binary (.bin).` };
    const base = configurationFor(file.path, kind);
    return { config: { ...base, ...config, type: base.type, request: base.request, name: base.name } };
  }
  const out: KStackLaunch = {
    ...config,
    type: typeof config['type'] === 'string' ? (config['type'] as string) : DEBUG_TYPE,
    request: typeof config['request'] === 'string' ? (config['request'] as string) : 'launch',
    name: typeof config['name'] === 'string' ? (config['name'] as string) : 'KStack',
  };
  if (out.program === undefined || out.program === '') {
    if (!file) return { error: "The KStack configuration has no 'program': give the path of a .asm file, an ELF kernel or a flat binary." };
    out.program = file.path;
  }
  return { config: out };
}

/** launch.json's first content (the manifest's `initialConfigurations` is the same list). */
export function initialConfigurations(): KStackLaunch[] {
  return [
    {
      type: DEBUG_TYPE,
      request: 'launch',
      name: 'KStack: debug the active .asm file',
      program: '${file}',
      stopOnEntry: true,
    },
    {
      type: DEBUG_TYPE,
      request: 'launch',
      name: 'KStack: boot the kernel',
      program: '${workspaceFolder}/kernel.elf',
      boot: 'auto',
      memory: '128M',
      stopOnEntry: true,
      stopOnExceptions: ['#DF', '#GP', '#PF'],
    },
  ];
}
