// `orbit lsp --stdio` completes edge tables after `->`/`<-` and the records' table after the second arrow.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createMessageConnection, StreamMessageReader, StreamMessageWriter, type MessageConnection } from 'vscode-jsonrpc/node';

const root = join(import.meta.dir, '..');
let dir: string;
let child: ChildProcess;
let conn: MessageConnection;
const published = new Set<string>();

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'orbit-lsp-graph-'));
  writeFileSync(
    join(dir, 'orbit.schema.oql'),
    [
      'CREATE TABLE person (id text PRIMARY KEY, doc jsonb NOT NULL);',
      'CREATE TABLE follows (id text PRIMARY KEY, "in" text NOT NULL, "out" text NOT NULL, doc jsonb NOT NULL);',
      'CREATE INDEX follows_in ON follows ("in", "out");',
      'CREATE INDEX follows_out ON follows ("out", "in");',
      '',
    ].join('\n'),
  );
  child = spawn(process.execPath, ['run', join(root, 'runtime', 'cli', 'main.ts'), 'lsp', '--stdio'], { stdio: ['pipe', 'pipe', 'inherit'] });
  conn = createMessageConnection(new StreamMessageReader(child.stdout!), new StreamMessageWriter(child.stdin!));
  conn.onNotification('textDocument/publishDiagnostics', (p: { uri: string }) => void published.add(p.uri));
  conn.listen();
  await conn.sendRequest('initialize', { processId: process.pid, rootUri: pathToFileURL(dir).href, workspaceFolders: [{ uri: pathToFileURL(dir).href, name: 'w' }], capabilities: {} });
  await conn.sendNotification('initialized', {});
});

afterAll(async () => {
  await conn.sendRequest('shutdown');
  await conn.sendNotification('exit');
  await new Promise((r) => child.once('exit', r));
  rmSync(dir, { recursive: true, force: true });
});

async function labels(u: string, line: number, character: number): Promise<{ label: string; detail?: string }[]> {
  return conn.sendRequest<{ label: string; detail?: string }[]>('textDocument/completion', { textDocument: { uri: u }, position: { line, character } });
}

describe('graph path completion', () => {
  test('edge tables after -> and <-, record tables after the second arrow', async () => {
    const u = pathToFileURL(join(dir, 'g.oql')).href;
    const text = 'SELECT -> FROM person;\nSELECT <-fol FROM person;\nSELECT ->follows-> FROM person;\nSELECT doc->';
    await conn.sendNotification('textDocument/didOpen', { textDocument: { uri: u, languageId: 'orbitql', version: 1, text } });
    const start = Date.now();
    while (!published.has(u) && Date.now() - start < 20000) await new Promise((r) => setTimeout(r, 10));
    const afterOut = await labels(u, 0, 9);
    expect(afterOut.map((i) => i.label)).toEqual(['follows']);
    expect(afterOut[0]!.detail).toBe('edge table');
    expect((await labels(u, 1, 12)).map((i) => i.label)).toEqual(['follows']);
    expect((await labels(u, 2, 18)).map((i) => i.label)).toEqual(['person']);
    // After an operand `->` is PostgreSQL's JSON operator: no edge tables there.
    expect((await labels(u, 3, 12)).map((i) => i.label)).not.toContain('follows');
  });
});
