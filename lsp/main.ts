// The language server process: LSP over standard input/output, the catalog read from the workspace's schema file and, when configured, a running server.

import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createConnection, ProposedFeatures, StreamMessageReader, StreamMessageWriter } from 'vscode-languageserver/node';
import { catalogFromSchema, lineCol, MemoryCatalog, type Catalog } from '../compiler/index.ts';
import { fetchServerCatalog } from './remote-catalog.ts';
import { startServer } from './server.ts';

/** Schema files looked for at the root of each workspace folder, first found wins. */
export const SCHEMA_FILES = ['orbit.schema.oql', 'orbit.schema.sql'];

/**
 * The catalog of the first schema file found in the folders: `schemaFile` when given, else one of
 * `SCHEMA_FILES` (an empty catalog when there is none).
 */
export function loadWorkspaceCatalog(folders: readonly string[], schemaFile?: string): { catalog: Catalog; problems: string[] } {
  for (const uri of folders) {
    const dir = uri.startsWith('file:') ? fileURLToPath(uri) : uri;
    for (const name of schemaFile ? [schemaFile] : SCHEMA_FILES) {
      const path = join(dir, name);
      if (!existsSync(path)) continue;
      const text = readFileSync(path, 'utf8');
      const { catalog, diagnostics } = catalogFromSchema(text);
      const problems = diagnostics.map((d) => {
        const { line, col } = lineCol(text, d.span.start);
        return `${path}:${line}:${col}: ${d.message}`;
      });
      return { catalog, problems };
    }
  }
  return { catalog: new MemoryCatalog(), problems: [] };
}

/** Serves LSP on this process's standard input and output until the client exits. */
export function runStdioServer(): void {
  const connection = createConnection(ProposedFeatures.all, new StreamMessageReader(process.stdin), new StreamMessageWriter(process.stdout));
  startServer(connection, { loadCatalog: loadWorkspaceCatalog, loadServerCatalog: fetchServerCatalog });
}
