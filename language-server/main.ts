// Entry point of dist/language-server.js: the extension starts it through vscode-languageclient
// (`--node-ipc` or `--stdio` on the command line picks the transport).

import { startServer } from './server';

startServer();
