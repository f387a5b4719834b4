// Adaptive busy polling: spells after requests, the quiet period after a spell that caught nothing,
// other events served during a spell, and the listener setting.
import { describe, expect, test } from 'bun:test';
import { BusyPoll, busyPollSetting, DEFAULT_BUSY_POLL_MICROS } from '../../protocols/kit/busy-poll.ts';
import { listen } from '../../protocols/postgres/server.ts';
import { Engine } from '../../runtime/index.ts';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Resolves once `p.polling` is false (fails after 5 s). */
async function settled(p: BusyPoll): Promise<number> {
  const start = performance.now();
  while (p.polling) {
    if (performance.now() - start > 5_000) throw new Error('the spell never ended');
    await Bun.sleep(1);
  }
  return performance.now() - start;
}

describe('BusyPoll', () => {
  test('a request starts a spell that ends once nothing arrives for the window', async () => {
    const p = new BusyPoll(300_000); // 300 ms
    expect(p.polling).toBe(false);
    p.activity();
    expect(p.polling).toBe(true);
    await Bun.sleep(20);
    expect(p.polling).toBe(true);
    expect(await settled(p)).toBeGreaterThan(100);
  });

  test('requests arriving within the window keep the spell going; after it ends the next request starts one at once', async () => {
    const p = new BusyPoll(300_000, 60_000);
    p.activity();
    const until = performance.now() + 100;
    while (performance.now() < until) {
      await Bun.sleep(5);
      expect(p.polling).toBe(true);
      p.activity();
    }
    await settled(p);
    // That spell caught requests: no quiet period.
    p.activity();
    expect(p.polling).toBe(true);
    await settled(p);
  });

  test('a spell that caught nothing is followed by a quiet period without spells', async () => {
    const quiet = new BusyPoll(1_000, 60_000);
    quiet.activity();
    await settled(quiet);
    quiet.activity();
    expect(quiet.polling).toBe(false);

    const short = new BusyPoll(1_000, 30);
    short.activity();
    await settled(short);
    await Bun.sleep(100);
    short.activity();
    expect(short.polling).toBe(true);
    await settled(short);
  });

  test('timers, I/O and promises run during a spell', async () => {
    const p = new BusyPoll(200_000);
    p.activity();
    const seen: boolean[] = [];
    await new Promise<void>((resolve) =>
      setTimeout(() => {
        seen.push(p.polling);
        resolve();
      }, 10),
    );
    expect((await Bun.file(import.meta.path).text()).length).toBeGreaterThan(0);
    seen.push(p.polling);
    await Promise.resolve();
    seen.push(p.polling);
    expect(seen).toEqual([true, true, true]);
    await settled(p);
  });

  test('0 turns it off', () => {
    const p = new BusyPoll(0);
    p.activity();
    expect(p.polling).toBe(false);
  });
});

describe('the busyPollMicros setting', () => {
  test('defaults, accepts whole microseconds up to 10 ms, and refuses anything else', () => {
    expect(busyPollSetting({})).toBe(DEFAULT_BUSY_POLL_MICROS);
    expect(busyPollSetting({ busyPollMicros: 0 })).toBe(0);
    expect(busyPollSetting({ busyPollMicros: 10_000 })).toBe(10_000);
    for (const bad of [-1, 1.5, '100', 10_001, null]) expect(() => busyPollSetting({ busyPollMicros: bad })).toThrow(/busyPollMicros must be a whole number/);
  });

  test('a listener with a bad value does not start, and says why', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'orbit-busy-poll-'));
    const engine = await Engine.open({ dataDir: join(dir, 'data') });
    try {
      await expect(listen(engine, { host: '127.0.0.1', port: 0, settings: { busyPollMicros: -5 } })).rejects.toThrow(/busyPollMicros must be a whole number of microseconds from 0 to 10000, not -5/);
    } finally {
      await engine.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
