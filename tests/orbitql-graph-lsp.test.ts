// `orbit lsp --stdio` completes edge tables after `->`/`<-` and the records' table after the second arrow.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLsp, type LspClient } from './support/lsp-client.ts';

let dir: string;
let lsp: LspClient;

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
  lsp = await startLsp(dir);
});

afterAll(async () => {
  await lsp.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function labels(u: string, line: number, character: number): Promise<{ label: string; detail?: string }[]> {
  return lsp.conn.sendRequest<{ label: string; detail?: string }[]>('textDocument/completion', { textDocument: { uri: u }, position: { line, character } });
}

describe('graph path completion', () => {
  test('edge tables after -> and <-, record tables after the second arrow', async () => {
    const text = 'SELECT -> FROM person;\nSELECT <-fol FROM person;\nSELECT ->follows-> FROM person;\nSELECT doc->';
    const { uri: u } = await lsp.open('g.oql', text);
    const afterOut = await labels(u, 0, 9);
    expect(afterOut.map((i) => i.label)).toEqual(['follows']);
    expect(afterOut[0]!.detail).toBe('edge table');
    expect((await labels(u, 1, 12)).map((i) => i.label)).toEqual(['follows']);
    expect((await labels(u, 2, 18)).map((i) => i.label)).toEqual(['person']);
    // After an operand `->` is PostgreSQL's JSON operator: no edge tables there.
    expect((await labels(u, 3, 12)).map((i) => i.label)).not.toContain('follows');
  });
});
