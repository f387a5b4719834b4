// Benchmark (run by hand): SQL through a two-node cluster (rows of local vs remote shards) against one single-process server, over the pg driver.
//   bun tests/bench/sql-cluster.bench.ts [rows=20000] [seconds=3]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import pg from 'pg';
import { OrbitClient, SQL_SHARD_TYPE } from '../../runtime/cluster/index.ts';
import { keyShard } from '../../runtime/engine/sql-shards.ts';
import { encodeKey } from '../../runtime/storage/index.ts';
import { spawnNode } from '../support/cluster-node.ts';
import { startEtcd } from '../runtime/cluster-etcd.ts';

const rows = Number(process.argv[2] ?? 20_000);
const seconds = Number(process.argv[3] ?? 3);
const root = resolve(import.meta.dir, '../..');
const dir = mkdtempSync(join(tmpdir(), 'orbit-bench-sql-cluster-'));
const etcd = await startEtcd();

const a = await spawnNode({ id: 'a', dir, etcd: etcd.url, actors: join(root, 'examples/actors.ts'), leaseTtl: 10, pg: true });
const b = await spawnNode({ id: 'b', dir, etcd: etcd.url, actors: join(root, 'examples/actors.ts'), leaseTtl: 10, pg: true });
const single = Bun.spawn([process.execPath, 'run', join(root, 'runtime/cli/main.ts'), 'server', '--data', join(dir, 'single'), '--pg-port', '0', '--resp-port', 'off', '--http-port', 'off'], { cwd: root, stdout: 'pipe', stderr: 'inherit' });
const reader = single.stdout.getReader();
let singlePort = 0;
for (let out = ''; singlePort === 0; ) {
  const { value, done } = await reader.read();
  if (done) throw new Error('single server did not start');
  out += new TextDecoder().decode(value);
  singlePort = Number(/pg listening on [^:\s]+:(\d+)/.exec(out)?.[1] ?? 0);
}

async function client(port: number): Promise<pg.Client> {
  const c = new pg.Client({ host: '127.0.0.1', port, user: 'orbit', database: 'orbit' });
  await c.connect();
  return c;
}
const viaA = await client(a.pgPort!);
const viaSingle = await client(singlePort);
const grpc = new OrbitClient(`127.0.0.1:${a.grpcPort}`);
while ((await grpc.nodes()).length < 2) await Bun.sleep(50);

for (const c of [viaA, viaSingle]) {
  await c.query('CREATE TABLE accounts (id int PRIMARY KEY, owner text, balance bigint)');
  for (let s = 0; s < rows; s += 500) {
    const values = Array.from({ length: Math.min(500, rows - s) }, (_, i) => `(${s + i}, 'owner ${s + i}', ${(s + i) * 10})`);
    await c.query(`INSERT INTO accounts VALUES ${values.join(', ')}`);
  }
}
const owner = new Map((await grpc.activations(SQL_SHARD_TYPE)).map((c) => [Number(c.key), c.node]));
const shardOf = (id: number): number => keyShard(encodeKey([{ kind: 'int32' }], [id]));
const ids = Array.from({ length: rows }, (_, i) => i);
const localIds = ids.filter((id) => owner.get(shardOf(id)) === 'a');
const remoteIds = ids.filter((id) => owner.get(shardOf(id)) === 'b');

/** Statements per second, one at a time on one connection. */
async function measure(label: string, c: pg.Client, run: (c: pg.Client, i: number) => Promise<unknown>): Promise<number> {
  const until = performance.now() + seconds * 1000;
  let n = 0;
  while (performance.now() < until) for (let j = 0; j < 20; j++) await run(c, n++);
  const perSec = n / seconds;
  console.log(`${label.padEnd(52)} ${Math.round(perSec).toLocaleString('en-US').padStart(10)} /s`);
  return perSec;
}

const point = (on: number[]) => (c: pg.Client, i: number) => c.query('SELECT owner, balance FROM accounts WHERE id = $1', [on[i % on.length]]);
const update = (on: number[]) => (c: pg.Client, i: number) => c.query('UPDATE accounts SET balance = balance + 1 WHERE id = $1', [on[i % on.length]]);
const scan = (c: pg.Client) => c.query('SELECT count(*), sum(balance) FROM accounts WHERE balance % 7 = 0');

console.log(`${rows} rows; node a owns ${localIds.length}, node b ${remoteIds.length}`);
const pSingle = await measure('single process: point SELECT', viaSingle, point(ids));
const pLocal = await measure('cluster, shard on the connected node: point SELECT', viaA, point(localIds));
const pRemote = await measure('cluster, shard on the other node: point SELECT', viaA, point(remoteIds));
const uSingle = await measure('single process: one-row UPDATE', viaSingle, update(ids));
const uLocal = await measure('cluster, local shard: one-row UPDATE', viaA, update(localIds));
const uRemote = await measure('cluster, remote shard: one-row UPDATE', viaA, update(remoteIds));
const sSingle = await measure('single process: filtered count/sum over the table', viaSingle, scan);
const sCluster = await measure('cluster: filtered count/sum over the table', viaA, scan);
console.log(`ratio cluster/single: point local ${(pLocal / pSingle).toFixed(2)}x, remote ${(pRemote / pSingle).toFixed(2)}x; update local ${(uLocal / uSingle).toFixed(2)}x, remote ${(uRemote / uSingle).toFixed(2)}x; scan ${(sCluster / sSingle).toFixed(2)}x`);

await viaA.end();
await viaSingle.end();
grpc.close();
for (const p of [a.proc, b.proc, single]) p.kill('SIGTERM');
await Promise.all([a.proc.exited, b.proc.exited, single.exited]);
await etcd.stop();
rmSync(dir, { recursive: true, force: true });
