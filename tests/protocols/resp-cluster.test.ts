// The Redis keyspace across three `orbit server` processes on one etcd: shards owned by one node each, commands forwarded, replies intact, failover.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Subprocess } from 'bun';
import Redis from 'ioredis';
import { KV_SHARD_TYPE, OrbitClient } from '../../runtime/cluster/index.ts';
import { kv } from '../../runtime/index.ts';
import { membersSeen, spawnNode, stopNodes } from '../support/cluster-node.ts';
import { startEtcd, type EtcdProcess } from '../runtime/cluster-etcd.ts';
import { err } from './resp-support.ts';

const root = resolve(import.meta.dir, '../..');
const actorsModule = join(root, 'examples/actors.ts');
/** Seconds: small, so the failover test is quick. */
const LEASE_TTL = 3;

interface NodeProcess {
  readonly id: string;
  readonly proc: Subprocess;
  readonly grpc: OrbitClient;
  readonly respPort: number;
  readonly redis: Redis;
}

let etcd: EtcdProcess;
let dir: string;
const nodes: NodeProcess[] = [];

/** Starts `orbit server` with actors, etcd and the resp port on; resolves once the resp listener is up. */
async function startNode(id: string): Promise<NodeProcess> {
  const { proc, grpcPort, respPort } = await spawnNode({ id, dir, etcd: etcd.url, actors: actorsModule, leaseTtl: LEASE_TTL, resp: true });
  return {
    id,
    proc,
    grpc: new OrbitClient(`127.0.0.1:${grpcPort}`),
    respPort: respPort!,
    redis: new Redis({ port: respPort!, host: '127.0.0.1', maxRetriesPerRequest: 1, retryStrategy: () => null }),
  };
}

/** Which node owns each shard now, from the directory (one claim per shard). */
async function owners(): Promise<Map<number, string>> {
  const claims = await nodes[0]!.grpc.activations(KV_SHARD_TYPE);
  const m = new Map<number, string>();
  for (const c of claims) {
    expect(m.has(Number(c.key))).toBe(false);
    m.set(Number(c.key), c.node);
  }
  return m;
}

/** A key named `prefix…` in a shard owned by a node other than `not` (touching shards until one is). */
async function remoteKey(prefix: string, not: NodeProcess): Promise<string> {
  for (let i = 0; i < 200; i++) {
    const key = `${prefix}${i}`;
    await not.redis.exists(key);
    if ((await owners()).get(kv.keyShard(key)) !== not.id) return key;
  }
  throw new Error(`no shard outside ${not.id}`);
}

/** Sends raw RESP requests on a fresh connection; resolves with the bytes received once they end with `endsWith`. */
function rawExchange(port: number, requests: string[][], endsWith: string): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    const sock = connect(port, '127.0.0.1');
    let got = '';
    const timer = setTimeout(() => {
      sock.destroy();
      reject(new Error(`no complete reply; got ${JSON.stringify(got)}`));
    }, 10_000);
    sock.on('data', (d) => {
      got += d.toString('latin1');
      if (got.endsWith(endsWith)) {
        clearTimeout(timer);
        sock.end();
        resolvePromise(got);
      }
    });
    sock.on('error', reject);
    sock.write(requests.map((r) => `*${r.length}\r\n${r.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join('')}`).join(''));
  });
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'orbit-resp-cluster-'));
  etcd = await startEtcd();
  nodes.push(...(await Promise.all(['n1', 'n2', 'n3'].map(startNode))));
  // Every node sees all three before the first key is placed.
  await membersSeen(nodes.map((n) => n.grpc), 3);
}, 60_000);

afterAll(async () => {
  for (const n of nodes) n.redis.disconnect();
  await stopNodes(nodes, dir);
  await etcd?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const KEYS = 300;

describe('the Redis keyspace sharded over three nodes', () => {
  test('keys written through one node read the same through the others; each shard owned by one node; each key stored once', async () => {
    const [n1, n2, n3] = nodes as [NodeProcess, NodeProcess, NodeProcess];
    const w = n1.redis.pipeline();
    for (let i = 0; i < KEYS; i++) w.set(`k:${i}`, `v:${i}`);
    expect((await w.exec())!.every(([e, r]) => e === null && r === 'OK')).toBe(true);
    for (const reader of [n2, n3, n1]) {
      const p = reader.redis.pipeline();
      for (let i = 0; i < KEYS; i++) p.get(`k:${i}`);
      expect((await p.exec())!.map(([, v]) => v)).toEqual(Array.from({ length: KEYS }, (_, i) => `v:${i}`));
    }
    // 300 keys touch all 16 shards; the directory holds one claim per shard, spread over the nodes.
    const own = await owners();
    expect(own.size).toBe(kv.KV_SHARDS);
    expect(new Set(own.values()).size).toBeGreaterThan(1);
    // DBSIZE is node-local: each key lives in the keyspace of its shard's owner only.
    const sizes = await Promise.all(nodes.map((n) => n.redis.dbsize()));
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(KEYS);
    for (const [i, n] of nodes.entries()) {
      const expected = Array.from({ length: KEYS }, (_, k) => `k:${k}`).filter((k) => own.get(kv.keyShard(k)) === n.id).length;
      expect(sizes[i]).toBe(expected);
    }
  }, 30_000);

  test('multi-key commands: CROSSSLOT across shards, success with a hash tag (and through another node)', async () => {
    const [n1, n2] = nodes as [NodeProcess, NodeProcess, NodeProcess];
    // Keys of different shards (found by the slot function, not assumed).
    let other = 'b0';
    for (let i = 0; kv.keyShard(other) === kv.keyShard('a'); i++) other = `b${i}`;
    expect(await err(n1.redis.mset('a', '1', other, '2'))).toBe("CROSSSLOT Keys in request don't hash to the same slot");
    expect(await err(n2.redis.del('a', other))).toBe("CROSSSLOT Keys in request don't hash to the same slot");
    expect(await n1.redis.mset('{user:7}:name', 'ann', '{user:7}:age', '41')).toBe('OK');
    expect(await n2.redis.mget('{user:7}:name', '{user:7}:age', '{user:7}:none')).toEqual(['ann', '41', null]);
    expect(await nodes[2]!.redis.del('{user:7}:name', '{user:7}:age')).toBe(2);
  }, 30_000);

  test('reply types survive forwarding: integers, 64-bit integers, bulk, nil, arrays, errors', async () => {
    const n1 = nodes[0]!;
    const key = await remoteKey('types:', n1);
    const r = n1.redis;
    expect(await r.incrby(key, 5)).toBe(5);
    expect(await r.get(key)).toBe('5');
    expect(await r.get(`{${key}}:missing`)).toBeNull();
    expect(await r.set(key, '9007199254740993')).toBe('OK');
    const big = new Redis({ port: n1.respPort, host: '127.0.0.1', stringNumbers: true, maxRetriesPerRequest: 1, retryStrategy: () => null });
    try {
      expect(String(await big.incr(key))).toBe('9007199254740994');
    } finally {
      big.disconnect();
    }
    const list = `{${key}}:list`;
    expect(await r.rpush(list, 'a', 'b', 'c')).toBe(3);
    expect(await r.lrange(list, 0, -1)).toEqual(['a', 'b', 'c']);
    expect(await err(r.get(list))).toBe('WRONGTYPE Operation against a key holding the wrong kind of value');
    expect(await err(r.lpush(key, 'x'))).toBe('WRONGTYPE Operation against a key holding the wrong kind of value');
    expect(await err(r.incr(list))).toBe('WRONGTYPE Operation against a key holding the wrong kind of value');
    expect(await r.call('OBJECT', 'ENCODING', list)).toBe('quicklist');
    expect(await r.type(list)).toBe('list');
    expect(await r.exists(list, key)).toBe(2);
    expect(await r.ttl(list)).toBe(-1);
  }, 30_000);

  test('RESP3 after HELLO 3: maps and doubles of a forwarded command are encoded by the receiving node', async () => {
    const n2 = nodes[1]!;
    const key = await remoteKey('r3:', n2);
    await n2.redis.hset(key, 'f', 'v');
    const z = `{${key}}:z`;
    await n2.redis.zadd(z, 1.5, 'm');
    const resp2 = await rawExchange(n2.respPort, [['HGETALL', key], ['ZSCORE', z, 'm'], ['ZRANGE', z, '0', '-1', 'WITHSCORES']], '*2\r\n$1\r\nm\r\n$3\r\n1.5\r\n');
    expect(resp2).toBe('*2\r\n$1\r\nf\r\n$1\r\nv\r\n$3\r\n1.5\r\n*2\r\n$1\r\nm\r\n$3\r\n1.5\r\n');
    const resp3 = await rawExchange(n2.respPort, [['HELLO', '3'], ['HGETALL', key], ['ZSCORE', z, 'm'], ['ZRANGE', z, '0', '-1', 'WITHSCORES'], ['GET', `{${key}}:none`]], '_\r\n');
    const afterHello = resp3.slice(resp3.indexOf('%1\r\n$1\r\nf'));
    expect(afterHello).toBe('%1\r\n$1\r\nf\r\n$1\r\nv\r\n,1.5\r\n*1\r\n*2\r\n$1\r\nm\r\n,1.5\r\n_\r\n');
  }, 30_000);

  test('commands that must stay on the connection are refused for a remote shard: MULTI, blocking, WATCH', async () => {
    const n3 = nodes[2]!;
    const key = await remoteKey('tx:', n3);
    const refusal = (what: string): string => `ERR ${what} on a key of a shard this node does not own is not supported in a cluster; send it to the shard's owner`;
    expect(await err(n3.redis.blpop(key, 1))).toBe(refusal('BLPOP'));
    expect(await err(n3.redis.watch(key))).toBe(refusal('WATCH'));
    const tx = await rawExchange(n3.respPort, [['MULTI'], ['SET', key, 'x'], ['EXEC']], 'discarded because of previous errors.\r\n');
    expect(tx).toBe(`+OK\r\n-${refusal('MULTI')}\r\n-EXECABORT Transaction discarded because of previous errors.\r\n`);
    expect(await n3.redis.exists(key)).toBe(0);
  }, 30_000);

  test('a dead node\'s shards are claimed by survivors and serve again (its keys stay in its own storage)', async () => {
    const [n1, n2, n3] = nodes as [NodeProcess, NodeProcess, NodeProcess];
    const own = await owners();
    const victimShard = [...own].find(([, node]) => node === 'n3')?.[0];
    expect(victimShard).toBeDefined();
    const key = Array.from({ length: KEYS }, (_, k) => `k:${k}`).find((k) => kv.keyShard(k) === victimShard)!;
    n3.redis.disconnect();
    n3.proc.kill('SIGKILL');
    await n3.proc.exited;
    // Retried once the dead node's lease expires: the shard is placed on a survivor, empty there.
    expect(await n1.redis.get(key)).toBeNull();
    expect(await n2.redis.set(key, 'again')).toBe('OK');
    expect(await n1.redis.get(key)).toBe('again');
    const after = await owners();
    expect(['n1', 'n2']).toContain(after.get(victimShard!)!);
    expect(new Set(after.values()).has('n3')).toBe(false);
  }, 30_000);
});
