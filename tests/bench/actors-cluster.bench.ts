// Benchmark (run by hand): actor calls local vs across two node processes over gRPC (batched), latency, activations/s;
// also calls into a single-node runtime (no cluster routing) for the local-call ceiling.
//   bun tests/bench/actors-cluster.bench.ts [seconds=3] [inflight=1000]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ActorRuntime } from '../../runtime/actors/index.ts';
import { ActorNode } from '../../runtime/cluster/index.ts';
import { Greeter } from '../../examples/actors.ts';
import { startEtcd } from '../runtime/cluster-etcd.ts';

const seconds = Number(process.argv[2] ?? 3);
const inflight = Number(process.argv[3] ?? 1000);
const root = resolve(import.meta.dir, '../..');
const dir = mkdtempSync(join(tmpdir(), 'orbit-bench-cluster-'));
const etcd = await startEtcd();

// Node b is another process; node a runs here and is the caller.
const b = Bun.spawn([process.execPath, 'run', join(root, 'runtime/cli/main.ts'), 'server', '--data', join(dir, 'b'), '--pg-port', 'off', '--resp-port', 'off', '--http-port', 'off'], {
  cwd: root,
  stdout: 'pipe',
  stderr: 'inherit',
  env: { ...process.env, ORBIT_ACTORS: join(root, 'examples/actors.ts'), ORBIT_ETCD: etcd.url, ORBIT_NODE_ID: 'b', ORBIT_GRPC_PORT: '0' },
});
const reader = b.stdout.getReader();
for (let out = ''; !/grpc listening/.test(out); ) {
  const { value, done } = await reader.read();
  if (done) throw new Error('node b did not start');
  out += new TextDecoder().decode(value);
}
const a = await ActorNode.start({ dataDir: join(dir, 'a'), actors: [Greeter], host: '127.0.0.1', port: 0, etcd: etcd.url, nodeId: 'a', sync: false });

// Activate 1,000 Greeters through a; placement spreads them over a and b.
const keys = Array.from({ length: 1000 }, (_, i) => `g${i}`);
let t = performance.now();
await Promise.all(keys.map((k) => a.actorOf(Greeter, k).greeted()));
const activationsPerSec = keys.length / ((performance.now() - t) / 1000);
const claims = await a.activations('Greeter');
const local = claims.filter((c) => c.node === 'a').map((c) => String(c.key));
const remote = claims.filter((c) => c.node === 'b').map((c) => String(c.key));

/**
 * Calls per second with `width` calls in flight, and p50/p99 latency in ms. Latency is timed on
 * one call in 16: reading the clock twice and keeping a sample per call would cost a local call
 * about half its time again.
 */
async function measure(label: string, on: string[], width: number, client: { actorOf: typeof a.actorOf } = a): Promise<number> {
  const lat: number[] = [];
  const until = performance.now() + seconds * 1000;
  let n = 0;
  const worker = async (w: number): Promise<void> => {
    for (let i = w; ; i += width) {
      if ((n & 15) === 0) {
        if (performance.now() >= until) break;
        const s = performance.now();
        await client.actorOf(Greeter, on[i % on.length]!).greeted();
        lat.push(performance.now() - s);
      } else await client.actorOf(Greeter, on[i % on.length]!).greeted();
      n++;
    }
  };
  const start = performance.now();
  await Promise.all(Array.from({ length: width }, (_, w) => worker(w)));
  const perSec = n / ((performance.now() - start) / 1000);
  lat.sort((x, y) => x - y);
  const p = (q: number): string => lat[Math.min(lat.length - 1, Math.floor(q * lat.length))]!.toFixed(3);
  console.log(`${label.padEnd(40)} ${Math.round(perSec).toLocaleString('en-US').padStart(10)} calls/s   p50 ${p(0.5)} ms   p99 ${p(0.99)} ms`);
  return perSec;
}

console.log(`actors: ${local.length} on a (local), ${remote.length} on b (remote); ${Math.round(activationsPerSec).toLocaleString('en-US')} activations/s through a`);
const l1 = await measure('local, 1 in flight', local, 1);
const r1 = await measure('remote over gRPC, 1 in flight', remote, 1);
const lN = await measure(`local, ${inflight} in flight`, local, inflight);
const rN = await measure(`remote over gRPC, ${inflight} in flight`, remote, inflight);
console.log(`remote/local throughput: ${(r1 / l1).toFixed(3)} (1 in flight), ${(rN / lN).toFixed(3)} (${inflight} in flight)`);

// The same calls into a runtime of its own: what a local call costs without cluster routing.
const single = ActorRuntime.open({ dataDir: join(dir, 'single'), actors: [Greeter], sync: false });
const singleKeys = Array.from({ length: 1000 }, (_, i) => `s${i}`);
await Promise.all(singleKeys.map((k) => single.actorOf(Greeter, k).greeted()));
await measure('single-node runtime, 1 in flight', singleKeys, 1, single);
await measure(`single-node runtime, ${inflight} in flight`, singleKeys, inflight, single);
await single.close();

await a.close();
b.kill('SIGTERM');
await b.exited;
await etcd.stop();
rmSync(dir, { recursive: true, force: true });

