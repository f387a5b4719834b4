// `orbit lsp --stdio` as a child process, driven by a real JSON-RPC client (vscode-jsonrpc) speaking LSP.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createMessageConnection, StreamMessageReader, StreamMessageWriter, type MessageConnection } from 'vscode-jsonrpc/node';

const root = join(import.meta.dir, '..', '..');
let dir: string;
let child: ChildProcess;
let conn: MessageConnection;
const published = new Map<string, { range: { start: { line: number; character: number }; end: { line: number; character: number } }; message: string }[][]>();
let uri: string;

/** The next diagnostics published for `uri` after `action`. */
function nextDiagnostics(u: string, action: () => void) {
  const before = published.get(u)?.length ?? 0;
  action();
  return new Promise<{ range: { start: { line: number; character: number }; end: { line: number; character: number } }; message: string }[]>((resolve, reject) => {
    const started = Date.now();
    const poll = () => {
      const list = published.get(u) ?? [];
      if (list.length > before) resolve(list[list.length - 1]!);
      else if (Date.now() - started > 20000) reject(new Error('no diagnostics published'));
      else setTimeout(poll, 10);
    };
    poll();
  });
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'orbit-lsp-'));
  writeFileSync(join(dir, 'orbit.schema.oql'), 'CREATE TABLE people (id text PRIMARY KEY, name text NOT NULL, age int);\nCREATE TABLE orders (id int PRIMARY KEY, person text, total numeric(10,2));\n');
  uri = pathToFileURL(join(dir, 'q.oql')).href;
  child = spawn(process.execPath, ['run', join(root, 'runtime', 'cli', 'main.ts'), 'lsp', '--stdio'], { stdio: ['pipe', 'pipe', 'inherit'] });
  conn = createMessageConnection(new StreamMessageReader(child.stdout!), new StreamMessageWriter(child.stdin!));
  conn.onNotification('textDocument/publishDiagnostics', (p: { uri: string; diagnostics: never[] }) => {
    const list = published.get(p.uri) ?? [];
    list.push(p.diagnostics);
    published.set(p.uri, list);
  });
  conn.listen();
  const init = await conn.sendRequest<{ capabilities: Record<string, unknown> }>('initialize', {
    processId: process.pid,
    rootUri: pathToFileURL(dir).href,
    workspaceFolders: [{ uri: pathToFileURL(dir).href, name: 'w' }],
    capabilities: {},
  });
  expect(init.capabilities['hoverProvider']).toBe(true);
  await conn.sendNotification('initialized', {});
});

afterAll(async () => {
  await conn.sendRequest('shutdown');
  await conn.sendNotification('exit');
  await new Promise((r) => child.once('exit', r));
  conn.dispose();
  rmSync(dir, { recursive: true, force: true });
});

describe('orbit lsp --stdio', () => {
  test('didOpen publishes diagnostics with exact ranges; didChange republishes', async () => {
    const text = 'SELECT nme FROM people;\nSELECT FROM WHERE;\nSELECT name FROM people WHERE id = person:ada';
    const diags = await nextDiagnostics(uri, () => void conn.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'orbitql', version: 1, text } }));
    expect(diags.map((d) => [d.range, d.message.split(' (')[0]])).toEqual([
      [{ start: { line: 0, character: 7 }, end: { line: 0, character: 10 } }, 'column "nme" does not exist'],
      [{ start: { line: 1, character: 12 }, end: { line: 1, character: 17 } }, 'syntax error at or near "WHERE"'],
    ]);
    const fixed = await nextDiagnostics(uri, () =>
      void conn.sendNotification('textDocument/didChange', {
        textDocument: { uri, version: 2 },
        contentChanges: [{ range: { start: { line: 0, character: 7 }, end: { line: 0, character: 10 } }, text: 'name' }],
      }),
    );
    expect(fixed.length).toBe(1);
    expect(fixed[0]!.range.start).toEqual({ line: 1, character: 12 });
  });

  test('completion after FROM and after alias.', async () => {
    const u = pathToFileURL(join(dir, 'c.oql')).href;
    const text = 'SELECT * FROM ;\nSELECT p. FROM people p';
    await nextDiagnostics(u, () => void conn.sendNotification('textDocument/didOpen', { textDocument: { uri: u, languageId: 'orbitql', version: 1, text } }));
    const tables = await conn.sendRequest<{ label: string }[]>('textDocument/completion', { textDocument: { uri: u }, position: { line: 0, character: 14 } });
    expect(tables.map((i) => i.label)).toEqual(expect.arrayContaining(['people', 'orders']));
    const cols = await conn.sendRequest<{ label: string; detail: string }[]>('textDocument/completion', { textDocument: { uri: u }, position: { line: 1, character: 9 } });
    expect(cols.map((i) => i.label)).toEqual(['id', 'name', 'age']);
    expect(cols[1]!.detail).toBe('text not null (people)');
  });

  test('hover, definition, formatting, semantic tokens and explain', async () => {
    const u = pathToFileURL(join(dir, 'h.oql')).href;
    const text = 'SELECT p.name, count(*) FROM people p GROUP BY p.name;\nselect name from people where age>3';
    await nextDiagnostics(u, () => void conn.sendNotification('textDocument/didOpen', { textDocument: { uri: u, languageId: 'orbitql', version: 1, text } }));
    const hover = await conn.sendRequest<{ contents: { value: string } }>('textDocument/hover', { textDocument: { uri: u }, position: { line: 0, character: 30 } });
    expect(hover.contents.value).toContain('table `people`');
    const def = await conn.sendRequest<{ uri: string; range: { start: { character: number }; end: { character: number } } }>('textDocument/definition', { textDocument: { uri: u }, position: { line: 0, character: 7 } });
    expect(def.uri).toBe(u);
    expect([def.range.start.character, def.range.end.character]).toEqual([36, 37]);
    const edits = await conn.sendRequest<{ range: { start: { line: number } }; newText: string }[]>('textDocument/formatting', { textDocument: { uri: u }, options: { tabSize: 2, insertSpaces: true } });
    const second = edits.find((e) => e.range.start.line === 1);
    expect(second!.newText).toStartWith('SELECT name');
    const tokens = await conn.sendRequest<{ data: number[] }>('textDocument/semanticTokens/full', { textDocument: { uri: u } });
    // First token: SELECT at 0:0, 6 long, a keyword (index 0 of the legend).
    expect(tokens.data.slice(0, 5)).toEqual([0, 0, 6, 0, 0]);
    const help = await conn.sendRequest<{ signatures: { label: string }[]; activeParameter: number }>('textDocument/signatureHelp', { textDocument: { uri: u }, position: { line: 0, character: 21 } });
    expect(help.signatures[0]!.label).toStartWith('count(');
    const symbols = await conn.sendRequest<{ name: string }[]>('textDocument/documentSymbol', { textDocument: { uri: u } });
    expect(symbols.length).toBe(2);
    const explain = await conn.sendRequest<{ text: string }>('orbit/explain', { uri: u, position: { line: 0, character: 3 } });
    expect(explain.text).toContain('Scan');
  });
});
