// Reminders across node failure and a full restart: three `orbit server` processes on one etcd, one SIGKILLed, then all restarted.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Subprocess } from 'bun';
import { OrbitClient } from '../../runtime/cluster/index.ts';
import type { Fire } from './cluster-reminder-actors.ts';
import { spawnNode } from '../support/cluster-node.ts';
import { startEtcd, type EtcdProcess } from './cluster-etcd.ts';

const root = resolve(import.meta.dir, '../..');
const actorsModule = join(root, 'tests/runtime/cluster-reminder-actors.ts');
/** Seconds: a dead node's actors come back after this. */
const LEASE_TTL = 3;
/** The periodic reminder's period, ms. */
const PERIOD = 1_000;

interface NodeProcess {
  readonly id: string;
  readonly proc: Subprocess;
  readonly client: OrbitClient;
}

let etcd: EtcdProcess;
let dir: string;
const nodes = new Map<string, NodeProcess>();

/** Starts `orbit server` for node `id` (its data directory kept across restarts); resolves once it listens. */
async function startNode(id: string): Promise<NodeProcess> {
  const { proc, grpcPort } = await spawnNode({ id, dir, etcd: etcd.url, actors: actorsModule, leaseTtl: LEASE_TTL, log: join(dir, `${id}-${Date.now()}.log`) });
  const n = { id, proc, client: new OrbitClient(`127.0.0.1:${grpcPort}`) };
  nodes.set(id, n);
  return n;
}

async function stopNode(n: NodeProcess, signal: 'SIGTERM' | 'SIGKILL'): Promise<void> {
  n.client.close();
  n.proc.kill(signal);
  await n.proc.exited;
  nodes.delete(n.id);
}

async function until<T>(probe: () => Promise<T>, ok: (v: T) => boolean, ms = 40_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (ok(v)) return v;
    if (Date.now() > deadline) throw new Error(`condition not met in time; last: ${JSON.stringify(v)}`);
    await Bun.sleep(100);
  }
}

/**
 * At most one delivery of `tick` per due time (plus `slack`): the k-th due time is at least k
 * periods after `registered`, so by the last delivery at most that many can have been due.
 */
function expectOncePerPeriod(fires: readonly Fire[], registered: number, slack = 0): void {
  const ticks = fires.filter((f) => f.name === 'tick');
  expect(ticks.length).toBeLessThanOrEqual(Math.floor((ticks.at(-1)!.at - registered) / PERIOD) + slack);
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'orbit-reminders-'));
  etcd = await startEtcd();
  await Promise.all(['n1', 'n2', 'n3'].map(startNode));
}, 60_000);

afterAll(async () => {
  for (const n of [...nodes.values()]) await stopNode(n, 'SIGTERM');
  // A node reports on stderr only what went wrong (a failed delivery, a lost lease): show it.
  for (const f of readdirSync(dir).filter((f) => f.endsWith('.log'))) {
    const log = readFileSync(join(dir, f), 'utf8');
    if (log.trim()) console.error(`${f}:\n${log}`);
  }
  await etcd?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('reminders in a three-node cluster', () => {
  test('a reminder fires on the hosting node, again from a survivor after that node is SIGKILLed, and again after every node restarts', async () => {
    const n1 = nodes.get('n1')!;
    const call = (through: NodeProcess, method: string, args: unknown[] = []) => through.client.call('Ticker', 't', method, args);
    const fires = async (through: NodeProcess): Promise<Fire[]> => (await call(through, 'fires')) as Fire[];

    // Registered through n1 while another node may host the actor; it fires where the actor is.
    const registered = (await call(n1, 'start', [PERIOD])) as number;
    const host = (await n1.client.activations('Ticker')).find((c) => c.key === 't')!.node;
    const steady = await until(() => fires(n1), (f) => f.length >= 5);
    expect(new Set(steady.map((f) => f.node))).toEqual(new Set([host]));
    expectOncePerPeriod(steady, registered);

    // The hosting node dies: the reminder keeps firing from a survivor, which loads the last saved state.
    const survivor = [...nodes.values()].find((n) => n.id !== host)!;
    const beforeKill = await fires(survivor);
    await stopNode(nodes.get(host)!, 'SIGKILL');
    const afterKill = await until(() => fires(survivor), (f) => f.filter((x) => x.node !== host).length >= 3);
    expect(afterKill.slice(0, beforeKill.length)).toEqual(beforeKill);
    // One survivor took the actor over (and hosts it from then on).
    expect(new Set(afterKill.filter((f) => f.node !== host).map((f) => f.node)).size).toBe(1);

    // A one-shot reminder due while the whole cluster is down fires once after it comes back.
    await call(survivor, 'alarm', ['wake', 1_500]);
    const lastBeforeRestart = await fires(survivor);
    for (const n of [...nodes.values()]) await stopNode(n, 'SIGTERM');
    await Bun.sleep(2_000);
    const restartedAt = Date.now();
    const [r1] = await Promise.all(['n1', 'n2', 'n3'].map(startNode));
    const afterRestart = await until(
      () => fires(r1!),
      (f) => f.some((x) => x.name === 'wake') && f.filter((x) => x.name === 'tick' && x.at >= restartedAt).length >= 3,
    );
    expect(afterRestart.slice(0, lastBeforeRestart.length)).toEqual(lastBeforeRestart);
    expect(afterRestart.filter((f) => f.name === 'wake').length).toBe(1);
    // A delivery cut off by the SIGKILL may have run before its retry on a survivor: one duplicate at most.
    expectOncePerPeriod(afterRestart, registered, 1);

    // Unregistered through any node: no node fires it again.
    await call(nodes.get('n2')!, 'stop', ['tick']);
    await Bun.sleep(PERIOD);
    const stopped = (await fires(r1!)).length;
    await Bun.sleep(PERIOD * 2.5);
    expect((await fires(r1!)).length).toBe(stopped);
    expect((await fires(r1!)).filter((f) => f.name === 'wake').length).toBe(1);
  }, 120_000);
});
