// Least-loaded placement on a real etcd: a node that joins an already loaded cluster receives the
// new actors until the loads even out (hash placement would split them about evenly).
import { afterAll, beforeAll, expect, test } from 'bun:test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Actor } from '../../runtime/index.ts';
import { ActorNode, OrbitClient } from '../../runtime/cluster/index.ts';
import { loadConfig } from '../../runtime/server/config.ts';
import { startEtcd, type EtcdProcess } from './cluster-etcd.ts';

class Tally extends Actor<{ n: number }> {
  static readonly type = 'Tally';
  override state = { n: 0 };
  async add(by: number): Promise<number> {
    this.state.n += by;
    return this.state.n;
  }
}

let etcd: EtcdProcess;
let dir: string;
const nodes: ActorNode[] = [];

beforeAll(async () => {
  etcd = await startEtcd();
  dir = mkdtempSync(join(tmpdir(), 'orbit-placement-'));
}, 60_000);

afterAll(async () => {
  for (const n of nodes) await n.close();
  await etcd?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const start = async (id: string): Promise<ActorNode> => {
  const node = await ActorNode.start({ dataDir: join(dir, id), actors: [Tally], host: '127.0.0.1', port: 0, etcd: etcd.url, nodeId: id, leaseTtl: 10, sync: false, placement: 'least-loaded' });
  nodes.push(node);
  return node;
};

const until = async (cond: () => Promise<boolean>, ms = 15_000): Promise<void> => {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await Bun.sleep(50);
  }
};

test('new actors go to the least loaded member', async () => {
  const a = await start('a');
  // Alone, a hosts the first 40.
  await Promise.all(Array.from({ length: 40 }, (_, i) => a.actorOf(Tally, `old${i}`).add(1)));
  await start('b');
  const client = new OrbitClient(`127.0.0.1:${a.port}`);
  try {
    await until(async () => (await client.nodes()).length === 2);
    // a's report of its 40 activations (sent every second) reaches every member.
    await Bun.sleep(2_500);
    await Promise.all(Array.from({ length: 40 }, (_, i) => a.actorOf(Tally, `new${i}`).add(1)));
    const claims = await client.activations('Tally');
    const fresh = claims.filter((c) => String(c.key).startsWith('new'));
    expect(fresh.length).toBe(40);
    expect(claims.filter((c) => String(c.key).startsWith('old')).every((c) => c.node === 'a')).toBe(true);
    // Every new actor evens the load out: b takes (nearly) all of them.
    expect(fresh.filter((c) => c.node === 'b').length).toBeGreaterThanOrEqual(36);
    // They answer where they were placed, with their state.
    for (let i = 0; i < 40; i++) expect(await a.actorOf(Tally, `new${i}`).add(1)).toBe(2);
  } finally {
    client.close();
  }
}, 60_000);

test('the server takes --placement (or ORBIT_PLACEMENT) and refuses an unknown strategy', () => {
  expect(loadConfig({ actors: 'actors.ts', placement: 'least-loaded' }, {}).actors.placement).toBe('least-loaded');
  expect(loadConfig({ actors: 'actors.ts' }, { ORBIT_PLACEMENT: 'hash' }).actors.placement).toBe('hash');
  expect(loadConfig({ actors: 'actors.ts' }, {}).actors.placement).toBeUndefined();
  expect(() => loadConfig({ actors: 'actors.ts', placement: 'random' }, {})).toThrow('invalid placement "random" (hash or least-loaded)');
});
