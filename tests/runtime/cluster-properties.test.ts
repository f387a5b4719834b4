// fast-check over a three-node cluster on a real etcd: random calls, deactivations, drains, kills and restarts keep one activation per actor and every saved value.
//
// Nodes are in-process ActorNodes. A kill is `abort()`: the listener drops its connections and the
// node's etcd lease is revoked, so etcd frees its registration and claims in one step exactly as
// when a dead node's lease expires (only sooner); its activations are then dropped, and any save
// they attempt is refused by the fence. Every increment is saved before it answers (autoSave), so
// the model is exact: a kill loses nothing that was acknowledged, and nothing is counted twice
// because commands run one at a time (no call is in flight when a node dies).
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import fc from 'fast-check';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Etcd3 } from 'etcd3';
import { Actor, type ActorClass } from '../../runtime/index.ts';
import { ActorNode, type Claim } from '../../runtime/cluster/index.ts';
import { startEtcd, type EtcdProcess } from './cluster-etcd.ts';

const KEYS = 4;
const NODES = 3;

let etcd: EtcdProcess;
let admin: Etcd3;
let dir: string;
/** A second live activation found by `onActivate`: must stay empty. */
const violations: string[] = [];
let incarnation = 0;

interface Counter {
  increment(): Promise<number>;
  get(): Promise<number>;
}

/**
 * The Counter as node `nodeId` hosts it. Independently of the directory, each activation creates
 * `/audit/live/<key>` under its node's own lease only if no live activation holds it, and removes
 * it on deactivation; a dead node's entries vanish with its lease, when its claims do.
 */
function counterOn(nodeId: string): ActorClass {
  let lease: Promise<string> | undefined;
  const nodeLease = (): Promise<string> =>
    (lease ??= admin
      .get(`/orbit/nodes/${nodeId}`)
      .exec()
      .then((r) => r.kvs[0]!.lease));
  return class extends Actor<{ value: number }> {
    static readonly type = 'Counter';
    static readonly options = { autoSave: true };
    override state = { value: 0 };

    override async onActivate(): Promise<void> {
      const k = `/audit/live/${String(this.key)}`;
      const r = await admin.if(k, 'Create', '==', 0).then(admin.put(k).value(nodeId).lease(await nodeLease())).else(admin.get(k)).commit();
      if (!r.succeeded) violations.push(`${String(this.key)} activated on ${nodeId} while live on ${r.responses[0]?.response_range?.kvs[0]?.value.toString()}`);
    }

    override async onDeactivate(): Promise<void> {
      const k = `/audit/live/${String(this.key)}`;
      await admin.if(k, 'Value', '==', nodeId).then(admin.delete().key(k)).commit();
    }

    async increment(): Promise<number> {
      return ++this.state.value;
    }

    async get(): Promise<number> {
      return this.state.value;
    }
  } as unknown as ActorClass;
}

interface Real {
  /** The live nodes, always NODES of them; a killed or restarted one is replaced in its slot. */
  readonly nodes: ActorNode[];
  readonly classes: Map<string, ActorClass>;
  readonly placement: 'hash' | 'least-loaded';
  readonly keys: readonly string[];
}

/** What was acknowledged, per actor: its saved value. */
interface Model {
  readonly values: number[];
}

async function startNode(real: Pick<Real, 'classes' | 'placement'>): Promise<ActorNode> {
  const id = `p${++incarnation}`;
  real.classes.set(id, counterOn(id));
  return ActorNode.start({ dataDir: join(dir, id), actors: [real.classes.get(id)!], host: '127.0.0.1', port: 0, etcd: etcd.url, nodeId: id, leaseTtl: 10, sync: false, placement: real.placement });
}

const counter = (real: Real, slot: number, key: number): Counter => {
  const node = real.nodes[slot]!;
  return node.actorOf(real.classes.get(node.nodeId)!, real.keys[key]) as unknown as Counter;
};

/** This run's claimed actors, from etcd. */
async function claimsOf(real: Real): Promise<Claim[]> {
  return (await real.nodes[0]!.activations('Counter')).filter((c) => real.keys.includes(String(c.key)));
}

/** Waits until every node's view of the members is the run's live nodes: watches report starts and kills a little later. */
async function membersSettled(real: Real): Promise<void> {
  const want = real.nodes.map((n) => n.nodeId).sort().join();
  for (let i = 0; i < 400; i++) {
    const views = await Promise.all(real.nodes.map(async (n) => (await n.nodes()).map((m) => m.id).sort().join()));
    if (views.every((v) => v === want)) return;
    await Bun.sleep(25);
  }
  throw new Error(`membership views did not settle on ${want}`);
}

/** After every step: each actor live at most once (the audit) and claimed only by live nodes, in agreement with the audit. */
async function checkSingleActivation(real: Real): Promise<void> {
  expect(violations).toEqual([]);
  const live = new Set(real.nodes.map((n) => n.nodeId));
  const audit = await admin.getAll().prefix('/audit/live/').strings();
  for (const c of await claimsOf(real)) {
    expect(live.has(c.node)).toBe(true);
    expect(audit[`/audit/live/${String(c.key)}`]).toBe(c.node);
  }
  for (const node of Object.values(audit)) expect(live.has(node)).toBe(true);
}

class Increment implements fc.AsyncCommand<Model, Real> {
  constructor(
    readonly slot: number,
    readonly key: number,
  ) {}
  check = (): boolean => true;
  async run(m: Model, r: Real): Promise<void> {
    expect(await counter(r, this.slot, this.key).increment()).toBe(++m.values[this.key]!);
    await checkSingleActivation(r);
  }
  toString = (): string => `increment(k${this.key} via slot ${this.slot})`;
}

class Get implements fc.AsyncCommand<Model, Real> {
  constructor(
    readonly slot: number,
    readonly key: number,
  ) {}
  check = (): boolean => true;
  async run(m: Model, r: Real): Promise<void> {
    expect(await counter(r, this.slot, this.key).get()).toBe(m.values[this.key]!);
    await checkSingleActivation(r);
  }
  toString = (): string => `get(k${this.key} via slot ${this.slot})`;
}

class Deactivate implements fc.AsyncCommand<Model, Real> {
  constructor(readonly key: number) {}
  check = (): boolean => true;
  async run(_m: Model, r: Real): Promise<void> {
    const hosts = await Promise.all(r.nodes.map((n) => n.deactivate('Counter', r.keys[this.key]!)));
    expect(hosts.filter(Boolean).length).toBeLessThanOrEqual(1);
    expect((await claimsOf(r)).find((c) => c.key === r.keys[this.key])).toBeUndefined();
    await checkSingleActivation(r);
  }
  toString = (): string => `deactivate(k${this.key})`;
}

/** A crash: no deactivation, no save; the node's lease goes at once. A fresh node takes its slot. */
class Kill implements fc.AsyncCommand<Model, Real> {
  constructor(readonly slot: number) {}
  check = (): boolean => true;
  async run(_m: Model, r: Real): Promise<void> {
    await r.nodes[this.slot]!.abort();
    r.nodes[this.slot] = await startNode(r);
    await checkSingleActivation(r);
  }
  toString = (): string => `kill(slot ${this.slot})`;
}

/** A clean stop (optionally drained first, handing its actors off), then a fresh node in its slot. */
class Restart implements fc.AsyncCommand<Model, Real> {
  constructor(
    readonly slot: number,
    readonly drainFirst: boolean,
  ) {}
  check = (): boolean => true;
  async run(_m: Model, r: Real): Promise<void> {
    const node = r.nodes[this.slot]!;
    if (this.drainFirst) {
      // A node that does not see the others yet has nobody to hand off to.
      await membersSettled(r);
      const hosted = (await claimsOf(r)).filter((c) => c.node === node.nodeId).length;
      const { deactivated, handedOff } = await node.drain();
      expect(deactivated).toBe(hosted);
      expect(handedOff).toBe(hosted);
      // Handed off: none of them is left unclaimed or on the drained node.
      expect((await claimsOf(r)).filter((c) => c.node === node.nodeId)).toEqual([]);
      await checkSingleActivation(r);
    }
    await node.close();
    r.nodes[this.slot] = await startNode(r);
    await checkSingleActivation(r);
  }
  toString = (): string => `${this.drainFirst ? 'drain+' : ''}restart(slot ${this.slot})`;
}

const slot = fc.nat({ max: NODES - 1 });
const key = fc.nat({ max: KEYS - 1 });
const commands = [
  fc.tuple(slot, key).map(([s, k]) => new Increment(s, k)),
  fc.tuple(slot, key).map(([s, k]) => new Increment(s, k)),
  fc.tuple(slot, key).map(([s, k]) => new Get(s, k)),
  key.map((k) => new Deactivate(k)),
  slot.map((s) => new Kill(s)),
  fc.tuple(slot, fc.boolean()).map(([s, d]) => new Restart(s, d)),
];

beforeAll(async () => {
  etcd = await startEtcd();
  admin = new Etcd3({ hosts: etcd.url });
  dir = mkdtempSync(join(tmpdir(), 'orbit-cluster-prop-'));
}, 60_000);

afterAll(async () => {
  admin?.close();
  await etcd?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('cluster properties', () => {
  test('random calls, deactivations, drains, kills and restarts under either placement: one activation per actor, every acknowledged increment kept', async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(fc.constantFrom('hash' as const, 'least-loaded' as const), fc.commands(commands, { maxCommands: 20 }), async (placement, cmds) => {
        const classes = new Map<string, ActorClass>();
        const nodes = await Promise.all(Array.from({ length: NODES }, () => startNode({ classes, placement })));
        // Fresh actors per run (and per shrink attempt), so each model starts at zero.
        const keys = Array.from({ length: KEYS }, (_, i) => `r${++run}k${i}`);
        const real: Real = { nodes, classes, placement, keys };
        const model: Model = { values: keys.map(() => 0) };
        try {
          await fc.asyncModelRun(() => ({ model, real }), cmds);
          // Every actor, read through every node, has its acknowledged value.
          for (const n of real.nodes.keys()) expect(await Promise.all(keys.map((_, k) => counter(real, n, k).get()))).toEqual(model.values);
          await checkSingleActivation(real);
        } finally {
          await Promise.all(real.nodes.map((n) => n.close()));
        }
      }),
      { numRuns: 30 },
    );
  }, 120_000);
});
