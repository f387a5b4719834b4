// `orbit lsp --stdio` as a child process driven by a real JSON-RPC client (vscode-jsonrpc), for the
// LSP tests: start it in a workspace folder, record what it publishes, open documents, shut down.

import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createMessageConnection, StreamMessageReader, StreamMessageWriter, type MessageConnection } from 'vscode-jsonrpc/node';

export interface Range {
  start: { line: number; character: number };
  end: { line: number; character: number };
}

export interface Diagnostic {
  range: Range;
  message: string;
  code?: string;
}

export interface LspClient {
  readonly conn: MessageConnection;
  /** The server's `initialize` answer. */
  readonly capabilities: Record<string, unknown>;
  /** Messages the server logged or showed (window/logMessage, window/showMessage), in order. */
  readonly messages: string[];
  /** The URI of file `name` in the workspace. */
  uri(name: string): string;
  /** Opens workspace file `name` with `text`; resolves with the diagnostics published for it. */
  open(name: string, text: string): Promise<{ uri: string; diagnostics: Diagnostic[] }>;
  /** The next diagnostics published for `uri` after `action`. */
  nextDiagnostics(uri: string, action: () => void): Promise<Diagnostic[]>;
  /** shutdown, exit, and the child's exit. */
  stop(): Promise<void>;
}

const cli = join(import.meta.dir, '..', '..', 'runtime', 'cli', 'main.ts');

/** Starts the server with `workspace` as its root and workspace folder, initialized (with `initializationOptions` when given). */
export async function startLsp(workspace: string, initializationOptions?: Record<string, unknown>): Promise<LspClient> {
  const child = spawn(process.execPath, ['run', cli, 'lsp', '--stdio'], { stdio: ['pipe', 'pipe', 'inherit'] });
  const conn = createMessageConnection(new StreamMessageReader(child.stdout!), new StreamMessageWriter(child.stdin!));
  const published = new Map<string, Diagnostic[][]>();
  conn.onNotification('textDocument/publishDiagnostics', (p: { uri: string; diagnostics: Diagnostic[] }) => {
    const list = published.get(p.uri) ?? [];
    list.push(p.diagnostics);
    published.set(p.uri, list);
  });
  const messages: string[] = [];
  conn.onNotification('window/logMessage', (p: { message: string }) => void messages.push(p.message));
  conn.onNotification('window/showMessage', (p: { message: string }) => void messages.push(p.message));
  conn.listen();
  const root = pathToFileURL(workspace).href;
  const init = await conn.sendRequest<{ capabilities: Record<string, unknown> }>('initialize', {
    processId: process.pid,
    rootUri: root,
    workspaceFolders: [{ uri: root, name: 'w' }],
    capabilities: {},
    ...(initializationOptions ? { initializationOptions } : {}),
  });
  await conn.sendNotification('initialized', {});
  const nextDiagnostics = (uri: string, action: () => void): Promise<Diagnostic[]> => {
    const before = published.get(uri)?.length ?? 0;
    action();
    return new Promise((resolve, reject) => {
      const started = Date.now();
      const poll = (): void => {
        const list = published.get(uri) ?? [];
        if (list.length > before) resolve(list[list.length - 1]!);
        else if (Date.now() - started > 20000) reject(new Error(`no diagnostics published for ${uri}`));
        else setTimeout(poll, 10);
      };
      poll();
    });
  };
  const uri = (name: string): string => pathToFileURL(join(workspace, name)).href;
  return {
    conn,
    capabilities: init.capabilities,
    messages,
    uri,
    nextDiagnostics,
    async open(name, text) {
      const u = uri(name);
      const diagnostics = await nextDiagnostics(u, () => void conn.sendNotification('textDocument/didOpen', { textDocument: { uri: u, languageId: 'orbitql', version: 1, text } }));
      return { uri: u, diagnostics };
    },
    async stop() {
      await conn.sendRequest('shutdown');
      await conn.sendNotification('exit');
      if (child.exitCode === null) await new Promise((r) => child.once('exit', r));
      conn.dispose();
    },
  };
}
