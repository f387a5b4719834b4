// Drain hand-off on three nodes and a real etcd: every actor of the drained node is live elsewhere, state intact, before any new call.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Actor, type ActorClass } from '../../runtime/index.ts';
import { ActorNode, OrbitClient } from '../../runtime/cluster/index.ts';
import { startEtcd, type EtcdProcess } from './cluster-etcd.ts';

const root = resolve(import.meta.dir, '../..');
const main = join(root, 'runtime/cli/main.ts');

/** Every activation and every call, by node: what ran where, in order. */
const events: { node: string; what: 'activate' | 'call'; key: string }[] = [];

/** The Counter a node hosts: the same actor type on every node, but each class knows its node's id. */
function counterOn(node: string): ActorClass {
  return class Counter extends Actor<{ value: number }> {
    static readonly type = 'Counter';
    static readonly options = { autoSave: true };
    override state = { value: 0 };

    override async onActivate(): Promise<void> {
      events.push({ node, what: 'activate', key: String(this.key) });
    }

    async increment(by: number): Promise<number> {
      events.push({ node, what: 'call', key: String(this.key) });
      this.state.value += by;
      return this.state.value;
    }

    async get(): Promise<number> {
      events.push({ node, what: 'call', key: String(this.key) });
      return this.state.value;
    }
  } as unknown as ActorClass;
}

let etcd: EtcdProcess;
let dir: string;
const nodes: ActorNode[] = [];
const classes = new Map<string, ActorClass>();

/** Counter `key` through `node` (each node takes only the class it registered). */
function counter(node: ActorNode, key: string): { increment(by: number): Promise<number>; get(): Promise<number> } {
  return node.actorOf(classes.get(node.nodeId)!, key) as unknown as { increment(by: number): Promise<number>; get(): Promise<number> };
}

beforeAll(async () => {
  etcd = await startEtcd();
  dir = mkdtempSync(join(tmpdir(), 'orbit-cluster-drain-'));
  nodes.push(
    ...(await Promise.all(
      ['d1', 'd2', 'd3'].map((id) => {
        classes.set(id, counterOn(id));
        return ActorNode.start({ dataDir: join(dir, id), actors: [classes.get(id)!], host: '127.0.0.1', port: 0, etcd: etcd.url, nodeId: id, leaseTtl: 10, sync: false });
      }),
    )),
  );
}, 60_000);

afterAll(async () => {
  for (const n of nodes) await n.close();
  await etcd?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('drain hand-off', () => {
  test('each actor of the drained node is activated on a live node right after its release, with its saved state', async () => {
    const [d1, , d3] = nodes as [ActorNode, ActorNode, ActorNode];
    const keys = Array.from({ length: 120 }, (_, i) => `k${i}`);
    await Promise.all(keys.map((k, i) => counter(nodes[i % 3]!, k).increment(i + 1)));
    const client = new OrbitClient(`127.0.0.1:${d1.port}`);
    try {
      const onVictim = (await client.activations('Counter')).filter((c) => c.node === 'd3').map((c) => String(c.key));
      expect(onVictim.length).toBeGreaterThan(10);

      // Drain d3 through the real command line.
      const p = Bun.spawn([process.execPath, 'run', main, 'cluster', 'drain', '--json', '--node', `127.0.0.1:${d3.port}`], { cwd: root, stdin: 'ignore', stdout: 'pipe', stderr: 'pipe' });
      const [out, err, code] = await Promise.all([new Response(p.stdout).text(), new Response(p.stderr).text(), p.exited]);
      expect(err).toBe('');
      expect(code).toBe(0);
      expect(JSON.parse(out)).toEqual({ deactivated: onVictim.length, handedOff: onVictim.length });

      // Before any new call: every one of them is claimed by d1 or d2 and was activated there.
      const callsBefore = events.filter((e) => e.what === 'call').length;
      const claims = new Map((await client.activations('Counter')).map((c) => [String(c.key), c.node]));
      expect(claims.size).toBe(keys.length);
      for (const k of onVictim) {
        const node = claims.get(k);
        expect(['d1', 'd2']).toContain(node!);
        expect(events.filter((e) => e.key === k && e.what === 'activate').at(-1)?.node).toBe(node!);
      }
      // Spread by placement over both survivors, not all on one.
      expect(new Set(onVictim.map((k) => claims.get(k)))).toEqual(new Set(['d1', 'd2']));
      expect((await client.nodes()).find((n) => n.id === 'd3')?.draining).toBe(true);

      // The first calls find them live where they were handed (no new activation), with their saved values.
      const activationsBefore = events.filter((e) => e.what === 'activate').length;
      expect(events.filter((e) => e.what === 'call').length).toBe(callsBefore);
      const values = await Promise.all(onVictim.map((k) => counter(d3, k).get()));
      expect(values).toEqual(onVictim.map((k) => Number(k.slice(1)) + 1));
      expect(events.filter((e) => e.what === 'activate').length).toBe(activationsBefore);
      for (const k of onVictim) expect(events.filter((e) => e.key === k && e.what === 'call').at(-1)?.node).toBe(claims.get(k)!);
    } finally {
      client.close();
    }
  }, 60_000);

  test('a node that is draining refuses hand-offs, and a drain with nowhere to go reports none handed off', async () => {
    const [d1, d2, d3] = nodes as [ActorNode, ActorNode, ActorNode];
    // d3 is draining: asked to take an actor, it does not.
    await expect(d3.activate('Counter', 'refused')).rejects.toThrow(/draining/);
    // Drain d2 too: d1 is the only open member and takes everything of d2.
    const onD2 = (await d1.activations('Counter')).filter((c) => c.node === 'd2').length;
    expect(await d2.drain()).toEqual({ deactivated: onD2, handedOff: onD2 });
    // And d1 last: no open member is left, so its actors are only saved and released.
    const onD1 = (await d1.activations('Counter')).length;
    expect(await d1.drain()).toEqual({ deactivated: onD1, handedOff: 0 });
    expect(await d1.activations('Counter')).toEqual([]);
  }, 60_000);
});
