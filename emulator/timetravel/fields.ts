// Generic capture and in-place restore of an object's state, field by field (for snapshots).
//
// capture(obj) copies every own field except the excluded names and functions (callbacks are
// wiring, not state): numbers, strings, booleans, bigints, null/undefined as they are; typed
// arrays, arrays, Maps, Sets and nested objects (plain or class instances) deeply. Objects in
// `shared` (the machine's other parts: the Cpu, the devices) are kept by reference, never copied,
// so references between devices survive. Error objects are kept by reference (diagnostics).
//
// restore(obj, saved) writes the saved values back *in place*: typed arrays are overwritten,
// arrays, Maps and Sets refilled, nested objects restored field by field when they are still of
// the same class. Whoever holds a reference to a part of the state keeps a live one.

export interface FieldPolicy {
  /** Own fields that are not state (caches, wiring, debugger settings): neither saved nor restored. */
  exclude: ReadonlySet<string>;
  /** Objects kept by reference wherever they appear (never copied). */
  shared: ReadonlySet<object>;
}

/** A captured object: its prototype and its saved fields. */
export interface Captured {
  readonly proto: object | null;
  readonly fields: Map<string, unknown>;
}

class Copy {
  constructor(
    readonly proto: object | null,
    readonly fields: Map<string, unknown>,
  ) {}
}

/** A value that cannot be captured: the path names the field. */
export class UncapturableField extends Error {}

const MAX_DEPTH = 12;

function isTyped(v: object): v is Int8Array | Uint8Array | Int16Array | Uint16Array | Int32Array | Uint32Array | Float32Array | Float64Array | Uint8ClampedArray {
  return ArrayBuffer.isView(v) && !(v instanceof DataView);
}

function copyValue(v: unknown, policy: FieldPolicy, path: string, depth: number): unknown {
  if (v === null || typeof v !== 'object') return v; // primitives; functions are handled by the caller
  if (policy.shared.has(v) || v instanceof Error) return v;
  if (depth > MAX_DEPTH) throw new UncapturableField(`${path}: nested too deep (a reference cycle? add the object to the shared set)`);
  if (isTyped(v)) return v.slice();
  if (v instanceof DataView || v instanceof ArrayBuffer) throw new UncapturableField(`${path}: a raw buffer (exclude it or use a typed array)`);
  if (Array.isArray(v)) return v.map((e, i) => (typeof e === 'function' ? e : copyValue(e, policy, `${path}[${i}]`, depth + 1)));
  if (v instanceof Map) {
    const m = new Map();
    for (const [k, e] of v) m.set(k, typeof e === 'function' ? e : copyValue(e, policy, `${path}.get(${String(k)})`, depth + 1));
    return m;
  }
  if (v instanceof Set) {
    const s = new Set();
    for (const e of v) s.add(typeof e === 'object' && e !== null ? copyValue(e, policy, `${path}{}`, depth + 1) : e);
    return s;
  }
  if (v instanceof Copy) return new Copy(v.proto, new Map([...v.fields].map(([k, e]) => [k, copyValue(e, policy, `${path}.${k}`, depth + 1)])));
  const fields = new Map<string, unknown>();
  for (const k of Object.keys(v)) {
    const e = (v as Record<string, unknown>)[k];
    fields.set(k, typeof e === 'function' ? e : copyValue(e, policy, `${path}.${k}`, depth + 1));
  }
  return new Copy(Object.getPrototypeOf(v) as object | null, fields);
}

/** Captures the state fields of `obj` (see the file header). Throws UncapturableField for a value it cannot copy. */
export function capture(obj: object, policy: FieldPolicy, name = 'object'): Captured {
  const fields = new Map<string, unknown>();
  for (const k of Object.keys(obj)) {
    if (policy.exclude.has(k)) continue;
    const v = (obj as Record<string, unknown>)[k];
    if (typeof v === 'function') continue;
    fields.set(k, copyValue(v, policy, `${name}.${k}`, 0));
  }
  return { proto: Object.getPrototypeOf(obj) as object | null, fields };
}

/** A fresh live value from a saved one (the snapshot itself is never handed out). */
function materialize(v: unknown): unknown {
  if (v === null || typeof v !== 'object') return v;
  if (v instanceof Copy) {
    const o = Object.create(v.proto) as Record<string, unknown>;
    for (const [k, e] of v.fields) o[k] = materialize(e);
    return o;
  }
  if (isTyped(v)) return v.slice();
  if (Array.isArray(v)) return v.map(materialize);
  if (v instanceof Map) return new Map([...v].map(([k, e]) => [k, materialize(e)]));
  if (v instanceof Set) return new Set([...v].map(materialize));
  return v; // shared objects and errors
}

/** Restores `saved` into the current value `cur` in place when possible; returns the value to store. */
function restoreValue(cur: unknown, saved: unknown): unknown {
  if (saved === null || typeof saved !== 'object') return saved;
  if (cur !== null && typeof cur === 'object') {
    if (isTyped(saved) && isTyped(cur) && cur.constructor === saved.constructor && cur.length === saved.length) {
      (cur as Uint8Array).set(saved as Uint8Array);
      return cur;
    }
    if (Array.isArray(saved) && Array.isArray(cur)) {
      cur.length = saved.length;
      for (let i = 0; i < saved.length; i++) cur[i] = restoreValue(cur[i], saved[i]);
      return cur;
    }
    if (saved instanceof Map && cur instanceof Map) {
      cur.clear();
      for (const [k, e] of saved) cur.set(k, materialize(e));
      return cur;
    }
    if (saved instanceof Set && cur instanceof Set) {
      cur.clear();
      for (const e of saved) cur.add(materialize(e));
      return cur;
    }
    if (saved instanceof Copy && Object.getPrototypeOf(cur) === saved.proto) {
      restoreInto(cur as Record<string, unknown>, saved.fields);
      return cur;
    }
  }
  return materialize(saved);
}

function restoreInto(obj: Record<string, unknown>, fields: Map<string, unknown>): void {
  for (const [k, v] of fields) {
    if (typeof v === 'function') {
      obj[k] = v;
      continue;
    }
    const cur = obj[k];
    const nv = restoreValue(cur, v);
    if (nv !== cur) obj[k] = nv;
  }
}

/** Writes a capture back into `obj` (in place; see the file header). */
export function restore(obj: object, saved: Captured): void {
  restoreInto(obj as Record<string, unknown>, saved.fields);
}

/** Rough size in bytes of a capture (for the memory budget). */
export function sizeOf(v: unknown, depth = 0): number {
  if (v === null || typeof v !== 'object' || depth > MAX_DEPTH) return 8;
  if (ArrayBuffer.isView(v)) return 32 + v.byteLength;
  if (Array.isArray(v)) return v.reduce((n: number, e) => n + sizeOf(e, depth + 1), 32);
  if (v instanceof Map) {
    let n = 48;
    for (const e of v.values()) n += 16 + sizeOf(e, depth + 1);
    return n;
  }
  if (v instanceof Set) return 48 + 16 * v.size;
  if (v instanceof Copy) return sizeOf(v.fields, depth + 1);
  if ('fields' in v && (v as Captured).fields instanceof Map) return sizeOf((v as Captured).fields, depth + 1);
  return 16;
}
