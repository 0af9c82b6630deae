// Watch expressions over the system tables: `tss.rsp0`..`tss.rsp2`, `tss.ist[1]`..`tss.ist[7]`
// (also `tss.ist1`), `tss.iomap`, `idt[N]` and `idt[N].handler|type|dpl|ist|selector`, `gdt[N]`
// and `gdt[N].base|limit|type|dpl|present|busy`, `pte(ADDR)` (the page walk of ADDR, which the
// Paging scope then shows). N and ADDR are expressions of the evaluate language.

export type SystemExpression =
  | { table: 'tss'; field: string }
  | { table: 'idt'; index: string; field?: string }
  | { table: 'gdt'; index: string; field?: string }
  | { table: 'pte'; address: string };

/** The parsed expression, or undefined when `text` is not a system-table expression. */
export function parseSystemExpression(text: string): SystemExpression | undefined {
  const t = text.trim();
  let m = /^tss\s*\.\s*(rsp[0-2]|ist\s*\[\s*([1-7])\s*\]|ist([1-7])|iomap|base)$/i.exec(t);
  if (m) {
    const ist = m[2] ?? m[3];
    return { table: 'tss', field: ist ? `ist${ist}` : m[1]!.toLowerCase() };
  }
  m = /^(idt|gdt)\s*\[(.+)\]\s*(?:\.\s*([a-z]+))?$/i.exec(t);
  if (m && !m[2]!.includes(']')) return { table: m[1]!.toLowerCase() as 'idt' | 'gdt', index: m[2]!, field: m[3]?.toLowerCase() };
  m = /^pte\s*\((.+)\)$/i.exec(t);
  if (m) return { table: 'pte', address: m[1]! };
  return undefined;
}

export const IDT_FIELDS = ['handler', 'type', 'dpl', 'ist', 'selector'];
export const GDT_FIELDS = ['base', 'limit', 'type', 'dpl', 'present', 'busy'];
