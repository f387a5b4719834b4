// Benchmark (run by hand): TPC-H Q1 Q3 Q5 Q6 Q10 Q12 Q14 Q19 on Orbit, duckdb-wasm and native DuckDB over the same generated data.
//   bun tests/bench/tpch.bench.ts [sf=0.1] [--runs=3] [--engines=orbit,wasm,native] [--queries=q1,q6] [--seed=1] [--orbit-data=DIR]

import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDuckDb, openNativeDuckDb, type DuckDb, type NativeDuckDb } from '../support/duckdb.ts';
import { compareResults } from '../support/random-sql.ts';
import type { Engine, Session } from '../../runtime/index.ts';
import { startRssSampler } from './rss-sampler.ts';
import { TPCH_COLUMNS, TPCH_QUERIES, TPCH_TABLES, tpchArrowIpc, tpchDdl, tpchRows, writeTpchCsv, type TpchTable } from '../support/tpch-gen.ts';

type QueryName = keyof typeof TPCH_QUERIES;
type EngineName = 'orbit' | 'wasm' | 'native';

const args = process.argv.slice(2);
const flag = (name: string): string | undefined => args.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
const sf = Number(args.find((a) => !a.startsWith('--')) ?? '0.1');
const runs = Number(flag('runs') ?? '3');
const seed = Number(flag('seed') ?? '1');
const engines = new Set((flag('engines') ?? 'orbit,wasm,native').split(',') as EngineName[]);
const queryNames = (flag('queries')?.split(',') ?? Object.keys(TPCH_QUERIES)) as QueryName[];
/** A data directory Orbit keeps between runs: loaded on the first, reused after (same sf and seed). */
const orbitData = flag('orbit-data');
const reuse = orbitData !== undefined;

const fixtureDir = join(import.meta.dir, '..', 'fixtures', 'tpch', 'queries');

/** The query text: the shared fixture (tests/fixtures/tpch/queries/qNN.sql) when present, else our copy. */
function queryText(q: QueryName): string {
  const path = join(fixtureDir, `q${q.slice(1).padStart(2, '0')}.sql`);
  if (!existsSync(path)) return TPCH_QUERIES[q];
  return readFileSync(path, 'utf8').replace(/;\s*$/, '');
}

const ms = (t0: number): number => performance.now() - t0;
const rssMb = (): number => Math.round(process.memoryUsage().rss / 1_048_576);
const peakRssMb = (): number => Math.round(process.resourceUsage().maxRSS / 1024);

function log(msg: string): void {
  console.log(`[${new Date().toISOString().slice(11, 19)}] ${msg} (rss ${rssMb()} MB)`);
}

/**
 * Median wall and CPU time of timed runs after one warm-up run; `run` returns the row count.
 * CPU time (this process, all threads) is the steadier figure on a shared machine for the
 * single-threaded engines (Orbit, duckdb-wasm); native DuckDB runs threads in parallel.
 */
async function time(run: () => Promise<number> | number): Promise<{ ms: number; cpuMs: number; rows: number }> {
  let rows = await run();
  const samples: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    rows = await run();
    const c = process.cpuUsage(c0);
    samples.push(ms(t0));
    cpu.push((c.user + c.system) / 1000);
  }
  const median = (xs: number[]): number => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  return { ms: median(samples), cpuMs: median(cpu), rows };
}

// ---------------------------------------------------------------------------------------------
// Orbit, if the runtime is there

interface OrbitHandle {
  /** Runs a query, returns its rows (IR conventions). */
  query(sql: string): Promise<unknown[][]>;
  close(): Promise<void>;
}

type CsvImport = (engine: unknown, table: string, path: string) => Promise<number>;

function isCsvImport(v: unknown): v is CsvImport {
  return typeof v === 'function';
}

async function openOrbit(dataDir: string, csv: () => Record<string, string>): Promise<OrbitHandle | string> {
  let runtime: typeof import('../../runtime/index.ts');
  try {
    runtime = await import('../../runtime/index.ts');
  } catch (e) {
    return `skipped: the Orbit runtime does not load (${(e as Error).message.split('\n')[0]})`;
  }
  if (typeof runtime.Engine?.open !== 'function') return 'skipped: runtime/index.ts exports no Engine';
  const engine = await runtime.Engine.open({ dataDir });
  const session = engine.session();
  if (reuse && engine.catalog.getRelation(undefined, 'lineitem')) {
    log(`orbit: reusing the data loaded in ${dataDir}`);
    return handle(runtime, engine, session);
  }
  for (const table of TPCH_TABLES) await session.execute(tpchDdl(table));
  // The bulk path `orbit import` uses; the module is internal, so it is looked up, not imported by type.
  const importPath = '../../runtime/engine/import.ts';
  const importCsv: unknown = await import(importPath).then((m: Record<string, unknown>) => m.importCsv, () => undefined);
  if (isCsvImport(importCsv)) {
    const paths = csv();
    for (const table of TPCH_TABLES) {
      const t0 = performance.now();
      const n = await importCsv(engine, table, paths[table]!);
      log(`orbit: imported ${n.toLocaleString('en-US')} ${table} rows in ${(ms(t0) / 1000).toFixed(1)} s`);
    }
  } else {
    log('orbit: no CSV import found; loading with INSERT statements (slow)');
    for (const table of TPCH_TABLES) await insertRows(table, (sql) => session.execute(sql));
  }
  await session.execute(`ANALYZE ${TPCH_TABLES.join(', ')}`).catch(() => session.execute('ANALYZE'));
  return handle(runtime, engine, session);
}

type Runtime = typeof import('../../runtime/index.ts');

function handle(runtime: Runtime, engine: Engine, session: Session): OrbitHandle {
  return {
    async query(sql) {
      const results = await session.execute(sql);
      const last = results[results.length - 1];
      return last ? runtime.resultRows(last) : [];
    },
    async close() {
      session.close();
      await engine.close();
    },
  };
}

/** Fallback load: multi-row INSERTs of generated rows. */
async function insertRows(table: TpchTable, exec: (sql: string) => Promise<unknown>): Promise<void> {
  const cols = TPCH_COLUMNS[table];
  const literal = (v: number | string, i: number): string => {
    if (cols[i]!.kind === 'date') return `DATE '${new Date(Number(v) * 86_400_000).toISOString().slice(0, 10)}'`;
    return typeof v === 'number' ? String(v) : `'${v.replaceAll("'", "''")}'`;
  };
  for (const chunk of tpchRows(table, { sf, seed, batchRows: 1000 })) {
    await exec(`INSERT INTO ${table} VALUES ${chunk.map((r) => `(${r.map(literal).join(', ')})`).join(', ')}`);
  }
}

// ---------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'orbit-bench-tpch-'));
  let csvPaths: Record<string, string> | undefined;
  const csv = (): Record<string, string> => {
    if (!csvPaths) {
      const t0 = performance.now();
      csvPaths = writeTpchCsv(join(dir, 'csv'), { sf, seed });
      log(`wrote CSV files in ${(ms(t0) / 1000).toFixed(1)} s`);
    }
    return csvPaths;
  };
  const notes: string[] = [];
  let wasm: DuckDb | undefined;
  let native: NativeDuckDb | undefined;
  let orbit: OrbitHandle | undefined;
  const sampler = startRssSampler();
  try {
    log(`TPC-H SF ${sf}, seed ${seed}, ${runs} timed runs per query (median) after one warm-up`);

    if (engines.has('wasm')) {
      const t0 = performance.now();
      wasm = await openDuckDb();
      for (const table of TPCH_TABLES) {
        wasm.exec(tpchDdl(table));
        for (const ipc of tpchArrowIpc(table, { sf, seed })) wasm.appendIpc(table, ipc);
      }
      log(`duckdb-wasm: loaded in ${(ms(t0) / 1000).toFixed(1)} s`);
    }

    if (engines.has('native')) {
      native = await openNativeDuckDb();
      if (!native) notes.push('native DuckDB: skipped: native DuckDB not installed (@duckdb/node-api)');
      else {
        const paths = csv();
        const t0 = performance.now();
        for (const table of TPCH_TABLES) {
          await native.exec(tpchDdl(table));
          await native.exec(`COPY ${table} FROM '${paths[table]!.replaceAll("'", "''")}' (HEADER)`);
        }
        log(`native DuckDB ${native.version}: loaded in ${(ms(t0) / 1000).toFixed(1)} s`);
      }
    }

    if (engines.has('orbit')) {
      const t0 = performance.now();
      const opened = await openOrbit(orbitData ?? join(dir, 'orbit'), csv);
      if (typeof opened === 'string') notes.push(`Orbit: ${opened}`);
      else {
        orbit = opened;
        log(`orbit: loaded in ${(ms(t0) / 1000).toFixed(1)} s`);
      }
    }

    const header = ['query', 'rows', 'orbit ms', 'wasm ms', 'native ms', 'orbit/wasm', 'orbit/native', 'orbit cpu', 'wasm cpu', 'cpu ratio', 'orbit = wasm'];
    const table: string[][] = [];
    for (const q of queryNames) {
      const sql = queryText(q);
      const cell = (n: number | undefined): string => (n === undefined ? '-' : n.toFixed(1));
      let wasmRows: unknown[][] | undefined;
      const w = wasm ? await time(() => (wasmRows = wasm!.query(sql)).length) : undefined;
      const n = native ? await time(() => native!.count(sql)) : undefined;
      let orbitRows: unknown[][] | undefined;
      let o: { ms: number; cpuMs: number; rows: number } | string | undefined;
      if (orbit) {
        try {
          o = await time(async () => (orbitRows = await orbit!.query(sql)).length);
        } catch (e) {
          o = `error: ${(e as Error).message.split('\n')[0]}`;
        }
      }
      const om = typeof o === 'object' ? o.ms : undefined;
      let agree = '-';
      if (typeof o === 'string') agree = o;
      else if (orbitRows && wasmRows) {
        const diff = compareResults(wasmRows, orbitRows, { ordered: /order\s+by/i.test(sql), relTol: 1e-6 });
        agree = diff === undefined ? 'yes' : `NO: ${diff.split('\n')[0]}`;
      }
      table.push([
        q.toUpperCase(),
        String(w?.rows ?? n?.rows ?? (typeof o === 'object' ? o.rows : '-')),
        cell(om),
        cell(w?.ms),
        cell(n?.ms),
        om !== undefined && w ? `${(om / w.ms).toFixed(2)}×` : '-',
        om !== undefined && n ? `${(om / n.ms).toFixed(2)}×` : '-',
        cell(typeof o === 'object' ? o.cpuMs : undefined),
        cell(w?.cpuMs),
        typeof o === 'object' && w ? `${(o.cpuMs / w.cpuMs).toFixed(2)}×` : '-',
        agree,
      ]);
      log(`${q} done`);
    }

    const widths = header.map((h, i) => Math.max(h.length, ...table.map((r) => r[i]!.length)));
    const line = (r: readonly string[]): string => r.map((c, i) => (i === 0 || i === r.length - 1 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
    console.log(`\nTPC-H SF ${sf}: median of ${runs} runs\n`);
    console.log(line(header));
    console.log(widths.map((w) => '-'.repeat(w)).join('  '));
    for (const r of table) console.log(line(r));
    for (const n of notes) console.log(n);
    const peaks = await sampler.stop();
    console.log(`\npeak RSS of this process: ${peakRssMb()} MB (all engines together; --engines=orbit measures Orbit alone)`);
    console.log(`  of which at most ${peaks.anonMb} MB anonymous (heaps, caches) and ${peaks.fileMb} MB file-mapped (LMDB's pages: page cache)`);
  } finally {
    wasm?.close();
    native?.close();
    await orbit?.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
