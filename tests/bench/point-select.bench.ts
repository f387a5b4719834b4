// Benchmark (run by hand): prepared primary-key point SELECTs through the Session API, against DuckDB's native engine.
//   bun tests/bench/point-select.bench.ts [rows=100000] [seconds=3]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Engine } from '../../runtime/index.ts';

const rows = Number(process.argv[2] ?? 100_000);
const seconds = Number(process.argv[3] ?? 3);
const dir = mkdtempSync(join(tmpdir(), 'orbit-bench-point-'));

async function measure(label: string, fn: (i: number) => Promise<unknown> | unknown): Promise<number> {
  const until = performance.now() + seconds * 1000;
  let n = 0;
  while (performance.now() < until) {
    for (let j = 0; j < 1000; j++) await fn((n + j) % rows);
    n += 1000;
  }
  const perSec = n / seconds;
  console.log(`${label.padEnd(44)} ${Math.round(perSec).toLocaleString('en-US').padStart(12)} /s`);
  return perSec;
}

const engine = await Engine.open({ dataDir: dir });
const s = engine.session();
await s.execute('CREATE TABLE accounts (id int PRIMARY KEY, owner text, balance bigint)');
await s.execute(`INSERT INTO accounts SELECT i, 'owner ' || i, i * 10 FROM generate_series(0, ${rows - 1}) AS g(i)`);
await s.execute('ANALYZE accounts');

const prepared = s.prepare('SELECT owner, balance FROM accounts WHERE id = $1');
const orbitPrepared = await measure('orbit prepared point SELECT', (i) => prepared.execute([i]));
const orbitExecute = await measure('orbit session.execute point SELECT ($1)', (i) => s.execute('SELECT owner, balance FROM accounts WHERE id = $1', [i]));

let duck = 0;
try {
  const { DuckDBInstance } = await import('@duckdb/node-api');
  const db = await DuckDBInstance.create(':memory:');
  const c = await db.connect();
  await c.run(`CREATE TABLE accounts AS SELECT i::int AS id, 'owner ' || i AS owner, i * 10 AS balance FROM range(${rows}) t(i)`);
  await c.run('ALTER TABLE accounts ADD PRIMARY KEY (id)');
  const stmt = await c.prepare('SELECT owner, balance FROM accounts WHERE id = $1');
  duck = await measure('duckdb (native) prepared point SELECT', async (i) => {
    stmt.bindInteger(1, i);
    return (await stmt.runAndReadAll()).getRows();
  });
} catch (e) {
  console.log(`duckdb (native) skipped: ${(e as Error).message}`);
}
if (duck > 0) console.log(`ratio orbit/duckdb: prepared ${(orbitPrepared / duck).toFixed(2)}x, execute ${(orbitExecute / duck).toFixed(2)}x`);
await engine.close();
rmSync(dir, { recursive: true, force: true });
