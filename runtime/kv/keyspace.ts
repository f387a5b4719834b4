// The keyspace: 16 numbered databases in memory (the working set), expiry, watches, blocked clients,
// and group-committed durability to LMDB.
import type { KeyOp } from '../../compiler/index.ts';
import { fail } from './errors.ts';
import { KeyTable, tickAccessClock } from './key-table.ts';
import { KvStore } from './persist.ts';
import { PubSub } from './pubsub.ts';
import type { ReplySink } from './reply.ts';
import { typeName, type Value } from './values.ts';

/** Number of databases (SELECT 0 … 15). */
export const DATABASES = 16;

/** How writes reach the disk. */
export type Durability = 'everysec' | 'always';

export interface KeyspaceOptions {
  /**
   * `everysec` (default): writes are acknowledged at once and group-committed within `flushMs`
   * (at most 1 s at risk on a crash). `always`: a reply is sent only after its writes are on disk.
   */
  readonly durability?: Durability;
  /** Longest delay before dirty keys are written, in ms (default 100, at most 1000). */
  readonly flushMs?: number;
}

/** A client's view for one command: its selected database and identity. */
export interface KvClient {
  db: number;
  readonly id: number;
}

/** Marks a watching client dirty when a watched key changes. */
export interface WatchHandle {
  dirty: boolean;
}

/** A client blocked on keys (BLPOP …): retried when one of them is written, in arrival order. */
export interface Waiter {
  readonly db: number;
  readonly keys: readonly string[];
  /** Tries again; true when it was served (and wrote its reply). */
  retry(): boolean;
}

/** What a blocking command returns when it cannot be served now. */
export interface Block {
  readonly kind: 'block';
  readonly keys: readonly string[];
  /** Absolute deadline in ms, 0 = forever. */
  readonly deadline: number;
  /** Runs the command again; false when still nothing to take. */
  readonly retry: (out: ReplySink) => boolean;
  /** The reply on timeout. */
  readonly timeout: (out: ReplySink) => void;
}

/** A command implementation: writes its reply, or returns a Block for a blocking command that must wait. */
export type Handler = (ks: Keyspace, op: KeyOp, client: KvClient, out: ReplySink) => void | Block;

/** One key as the SQL views see it. */
export interface KvEntry {
  readonly db: number;
  readonly key: string;
  readonly value: Value;
  readonly type: ReturnType<typeof typeName>;
  /** Absolute expiry in ms, undefined without a TTL. */
  readonly expireAt: number | undefined;
}

/** Every live key at one instant (`now`, ms). */
export interface KvSnapshot {
  readonly now: number;
  entries(): Iterable<KvEntry>;
}

/** Counters for INFO stats. */
export interface KvStats {
  commands: number;
  expiredKeys: number;
  keyspaceHits: number;
  keyspaceMisses: number;
}

const open = new Map<string, { ks: Keyspace; users: number }>();

export class Keyspace {
  readonly dbs: KeyTable[] = [];
  /** Absolute expiry in ms per key that has one (Redis keeps expiries in a separate dict too). */
  readonly expires: Map<string, number>[] = [];
  private readonly dirty: Set<string>[] = [];
  private dirtyCount = 0;
  private flushTimer: ReturnType<typeof setTimeout> | undefined;
  private flushing: Promise<void> = Promise.resolve();
  private readonly watches: Map<string, Set<WatchHandle>>[] = [];
  private watchCount = 0;
  private readonly waiters = new Map<string, Waiter[]>();
  private readonly ready = new Set<string>();
  private serving = false;
  private readonly sweepTimer: ReturnType<typeof setInterval>;
  private sweepIter: (Iterator<[string, number]> | undefined)[] = [];
  readonly pubsub = new PubSub();
  readonly stats: KvStats = { commands: 0, expiredKeys: 0, keyspaceHits: 0, keyspaceMisses: 0 };
  durability: Durability;
  readonly flushMs: number;
  /**
   * Delay before the next group commit: `flushMs`, stretched (up to 1 s, the everysec bound) when
   * the last commit took long to encode and apply (many changed members of large collections, or
   * long values), so that work costs at most about 1/20 of the time.
   */
  private flushDelay: number;
  lastSave = Math.floor(Date.now() / 1000);
  /** Changes since the last completed flush (INFO's rdb_changes_since_last_save). */
  changesSinceSave = 0;

  private constructor(
    private readonly store: KvStore,
    options: KeyspaceOptions,
  ) {
    this.durability = options.durability ?? 'everysec';
    this.flushMs = Math.min(1000, Math.max(1, options.flushMs ?? 100));
    this.flushDelay = this.flushMs;
    for (let i = 0; i < DATABASES; i++) {
      this.dbs.push(new KeyTable());
      this.expires.push(new Map());
      this.dirty.push(new Set());
      this.watches.push(new Map());
    }
    // Keys read back at start-up count as accessed now (Redis stamps loaded objects with its clock).
    tickAccessClock();
    const now = Date.now();
    for (const r of store.load()) {
      if (r.db >= DATABASES) continue;
      if (r.expireAt !== 0 && r.expireAt <= now) {
        this.markDirty(r.db, r.key);
        continue;
      }
      this.dbs[r.db]!.set(r.key, r.value);
      if (r.expireAt !== 0) this.expires[r.db]!.set(r.key, r.expireAt);
    }
    // Active expiry: a sampled sweep, ten times a second, as Redis's serverCron does (which also
    // advances the clock that stamps accesses).
    this.sweepTimer = setInterval(() => {
      tickAccessClock();
      this.sweep();
    }, 100);
    (this.sweepTimer as { unref?: () => void }).unref?.();
  }

  /** The keyspace of a data directory, opened on first use and shared by every listener of the process. */
  static acquire(dataDir: string, options: KeyspaceOptions = {}): Keyspace {
    let e = open.get(dataDir);
    if (!e) {
      e = { ks: new Keyspace(KvStore.open(dataDir), options), users: 0 };
      open.set(dataDir, e);
    }
    e.users++;
    return e.ks;
  }

  /** The keyspace of a data directory if this process has it open (a listener acquired it). */
  static opened(dataDir: string): Keyspace | undefined {
    return open.get(dataDir)?.ks;
  }

  /** A read-only walk over every live key of every database, for the SQL views. */
  snapshot(): KvSnapshot {
    const now = Date.now();
    const dbs = this.dbs;
    const expires = this.expires;
    return {
      now,
      *entries() {
        for (let db = 0; db < DATABASES; db++) {
          const values = dbs[db]!;
          const exp = expires[db]!;
          for (const key of values.keys()) {
            const expireAt = exp.get(key);
            if (expireAt !== undefined && expireAt <= now) continue;
            const value = values.peek(key)!;
            yield { db, key, value, type: typeName(value), expireAt };
          }
        }
      },
    };
  }

  /** Releases one `acquire`; the last release flushes and closes the LMDB environment. */
  async release(dataDir: string): Promise<void> {
    const e = open.get(dataDir);
    if (!e || --e.users > 0) return;
    open.delete(dataDir);
    clearInterval(this.sweepTimer);
    await this.flush();
    await this.store.close();
  }

  // ─── Reads and writes ────────────────────────────────────────────────

  /** The live value of a key (an expired key is deleted on access: lazy expiry). */
  get(db: number, key: string): Value | undefined {
    const v = this.dbs[db]!.get(key);
    if (v === undefined) return undefined;
    const exp = this.expires[db]!;
    if (exp.size > 0) {
      const at = exp.get(key);
      if (at !== undefined && at <= Date.now()) {
        this.expire(db, key);
        return undefined;
      }
    }
    return v;
  }

  /**
   * The live value of a key without counting an access (Redis's LOOKUP_NOTOUCH: TYPE, EXISTS, TTL,
   * OBJECT, SCAN); lazy expiry still applies.
   */
  peek(db: number, key: string): Value | undefined {
    if (this.expired(db, key)) return undefined;
    return this.dbs[db]!.peek(key);
  }

  /** Seconds since a live key was last read or written (OBJECT IDLETIME), or undefined when absent. */
  idleSeconds(db: number, key: string): number | undefined {
    if (this.expired(db, key)) return undefined;
    return this.dbs[db]!.idleSeconds(key);
  }

  /**
   * GET without making a string: the value of a string key written to `out` as a bulk reply (true),
   * or false when the key is absent; WRONGTYPE when it holds another type.
   */
  replyString(db: number, key: string, out: ReplySink): boolean {
    if (this.expired(db, key)) return false;
    const table = this.dbs[db]!;
    const r = table.writeInline(key, out);
    if (r >= 0) return r === 1;
    const v = table.get(key)!;
    if (typeof v !== 'string') fail('wrongtype');
    out.bulk(v);
    return true;
  }

  /**
   * INCRBY's common case without making strings: a live string key holding a small integer gets
   * `by` added in place. Undefined (nothing changed) when the key is absent, holds anything else, or
   * the result is not exact: the caller takes the general path, which also reports errors.
   */
  incrInline(db: number, key: string, by: number): number | undefined {
    if (this.expired(db, key)) return undefined;
    const next = this.dbs[db]!.incrInline(key, by);
    if (next !== undefined) this.modified(db, key);
    return next;
  }

  /** Lazy expiry alone: deletes the key when its TTL has passed, and says whether it did. */
  private expired(db: number, key: string): boolean {
    const exp = this.expires[db]!;
    if (exp.size === 0) return false;
    const at = exp.get(key);
    if (at === undefined || at > Date.now()) return false;
    this.expire(db, key);
    return true;
  }

  private expire(db: number, key: string): void {
    this.dbs[db]!.delete(key);
    this.expires[db]!.delete(key);
    this.stats.expiredKeys++;
    this.modified(db, key);
  }

  /** Stores a value, keeping any TTL unless `keepTtl` is false. */
  put(db: number, key: string, v: Value, keepTtl = true): void {
    this.dbs[db]!.set(key, v);
    if (!keepTtl) {
      // Most databases hold no TTL at all: no lookup then.
      const exp = this.expires[db]!;
      if (exp.size > 0) exp.delete(key);
    }
    this.modified(db, key);
  }

  /** Deletes a key; returns whether it existed. */
  delete(db: number, key: string): boolean {
    if (this.get(db, key) === undefined) return false;
    this.dbs[db]!.delete(key);
    this.expires[db]!.delete(key);
    this.modified(db, key);
    return true;
  }

  /** Absolute expiry in ms, or undefined. */
  expireAt(db: number, key: string): number | undefined {
    return this.expires[db]!.get(key);
  }

  /** Sets (ms > 0) or clears (undefined) a key's absolute expiry; an expiry in the past deletes it. */
  setExpire(db: number, key: string, at: number | undefined): void {
    if (at === undefined) this.expires[db]!.delete(key);
    else if (at <= Date.now()) {
      this.dbs[db]!.delete(key);
      this.expires[db]!.delete(key);
    } else this.expires[db]!.set(key, at);
    this.modified(db, key);
  }

  /** A key's value changed in place (or was replaced): persist it, wake watchers and blocked clients. */
  modified(db: number, key: string): void {
    this.markDirty(db, key);
    this.changesSinceSave++;
    if (this.watchCount > 0) {
      const w = this.watches[db]!.get(key);
      if (w) for (const h of w) h.dirty = true;
    }
    if (this.waiters.size > 0) {
      const k = waitKey(db, key);
      if (this.waiters.has(k)) {
        this.ready.add(k);
        if (!this.serving) {
          this.serving = true;
          queueMicrotask(() => this.serveReady());
        }
      }
    }
  }

  /** Empties one database (or all). */
  flushDb(db: number | undefined): void {
    for (let i = 0; i < DATABASES; i++) {
      if (db !== undefined && i !== db) continue;
      for (const key of this.dbs[i]!.keys()) this.modified(i, key);
      this.dbs[i]!.clear();
      this.expires[i]!.clear();
    }
  }

  /** Exchanges two databases (SWAPDB); watchers of both see every key as touched. */
  swapDb(a: number, b: number): void {
    for (const i of [a, b]) for (const key of this.dbs[i]!.keys()) this.modified(i, key);
    [this.dbs[a], this.dbs[b]] = [this.dbs[b]!, this.dbs[a]!];
    [this.expires[a], this.expires[b]] = [this.expires[b]!, this.expires[a]!];
    for (const i of [a, b]) for (const key of this.dbs[i]!.keys()) this.modified(i, key);
  }

  // ─── Durability ──────────────────────────────────────────────────────

  private markDirty(db: number, key: string): void {
    const d = this.dirty[db]!;
    // One hash lookup: add, and see whether the set grew.
    const before = d.size;
    d.add(key);
    if (d.size === before) return;
    this.dirtyCount++;
    if (this.flushTimer === undefined && this.durability === 'everysec') {
      this.flushTimer = setTimeout(() => void this.flush(), this.flushDelay);
    }
  }

  /** Whether writes are waiting for the disk. */
  get pendingWrites(): boolean {
    return this.dirtyCount > 0;
  }

  /** Writes every dirty key as one LMDB transaction; resolves when it (and any earlier one) is durable. */
  flush(): Promise<void> {
    if (this.flushTimer !== undefined) {
      clearTimeout(this.flushTimer);
      this.flushTimer = undefined;
    }
    if (this.dirtyCount === 0) return this.flushing;
    const started = performance.now();
    const commit = this.store.newCommit();
    for (let db = 0; db < DATABASES; db++) {
      const d = this.dirty[db]!;
      if (d.size === 0) continue;
      const values = this.dbs[db]!;
      const exp = this.expires[db]!;
      for (const key of d) this.store.stage(commit, db, key, values.get(key), exp.get(key) ?? 0);
      d.clear();
    }
    this.dirtyCount = 0;
    const prev = this.flushing;
    const done = this.store.write(commit).then(() => {
      this.lastSave = Math.floor(Date.now() / 1000);
      this.changesSinceSave = 0;
    });
    this.flushDelay = Math.min(1000, Math.max(this.flushMs, (performance.now() - started + this.store.applyMs) * 20));
    this.flushing = Promise.all([prev, done]).then(() => undefined);
    return this.flushing;
  }

  // ─── Active expiry ───────────────────────────────────────────────────

  /** Checks up to 20 keys with a TTL per database per tick, resuming where the last tick stopped. */
  private sweep(): void {
    const now = Date.now();
    for (let db = 0; db < DATABASES; db++) {
      const exp = this.expires[db]!;
      if (exp.size === 0) continue;
      let it = this.sweepIter[db] ?? exp.entries();
      for (let n = 0; n < 20; n++) {
        const r = it.next();
        if (r.done) {
          it = exp.entries();
          break;
        }
        const [key, at] = r.value;
        if (at <= now && this.dbs[db]!.has(key)) this.expire(db, key);
      }
      this.sweepIter[db] = it;
    }
  }

  // ─── WATCH ───────────────────────────────────────────────────────────

  watch(db: number, key: string, h: WatchHandle): void {
    const m = this.watches[db]!;
    let s = m.get(key);
    if (!s) m.set(key, (s = new Set()));
    if (!s.has(h)) {
      s.add(h);
      this.watchCount++;
    }
  }

  unwatch(db: number, key: string, h: WatchHandle): void {
    const m = this.watches[db]!;
    const s = m.get(key);
    if (s?.delete(h)) {
      this.watchCount--;
      if (s.size === 0) m.delete(key);
    }
  }

  // ─── Blocked clients ─────────────────────────────────────────────────

  addWaiter(w: Waiter): void {
    for (const key of w.keys) {
      const k = waitKey(w.db, key);
      let list = this.waiters.get(k);
      if (!list) this.waiters.set(k, (list = []));
      list.push(w);
    }
  }

  removeWaiter(w: Waiter): void {
    for (const key of w.keys) {
      const k = waitKey(w.db, key);
      const list = this.waiters.get(k);
      if (!list) continue;
      const i = list.indexOf(w);
      if (i >= 0) list.splice(i, 1);
      if (list.length === 0) this.waiters.delete(k);
    }
  }

  /** Serves blocked clients of keys written since the last call, first come first served. */
  private serveReady(): void {
    while (this.ready.size > 0) {
      const [k] = this.ready;
      this.ready.delete(k!);
      const list = this.waiters.get(k!);
      if (!list) continue;
      for (const w of [...list]) {
        if (w.retry()) this.removeWaiter(w);
      }
    }
    this.serving = false;
  }

  /** Keys matching nothing: the total number of keys in a database (live and not yet swept). */
  size(db: number): number {
    return this.dbs[db]!.size;
  }
}

function waitKey(db: number, key: string): string {
  return `${db}:${key}`;
}
