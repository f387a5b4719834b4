// Actor programming model and turn-based execution: hooks, ordering, reentrancy, timeouts, errors, workers, typing.

import { afterEach, beforeEach, expect, test } from 'bun:test';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Actor, ActorError, ActorRuntime, type ActorRuntimeOptions } from '../../runtime/index.ts';

let dir: string;
let runtimes: ActorRuntime[] = [];
const open = (options: Partial<ActorRuntimeOptions> = {}): ActorRuntime => {
  const rt = ActorRuntime.open({ dataDir: dir, sync: true, ...options });
  runtimes.push(rt);
  return rt;
};
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'orbit-actors-'));
  runtimes = [];
});
afterEach(async () => {
  for (const rt of runtimes) await rt.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const hookLog: string[] = [];

class Greeter extends Actor<{ greeted: string[] }> {
  static readonly type = 'Greeter';
  override state = { greeted: [] as string[] };

  override onActivate(): void {
    hookLog.push(`activate ${String(this.key)} (${this.state.greeted.length} saved)`);
  }

  override onDeactivate(): void {
    hookLog.push(`deactivate ${String(this.key)}`);
  }

  async greet(name: string): Promise<string> {
    this.state.greeted.push(name);
    await this.save();
    return `hello ${name} from ${String(this.key)}`;
  }

  count(): number {
    return this.state.greeted.length;
  }
}

test('first call activates (after loading state), close deactivates; the proxy is typed', async () => {
  hookLog.length = 0;
  const rt = open();
  const alice = rt.actorOf(Greeter, 'alice');
  expect(hookLog).toEqual([]); // a proxy alone activates nothing
  const reply: string = await alice.greet('bob');
  expect(reply).toBe('hello bob from alice');
  // Synchronous methods are promised too.
  const n: Promise<number> = alice.count();
  expect(await n).toBe(1);
  await rt.actorOf(Greeter, 7).greet('carol');
  expect(hookLog).toEqual(['activate alice (0 saved)', 'activate 7 (0 saved)']);
  await rt.close();
  expect(hookLog.slice(2).sort()).toEqual(['deactivate 7', 'deactivate alice']);

  const again = open();
  expect(await again.actorOf(Greeter, 'alice').count()).toBe(1);
  expect(hookLog[4]).toBe('activate alice (1 saved)');
  // Number 7 and string '7' are different actors.
  expect(await again.actorOf(Greeter, '7').count()).toBe(0);
  expect(await again.actorOf(Greeter, 7).count()).toBe(1);

  if (false as boolean) {
    // @ts-expect-error greet takes a string
    await alice.greet(1);
    // @ts-expect-error base-class members are not callable through a proxy
    await alice.save();
  }
});

class Sequencer extends Actor<{ seen: number[] }> {
  static readonly type = 'Sequencer';
  override state = { seen: [] as number[] };
  inside = 0;
  maxInside = 0;

  async record(i: number): Promise<number> {
    this.inside++;
    this.maxInside = Math.max(this.maxInside, this.inside);
    // Yield twice mid-turn: another turn would interleave here if the mailbox allowed it.
    await Promise.resolve();
    await new Promise<void>((resolve) => setImmediate(resolve));
    this.state.seen.push(i);
    this.inside--;
    return this.state.seen.length;
  }

  async report(): Promise<{ maxInside: number; seen: number[] }> {
    return { maxInside: this.maxInside, seen: this.state.seen };
  }
}

test('10,000 concurrent calls to one actor run one at a time, in call order', async () => {
  const rt = open();
  const s = rt.actorOf(Sequencer, 'one');
  const N = 10_000;
  const replies = await Promise.all(Array.from({ length: N }, (_, i) => s.record(i)));
  expect(replies).toEqual(Array.from({ length: N }, (_, i) => i + 1));
  const { maxInside, seen } = await s.report();
  expect(maxInside).toBe(1);
  expect(seen).toEqual(Array.from({ length: N }, (_, i) => i));
  expect(rt.stats().activated).toBe(1);
});

class Gate extends Actor {
  static readonly type = 'Gate';
  static readonly options = { reentrant: ['enter', 'release', 'inside'] };
  entered = 0;
  private waiting: (() => void)[] = [];

  async enter(): Promise<number> {
    const mine = ++this.entered;
    await new Promise<void>((resolve) => this.waiting.push(resolve));
    return mine;
  }

  async blocking(): Promise<string> {
    await new Promise<void>((resolve) => this.waiting.push(resolve));
    return 'released';
  }

  release(): void {
    for (const r of this.waiting.splice(0)) r();
  }

  inside(): number {
    return this.entered;
  }

  peek(): number {
    return this.entered;
  }
}

test('reentrant methods interleave; the others wait their turn', async () => {
  const rt = open();
  const g = rt.actorOf(Gate, 'g');
  const a = g.enter();
  const b = g.enter();
  // Both reentrant calls are inside the method at once, suspended on the gate.
  expect(await g.inside()).toBe(2);
  const blocked = g.blocking(); // not reentrant: holds the mailbox until released
  let peeked = false;
  const peek = g.peek().then((n) => {
    peeked = true;
    return n;
  });
  const c = g.enter(); // a reentrant call still gets in
  expect(await g.inside()).toBe(3);
  // Reentrant calls got in and out while `peek` still waits: it is queued behind `blocking` (its answer, 3, shows it ran after `c` entered).
  expect(peeked).toBe(false);
  await g.release();
  expect(await Promise.all([a, b, c, blocked, peek])).toEqual([1, 2, 3, 'released', 3]);
});

class Stuck extends Actor {
  static readonly type = 'Stuck';
  // Long enough that a plain call on a loaded machine (activation included) stays well inside it.
  static readonly options = { callTimeoutMs: 600 };
  calls = 0;

  hang(): Promise<never> {
    this.calls++;
    return new Promise<never>(() => {});
  }

  ping(): string {
    return 'pong';
  }
}

test('a call that never returns times out with a typed error; calls queued behind it time out too', async () => {
  const reported: string[] = [];
  const rt = open({ callTimeoutMs: 300, onError: (e) => reported.push((e as Error).message) });
  const s = rt.actorOf(Stuck, 'x');
  const started = Date.now();
  const hung = s.hang().then(
    () => 'resolved',
    (e: unknown) => e,
  );
  const queued = s.ping().then(
    () => 'resolved',
    (e: unknown) => e,
  );
  const [e1, e2] = await Promise.all([hung, queued]);
  expect(e1).toBeInstanceOf(ActorError);
  expect((e1 as ActorError).code).toBe('call_timeout');
  expect((e1 as ActorError).sqlstate).toBe('57014');
  expect((e1 as ActorError).message).toContain('Stuck.hang');
  expect((e2 as ActorError).code).toBe('call_timeout');
  // Not before the type's own timeout, which overrides the runtime's shorter one.
  expect(Date.now() - started).toBeGreaterThanOrEqual(595);
  // Another actor of the same type is unaffected.
  expect(await rt.actorOf(Stuck, 'y').ping()).toBe('pong');
  // Closing does not hang on the stuck activation: it is abandoned after the timeout, and said so.
  await rt.close();
  expect(reported).toEqual(['actor call timed out: deactivating Stuck x on close, abandoned unsaved']);
});

class Fragile extends Actor<{ n: number }> {
  static readonly type = 'Fragile';
  override state = { n: 0 };

  async bump(): Promise<number> {
    this.state.n++;
    return this.state.n;
  }

  async explode(message: string): Promise<number> {
    await Promise.resolve();
    throw new RangeError(message);
  }
}

test('an error thrown by a method reaches the caller and the activation keeps serving', async () => {
  const rt = open();
  const f = rt.actorOf(Fragile, 'f');
  expect(await f.bump()).toBe(1);
  const e = await f.explode('boom').catch((x: unknown) => x);
  expect(e).toBeInstanceOf(RangeError);
  expect((e as Error).message).toBe('boom');
  expect(await f.bump()).toBe(2);
  expect(rt.stats().activated).toBe(1);
});

let failActivations = 1;
class Flaky extends Actor {
  static readonly type = 'Flaky';

  override async onActivate(): Promise<void> {
    await Bun.sleep(5);
    if (failActivations-- > 0) throw new Error('cannot start');
  }

  hello(): string {
    return 'hi';
  }
}

test('a failing onActivate fails the calls waiting for it; the next call activates afresh', async () => {
  failActivations = 1;
  const rt = open();
  const f = rt.actorOf(Flaky, 1);
  const results = await Promise.allSettled([f.hello(), f.hello()]);
  expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
  expect(((results[0] as PromiseRejectedResult).reason as Error).message).toBe('cannot start');
  expect(await f.hello()).toBe('hi');
  expect(rt.stats().activated).toBe(2);
});

const workerIds = new Set<number>();
let workerSerial = 0;
class Hasher extends Actor {
  static readonly type = 'Hasher';
  static readonly options = { statelessWorker: true, maxWorkers: 3 };
  readonly id = ++workerSerial;
  busy = false;

  async digest(text: string): Promise<string> {
    if (this.busy) throw new Error('two turns at once in one worker');
    this.busy = true;
    workerIds.add(this.id);
    await Bun.sleep(10);
    this.busy = false;
    return new Bun.CryptoHasher('sha256').update(text).digest('hex').slice(0, 8);
  }

  async trySave(): Promise<void> {
    await this.save();
  }
}

test('stateless workers: keyless, spread over at most maxWorkers activations, one turn each, no state', async () => {
  workerIds.clear();
  const rt = open();
  const h = rt.actorOf(Hasher);
  const out = await Promise.all(Array.from({ length: 12 }, (_, i) => h.digest(`t${i}`)));
  expect(new Set(out).size).toBe(12);
  expect(workerIds.size).toBe(3);
  expect(rt.stats().activations).toBe(3);
  const e = await h.trySave().catch((x: unknown) => x);
  expect((e as ActorError).code).toBe('stateless');
  expect(() => rt.actorOf(Hasher, 'k')).toThrow(ActorError);
});

test('bad keys, duplicate type names and calls after close are refused with ActorError codes', async () => {
  const rt = open();
  const code = (f: () => unknown): string | undefined => {
    try {
      f();
    } catch (e) {
      return (e as ActorError).code;
    }
    return undefined;
  };
  expect(code(() => rt.actorOf(Greeter))).toBe('invalid_key');
  expect(code(() => rt.actorOf(Greeter, Number.NaN))).toBe('invalid_key');
  class Impostor extends Actor {
    static readonly type = 'Greeter';
  }
  expect(code(() => rt.actorOf(Impostor, 'a'))).toBe('duplicate_type');
  class BadReentrant extends Actor {
    static readonly type = 'BadReentrant';
    static readonly options = { reentrant: ['nope'] };
  }
  expect(code(() => rt.actorOf(BadReentrant, 'a'))).toBe('invalid_definition');
  const g = rt.actorOf(Greeter, 'z');
  await rt.close();
  const e = await g.greet('late').catch((x: unknown) => x);
  expect((e as ActorError).code).toBe('runtime_closed');
});

interface Rich {
  tags: Set<string>;
  scores: Map<string, number>;
  at: Date;
  big: bigint;
  samples: Float64Array;
  a: { n: number };
  b: { n: number };
}

class Keeper extends Actor<Rich | undefined> {
  static readonly type = 'Keeper';

  async keep(): Promise<void> {
    const shared = { n: 1 };
    this.state = { tags: new Set(['x', 'y']), scores: new Map([['ada', 3]]), at: new Date(86_400_000), big: 2n ** 70n, samples: new Float64Array([0.5, -1]), a: shared, b: shared };
    await this.save();
  }

  read(): Rich | undefined {
    return this.state;
  }
}

test('saved state round-trips Set, Map, Date, bigint, typed arrays and shared references', async () => {
  const first = open();
  await first.actorOf(Keeper, 'k').keep();
  await first.close();
  const s = (await open().actorOf(Keeper, 'k').read())!;
  expect(s.tags).toEqual(new Set(['x', 'y']));
  expect(s.scores.get('ada')).toBe(3);
  expect(s.at.getTime()).toBe(86_400_000);
  expect(s.big).toBe(2n ** 70n);
  expect(s.samples).toBeInstanceOf(Float64Array);
  expect([...s.samples]).toEqual([0.5, -1]);
  expect(s.a).toBe(s.b);
});

class Napper extends Actor<Record<string, never>> {
  static readonly type = 'Napper';
  override state = {};
  quick(): number {
    return 1;
  }
  async nap(ms: number): Promise<void> {
    await new Promise((resolve) => setTimeout(resolve, ms));
  }
}

test('stats keep a latency histogram of one call in sixteen, queue time included', async () => {
  const rt = open({ actors: [Napper] });
  const n = rt.actorOf(Napper, 'n');
  for (let i = 0; i < 320; i++) await n.quick();
  let h = rt.stats().callLatency;
  expect(h.sampleEvery).toBe(16);
  expect(h.counts.length).toBe(h.upperMicros.length);
  expect(h.counts.reduce((a, b) => a + b, 0)).toBe(20);
  // A trivial call answers well within a second.
  expect(h.counts.slice(21).reduce((a, b) => a + b, 0)).toBe(0);
  // Sixteen 30 ms naps queued at once: the sampled one waited for all before it.
  await Promise.all(Array.from({ length: 16 }, () => n.nap(30)));
  h = rt.stats().callLatency;
  expect(h.counts.reduce((a, b) => a + b, 0)).toBe(21);
  const slowFrom = h.upperMicros.findIndex((u) => u > 16_384);
  expect(h.counts.slice(slowFrom).reduce((a, b) => a + b, 0)).toBe(1);
});
