// Public face of the language server: the LSP adapter and its stdio entry point.

export { startServer, EXPLAIN_REQUEST, REFRESH_COMMAND, TOKEN_TYPES, type ServerHost } from './server.ts';
export { requestJson, RemoteError, type ServerEndpoint } from './remote.ts';
export { catalogFromJson, fetchServerCatalog, mergeCatalogs } from './remote-catalog.ts';
export { statementAt, type StatementText } from './statement-at.ts';
export { runStdioServer, loadWorkspaceCatalog, SCHEMA_FILES } from './main.ts';
