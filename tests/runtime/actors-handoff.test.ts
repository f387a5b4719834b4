// activateActor and deactivateActor in one process: an actor brought up or down without a call, as a drain's hand-off does.
import { afterEach, beforeEach, expect, test } from 'bun:test';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Actor, ActorError, ActorRuntime } from '../../runtime/index.ts';

let dir: string;
const events: string[] = [];

class Meter extends Actor<{ reads: number }> {
  static readonly type = 'Meter';
  override state = { reads: 0 };

  override async onActivate(): Promise<void> {
    events.push(`activate ${String(this.key)} at ${this.state.reads}`);
  }

  override async onDeactivate(): Promise<void> {
    events.push(`deactivate ${String(this.key)}`);
  }

  async read(): Promise<number> {
    events.push(`read ${String(this.key)}`);
    return ++this.state.reads;
  }
}

class Pool extends Actor<undefined> {
  static readonly type = 'Pool';
  static readonly options = { statelessWorker: true };
  async ping(): Promise<string> {
    return 'pong';
  }
}

class Broken extends Actor<undefined> {
  static readonly type = 'Broken';
  override async onActivate(): Promise<void> {
    throw new RangeError('cannot start');
  }
  async ping(): Promise<string> {
    return 'never';
  }
}

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'orbit-actors-handoff-'));
  events.length = 0;
});
afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

test('activateActor loads the saved state and runs onActivate before any call; deactivateActor saves it', async () => {
  const rt = ActorRuntime.open({ dataDir: dir, actors: [Meter, Pool, Broken] });
  try {
    expect(await rt.actorOf(Meter, 'm').read()).toBe(1);
    expect(await rt.deactivateActor('Meter', 'm')).toBe(true);
    expect(rt.hosts('Meter', 'm')).toBe(false);
    // Not hosted any more (and never hosted): nothing to do.
    expect(await rt.deactivateActor('Meter', 'm')).toBe(false);
    expect(await rt.deactivateActor('Meter', 'other')).toBe(false);

    await rt.activateActor('Meter', 'm');
    expect(rt.hosts('Meter', 'm')).toBe(true);
    expect(events).toEqual(['activate m at 0', 'read m', 'deactivate m', 'activate m at 1']);
    // The call finds it live: no second activation.
    expect(await rt.actorOf(Meter, 'm').read()).toBe(2);
    await rt.activateActor('Meter', 'm');
    expect(events.filter((e) => e.startsWith('activate'))).toEqual(['activate m at 0', 'activate m at 1']);

    await expect(rt.activateActor('Nope', 'x')).rejects.toMatchObject({ code: 'unknown_type' });
    await expect(rt.activateActor('Pool', 'x')).rejects.toMatchObject({ code: 'invalid_key' });
    await expect(rt.activateActor('Meter', Number.NaN)).rejects.toBeInstanceOf(ActorError);
    // A failing onActivate rejects the activation with its own error, and leaves nothing hosted.
    await expect(rt.activateActor('Broken', 'b')).rejects.toThrow('cannot start');
    expect(rt.hosts('Broken', 'b')).toBe(false);
  } finally {
    await rt.close();
  }
  // Closing saved the second read.
  const again = ActorRuntime.open({ dataDir: dir, actors: [Meter] });
  try {
    expect(await again.actorOf(Meter, 'm').read()).toBe(3);
    await again.close();
    await expect(again.activateActor('Meter', 'm')).rejects.toMatchObject({ code: 'runtime_closed' });
  } finally {
    await again.close();
  }
});
