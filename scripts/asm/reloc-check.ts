// Checks one line of test/fixtures/asm/encode-reloc*.txt (nasm -f elf with an external symbol)
// against the encoder; shared by scripts/asm/encode-corpus-main.ts --check and asm/encoder.test.ts.

import { encode } from '../../asm/encoder';
import { parseLine } from './parse-line';

/** A reloc fixture line against the encoder: null when they agree, else what differs. */
/**
 * `types`: nasm's ELF64 relocation types (`<offset>:<type>`); a 4-byte absolute field must be
 * R_X86_64_32S exactly when the encoder calls it signed.
 */
export function checkRelocLine(asm: string, want: string, bits: 32 | 64, types?: string): string | null {
  const address = 0x1000n;
  const p = parseLine(asm, address, true);
  const r = p.ok ? encode(p.ins, { bits, address, defaultRel: false }) : { ok: false as const, error: p.error };
  if (want.startsWith('error: ')) return r.ok ? `ours ${Buffer.from(r.bytes).toString('hex').toUpperCase()}` : null;
  if (!r.ok) return `ours error: ${r.error}`;
  // Split nasm's bytes into plain bytes and bracketed fields.
  const fields: { offset: number; size: number; pcRel: boolean; hex: string }[] = [];
  let plain = '';
  for (const m of want.matchAll(/([0-9A-F]+)|\[([0-9A-F]+)\]|\(([0-9A-F]+)\)/g)) {
    if (m[1]) plain += m[1];
    else {
      const hex = (m[2] ?? m[3])!;
      fields.push({ offset: plain.length / 2, size: hex.length / 2, pcRel: !!m[3], hex });
      plain += hex;
    }
  }
  const got = Buffer.from(r.bytes).toString('hex').toUpperCase();
  if (got.length !== plain.length) return `ours ${got} (length)`;
  const inField = (i: number) => fields.some((f) => i >= f.offset && i < f.offset + f.size);
  for (let i = 0; i < plain.length / 2; i++) if (!inField(i) && got.slice(2 * i, 2 * i + 2) !== plain.slice(2 * i, 2 * i + 2)) return `ours ${got} (byte ${i})`;
  const fx = r.fixups.map((f) => `${f.offset}:${f.size}:${f.pcRel ? 'pc' : 'abs'}`).sort().join(' ');
  const fw = fields.map((f) => `${f.offset}:${f.size}:${f.pcRel ? 'pc' : 'abs'}`).sort().join(' ');
  if (fx !== fw) return `ours ${got} fixups ${fx} (nasm ${fw})`;
  for (const f of fields) if (!f.pcRel && got.slice(2 * f.offset, 2 * (f.offset + f.size)) !== f.hex) return `ours ${got} (field at ${f.offset})`;
  for (const t of types?.trim().split(/\s+/).filter(Boolean) ?? []) {
    const [off, type] = t.split(':') as [string, string];
    const fx = r.fixups.find((f) => f.offset === +off);
    if (!fx) return `no fixup at ${off} (nasm ${type})`;
    if ((type === '32S' || type === '32') && fx.signed !== (type === '32S')) return `fixup at ${off} signed=${fx.signed} (nasm R_X86_64_${type})`;
  }
  return null;
}
