// `kstack lsp`: the language server for editors other than VS Code (Neovim, Helix, Emacs...), the
// same one the extension starts (dist/language-server.js).

import { startServer } from './server';

const USAGE = `usage: kstack lsp --stdio | --node-ipc | --socket=PORT | --pipe=NAME

Serves the KStack language server for NASM-syntax assembly (.asm .nasm .inc .s) over the Language
Server Protocol: diagnostics from the assembler, hover, go to definition, references, symbols,
rename, completion and signature help. Editors start it with --stdio, for example:

  Neovim:  vim.lsp.start({ name = 'kstack', cmd = { 'kstack', 'lsp', '--stdio' } })
  Helix:   [language-server.kstack] command = "kstack", args = ["lsp", "--stdio"]

initializationOptions.includeDirs lists the -i directories used to resolve %include.`;

/** Starts the server when a transport is given; returns the exit code otherwise (undefined: keep running). */
export function runLanguageServer(args: string[]): number | undefined {
  if (args.includes('-h') || args.includes('--help')) {
    console.log(USAGE);
    return 0;
  }
  const transport = args.filter((a) => a === '--stdio' || a === '--node-ipc' || /^--(socket|pipe)=./.test(a) || /^--clientProcessId=\d+$/.test(a));
  const unknown = args.filter((a) => !transport.includes(a));
  if (unknown.length) {
    console.error(`kstack lsp: unknown option '${unknown[0]}'\n\n${USAGE}`);
    return 2;
  }
  if (!transport.some((a) => !a.startsWith('--clientProcessId'))) {
    console.error(`kstack lsp: give a transport (--stdio for most editors)\n\n${USAGE}`);
    return 2;
  }
  // vscode-languageserver reads the transport from process.argv
  startServer();
  return undefined;
}
