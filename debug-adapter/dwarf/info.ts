// .debug_info and .debug_abbrev (DWARF 2-5, 32- and 64-bit): unit headers, abbreviation tables,
// the DIE tree with attribute values, and the side tables attributes point into: .debug_str,
// .debug_line_str, .debug_str_offsets, .debug_addr, .debug_rnglists/.debug_ranges and
// .debug_loclists/.debug_loc. A bad unit is a warning; the units around it are still read.

import { DW_AT, DW_FORM, DW_LLE, DW_RLE, DW_TAG, DW_UT, atName, formName, tagName } from './constants';
import { DwarfError, errorText, hex, Reader, stringAt } from './reader';
import type { DwarfSource } from './source';

export interface AttrSpec {
  at: number;
  form: number;
  /** DW_FORM_implicit_const's value, from the abbreviation. */
  implicit?: bigint;
}

export interface Abbrev {
  code: number;
  tag: number;
  hasChildren: boolean;
  specs: AttrSpec[];
}

export type AttrValue =
  | { kind: 'udata'; value: bigint } // data1-8, udata, flag, implicit_const (signedness decided by the reader)
  | { kind: 'sdata'; value: bigint }
  | { kind: 'addr'; value: bigint }
  | { kind: 'addrx'; index: number }
  | { kind: 'string'; value: string }
  | { kind: 'strx'; index: number }
  | { kind: 'ref'; offset: number } // absolute .debug_info offset
  | { kind: 'block'; value: Uint8Array } // block*, exprloc, data16
  | { kind: 'exprloc'; value: Uint8Array }
  | { kind: 'secoffset'; value: number }
  | { kind: 'loclistx'; index: number }
  | { kind: 'rnglistx'; index: number }
  | { kind: 'sig8'; value: bigint }
  | { kind: 'unsupported'; why: string };

export interface Attr {
  at: number;
  form: number;
  value: AttrValue;
}

export interface Die {
  offset: number;
  tag: number;
  attrs: Attr[];
  children: Die[];
  parent?: Die;
  unit: Unit;
}

export interface Unit {
  offset: number;
  version: number;
  unitType: number;
  addressSize: number;
  dwarf64: boolean;
  abbrevOffset: number;
  /** First byte after the unit. */
  end: number;
  root?: Die;
  /** DW_AT_str_offsets_base, DW_AT_addr_base, DW_AT_rnglists_base, DW_AT_loclists_base. */
  strOffsetsBase?: number;
  addrBase?: number;
  rnglistsBase?: number;
  loclistsBase?: number;
  /** The unit's base address (DW_AT_low_pc of the unit DIE) for ranges and location lists. */
  baseAddress: bigint;
  name?: string;
  compDir?: string;
  producer?: string;
  language?: number;
  /** DW_AT_stmt_list. */
  lineOffset?: number;
}

export interface InfoResult {
  units: Unit[];
  warnings: string[];
}

const MAX_DEPTH = 512;
const MAX_INDIRECT = 8;

/** Parse .debug_info. */
export function parseInfo(src: DwarfSource): InfoResult {
  const units: Unit[] = [];
  const warnings: string[] = [];
  const bytes = src.section('.debug_info');
  if (!bytes) return { units, warnings };
  const abbrevCache = new Map<number, Map<number, Abbrev> | string>();
  const r = new Reader(bytes, '.debug_info', src.littleEndian);
  let guard = 0;
  while (r.remaining >= 4 && guard++ < 1_000_000) {
    const start = r.pos;
    let end: number;
    let dwarf64: boolean;
    try {
      const il = r.initialLength('unit_length');
      dwarf64 = il.dwarf64;
      end = r.pos + il.length;
      if (il.length === 0) continue;
      if (end > bytes.length) {
        warnings.push(`.debug_info at offset ${hex(start)}: unit_length ${hex(il.length)} runs past the end of the section; the rest is skipped`);
        break;
      }
    } catch (e) {
      warnings.push(`${errorText(e)}; the rest of .debug_info is skipped`);
      break;
    }
    const ur = r.slice(r.pos, end);
    r.pos = end;
    let unit: Unit | undefined;
    try {
      const version = ur.u16('version');
      if (version < 2 || version > 5) ur.fail(`unit version ${version} is not 2-5`, ur.pos - 2);
      let unitType: number = DW_UT.compile;
      let addressSize: number;
      let abbrevOffset: number;
      if (version >= 5) {
        unitType = ur.u8('unit_type');
        addressSize = ur.u8('address_size');
        abbrevOffset = ur.offset(dwarf64, 'debug_abbrev_offset');
        if (unitType === DW_UT.skeleton || unitType === DW_UT.split_compile) ur.skip(8, 'dwo_id');
        else if (unitType === DW_UT.type || unitType === DW_UT.split_type) {
          ur.skip(8, 'type_signature');
          ur.offset(dwarf64, 'type_offset');
        }
      } else {
        abbrevOffset = ur.offset(dwarf64, 'debug_abbrev_offset');
        addressSize = ur.u8('address_size');
      }
      if (addressSize !== 2 && addressSize !== 4 && addressSize !== 8) ur.fail(`address_size ${addressSize}`, ur.pos - 1);
      unit = { offset: start, version, unitType, addressSize, dwarf64, abbrevOffset, end, baseAddress: 0n };
      let abbrevs = abbrevCache.get(abbrevOffset);
      if (abbrevs === undefined) {
        try {
          abbrevs = parseAbbrevs(src, abbrevOffset);
        } catch (e) {
          abbrevs = errorText(e);
        }
        abbrevCache.set(abbrevOffset, abbrevs);
      }
      if (typeof abbrevs === 'string') throw new DwarfError('.debug_info', start, `its abbreviations: ${abbrevs}`);
      units.push(unit);
      parseDies(ur, unit, abbrevs, src, warnings);
    } catch (e) {
      warnings.push(`unit at .debug_info offset ${hex(start)}${unit?.root ? ' (partly read)' : ' skipped'}: ${errorText(e)}`);
      if (unit && !unit.root) units.pop();
    }
  }
  return { units, warnings };
}

/** The abbreviation table at `offset` of .debug_abbrev. */
export function parseAbbrevs(src: DwarfSource, offset: number): Map<number, Abbrev> {
  const bytes = src.section('.debug_abbrev');
  if (!bytes) throw new DwarfError('.debug_abbrev', offset, 'the section is missing');
  const r = new Reader(bytes, '.debug_abbrev', src.littleEndian, offset);
  if (offset >= bytes.length) r.fail('offset beyond the end of the section');
  const out = new Map<number, Abbrev>();
  for (;;) {
    const code = r.uleb('abbreviation code');
    if (code === 0) break;
    const tag = r.uleb('tag');
    const hasChildren = r.u8('children flag') !== 0;
    const specs: AttrSpec[] = [];
    for (;;) {
      const at = r.uleb('attribute');
      const form = r.uleb('form');
      if (at === 0 && form === 0) break;
      const spec: AttrSpec = { at, form };
      if (form === DW_FORM.implicit_const) spec.implicit = r.slebBig('implicit_const');
      specs.push(spec);
    }
    out.set(code, { code, tag, hasChildren, specs });
  }
  return out;
}

function parseDies(r: Reader, unit: Unit, abbrevs: Map<number, Abbrev>, src: DwarfSource, warnings: string[]): void {
  const stack: Die[] = [];
  while (!r.atEnd) {
    const offset = r.pos;
    const code = r.uleb('abbreviation code');
    if (code === 0) {
      stack.pop();
      if (stack.length === 0 && unit.root) {
        // Padding after the root's children: allowed, nothing more to read.
        if (r.atEnd) break;
        continue;
      }
      continue;
    }
    const ab = abbrevs.get(code);
    if (!ab) r.fail(`abbreviation code ${code} is not in the table at .debug_abbrev offset ${hex(unit.abbrevOffset)}`, offset);
    const die: Die = { offset, tag: ab!.tag, attrs: [], children: [], unit };
    for (const spec of ab!.specs) die.attrs.push({ at: spec.at, form: spec.form, value: readForm(r, spec.form, unit, spec.implicit, 0) });
    const parent = stack[stack.length - 1];
    if (parent) {
      die.parent = parent;
      parent.children.push(die);
    } else if (!unit.root) {
      unit.root = die;
      initUnit(unit, die, src, warnings);
    } else {
      // A second top-level DIE: keep it as a child of the root so nothing is lost.
      die.parent = unit.root;
      unit.root.children.push(die);
    }
    if (ab!.hasChildren) {
      if (stack.length >= MAX_DEPTH) r.fail(`DIEs nested deeper than ${MAX_DEPTH}`, offset);
      stack.push(die);
    }
  }
}

function readForm(r: Reader, form: number, unit: Unit, implicit: bigint | undefined, depth: number): AttrValue {
  const d64 = unit.dwarf64;
  switch (form) {
    case DW_FORM.addr:
      return { kind: 'addr', value: r.addr(unit.addressSize, 'DW_FORM_addr') };
    case DW_FORM.block2:
      return { kind: 'block', value: r.block(r.u16()) };
    case DW_FORM.block4:
      return { kind: 'block', value: r.block(r.u32()) };
    case DW_FORM.block:
      return { kind: 'block', value: r.block(r.uleb()) };
    case DW_FORM.block1:
      return { kind: 'block', value: r.block(r.u8()) };
    case DW_FORM.data1:
      return { kind: 'udata', value: BigInt(r.u8()) };
    case DW_FORM.data2:
      return { kind: 'udata', value: BigInt(r.u16()) };
    case DW_FORM.data4:
      return { kind: 'udata', value: BigInt(r.u32()) };
    case DW_FORM.data8:
      return { kind: 'udata', value: r.u64() };
    case DW_FORM.data16:
      return { kind: 'block', value: r.block(16) };
    case DW_FORM.string:
      return { kind: 'string', value: r.cstr() };
    case DW_FORM.flag:
      return { kind: 'udata', value: BigInt(r.u8()) };
    case DW_FORM.flag_present:
      return { kind: 'udata', value: 1n };
    case DW_FORM.sdata:
      return { kind: 'sdata', value: r.slebBig() };
    case DW_FORM.udata:
      return { kind: 'udata', value: r.ulebBig() };
    case DW_FORM.implicit_const:
      return { kind: 'sdata', value: implicit ?? 0n };
    case DW_FORM.strp:
    case DW_FORM.line_strp:
    case DW_FORM.strp_sup:
    case DW_FORM.GNU_strp_alt: {
      // A string offset: Tables.attrString reads it from .debug_str or .debug_line_str by its form.
      const off = r.offset(d64, formName(form));
      if (form !== DW_FORM.strp && form !== DW_FORM.line_strp) return { kind: 'unsupported', why: `${formName(form)} (a supplementary object file)` };
      return { kind: 'secoffset', value: off };
    }
    case DW_FORM.strx:
    case DW_FORM.GNU_str_index:
      return { kind: 'strx', index: r.uleb() };
    case DW_FORM.strx1:
      return { kind: 'strx', index: r.u8() };
    case DW_FORM.strx2:
      return { kind: 'strx', index: r.u16() };
    case DW_FORM.strx3:
      return { kind: 'strx', index: r.u24() };
    case DW_FORM.strx4:
      return { kind: 'strx', index: r.u32() };
    case DW_FORM.addrx:
    case DW_FORM.GNU_addr_index:
      return { kind: 'addrx', index: r.uleb() };
    case DW_FORM.addrx1:
      return { kind: 'addrx', index: r.u8() };
    case DW_FORM.addrx2:
      return { kind: 'addrx', index: r.u16() };
    case DW_FORM.addrx3:
      return { kind: 'addrx', index: r.u24() };
    case DW_FORM.addrx4:
      return { kind: 'addrx', index: r.u32() };
    case DW_FORM.ref1:
      return { kind: 'ref', offset: unit.offset + r.u8() };
    case DW_FORM.ref2:
      return { kind: 'ref', offset: unit.offset + r.u16() };
    case DW_FORM.ref4:
      return { kind: 'ref', offset: unit.offset + r.u32() };
    case DW_FORM.ref8: {
      const v = r.u64();
      return { kind: 'ref', offset: unit.offset + Number(v & 0xffffffffffffn) };
    }
    case DW_FORM.ref_udata:
      return { kind: 'ref', offset: unit.offset + r.uleb() };
    case DW_FORM.ref_addr:
      return { kind: 'ref', offset: unit.version <= 2 ? Number(r.addr(unit.addressSize)) : r.offset(d64, 'DW_FORM_ref_addr') };
    case DW_FORM.ref_sig8:
      return { kind: 'sig8', value: r.u64() };
    case DW_FORM.ref_sup4:
      r.skip(4);
      return { kind: 'unsupported', why: 'DW_FORM_ref_sup4 (a supplementary object file)' };
    case DW_FORM.ref_sup8:
      r.skip(8);
      return { kind: 'unsupported', why: 'DW_FORM_ref_sup8 (a supplementary object file)' };
    case DW_FORM.GNU_ref_alt:
      r.offset(d64);
      return { kind: 'unsupported', why: 'DW_FORM_GNU_ref_alt (a supplementary object file)' };
    case DW_FORM.sec_offset:
      return { kind: 'secoffset', value: r.offset(d64, 'DW_FORM_sec_offset') };
    case DW_FORM.exprloc:
      return { kind: 'exprloc', value: r.block(r.uleb('exprloc length')) };
    case DW_FORM.loclistx:
      return { kind: 'loclistx', index: r.uleb() };
    case DW_FORM.rnglistx:
      return { kind: 'rnglistx', index: r.uleb() };
    case DW_FORM.indirect: {
      if (depth >= MAX_INDIRECT) r.fail('DW_FORM_indirect chain too long');
      const f = r.uleb('DW_FORM_indirect form');
      return readForm(r, f, unit, implicit, depth + 1);
    }
    default:
      return r.fail(`unknown form 0x${form.toString(16)}: the rest of the unit cannot be read`);
  }
}

/** Base offsets and names from the unit DIE (needed before any strx/addrx of its children). */
function initUnit(unit: Unit, root: Die, src: DwarfSource, warnings: string[]): void {
  const num = (at: number): number | undefined => {
    const a = root.attrs.find((x) => x.at === at)?.value;
    return a && (a.kind === 'secoffset' || a.kind === 'udata') ? Number(a.kind === 'secoffset' ? a.value : a.value) : undefined;
  };
  unit.strOffsetsBase = num(DW_AT.str_offsets_base);
  unit.addrBase = num(DW_AT.addr_base) ?? num(DW_AT.GNU_addr_base);
  unit.rnglistsBase = num(DW_AT.rnglists_base);
  unit.loclistsBase = num(DW_AT.loclists_base);
  const ctx = new Tables(src);
  try {
    unit.name = ctx.attrString(root, DW_AT.name);
    unit.compDir = ctx.attrString(root, DW_AT.comp_dir);
    unit.producer = ctx.attrString(root, DW_AT.producer);
    const lang = ctx.attrUnsigned(root, DW_AT.language);
    unit.language = lang === undefined ? undefined : Number(lang);
    unit.lineOffset = num(DW_AT.stmt_list);
    unit.baseAddress = ctx.attrAddress(root, DW_AT.low_pc) ?? 0n;
  } catch (e) {
    warnings.push(`unit at .debug_info offset ${hex(unit.offset)}: ${errorText(e)}`);
  }
}

// ---------------------------------------------------------------------------------------------

export interface AddressRange {
  start: bigint;
  end: bigint;
}

export interface LocListEntry {
  start: bigint;
  end: bigint;
  expr: Uint8Array;
}

export interface LocList {
  entries: LocListEntry[];
  /** DW_LLE_default_location: applies where no entry does. */
  defaultExpr?: Uint8Array;
}

/** Attribute access with the side sections: strings, addresses, ranges, location lists. */
export class Tables {
  constructor(readonly src: DwarfSource) {}

  attr(die: Die, at: number): Attr | undefined {
    for (const a of die.attrs) if (a.at === at) return a;
    return undefined;
  }

  has(die: Die, at: number): boolean {
    return this.attr(die, at) !== undefined;
  }

  /** A string attribute (string, strp, line_strp, strx). Throws DwarfError for a bad offset. */
  attrString(die: Die, at: number): string | undefined {
    const a = this.attr(die, at);
    if (!a) return undefined;
    const v = a.value;
    if (v.kind === 'string') return v.value;
    if (v.kind === 'secoffset' && (a.form === DW_FORM.strp || a.form === DW_FORM.line_strp)) {
      const section = a.form === DW_FORM.strp ? '.debug_str' : '.debug_line_str';
      return stringAt(this.src.section(section), section, v.value);
    }
    if (v.kind === 'strx') return this.strx(die.unit, v.index);
    return undefined;
  }

  strx(unit: Unit, index: number): string {
    const bytes = this.src.section('.debug_str_offsets');
    const size = unit.dwarf64 ? 8 : 4;
    const base = unit.strOffsetsBase ?? (unit.dwarf64 ? 16 : 8);
    const at = base + index * size;
    if (!bytes) throw new DwarfError('.debug_str_offsets', at, 'the section is missing');
    const r = new Reader(bytes, '.debug_str_offsets', this.src.littleEndian, at);
    return stringAt(this.src.section('.debug_str'), '.debug_str', r.offset(unit.dwarf64, `string offset ${index}`));
  }

  /** Entry `index` of the unit's .debug_addr table. */
  addrx(unit: Unit, index: number): bigint {
    const bytes = this.src.section('.debug_addr');
    const base = unit.addrBase ?? 8;
    const at = base + index * unit.addressSize;
    if (!bytes) throw new DwarfError('.debug_addr', at, 'the section is missing');
    return new Reader(bytes, '.debug_addr', this.src.littleEndian, at).addr(unit.addressSize, `address ${index}`);
  }

  attrUnsigned(die: Die, at: number): bigint | undefined {
    const v = this.attr(die, at)?.value;
    if (!v) return undefined;
    if (v.kind === 'udata' || v.kind === 'sdata') return v.value;
    return undefined;
  }

  /** A constant attribute read as signed (data1-8 sign-extended by their size). */
  attrSigned(die: Die, at: number): bigint | undefined {
    const a = this.attr(die, at);
    if (!a) return undefined;
    const v = a.value;
    if (v.kind === 'sdata') return v.value;
    if (v.kind !== 'udata') return undefined;
    const bits = a.form === DW_FORM.data1 ? 8 : a.form === DW_FORM.data2 ? 16 : a.form === DW_FORM.data4 ? 32 : a.form === DW_FORM.data8 ? 64 : 0;
    return bits ? BigInt.asIntN(bits, v.value) : v.value;
  }

  attrFlag(die: Die, at: number): boolean {
    const v = this.attrUnsigned(die, at);
    return v !== undefined && v !== 0n;
  }

  attrAddress(die: Die, at: number): bigint | undefined {
    const v = this.attr(die, at)?.value;
    if (!v) return undefined;
    if (v.kind === 'addr') return v.value;
    if (v.kind === 'addrx') return this.addrx(die.unit, v.index);
    return undefined;
  }

  attrRef(die: Die, at: number): number | undefined {
    const v = this.attr(die, at)?.value;
    return v?.kind === 'ref' ? v.offset : undefined;
  }

  /** The pc ranges of a DIE: low_pc/high_pc (address or offset form) or DW_AT_ranges. */
  pcRanges(die: Die): AddressRange[] {
    const low = this.attrAddress(die, DW_AT.low_pc);
    const high = this.attr(die, DW_AT.high_pc);
    if (low !== undefined && high) {
      const hv = high.value;
      const end = hv.kind === 'addr' || hv.kind === 'addrx' ? this.attrAddress(die, DW_AT.high_pc)! : hv.kind === 'udata' || hv.kind === 'sdata' ? low + hv.value : low;
      return end > low ? [{ start: low, end }] : [];
    }
    const ranges = this.attr(die, DW_AT.ranges);
    if (ranges) return this.rangeList(die.unit, ranges.value).filter((x) => x.end > x.start);
    if (low !== undefined && die.tag !== DW_TAG.compile_unit) return [];
    return [];
  }

  /** A range list by attribute value (DWARF 5 .debug_rnglists or DWARF 2-4 .debug_ranges). */
  rangeList(unit: Unit, v: AttrValue): AddressRange[] {
    if (unit.version >= 5) {
      let offset: number;
      if (v.kind === 'rnglistx') offset = this.listOffset('.debug_rnglists', unit, unit.rnglistsBase, v.index);
      else if (v.kind === 'secoffset' || v.kind === 'udata') offset = Number(v.value);
      else return [];
      return this.rnglist(unit, offset);
    }
    if (v.kind !== 'secoffset' && v.kind !== 'udata') return [];
    return this.rangesV4(unit, Number(v.value));
  }

  /** The offset of list `index` in a DWARF 5 offsets table (relative to `base`). */
  private listOffset(section: string, unit: Unit, base: number | undefined, index: number): number {
    const bytes = this.src.section(section);
    const b = base ?? (unit.dwarf64 ? 20 : 12);
    const size = unit.dwarf64 ? 8 : 4;
    if (!bytes) throw new DwarfError(section, b, 'the section is missing');
    const r = new Reader(bytes, section, this.src.littleEndian, b + index * size);
    return b + r.offset(unit.dwarf64, `offset ${index}`);
  }

  private rnglist(unit: Unit, offset: number): AddressRange[] {
    const bytes = this.src.section('.debug_rnglists');
    if (!bytes) throw new DwarfError('.debug_rnglists', offset, 'the section is missing');
    const r = new Reader(bytes, '.debug_rnglists', this.src.littleEndian, offset);
    const out: AddressRange[] = [];
    let base = unit.baseAddress;
    const as = unit.addressSize;
    for (let guard = 0; guard < 100_000; guard++) {
      const kind = r.u8('DW_RLE kind');
      switch (kind) {
        case DW_RLE.end_of_list:
          return out;
        case DW_RLE.base_addressx:
          base = this.addrx(unit, r.uleb());
          break;
        case DW_RLE.startx_endx: {
          const s = this.addrx(unit, r.uleb());
          out.push({ start: s, end: this.addrx(unit, r.uleb()) });
          break;
        }
        case DW_RLE.startx_length: {
          const s = this.addrx(unit, r.uleb());
          out.push({ start: s, end: s + r.ulebBig() });
          break;
        }
        case DW_RLE.offset_pair: {
          const s = r.ulebBig();
          out.push({ start: base + s, end: base + r.ulebBig() });
          break;
        }
        case DW_RLE.base_address:
          base = r.addr(as);
          break;
        case DW_RLE.start_end: {
          const s = r.addr(as);
          out.push({ start: s, end: r.addr(as) });
          break;
        }
        case DW_RLE.start_length: {
          const s = r.addr(as);
          out.push({ start: s, end: s + r.ulebBig() });
          break;
        }
        default:
          r.fail(`unknown range list entry kind ${kind}`, r.pos - 1);
      }
    }
    return r.fail('range list too long');
  }

  private rangesV4(unit: Unit, offset: number): AddressRange[] {
    const bytes = this.src.section('.debug_ranges');
    if (!bytes) throw new DwarfError('.debug_ranges', offset, 'the section is missing');
    const r = new Reader(bytes, '.debug_ranges', this.src.littleEndian, offset);
    const as = unit.addressSize;
    const max = as === 8 ? 0xffffffffffffffffn : (1n << BigInt(as * 8)) - 1n;
    let base = unit.baseAddress;
    const out: AddressRange[] = [];
    for (let guard = 0; guard < 100_000; guard++) {
      const s = r.addr(as);
      const e = r.addr(as);
      if (s === 0n && e === 0n) return out;
      if (s === max) base = e;
      else out.push({ start: base + s, end: base + e });
    }
    return r.fail('range list too long');
  }

  /** A location list by attribute value (DWARF 5 .debug_loclists or DWARF 2-4 .debug_loc). */
  locList(unit: Unit, v: AttrValue): LocList {
    if (unit.version >= 5) {
      let offset: number;
      if (v.kind === 'loclistx') offset = this.listOffset('.debug_loclists', unit, unit.loclistsBase, v.index);
      else if (v.kind === 'secoffset' || v.kind === 'udata') offset = Number(v.value);
      else return { entries: [] };
      return this.loclist(unit, offset);
    }
    if (v.kind !== 'secoffset' && v.kind !== 'udata') return { entries: [] };
    return this.locV4(unit, Number(v.value));
  }

  private loclist(unit: Unit, offset: number): LocList {
    const bytes = this.src.section('.debug_loclists');
    if (!bytes) throw new DwarfError('.debug_loclists', offset, 'the section is missing');
    const r = new Reader(bytes, '.debug_loclists', this.src.littleEndian, offset);
    const out: LocList = { entries: [] };
    let base = unit.baseAddress;
    const as = unit.addressSize;
    const expr = (): Uint8Array => r.block(r.uleb('location description length'));
    for (let guard = 0; guard < 100_000; guard++) {
      const kind = r.u8('DW_LLE kind');
      switch (kind) {
        case DW_LLE.end_of_list:
          return out;
        case DW_LLE.base_addressx:
          base = this.addrx(unit, r.uleb());
          break;
        case DW_LLE.startx_endx: {
          const s = this.addrx(unit, r.uleb());
          const e = this.addrx(unit, r.uleb());
          out.entries.push({ start: s, end: e, expr: expr() });
          break;
        }
        case DW_LLE.startx_length: {
          const s = this.addrx(unit, r.uleb());
          const e = s + r.ulebBig();
          out.entries.push({ start: s, end: e, expr: expr() });
          break;
        }
        case DW_LLE.offset_pair: {
          const s = base + r.ulebBig();
          const e = base + r.ulebBig();
          out.entries.push({ start: s, end: e, expr: expr() });
          break;
        }
        case DW_LLE.default_location:
          out.defaultExpr = expr();
          break;
        case DW_LLE.base_address:
          base = r.addr(as);
          break;
        case DW_LLE.start_end: {
          const s = r.addr(as);
          const e = r.addr(as);
          out.entries.push({ start: s, end: e, expr: expr() });
          break;
        }
        case DW_LLE.start_length: {
          const s = r.addr(as);
          const e = s + r.ulebBig();
          out.entries.push({ start: s, end: e, expr: expr() });
          break;
        }
        case DW_LLE.GNU_view_pair:
          r.uleb();
          r.uleb();
          break;
        default:
          r.fail(`unknown location list entry kind ${kind}`, r.pos - 1);
      }
    }
    return r.fail('location list too long');
  }

  private locV4(unit: Unit, offset: number): LocList {
    const bytes = this.src.section('.debug_loc');
    if (!bytes) throw new DwarfError('.debug_loc', offset, 'the section is missing');
    const r = new Reader(bytes, '.debug_loc', this.src.littleEndian, offset);
    const as = unit.addressSize;
    const max = as === 8 ? 0xffffffffffffffffn : (1n << BigInt(as * 8)) - 1n;
    let base = unit.baseAddress;
    const out: LocList = { entries: [] };
    for (let guard = 0; guard < 100_000; guard++) {
      const s = r.addr(as);
      const e = r.addr(as);
      if (s === 0n && e === 0n) return out;
      if (s === max) {
        base = e;
        continue;
      }
      const expr = r.block(r.u16('location description length'));
      out.entries.push({ start: base + s, end: base + e, expr });
    }
    return r.fail('location list too long');
  }
}

/** "DW_TAG_subprogram at 0x2d" for messages. */
export function dieText(die: Die): string {
  return `${tagName(die.tag)} at .debug_info offset ${hex(die.offset)}`;
}

export { atName, tagName };
