// Reminders in a cluster on a real etcd: two in-process nodes (stored in etcd, fired once, on the hosting node), and reminder tables racing.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Etcd3 } from 'etcd3';
import { Actor, ActorError, type ActorClass, type ActorKey } from '../../runtime/index.ts';
import { ActorNode } from '../../runtime/cluster/index.ts';
import { ClusterReminders, type ReminderHost } from '../../runtime/cluster/reminders.ts';
import { startEtcd, type EtcdProcess } from './cluster-etcd.ts';

/** Every delivery in this process: actor key, reminder name, the node that ran it, when. */
const delivered: { key: string; name: string; node: string; at: number }[] = [];

/** Counts its reminders in saved state; `node` tells which node's class ran it (each node registers its own subclass). */
class Alarm extends Actor<{ count: number }> {
  static readonly type = 'Alarm';
  override state = { count: 0 };
  protected node = '';

  /** Registers a reminder; resolves with the time just before it did (its first due time is at least `dueMs` later). */
  async set(name: string, dueMs: number, periodMs?: number): Promise<number> {
    const at = Date.now();
    await this.registerReminder(name, dueMs, periodMs);
    return at;
  }

  async unset(name: string): Promise<void> {
    await this.unregisterReminder(name);
  }

  async count(): Promise<number> {
    return this.state.count;
  }

  override async onReminder(name: string): Promise<void> {
    delivered.push({ key: String(this.key), name, node: this.node, at: Date.now() });
    this.state.count++;
    await this.save();
  }
}

class AlarmOnA extends Alarm {
  protected override node = 'a';
}
class AlarmOnB extends Alarm {
  protected override node = 'b';
}

let etcd: EtcdProcess;
let admin: Etcd3;
let dir: string;
let a: ActorNode;
let b: ActorNode;
const classOf = (n: ActorNode): ActorClass<Alarm> => (n === a ? AlarmOnA : AlarmOnB);
const alarm = (through: ActorNode, key: string) => through.actorOf(classOf(through), key);

async function until(check: () => boolean | Promise<boolean>, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await Bun.sleep(20);
  }
}

/** A key whose actor, activated through `through`, is hosted by `host`. */
async function keyHostedBy(host: ActorNode, through: ActorNode, prefix: string): Promise<string> {
  for (let i = 0; ; i++) {
    const key = `${prefix}${i}`;
    await alarm(through, key).count();
    const claim = (await through.activations('Alarm')).find((c) => c.key === key);
    if (claim?.node === host.nodeId) return key;
  }
}

const storedReminders = async (): Promise<string[]> => Object.keys(await admin.getAll().prefix('/orbit/reminders/').strings());

beforeAll(async () => {
  etcd = await startEtcd();
  admin = new Etcd3({ hosts: etcd.url });
  dir = mkdtempSync(join(tmpdir(), 'orbit-cluster-reminders-'));
  const start = (id: string, cls: ActorClass) =>
    ActorNode.start({ dataDir: join(dir, id), actors: [cls], host: '127.0.0.1', port: 0, etcd: etcd.url, nodeId: id, leaseTtl: 10, sync: false });
  [a, b] = await Promise.all([start('a', AlarmOnA), start('b', AlarmOnB)]);
}, 60_000);

afterAll(async () => {
  await a?.close();
  await b?.close();
  admin?.close();
  await etcd?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('cluster reminders', () => {
  test('a one-shot reminder registered through one node fires once, on the node hosting the actor, and is then removed from etcd', async () => {
    const key = await keyHostedBy(b, a, 'once');
    await alarm(a, key).set('ring', 500);
    expect(await storedReminders()).toEqual([`/orbit/reminders/Alarm/s:${key}/ring`]);
    expect(a.stats().reminders + b.stats().reminders).toBe(0);
    await until(() => delivered.some((d) => d.key === key));
    // Past the delay after which a node that is not first would try: still one delivery.
    await Bun.sleep(1_500);
    expect(delivered.filter((d) => d.key === key)).toMatchObject([{ name: 'ring', node: 'b' }]);
    expect(await alarm(a, key).count()).toBe(1);
    await until(async () => (await storedReminders()).length === 0);
    expect(b.stats().reminders).toBe(1);
    expect(a.stats().reminders).toBe(0);
  }, 30_000);

  test('a periodic reminder fires once per period across the cluster; unregistering through the other node stops it on every node', async () => {
    const period = 250;
    const key = await keyHostedBy(a, b, 'tick');
    const registered = await alarm(b, key).set('tick', period, period);
    await until(() => delivered.filter((d) => d.key === key).length >= 8);
    const fires = delivered.filter((d) => d.key === key);
    // The k-th occurrence is due no earlier than k periods after registering: more deliveries than that would be duplicates.
    expect(fires.length).toBeLessThanOrEqual(Math.floor((fires.at(-1)!.at - registered) / period));
    expect(new Set(fires.map((f) => f.node))).toEqual(new Set(['a']));
    expect(await alarm(b, key).count()).toBeGreaterThanOrEqual(fires.length);

    await alarm(b, key).unset('tick');
    expect(await storedReminders()).toEqual([]);
    // One delivery may already have been under way; after it, none.
    await Bun.sleep(period * 2);
    const settled = delivered.filter((d) => d.key === key).length;
    await Bun.sleep(period * 4);
    expect(delivered.filter((d) => d.key === key).length).toBe(settled);
  }, 30_000);

  test('onReminder is callable by name only with one string argument', async () => {
    const key = await keyHostedBy(a, a, 'byname');
    const refused = (args: unknown[]) => a.invoke({ type: 'Alarm', key, method: 'onReminder', args, hops: 0 }).then(() => 'ran', (e: { code?: string }) => e.code);
    expect(await refused([])).toBe('invalid_call');
    expect(await refused([1])).toBe('invalid_call');
    expect(await refused(['a', 'b'])).toBe('invalid_call');
    await a.invoke({ type: 'Alarm', key, method: 'onReminder', args: ['by-hand'], hops: 0 });
    expect(await alarm(a, key).count()).toBe(1);
  }, 30_000);

  test('a reminder of an actor that is not active anywhere activates it where placement puts it', async () => {
    const key = await keyHostedBy(b, b, 'idle');
    await alarm(b, key).set('later', 1_000);
    expect((await b.drain()).deactivated).toBeGreaterThan(0);
    // b takes no new activations while draining, so the reminder brings the actor up on a.
    await until(() => delivered.some((d) => d.key === key));
    expect(delivered.filter((d) => d.key === key)).toMatchObject([{ name: 'later', node: 'a' }]);
    expect((await a.activations('Alarm')).find((c) => c.key === key)?.node).toBe('a');
    expect(await alarm(a, key).count()).toBe(1);
  }, 30_000);
});

describe('the reminder table on its own: several nodes that all try at the due time', () => {
  /** Reminder tables over one etcd that all go first for type `Race`, recording what each delivers (the nodes above ignore that type). */
  async function tables(n: number, redeliverMs: number, deliver: (table: number, key: ActorKey, name: string) => Promise<void>): Promise<{ tables: ClusterReminders[]; clients: Etcd3[] }> {
    const clients = Array.from({ length: n }, () => new Etcd3({ hosts: etcd.url }));
    const list = clients.map((c) => new ClusterReminders(c, redeliverMs));
    await Promise.all(
      list.map((t, i) => {
        const host: ReminderHost = {
          knows: (type) => type === 'Race',
          first: () => true,
          deliver: (_type, key, name) => deliver(i, key, name),
          onError: () => {},
        };
        return t.start(host);
      }),
    );
    return { tables: list, clients };
  }

  async function stop(t: { tables: ClusterReminders[]; clients: Etcd3[] }): Promise<void> {
    for (const table of t.tables) await table.close();
    for (const c of t.clients) c.close();
  }

  test('three tables racing on every occurrence: the compare on mod_revision lets exactly one deliver each', async () => {
    const period = 100;
    const got: { table: number; at: number }[] = [];
    const t = await tables(3, 60_000, async (table) => {
      got.push({ table, at: Date.now() });
    });
    try {
      const registered = Date.now();
      await t.tables[0]!.putReminder({ type: 'Race', key: 'r', name: 'tick', due: registered + period, period });
      await until(() => got.length >= 20);
      await t.tables[1]!.removeReminder('Race', 'r', 'tick');
      const last = got.at(-1)!.at;
      // The k-th due time is k periods after registering: more deliveries than due times would be duplicates.
      expect(got.length).toBeLessThanOrEqual(Math.floor((last - registered) / period) + 1);
      // All three raced, so more than one of them won some occurrence.
      expect(new Set(got.map((g) => g.table)).size).toBeGreaterThan(1);
    } finally {
      await stop(t);
    }
  }, 30_000);

  test('a one-shot occurrence whose delivery found no node fires again after the redelivery delay, then is deleted', async () => {
    const attempts: number[] = [];
    const t = await tables(2, 300, async (table) => {
      attempts.push(table);
      if (attempts.length === 1) throw new ActorError('node_unavailable', 'test');
    });
    try {
      await t.tables[0]!.putReminder({ type: 'Race', key: 'o', name: 'once', due: Date.now() + 50, period: undefined });
      await until(() => attempts.length >= 2);
      await until(async () => !(await storedReminders()).some((k) => k.startsWith('/orbit/reminders/Race/')));
      await Bun.sleep(600);
      expect(attempts.length).toBe(2);
    } finally {
      await stop(t);
    }
  }, 30_000);

  test('a one-shot reminder whose turn registers it again is kept, with its new due time', async () => {
    let table: ClusterReminders | undefined;
    let runs = 0;
    const t = await tables(1, 60_000, async (_i, key, name) => {
      runs++;
      if (runs === 1) await table!.putReminder({ type: 'Race', key, name, due: Date.now() + 200, period: undefined });
    });
    table = t.tables[0]!;
    try {
      await table.putReminder({ type: 'Race', key: 'again', name: 'once', due: Date.now() + 50, period: undefined });
      await until(() => runs === 2);
      await until(async () => !(await storedReminders()).some((k) => k.startsWith('/orbit/reminders/Race/')));
      expect(runs).toBe(2);
    } finally {
      await stop(t);
    }
  }, 30_000);
});
