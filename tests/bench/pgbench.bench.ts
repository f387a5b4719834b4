// pgbench against Orbit and a real PostgreSQL started here (run by hand: `bun tests/bench/pgbench.bench.ts`).
//
// Both servers get the same table (pgbench_accounts, 100,000 rows) and the same custom scripts,
// run with `-M extended` (and the SELECT also with `-M prepared`) at 1, 8 and 32 clients:
//   select-only    one primary-key SELECT per transaction
//   simple-update  one single-row UPDATE of a random account per transaction
// Both keep their default durability (fsync on commit). Besides TPS it prints each server's CPU time per
// transaction (user + system, from /proc: Orbit's process; PostgreSQL's postmaster, its live children and
// the backends it has reaped). Needs `postgres`, `initdb`, `pg_ctl`
// (found on PATH, in /usr/local/bin or /usr/lib/postgresql/*/bin), `pgbench` and `psql`.
// Environment: BENCH_SECONDS (per run, default 5), BENCH_ROWS (default 100000), BENCH_REPEAT (runs per
// server and setting, alternating between the servers so background load hits both alike; the
// median is printed, default 1), BENCH_ONLY (comma-separated `script:mode` runs, e.g.
// `select-only:prepared`; default all three), BENCH_WARMUP (seconds of unmeasured 8-client run per
// script and server before its measured runs, default 3).

import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { orbitEnv } from './orbit-env.ts';

const SECONDS = Number(process.env['BENCH_SECONDS'] ?? 5);
const ROWS = Number(process.env['BENCH_ROWS'] ?? 100_000);
const CLIENTS = [1, 8, 32];
const REPEAT = Math.max(1, Number(process.env['BENCH_REPEAT'] ?? 1));
const WARMUP = Number(process.env['BENCH_WARMUP'] ?? 3);
const root = join(import.meta.dir, '..', '..');

function findTool(name: string): string {
  const dirs = [...(process.env['PATH'] ?? '').split(':'), '/usr/local/bin', ...(existsSync('/usr/lib/postgresql') ? readdirSync('/usr/lib/postgresql').map((v) => `/usr/lib/postgresql/${v}/bin`) : [])];
  for (const d of dirs) if (d && existsSync(join(d, name))) return join(d, name);
  throw new Error(`${name} not found: install PostgreSQL (server and client)`);
}

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => resolve(typeof a === 'object' && a ? a.port : 0));
    });
  });
}

function run(cmd: string[], env: Record<string, string> = {}): { code: number; out: string; err: string } {
  const p = Bun.spawnSync(cmd, { env: { ...process.env, ...env }, stdout: 'pipe', stderr: 'pipe' });
  return { code: p.exitCode ?? -1, out: p.stdout.toString(), err: p.stderr.toString() };
}

/** PostgreSQL refuses to run as root: as root, its commands run as the `postgres` user. */
function asPostgres(cmd: string[]): string[] {
  return process.getuid?.() === 0 ? ['runuser', '-u', 'postgres', '--', ...cmd] : cmd;
}

interface Server {
  readonly name: string;
  readonly port: number;
  /** CPU seconds the server has used so far (user + system). */
  cpu(): number;
  stop(): Promise<void>;
}

const CLOCK_TICKS = Number(run(['getconf', 'CLK_TCK']).out.trim()) || 100;

/** Fields of /proc/<pid>/stat after the command name: [0] is the state, [11..14] utime, stime, cutime, cstime. */
function statFields(pid: number): string[] | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return text.slice(text.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
}

/** CPU seconds of a process, with `children` also those of its children it has waited for. */
function processCpu(pid: number, children: boolean): number {
  const f = statFields(pid);
  if (!f) return 0;
  const ticks = Number(f[11]) + Number(f[12]) + (children ? Number(f[13]) + Number(f[14]) : 0);
  return ticks / CLOCK_TICKS;
}

/** PostgreSQL's CPU: the postmaster with its reaped backends, plus every child still running. */
function postgresCpu(postmaster: number): number {
  let total = processCpu(postmaster, true);
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    const f = statFields(Number(d));
    if (f && Number(f[1]) === postmaster) total += processCpu(Number(d), false);
  }
  return total;
}

async function startPostgres(dir: string): Promise<Server> {
  const port = await freePort();
  const data = join(dir, 'pgdata');
  if (process.getuid?.() === 0) chownSync(dir, Number(run(['id', '-u', 'postgres']).out.trim()), Number(run(['id', '-g', 'postgres']).out.trim()));
  const init = run(asPostgres([findTool('initdb'), '-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync']));
  if (init.code !== 0) throw new Error(`initdb failed: ${init.err}`);
  const ctl = findTool('pg_ctl');
  const start = run(asPostgres([ctl, '-D', data, '-w', '-l', join(dir, 'pg.log'), '-o', `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c max_connections=100`, 'start']));
  if (start.code !== 0) throw new Error(`pg_ctl start failed: ${start.err}`);
  const postmaster = Number(readFileSync(join(data, 'postmaster.pid'), 'utf8').split('\n')[0]);
  return {
    name: 'PostgreSQL',
    port,
    cpu: () => postgresCpu(postmaster),
    stop: async () => {
      run(asPostgres([ctl, '-D', data, '-m', 'fast', 'stop']));
    },
  };
}

async function startOrbit(dir: string): Promise<Server> {
  const proc = Bun.spawn([process.execPath, 'run', join(root, 'runtime/cli/main.ts'), 'server', '--pg-port', '0', '--resp-port', 'off', '--data', join(dir, 'orbit')], { stdout: 'pipe', stderr: 'inherit', env: orbitEnv() });
  const reader = proc.stdout.getReader();
  let text = '';
  while (!/pg listening on [^:]+:\d+\n/.test(text)) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`orbit server exited: ${text}`);
    text += new TextDecoder().decode(value);
  }
  reader.releaseLock();
  const port = Number(/pg listening on [^:]+:(\d+)/.exec(text)![1]);
  return {
    name: 'Orbit',
    port,
    cpu: () => processCpu(proc.pid, false),
    stop: async () => {
      proc.kill('SIGTERM');
      await proc.exited;
    },
  };
}

function psql(s: Server, sql: string): void {
  const r = run(['psql', '-X', '-q', '-v', 'ON_ERROR_STOP=1', '-h', '127.0.0.1', '-p', String(s.port), '-U', 'postgres', '-d', 'postgres', '-c', sql]);
  if (r.code !== 0) throw new Error(`${s.name}: ${sql.slice(0, 60)}…: ${r.err}`);
}

function load(s: Server): void {
  psql(s, 'create table pgbench_accounts (aid int primary key, bid int not null, abalance int not null, filler char(84))');
  psql(s, `insert into pgbench_accounts select g, 1 + (g - 1) / 100000, 0, '' from generate_series(1, ${ROWS}) g`);
  psql(s, 'analyze pgbench_accounts');
}

const SCRIPTS = {
  'select-only': `\\set aid random(1, ${ROWS})\nSELECT abalance FROM pgbench_accounts WHERE aid = :aid;\n`,
  'simple-update': `\\set aid random(1, ${ROWS})\n\\set delta random(-5000, 5000)\nUPDATE pgbench_accounts SET abalance = abalance + :delta WHERE aid = :aid;\n`,
} as const;

/** One pgbench run: transactions per second, and the server's CPU µs per transaction. */
function pgbench(s: Server, script: string, mode: string, clients: number, seconds = SECONDS): { tps: number; cpu: number } {
  const before = s.cpu();
  const r = run(['pgbench', '-n', '-h', '127.0.0.1', '-p', String(s.port), '-U', 'postgres', '-M', mode, '-c', String(clients), '-j', String(Math.min(clients, 4)), '-T', String(seconds), '-f', script, 'postgres']);
  const used = s.cpu() - before;
  const tps = /tps = ([\d.]+) \(without initial connection time\)/.exec(r.out)?.[1];
  const count = /number of transactions actually processed: (\d+)/.exec(r.out)?.[1];
  if (r.code !== 0 || !tps || !count) throw new Error(`pgbench on ${s.name} failed: ${r.err || r.out}`);
  return { tps: Number(tps), cpu: (used * 1e6) / Number(count) };
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

const dir = mkdtempSync(join(tmpdir(), 'orbit-pgbench-'));
const servers: Server[] = [];
try {
  for (const [name, text] of Object.entries(SCRIPTS)) writeFileSync(join(dir, `${name}.sql`), text);
  servers.push(await startOrbit(dir), await startPostgres(dir));
  for (const s of servers) load(s);
  const only = process.env['BENCH_ONLY']?.split(',');
  const runs = ([['select-only', 'extended'], ['select-only', 'prepared'], ['simple-update', 'extended']] as [string, string][]).filter(([script, mode]) => !only || only.includes(`${script}:${mode}`));
  console.log(`pgbench, ${ROWS.toLocaleString('en-US')} accounts, ${SECONDS} s per run${REPEAT > 1 ? `, median of ${REPEAT} alternating runs` : ''}${WARMUP > 0 ? `, after a ${WARMUP} s warm-up per script` : ''}, fsync on for both\n`);
  console.log(`${'script'.padEnd(15)}${'-M'.padEnd(10)}${'clients'.padStart(8)}${'Orbit tps'.padStart(12)}${'PostgreSQL tps'.padStart(16)}${'ratio'.padStart(8)}${'Orbit µs/tx'.padStart(13)}${'PG µs/tx'.padStart(10)}`);
  for (const [script, mode] of runs) {
    // Steady state is what is compared: each server first runs the script unmeasured (Orbit's JIT
    // compiles the statement's path, PostgreSQL's caches fill).
    if (WARMUP > 0) for (const s of servers) pgbench(s, join(dir, `${script}.sql`), mode, 8, WARMUP);
    for (const clients of CLIENTS) {
      const runs: { tps: number; cpu: number }[][] = servers.map(() => []);
      for (let i = 0; i < REPEAT; i++) servers.forEach((s, k) => runs[k]!.push(pgbench(s, join(dir, `${script}.sql`), mode, clients)));
      const [orbit, postgres] = runs.map((r) => median(r.map((x) => x.tps)));
      const [orbitCpu, postgresCpu] = runs.map((r) => median(r.map((x) => x.cpu)));
      console.log(
        `${script.padEnd(15)}${mode.padEnd(10)}${String(clients).padStart(8)}${orbit!.toFixed(0).padStart(12)}${postgres!.toFixed(0).padStart(16)}${(orbit! / postgres!).toFixed(2).padStart(7)}×` +
          `${orbitCpu!.toFixed(0).padStart(13)}${postgresCpu!.toFixed(0).padStart(10)}`,
      );
    }
  }
} finally {
  for (const s of servers) await s.stop();
  rmSync(dir, { recursive: true, force: true });
}
