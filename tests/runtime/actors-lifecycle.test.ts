// Actor lifecycle: idle deactivation, the LRU activation cap, timers, and durable reminders across restarts.

import { afterEach, beforeEach, expect, test } from 'bun:test';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Actor, ActorRuntime, type ActorRuntimeOptions } from '../../runtime/index.ts';

let dir: string;
let runtimes: ActorRuntime[] = [];
const open = (options: Partial<ActorRuntimeOptions> = {}): ActorRuntime => {
  const rt = ActorRuntime.open({ dataDir: dir, ...options });
  runtimes.push(rt);
  return rt;
};
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'orbit-actors-life-'));
  runtimes = [];
});
afterEach(async () => {
  for (const rt of runtimes) await rt.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** Resolves once `cond` holds, polling; fails after `ms` (generous: a loaded machine may be slow, never wrong). */
async function until(cond: () => boolean | Promise<boolean>, ms = 30_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error('condition not reached in time');
    await Bun.sleep(5);
  }
}

const events: string[] = [];

/** Keeps an unsaved tally: only deactivation's save makes it durable. */
class Tally extends Actor<{ n: number }> {
  static readonly type = 'Tally';
  override state = { n: 0 };

  override onActivate(): void {
    events.push(`+${String(this.key)}`);
  }

  override onDeactivate(): void {
    events.push(`-${String(this.key)}`);
  }

  add(by: number): number {
    this.state.n += by;
    return this.state.n;
  }
}

test('an idle activation is deactivated (its state saved) and the next call reactivates it', async () => {
  events.length = 0;
  const rt = open({ idleMs: 60 });
  const t = rt.actorOf(Tally, 'idle');
  expect(await t.add(5)).toBe(5);
  expect(rt.stats().activations).toBe(1);
  await until(() => events.includes('-idle'));
  expect(rt.stats().activations).toBe(0);
  // State written only by the deactivation's save is there on reactivation.
  expect(await t.add(1)).toBe(6);
  expect(events).toEqual(['+idle', '-idle', '+idle']);
});

test('calls keep an activation alive past its idle time', async () => {
  const idleMs = 300;
  const rt = open({ idleMs });
  // Only a run whose every pause between calls stayed under the idle time proves it: a loaded machine
  // may stall one pause past it (and then deactivating is right), so such a run is tried again.
  for (let attempt = 0; attempt < 5; attempt++) {
    events.length = 0;
    const key = `busy${attempt}`;
    const t = rt.actorOf(Tally, key);
    const first = Date.now();
    let previousStart = first;
    let longestIdle = 0;
    for (;;) {
      const start = Date.now();
      await t.add(1);
      const end = Date.now();
      // The activation was idle at most from the previous call's start to this call's end.
      longestIdle = Math.max(longestIdle, end - previousStart);
      previousStart = start;
      if (end - first >= 3 * idleMs) break;
      await Bun.sleep(20);
    }
    if (longestIdle >= idleMs) continue;
    expect(events).toEqual([`+${key}`]);
    return;
  }
  throw new Error('every attempt stalled past the idle time between two calls');
});

test('past the activation cap the least recently used one is deactivated, state saved first', async () => {
  events.length = 0;
  const rt = open({ maxActivations: 3 });
  for (const k of ['a', 'b', 'c']) await rt.actorOf(Tally, k).add(10);
  await rt.actorOf(Tally, 'a').add(1); // now b is the least recently used
  await rt.actorOf(Tally, 'd').add(1);
  await until(() => events.includes('-b'));
  expect(events.filter((e) => e.startsWith('-'))).toEqual(['-b']);
  await until(() => rt.stats().activations === 3);
  // b's unsaved tally was saved on eviction.
  expect(await rt.actorOf(Tally, 'b').add(0)).toBe(10);
  await until(() => events.includes('-c'));
  expect(rt.stats().activations).toBe(3);
});

test('refs from actorOf stay right across evictions and past the cache of reused refs', async () => {
  events.length = 0;
  const rt = open({ maxActivations: 100 });
  const held = rt.actorOf(Tally, 'k0');
  // More keys than the runtime keeps refs for (4096 per type) and than it keeps activations for.
  for (let i = 0; i < 5000; i++) await rt.actorOf(Tally, `k${i}`).add(1);
  for (let i = 0; i < 5000; i += 997) expect(await rt.actorOf(Tally, `k${i}`).add(1)).toBe(2);
  // A ref kept from before, and a fresh one, reach the same actor with its saved state.
  expect(await held.add(0)).toBe(2);
  expect(rt.actorOf(Tally, 'k0')).toBe(rt.actorOf(Tally, 'k0'));
  expect(await rt.actorOf(Tally, 'k0').add(1)).toBe(3);
  expect(rt.stats().activations).toBeLessThanOrEqual(100);
});

class Ticker extends Actor<{ ticks: number }> {
  static readonly type: string = 'Ticker';
  override state = { ticks: 0 };
  private timer: { cancel(): void } | undefined;

  start(everyMs: number): void {
    this.timer = this.setTimer(() => {
      this.state.ticks++;
    }, everyMs, everyMs);
  }

  stop(): number {
    this.timer?.cancel();
    return this.state.ticks;
  }

  ticks(): number {
    return this.state.ticks;
  }
}

/** A ticker that is never idle long enough to be deactivated, so its timer keeps running while a test waits. */
class Metronome extends Ticker {
  static override readonly type = 'Metronome';
  static readonly options = { idleMs: 600_000 };
}

/**
 * Waits until a metronome with a 10 ms period has ticked `n` times: any other 10 ms timer has had as many
 * chances to fire, however slowly the machine runs (instead of a fixed sleep).
 */
async function afterTicks(rt: ActorRuntime, key: string, n: number): Promise<void> {
  const m = rt.actorOf(Metronome, key);
  await m.start(10);
  await until(async () => (await m.ticks()) >= n);
  await m.stop();
}

test('timers fire as turns of their activation until cancelled', async () => {
  const rt = open();
  const t = rt.actorOf(Ticker, 1);
  await t.start(10);
  await until(async () => (await t.ticks()) >= 3);
  const stopped = await t.stop();
  expect(stopped).toBeGreaterThanOrEqual(3);
  await afterTicks(rt, 'after-stop', 6);
  expect(await t.ticks()).toBe(stopped);
});

test('timers stop with their activation and do not keep it alive', async () => {
  const rt = open({ idleMs: 80 });
  const t = rt.actorOf(Ticker, 2);
  await t.start(10);
  await until(() => rt.stats().deactivated === 1);
  const saved = await t.ticks(); // a fresh activation: the timer did not survive
  expect(saved).toBeGreaterThan(0);
  await afterTicks(rt, 'after-deactivation', 6);
  expect(await t.ticks()).toBe(saved);
});

const fired: string[] = [];

class Alarm extends Actor<{ rung: string[] }> {
  static readonly type = 'Alarm';
  override state = { rung: [] as string[] };

  async set(name: string, dueMs: number, periodMs?: number): Promise<void> {
    await this.registerReminder(name, dueMs, periodMs);
  }

  async unset(name: string): Promise<void> {
    await this.unregisterReminder(name);
  }

  override async onReminder(name: string): Promise<void> {
    fired.push(`${String(this.key)}:${name}`);
    this.state.rung.push(name);
    await this.save();
  }

  rung(): string[] {
    return this.state.rung;
  }
}

/** How many times `key:name` has fired. */
const firings = (key: string, name: string): number => fired.filter((f) => f === `${key}:${name}`).length;

/** A periodic reminder of another class: its firings show how many chances reminders had to fire. */
class Beacon extends Actor {
  static readonly type = 'Beacon';

  async start(periodMs: number): Promise<void> {
    await this.registerReminder('beat', 0, periodMs);
  }

  async stop(): Promise<void> {
    await this.unregisterReminder('beat');
  }

  override onReminder(name: string): void {
    fired.push(`${String(this.key)}:${name}`);
  }
}

/**
 * `read()` after a 40 ms beacon has fired twice more, and again after three more: by then any reminder
 * due had several chances to fire, and one already under way has landed (instead of fixed sleeps).
 */
async function twoReadings(rt: ActorRuntime, beaconKey: string, read: () => number): Promise<[number, number]> {
  const b = rt.actorOf(Beacon, beaconKey);
  const start = firings(beaconKey, 'beat');
  await b.start(40);
  await until(() => firings(beaconKey, 'beat') >= start + 2);
  const first = read();
  await until(() => firings(beaconKey, 'beat') >= start + 5);
  await b.stop();
  return [first, read()];
}

test('a reminder due while the runtime is down fires at the next start, once', async () => {
  fired.length = 0;
  const first = open({ actors: [Alarm] });
  // Due far enough ahead that even a stalled close comes first; then wait until it is due.
  const dueAt = Date.now() + 1_000;
  await first.actorOf(Alarm, 'wake').set('morning', 1_000);
  await first.close();
  expect(fired).toEqual([]);
  await until(() => Date.now() > dueAt + 20);

  const second = open({ actors: [Alarm] });
  await until(() => fired.length === 1);
  expect(fired).toEqual(['wake:morning']);
  await until(() => second.stats().activations === 1);
  expect(await second.actorOf(Alarm, 'wake').rung()).toEqual(['morning']);
  await second.close();

  // A one-shot reminder is removed once delivered: a third start does not fire it again.
  const third = open({ actors: [Alarm] });
  expect(await twoReadings(third, 'third', () => firings('wake', 'morning'))).toEqual([1, 1]);
});

test('a reminder registered for later fires after a restart without any call to the actor', async () => {
  fired.length = 0;
  const first = open({ actors: [Alarm] });
  // Due far enough ahead that even a stalled close comes first.
  await first.actorOf(Alarm, 7).set('later', 1_000);
  await first.close();
  const second = open({ actors: [Alarm] });
  expect(second.stats().activations).toBe(0);
  await until(() => fired.length === 1);
  expect(fired).toEqual(['7:later']);
  expect(second.stats().activated).toBe(1);
  expect(second.stats().reminders).toBe(1);
});

test('periodic reminders repeat, survive restarts, and stop when unregistered', async () => {
  fired.length = 0;
  const ticks = (): number => firings('p', 'tick');
  const first = open({ actors: [Alarm] });
  const a = first.actorOf(Alarm, 'p');
  await a.set('tick', 20, 40);
  await until(() => ticks() >= 2);
  await first.close();
  const before = ticks();
  // Stored reminders of a class not registered yet wait (while other reminders fire)…
  const second = open();
  expect(await twoReadings(second, 'meanwhile', ticks)).toEqual([before, before]);
  // …and registering it lazily through actorOf schedules them.
  const b = second.actorOf(Alarm, 'p');
  await until(() => ticks() >= before + 2);
  await b.unset('tick');
  // A delivery already under way when it was unregistered may still land; after it, none.
  const unset = ticks();
  const [settled, later] = await twoReadings(second, 'after-unset', ticks);
  expect(settled).toBeLessThanOrEqual(unset + 1);
  expect(later).toBe(settled);
  await second.close();
  // Unregistering removed it from storage: a restart does not bring it back.
  const third = open({ actors: [Alarm] });
  expect(await twoReadings(third, 'after-restart', ticks)).toEqual([settled, settled]);
});
