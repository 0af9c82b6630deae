import { describe, expect, it } from 'vitest';
import { configurationFor, initialConfigurations, isElf, programKind, resolveConfiguration } from './config';

const ELF = new Uint8Array([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1]);

describe('programKind', () => {
  it.each([
    ['/w/boot.asm', undefined, undefined, 'asm'],
    ['/w/BOOT.NASM', undefined, undefined, 'asm'],
    ['/w/notes.txt', undefined, 'nasm', 'asm'],
    ['/w/kernel', ELF, undefined, 'elf'],
    ['/w/kernel.elf', undefined, undefined, 'elf'],
    ['/w/kernel.bin', ELF, undefined, 'elf'],
    ['/w/kernel.bin', new Uint8Array([0xfa, 0xeb]), undefined, 'flat'],
    ['/w/Makefile', new Uint8Array([0x61, 0x6c, 0x6c, 0x3a]), undefined, undefined],
    ['/w/main.c', undefined, 'c', undefined],
    ['C:\\w\\boot.asm', undefined, undefined, 'asm'],
  ] as const)('%s -> %s', (path, head, lang, kind) => {
    expect(programKind(path, head, lang)).toBe(kind);
  });

  it('reads the ELF magic only', () => {
    expect(isElf(ELF)).toBe(true);
    expect(isElf(new Uint8Array([0x7f, 0x45, 0x4c]))).toBe(false);
    expect(isElf(new Uint8Array())).toBe(false);
  });
});

describe('resolveConfiguration', () => {
  it('F5 with no launch.json debugs the active .asm file', () => {
    const r = resolveConfiguration({}, { path: '/w/boot.asm', languageId: 'nasm' });
    expect(r).toEqual({ config: { type: 'kstack', request: 'launch', name: 'KStack: boot.asm', program: '/w/boot.asm', stopOnEntry: true, boot: 'auto' } });
  });

  it('keeps noDebug from Run Without Debugging', () => {
    const r = resolveConfiguration({ noDebug: true }, { path: '/w/boot.asm' });
    expect('config' in r && r.config.noDebug).toBe(true);
  });

  it('F5 on an ELF kernel (by magic) and on a flat binary', () => {
    expect(resolveConfiguration({}, { path: '/w/kernel', head: ELF })).toMatchObject({ config: { program: '/w/kernel', boot: 'auto' } });
    expect(resolveConfiguration({}, { path: '/w/k.bin' })).toMatchObject({ config: { program: '/w/k.bin', boot: 'flat' } });
  });

  it('says what to open when there is no file or an unknown one', () => {
    expect(resolveConfiguration({}, undefined)).toEqual({ error: expect.stringContaining('Open a .asm file') });
    expect(resolveConfiguration({}, { path: '/w/readme.md', languageId: 'markdown' })).toEqual({ error: expect.stringContaining("'readme.md'") });
  });

  it('passes a complete configuration through unchanged', () => {
    const c = { type: 'kstack', request: 'launch', name: 'k', program: '${workspaceFolder}/k.elf', memory: '128M', inject: [{ kind: 'nmi' }] };
    expect(resolveConfiguration(c, { path: '/w/boot.asm' })).toEqual({ config: c });
  });

  it('fills a missing program from the active file', () => {
    expect(resolveConfiguration({ type: 'kstack', request: 'launch', name: 'k' }, { path: '/w/a.asm' })).toMatchObject({ config: { program: '/w/a.asm' } });
    expect(resolveConfiguration({ type: 'kstack', request: 'launch', name: 'k' }, undefined)).toEqual({ error: expect.stringContaining("no 'program'") });
  });
});

describe('configurations', () => {
  it('configurationFor names the file', () => {
    expect(configurationFor('/a/b/kernel64.elf', 'elf').name).toBe('KStack: kernel64.elf');
  });

  it('initial configurations are complete kstack launches', () => {
    for (const c of initialConfigurations()) {
      expect(c).toMatchObject({ type: 'kstack', request: 'launch' });
      expect(c.name).toBeTruthy();
      expect(c.program).toBeTruthy();
    }
  });
});
