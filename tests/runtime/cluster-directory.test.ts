// The etcd directory against a real etcd: claim races, lease loss, fenced saves, state encoding; placement properties.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import fc from 'fast-check';
import { Etcd3 } from 'etcd3';
import { ActorError } from '../../runtime/actors/index.ts';
import { Directory, MAX_STATE_BYTES, NotOwnerError } from '../../runtime/cluster/directory.ts';
import { Membership } from '../../runtime/cluster/membership.ts';
import { placeActor } from '../../runtime/cluster/placement.ts';
import { startEtcd, type EtcdProcess } from './cluster-etcd.ts';

/** Seconds. Members share the test runner's event loop, which other test files may stall; no test waits for expiry. */
const LEASE_TTL = 10;

let etcd: EtcdProcess;
const opened: Membership[] = [];

beforeAll(async () => {
  etcd = await startEtcd();
});

afterAll(async () => {
  for (const m of opened) await m.close();
  await etcd.stop();
});

/** What `p` rejects with (bun's `expect(p).rejects` stalls on promises settled from gRPC callbacks). */
async function failure(p: Promise<unknown>): Promise<unknown> {
  return p.then(
    () => new Error('expected a rejection'),
    (e: unknown) => e,
  );
}

async function member(nodeId: string, onLost: (e: Error) => void = () => {}): Promise<{ m: Membership; dir: Directory }> {
  const m = await Membership.join({ etcd: etcd.url, nodeId, address: `127.0.0.1:${opened.length + 1}`, leaseTtl: LEASE_TTL, onLost });
  opened.push(m);
  return { m, dir: new Directory(m) };
}

describe('claims', () => {
  test('two nodes racing for the same 300 actors: every actor goes to exactly one, the loser learns the owner', async () => {
    const a = await member('race-a');
    const b = await member('race-b');
    const keys = Array.from({ length: 300 }, (_, i) => `k${i}`);
    const outcome = async (d: Directory, key: string): Promise<string> => {
      try {
        await d.claim('Race', key);
        return 'won';
      } catch (e) {
        if (e instanceof NotOwnerError) return `lost:${e.owner}`;
        throw e;
      }
    };
    // Interleave the two nodes' transactions in flight at the same time.
    const results = await Promise.all(keys.flatMap((k) => [outcome(a.dir, k), outcome(b.dir, k)]));
    let aWins = 0;
    for (let i = 0; i < keys.length; i++) {
      const [ra, rb] = [results[2 * i]!, results[2 * i + 1]!];
      expect([ra, rb].sort()).toEqual(ra === 'won' ? ['lost:race-a', 'won'] : ['lost:race-b', 'won']);
      if (ra === 'won') aWins++;
      expect(await a.dir.owner('Race', keys[i]!)).toBe(ra === 'won' ? 'race-a' : 'race-b');
    }
    // Both sides won some races: the test really raced.
    expect(aWins).toBeGreaterThan(0);
    expect(aWins).toBeLessThan(keys.length);
    const listed = await a.dir.claims('Race');
    expect(listed.length).toBe(300);
    // Claiming again what one already holds is idempotent; releasing lets the other claim it.
    const mine = listed.find((c) => c.node === 'race-a')!;
    await a.dir.claim('Race', mine.key);
    await a.dir.release('Race', mine.key);
    await b.dir.claim('Race', mine.key);
    expect(await a.dir.owner('Race', mine.key)).toBe('race-b');
    // A release by a node that does not hold the claim changes nothing.
    await a.dir.release('Race', mine.key);
    expect(await a.dir.owner('Race', mine.key)).toBe('race-b');
  });

  test('string and number keys are different actors', async () => {
    const a = await member('keys-a');
    const b = await member('keys-b');
    await a.dir.claim('Keys', 1);
    await b.dir.claim('Keys', '1');
    expect(await a.dir.owner('Keys', 1)).toBe('keys-a');
    expect(await a.dir.owner('Keys', '1')).toBe('keys-b');
    expect((await a.dir.claims('Keys')).map((c) => c.key).sort()).toEqual([1, '1'].sort());
  });

  test('closing a node revokes its lease: all its claims and its registration go at once', async () => {
    const a = await member('gone-a');
    const b = await member('gone-b');
    for (let i = 0; i < 50; i++) await a.dir.claim('Gone', i);
    expect(b.m.members.has('gone-a')).toBe(true);
    const left = b.m.waitGone('gone-a', 5_000);
    await a.m.close();
    expect(await left).toBe(true);
    expect(await b.dir.claims('Gone')).toEqual([]);
    await Promise.all(Array.from({ length: 50 }, (_, i) => b.dir.claim('Gone', i)));
    expect((await b.dir.claims('Gone')).every((c) => c.node === 'gone-b')).toBe(true);
  });

  test('a lease revoked behind the node\'s back reports the loss and frees its claims', async () => {
    let lost: Error | undefined;
    const a = await member('lost-a', (e) => {
      lost = e;
    });
    await a.dir.claim('Lost', 'x');
    const admin = new Etcd3({ hosts: etcd.url });
    try {
      await admin.leaseClient.leaseRevoke({ ID: a.m.leaseId });
      expect(await admin.get('/orbit/actors/Lost/s:x').string()).toBeNull();
    } finally {
      admin.close();
    }
    const deadline = Date.now() + 8_000;
    while (!lost && Date.now() < deadline) await Bun.sleep(50);
    expect(lost).toBeInstanceOf(Error);
  });

  test('the same node id cannot join twice while the first is alive', async () => {
    await member('twin');
    const second = await failure(Membership.join({ etcd: etcd.url, nodeId: 'twin', address: '127.0.0.1:9', leaseTtl: 2, onLost: () => {} }));
    expect((second as Error).message).toMatch(/registered by another live node/);
  });
});

describe('states', () => {
  test('round-trip Map, Set, Date and nested values; only the claim holder may save', async () => {
    const a = await member('state-a');
    const b = await member('state-b');
    expect(await a.dir.loadState('S', 'k')).toBeUndefined();
    await a.dir.claim('S', 'k');
    const state = { n: 1, m: new Map([['x', 1]]), s: new Set([1, 2]), d: new Date(0), nested: { list: [1, 'two', null] } };
    await a.dir.saveState('S', 'k', state);
    expect(await b.dir.loadState('S', 'k')).toEqual(state);
    // b does not hold the claim: its save is refused and the state is unchanged.
    const refused = await failure(b.dir.saveState('S', 'k', { n: 2 }));
    expect(refused).toBeInstanceOf(ActorError);
    expect(refused).toMatchObject({ code: 'claim_lost' });
    // After a releases, a's own late save is refused too (it no longer holds the claim).
    await a.dir.release('S', 'k');
    expect(await failure(a.dir.saveState('S', 'k', { n: 3 }))).toMatchObject({ code: 'claim_lost' });
    await b.dir.claim('S', 'k');
    expect(await b.dir.loadState('S', 'k')).toEqual(state);
    await b.dir.saveState('S', 'k', undefined);
    expect(await a.dir.loadState('S', 'k')).toBeUndefined();
  });

  test('a state over the size limit is refused with a clear error, and the saved one is kept', async () => {
    const a = await member('big-a');
    await a.dir.claim('Big', 'k');
    await a.dir.saveState('Big', 'k', { ok: true });
    const big = { blob: 'x'.repeat(MAX_STATE_BYTES + 1) };
    expect(await failure(a.dir.saveState('Big', 'k', big))).toMatchObject({ code: 'state_too_large', sqlstate: '54000' });
    expect(await a.dir.loadState('Big', 'k')).toEqual({ ok: true });
  });
});

describe('placement', () => {
  const nodeIds = fc.uniqueArray(fc.stringMatching(/^[a-z0-9-]{1,12}$/), { minLength: 1, maxLength: 8 });

  test('deterministic, one of the given nodes, independent of their order', () => {
    fc.assert(
      fc.property(fc.string(), nodeIds, (id, nodes) => {
        const p = placeActor(id, nodes);
        expect(nodes).toContain(p!);
        expect(placeActor(id, [...nodes].reverse())).toBe(p);
      }),
    );
    expect(placeActor('x', [])).toBeUndefined();
  });

  test('removing a node moves only the actors it had', () => {
    fc.assert(
      fc.property(fc.array(fc.string(), { minLength: 1, maxLength: 50 }), nodeIds.filter((n) => n.length >= 2), fc.nat(), (ids, nodes, pick) => {
        const gone = nodes[pick % nodes.length]!;
        const rest = nodes.filter((n) => n !== gone);
        for (const id of ids) {
          const before = placeActor(id, nodes);
          if (before !== gone) expect(placeActor(id, rest)).toBe(before!);
        }
      }),
    );
  });

  test('spreads 3,000 actors roughly evenly over three nodes', () => {
    const counts = new Map<string, number>();
    for (let i = 0; i < 3000; i++) {
      const n = placeActor(`Counter\u0000s:c${i}`, ['n1', 'n2', 'n3'])!;
      counts.set(n, (counts.get(n) ?? 0) + 1);
    }
    for (const n of ['n1', 'n2', 'n3']) expect(counts.get(n)!).toBeGreaterThan(800);
  });
});
