// redis-benchmark against Orbit's RESP listener and a real redis-server, same run, same machine:
// ops/s per command at -P 1 and -P 16 with 50 clients, the ratio, HSET on a 100k-field hash, and
// memory per 1M small keys.
//
// Run by hand: ./node_modules/.bin/bun tests/bench/redis.bench.ts [requests] [rounds] (rounds 0: memory only)
// `requests` is per test at -P 1; pipelined tests send PIPELINED_SCALE times as many, so that each
// lasts about as long (at -P 16 a 50,000-request test ends in 70 ms, mostly connection set-up).
// Needs redis-server and redis-benchmark (Debian packages redis-server and redis-tools).
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { orbitEnv } from './orbit-env.ts';

const root = join(import.meta.dir, '..', '..');
const requests = Number(process.argv[2] ?? 100000);
const PIPELINED_SCALE = 10;
const requestsAt = (pipeline: number): number => (pipeline > 1 ? requests * PIPELINED_SCALE : requests);
const rounds = Number(process.argv[3] ?? 3);
const TESTS = 'set,get,incr,lpush,rpop,sadd,hset,zadd,lrange_100,mset';
const dir = mkdtempSync(join(tmpdir(), 'orbit-redis-bench-'));

async function firstLine(stream: ReadableStream<Uint8Array>, match: RegExp): Promise<string> {
  const reader = stream.getReader();
  let text = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`stream ended before ${match}: ${text}`);
    text += new TextDecoder().decode(value);
    const m = match.exec(text);
    if (m) {
      reader.releaseLock();
      return m[1]!;
    }
  }
}

async function startOrbit(): Promise<{ port: number; pid: number; stop: () => void }> {
  const proc = Bun.spawn([process.execPath, 'run', join(root, 'runtime/cli/main.ts'), 'server', '--data', join(dir, 'orbit'), '--resp-port', '0', '--pg-port', 'off'], { stdout: 'pipe', stderr: 'inherit', stdin: 'ignore', env: orbitEnv() });
  const port = Number(await firstLine(proc.stdout, /resp listening on [^:]+:(\d+)/));
  return { port, pid: proc.pid, stop: () => proc.kill('SIGTERM') };
}

async function startRedis(): Promise<{ port: number; pid: number; stop: () => void }> {
  const port = 20000 + Math.floor(Math.random() * 20000);
  // appendfsync everysec is Redis's own default durability; Orbit's default matches it.
  const proc = Bun.spawn(['redis-server', '--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'yes', '--appendfsync', 'everysec', '--dir', dir], { stdout: 'pipe', stderr: 'inherit', stdin: 'ignore' });
  await firstLine(proc.stdout, /(Ready to accept connections)/);
  return { port, pid: proc.pid, stop: () => proc.kill('SIGTERM') };
}

/** One redis-benchmark test: ops/s, and the server's CPU time per request in µs (user + system). */
async function bench(port: number, pid: number, test: string, pipeline: number): Promise<{ name: string; ops: number; cpuUs: number }> {
  const cpu0 = await cpuOf(pid);
  const n = requestsAt(pipeline);
  const p = Bun.spawn(['redis-benchmark', '-p', String(port), '-c', '50', '-n', String(n), '-P', String(pipeline), '-t', test, '--csv'], { stdout: 'pipe', stderr: 'ignore' });
  const out = await new Response(p.stdout).text();
  const cpu = (await cpuOf(pid)) - cpu0;
  // The last line is the test itself (LRANGE_100 is preceded by the LPUSH that fills its list).
  const lines = out.split('\n').filter((l) => /^"[^"]+","[\d.]+"/.test(l));
  const m = /^"([^"]+)","([\d.]+)"/.exec(lines[lines.length - 1] ?? '');
  if (!m) throw new Error(`redis-benchmark ${test}: ${out}`);
  return { name: m[1]!, ops: Number(m[2]), cpuUs: (cpu * 1e6) / (n * lines.length) };
}

/**
 * CPU seconds a process's threads have run, summed from each thread's schedstat (nanoseconds: the
 * process's stat counts ticks of 10 ms, too coarse for a run of a few tenths of a second).
 */
async function cpuOf(pid: number): Promise<number> {
  let ns = 0;
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      ns += Number((await Bun.file(`/proc/${pid}/task/${tid}/schedstat`).text()).split(' ')[0]);
    } catch {
      // The thread ended between the listing and the read: its time is no longer counted anywhere.
    }
  }
  return ns / 1e9;
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
}

async function rssOf(pid: number): Promise<number> {
  const status = await Bun.file(`/proc/${pid}/status`).text();
  return Number(/VmRSS:\s+(\d+)/.exec(status)![1]) * 1024;
}

async function fill(port: number, n: number): Promise<void> {
  const frames: string[] = [];
  for (let i = 0; i < n; i++) {
    const k = `key:${String(i).padStart(9, '0')}`;
    frames.push(`*3\r\n$3\r\nSET\r\n$${k.length}\r\n${k}\r\n$3\r\nxxx\r\n`);
  }
  const p = Bun.spawn(['redis-cli', '-p', String(port), '--pipe'], { stdin: new TextEncoder().encode(frames.join('')), stdout: 'ignore', stderr: 'ignore' });
  await p.exited;
}

async function fillHash(port: number, n: number): Promise<void> {
  const frames: string[] = [];
  // redis-benchmark's __rand_int__ is 12 zero-padded digits: the benchmark then updates these fields.
  for (let i = 0; i < n; i++) frames.push(`*4\r\n$4\r\nHSET\r\n$3\r\nbig\r\n$13\r\nf${String(i).padStart(12, '0')}\r\n$5\r\nvalue\r\n`);
  const p = Bun.spawn(['redis-cli', '-p', String(port), '--pipe'], { stdin: new TextEncoder().encode(frames.join('')), stdout: 'ignore', stderr: 'ignore' });
  await p.exited;
}

/** HSET of one random existing field per command on the big hash: ops/s, and the server's CPU µs per request. */
async function hsetBig(port: number, pid: number, pipeline: number): Promise<{ ops: number; cpuUs: number }> {
  const cpu0 = await cpuOf(pid);
  const p = Bun.spawn(['redis-benchmark', '-p', String(port), '-c', '50', '-n', String(requests), '-r', '100000', '-P', String(pipeline), '--csv', 'HSET', 'big', 'f__rand_int__', 'changed'], { stdout: 'pipe', stderr: 'ignore' });
  const out = await new Response(p.stdout).text();
  const m = /^"[^"]+","([\d.]+)"/m.exec(out.split('\n').slice(1).join('\n'));
  if (!m) throw new Error(`redis-benchmark HSET big: ${out}`);
  // Its group commits (every changed field is written) run after the last reply: wait for them.
  await Bun.sleep(1100);
  return { ops: Number(m[1]), cpuUs: (((await cpuOf(pid)) - cpu0) * 1e6) / requests };
}

const orbit = await startOrbit();
const redis = await startRedis();
try {
  // The machine may be shared: each test runs against Orbit and Redis back to back, `rounds` times,
  // and the medians are printed. CPU µs per request is the server's own cost, steadier than ops/s.
  for (const pipeline of rounds > 0 ? [1, 16] : []) {
    const results = new Map<string, { orbit: number[]; redis: number[]; orbitCpu: number[]; redisCpu: number[] }>();
    for (let round = 0; round < rounds; round++) {
      for (const test of TESTS.split(',')) {
        const o = await bench(orbit.port, orbit.pid, test, pipeline);
        const r = await bench(redis.port, redis.pid, test, pipeline);
        const e = results.get(o.name) ?? { orbit: [], redis: [], orbitCpu: [], redisCpu: [] };
        e.orbit.push(o.ops);
        e.redis.push(r.ops);
        e.orbitCpu.push(o.cpuUs);
        e.redisCpu.push(r.cpuUs);
        results.set(o.name, e);
      }
    }
    console.log(`\n-P ${pipeline}, 50 clients, ${requestsAt(pipeline)} requests per test, median of ${rounds} rounds`);
    console.log('test'.padEnd(34) + 'orbit ops/s'.padStart(12) + 'redis ops/s'.padStart(12) + 'ratio'.padStart(7) + 'orbit cpu µs/req'.padStart(18) + 'redis cpu µs/req'.padStart(18));
    for (const [name, e] of results) {
      const mine = median(e.orbit);
      const theirs = median(e.redis);
      console.log(name.padEnd(34) + mine.toFixed(0).padStart(12) + theirs.toFixed(0).padStart(12) + (mine / theirs).toFixed(2).padStart(7) + median(e.orbitCpu).toFixed(2).padStart(18) + median(e.redisCpu).toFixed(2).padStart(18));
    }
  }
  // Memory per 1M small keys: RSS growth after loading them into an empty database.
  const n = 1_000_000;
  for (const [name, s] of [['orbit', orbit], ['redis', redis]] as const) {
    const flush = Bun.spawn(['redis-cli', '-p', String(s.port), 'FLUSHALL'], { stdout: 'ignore' });
    await flush.exited;
    await Bun.sleep(1500);
    const before = await rssOf(s.pid);
    await fill(s.port, n);
    // Time for the server to settle (Orbit collects garbage once a burst ends; freed pages go back to the OS lazily).
    await Bun.sleep(3000);
    const after = await rssOf(s.pid);
    console.log(`${name}: ${((after - before) / n).toFixed(1)} bytes per key (RSS ${(before / 1048576).toFixed(0)} MB → ${(after / 1048576).toFixed(0)} MB)`);
  }
  // One field per command on a 100k-field hash (each commit writes the changed fields, not the hash).
  if (rounds > 0) {
    for (const s of [orbit, redis]) await fillHash(s.port, 100_000);
    for (const pipeline of [1, 16]) {
      const mine: { ops: number; cpuUs: number }[] = [];
      const theirs: { ops: number; cpuUs: number }[] = [];
      for (let round = 0; round < rounds; round++) {
        mine.push(await hsetBig(orbit.port, orbit.pid, pipeline));
        theirs.push(await hsetBig(redis.port, redis.pid, pipeline));
      }
      const [m, t] = [median(mine.map((x) => x.ops)), median(theirs.map((x) => x.ops))];
      const [mc, tc] = [median(mine.map((x) => x.cpuUs)), median(theirs.map((x) => x.cpuUs))];
      console.log(`HSET on a 100k-field hash, -P ${pipeline}: orbit ${m.toFixed(0)} ops/s, redis ${t.toFixed(0)} ops/s, ratio ${(m / t).toFixed(2)}; cpu µs/req orbit ${mc.toFixed(2)}, redis ${tc.toFixed(2)}`);
    }
  }
} finally {
  orbit.stop();
  redis.stop();
  await Bun.sleep(500);
  rmSync(dir, { recursive: true, force: true });
}
