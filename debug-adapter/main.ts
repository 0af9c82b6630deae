// dist/debug-adapter.js: the debug adapter as its own process (stdio, or --server=PORT).

import { runDebugAdapter } from './run';

const code = runDebugAdapter(process.argv.slice(2));
if (code !== undefined) process.exitCode = code;
