// The VS Code extension: its manifest, its TextMate grammar's keywords against the Ohm grammar's, and
// the bundles it ships (the client, and the language server running under Node over stdio).
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createMessageConnection, StreamMessageReader, StreamMessageWriter } from 'vscode-jsonrpc/node';
import { orbitGrammar } from '../../compiler/frontends/orbitql/index.ts';
import { post, startRest } from '../protocols/http-support.ts';

const root = join(import.meta.dir, '..', '..');
const ext = join(root, 'vscode-extension');
const manifest = JSON.parse(readFileSync(join(ext, 'package.json'), 'utf8'));
let out: string;

beforeAll(() => {
  out = mkdtempSync(join(tmpdir(), 'orbit-ext-'));
});
afterAll(() => rmSync(out, { recursive: true, force: true }));

describe('manifest', () => {
  test('contributes the orbitql language, its grammar, configuration, settings and commands', () => {
    const lang = manifest.contributes.languages[0];
    expect(lang.id).toBe('orbitql');
    expect(lang.extensions).toEqual(['.oql']);
    expect(existsSync(join(ext, lang.configuration))).toBe(true);
    const grammar = manifest.contributes.grammars[0];
    expect(grammar.language).toBe('orbitql');
    expect(existsSync(join(ext, grammar.path))).toBe(true);
    expect(manifest.activationEvents).toContain('onLanguage:orbitql');
    expect(Object.keys(manifest.contributes.configuration.properties).sort()).toEqual(['orbit.schemaFile', 'orbit.serverToken', 'orbit.serverUrl']);
    expect(manifest.contributes.configuration.properties['orbit.serverUrl'].type).toBe('string');
    expect(manifest.contributes.commands).toEqual([
      { command: 'orbit.explainQuery', title: 'Orbit: Explain Query' },
      { command: 'orbit.runQuery', title: 'Orbit: Run Query' },
      { command: 'orbit.refreshCatalog', title: 'Orbit: Refresh Catalog' },
    ]);
    expect(manifest.main).toBe('./dist/extension.js');
    expect(manifest.scripts.build).toContain('dist/server.js');
  });

  test('language configuration: comments and brackets', () => {
    const conf = JSON.parse(readFileSync(join(ext, 'language-configuration.json'), 'utf8'));
    expect(conf.comments).toEqual({ lineComment: '--', blockComment: ['/*', '*/'] });
    expect(conf.brackets).toContainEqual(['{', '}']);
  });

  test('the TextMate keywords are the Ohm grammar\'s keyword rules', () => {
    const tm = JSON.parse(readFileSync(join(ext, 'syntaxes', 'orbitql.tmLanguage.json'), 'utf8'));
    const match = /\(\?:(.*)\)/.exec(tm.repository.keywords.match as string)![1]!;
    const fromGrammar: string[] = [];
    const rules = (orbitGrammar as unknown as { rules: Record<string, unknown> }).rules;
    for (const r in rules) if (/^[A-Z][A-Z_]+$/.test(r)) fromGrammar.push(r.toLowerCase());
    expect(match.split('|').sort()).toEqual(fromGrammar.sort());
  });
});

describe('bundles', () => {
  test('the client bundles with vscode left external', () => {
    const r = spawnSync(process.execPath, ['build', join(ext, 'src', 'extension.ts'), '--target=node', '--format=cjs', '--external', 'vscode', '--outfile', join(out, 'extension.js')], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    const js = readFileSync(join(out, 'extension.js'), 'utf8');
    expect(js).toContain('require("vscode")');
    expect(js).toContain('orbit.explainQuery');
    // Run Query posts to the REST API; the `orbit` settings are synchronized to the language server.
    expect(js).toContain('orbit.runQuery');
    expect(js).toContain('/v1/query');
    expect(js).toContain('configurationSection');
  });

  test('the bundled server runs under Node and answers LSP over stdio', async () => {
    const r = spawnSync(process.execPath, ['build', join(root, 'lsp', 'stdio.ts'), '--target=node', '--format=cjs', '--outfile', join(out, 'server.js')], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    writeFileSync(join(out, 'orbit.schema.sql'), 'CREATE TABLE t (id int PRIMARY KEY, v text);');
    const child = spawn('node', [join(out, 'server.js'), '--stdio'], { stdio: ['pipe', 'pipe', 'inherit'] });
    const conn = createMessageConnection(new StreamMessageReader(child.stdout!), new StreamMessageWriter(child.stdin!));
    const diagnostics = new Promise<{ message: string }[]>((resolve) => conn.onNotification('textDocument/publishDiagnostics', (p: { diagnostics: { message: string }[] }) => resolve(p.diagnostics)));
    conn.listen();
    await conn.sendRequest('initialize', { processId: process.pid, rootUri: pathToFileURL(out).href, capabilities: {} });
    await conn.sendNotification('initialized', {});
    const uri = pathToFileURL(join(out, 'a.oql')).href;
    await conn.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'orbitql', version: 1, text: 'SELECT w FROM t' } });
    expect((await diagnostics).map((d) => d.message)).toEqual(['column "w" does not exist']);
    await conn.sendRequest('shutdown');
    await conn.sendNotification('exit');
    await new Promise((res) => child.once('exit', res));
    conn.dispose();
  });

  test('the bundled server under Node reads its catalog from a server\'s REST API', async () => {
    const rest = await startRest();
    await post(rest.base, { query: 'CREATE TABLE live_only (id int PRIMARY KEY, note text)' });
    const child = spawn('node', [join(out, 'server.js'), '--stdio'], { stdio: ['pipe', 'pipe', 'inherit'] });
    const conn = createMessageConnection(new StreamMessageReader(child.stdout!), new StreamMessageWriter(child.stdin!));
    conn.listen();
    try {
      await conn.sendRequest('initialize', { processId: process.pid, rootUri: pathToFileURL(out).href, capabilities: {}, initializationOptions: { serverUrl: rest.base } });
      await conn.sendNotification('initialized', {});
      const uri = pathToFileURL(join(out, 'b.oql')).href;
      await conn.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'orbitql', version: 1, text: 'SELECT  FROM live_only' } });
      const items = await conn.sendRequest<{ label: string }[]>('textDocument/completion', { textDocument: { uri }, position: { line: 0, character: 7 } });
      expect(items.map((i) => i.label)).toEqual(expect.arrayContaining(['id', 'note']));
      await conn.sendRequest('shutdown');
      await conn.sendNotification('exit');
      await new Promise((res) => child.once('exit', res));
    } finally {
      conn.dispose();
      await rest.stop();
    }
  });
});
