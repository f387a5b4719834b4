// Durable actor data: states and reminders in their own LMDB environment (`actors/` in the data directory).
//
// The engine's Store keeps its environment private (one named database, binary keys), so actors
// open a second environment beside it, as the key-value keyspace does. Values are MessagePack
// (lmdb-js's built-in msgpackr encoding), keys ordered-binary arrays `[type, key]` / `[type, key, name]`.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { open, type Database, type DatabaseOptions, type RootDatabase } from 'lmdb';
import type { ActorKey } from './actor.ts';

/** A stored reminder: `due` is absolute (ms since the epoch), so downtime neither shifts nor drops it. */
export interface ReminderRecord {
  readonly type: string;
  readonly key: ActorKey;
  readonly name: string;
  readonly due: number;
  readonly period: number | undefined;
}

type StoredReminder = { due: number; period: number | null };

/**
 * Where actor states live. The runtime's own LMDB store is the default; a cluster passes one every
 * node can read, so an actor reactivated elsewhere finds its last saved state.
 */
export interface ActorStateStore {
  /** The saved state of one actor, or `undefined` when it never saved. */
  loadState(type: string, key: ActorKey): unknown;
  /** Writes (or, for `undefined`, removes) one actor's state; resolves once it is durable. */
  saveState(type: string, key: ActorKey, state: unknown): Promise<void>;
}

/**
 * Where reminders are stored. The runtime's own LMDB store is the default, and the runtime's timers
 * fire them; a cluster passes one that keeps them where every node sees them and fires each
 * occurrence itself, once, by calling `onReminder` by name on whichever node hosts the actor.
 */
export interface ActorReminderStore {
  /** Stores a reminder (replacing one of the same actor and name); resolves once it is durable. */
  putReminder(r: ReminderRecord): Promise<void>;
  /** Removes a reminder; resolves once that is durable. */
  removeReminder(type: string, key: ActorKey, name: string): Promise<void>;
}

/** The actors' LMDB environment. Every write resolves once it is durable (fsync). */
export class ActorStore implements ActorStateStore, ActorReminderStore {
  private constructor(
    private readonly env: RootDatabase,
    private readonly states: Database<unknown, (string | number)[]>,
    private readonly reminders: Database<StoredReminder, (string | number)[]>,
  ) {}

  /** Opens (creating) `<dataDir>/actors`. `sync: false` skips fsync (throwaway data only). */
  static open(dataDir: string, sync = true): ActorStore {
    const path = join(dataDir, 'actors');
    mkdirSync(path, { recursive: true });
    // overlappingSync off: a put's promise resolves only after its transaction is fsynced.
    const env = open({ path, noSubdir: false, maxDbs: 4, overlappingSync: false, ...(sync ? {} : { noSync: true }) });
    // structuredClone: Set, typed arrays and shared or cyclic references come back as they were saved.
    // lmdb-js reads encoder options per database (they are not inherited from the root), though its typings omit them there.
    const stateOptions = { name: 'state', encoder: { structuredClone: true } } as DatabaseOptions & { name: string };
    const states = env.openDB<unknown, (string | number)[]>(stateOptions);
    const reminders = env.openDB<StoredReminder, (string | number)[]>({ name: 'reminders' });
    return new ActorStore(env, states, reminders);
  }

  /** The saved state of one actor, or `undefined` when it never saved. */
  loadState(type: string, key: ActorKey): unknown {
    return this.states.get([type, key]);
  }

  /** Writes (or, for `undefined`, removes) one actor's state; puts in the same tick share one commit. */
  async saveState(type: string, key: ActorKey, state: unknown): Promise<void> {
    if (state === undefined) await this.states.remove([type, key]);
    else await this.states.put([type, key], state);
  }

  async putReminder(r: ReminderRecord): Promise<void> {
    await this.reminders.put([r.type, r.key, r.name], { due: r.due, period: r.period ?? null });
  }

  async removeReminder(type: string, key: ActorKey, name: string): Promise<void> {
    await this.reminders.remove([type, key, name]);
  }

  /** Every stored reminder, for scheduling at start-up. */
  *allReminders(): Iterable<ReminderRecord> {
    for (const { key, value } of this.reminders.getRange()) {
      const [type, k, name] = key as [string, ActorKey, string];
      yield { type, key: k, name, due: value.due, period: value.period ?? undefined };
    }
  }

  /** Waits for pending writes and closes the environment. */
  async close(): Promise<void> {
    await this.states.flushed;
    await this.env.close();
  }
}
