// Three Orbit nodes as separate processes on one etcd: 1,000 counters spread over them, one node SIGKILLed, all answer again.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Subprocess } from 'bun';
import { Etcd3 } from 'etcd3';
import { OrbitClient } from '../../runtime/cluster/index.ts';
import { membersSeen, spawnNode, stopNodes } from '../support/cluster-node.ts';
import { startEtcd, type EtcdProcess } from './cluster-etcd.ts';

const root = resolve(import.meta.dir, '../..');
const main = join(root, 'runtime/cli/main.ts');
const actorsModule = join(root, 'tests/runtime/cluster-actors.ts');
const ACTORS = 1000;
/** Seconds. Small, so failover is quick; not the minimum, so a node starved of CPU for a moment keeps its lease. */
const LEASE_TTL = 3;

interface NodeProcess {
  readonly id: string;
  readonly proc: Subprocess;
  readonly port: number;
  readonly client: OrbitClient;
}

let etcd: EtcdProcess;
let admin: Etcd3;
let dir: string;
const nodes: NodeProcess[] = [];

/** Starts `orbit server` configured through ORBIT_* variables; resolves once it prints its gRPC port. */
async function startNode(id: string): Promise<NodeProcess> {
  const { proc, grpcPort: port } = await spawnNode({ id, dir, etcd: etcd.url, actors: actorsModule, leaseTtl: LEASE_TTL });
  return { id, proc, port, client: new OrbitClient(`127.0.0.1:${port}`) };
}

/** Runs `fn` over 0..n-1 with at most `width` in flight; results in index order. */
async function pool<T>(n: number, width: number, fn: (i: number) => Promise<T>): Promise<T[]> {
  const out = new Array<T>(n);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < n) {
      const i = next++;
      out[i] = await fn(i);
    }
  };
  await Promise.all(Array.from({ length: width }, worker));
  return out;
}

function orbitCli(args: string[]): { code: number; out: string; err: string } {
  const p = Bun.spawnSync([process.execPath, 'run', main, ...args], { cwd: root, stdin: 'ignore' });
  return { code: p.exitCode ?? -1, out: p.stdout.toString(), err: p.stderr.toString() };
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'orbit-cluster-'));
  etcd = await startEtcd();
  admin = new Etcd3({ hosts: etcd.url });
  nodes.push(...(await Promise.all(['n1', 'n2', 'n3'].map(startNode))));
  // A node listens before its watch has seen the others join: placement needs every view whole.
  await membersSeen(nodes.map((n) => n.client), 3);
}, 60_000);

afterAll(async () => {
  // A node reports on stderr only what went wrong (a lost lease, a failed save): stopNodes shows it.
  await stopNodes(
    nodes.map((n) => ({ id: n.id, proc: n.proc, grpc: n.client })),
    dir,
  );
  admin?.close();
  await etcd?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const expected = (i: number): number => (i % 7) + 1 + 10;

describe('three-node cluster', () => {
  test('1,000 counters across three nodes; one SIGKILLed; every actor answers from the survivors with its last saved value', async () => {
    const [n1, n2, n3] = nodes as [NodeProcess, NodeProcess, NodeProcess];
    expect((await n1.client.nodes()).map((n) => n.id)).toEqual(['n1', 'n2', 'n3']);

    // Two rounds of increments, each actor called through a different node each round.
    await pool(ACTORS, 100, (i) => nodes[i % 3]!.client.call('Counter', `c${i}`, 'increment', [(i % 7) + 1]));
    const second = await pool(ACTORS, 100, (i) => nodes[(i + 1) % 3]!.client.call('Counter', `c${i}`, 'increment', [10]));
    second.forEach((v, i) => expect(v).toBe(expected(i)));

    // Spread over all three nodes, each actor claimed once.
    const claims = await n2.client.activations('Counter');
    expect(claims.length).toBe(ACTORS);
    const perNode = new Map<string, number>();
    for (const c of claims) perNode.set(c.node, (perNode.get(c.node) ?? 0) + 1);
    for (const id of ['n1', 'n2', 'n3']) expect(perNode.get(id) ?? 0).toBeGreaterThan(150);
    const onVictim = claims.filter((c) => c.node === 'n3').map((c) => c.key);

    // The command line reaches any actor through any node.
    const cli = orbitCli(['actor', 'call', 'Counter', String(onVictim[0]), 'get', '--node', `127.0.0.1:${n1.port}`]);
    expect(cli.err).toBe('');
    expect(cli.out.trim()).toBe(String(expected(Number(String(onVictim[0]).slice(1)))));

    n3.proc.kill('SIGKILL');
    await n3.proc.exited;

    // Every actor answers again, through the two survivors, with the value it last saved.
    const after = await pool(ACTORS, 100, (i) => nodes[i % 2]!.client.call('Counter', `c${i}`, 'get'));
    after.forEach((v, i) => expect(v).toBe(expected(i)));

    const moved = await n1.client.activations('Counter');
    expect(moved.length).toBe(ACTORS);
    expect(new Set(moved.map((c) => c.node))).toEqual(new Set(['n1', 'n2']));
    expect((await n2.client.nodes()).map((n) => n.id)).toEqual(['n1', 'n2']);

    // No actor was ever live on two nodes at once, and every actor is live exactly once now.
    expect(await admin.getAll().prefix('/audit/violations/').strings()).toEqual({});
    const live = await admin.getAll().prefix('/audit/live/Counter/').strings();
    expect(Object.keys(live).length).toBe(ACTORS);
    for (const c of moved) expect(live[`/audit/live/Counter/${String(c.key)}`]).toBe(c.node);
  }, 60_000);

  test('a call in flight to a node that dies fails over: retried once on a survivor after its lease expires', async () => {
    const [n1, n2] = nodes as [NodeProcess, NodeProcess];
    // An actor n2 hosts, called through n1, kept in flight by a slow method.
    const onN2 = (await n1.client.activations('Counter')).find((c) => c.node === 'n2')!;
    const i = Number(String(onN2.key).slice(1));
    const inFlight = n1.client.call('Counter', onN2.key, 'getSlowly', [3_000]);
    await Bun.sleep(500);
    n2.proc.kill('SIGKILL');
    expect(await inFlight).toBe(expected(i));
    expect((await n1.client.activations('Counter')).find((c) => c.key === onN2.key)?.node).toBe('n1');

    const status = orbitCli(['cluster', 'status', '--json', '--node', `127.0.0.1:${n1.port}`]);
    expect(status.err).toBe('');
    expect(JSON.parse(status.out)).toMatchObject({ node: 'n1', status: 'SERVING', clustered: true, members: 1 });
    expect(await admin.getAll().prefix('/audit/violations/').strings()).toEqual({});
  }, 60_000);
});
