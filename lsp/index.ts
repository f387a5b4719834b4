// Public face of the language server: the LSP adapter and its stdio entry point.

export { startServer, EXPLAIN_REQUEST, TOKEN_TYPES, type ServerHost } from './server.ts';
export { runStdioServer, loadWorkspaceCatalog, SCHEMA_FILES } from './main.ts';
