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

/** Resolves once `cond` holds, polling; fails after `ms`. */
async function until(cond: () => boolean, ms = 5_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
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
  events.length = 0;
  const rt = open({ idleMs: 250 });
  const t = rt.actorOf(Tally, 'busy');
  for (let i = 0; i < 20; i++) {
    await t.add(1);
    await Bun.sleep(25);
  }
  expect(events).toEqual(['+busy']);
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

class Ticker extends Actor<{ ticks: number }> {
  static readonly type = 'Ticker';
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

test('timers fire as turns of their activation until cancelled', async () => {
  const rt = open();
  const t = rt.actorOf(Ticker, 1);
  await t.start(10);
  const end = Date.now() + 3_000;
  while ((await t.ticks()) < 3 && Date.now() < end) await Bun.sleep(10);
  const stopped = await t.stop();
  expect(stopped).toBeGreaterThanOrEqual(3);
  await Bun.sleep(60);
  expect(await t.ticks()).toBe(stopped);
});

test('timers stop with their activation and do not keep it alive', async () => {
  const rt = open({ idleMs: 80 });
  const t = rt.actorOf(Ticker, 2);
  await t.start(10);
  await until(() => rt.stats().deactivated === 1);
  const saved = await t.ticks(); // a fresh activation: the timer did not survive
  expect(saved).toBeGreaterThan(0);
  await Bun.sleep(60);
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

test('a reminder due while the runtime is down fires at the next start, once', async () => {
  fired.length = 0;
  const first = open({ actors: [Alarm] });
  await first.actorOf(Alarm, 'wake').set('morning', 150);
  await first.close();
  await Bun.sleep(250);
  expect(fired).toEqual([]);

  const second = open({ actors: [Alarm] });
  await until(() => fired.length === 1);
  expect(fired).toEqual(['wake:morning']);
  await until(() => second.stats().activations === 1);
  expect(await second.actorOf(Alarm, 'wake').rung()).toEqual(['morning']);
  await second.close();

  // A one-shot reminder is removed once delivered: a third start does not fire it again.
  open({ actors: [Alarm] });
  await Bun.sleep(200);
  expect(fired).toEqual(['wake:morning']);
});

test('a reminder registered for later fires after a restart without any call to the actor', async () => {
  fired.length = 0;
  const first = open({ actors: [Alarm] });
  await first.actorOf(Alarm, 7).set('later', 300);
  await first.close();
  const second = open({ actors: [Alarm] });
  expect(second.stats().activations).toBe(0);
  await until(() => fired.length === 1);
  expect(fired).toEqual(['7:later']);
  expect(second.stats().activated).toBe(1);
});

test('periodic reminders repeat, survive restarts, and stop when unregistered', async () => {
  fired.length = 0;
  const first = open({ actors: [Alarm] });
  const a = first.actorOf(Alarm, 'p');
  await a.set('tick', 20, 40);
  await until(() => fired.length >= 2);
  await first.close();
  const before = fired.length;
  // Registered lazily by actorOf, the class's stored reminders are scheduled too.
  const second = open();
  await Bun.sleep(100);
  expect(fired.length).toBe(before);
  const b = second.actorOf(Alarm, 'p');
  await until(() => fired.length >= before + 2);
  await b.unset('tick');
  await Bun.sleep(20);
  const after = fired.length;
  await Bun.sleep(150);
  expect(fired.length).toBe(after);
  await second.close();
  open({ actors: [Alarm] });
  await Bun.sleep(150);
  expect(fired.length).toBe(after);
});
