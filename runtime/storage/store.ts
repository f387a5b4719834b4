// The LMDB-backed store: environment, persisted catalog, DDL, transactions, bulk load, ANALYZE.

import { open, type Database, type RootDatabase } from 'lmdb';
import type { CheckInfo, ColumnInfo, ForeignKeyInfo, IndexInfo, TableInfo, TableStats, ViewInfo } from '../../compiler/catalog/index.ts';
import type { DataType } from '../../compiler/ir/types.ts';
import { catalogFromJson, catalogToJson, emptyCatalog, StoreCatalog, type CatalogState, type PhysicalColumn, type SequenceState, type TableState } from './catalog.ts';
import { StorageError } from './errors.ts';
import type { ColumnBatch } from './columns.ts';
import { arenaCopy } from './arena.ts';
import { compareBytes, idPrefix, keyString, prefixEnd } from './keys.ts';
import { MapRelease, releasing } from './map-release.ts';
import { openRawRange, type RawRange } from './raw-range.ts';
import { encodeRedo, RedoLog } from './redo.ts';
import { StatsCollector } from './stats.ts';
import { TableRuntime } from './table-runtime.ts';
import { Check, Txn, type KeyCommit, type Snapshot, type TxnHost, type Write } from './txn.ts';
import { WarmTier, type RowBytes } from './warm.ts';

/** A column as CREATE TABLE / ADD COLUMN describe it (the binder's `ColumnDefinition`). */
export interface ColumnDef {
  readonly name: string;
  readonly type: DataType;
  readonly nullable: boolean;
  readonly defaultSql?: string;
  readonly serial?: boolean;
}

export interface CreateTableDef {
  readonly schema?: string;
  readonly name: string;
  readonly ifNotExists?: boolean;
  readonly columns: readonly ColumnDef[];
  readonly primaryKey?: readonly string[];
  readonly uniques?: readonly { readonly name: string; readonly columns: readonly string[] }[];
  readonly foreignKeys?: readonly ForeignKeyInfo[];
  readonly checks?: readonly { readonly name: string; readonly sql: string }[];
}

export interface CreateIndexDef {
  readonly schema?: string;
  readonly name: string;
  readonly table: string;
  readonly columns: readonly string[];
  readonly unique: boolean;
  readonly ifNotExists?: boolean;
}

export interface CreateViewDef {
  readonly schema?: string;
  readonly name: string;
  readonly orReplace?: boolean;
  readonly sql: string;
  readonly columnNames?: readonly string[];
}

export type AlterAction =
  | { readonly kind: 'add-column'; readonly column: ColumnDef; readonly ifNotExists?: boolean; readonly foreignKey?: ForeignKeyInfo }
  /** `checks`: the table's CHECK constraints after the change (the binder rewrites their SQL). */
  | { readonly kind: 'drop-column'; readonly column: string; readonly ifExists?: boolean; readonly checks?: readonly CheckInfo[] }
  | { readonly kind: 'rename-column'; readonly from: string; readonly to: string; readonly checks?: readonly CheckInfo[] }
  | { readonly kind: 'rename-table'; readonly to: string };

export interface AlterTableDef {
  readonly schema?: string;
  readonly name: string;
  readonly action: AlterAction;
}

export interface StoreOptions {
  /** Skip fsync on commit (tests and throwaway data only: a crash may lose acknowledged commits). */
  readonly noSync?: boolean;
  /**
   * Bound on the warm tier's estimated memory in bytes (default 640 MiB; 0 turns caching off, and
   * columnar scans then decode LMDB rows every time).
   */
  readonly warmCacheBytes?: number;
  /**
   * Bytes of rows a long LMDB range read visits between releases of the data file's mapped
   * pages (default 64 MiB; see map-release.ts).
   */
  readonly releaseMappedBytes?: number;
  /** Bytes the redo log may grow to before it starts again at its beginning (default 32 MiB; see redo.ts). */
  readonly redoLogBytes?: number;
}

export interface BulkOptions {
  /** Rows per LMDB write transaction (default 20,000). */
  readonly chunkSize?: number;
  readonly onProgress?: (rowsLoaded: number) => void;
}

interface QueuedCommit {
  readonly writes: readonly Write[];
  readonly seq: number;
  readonly resolve: () => void;
  readonly reject: (e: unknown) => void;
}

/** Keys below every relation id (relation ids start at 16384, as PostgreSQL's user OIDs do). */
const SYS = idPrefix(0);
const sysKey = (name: string): Uint8Array => {
  const tail = new TextEncoder().encode(name);
  const k = new Uint8Array(SYS.length + tail.length);
  k.set(SYS);
  k.set(tail, SYS.length);
  return k;
};
const CATALOG_KEY = sysKey('catalog');
/**
 * The last commit's sequence number lives in LMDB's main database, beside the record of the
 * `orbit` database that every commit rewrites anyway: in `orbit` its leaf and branch pages cost a
 * commit 1.6 more page writes (7.6 instead of 6). Data directories written before keep it in
 * `orbit` until they are opened once.
 */
const COMMIT_SEQ_KEY = sysKey('commit-seq');
const sequenceKey = (name: string): Uint8Array => sysKey(`sequence:${name}`);
/** Sequence values handed out between two persisted reservations (PostgreSQL caches 32 too). */
const SEQUENCE_RESERVE = 32n;
/** Above this many tracked keys, pruning walks the map instead of waiting for it to empty. */
const PRUNE_THRESHOLD = 10_000;

const f64 = (n: number): Uint8Array => {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setFloat64(0, n);
  return b;
};
const i64 = (n: bigint): Uint8Array => {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigInt64(0, n);
  return b;
};
const view = (b: Uint8Array): DataView => new DataView(b.buffer, b.byteOffset, 8);
const text = new TextEncoder();
const DEFAULT_WARM_BYTES = 640 * 1024 * 1024;

export class Store implements TxnHost {
  catalog: StoreCatalog;
  readonly lastCommit = new Map<string, KeyCommit>();
  private runtimes = new Map<number, TableRuntime>();
  /** Last commit sequence number handed out, and the last one durably applied to LMDB. */
  private commitSeq: number;
  private appliedSeq: number;
  private maxTracked = 0;
  private prunedTo = 0;
  private readonly active = new Set<Txn>();
  /** Validated commits not yet durable, and those waiting for the next group. */
  private pending = 0;
  private queue: QueuedCommit[] = [];
  private inflight: Promise<void> | undefined;
  private flushQueued = false;
  private readonly rowIds = new Map<number, bigint>();
  private readonly sequences = new Map<string, { next: bigint; reserved: bigint }>();
  private nextTxnId = 1;
  private closed = false;
  /**
   * The read snapshot the last transaction began on, with its commit sequence number. Transactions
   * that begin before anything is written again share it: renewing a read transaction and reading
   * its sequence number cost more than a point lookup. Every write to LMDB drops it.
   */
  private current: { snap: Snapshot; seq: number } | undefined;
  /** In-memory columnar copies of committed table state (see warm.ts). */
  readonly warm: WarmTier;
  private readonly raw: RawRange;
  /** LMDB's main database, as binary keys and values: it holds `commit-seq`. */
  private readonly main: Database<Uint8Array, Uint8Array>;
  /**
   * With fsync on: the redo log, and a descriptor of LMDB's data file to flush it through after
   * synchronous LMDB writes (the environment runs with MDB_NOMETASYNC; see redo.ts).
   */
  private readonly durability: { readonly redo: RedoLog } | undefined;
  /** Records were re-applied at opening and are not yet known durable in LMDB. */
  private replayed = false;

  private constructor(
    dataDir: string,
    private readonly env: RootDatabase,
    private readonly db: Database<Uint8Array, Uint8Array>,
    options: StoreOptions,
  ) {
    // lmdb-js opens the main (unnamed) database for a null name; its typings only allow strings.
    this.main = env.openDB<Uint8Array, Uint8Array>({ name: null as unknown as string, encoding: 'binary', keyEncoding: 'binary' });
    // Long range reads (warm-tier decodes, ANALYZE) give back the LMDB pages they mapped as they go.
    this.raw = releasing(openRawRange(env, 'orbit'), new MapRelease(dataDir), options.releaseMappedBytes);
    this.warm = new WarmTier(this.raw, options.warmCacheBytes ?? DEFAULT_WARM_BYTES);
    const raw = db.getBinary(CATALOG_KEY);
    const state = raw ? catalogFromJson(new TextDecoder().decode(raw)) : emptyCatalog();
    this.catalog = new StoreCatalog(state);
    this.rebuildRuntimes();
    if (!options.noSync) this.durability = { redo: RedoLog.open(dataDir, options.redoLogBytes) };
    this.commitSeq = this.appliedSeq = this.replay();
  }

  /**
   * Re-applies the redo log's records that LMDB lost (a system crash took its last meta page),
   * makes them durable and returns LMDB's commit sequence number.
   */
  private replay(): number {
    const stored = (): number => {
      const seq = this.main.getBinary(COMMIT_SEQ_KEY);
      return seq ? view(seq).getFloat64(0) : 0;
    };
    const old = this.db.getBinary(COMMIT_SEQ_KEY);
    if (old && !this.main.getBinary(COMMIT_SEQ_KEY)) {
      const value = Uint8Array.from(old);
      this.db.transactionSync(() => {
        this.main.put(COMMIT_SEQ_KEY, value);
        this.db.remove(COMMIT_SEQ_KEY);
      });
      this.replayed = true;
    }
    const d = this.durability;
    if (!d) return stored();
    const durable = stored();
    const lost = d.redo.read().filter((r) => r.seq > durable).sort((a, b) => a.seq - b.seq);
    if (lost.length > 0) {
      this.db.transactionSync(() => {
        for (const r of lost) for (const w of r.writes) w.value ? this.db.put(w.key, w.value) : this.db.remove(w.key);
        this.main.put(COMMIT_SEQ_KEY, f64(lost[lost.length - 1]!.seq));
      });
      // lmdb-js may finish a synchronous transaction on its write thread after returning: the first
      // group commit makes these writes durable before the log is written over.
      this.replayed = true;
    }
    return stored();
  }

  /**
   * Makes the synchronous LMDB writes so far durable. lmdb-js may run a `transactionSync` inside its
   * write thread's open transaction, which that thread commits only after control returns to it
   * (a process killed at once loses it); an async batch commits behind it, and mdb_env_sync then
   * flushes data and meta pages.
   */
  private async persistSyncWrites(): Promise<void> {
    await this.db.batch(() => this.main.put(COMMIT_SEQ_KEY, f64(this.appliedSeq)));
    if (this.durability) await this.syncEnv();
  }

  /** mdb_env_sync: every LMDB commit so far durable, meta page included. */
  private syncEnv(): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      (this.env as unknown as { sync(cb: (error?: unknown) => void): void }).sync((error) => (error ? reject(error) : resolve()));
    });
  }

  /** Opens (creating when missing) the LMDB environment in `dataDir`. */
  static open(dataDir: string, options: StoreOptions = {}): Store {
    // overlappingSync off: a commit's promise resolves only once it is fsynced (durable when acknowledged).
    // noSubdir off: lmdb-js would otherwise take a directory name with a dot in it for a file name.
    // noMetaSync: the redo log stands in for the meta page's flush (see redo.ts).
    const env = open({ path: dataDir, noSubdir: false, maxDbs: 8, overlappingSync: false, ...(options.noSync ? { noSync: true } : { noMetaSync: true }) });
    const db = env.openDB<Uint8Array, Uint8Array>({ name: 'orbit', encoding: 'binary', keyEncoding: 'binary' });
    return new Store(dataDir, env, db, options);
  }

  /** Waits for outstanding commits, rolls back open transactions and closes the environment. */
  async close(): Promise<void> {
    if (this.closed) return;
    await this.quiesce();
    this.closed = true;
    for (const t of [...this.active]) t.rollback();
    this.dropSnapshot();
    await this.db.flushed;
    if (this.durability) {
      await this.syncEnv();
      this.durability.redo.close();
    }
    await this.env.close();
  }

  /** Resolves when every acknowledged commit so far is durable. */
  async flush(): Promise<void> {
    await this.quiesce();
    await this.db.flushed;
  }

  // ─── Transactions ───────────────────────────────────────────────────────

  /** Starts a snapshot-isolated transaction. Never blocks. */
  begin(): Txn {
    if (this.closed) throw new StorageError('invalid_transaction_state', 'the store is closed');
    const current = (this.current ??= this.freshSnapshot());
    // The transaction's own reference; `current` keeps the one taken when it was opened.
    current.snap.use();
    const t = new Txn(this, this.nextTxnId++, current.snap, current.seq);
    this.active.add(t);
    return t;
  }

  private freshSnapshot(): { snap: Snapshot; seq: number } {
    let snap = this.readTransaction();
    let seq = this.snapshotSeq(snap);
    if (seq < this.appliedSeq) {
      // lmdb-js renews its shared read transaction lazily; insist on one that includes every applied commit.
      snap.done();
      this.db.resetReadTxn();
      snap = this.readTransaction();
      seq = this.snapshotSeq(snap);
    }
    return { snap, seq };
  }

  /** lmdb-js's shared read transaction; its typings omit `use`, which every transaction object has. */
  private readTransaction(): Snapshot {
    return this.db.useReadTransaction() as unknown as Snapshot;
  }

  /** Something was written: the next transaction begins on a newer snapshot. */
  private dropSnapshot(): void {
    const current = this.current;
    this.current = undefined;
    current?.snap.done();
  }

  private snapshotSeq(snap: Snapshot): number {
    const b = (this.main.getBinaryFast as (k: Uint8Array, o: object) => Uint8Array | undefined)(COMMIT_SEQ_KEY, { transaction: snap });
    return b ? view(b).getFloat64(0) : 0;
  }

  /** @internal TxnHost */
  runtime(table: TableInfo): TableRuntime {
    const rt = this.runtimes.get(table.id);
    if (!rt) throw new StorageError('undefined_table', table.name);
    return rt;
  }

  /** @internal TxnHost */
  runtimeById(id: number): TableRuntime | undefined {
    return this.runtimes.get(id);
  }

  /** @internal TxnHost */
  readSnapshot(key: Uint8Array, snapshot: Snapshot): Uint8Array | undefined {
    return (this.db.getBinaryFast as (k: Uint8Array, o: object) => Uint8Array | undefined)(key, { transaction: snapshot });
  }

  /** @internal TxnHost */
  rangeSnapshot(start: Uint8Array, end: Uint8Array | undefined, snapshot: Snapshot): Iterable<{ key: Uint8Array; value: Uint8Array }> {
    return this.db.getRange({ start, ...(end ? { end } : {}), transaction: snapshot as never });
  }

  /** @internal TxnHost: the columnar scan of a transaction without own writes to the table. */
  scanColumns(rt: TableRuntime, ordinals: readonly number[], batchSize: number, snapshot: Snapshot, snapshotSeq: number): Iterable<ColumnBatch> {
    return this.warm.scan(rt, ordinals, batchSize, snapshot, snapshotSeq);
  }

  /** @internal TxnHost: full-table row scan of a snapshot, decoding rows in LMDB's buffers (no value copies). */
  *scanRows(rt: TableRuntime, batchSize: number, snapshot: Snapshot): Iterable<{ key: Uint8Array; values: unknown[] }[]> {
    let batch: { key: Uint8Array; values: unknown[] }[] = [];
    let key: Uint8Array | undefined;
    const cursor = this.raw(rt.prefix, rt.prefixEnd, snapshot, {
      key: (buf, start, end) => {
        key = arenaCopy(buf.subarray(start, end), end - start);
      },
      row: (buf) => {
        batch.push({ key: key!, values: rt.decode(buf) });
      },
    });
    try {
      while (cursor.next()) {
        if (batch.length >= batchSize) {
          yield batch;
          batch = [];
        }
      }
    } finally {
      cursor.close();
    }
    if (batch.length > 0) yield batch;
  }

  /** @internal TxnHost: hidden row ids grow monotonically per table (gaps after rollbacks). */
  nextRowId(rt: TableRuntime): Uint8Array {
    let next = this.rowIds.get(rt.id);
    if (next === undefined) {
      next = 1n;
      for (const k of this.db.getKeys({ start: rt.prefixEnd, end: rt.prefix, reverse: true, limit: 1 })) {
        if (k.length === 12) next = view(k.subarray(4)).getBigUint64(0) + 1n;
      }
    }
    this.rowIds.set(rt.id, next + 1n);
    return rt.rowIdKey(next);
  }

  /**
   * @internal TxnHost. Group commit: validated write sets queue up while the previous group is
   * being written and fsynced, then go to LMDB together in one batch (one write transaction, one
   * fsync). Each transaction's writes stay atomic because a whole group commits or fails together.
   */
  commit(_txn: Txn, writes: readonly Write[], shared: readonly string[] = []): Promise<void> {
    // Let go of the shared snapshot before the write: lmdb-js then renews its read transaction in
    // place after the commit instead of orphaning it and opening a new one.
    this.dropSnapshot();
    const seq = ++this.commitSeq;
    // A key-shared row counts as written by this commit, so an older snapshot cannot remove it unseen.
    for (const ks of shared) this.lastCommit.set(ks, { seq, exists: true });
    let lastId = -1;
    for (const w of writes) {
      if (w.check !== Check.None) this.lastCommit.set(w.ks, { seq, exists: w.value !== null });
      // Keys start with their relation id (u32 BE); index ids are never table ids, so marking them is harmless.
      const id = ((w.key[0]! << 24) | (w.key[1]! << 16) | (w.key[2]! << 8) | w.key[3]!) >>> 0;
      if (id !== lastId) {
        this.warm.written(id, seq);
        lastId = id;
      }
    }
    this.maxTracked = seq;
    return this.enqueue(writes, seq);
  }

  /** Queues `writes` for the next group commit under sequence number `seq`. */
  private enqueue(writes: readonly Write[], seq: number): Promise<void> {
    this.pending++;
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ writes, seq, resolve, reject });
      if (!this.inflight && !this.flushQueued) {
        this.flushQueued = true;
        // Let commits issued in the same turn join this group.
        queueMicrotask(() => {
          this.flushQueued = false;
          this.flushGroup();
        });
      }
    });
  }

  private flushGroup(): void {
    const group = this.queue;
    if (group.length === 0) return;
    this.queue = [];
    const lastSeq = group[group.length - 1]!.seq;
    const settle = (error: unknown): void => {
      this.dropSnapshot();
      this.pending -= group.length;
      if (lastSeq > this.appliedSeq) this.appliedSeq = lastSeq;
      this.inflight = undefined;
      this.prune();
      for (const c of group) {
        if (error === undefined) c.resolve();
        else c.reject(error);
      }
      this.flushGroup();
    };
    this.inflight = this.writeGroup(group, lastSeq).then(
      () => settle(undefined),
      (e: unknown) => settle(e ?? new StorageError('internal_error', 'commit failed')),
    );
  }

  /**
   * Writes one group to LMDB in one transaction, durably: its redo record is written while LMDB
   * commits (LMDB's own meta-page flush is off), or LMDB is flushed in full after the commit when
   * the record is too large for the log.
   */
  private async writeGroup(group: readonly QueuedCommit[], lastSeq: number): Promise<void> {
    const db = this.db;
    const redo = this.durability?.redo;
    const record = redo ? encodeRedo(lastSeq, group.map((c) => c.writes)) : undefined;
    const logged = redo !== undefined && record !== undefined && redo.accepts(record);
    if (this.replayed) {
      await this.persistSyncWrites();
      this.replayed = false;
    }
    // Before the log starts again at 0, the records there must be durable in LMDB.
    if (logged && !redo.fits(record)) {
      await this.syncEnv();
      redo.rewind();
    }
    const written = db.batch(() => {
      for (const c of group) {
        for (const w of c.writes) {
          if (w.value) db.put(w.key, w.value);
          else db.remove(w.key);
        }
      }
      this.main.put(COMMIT_SEQ_KEY, f64(lastSeq));
    });
    if (!redo) {
      await written;
      return;
    }
    if (!logged) {
      await written;
      return this.syncEnv();
    }
    // lmdb-js starts committing from a setImmediate callback queued by the batch above; handing the
    // record to a pool thread from one queued after it keeps that hand-off off the commit's path.
    const appended = new Promise<void>((resolve) => setImmediate(resolve))
      .then(() => redo.append(record))
      .then(
        () => true,
        () => false,
      );
    try {
      await written;
    } catch (e) {
      // LMDB refused the group: its record must never be replayed.
      if (await appended) redo.cancel(record);
      throw e;
    }
    // The record did not reach the disk: flush LMDB in full instead.
    if (!(await appended)) {
      redo.cancel(record);
      await this.syncEnv();
    }
  }

  /** @internal TxnHost */
  finished(txn: Txn): void {
    this.active.delete(txn);
    this.prune();
  }

  /** Forgets key commits that every current and future snapshot already includes. */
  private prune(): void {
    if (this.lastCommit.size === 0) return;
    let bound = this.appliedSeq;
    for (const t of this.active) if (t.snapshotSeq < bound) bound = t.snapshotSeq;
    if (this.maxTracked <= bound) this.lastCommit.clear();
    else if (this.lastCommit.size > PRUNE_THRESHOLD && bound > this.prunedTo) {
      // Walk only when the bound moved, or a backlog of unapplied commits makes this quadratic.
      this.prunedTo = bound;
      for (const [k, c] of this.lastCommit) if (c.seq <= bound) this.lastCommit.delete(k);
    }
  }

  private async quiesce(): Promise<void> {
    while (this.pending > 0) await (this.inflight ?? new Promise<void>((resolve) => setImmediate(resolve)));
  }

  // ─── Sequences ──────────────────────────────────────────────────────────

  /** Next value of a sequence; values are reserved in blocks so only every 32nd call writes. */
  nextval(name: string): bigint {
    const bare = name.includes('.') ? name.slice(name.lastIndexOf('.') + 1) : name;
    const def = this.catalog.state.sequences.find((s) => s.name === bare);
    if (!def) throw new StorageError('undefined_table', bare);
    let s = this.sequences.get(bare);
    if (!s) {
      const raw = this.db.getBinary(sequenceKey(bare));
      const resume = raw ? view(raw).getBigInt64(0) : def.start;
      s = { next: resume, reserved: resume - def.increment };
      this.sequences.set(bare, s);
    }
    const v = s.next;
    if (v > def.max) throw new StorageError('sequence_limit', bare);
    if (v > s.reserved) {
      const reserved = (s.reserved = v + (SEQUENCE_RESERVE - 1n) * def.increment);
      // The reservation rides with the next group commit (and its redo record), so it is durable no
      // later than any commit that stores one of these values. If that group fails, the next call
      // reserves again above every value handed out.
      const write: Write = { ks: '', key: sequenceKey(bare), value: i64(reserved + def.increment), check: Check.None, table: bare };
      this.enqueue([write], ++this.commitSeq).catch(() => {
        if (s.reserved === reserved) s.reserved = s.next - def.increment;
      });
    }
    s.next = v + def.increment;
    return v;
  }

  // ─── DDL (auto-committed, durable on return) ────────────────────────────

  hasIndex(schema: string | undefined, name: string): boolean {
    return this.findIndex(schema, name) !== undefined;
  }

  async createTable(def: CreateTableDef): Promise<TableInfo> {
    await this.quiesce();
    const schema = def.schema ?? 'public';
    const existing = this.catalog.getRelation(schema, def.name);
    if (existing) {
      if (def.ifNotExists && existing.kind === 'table') return existing;
      throw new StorageError('duplicate_table', def.name);
    }
    const names = new Set<string>();
    for (const c of def.columns) {
      if (names.has(c.name)) throw new StorageError('duplicate_column', `column "${c.name}" specified more than once`);
      names.add(c.name);
    }
    const state = this.catalog.state;
    let nextId = state.nextId;
    const id = nextId++;
    const pk = def.primaryKey ?? [];
    for (const n of pk) if (!names.has(n)) throw new StorageError('undefined_column', `column "${n}" named in key does not exist`);
    const columns: ColumnInfo[] = def.columns.map((c, ordinal) => ({
      name: c.name,
      type: c.type,
      nullable: c.nullable && !pk.includes(c.name),
      ordinal,
      ...(c.serial ? { sequence: `${def.name}_${c.name}_seq`, defaultSql: `nextval('${def.name}_${c.name}_seq'::regclass)` } : c.defaultSql !== undefined ? { defaultSql: c.defaultSql } : {}),
    }));
    const indexes: IndexInfo[] = [];
    const indexIds: Record<string, number> = {};
    if (pk.length > 0) indexes.push({ name: `${def.name}_pkey`, table: def.name, columns: pk, unique: true, primary: true });
    for (const u of def.uniques ?? []) {
      for (const n of u.columns) if (!names.has(n)) throw new StorageError('undefined_column', `column "${n}" named in key does not exist`);
      if (indexes.some((i) => i.name === u.name) || this.hasIndex(schema, u.name)) throw new StorageError('duplicate_table', u.name);
      indexes.push({ name: u.name, table: def.name, columns: u.columns, unique: true, primary: false });
      indexIds[u.name] = nextId++;
    }
    const info: TableInfo = {
      kind: 'table',
      schema,
      name: def.name,
      id,
      columns,
      primaryKey: pk,
      indexes,
      foreignKeys: def.foreignKeys ?? [],
      checks: def.checks ?? [],
    };
    const version = state.version + 1;
    const table: TableState = {
      info,
      physical: columns.map((c) => ({ type: c.type, dropped: false, fill: null })),
      indexIds,
      indexBuiltAt: {},
      layoutVersion: version,
    };
    const sequences: SequenceState[] = columns
      .filter((c) => c.sequence !== undefined)
      .map((c) => ({ name: c.sequence!, start: 1n, increment: 1n, max: c.type.kind === 'int16' ? 32767n : c.type.kind === 'int32' ? 2147483647n : 9223372036854775807n }));
    this.install({ ...state, version, nextId, tables: [...state.tables, table], sequences: [...state.sequences, ...sequences] }, () => {
      for (const s of sequences) this.db.removeSync(sequenceKey(s.name));
    });
    await this.persistSyncWrites();
    return info;
  }

  async dropTable(schema: string | undefined, name: string): Promise<void> {
    await this.quiesce();
    const t = this.catalog.table(schema, name);
    if (!t) throw new StorageError('undefined_table', name);
    const state = this.catalog.state;
    const owned = new Set(t.info.columns.map((c) => c.sequence).filter((s): s is string => s !== undefined));
    // Foreign keys referencing the table go with it (the binder allows that only under CASCADE).
    const refs = (x: TableState): boolean => x.info.schema === t.info.schema && x.info.foreignKeys.some((f) => f.refTable === t.info.name);
    const tables = state.tables
      .filter((x) => x !== t)
      .map((x) => (refs(x) ? { ...x, info: { ...x.info, foreignKeys: x.info.foreignKeys.filter((f) => f.refTable !== t.info.name) } } : x));
    this.install(
      { ...state, version: state.version + 1, tables, sequences: state.sequences.filter((s) => !owned.has(s.name)) },
      () => {
        this.clearRange(idPrefix(t.info.id));
        for (const id of Object.values(t.indexIds)) this.clearRange(idPrefix(id));
        for (const s of owned) this.db.removeSync(sequenceKey(s));
      },
    );
    this.rowIds.delete(t.info.id);
    for (const s of owned) this.sequences.delete(s);
    await this.persistSyncWrites();
  }

  async createIndex(def: CreateIndexDef): Promise<IndexInfo> {
    await this.quiesce();
    const schema = def.schema ?? 'public';
    const t = this.catalog.table(schema, def.table);
    if (!t) throw new StorageError('undefined_table', def.table);
    const existing = this.findIndex(schema, def.name);
    if (existing) {
      if (def.ifNotExists) return existing.index;
      throw new StorageError('duplicate_table', def.name);
    }
    if (this.catalog.getRelation(schema, def.name)) throw new StorageError('duplicate_table', def.name);
    const state = this.catalog.state;
    const info: IndexInfo = { name: def.name, table: t.info.name, columns: def.columns, unique: def.unique, primary: false, standalone: true };
    const id = state.nextId;
    const version = state.version + 1;
    const builtAt = this.commitSeq + 1;
    const next: TableState = {
      ...t,
      info: { ...t.info, indexes: [...t.info.indexes, info] },
      indexIds: { ...t.indexIds, [def.name]: id },
      indexBuiltAt: { ...t.indexBuiltAt, [def.name]: builtAt },
      layoutVersion: version,
    };
    const rt = new TableRuntime(next);
    const idx = rt.indexes.find((i) => i.info.name === def.name)!;
    // Build entries from the latest committed rows (no commit is in flight after quiesce).
    const entries: { key: Uint8Array; value: Uint8Array; values: unknown[] }[] = [];
    for (const e of this.db.getRange({ start: rt.prefix, end: rt.prefixEnd })) {
      const values = rt.decode(e.value);
      entries.push({ key: idx.entryKey(values, e.key), value: Uint8Array.from(e.key), values });
    }
    entries.sort((a, b) => compareBytes(a.key, b.key));
    for (let i = 1; i < entries.length; i++) {
      if (compareBytes(entries[i - 1]!.key, entries[i]!.key) === 0) throw rt.uniqueViolation(def.name, idx.ordinals, entries[i]!.values);
    }
    this.commitSeq = builtAt;
    this.install({ ...state, version, nextId: id + 1, tables: state.tables.map((x) => (x === t ? next : x)) }, () => {
      for (const e of entries) this.db.put(e.key, e.value);
      this.main.put(COMMIT_SEQ_KEY, f64(builtAt));
    });
    this.appliedSeq = builtAt;
    if (def.unique && this.active.size > 0) {
      // Older snapshots see this index's keyspace empty; their unique checks must still find these keys.
      for (const e of entries) if (!idx.hasNull(e.values)) this.lastCommit.set(keyString(e.key), { seq: builtAt, exists: true });
      this.maxTracked = builtAt;
    }
    await this.persistSyncWrites();
    return info;
  }

  async dropIndex(schema: string | undefined, name: string): Promise<void> {
    await this.quiesce();
    const found = this.findIndex(schema, name);
    if (!found) throw new StorageError('undefined_object', `index "${name}" does not exist`);
    if (found.index.primary) throw new StorageError('dependent_objects_still_exist', `cannot drop index ${name} because constraint ${name} on table ${found.table.info.name} requires it`);
    const t = found.table;
    const state = this.catalog.state;
    const version = state.version + 1;
    const { [name]: id, ...indexIds } = t.indexIds;
    const { [name]: _built, ...indexBuiltAt } = t.indexBuiltAt;
    const next: TableState = { ...t, info: { ...t.info, indexes: t.info.indexes.filter((i) => i.name !== name) }, indexIds, indexBuiltAt, layoutVersion: version };
    // Foreign keys referencing the index's columns go with it (the binder allows that only under CASCADE).
    const cols = new Set(found.index.columns);
    const dependsOn = (f: ForeignKeyInfo): boolean => f.refTable === t.info.name && f.refColumns.length === cols.size && f.refColumns.every((c) => cols.has(c));
    const tables = state.tables
      .map((x) => (x === t ? next : x))
      .map((x) => (x.info.schema === t.info.schema && x.info.foreignKeys.some(dependsOn) ? { ...x, info: { ...x.info, foreignKeys: x.info.foreignKeys.filter((f) => !dependsOn(f)) } } : x));
    this.install({ ...state, version, tables }, () => this.clearRange(idPrefix(id!)));
    await this.persistSyncWrites();
  }

  async createView(def: CreateViewDef): Promise<ViewInfo> {
    await this.quiesce();
    const schema = def.schema ?? 'public';
    const state = this.catalog.state;
    const existing = this.catalog.getRelation(schema, def.name);
    if (existing && !(def.orReplace && existing.kind === 'view')) throw new StorageError('duplicate_table', def.name);
    const view: ViewInfo = { kind: 'view', schema, name: def.name, id: existing?.id ?? state.nextId, sql: def.sql, columnNames: def.columnNames ?? [] };
    this.install({
      ...state,
      version: state.version + 1,
      nextId: existing ? state.nextId : state.nextId + 1,
      views: [...state.views.filter((v) => v.id !== view.id), view],
    });
    await this.persistSyncWrites();
    return view;
  }

  async dropView(schema: string | undefined, name: string): Promise<void> {
    await this.quiesce();
    const v = this.catalog.getRelation(schema, name);
    if (!v || v.kind !== 'view') throw new StorageError('undefined_table', name);
    const state = this.catalog.state;
    this.install({ ...state, version: state.version + 1, views: state.views.filter((x) => x.id !== v.id) });
    await this.persistSyncWrites();
  }

  /**
   * ALTER TABLE. ADD COLUMN never rewrites rows: older rows read the column as `fill`, which is the
   * executor-evaluated default when given, else a constant DEFAULT parsed here, else NULL.
   */
  async alterTable(def: AlterTableDef, fill?: unknown): Promise<TableInfo> {
    await this.quiesce();
    const t = this.catalog.table(def.schema, def.name);
    if (!t) throw new StorageError('undefined_table', def.name);
    const state = this.catalog.state;
    const version = state.version + 1;
    const a = def.action;
    const info = t.info;
    const has = (n: string): boolean => info.columns.some((c) => c.name === n);
    let next: TableState = t;
    let tables = state.tables;
    let sequences = state.sequences;
    let clear: number[] = [];
    switch (a.kind) {
      case 'add-column': {
        if (has(a.column.name)) {
          if (a.ifNotExists) return info;
          throw new StorageError('duplicate_column', `column "${a.column.name}" of relation "${info.name}" already exists`);
        }
        const empty = this.isEmpty(t);
        let value = fill;
        if (value === undefined) {
          if (a.column.serial && !empty) throw new StorageError('feature_not_supported', 'adding a serial column to a non-empty table is not supported');
          value = a.column.defaultSql === undefined || a.column.serial ? null : constantDefault(a.column.defaultSql, a.column.type);
          if (value === undefined) {
            if (!empty) throw new StorageError('feature_not_supported', `default "${a.column.defaultSql}" is not a constant; the executor must supply the fill value`);
            value = null;
          }
        }
        if (!a.column.nullable && value === null && !empty) {
          throw new StorageError('not_null_violation', `column "${a.column.name}" of relation "${info.name}" contains null values`, { table: info.name });
        }
        const seqName = a.column.serial ? `${info.name}_${a.column.name}_seq` : undefined;
        const col: ColumnInfo = {
          name: a.column.name,
          type: a.column.type,
          nullable: a.column.nullable,
          ordinal: info.columns.length,
          ...(seqName ? { sequence: seqName, defaultSql: `nextval('${seqName}'::regclass)` } : a.column.defaultSql !== undefined ? { defaultSql: a.column.defaultSql } : {}),
        };
        if (seqName) sequences = [...sequences, { name: seqName, start: 1n, increment: 1n, max: 9223372036854775807n }];
        const foreignKeys = a.foreignKey ? [...info.foreignKeys, a.foreignKey] : info.foreignKeys;
        next = { ...t, info: { ...info, columns: [...info.columns, col], foreignKeys }, physical: [...t.physical, { type: col.type, dropped: false, fill: value }], layoutVersion: version };
        break;
      }
      case 'drop-column': {
        if (!has(a.column)) {
          if (a.ifExists) return info;
          throw new StorageError('undefined_column', `column "${a.column}" of relation "${info.name}" does not exist`);
        }
        if (info.primaryKey.includes(a.column)) {
          throw new StorageError('dependent_objects_still_exist', `cannot drop column ${a.column} of table ${info.name} because constraint ${info.name}_pkey depends on it`);
        }
        const gone = info.indexes.filter((i) => i.columns.includes(a.column));
        clear = gone.map((i) => t.indexIds[i.name]!);
        let logical = 0;
        const physical: PhysicalColumn[] = t.physical.map((p) => {
          if (p.dropped) return p;
          const name = info.columns[logical++]!.name;
          return name === a.column ? { type: p.type, dropped: true, fill: null } : p;
        });
        const columns = info.columns.filter((c) => c.name !== a.column).map((c, ordinal) => ({ ...c, ordinal }));
        const indexIds = { ...t.indexIds };
        const indexBuiltAt = { ...t.indexBuiltAt };
        for (const i of gone) {
          delete indexIds[i.name];
          delete indexBuiltAt[i.name];
        }
        next = {
          ...t,
          info: {
            ...info,
            columns,
            indexes: info.indexes.filter((i) => !gone.includes(i)),
            foreignKeys: info.foreignKeys.filter((f) => !f.columns.includes(a.column) && !(f.refTable === info.name && f.refColumns.includes(a.column))),
            checks: a.checks ?? info.checks,
          },
          physical,
          indexIds,
          indexBuiltAt,
          layoutVersion: version,
        };
        // Foreign keys of other tables referencing the column go too (the binder allows that only under CASCADE).
        const drops = (f: ForeignKeyInfo): boolean => f.refTable === info.name && f.refColumns.includes(a.column);
        tables = tables.map((x) => (x !== t && x.info.schema === info.schema && x.info.foreignKeys.some(drops) ? { ...x, info: { ...x.info, foreignKeys: x.info.foreignKeys.filter((f) => !drops(f)) } } : x));
        break;
      }
      case 'rename-column': {
        if (!has(a.from)) throw new StorageError('undefined_column', `column "${a.from}" does not exist`);
        if (has(a.to)) throw new StorageError('duplicate_column', `column "${a.to}" of relation "${info.name}" already exists`);
        const r = (n: string): string => (n === a.from ? a.to : n);
        next = {
          ...t,
          info: {
            ...info,
            columns: info.columns.map((c) => (c.name === a.from ? { ...c, name: a.to } : c)),
            primaryKey: info.primaryKey.map(r),
            indexes: info.indexes.map((i) => ({ ...i, columns: i.columns.map(r) })),
            foreignKeys: info.foreignKeys.map((f) => ({ ...f, columns: f.columns.map(r), refColumns: f.refTable === info.name ? f.refColumns.map(r) : f.refColumns })),
            checks: a.checks ?? info.checks,
          },
        };
        tables = tables.map((x) =>
          x === t ? x : { ...x, info: { ...x.info, foreignKeys: x.info.foreignKeys.map((f) => (f.refTable === info.name ? { ...f, refColumns: f.refColumns.map(r) } : f)) } },
        );
        break;
      }
      case 'rename-table': {
        if (this.catalog.getRelation(info.schema, a.to)) throw new StorageError('duplicate_table', a.to);
        const renamed = (f: ForeignKeyInfo): ForeignKeyInfo => (f.refTable === info.name ? { ...f, refTable: a.to } : f);
        next = { ...t, info: { ...info, name: a.to, indexes: info.indexes.map((i) => ({ ...i, table: a.to })), foreignKeys: info.foreignKeys.map(renamed) } };
        tables = tables.map((x) => (x === t ? x : { ...x, info: { ...x.info, foreignKeys: x.info.foreignKeys.map(renamed) } }));
        break;
      }
    }
    this.install({ ...state, version, tables: tables.map((x) => (x === t ? next : x)), sequences }, () => {
      for (const id of clear) this.clearRange(idPrefix(id));
    });
    await this.persistSyncWrites();
    return next.info;
  }

  /** Collects statistics for the named tables (all tables when none are named) from the latest committed rows. */
  async analyze(tables?: readonly string[] | string): Promise<void> {
    await this.quiesce();
    const names = typeof tables === 'string' ? [tables] : tables && tables.length > 0 ? tables : undefined;
    const targets = names
      ? names.map((n) => {
          const dot = n.indexOf('.');
          const t = dot < 0 ? this.catalog.table(undefined, n) : this.catalog.table(n.slice(0, dot), n.slice(dot + 1));
          if (!t) throw new StorageError('undefined_table', n);
          return t;
        })
      : [...this.catalog.state.tables];
    const stats = new Map<number, TableStats>();
    const snap = this.db.useReadTransaction();
    try {
      for (const t of targets) {
        const rt = this.runtimes.get(t.info.id)!;
        const c = new StatsCollector(
          t.info.columns.map((x) => x.name),
          rt.columnTypes,
        );
        const total = this.db.getKeysCount({ start: rt.prefix, end: rt.prefixEnd, transaction: snap } as never);
        // Only sampled rows are decoded; the cursor hands out LMDB's own bytes, read at once.
        const cursor = this.raw(rt.prefix, rt.prefixEnd, snap, {
          key: () => {},
          row: (b) => {
            if (c.sampleNext(total)) c.add(rt.decode(b));
          },
        });
        try {
          while (cursor.next());
        } finally {
          cursor.close();
        }
        stats.set(t.info.id, c.finish(total));
      }
    } finally {
      snap.done();
    }
    const state = this.catalog.state;
    this.install({
      ...state,
      version: state.version + 1,
      tables: state.tables.map((t) => {
        const s = stats.get(t.info.id);
        return s ? { ...t, info: { ...t.info, stats: s } } : t;
      }),
    });
    await this.persistSyncWrites();
  }

  // ─── Bulk load ──────────────────────────────────────────────────────────

  /**
   * Loads rows outside any transaction in large LMDB write transactions (one per chunk, each
   * durable and atomic). Checks NOT NULL and uniqueness; a violation stops the load (earlier
   * chunks stay). Returns the number of rows loaded.
   */
  async bulkInsert(table: TableInfo | string, rows: Iterable<readonly unknown[]> | AsyncIterable<readonly unknown[]>, options: BulkOptions = {}): Promise<number> {
    const info = typeof table === 'string' ? this.catalog.table(undefined, table)?.info : table;
    if (!info) throw new StorageError('undefined_table', String(table));
    const chunkSize = options.chunkSize ?? 20_000;
    let chunk: (readonly unknown[])[] = [];
    let loaded = 0;
    for await (const row of rows) {
      chunk.push(row);
      if (chunk.length >= chunkSize) {
        loaded += await this.loadChunk(info, chunk);
        chunk = [];
        options.onProgress?.(loaded);
      }
    }
    if (chunk.length > 0) {
      loaded += await this.loadChunk(info, chunk);
      options.onProgress?.(loaded);
    }
    return loaded;
  }

  private async loadChunk(info: TableInfo, rows: readonly (readonly unknown[])[]): Promise<number> {
    await this.quiesce();
    const rt = this.runtime(info);
    const puts: RowBytes[] = [];
    const rowPuts: RowBytes[] = [];
    const uniques: { key: Uint8Array; constraint: string; ordinals: readonly number[]; values: readonly unknown[] }[] = [];
    const pkName = rt.primaryIndex?.info.name;
    for (const values of rows) {
      if (values.length !== rt.columnTypes.length) throw new StorageError('invalid_parameter_value', `row has ${values.length} values, table "${info.name}" has ${rt.columnTypes.length} columns`);
      rt.checkNotNull(values);
      const key = pkName ? rt.rowKey(values) : this.nextRowId(rt);
      const put = { key, value: rt.encode(values) };
      puts.push(put);
      rowPuts.push(put);
      if (pkName) uniques.push({ key, constraint: pkName, ordinals: rt.pkOrdinals, values });
      for (const idx of rt.indexes) {
        const ik = idx.entryKey(values, key);
        puts.push({ key: ik, value: key });
        if (idx.unique && !idx.hasNull(values)) uniques.push({ key: ik, constraint: idx.info.name, ordinals: idx.ordinals, values });
      }
    }
    uniques.sort((a, b) => compareBytes(a.key, b.key));
    for (let i = 1; i < uniques.length; i++) {
      if (compareBytes(uniques[i - 1]!.key, uniques[i]!.key) === 0) throw rt.uniqueViolation(uniques[i]!.constraint, uniques[i]!.ordinals, uniques[i]!.values);
    }
    // Loads usually append: when no stored key of an index lies between the chunk's first and last
    // key for that index, none of its keys can collide, and one probe replaces a lookup per row.
    for (let from = 0; from < uniques.length; ) {
      const constraint = uniques[from]!.constraint;
      let to = from;
      while (to + 1 < uniques.length && uniques[to + 1]!.constraint === constraint) to++;
      if (this.anyKeyBetween(uniques[from]!.key, uniques[to]!.key)) {
        for (let i = from; i <= to; i++) {
          const u = uniques[i]!;
          if (this.db.getBinaryFast(u.key) !== undefined) throw rt.uniqueViolation(u.constraint, u.ordinals, u.values);
        }
      }
      from = to + 1;
    }
    puts.sort((a, b) => compareBytes(a.key, b.key));
    // Hidden row ids ascend already; primary keys are sorted so a warm copy stays in key order.
    if (pkName) rowPuts.sort((a, b) => compareBytes(a.key, b.key));
    const appends = this.warm.cached(rt.id) && this.afterLastRow(rt, rowPuts[0]!.key);
    const seq = ++this.commitSeq;
    this.db.transactionSync(() => {
      for (const p of puts) this.db.put(p.key, p.value);
      this.main.put(COMMIT_SEQ_KEY, f64(seq));
    });
    this.dropSnapshot();
    if (appends) this.warm.append(rt, seq, rowPuts);
    else this.warm.written(rt.id, seq);
    if (this.active.size > 0) {
      // Open transactions may try to insert the same keys; let their commit-time checks see these.
      for (const u of uniques) this.lastCommit.set(keyString(u.key), { seq, exists: true });
      this.maxTracked = seq;
    }
    this.appliedSeq = seq;
    await this.persistSyncWrites();
    return rows.length;
  }

  // ─── Internals ──────────────────────────────────────────────────────────

  private findIndex(schema: string | undefined, name: string): { table: TableState; index: IndexInfo } | undefined {
    for (const t of this.catalog.state.tables) {
      if (schema !== undefined && t.info.schema !== schema) continue;
      const index = t.info.indexes.find((i) => i.name === name);
      if (index) return { table: t, index };
    }
    return undefined;
  }

  /** Whether `key` sorts after every stored row of the table (a load that only appends). */
  private afterLastRow(rt: TableRuntime, key: Uint8Array): boolean {
    for (const k of this.db.getKeys({ start: rt.prefixEnd, end: rt.prefix, reverse: true, limit: 1 })) return compareBytes(key, k) > 0;
    return true;
  }

  private anyKeyBetween(first: Uint8Array, last: Uint8Array): boolean {
    for (const _ of this.db.getKeys({ start: first, end: last, inclusiveEnd: true, limit: 1 })) return true;
    return false;
  }

  private isEmpty(t: TableState): boolean {
    for (const _ of this.db.getKeys({ start: idPrefix(t.info.id), end: prefixEnd(idPrefix(t.info.id))!, limit: 1 })) return false;
    return true;
  }

  /** Removes every key starting with `prefix` (inside the caller's write transaction). */
  private clearRange(prefix: Uint8Array): void {
    const keys: Uint8Array[] = [];
    for (const k of this.db.getKeys({ start: prefix, end: prefixEnd(prefix)! })) keys.push(Uint8Array.from(k));
    for (const k of keys) this.db.remove(k);
  }

  /**
   * Writes a new catalog state (plus `work` in the same LMDB transaction) and adopts it. The DDL
   * method that calls it awaits `persistSyncWrites` before it returns.
   */
  private install(state: CatalogState, work?: () => void): void {
    const json = text.encode(catalogToJson(state));
    this.db.transactionSync(() => {
      work?.();
      this.db.put(CATALOG_KEY, json);
    });
    this.dropSnapshot();
    this.catalog = new StoreCatalog(state);
    this.rebuildRuntimes();
  }

  private rebuildRuntimes(): void {
    const next = new Map<number, TableRuntime>();
    for (const t of this.catalog.state.tables) {
      const old = this.runtimes.get(t.info.id);
      next.set(t.info.id, old && old.state === t ? old : new TableRuntime(t));
      // Warm columns survive renames, index changes and ANALYZE, not a change of physical layout.
      if (old && old.state.physical !== t.physical) this.warm.invalidate(t.info.id);
    }
    for (const id of this.runtimes.keys()) if (!next.has(id)) this.warm.invalidate(id);
    this.runtimes = next;
  }
}

/** A DEFAULT that is a plain literal (optionally cast), as a value of the column type; undefined otherwise. */
export function constantDefault(sql: string, type: DataType): unknown {
  const s = sql.trim().replace(/::[\w\s]+(\(\d+(,\s*\d+)?\))?$/, '').trim();
  if (/^null$/i.test(s)) return null;
  let v: string | boolean;
  if (/^'(?:[^']|'')*'$/.test(s)) v = s.slice(1, -1).replace(/''/g, "'");
  else if (/^(true|false)$/i.test(s)) v = s.toLowerCase() === 'true';
  else if (/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(s)) v = s;
  else return undefined;
  switch (type.kind) {
    case 'bool':
      return typeof v === 'boolean' ? v : /^(t|true|yes|on|1)$/i.test(v);
    case 'int16':
    case 'int32':
    case 'float32':
    case 'float64':
      return Number(v);
    case 'int64':
      return BigInt(String(v));
    case 'decimal':
    case 'utf8':
    case 'uuid':
      return String(v);
    default:
      return undefined;
  }
}
