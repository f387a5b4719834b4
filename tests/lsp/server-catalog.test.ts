// `orbit lsp --stdio` with `serverUrl`: the catalog comes from a real server's REST API, merged over the schema file.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { scramVerifier } from '../../protocols/postgres/index.ts';
import { post, startRest, type RestServer } from '../protocols/http-support.ts';
import { startLsp, type Diagnostic, type LspClient } from '../support/lsp-client.ts';

let dir: string;
let rest: RestServer;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'orbit-lsp-remote-'));
  writeFileSync(join(dir, 'orbit.schema.oql'), 'CREATE TABLE file_only (x int);\nCREATE TABLE shared (a int);\n');
  rest = await startRest();
  await post(rest.base, { query: 'CREATE TABLE server_only (id int PRIMARY KEY, label text NOT NULL); CREATE TABLE shared (b text)' });
  await post(rest.base, { language: 'orbitql', query: 'DEFINE TABLE person SCHEMALESS; RELATE person:a->knows->person:b' });
});

afterAll(async () => {
  await rest.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** Completion labels at the `|` of `marked` (one line), in a document opened for the purpose; with `detail` when asked. */
async function completions(lsp: LspClient, uri: string, marked: string, withDetail = false): Promise<string[]> {
  const text = marked.replace('|', '');
  await lsp.nextDiagnostics(uri, () => void lsp.conn.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'orbitql', version: 1, text } }));
  const position = { line: 0, character: marked.indexOf('|') };
  const items = await lsp.conn.sendRequest<{ label: string; detail?: string }[]>('textDocument/completion', { textDocument: { uri }, position });
  await lsp.conn.sendNotification('textDocument/didClose', { textDocument: { uri } });
  return items.map((i) => (withDetail ? `${i.label}: ${i.detail ?? ''}` : i.label));
}

/** The diagnostics of `text` once the catalog in use is settled (a completion request waits for it). */
async function diagnosticsOf(lsp: LspClient, uri: string, text: string): Promise<Diagnostic[]> {
  await lsp.conn.sendRequest('textDocument/completion', { textDocument: { uri }, position: { line: 0, character: 0 } });
  return lsp.nextDiagnostics(uri, () => void lsp.conn.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'orbitql', version: 1, text } }));
}

describe('a live catalog from the server', () => {
  let lsp: LspClient;
  beforeAll(async () => {
    lsp = await startLsp(dir, { serverUrl: rest.base });
  });
  afterAll(async () => lsp.stop());

  test('completion offers a table that exists only on the server, and the schema file\'s too', async () => {
    const tables = await completions(lsp, lsp.uri('a.oql'), 'SELECT * FROM |');
    expect(tables).toContain('server_only');
    expect(tables).toContain('file_only');
    expect(tables).toContain('person');
    const columns = await completions(lsp, lsp.uri('b.oql'), 'SELECT s.| FROM server_only s', true);
    expect(columns).toEqual(expect.arrayContaining([expect.stringMatching(/^id: int/), expect.stringMatching(/^label: text/)]));
  });

  test('queries check against the merged catalog: the server\'s definition of a name wins', async () => {
    const diags = await diagnosticsOf(lsp, lsp.uri('c.oql'), 'SELECT label FROM server_only WHERE id = 1;\nSELECT x FROM file_only;\nSELECT b FROM shared;\nSELECT a FROM shared;\nSELECT ->knows->person FROM person');
    expect(diags.map((d) => [d.range.start.line, d.message.split(' (')[0]])).toEqual([[3, 'column "a" does not exist']]);
    await lsp.conn.sendNotification('textDocument/didClose', { textDocument: { uri: lsp.uri('c.oql') } });
  });

  test('orbit.refreshCatalog picks up a table created since', async () => {
    await post(rest.base, { query: 'CREATE TABLE created_later (n int)' });
    expect(await completions(lsp, lsp.uri('d.oql'), 'SELECT * FROM |')).not.toContain('created_later');
    const answer = await lsp.conn.sendRequest<{ source: string; relations: number }>('workspace/executeCommand', { command: 'orbit.refreshCatalog', arguments: [] });
    expect(answer.source).toBe('server');
    expect(answer.relations).toBe(6);
    expect(await completions(lsp, lsp.uri('e.oql'), 'SELECT * FROM |')).toContain('created_later');
  });

  test('a configuration change to an unreachable server warns once and falls back to the schema file', async () => {
    const before = lsp.messages.length;
    await lsp.conn.sendNotification('workspace/didChangeConfiguration', { settings: { orbit: { serverUrl: 'http://127.0.0.1:1' } } });
    const tables = await completions(lsp, lsp.uri('f.oql'), 'SELECT * FROM |');
    expect(tables).toContain('file_only');
    expect(tables).not.toContain('server_only');
    const warnings = lsp.messages.slice(before).filter((m) => m.includes('no catalog from'));
    // Logged to the output and shown to the user: the same one message.
    expect(new Set(warnings)).toEqual(new Set([expect.stringMatching(/^Orbit: no catalog from http:\/\/127\.0\.0\.1:1 \(cannot reach the Orbit server at http:\/\/127\.0\.0\.1:1: .+\); checking against the schema file instead\.$/)]));
    await lsp.conn.sendNotification('workspace/didChangeConfiguration', { settings: { orbit: { serverUrl: rest.base } } });
    expect(await completions(lsp, lsp.uri('g.oql'), 'SELECT * FROM |')).toContain('server_only');
  });
});

describe('credentials', () => {
  const token = 'lsp-test-token';
  let secured: RestServer;
  beforeAll(async () => {
    secured = await startRest({ users: { ann: scramVerifier('pw') }, tokens: { editor: createHash('sha256').update(token).digest('hex') } });
    await post(secured.base, { query: 'CREATE TABLE secret_table (id int)' }, { Authorization: `Bearer ${token}` });
  });
  afterAll(async () => secured.stop());

  test('user and password in the URL log in with Basic; serverToken with Bearer', async () => {
    for (const options of [{ serverUrl: `http://ann:pw@127.0.0.1:${secured.port}` }, { serverUrl: secured.base, serverToken: token }]) {
      const lsp = await startLsp(dir, options);
      try {
        expect(await completions(lsp, lsp.uri('h.oql'), 'SELECT * FROM |')).toContain('secret_table');
      } finally {
        await lsp.stop();
      }
    }
  });

  test('a refused login is reported, and the schema file still serves', async () => {
    const lsp = await startLsp(dir, { serverUrl: `http://ann:wrong@127.0.0.1:${secured.port}` });
    try {
      const tables = await completions(lsp, lsp.uri('i.oql'), 'SELECT * FROM |');
      expect(tables).toContain('file_only');
      expect(tables).not.toContain('secret_table');
      expect(lsp.messages).toContain(`Orbit: no catalog from http://ann@127.0.0.1:${secured.port} (authentication failed); checking against the schema file instead.`);
    } finally {
      await lsp.stop();
    }
  });
});
