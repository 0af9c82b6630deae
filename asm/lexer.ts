// The lexer: one source line to tokens, in NASM's rules for identifiers, numbers, strings and
// operators. Two modes: 'pp' (the preprocessor: `%define`, `%1`, `%%x`, `%+`, `%{1}` are tokens of
// their own) and 'asm' (after preprocessing: `%` and `%%` are the modulo operators).

export type TokKind =
  | 'id' // identifier, keyword, register, mnemonic; `$name` (escaped) keeps its `$` in `s`
  | 'num' // integer constant, value in `n`
  | 'float' // floating-point constant (text in `s`)
  | 'str' // quoted string, bytes in `b`
  | 'op' // operator or punctuation
  | 'ws' // spaces and tabs
  | 'pp' // preprocessor token starting with % (pp mode only)
  | 'here' // $
  | 'base' // $$
  | 'err'; // a character or construct that cannot be read; message in `err`

export interface Token {
  k: TokKind;
  s: string;
  /** 0-based start column on the source line (or on the line that produced it). */
  c: number;
  /** 0-based end column, exclusive. */
  e: number;
  n?: bigint;
  b?: Uint8Array;
  err?: string;
}

const OPS3 = ['<<<', '>>>', '<=>'];
const OPS2 = ['<<', '>>', '//', '%%', '==', '!=', '<>', '<=', '>=', '&&', '||', '^^'];
const OPS1 = '+-*/%&|^~!<>=?:,[](){}#@\\';

export function isIdStart(ch: string): boolean {
  return /[A-Za-z_.?@]/.test(ch);
}
export function isIdChar(ch: string): boolean {
  return /[A-Za-z0-9_$#@~.?]/.test(ch);
}

/** The name an identifier token stands for (`$eax` is the label `eax`). */
export function idName(t: Token): string {
  return t.s.startsWith('$') ? t.s.slice(1) : t.s;
}

const enc = new TextEncoder();

/** Decode the contents of a backquoted string (C-style escapes, `\u`/`\U` to UTF-8). */
export function unescapeBackquote(body: string): { bytes: Uint8Array; error?: string } {
  const out: number[] = [];
  let error: string | undefined;
  const pushUtf8 = (cp: number): void => {
    if (cp > 0x10ffff || cp < 0) {
      error = `\\u escape out of range (${cp.toString(16)})`;
      return;
    }
    for (const b of enc.encode(String.fromCodePoint(cp))) out.push(b);
  };
  for (let i = 0; i < body.length; i++) {
    const ch = body[i]!;
    if (ch !== '\\') {
      const cp = body.codePointAt(i)!;
      if (cp > 0x7f) {
        for (const b of enc.encode(String.fromCodePoint(cp))) out.push(b);
        if (cp > 0xffff) i++;
      } else out.push(cp);
      continue;
    }
    i++;
    if (i >= body.length) {
      out.push(0x5c);
      break;
    }
    const e = body[i]!;
    switch (e) {
      case "'": case '"': case '`': case '\\': case '?':
        out.push(e.charCodeAt(0));
        break;
      case 'a': out.push(7); break;
      case 'b': out.push(8); break;
      case 't': out.push(9); break;
      case 'n': out.push(10); break;
      case 'v': out.push(11); break;
      case 'f': out.push(12); break;
      case 'r': out.push(13); break;
      case 'e': out.push(27); break;
      case 'x': case 'X': {
        let v = 0;
        let n = 0;
        while (n < 2 && i + 1 < body.length && /[0-9A-Fa-f]/.test(body[i + 1]!)) {
          v = v * 16 + parseInt(body[i + 1]!, 16);
          i++;
          n++;
        }
        if (n === 0) out.push(e.charCodeAt(0));
        else out.push(v);
        break;
      }
      case 'u': case 'U': {
        const want = e === 'u' ? 4 : 8;
        let v = 0;
        let n = 0;
        while (n < want && i + 1 < body.length && /[0-9A-Fa-f]/.test(body[i + 1]!)) {
          v = v * 16 + parseInt(body[i + 1]!, 16);
          i++;
          n++;
        }
        if (n === 0) out.push(e.charCodeAt(0));
        else pushUtf8(v);
        break;
      }
      default:
        if (/[0-7]/.test(e)) {
          let v = parseInt(e, 8);
          let n = 1;
          while (n < 3 && i + 1 < body.length && /[0-7]/.test(body[i + 1]!)) {
            v = v * 8 + parseInt(body[i + 1]!, 8);
            i++;
            n++;
          }
          out.push(v & 0xff);
        } else {
          // an unknown escape stands for the character itself (NASM)
          const cp = body.codePointAt(i)!;
          for (const b of enc.encode(String.fromCodePoint(cp))) out.push(b);
          if (cp > 0xffff) i++;
        }
    }
  }
  return { bytes: Uint8Array.from(out), error };
}

function digitsIn(s: string, radix: number): boolean {
  if (s.length === 0) return false;
  const re = radix === 16 ? /^[0-9a-f]+$/i : radix === 10 ? /^[0-9]+$/ : radix === 8 ? /^[0-7]+$/ : /^[01]+$/;
  return re.test(s);
}

function toBig(s: string, radix: number): bigint {
  const prefix = radix === 16 ? '0x' : radix === 8 ? '0o' : radix === 2 ? '0b' : '';
  return BigInt(prefix + s);
}

/** Read an integer constant in any of NASM's forms; undefined if `text` is not one. */
export function parseInteger(text: string): bigint | undefined {
  let t = text;
  if (t.startsWith('$')) {
    const h = t.slice(1).replace(/_/g, '');
    return /^[0-9][0-9a-f]*$/i.test(h) ? toBig(h, 16) : undefined;
  }
  if (!/^[0-9]/.test(t)) return undefined;
  t = t.replace(/_/g, '');
  if (t.length > 2 && t[0] === '0') {
    const p = t[1]!.toLowerCase();
    const rest = t.slice(2);
    const radix = p === 'x' || p === 'h' ? 16 : p === 'd' || p === 't' ? 10 : p === 'o' || p === 'q' ? 8 : p === 'b' || p === 'y' ? 2 : 0;
    if (radix && digitsIn(rest, radix)) return toBig(rest, radix);
  }
  const last = t[t.length - 1]!.toLowerCase();
  const body = t.slice(0, -1);
  if (last === 'h' || last === 'x') return digitsIn(body, 16) ? toBig(body, 16) : undefined;
  if (last === 'd' || last === 't') return digitsIn(body, 10) ? toBig(body, 10) : undefined;
  if (last === 'q' || last === 'o') return digitsIn(body, 8) ? toBig(body, 8) : undefined;
  if (last === 'b' || last === 'y') return digitsIn(body, 2) ? toBig(body, 2) : undefined;
  return digitsIn(t, 10) ? toBig(t, 10) : undefined;
}

/** Does `text` look like a floating-point constant (`1.5`, `1e10`, `0x1.8p3`, `1.5e-3`)? */
export function looksFloat(text: string): boolean {
  const t = text.replace(/_/g, '');
  if (/^[0-9]+\.[0-9]*(e[+-]?[0-9]+)?$/i.test(t)) return true;
  if (/^[0-9]+e[+-]?[0-9]+$/i.test(t)) return true;
  if (/^0[xh][0-9a-f]*(\.[0-9a-f]*)?(p[+-]?[0-9]+)?$/i.test(t) && /[.p]/i.test(t)) return true;
  if (/^0[bydtoq][0-9]*\.[0-9]*(p[+-]?[0-9]+)?$/i.test(t)) return true;
  return false;
}

const lexCache = new Map<string, Token[]>();

/** Forget every cached line (benchmarks measure a cold assembly with it). */
export function clearLexCache(): void {
  lexCache.clear();
}

/**
 * Tokens of a line. The result is shared (cached by text): callers must not mutate the array or
 * its tokens.
 */
export function lexLine(line: string, mode: 'pp' | 'asm', colBase = 0): Token[] {
  if (line.length > 512) return lexLineUncached(line, mode, colBase);
  const key = `${mode}${colBase}|${line}`;
  let toks = lexCache.get(key);
  if (!toks) {
    if (lexCache.size > 20000) lexCache.clear();
    toks = lexLineUncached(line, mode, colBase);
    lexCache.set(key, toks);
  }
  return toks;
}

function lexLineUncached(line: string, mode: 'pp' | 'asm', colBase: number): Token[] {
  const toks: Token[] = [];
  const n = line.length;
  let i = 0;
  const push = (t: Token): void => {
    toks.push(t);
  };
  while (i < n) {
    const ch = line[i]!;
    const start = i;
    if (ch === ';') break;
    if (ch === ' ' || ch === '\t' || ch === '\r' || ch === '\f' || ch === '\v') {
      while (i < n && /[ \t\r\f\v]/.test(line[i]!)) i++;
      push({ k: 'ws', s: line.slice(start, i), c: colBase + start, e: colBase + i });
      continue;
    }
    if (ch === "'" || ch === '"' || ch === '`') {
      i++;
      let body = '';
      let closed = false;
      while (i < n) {
        const c = line[i]!;
        if (ch === '`' && c === '\\' && i + 1 < n) {
          body += c + line[i + 1]!;
          i += 2;
          continue;
        }
        if (c === ch) {
          closed = true;
          i++;
          break;
        }
        body += c;
        i++;
      }
      const s = line.slice(start, i);
      if (!closed) {
        push({ k: 'err', s, c: colBase + start, e: colBase + i, err: `unterminated string (missing closing ${ch})` });
        continue;
      }
      let bytes: Uint8Array;
      let err: string | undefined;
      if (ch === '`') ({ bytes, error: err } = unescapeBackquote(body));
      else bytes = enc.encode(body);
      push({ k: 'str', s, c: colBase + start, e: colBase + i, b: bytes, err });
      continue;
    }
    if (ch === '%' && mode === 'pp') {
      const nx = line[i + 1] ?? '';
      if (nx === '%' && isIdChar(line[i + 2] ?? '')) {
        i += 2;
        while (i < n && isIdChar(line[i]!)) i++;
        push({ k: 'pp', s: line.slice(start, i), c: colBase + start, e: colBase + i });
        continue;
      }
      if (nx === '$') {
        i += 2;
        while (line[i] === '$') i++;
        while (i < n && isIdChar(line[i]!)) i++;
        push({ k: 'pp', s: line.slice(start, i), c: colBase + start, e: colBase + i });
        continue;
      }
      if (nx === '+' && !/[0-9]/.test(line[i + 2] ?? '')) {
        i += 2;
        push({ k: 'pp', s: '%+', c: colBase + start, e: colBase + i });
        continue;
      }
      if (nx === '{') {
        let depth = 0;
        i++;
        while (i < n) {
          if (line[i] === '{') depth++;
          else if (line[i] === '}') {
            depth--;
            if (depth === 0) {
              i++;
              break;
            }
          }
          i++;
        }
        push({ k: 'pp', s: line.slice(start, i), c: colBase + start, e: colBase + i });
        continue;
      }
      if (nx === '[') {
        i += 2;
        push({ k: 'pp', s: '%[', c: colBase + start, e: colBase + i });
        continue;
      }
      if (/[0-9]/.test(nx) || ((nx === '-' || nx === '+') && /[0-9]/.test(line[i + 2] ?? ''))) {
        i += nx === '-' || nx === '+' ? 2 : 1;
        while (i < n && /[0-9]/.test(line[i]!)) i++;
        push({ k: 'pp', s: line.slice(start, i), c: colBase + start, e: colBase + i });
        continue;
      }
      if (nx === '?') {
        i += line[i + 2] === '?' ? 3 : 2;
        push({ k: 'pp', s: line.slice(start, i), c: colBase + start, e: colBase + i });
        continue;
      }
      if (nx === '!') {
        i += 2;
        if (line[i] === "'" || line[i] === '"') {
          const q = line[i]!;
          i++;
          while (i < n && line[i] !== q) i++;
          if (i < n) i++;
        } else while (i < n && isIdChar(line[i]!)) i++;
        push({ k: 'pp', s: line.slice(start, i), c: colBase + start, e: colBase + i });
        continue;
      }
      if (/[A-Za-z_]/.test(nx)) {
        i++;
        while (i < n && isIdChar(line[i]!)) i++;
        push({ k: 'pp', s: line.slice(start, i), c: colBase + start, e: colBase + i });
        continue;
      }
      if (nx === '*' && line[i + 2] === '?') {
        i += 3;
        push({ k: 'pp', s: line.slice(start, i), c: colBase + start, e: colBase + i });
        continue;
      }
      // fall through to operators
    }
    if (ch === '$') {
      const nx = line[i + 1] ?? '';
      if (nx === '$' && !isIdChar(line[i + 2] ?? '')) {
        i += 2;
        push({ k: 'base', s: '$$', c: colBase + start, e: colBase + i });
        continue;
      }
      if (/[0-9]/.test(nx)) {
        i++;
        while (i < n && /[0-9A-Za-z_]/.test(line[i]!)) i++;
        const s = line.slice(start, i);
        const v = parseInteger(s);
        if (v === undefined) push({ k: 'err', s, c: colBase + start, e: colBase + i, err: `invalid number '${s}'` });
        else push({ k: 'num', s, c: colBase + start, e: colBase + i, n: v });
        continue;
      }
      if (isIdChar(nx)) {
        i++;
        while (i < n && isIdChar(line[i]!)) i++;
        push({ k: 'id', s: line.slice(start, i), c: colBase + start, e: colBase + i });
        continue;
      }
      i++;
      push({ k: 'here', s: '$', c: colBase + start, e: colBase + i });
      continue;
    }
    if (/[0-9]/.test(ch)) {
      i++;
      while (i < n && /[0-9A-Za-z_.]/.test(line[i]!)) {
        i++;
        const sofar = line.slice(start, i).replace(/_/g, '');
        if ((line[i] === '+' || line[i] === '-') && /[0-9]/.test(line[i + 1] ?? '')) {
          const decExp = /^[0-9]+(\.[0-9]*)?e$/i.test(sofar);
          const hexExp = /^0[xh][0-9a-f]*(\.[0-9a-f]*)?p$/i.test(sofar) || /^[0-9]+(\.[0-9]*)?p$/i.test(sofar);
          if (decExp || hexExp) i++;
        }
      }
      const s = line.slice(start, i);
      const v = parseInteger(s);
      if (v !== undefined) push({ k: 'num', s, c: colBase + start, e: colBase + i, n: v });
      else if (looksFloat(s)) push({ k: 'float', s, c: colBase + start, e: colBase + i });
      else push({ k: 'err', s, c: colBase + start, e: colBase + i, err: `invalid number '${s}'` });
      continue;
    }
    if (isIdStart(ch) && !(ch === '?' && !isIdChar(line[i + 1] ?? ''))) {
      i++;
      while (i < n && isIdChar(line[i]!)) i++;
      push({ k: 'id', s: line.slice(start, i), c: colBase + start, e: colBase + i });
      continue;
    }
    const three = line.slice(i, i + 3);
    const two = line.slice(i, i + 2);
    if (OPS3.includes(three)) {
      i += 3;
      push({ k: 'op', s: three, c: colBase + start, e: colBase + i });
      continue;
    }
    if (OPS2.includes(two)) {
      i += 2;
      push({ k: 'op', s: two, c: colBase + start, e: colBase + i });
      continue;
    }
    if (OPS1.includes(ch)) {
      i++;
      push({ k: 'op', s: ch, c: colBase + start, e: colBase + i });
      continue;
    }
    // any other character (including non-ASCII outside strings)
    const cp = line.codePointAt(i)!;
    i += cp > 0xffff ? 2 : 1;
    push({ k: 'err', s: line.slice(start, i), c: colBase + start, e: colBase + i, err: `unexpected character '${line.slice(start, i)}'` });
  }
  return toks;
}

/** Tokens without whitespace. */
export function solid(toks: readonly Token[]): Token[] {
  return toks.filter((t) => t.k !== 'ws');
}

/** Text of tokens as written (whitespace tokens included). */
export function tokText(toks: readonly Token[]): string {
  let s = '';
  for (const t of toks) s += t.s;
  return s;
}

/** Re-read a preprocessor token in assembler mode (`%2` outside a macro is modulo 2). */
export function relexAsm(t: Token): Token[] {
  if (t.k !== 'pp') return [t];
  return lexLine(t.s, 'asm', t.c);
}

/** Split a line into its logical part before a comment: used to find a trailing backslash. */
export function stripComment(line: string): string {
  let q = '';
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (q) {
      if (q === '`' && ch === '\\') {
        i++;
        continue;
      }
      if (ch === q) q = '';
      continue;
    }
    if (ch === "'" || ch === '"' || ch === '`') q = ch;
    else if (ch === ';') return line.slice(0, i);
  }
  return line;
}
