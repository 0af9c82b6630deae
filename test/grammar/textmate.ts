// Tokenizes NASM source with the committed grammar through vscode-textmate + vscode-oniguruma, the
// engine VS Code itself uses, so that what the tests see is what the editor shows.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as oniguruma from 'vscode-oniguruma';
import * as vsctm from 'vscode-textmate';

export const ROOT = process.env.KSTACK_ROOT ?? join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const GRAMMAR_FILE = join(ROOT, 'syntaxes', 'nasm.tmLanguage.json');
export const SCOPE = 'source.nasm';

export interface Token {
  /** 1-based line, 0-based column (as in the snapshots: `line:col`). */
  line: number;
  col: number;
  text: string;
  /** Scopes, outermost first, without the root scope. */
  scopes: string[];
}

let grammarPromise: Promise<vsctm.IGrammar> | undefined;

export function loadGrammar(): Promise<vsctm.IGrammar> {
  grammarPromise ??= (async () => {
    const wasm = readFileSync(join(ROOT, 'node_modules', 'vscode-oniguruma', 'release', 'onig.wasm'));
    await oniguruma.loadWASM(wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength) as ArrayBuffer);
    const registry = new vsctm.Registry({
      onigLib: Promise.resolve({
        createOnigScanner: (patterns: string[]) => new oniguruma.OnigScanner(patterns),
        createOnigString: (s: string) => new oniguruma.OnigString(s),
      }),
      loadGrammar: async (scopeName: string) =>
        scopeName === SCOPE ? vsctm.parseRawGrammar(readFileSync(GRAMMAR_FILE, 'utf8'), GRAMMAR_FILE) : null,
    });
    const g = await registry.loadGrammar(SCOPE);
    if (!g) throw new Error(`grammar ${SCOPE} did not load`);
    return g;
  })();
  return grammarPromise;
}

/** Every token of `text` (whitespace-only tokens left out). */
export async function tokenize(text: string): Promise<Token[]> {
  const g = await loadGrammar();
  const out: Token[] = [];
  let state: vsctm.StateStack = vsctm.INITIAL;
  const lines = text.split(/\r?\n/);
  if (lines.length > 1 && lines[lines.length - 1] === '') lines.pop();
  lines.forEach((lineText, i) => {
    const r = g.tokenizeLine(lineText, state);
    for (const t of r.tokens) {
      const s = lineText.slice(t.startIndex, t.endIndex);
      if (s.trim() === '') continue;
      out.push({ line: i + 1, col: t.startIndex, text: s, scopes: t.scopes.filter((x) => x !== SCOPE) });
    }
    state = r.ruleStack;
  });
  return out;
}

/** The snapshot text: one line per token, `line:col "text" -> scopes` (`-` when it has none). */
export function formatTokens(tokens: readonly Token[]): string {
  return tokens.map((t) => `${t.line}:${t.col} ${JSON.stringify(t.text)} -> ${t.scopes.length ? t.scopes.join(' ') : '-'}`).join('\n') + '\n';
}
