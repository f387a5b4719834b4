// Entry point of the bundled server (`server.js` in the VS Code extension): LSP on stdio.

import { runStdioServer } from './main.ts';

runStdioServer();
