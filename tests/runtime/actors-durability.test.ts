// Actor durability: acknowledged saves survive SIGKILL; random call/eviction/restart mixes keep single activation and state.

import { expect, test } from 'bun:test';
import fc from 'fast-check';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Actor, ActorRuntime } from '../../runtime/index.ts';

const writer = path.join(import.meta.dir, 'actors-writer.ts');

class Counter extends Actor<{ value: number }> {
  static readonly type = 'Counter';
  override state = { value: 0 };
  value(): number {
    return this.state.value;
  }
}

class Journal extends Actor<{ lines: string[] }> {
  static readonly type = 'Journal';
  override state = { lines: [] as string[] };
  lines(): string[] {
    return this.state.lines;
  }
}

test('every save acknowledged before SIGKILL is there after reopening (3 kills)', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'orbit-actors-kill-'));
  try {
    let floor = 0;
    for (let round = 0; round < 3; round++) {
      const child = Bun.spawn([process.execPath, writer, dir, String(round)], { stdout: 'pipe', stderr: 'inherit' });
      const reader = child.stdout.getReader();
      const decoder = new TextDecoder();
      let buffered = '';
      let last: [number, number] = [0, 0];
      let acks = 0;
      const want = 30 + Math.floor(Math.random() * 100);
      while (acks < want) {
        const { value, done } = await reader.read();
        if (done) break;
        buffered += decoder.decode(value, { stream: true });
        const lines = buffered.split('\n');
        buffered = lines.pop()!;
        for (const l of lines) {
          const [v, n] = l.split(' ').map(Number) as [number, number];
          last = [v, n];
          acks++;
        }
      }
      child.kill('SIGKILL');
      await child.exited;
      expect(child.signalCode).toBe('SIGKILL');
      expect(acks).toBeGreaterThanOrEqual(want);
      expect(last[0]).toBeGreaterThan(floor);

      const rt = ActorRuntime.open({ dataDir: dir });
      const value = await rt.actorOf(Counter, 'c').value();
      const lines = await rt.actorOf(Journal, 'j').lines();
      expect(value).toBeGreaterThanOrEqual(last[0]);
      expect(lines.length).toBeGreaterThanOrEqual(last[1]);
      // This round's lines are all there, in order, with none from a lost save in between.
      const mine = lines.filter((l) => l.startsWith(`r${round} `));
      expect(mine).toEqual(Array.from({ length: mine.length }, (_, i) => `r${round} ${i}`));
      floor = value;
      await rt.close();
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}, 60_000);

const live = new Map<string, number>();
let overlaps = 0;

/** Unsaved until deactivation: eviction and close are what make it durable. */
class Tally extends Actor<{ n: number }> {
  static readonly type = 'Tally';
  override state = { n: 0 };

  override async onActivate(): Promise<void> {
    const k = String(this.key);
    if ((live.get(k) ?? 0) > 0) overlaps++;
    live.set(k, (live.get(k) ?? 0) + 1);
    await Promise.resolve();
  }

  override async onDeactivate(): Promise<void> {
    await Promise.resolve();
    live.set(String(this.key), live.get(String(this.key))! - 1);
  }

  async add(by: number): Promise<number> {
    await Promise.resolve();
    this.state.n += by;
    return this.state.n;
  }
}

type Op = { kind: 'add'; key: number; by: number } | { kind: 'restart' } | { kind: 'idle' };

test('random concurrent calls, LRU evictions, idle deactivations and restarts: one activation per key, no lost update', async () => {
  const op: fc.Arbitrary<Op> = fc.oneof(
    { weight: 8, arbitrary: fc.record({ kind: fc.constant('add' as const), key: fc.integer({ min: 0, max: 5 }), by: fc.integer({ min: 1, max: 9 }) }) },
    { weight: 1, arbitrary: fc.constant({ kind: 'restart' as const }) },
    { weight: 1, arbitrary: fc.constant({ kind: 'idle' as const }) },
  );
  await fc.assert(
    fc.asyncProperty(fc.array(fc.array(op, { minLength: 1, maxLength: 8 }), { minLength: 1, maxLength: 8 }), async (batches) => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'orbit-actors-prop-'));
      live.clear();
      overlaps = 0;
      const model = new Map<number, number>();
      const options = { dataDir: dir, sync: false, maxActivations: 2, idleMs: 10 };
      let rt = ActorRuntime.open(options);
      try {
        for (const batch of batches) {
          // The ops of one batch run concurrently, so calls race evictions and deactivations.
          const pending: Promise<unknown>[] = [];
          for (const o of batch) {
            if (o.kind === 'add') {
              model.set(o.key, (model.get(o.key) ?? 0) + o.by);
              pending.push(rt.actorOf(Tally, o.key).add(o.by));
            } else if (o.kind === 'idle') {
              pending.push(Bun.sleep(30));
            }
          }
          await Promise.all(pending);
          if (batch.some((o) => o.kind === 'restart')) {
            await rt.close();
            rt = ActorRuntime.open(options);
          }
        }
        for (const [key, sum] of model) expect(await rt.actorOf(Tally, key).add(0)).toBe(sum);
        expect(overlaps).toBe(0);
      } finally {
        await rt.close();
        fs.rmSync(dir, { recursive: true, force: true });
      }
    }),
    { numRuns: 40 },
  );
}, 60_000);
