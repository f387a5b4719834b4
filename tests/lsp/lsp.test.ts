// `orbit lsp --stdio` as a child process, driven by a real JSON-RPC client (vscode-jsonrpc) speaking LSP.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLsp, type LspClient } from '../support/lsp-client.ts';

let dir: string;
let lsp: LspClient;
let uri: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'orbit-lsp-'));
  writeFileSync(join(dir, 'orbit.schema.oql'), 'CREATE TABLE people (id text PRIMARY KEY, name text NOT NULL, age int);\nCREATE TABLE orders (id int PRIMARY KEY, person text, total numeric(10,2));\n');
  lsp = await startLsp(dir);
  uri = lsp.uri('q.oql');
  expect(lsp.capabilities['hoverProvider']).toBe(true);
});

afterAll(async () => {
  await lsp.stop();
  rmSync(dir, { recursive: true, force: true });
});

const nextDiagnostics = (u: string, action: () => void) => lsp.nextDiagnostics(u, action);

describe('orbit lsp --stdio', () => {
  test('didOpen publishes diagnostics with exact ranges; didChange republishes', async () => {
    const text = 'SELECT nme FROM people;\nSELECT FROM WHERE;\nSELECT name FROM people WHERE id = person:ada';
    const diags = await nextDiagnostics(uri, () => void lsp.conn.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'orbitql', version: 1, text } }));
    expect(diags.map((d) => [d.range, d.message.split(' (')[0]])).toEqual([
      [{ start: { line: 0, character: 7 }, end: { line: 0, character: 10 } }, 'column "nme" does not exist'],
      [{ start: { line: 1, character: 12 }, end: { line: 1, character: 17 } }, 'syntax error at or near "WHERE"'],
    ]);
    const fixed = await nextDiagnostics(uri, () =>
      void lsp.conn.sendNotification('textDocument/didChange', {
        textDocument: { uri, version: 2 },
        contentChanges: [{ range: { start: { line: 0, character: 7 }, end: { line: 0, character: 10 } }, text: 'name' }],
      }),
    );
    expect(fixed.length).toBe(1);
    expect(fixed[0]!.range.start).toEqual({ line: 1, character: 12 });
  });

  test('completion after FROM and after alias.', async () => {
    const u = lsp.uri('c.oql');
    const text = 'SELECT * FROM ;\nSELECT p. FROM people p';
    await nextDiagnostics(u, () => void lsp.conn.sendNotification('textDocument/didOpen', { textDocument: { uri: u, languageId: 'orbitql', version: 1, text } }));
    const tables = await lsp.conn.sendRequest<{ label: string }[]>('textDocument/completion', { textDocument: { uri: u }, position: { line: 0, character: 14 } });
    expect(tables.map((i) => i.label)).toEqual(expect.arrayContaining(['people', 'orders']));
    const cols = await lsp.conn.sendRequest<{ label: string; detail: string }[]>('textDocument/completion', { textDocument: { uri: u }, position: { line: 1, character: 9 } });
    expect(cols.map((i) => i.label)).toEqual(['id', 'name', 'age']);
    expect(cols[1]!.detail).toBe('text not null (people)');
  });

  test('hover, definition, formatting, semantic tokens and explain', async () => {
    const u = lsp.uri('h.oql');
    const text = 'SELECT p.name, count(*) FROM people p GROUP BY p.name;\nselect name from people where age>3';
    await nextDiagnostics(u, () => void lsp.conn.sendNotification('textDocument/didOpen', { textDocument: { uri: u, languageId: 'orbitql', version: 1, text } }));
    const hover = await lsp.conn.sendRequest<{ contents: { value: string } }>('textDocument/hover', { textDocument: { uri: u }, position: { line: 0, character: 30 } });
    expect(hover.contents.value).toContain('table `people`');
    const def = await lsp.conn.sendRequest<{ uri: string; range: { start: { character: number }; end: { character: number } } }>('textDocument/definition', { textDocument: { uri: u }, position: { line: 0, character: 7 } });
    expect(def.uri).toBe(u);
    expect([def.range.start.character, def.range.end.character]).toEqual([36, 37]);
    const edits = await lsp.conn.sendRequest<{ range: { start: { line: number } }; newText: string }[]>('textDocument/formatting', { textDocument: { uri: u }, options: { tabSize: 2, insertSpaces: true } });
    const second = edits.find((e) => e.range.start.line === 1);
    expect(second!.newText).toStartWith('SELECT name');
    const tokens = await lsp.conn.sendRequest<{ data: number[] }>('textDocument/semanticTokens/full', { textDocument: { uri: u } });
    // First token: SELECT at 0:0, 6 long, a keyword (index 0 of the legend).
    expect(tokens.data.slice(0, 5)).toEqual([0, 0, 6, 0, 0]);
    const help = await lsp.conn.sendRequest<{ signatures: { label: string }[]; activeParameter: number }>('textDocument/signatureHelp', { textDocument: { uri: u }, position: { line: 0, character: 21 } });
    expect(help.signatures[0]!.label).toStartWith('count(');
    const symbols = await lsp.conn.sendRequest<{ name: string }[]>('textDocument/documentSymbol', { textDocument: { uri: u } });
    expect(symbols.length).toBe(2);
    const explain = await lsp.conn.sendRequest<{ text: string }>('orbit/explain', { uri: u, position: { line: 0, character: 3 } });
    expect(explain.text).toContain('Scan');
  });
});
