// Code lenses ("Explain" per statement) and quick fixes ("did you mean …?") from `orbit lsp --stdio`, driven by a real JSON-RPC client.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLsp, type LspClient, type Range } from './support/lsp-client.ts';

let dir: string;
let lsp: LspClient;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'orbit-lsp-lens-'));
  writeFileSync(join(dir, 'orbit.schema.oql'), 'CREATE TABLE users (id text PRIMARY KEY, name text NOT NULL, age int);\nCREATE TABLE readings (sensor text, ts timestamptz, temp float8);\n');
  lsp = await startLsp(dir);
  expect(lsp.capabilities['codeLensProvider']).toEqual({ resolveProvider: false });
  expect(lsp.capabilities['codeActionProvider']).toEqual({ codeActionKinds: ['quickfix'] });
});

afterAll(async () => {
  await lsp.stop();
  rmSync(dir, { recursive: true, force: true });
});

const open = (name: string, text: string) => lsp.open(name, text);

describe('code lens "Explain"', () => {
  test('one lens per statement with a plan, on its first word; its command shows the optimized plan', async () => {
    const text = 'LET $min = 18;\n\nSELECT name FROM users WHERE age >= $min;\n  SELECT time_bucket(15m, ts) AS b, avg(temp) FROM readings GROUP BY b FILL (linear);\nSELECT FROM WHERE;';
    const { uri } = await open('lens.oql', text);
    const lenses = await lsp.conn.sendRequest<{ range: Range; command: { title: string; command: string; arguments: [string, { line: number; character: number }] } }[]>('textDocument/codeLens', { textDocument: { uri } });
    expect(lenses.map((l) => [l.range.start, l.command.title, l.command.command])).toEqual([
      [{ line: 2, character: 0 }, 'Explain', 'orbit.explainQuery'],
      [{ line: 3, character: 2 }, 'Explain', 'orbit.explainQuery'],
    ]);
    const [docUri, position] = lenses[1]!.command.arguments;
    expect(docUri).toBe(uri);
    const plan = await lsp.conn.sendRequest<{ text: string; diagnostics: string[] }>('orbit/explain', { uri: docUri, position });
    expect(plan.diagnostics).toEqual([]);
    expect(plan.text.split('\n')[0]).toStartWith('Gap Fill');
    expect(plan.text).toContain('Seq Scan on readings');
    const first = await lsp.conn.sendRequest<{ text: string }>('orbit/explain', { uri, position: lenses[0]!.command.arguments[1] });
    expect(first.text).toContain('Seq Scan on users');
  });
});

describe('quick fix for a misspelled name', () => {
  test('table, column and function: "did you mean …?" replaces the name the binder reported', async () => {
    const text = 'SELECT name FROM usres;\nSELECT nmae FROM users;\nSELECT u.agee FROM users u;\nSELECT string::uper(name), lowr(name) FROM users';
    const { uri, diagnostics } = await open('fix.oql', text);
    expect(diagnostics.length).toBe(5);
    const actions = async (line: number, character: number) =>
      lsp.conn.sendRequest<{ title: string; kind: string; isPreferred: boolean; diagnostics: { message: string }[]; edit: { changes: Record<string, { range: Range; newText: string }[]> } }[]>('textDocument/codeAction', {
        textDocument: { uri },
        range: { start: { line, character }, end: { line, character } },
        context: { diagnostics: [] },
      });
    const table = await actions(0, 18);
    expect(table[0]!.title).toBe('Did you mean `users`?');
    expect(table[0]!.kind).toBe('quickfix');
    expect(table[0]!.isPreferred).toBe(true);
    expect(table[0]!.diagnostics[0]!.message).toContain('relation "usres" does not exist');
    expect(table[0]!.edit.changes[uri]).toEqual([{ range: { start: { line: 0, character: 17 }, end: { line: 0, character: 22 } }, newText: 'users' }]);

    const column = await actions(1, 8);
    expect(column.map((a) => a.title)).toEqual(['Did you mean `name`?']);
    expect(column[0]!.edit.changes[uri]![0]!.range).toEqual({ start: { line: 1, character: 7 }, end: { line: 1, character: 11 } });

    const qualified = await actions(2, 10);
    expect(qualified[0]!.title).toBe('Did you mean `age`?');
    expect(qualified[0]!.edit.changes[uri]).toEqual([{ range: { start: { line: 2, character: 9 }, end: { line: 2, character: 13 } }, newText: 'age' }]);

    const ns = await actions(3, 10);
    expect(ns[0]!.title).toBe('Did you mean `string::upper`?');
    const plain = await actions(3, 30);
    expect(plain[0]!.title).toBe('Did you mean `lower`?');

    // Applying the fixes leaves a document without diagnostics.
    const fixed = 'SELECT name FROM users;\nSELECT name FROM users;\nSELECT u.age FROM users u;\nSELECT string::upper(name), lower(name) FROM users';
    expect((await open('fixed.oql', fixed)).diagnostics).toEqual([]);
  });

  test('no fix when nothing is close, or outside a diagnostic', async () => {
    const { uri } = await open('nofix.oql', 'SELECT zzzzzz FROM users');
    const none = await lsp.conn.sendRequest<unknown[]>('textDocument/codeAction', { textDocument: { uri }, range: { start: { line: 0, character: 9 }, end: { line: 0, character: 9 } }, context: { diagnostics: [] } });
    expect(none).toEqual([]);
    const outside = await lsp.conn.sendRequest<unknown[]>('textDocument/codeAction', { textDocument: { uri }, range: { start: { line: 0, character: 20 }, end: { line: 0, character: 20 } }, context: { diagnostics: [] } });
    expect(outside).toEqual([]);
  });
});
