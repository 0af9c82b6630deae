// CPUID: reports exactly what the emulator implements. A family that implements a feature sets
// its bit here when it registers (e.g. `cpuidFeatures.l1ecx |= 1 << 23` for POPCNT).

export const cpuidFeatures = {
  /** Leaf 1 ECX: CX16 (13), MOVBE (22), hypervisor (31). */
  l1ecx: (1 << 13) | (1 << 22) | (1 << 31),
  /** Leaf 1 EDX: TSC (4), PAE (6), CX8 (8), PGE (13), CMOV (15). */
  l1edx: (1 << 4) | (1 << 6) | (1 << 8) | (1 << 13) | (1 << 15),
  /** Leaf 7.0 EBX: SMEP (7), ADX (19). */
  l7ebx: (1 << 7) | (1 << 19),
  l7ecx: 0,
  l7edx: 0,
  /** Leaf 0x80000001 ECX: LAHF/SAHF in 64-bit mode (0). */
  e1ecx: 1 << 0,
  /** Leaf 0x80000001 EDX: NX (20), 1 GiB pages (26), RDTSCP (27), long mode (29). */
  e1edx: (1 << 20) | (1 << 26) | (1 << 27) | (1 << 29),
};

const VENDOR = 'GenuineIntel';
const BRAND = 'KStack x86-64 emulator';

function str4(s: string, i: number): number {
  let v = 0;
  for (let k = 0; k < 4; k++) v |= (s.charCodeAt(i + k) & 0xff) << (8 * k);
  return v | 0;
}

/** [eax, ebx, ecx, edx] for a leaf and subleaf. */
export function cpuid(leaf: number, sub: number, physBits: number, out: Int32Array): void {
  let a = 0, b = 0, c = 0, d = 0;
  leaf >>>= 0;
  switch (leaf) {
    case 0:
      a = 7;
      b = str4(VENDOR, 0);
      d = str4(VENDOR, 4);
      c = str4(VENDOR, 8);
      break;
    case 1:
      a = 0x000806c1; // family 6
      b = (8 << 8) | (1 << 16); // CLFLUSH line 64 bytes, 1 logical processor, APIC ID 0
      c = cpuidFeatures.l1ecx;
      d = cpuidFeatures.l1edx;
      break;
    case 7:
      if (sub === 0) {
        b = cpuidFeatures.l7ebx;
        c = cpuidFeatures.l7ecx;
        d = cpuidFeatures.l7edx;
      }
      break;
    case 0x80000000:
      a = 0x80000008 | 0;
      break;
    case 0x80000001:
      c = cpuidFeatures.e1ecx;
      d = cpuidFeatures.e1edx;
      break;
    case 0x80000002:
    case 0x80000003:
    case 0x80000004: {
      const s = BRAND.padEnd(48, '\0');
      const o = (leaf - 0x80000002) * 16;
      a = str4(s, o);
      b = str4(s, o + 4);
      c = str4(s, o + 8);
      d = str4(s, o + 12);
      break;
    }
    case 0x80000008:
      a = physBits | (48 << 8);
      break;
  }
  out[0] = a;
  out[1] = b;
  out[2] = c;
  out[3] = d;
}
