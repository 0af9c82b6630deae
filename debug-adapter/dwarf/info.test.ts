// .debug_info/.debug_abbrev against readelf --debug-dump=info: every DIE (offset, depth, tag),
// every attribute (name, form) and its value: strings through .debug_str/.debug_line_str/
// .debug_str_offsets, references, addresses (.debug_addr), constants, and expression blocks with
// their readelf disassembly. Plus malformed units.
import { describe, expect, it } from 'vitest';
import { atName, DW_AT, formName, tagName } from './constants';
import { formatExpr } from './expr';
import { parseInfo, Tables, type Die } from './info';
import { mapDwarfSource } from './source';
import { C_FIXTURES, fixtureText, loadFixture } from './test-support';

interface RDie {
  depth: number;
  offset: number;
  tag: string;
  attrs: { offset: number; name: string; form: string; text: string }[];
}

function parseReadelfInfo(text: string): RDie[] {
  const out: RDie[] = [];
  let cur: RDie | undefined;
  for (const line of text.split('\n')) {
    let m: RegExpExecArray | null;
    if ((m = /^ <(\d+)><([0-9a-f]+)>: Abbrev Number: (\d+)(?: \((\w+)\))?/.exec(line))) {
      cur = undefined;
      if (m[3] === '0') continue;
      cur = { depth: Number(m[1]), offset: parseInt(m[2]!, 16), tag: m[4]!, attrs: [] };
      out.push(cur);
    } else if (cur && (m = /^\s+<([0-9a-f]+)>\s+(DW_AT_\w+)\s*: \((\w+)\) ?(.*)$/.exec(line))) {
      cur.attrs.push({ offset: parseInt(m[1]!, 16), name: m[2]!, form: m[3]!, text: m[4]! });
    }
  }
  return out;
}

function walk(root: Die | undefined, depth: number, out: { die: Die; depth: number }[]): void {
  if (!root) return;
  out.push({ die: root, depth });
  for (const c of root.children) walk(c, depth + 1, out);
}

function num(s: string): bigint {
  const m = /^(-?)(0x[0-9a-f]+|\d+)/.exec(s.trim());
  if (!m) throw new Error(`not a number: ${s}`);
  const v = BigInt(m[2]!);
  return m[1] ? -v : v;
}

describe('.debug_info against readelf --debug-dump=info', () => {
  for (const name of [...C_FIXTURES, 'c-kernel']) {
    it(`${name}: every DIE, attribute and value`, () => {
      const { src } = loadFixture(name);
      const info = parseInfo(src);
      expect(info.warnings).toEqual([]);
      const t = new Tables(src);
      const want = parseReadelfInfo(fixtureText(name, 'info.txt'));
      const got: { die: Die; depth: number }[] = [];
      for (const u of info.units) walk(u.root, 0, got);
      expect(got.length).toBe(want.length);
      let values = 0;
      for (let i = 0; i < want.length; i++) {
        const w = want[i]!;
        const { die, depth } = got[i]!;
        const where = `DIE <${w.offset.toString(16)}>`;
        expect({ offset: die.offset, depth, tag: tagName(die.tag) }, where).toEqual({ offset: w.offset, depth: w.depth, tag: w.tag });
        expect(die.attrs.map((a) => `${atName(a.at)} ${formName(a.form).replace('DW_FORM_', '')}`), where).toEqual(
          w.attrs.map((a) => `${a.name} ${a.form}`),
        );
        die.attrs.forEach((a, k) => {
          const wa = w.attrs[k]!;
          const what = `${where} ${wa.name} (${wa.form}) ${wa.text}`;
          const v = a.value;
          switch (v.kind) {
            case 'string':
            case 'strx':
              expect(t.attrString(die, a.at), what).toBe(/^(?:\(\w+: (?:0x)?[0-9a-f]+\): )?(.*)$/.exec(wa.text)![1]);
              break;
            case 'secoffset':
              if (wa.form === 'strp' || wa.form === 'line_strp') expect(t.attrString(die, a.at), what).toBe(/\):\s?(.*)$/.exec(wa.text)![1]);
              else expect(BigInt(v.value), what).toBe(num(wa.text));
              break;
            case 'ref':
              {
                // readelf prints the target offset as <0x..> for ref4, bare for ref8.
                const abs = /<0x([0-9a-f]+)>/.exec(wa.text);
                expect(v.offset, what).toBe(abs ? parseInt(abs[1]!, 16) : Number(num(wa.text)));
              }
              break;
            case 'addr':
              expect(v.value, what).toBe(num(wa.text));
              break;
            case 'addrx':
              expect(t.attrAddress(die, a.at), what).toBe(BigInt(`0x${/\): (?:0x)?([0-9a-f]+)$/.exec(wa.text)![1]}`));
              break;
            case 'udata':
            case 'sdata':
              if (wa.form === 'flag_present') expect(v.value).toBe(1n);
              else if (wa.form === 'sdata' || wa.form === 'implicit_const') expect(v.value, what).toBe(num(wa.text));
              else expect(v.value, what).toBe(BigInt.asUintN(64, num(wa.text)));
              break;
            case 'exprloc':
            case 'block': {
              // readelf leaves out the bytes of some DWARF 5 expressions (clang's): "(DW_OP_addrx <0>)".
              const m = /^(?:(\d+) byte block: ([0-9a-f ]*?)\s*)?(?:\((.*)\))?$/.exec(wa.text.trim())!;
              if (m[1] !== undefined) expect([...v.value].map((b) => b.toString(16)).join(' '), what).toBe(m[2]);
              else expect(m[3], `${what}: readelf printed neither bytes nor an expression`).toBeDefined();
              if (v.kind === 'exprloc' || [DW_AT.location, DW_AT.frame_base, DW_AT.data_member_location].includes(a.at as 2))
                expect(formatExpr(v.value, { addressSize: die.unit.addressSize, dwarf64: die.unit.dwarf64, version: die.unit.version }), what).toBe(m[3]);
              break;
            }
            case 'loclistx':
            case 'rnglistx':
              expect(BigInt(v.index), what).toBe(num(wa.text.replace(/^\(index: /, '')));
              break;
            default:
              throw new Error(`${what}: ${v.kind}`);
          }
          values++;
        });
      }
      expect(values).toBeGreaterThan(1000);
    });
  }
});

// ---- malformed input ----------------------------------------------------------------------------

const u16 = (n: number): number[] => [n & 0xff, n >> 8];
const u32 = (n: number): number[] => [n & 0xff, (n >> 8) & 0xff, (n >> 16) & 0xff, (n >>> 24) & 0xff];

describe('malformed .debug_info', () => {
  // abbrev 1: compile_unit, children, name string; abbrev 2: base_type, no children, name string
  const abbrev = new Uint8Array([1, 0x11, 1, 0x03, 0x08, 0, 0, 2, 0x24, 0, 0x03, 0x08, 0x0b, 0x0b, 0, 0, 0]);
  function unit(body: number[], version = 4): number[] {
    const header = version === 5 ? [...u16(5), 1, 8, ...u32(0)] : [...u16(version), ...u32(0), 8];
    return [...u32(header.length + body.length), ...header, ...body];
  }
  const good = unit([1, ...[...new TextEncoder().encode('cu.c'), 0], 2, 0x69, 0x6e, 0x74, 0, 4, 0]);

  it('reads a small unit', () => {
    const res = parseInfo(mapDwarfSource({ '.debug_info': new Uint8Array(good), '.debug_abbrev': abbrev }));
    expect(res.warnings).toEqual([]);
    expect(res.units[0]!.name).toBe('cu.c');
    expect(res.units[0]!.root!.children.map((d) => tagName(d.tag))).toEqual(['DW_TAG_base_type']);
  });

  it('an unknown abbreviation code, form or version is a warning naming .debug_info and the offset; later units still read', () => {
    const badCode = unit([1, 0x41, 0, 9, 0]);
    const badVersion = unit([1, 0x41, 0, 0], 7);
    const res = parseInfo(mapDwarfSource({ '.debug_info': new Uint8Array([...badCode, ...badVersion, ...good]), '.debug_abbrev': abbrev }));
    expect(res.warnings.length).toBe(2);
    expect(res.warnings[0]).toMatch(/\.debug_info at offset 0xe: abbreviation code 9/);
    expect(res.warnings[1]).toMatch(/unit version 7 is not 2-5/);
    expect(res.units.map((u) => u.name)).toEqual(['A', 'cu.c']);
  });

  it('a missing .debug_abbrev is a warning', () => {
    const res = parseInfo(mapDwarfSource({ '.debug_info': new Uint8Array(good) }));
    expect(res.units).toEqual([]);
    expect(res.warnings[0]).toMatch(/\.debug_abbrev .*missing/);
  });

  it('a bad string offset is an error naming .debug_str', () => {
    const ab = new Uint8Array([1, 0x11, 0, 0x03, 0x0e, 0, 0, 0]);
    const info = new Uint8Array(unit([1, ...u32(0x999)]));
    const src = mapDwarfSource({ '.debug_info': info, '.debug_abbrev': ab, '.debug_str': new Uint8Array([0x61, 0]) });
    const res = parseInfo(src);
    expect(res.warnings.join()).toMatch(/\.debug_str at offset 0x999/);
    expect(() => new Tables(src).attrString(res.units[0]!.root!, DW_AT.name)).toThrow(/\.debug_str at offset 0x999/);
  });
});
