// redis-benchmark against Orbit's RESP listener and a real redis-server, same run, same machine:
// ops/s per command at -P 1 and -P 16 with 50 clients, the ratio, and memory per 1M small keys.
//
// Run by hand: ./node_modules/.bin/bun tests/bench/redis.bench.ts [requests]
// Needs redis-server and redis-benchmark (Debian packages redis-server and redis-tools).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = join(import.meta.dir, '..', '..');
const requests = Number(process.argv[2] ?? 100000);
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
  const proc = Bun.spawn([process.execPath, 'run', join(root, 'runtime/cli/main.ts'), 'server', '--data', join(dir, 'orbit'), '--resp-port', '0', '--pg-port', 'off'], { stdout: 'pipe', stderr: 'inherit', stdin: 'ignore' });
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

async function bench(port: number, pipeline: number): Promise<Map<string, number>> {
  const p = Bun.spawn(['redis-benchmark', '-p', String(port), '-c', '50', '-n', String(requests), '-P', String(pipeline), '-t', TESTS, '--csv'], { stdout: 'pipe', stderr: 'ignore' });
  const out = await new Response(p.stdout).text();
  const res = new Map<string, number>();
  for (const line of out.split('\n')) {
    const m = /^"([^"]+)","([\d.]+)"/.exec(line);
    if (m) res.set(m[1]!, Number(m[2]));
  }
  return res;
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

const orbit = await startOrbit();
const redis = await startRedis();
try {
  for (const pipeline of [1, 16]) {
    const o = await bench(orbit.port, pipeline);
    const r = await bench(redis.port, pipeline);
    console.log(`\n-P ${pipeline}, 50 clients, ${requests} requests per test`);
    console.log('test'.padEnd(36) + 'orbit ops/s'.padStart(14) + 'redis ops/s'.padStart(14) + 'ratio'.padStart(8));
    for (const [name, ops] of r) {
      const mine = o.get(name) ?? 0;
      console.log(name.padEnd(36) + mine.toFixed(0).padStart(14) + ops.toFixed(0).padStart(14) + (mine / ops).toFixed(2).padStart(8));
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
    await Bun.sleep(1500);
    const after = await rssOf(s.pid);
    console.log(`${name}: ${((after - before) / n).toFixed(1)} bytes per key (RSS ${(before / 1048576).toFixed(0)} MB → ${(after / 1048576).toFixed(0)} MB)`);
  }
} finally {
  orbit.stop();
  redis.stop();
  await Bun.sleep(500);
  rmSync(dir, { recursive: true, force: true });
}
