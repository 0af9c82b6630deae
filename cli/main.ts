// The `kstack` command (dist/cli.js): tour, run, asm, disasm, dap, lsp, demo.

import { runDemo } from './demo';
import { runTour } from './tour';
import { runCommand } from './run';
import { runAsm } from './asm';
import { runDisasm } from './disasm';
import { runDebugAdapter } from '../debug-adapter/run';
import { runLanguageServer } from '../language-server/run';
import pkg from '../package.json';

const USAGE = `usage: kstack <command> [options]

KStack: x86-64 system debugger. An x86-64 emulator written in TypeScript, wrapped in a VS Code
debugger.

commands:
  tour          the IST tour (npm start): boot examples/tour.asm, print its serial output, every
                interrupt and stack switch, and how deep each TSS stack went (kstack tour --help)
  demo          run a small x86-64 program (a prime sieve and CRC-32) in the emulator and print
                what it computed and how fast
  run FILE      boot a kernel on the emulated PC: stdout is its COM1 output (kstack run --help)
  asm FILE      assemble NASM syntax: -f bin|elf64|elf32 -o OUT (kstack asm --help)
  disasm FILE   disassemble a flat binary or ELF file, objdump-style (kstack disasm --help)
  dap           run the debug adapter on stdin/stdout or --server=PORT (kstack dap --help)
  lsp           serve the assembly language server to an editor: kstack lsp --stdio (kstack lsp --help)
  help          this text

options:
  -h, --help    this text
  -v, --version print the version`;

function main(argv: string[]): number | undefined {
  const [command, ...rest] = argv;
  switch (command) {
    case undefined:
      console.error(`kstack: no command given\n\n${USAGE}`);
      return 2;
    case 'help':
    case '-h':
    case '--help':
      console.log(USAGE);
      return 0;
    case '-v':
    case '--version':
      console.log(pkg.version);
      return 0;
    case 'tour': return runTour(rest);
    case 'run': return runCommand(rest);
    case 'asm': return runAsm(rest);
    case 'disasm': return runDisasm(rest);
    case 'dap': return runDebugAdapter(rest);
    case 'lsp': return runLanguageServer(rest);
    case 'demo':
      if (rest.includes('-h') || rest.includes('--help')) {
        console.log('usage: kstack demo\n\nRuns a prime sieve and CRC-32 (about 50 million x86-64 instructions) in the emulator.');
        return 0;
      }
      if (rest.length > 0) {
        console.error(`kstack demo: unexpected argument '${rest[0]}' (usage: kstack demo)`);
        return 2;
      }
      return runDemo();
    default:
      console.error(`kstack: unknown command '${command}'\n\n${USAGE}`);
      return 2;
  }
}

const code = main(process.argv.slice(2));
if (code !== undefined) process.exitCode = code;
