// C types from DWARF type DIEs (base, pointer, typedef, const/volatile/restrict, struct/union,
// enum, array with subranges, function), and their names in C declarator syntax the way gdb
// prints them: typeName is `whatis`, typeDefinition is `ptype` (structs and enums spelled out).

import { DW_AT, DW_ATE, DW_TAG } from './constants';
import { type Die, type Tables } from './info';

export interface Member {
  /** Undefined for an anonymous struct/union member. */
  name?: string;
  type: DwarfType;
  /** Byte offset of the member (of its storage unit for a bit-field). */
  offset: number;
  /** Bit-fields: width, and position of the lowest bit counted from the start of the struct. */
  bitSize?: number;
  bitOffset?: number;
}

export interface Enumerator {
  name: string;
  value: bigint;
}

export interface AggregateType {
  kind: 'struct' | 'union' | 'class';
  id: number;
  name?: string;
  size: number;
  members: Member[];
  declaration: boolean;
}

export type DwarfType =
  | { kind: 'void'; id: number }
  | { kind: 'base'; id: number; name: string; size: number; encoding: number }
  | { kind: 'pointer' | 'reference' | 'rvalue_reference'; id: number; size: number; target: DwarfType }
  | { kind: 'const' | 'volatile' | 'restrict' | 'atomic'; id: number; target: DwarfType }
  | { kind: 'typedef'; id: number; name: string; target: DwarfType }
  | AggregateType
  | { kind: 'enum'; id: number; name?: string; size: number; enumerators: Enumerator[]; underlying?: DwarfType; declaration: boolean }
  | { kind: 'array'; id: number; element: DwarfType; count?: number; size?: number }
  | { kind: 'function'; id: number; returnType: DwarfType; params: DwarfType[]; varargs: boolean; prototyped: boolean }
  | { kind: 'unknown'; id: number; name: string; size?: number };

export const VOID: DwarfType = { kind: 'void', id: -1 };

const QUALIFIERS = new Set(['const', 'volatile', 'restrict', 'atomic']);

/** Builds DwarfType objects from DIEs, once per DIE (cycles through pointers are fine). */
export class TypeBuilder {
  private readonly cache = new Map<number, DwarfType>();
  private depth = 0;

  constructor(
    private readonly tables: Tables,
    private readonly dieAt: (offset: number) => Die | undefined,
  ) {}

  /** The type a DIE's DW_AT_type names (void when absent). */
  typeOf(die: Die): DwarfType {
    const ref = this.tables.attrRef(die, DW_AT.type);
    if (ref === undefined) return VOID;
    return this.typeAt(ref);
  }

  typeAt(offset: number): DwarfType {
    const known = this.cache.get(offset);
    if (known) return known;
    const die = this.dieAt(offset);
    if (!die) return { kind: 'unknown', id: offset, name: `<type at 0x${offset.toString(16)}: no such DIE>` };
    if (this.depth > 200) return { kind: 'unknown', id: offset, name: '<type nested too deeply>' };
    this.depth++;
    try {
      return this.build(die);
    } finally {
      this.depth--;
    }
  }

  private build(die: Die): DwarfType {
    const t = this.tables;
    const id = die.offset;
    const name = (): string | undefined => {
      try {
        return t.attrString(die, DW_AT.name);
      } catch {
        return undefined;
      }
    };
    const size = (): number | undefined => {
      const v = t.attrUnsigned(die, DW_AT.byte_size);
      return v === undefined ? undefined : Number(v);
    };
    const put = <T extends DwarfType>(x: T): T => {
      this.cache.set(id, x);
      return x;
    };
    switch (die.tag) {
      case DW_TAG.base_type:
        return put({ kind: 'base', id, name: canonicalBaseName(name() ?? '<base>'), size: size() ?? 0, encoding: Number(t.attrUnsigned(die, DW_AT.encoding) ?? 0n) });
      case DW_TAG.unspecified_type:
        return put({ kind: 'unknown', id, name: name() ?? 'void' });
      case DW_TAG.pointer_type:
      case DW_TAG.reference_type:
      case DW_TAG.rvalue_reference_type: {
        const kind = die.tag === DW_TAG.pointer_type ? 'pointer' : die.tag === DW_TAG.reference_type ? 'reference' : 'rvalue_reference';
        const x = put({ kind, id, size: size() ?? die.unit.addressSize, target: VOID } as DwarfType & { target: DwarfType });
        x.target = this.typeOf(die);
        return x;
      }
      case DW_TAG.const_type:
      case DW_TAG.volatile_type:
      case DW_TAG.restrict_type:
      case DW_TAG.atomic_type: {
        const kind =
          die.tag === DW_TAG.const_type ? 'const' : die.tag === DW_TAG.volatile_type ? 'volatile' : die.tag === DW_TAG.restrict_type ? 'restrict' : 'atomic';
        const x = put({ kind, id, target: VOID } as DwarfType & { target: DwarfType });
        x.target = this.typeOf(die);
        return x;
      }
      case DW_TAG.typedef: {
        const x = put({ kind: 'typedef', id, name: name() ?? '<typedef>', target: VOID } as Extract<DwarfType, { kind: 'typedef' }>);
        x.target = this.typeOf(die);
        return x;
      }
      case DW_TAG.structure_type:
      case DW_TAG.union_type:
      case DW_TAG.class_type: {
        const kind = die.tag === DW_TAG.structure_type ? 'struct' : die.tag === DW_TAG.union_type ? 'union' : 'class';
        const x = put({ kind, id, name: name(), size: size() ?? 0, members: [], declaration: t.attrFlag(die, DW_AT.declaration) } as AggregateType);
        for (const c of die.children) if (c.tag === DW_TAG.member) x.members.push(this.member(c, x.size));
        return x;
      }
      case DW_TAG.enumeration_type: {
        const x = put({ kind: 'enum', id, name: name(), size: size() ?? 4, enumerators: [], declaration: t.attrFlag(die, DW_AT.declaration) } as Extract<
          DwarfType,
          { kind: 'enum' }
        >);
        if (t.has(die, DW_AT.type)) x.underlying = this.typeOf(die);
        const unsigned = x.underlying ? isUnsignedType(x.underlying) : false;
        for (const c of die.children) {
          if (c.tag !== DW_TAG.enumerator) continue;
          let n = '';
          try {
            n = t.attrString(c, DW_AT.name) ?? '';
          } catch {
            n = '<bad name>';
          }
          const v = unsigned ? t.attrUnsigned(c, DW_AT.const_value) : t.attrSigned(c, DW_AT.const_value);
          x.enumerators.push({ name: n, value: v ?? 0n });
        }
        return x;
      }
      case DW_TAG.array_type: {
        const subranges = die.children.filter((c) => c.tag === DW_TAG.subrange_type || c.tag === DW_TAG.enumeration_type);
        const x = put({ kind: 'array', id, element: VOID } as Extract<DwarfType, { kind: 'array' }>);
        const element = this.typeOf(die);
        // int m[2][3]: one DIE with two subranges = array of 2 (array of 3 int).
        let inner: DwarfType = element;
        for (let i = subranges.length - 1; i >= 1; i--) inner = { kind: 'array', id: -subranges[i]!.offset, element: inner, count: this.count(subranges[i]!) };
        x.element = inner;
        x.count = subranges.length ? this.count(subranges[0]!) : undefined;
        const bs = size();
        if (bs !== undefined) x.size = bs;
        return x;
      }
      case DW_TAG.subroutine_type:
      case DW_TAG.subprogram: {
        const x = put({ kind: 'function', id, returnType: VOID, params: [], varargs: false, prototyped: t.attrFlag(die, DW_AT.prototyped) } as Extract<
          DwarfType,
          { kind: 'function' }
        >);
        x.returnType = this.typeOf(die);
        for (const c of die.children) {
          if (c.tag === DW_TAG.formal_parameter) x.params.push(this.typeOf(this.origin(c)));
          else if (c.tag === DW_TAG.unspecified_parameters) x.varargs = true;
        }
        return x;
      }
      default:
        return put({ kind: 'unknown', id, name: name() ?? `<${die.tag.toString(16)}>`, size: size() });
    }
  }

  /** A DIE's abstract origin (for parameters of concrete inline instances), or itself. */
  private origin(die: Die): Die {
    if (this.tables.has(die, DW_AT.type)) return die;
    const o = this.tables.attrRef(die, DW_AT.abstract_origin);
    return (o !== undefined && this.dieAt(o)) || die;
  }

  private count(sub: Die): number | undefined {
    const t = this.tables;
    if (sub.tag === DW_TAG.enumeration_type) {
      const e = this.typeAt(sub.offset);
      return e.kind === 'enum' ? e.enumerators.length : undefined;
    }
    const c = t.attrUnsigned(sub, DW_AT.count);
    if (c !== undefined && t.attr(sub, DW_AT.count)?.value.kind !== 'ref') return Number(c);
    const ub = t.attrSigned(sub, DW_AT.upper_bound);
    if (ub === undefined) return undefined;
    const lb = t.attrSigned(sub, DW_AT.lower_bound) ?? 0n;
    const n = ub - lb + 1n;
    return n < 0n ? 0 : Number(n);
  }

  private member(die: Die, structSize: number): Member {
    const t = this.tables;
    let name: string | undefined;
    try {
      name = t.attrString(die, DW_AT.name);
    } catch {
      name = '<bad name>';
    }
    const type = this.typeOf(die);
    let offset = 0;
    const loc = t.attr(die, DW_AT.data_member_location);
    if (loc) {
      const v = loc.value;
      if (v.kind === 'udata' || v.kind === 'sdata') offset = Number(v.value);
      else if (v.kind === 'block' || v.kind === 'exprloc') offset = constantOffset(v.value) ?? 0;
    }
    const m: Member = { name, type, offset };
    const bitSize = t.attrUnsigned(die, DW_AT.bit_size);
    if (bitSize !== undefined) {
      m.bitSize = Number(bitSize);
      const dbo = t.attrUnsigned(die, DW_AT.data_bit_offset);
      if (dbo !== undefined) {
        m.bitOffset = Number(dbo);
        m.offset = Math.floor(m.bitOffset / 8);
      } else {
        // DWARF 2/3: DW_AT_bit_offset counts from the most significant bit of the storage unit
        // (DW_AT_byte_size, else the member type's size) at data_member_location.
        const storage = Number(t.attrUnsigned(die, DW_AT.byte_size) ?? BigInt(sizeOf(type) || 4));
        const bo = Number(t.attrSigned(die, DW_AT.bit_offset) ?? 0n);
        m.bitOffset = offset * 8 + storage * 8 - bo - m.bitSize;
      }
    }
    void structSize;
    return m;
  }
}

/** gcc names C types "long unsigned int"; gdb (and C programmers) say "unsigned long". */
const CANONICAL: Record<string, string> = {
  'short int': 'short',
  'short unsigned int': 'unsigned short',
  'long int': 'long',
  'long unsigned int': 'unsigned long',
  'long long int': 'long long',
  'long long unsigned int': 'unsigned long long',
  '__int128 unsigned': 'unsigned __int128',
};

export function canonicalBaseName(name: string): string {
  return CANONICAL[name] ?? name;
}

/** DWARF 2 member locations: DW_OP_plus_uconst N (or DW_OP_constu N; DW_OP_plus). */
function constantOffset(expr: Uint8Array): number | undefined {
  if (expr.length >= 2 && (expr[0] === 0x23 || expr[0] === 0x10)) {
    let v = 0;
    let mul = 1;
    for (let i = 1; i < expr.length; i++) {
      v += (expr[i]! & 0x7f) * mul;
      mul *= 128;
      if (!(expr[i]! & 0x80)) break;
    }
    return v;
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------

/** Removes typedefs and cv-qualifiers from the top of a type. */
export function stripType(t: DwarfType): DwarfType {
  for (let i = 0; i < 100; i++) {
    if (t.kind === 'typedef' || QUALIFIERS.has(t.kind)) t = (t as { target: DwarfType }).target;
    else return t;
  }
  return t;
}

/** sizeof, as the compiler laid the type out (0 when unknown). */
export function sizeOf(t: DwarfType, depth = 0): number {
  if (depth > 100) return 0;
  switch (t.kind) {
    case 'void':
      return 1;
    case 'base':
    case 'pointer':
    case 'reference':
    case 'rvalue_reference':
    case 'struct':
    case 'union':
    case 'class':
    case 'enum':
      return t.size;
    case 'typedef':
    case 'const':
    case 'volatile':
    case 'restrict':
    case 'atomic':
      return sizeOf(t.target, depth + 1);
    case 'array':
      return t.size ?? (t.count ?? 0) * sizeOf(t.element, depth + 1);
    case 'function':
      return 1;
    case 'unknown':
      return t.size ?? 0;
  }
}

export function isUnsignedType(t: DwarfType): boolean {
  const s = stripType(t);
  if (s.kind === 'base') return s.encoding === DW_ATE.unsigned || s.encoding === DW_ATE.unsigned_char || s.encoding === DW_ATE.boolean || s.encoding === DW_ATE.address || s.encoding === DW_ATE.UTF;
  if (s.kind === 'enum') return s.underlying ? isUnsignedType(s.underlying) : !s.enumerators.some((e) => e.value < 0n);
  return s.kind === 'pointer';
}

// ---- names ------------------------------------------------------------------------------------

const QUAL_ORDER = ['const', 'volatile', 'restrict', 'atomic'] as const;
const QUAL_WORD: Record<string, string> = { const: 'const', volatile: 'volatile', restrict: 'restrict', atomic: '_Atomic' };

/**
 * `show` follows gdb: > 0 spells out the struct/union/enum at the base and looks through typedefs;
 * 0 prints names, spelling out only anonymous aggregates; < 0 prints "struct {...}" for those.
 */
interface Style {
  show: number;
  indent: number;
}

function peelQualifiers(t: DwarfType): { quals: Set<string>; base: DwarfType } {
  const quals = new Set<string>();
  for (let i = 0; i < 100 && QUALIFIERS.has(t.kind); i++) {
    quals.add(t.kind);
    t = (t as { target: DwarfType }).target;
  }
  return { quals, base: t };
}

function qualText(quals: Set<string>): string {
  return QUAL_ORDER.filter((q) => quals.has(q))
    .map((q) => QUAL_WORD[q])
    .join(' ');
}

/** A declaration of `inner` (a name, or '' for an abstract declarator) with type `t`. */
function declare(t: DwarfType, inner: string, style: Style, depth = 0, inherited?: Set<string>): string {
  if (depth > 100) return `<type too deep> ${inner}`.trim();
  const { quals, base } = peelQualifiers(t);
  // Qualifiers of an array apply to its elements (C has no qualified arrays): gcc may say both.
  if (inherited) for (const q of inherited) quals.add(q);
  let b = base;
  if (style.show > 0) for (let i = 0; i < 100 && b.kind === 'typedef'; i++) b = b.target;
  // Through typedefs (show > 0) the qualifiers of the target add up.
  if (b !== base) {
    const more = peelQualifiers(b);
    for (const q of more.quals) quals.add(q);
    b = more.base;
  }
  switch (b.kind) {
    case 'pointer':
    case 'reference':
    case 'rvalue_reference': {
      const sym = b.kind === 'pointer' ? '*' : b.kind === 'reference' ? '&' : '&&';
      const q = quals.size ? ` ${qualText(quals)}` : '';
      const after = inner ? `${q ? `${q} ` : ''}${inner}` : q;
      let d = `${sym}${after}`;
      const target = stripCv(b.target, style.show > 0);
      if (target.kind === 'array' || target.kind === 'function') d = `(${d})`;
      return declare(b.target, d, style, depth + 1);
    }
    case 'array':
      return declare(b.element, `${inner}[${b.count ?? ''}]`, style, depth + 1, quals);
    case 'function': {
      const params = b.params.map((p) => declare(p, '', { show: -1, indent: 0 }, depth + 1));
      if (b.varargs) params.push('...');
      const list = params.length ? params.join(', ') : b.prototyped ? 'void' : '';
      return declare(b.returnType, `${inner}(${list})`, style, depth + 1);
    }
    default: {
      const q = quals.size ? `${qualText(quals)} ` : '';
      const head = baseText(b, style, depth);
      return `${q}${head}${inner ? ` ${inner}` : ''}`;
    }
  }
}

function stripCv(t: DwarfType, typedefs: boolean): DwarfType {
  for (let i = 0; i < 100; i++) {
    if (QUALIFIERS.has(t.kind) || (typedefs && t.kind === 'typedef')) t = (t as { target: DwarfType }).target;
    else return t;
  }
  return t;
}

function baseText(t: DwarfType, style: Style, depth: number): string {
  switch (t.kind) {
    case 'void':
      return 'void';
    case 'base':
    case 'typedef':
      return t.name;
    case 'unknown':
      return t.name;
    case 'struct':
    case 'union':
    case 'class':
      if (style.show <= 0 && t.name) return `${t.kind} ${t.name}`;
      if (style.show < 0) return `${t.kind} {...}`;
      return `${t.kind} ${t.name ? `${t.name} ` : ''}${aggregateBody(t, style, depth)}`;
    case 'enum':
      if (style.show <= 0 && t.name) return `enum ${t.name}`;
      if (style.show < 0) return 'enum {...}';
      return `enum ${t.name ? `${t.name} ` : ''}${enumBody(t)}`;
    default:
      return declare(t, '', style, depth + 1);
  }
}

function aggregateBody(t: AggregateType, style: Style, depth: number): string {
  const pad = ' '.repeat(style.indent + 4);
  if (t.declaration && t.members.length === 0) return `{\n${pad}<incomplete type>\n${' '.repeat(style.indent)}}`;
  if (t.members.length === 0) return `{\n${pad}<no data fields>\n${' '.repeat(style.indent)}}`;
  const lines = t.members.map((m) => {
    const d = declare(m.type, m.name ?? '', { show: style.show - 1, indent: style.indent + 4 }, depth + 1);
    return `${pad}${d}${m.bitSize !== undefined ? ` : ${m.bitSize}` : ''};`;
  });
  return `{\n${lines.join('\n')}\n${' '.repeat(style.indent)}}`;
}

function enumBody(t: Extract<DwarfType, { kind: 'enum' }>): string {
  let next = 0n;
  const parts = t.enumerators.map((e) => {
    const s = e.value === next ? e.name : `${e.name} = ${e.value}`;
    next = e.value + 1n;
    return s;
  });
  return `{${parts.join(', ')}}`;
}

/** The type's name as gdb's `whatis` prints it: "const char *", "int (*)[4]", "struct point". */
export function typeName(t: DwarfType): string {
  return declare(t, '', { show: -1, indent: 0 });
}

/** The type spelled out as gdb's `ptype` prints it (after "type = "). */
export function typeDefinition(t: DwarfType): string {
  return declare(t, '', { show: 1, indent: 0 });
}

/** A declaration of a variable or member: "char name[8]", "void (*handler)(struct packet *, int)". */
export function declaration(t: DwarfType, name: string): string {
  return declare(t, name, { show: 0, indent: 0 });
}
