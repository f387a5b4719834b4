// `orbit server` with the pg listener as a real process, and psql talking to it.
import { afterAll, beforeAll, expect, test } from 'bun:test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnServer } from '../support/server.ts';

let dir: string;
let proc: ReturnType<typeof Bun.spawn<'ignore', 'pipe', 'pipe'>>;
let port: number;
let firstLine: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'orbit-pgcli-'));
  ({ proc, firstLine, port } = await spawnServer(['--pg-port', '0', '--resp-port', 'off', '--data', join(dir, 'data')]));
});

afterAll(() => {
  if (proc.exitCode === null) proc.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

async function psql(...args: string[]): Promise<{ out: string; err: string; code: number }> {
  const p = Bun.spawn(['psql', '-X', '-h', '127.0.0.1', '-p', String(port), '-U', 'x', '-d', 'x', ...args], { stdout: 'pipe', stderr: 'pipe', env: { ...process.env, PGCONNECT_TIMEOUT: '5' } });
  const [out, err, code] = await Promise.all([new Response(p.stdout).text(), new Response(p.stderr).text(), p.exited]);
  return { out, err, code };
}

test('orbit server prints the pg listening line', () => {
  expect(firstLine).toMatch(/^orbit: pg listening on 127\.0\.0\.1:\d+$/);
  expect(port).toBeGreaterThan(0);
});

test('psql -c "select 1" prints the result table', async () => {
  const r = await psql('-c', 'select 1');
  expect(r.err).toBe('');
  expect(r.out).toBe(' ?column? \n----------\n        1\n(1 row)\n\n');
  expect(r.code).toBe(0);
});

test('psql runs DDL and DML, prints NULLs and reports errors with position', async () => {
  const r = await psql('-c', 'create table pets (id int primary key, name text)', '-c', "insert into pets values (1, 'rex'), (2, null)", '-c', 'select * from pets order by id');
  expect(r.out).toBe('CREATE TABLE\nINSERT 0 2\n id | name \n----+------\n  1 | rex\n  2 | \n(2 rows)\n\n');
  const bad = await psql('-c', 'select nope from pets');
  expect(bad.code).toBe(1);
  expect(bad.err).toContain('ERROR:  column "nope" does not exist');
  expect(bad.err).toContain('LINE 1: select nope from pets');
});

test('SIGTERM stops the server with exit code 0', async () => {
  proc.kill('SIGTERM');
  expect(await proc.exited).toBe(0);
});
