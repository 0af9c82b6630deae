// Input boxes' parsing and validation: interrupt vectors and guest addresses. No VS Code API.

const MAX_ADDRESS = (1n << 64n) - 1n;

function parseInteger(text: string): bigint | undefined {
  const t = text.trim().replace(/_/g, '').toLowerCase();
  if (/^0x[0-9a-f]+$/.test(t)) return BigInt(t);
  if (/^[0-9a-f]+h$/.test(t) && /^[0-9]/.test(t)) return BigInt(`0x${t.slice(0, -1)}`);
  if (/^[0-9]+$/.test(t)) return BigInt(t);
  return undefined;
}

/** An interrupt vector typed by a person: 0-255, decimal or hex (0x20, 20h). */
export function parseVector(text: string): number | undefined {
  const v = parseInteger(text);
  return v !== undefined && v <= 255n ? Number(v) : undefined;
}

/** showInputBox's validateInput for a vector: undefined when valid, else the message to show. */
export function validateVector(text: string): string | undefined {
  if (text.trim() === '') return 'Type an interrupt vector: 32-255 (0x20-0xff), decimal or hex';
  const v = parseVector(text);
  if (v === undefined) return `'${text.trim()}' is not a vector: type a number from 0 to 255 (decimal, 0x.. or ..h)`;
  if (v < 32) return `Vectors 0-31 are the CPU's exceptions; an external interrupt uses 32-255 (got ${v})`;
  return undefined;
}

/**
 * A guest address, or an expression the adapter evaluates (a symbol, a register, `rsp+8`):
 * numbers are normalized to 0x-prefixed hex; other text is passed on trimmed.
 */
export function parseAddress(text: string): string | undefined {
  const t = text.trim();
  if (t === '') return undefined;
  const v = parseInteger(t);
  if (v !== undefined) return v <= MAX_ADDRESS ? `0x${v.toString(16)}` : undefined;
  if (/^-?\d/.test(t) && !/[+\-*()\s]/.test(t.slice(1))) return undefined; // 12xyz: a bad number
  return t;
}

export function validateAddress(text: string): string | undefined {
  if (text.trim() === '') return 'Type a virtual address (0xffffffff80001000), a symbol or a register';
  if (parseAddress(text) === undefined) return `'${text.trim()}' is not an address: use hex (0x...) below 2^64, a symbol or a register`;
  return undefined;
}
