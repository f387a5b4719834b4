// Benchmark (run by hand): TPC-H Q1 Q3 Q5 Q6 Q10 Q12 Q14 Q19 on Orbit, duckdb-wasm and native DuckDB over the same generated data.
//   bun tests/bench/tpch.bench.ts [sf=0.1] [--runs=3] [--warmup=3] [--engines=orbit,wasm,native] [--queries=q1,q6] [--seed=1] [--orbit-data=DIR]
// Each engine is measured in a child process of its own (--child=FILE is that mode).

import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDuckDb, openNativeDuckDb } from '../support/duckdb.ts';
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
/** Untimed runs of each query before the timed ones, the same for every engine. */
const warmup = Math.max(1, Number(flag('warmup') ?? '3'));
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
 * Median wall and CPU time of timed runs after `warmup` untimed runs (the first loads data into
 * caches, the next let JIT compilers reach their top tier); `run` returns the row count.
 * CPU time (this process, all threads) is the steadier figure on a shared machine for the
 * single-threaded engines (Orbit, duckdb-wasm); native DuckDB runs threads in parallel.
 */
async function time(run: () => Promise<number> | number): Promise<{ ms: number; cpuMs: number; rows: number }> {
  let rows = await run();
  for (let i = 1; i < warmup; i++) rows = await run();
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

/** One engine's figures for one query, or why it has none. */
type QueryResult = { ms: number; cpuMs: number; rows: number; data?: unknown[][] } | { error: string };

/** What a child process measured for its engine. */
interface EngineReport {
  readonly results: Record<string, QueryResult>;
  readonly notes: string[];
  readonly peak: { rssMb: number; anonMb: number; fileMb: number };
}

/** Loads one engine and times every query on it (in this process). */
async function measure(engine: EngineName): Promise<EngineReport> {
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
  const results: Record<string, QueryResult> = {};
  const sampler = startRssSampler();
  let run: ((sql: string) => Promise<unknown[][] | number>) | undefined;
  let close = async (): Promise<void> => {};
  try {
    const t0 = performance.now();
    if (engine === 'wasm') {
      const wasm = await openDuckDb();
      for (const table of TPCH_TABLES) {
        wasm.exec(tpchDdl(table));
        for (const ipc of tpchArrowIpc(table, { sf, seed })) wasm.appendIpc(table, ipc);
      }
      log(`duckdb-wasm: loaded in ${(ms(t0) / 1000).toFixed(1)} s`);
      run = async (sql) => wasm.query(sql);
      close = async () => wasm.close();
    } else if (engine === 'native') {
      const native = await openNativeDuckDb();
      if (!native) notes.push('native DuckDB: skipped: native DuckDB not installed (@duckdb/node-api)');
      else {
        const paths = csv();
        for (const table of TPCH_TABLES) {
          await native.exec(tpchDdl(table));
          await native.exec(`COPY ${table} FROM '${paths[table]!.replaceAll("'", "''")}' (HEADER)`);
        }
        log(`native DuckDB ${native.version}: loaded in ${(ms(t0) / 1000).toFixed(1)} s`);
        run = (sql) => native.count(sql);
        close = async () => native.close();
      }
    } else {
      const opened = await openOrbit(orbitData ?? join(dir, 'orbit'), csv);
      if (typeof opened === 'string') notes.push(`Orbit: ${opened}`);
      else {
        log(`orbit: loaded in ${(ms(t0) / 1000).toFixed(1)} s`);
        run = (sql) => opened.query(sql);
        close = () => opened.close();
      }
    }
    for (const q of run ? queryNames : []) {
      let data: unknown[][] | undefined;
      try {
        const t = await time(async () => {
          const r = await run!(queryText(q));
          if (typeof r === 'number') return r;
          data = r;
          return r.length;
        });
        results[q] = { ...t, data };
      } catch (e) {
        results[q] = { error: `error: ${(e as Error).message.split('\n')[0]}` };
      }
      log(`${engine} ${q} done`);
    }
  } finally {
    await close();
    rmSync(dir, { recursive: true, force: true });
  }
  const peaks = await sampler.stop();
  return { results, notes, peak: { rssMb: peakRssMb(), ...peaks } };
}

/** JSON that keeps bigints (query results hold them). */
const toJson = (v: unknown): string => JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? { $bigint: x.toString() } : x));
const fromJson = <T>(text: string): T =>
  JSON.parse(text, (_k, x: unknown) => (x !== null && typeof x === 'object' && '$bigint' in x ? BigInt((x as { $bigint: string }).$bigint) : x)) as T;

/**
 * Each engine runs in a child process of its own, one after the other: a process holding all
 * three (10 GB at SF 1) slows the others' allocation and collection, and each engine's peak
 * memory is its own.
 */
async function main(): Promise<void> {
  const child = flag('child');
  if (child !== undefined) {
    const [engine] = [...engines];
    await Bun.write(child, toJson(await measure(engine!)));
    return;
  }
  log(`TPC-H SF ${sf}, seed ${seed}, ${runs} timed runs per query (median) after ${warmup} untimed; one process per engine`);
  const dir = mkdtempSync(join(tmpdir(), 'orbit-bench-tpch-report-'));
  const reports = new Map<EngineName, EngineReport>();
  try {
    for (const engine of ['wasm', 'native', 'orbit'] as const) {
      if (!engines.has(engine)) continue;
      const out = join(dir, `${engine}.json`);
      const argv = [process.execPath, import.meta.path, ...args.filter((a) => !a.startsWith('--engines=')), `--engines=${engine}`, `--child=${out}`];
      const proc = Bun.spawn(argv, { stdout: 'inherit', stderr: 'inherit' });
      if ((await proc.exited) !== 0 || !existsSync(out)) {
        console.log(`${engine}: the measuring process failed (exit ${proc.exitCode})`);
        continue;
      }
      reports.set(engine, fromJson<EngineReport>(readFileSync(out, 'utf8')));
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const figures = (e: EngineName, q: string): { ms: number; cpuMs: number; rows: number; data?: unknown[][] } | undefined => {
    const r = reports.get(e)?.results[q];
    return r && !('error' in r) ? r : undefined;
  };
  const header = ['query', 'rows', 'orbit ms', 'wasm ms', 'native ms', 'orbit/wasm', 'orbit/native', 'orbit cpu', 'wasm cpu', 'cpu ratio', 'orbit = wasm'];
  const table: string[][] = [];
  const cell = (n: number | undefined): string => (n === undefined ? '-' : n.toFixed(1));
  const ratio = (a: number | undefined, b: number | undefined): string => (a !== undefined && b !== undefined ? `${(a / b).toFixed(2)}×` : '-');
  for (const q of queryNames) {
    const o = figures('orbit', q);
    const w = figures('wasm', q);
    const n = figures('native', q);
    const orbitError = reports.get('orbit')?.results[q];
    let agree = orbitError && 'error' in orbitError ? orbitError.error : '-';
    if (o?.data && w?.data) {
      const diff = compareResults(w.data, o.data, { ordered: /order\s+by/i.test(queryText(q)), relTol: 1e-6 });
      agree = diff === undefined ? 'yes' : `NO: ${diff.split('\n')[0]}`;
    }
    table.push([
      q.toUpperCase(),
      String(w?.rows ?? n?.rows ?? o?.rows ?? '-'),
      cell(o?.ms),
      cell(w?.ms),
      cell(n?.ms),
      ratio(o?.ms, w?.ms),
      ratio(o?.ms, n?.ms),
      cell(o?.cpuMs),
      cell(w?.cpuMs),
      ratio(o?.cpuMs, w?.cpuMs),
      agree,
    ]);
  }
  const widths = header.map((h, i) => Math.max(h.length, ...table.map((r) => r[i]!.length)));
  const line = (r: readonly string[]): string => r.map((c, i) => (i === 0 || i === r.length - 1 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  console.log(`\nTPC-H SF ${sf}: median of ${runs} runs, each engine in its own process\n`);
  console.log(line(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const r of table) console.log(line(r));
  for (const [engine, r] of reports) {
    for (const note of r.notes) console.log(note);
    console.log(`${engine}: peak RSS ${r.peak.rssMb} MB, of which at most ${r.peak.anonMb} MB anonymous (heaps, caches) and ${r.peak.fileMb} MB file-mapped (for Orbit, LMDB's pages: page cache)`);
  }
}

await main();
