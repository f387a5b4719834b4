// Snapshot-isolated transactions: an LMDB read snapshot plus an in-memory ordered write set.
//
// Reads merge the write set over the snapshot. Writes are checked against the snapshot and own
// writes (23505, 23502) and against commits newer than the snapshot (first committer wins:
// 40001). Commit validates once more and hands the write set to the store as one LMDB batch.

import type { TableInfo } from '../../compiler/catalog/index.ts';
import type { DataType } from '../../compiler/ir/types.ts';
import type { KeyBound, RowKey, StorageTxn, StoredRow } from './api.ts';
import { ColumnDecoder, type ColumnBatch } from './columns.ts';
import { StorageError } from './errors.ts';
import { compareBytes, encodeKey, keyString, prefixEnd } from './keys.ts';
import type { IndexRuntime, TableRuntime } from './table-runtime.ts';
import { CHUNK_ROWS, slotsOf } from './warm.ts';

/** What a write must still hold at commit. */
export enum Check {
  /** Nothing (non-unique index entries, removed index entries). */
  None = 0,
  /** The key must not have been created by a commit newer than our snapshot (else 23505). */
  Absent = 1,
  /** The key must not have been written by a commit newer than our snapshot (else 40001). */
  Version = 2,
}

export interface Write {
  readonly ks: string;
  readonly key: Uint8Array;
  /** New bytes, or null for a delete. */
  readonly value: Uint8Array | null;
  readonly check: Check;
  /** For `Absent`: the unique constraint and the `Key (…)=(…) already exists.` detail. */
  readonly constraint?: string;
  readonly detail?: string;
  readonly table: string;
}

/** The last commit that wrote a key, kept while some snapshot may predate it. */
export interface KeyCommit {
  readonly seq: number;
  readonly exists: boolean;
}

/** Read snapshot handle (lmdb-js `Transaction`). */
export interface Snapshot {
  /** Takes one more reference: the snapshot stays open until every `use` has its `done`. */
  use(): void;
  done(): void;
}

/** The store services a transaction uses. */
export interface TxnHost {
  readonly lastCommit: ReadonlyMap<string, KeyCommit>;
  runtime(table: TableInfo): TableRuntime;
  runtimeById(id: number): TableRuntime | undefined;
  readSnapshot(key: Uint8Array, snapshot: Snapshot): Uint8Array | undefined;
  rangeSnapshot(start: Uint8Array, end: Uint8Array | undefined, snapshot: Snapshot): Iterable<{ key: Uint8Array; value: Uint8Array }>;
  /** A whole table of the snapshot, row by row. */
  scanRows(rt: TableRuntime, batchSize: number, snapshot: Snapshot): Iterable<StoredRow[]>;
  /** A whole table of the snapshot as columns (through the warm tier when it can serve). */
  scanColumns(rt: TableRuntime, ordinals: readonly number[], batchSize: number, snapshot: Snapshot, snapshotSeq: number): Iterable<ColumnBatch>;
  nextRowId(rt: TableRuntime): Uint8Array;
  nextval(sequence: string): bigint;
  /** `shared`: keys the transaction key-shared but did not write, marked as touched by this commit. */
  commit(txn: Txn, writes: readonly Write[], shared: readonly string[]): Promise<void>;
  finished(txn: Txn): void;
}

interface IndexEntry {
  readonly idx: IndexRuntime;
  readonly key: Uint8Array;
  readonly unique: boolean;
  readonly detail?: string;
}

interface Savepoint {
  readonly name: string;
  readonly undoAt: number;
}

export class Txn implements StorageTxn {
  private readonly writes = new Map<string, Write>();
  /** Key strings of rows key-shared (`keyShare`). */
  private readonly shared = new Set<string>();
  private sorted: Write[] | null = null;
  private readonly undo: { ks: string; prev: Write | undefined }[] = [];
  private readonly savepoints: Savepoint[] = [];
  /** Layout version of each table this transaction wrote, as seen at its first write. */
  private readonly layouts = new Map<number, number>();
  private state: 'active' | 'committing' | 'done' = 'active';

  constructor(
    private readonly host: TxnHost,
    readonly id: number,
    private readonly snapshot: Snapshot,
    /** Sequence number of the last commit visible in the snapshot. */
    readonly snapshotSeq: number,
  ) {}

  // ─── Reads ──────────────────────────────────────────────────────────────

  *scan(table: TableInfo, batchSize: number): Iterable<readonly StoredRow[]> {
    const rt = this.readable(table);
    if (!this.writesIn(rt)) {
      yield* this.host.scanRows(rt, batchSize, this.snapshot);
      return;
    }
    let batch: StoredRow[] = [];
    for (const e of this.range(rt.prefix, rt.prefixEnd)) {
      batch.push({ key: e.key, values: rt.decode(e.value) });
      if (batch.length >= batchSize) {
        yield batch;
        batch = [];
      }
    }
    if (batch.length > 0) yield batch;
  }

  /**
   * Full scan as columns (`ordinals` are table ordinals, -1 the row key), in key order. Without
   * own writes to the table the warm tier serves it; otherwise rows merged with the write set
   * (as it was when the scan began) are decoded into columns.
   */
  *scanColumns(table: TableInfo, ordinals: readonly number[], batchSize: number): Iterable<ColumnBatch> {
    const rt = this.readable(table);
    if (!this.writesIn(rt)) {
      yield* this.host.scanColumns(rt, ordinals, batchSize, this.snapshot, this.snapshotSeq);
      return;
    }
    const dec = new ColumnDecoder(rt.state.physical, slotsOf(rt, ordinals), Math.min(batchSize, CHUNK_ROWS));
    for (const e of this.range(rt.prefix, rt.prefixEnd)) {
      if (dec.wantsKey) dec.key(e.key, 0, e.key.length);
      dec.row(e.value);
      if (dec.rows >= batchSize) yield { length: batchSize, columns: dec.finish() };
    }
    if (dec.rows > 0) {
      const length = dec.rows;
      yield { length, columns: dec.finish() };
    }
  }

  /** Whether this transaction's write set holds a row of the table. */
  private writesIn(rt: TableRuntime): boolean {
    if (this.writes.size === 0) return false;
    const ws = this.sortedWrites();
    const i = lowerBound(ws, rt.prefix);
    return i < ws.length && compareBytes(ws[i]!.key, rt.prefixEnd) < 0;
  }

  *indexScan(table: TableInfo, indexName: string, eq: readonly unknown[], low?: KeyBound, high?: KeyBound): Iterable<StoredRow> {
    const rt = this.readable(table);
    const primary = rt.primaryIndex?.info.name === indexName;
    const idx = primary ? undefined : rt.indexes.find((i) => i.info.name === indexName);
    if (!primary && !idx) throw new StorageError('undefined_object', `index "${indexName}" does not exist`);
    const prefix = primary ? rt.prefix : idx!.prefix;
    const types = primary ? rt.pkTypes : idx!.types;
    const [start, end] = rangeFor(prefix, types, eq, low, high);
    if (idx && idx.builtAt > this.snapshotSeq) {
      // The index was built after our snapshot, so its keyspace in the snapshot is empty:
      // evaluate the range over the table instead.
      yield* this.indexScanByTable(rt, idx, start, end);
      return;
    }
    for (const e of this.range(start, end)) {
      if (primary) {
        yield { key: e.key, values: rt.decode(e.value) };
        continue;
      }
      const raw = this.read(e.value);
      if (raw) yield { key: e.value, values: rt.decode(raw) };
    }
  }

  private *indexScanByTable(rt: TableRuntime, idx: IndexRuntime, start: Uint8Array, end: Uint8Array | undefined): Iterable<StoredRow> {
    const hits: { ik: Uint8Array; row: StoredRow }[] = [];
    for (const e of this.range(rt.prefix, rt.prefixEnd)) {
      const values = rt.decode(e.value);
      const ik = idx.entryKey(values, e.key);
      if (compareBytes(ik, start) >= 0 && (!end || compareBytes(ik, end) < 0)) hits.push({ ik, row: { key: e.key, values } });
    }
    hits.sort((a, b) => compareBytes(a.ik, b.ik));
    for (const h of hits) yield h.row;
  }

  get(table: TableInfo, primaryKey: readonly unknown[]): StoredRow | undefined {
    const rt = this.readable(table);
    const key = rt.pkTypes.length > 0 ? encodeKey(rt.pkTypes, primaryKey, rt.prefix) : rt.rowIdKey(primaryKey[0]);
    const raw = this.read(key);
    return raw ? { key, values: rt.decode(raw) } : undefined;
  }

  /** The row's bytes as this transaction sees them (volatile: decode before the next read). */
  private read(key: Uint8Array, ks?: string): Uint8Array | undefined {
    if (this.writes.size > 0) {
      const w = this.writes.get(ks ?? keyString(key));
      if (w) return w.value ?? undefined;
    }
    return this.host.readSnapshot(key, this.snapshot);
  }

  /** Snapshot entries in [start, end) merged with the write set as it was when iteration began. */
  private *range(start: Uint8Array, end: Uint8Array | undefined): Iterable<{ key: Uint8Array; value: Uint8Array }> {
    this.ensureActive();
    // The sorted array is replaced, never mutated, on later writes: this scan keeps its own view.
    const ws = this.sortedWrites();
    let i = lowerBound(ws, start);
    const stop = end ? lowerBound(ws, end) : ws.length;
    for (const e of this.host.rangeSnapshot(start, end, this.snapshot)) {
      while (i < stop && compareBytes(ws[i]!.key, e.key) < 0) {
        const w = ws[i++]!;
        if (w.value) yield { key: w.key, value: w.value };
      }
      if (i < stop && compareBytes(ws[i]!.key, e.key) === 0) {
        const w = ws[i++]!;
        if (w.value) yield { key: w.key, value: w.value };
        continue;
      }
      yield e;
    }
    for (; i < stop; i++) {
      const w = ws[i]!;
      if (w.value) yield { key: w.key, value: w.value };
    }
  }

  private sortedWrites(): readonly Write[] {
    if (this.writes.size === 0) return [];
    this.sorted ??= [...this.writes.values()].sort((a, b) => compareBytes(a.key, b.key));
    return this.sorted;
  }

  // ─── Writes ─────────────────────────────────────────────────────────────

  insert(table: TableInfo, values: readonly unknown[]): RowKey {
    const rt = this.writable(table, values);
    let key: Uint8Array;
    let ks: string;
    if (rt.pkTypes.length > 0) {
      key = rt.rowKey(values);
      ks = keyString(key);
      if (this.read(key, ks) !== undefined) throw rt.uniqueViolation(rt.primaryIndex!.info.name, rt.pkOrdinals, values);
      this.checkConcurrentInsert(ks, rt.primaryIndex!.info.name, rt, rt.pkOrdinals, values);
    } else {
      key = this.host.nextRowId(rt);
      ks = keyString(key);
    }
    // Every check before the first write: a failed insert leaves no trace.
    const entries = rt.indexes.length === 0 ? undefined : rt.indexes.map((idx) => this.checkedEntry(rt, idx, values, key));
    const pk = rt.primaryIndex?.info.name;
    this.put(ks, key, rt.encode(values), Check.Absent, rt.info.name, pk, pk ? rt.keyDetail(rt.pkOrdinals, values) : undefined);
    if (entries) for (const e of entries) this.putEntry(rt, e, key);
    return key;
  }

  update(table: TableInfo, key: RowKey, values: readonly unknown[]): RowKey {
    const rt = this.writable(table, values);
    const ks = keyString(key);
    const oldRaw = this.read(key, ks);
    if (oldRaw === undefined) throw new StorageError('internal_error', 'update of a row that does not exist');
    const old = rt.decode(oldRaw);
    this.checkVersion(ks);
    let newKey = key;
    let nks = ks;
    if (rt.pkTypes.length > 0) {
      const k = rt.rowKey(values);
      if (compareBytes(k, key) !== 0) {
        newKey = k;
        nks = keyString(k);
        if (this.read(newKey, nks) !== undefined) throw rt.uniqueViolation(rt.primaryIndex!.info.name, rt.pkOrdinals, values);
        this.checkConcurrentInsert(nks, rt.primaryIndex!.info.name, rt, rt.pkOrdinals, values);
      }
    }
    const changes: { old: Uint8Array; entry: IndexEntry }[] = [];
    for (const idx of rt.indexes) {
      const oldIk = idx.entryKey(old, key);
      const newIk = idx.entryKey(values, newKey);
      if (newKey === key && compareBytes(oldIk, newIk) === 0) continue;
      changes.push({ old: oldIk, entry: compareBytes(oldIk, newIk) === 0 ? { idx, key: newIk, unique: false } : this.checkedEntry(rt, idx, values, newKey, newIk) });
    }
    if (newKey === key) this.put(ks, key, rt.encode(values), Check.Version, rt.info.name);
    else {
      this.put(ks, key, null, Check.Version, rt.info.name);
      this.put(nks, newKey, rt.encode(values), Check.Absent, rt.info.name, rt.primaryIndex!.info.name, rt.keyDetail(rt.pkOrdinals, values));
    }
    for (const c of changes) {
      this.put(keyString(c.old), c.old, null, Check.None, rt.info.name);
      this.putEntry(rt, c.entry, newKey);
    }
    return newKey;
  }

  delete(table: TableInfo, key: RowKey): void {
    const rt = this.writable(table, undefined);
    const ks = keyString(key);
    const oldRaw = this.read(key, ks);
    if (oldRaw === undefined) throw new StorageError('internal_error', 'delete of a row that does not exist');
    const old = rt.decode(oldRaw);
    this.checkVersion(ks);
    this.put(ks, key, null, Check.Version, rt.info.name);
    for (const idx of rt.indexes) {
      const ik = idx.entryKey(old, key);
      this.put(keyString(ik), ik, null, Check.None, rt.info.name);
    }
  }

  /** Draws the next value of a sequence (not transactional, as in PostgreSQL). */
  nextval(sequence: string): bigint {
    return this.host.nextval(sequence);
  }

  /** An index entry for `values`, checked for uniqueness against our view and newer commits. */
  private checkedEntry(rt: TableRuntime, idx: IndexRuntime, values: readonly unknown[], rowKey: Uint8Array, known?: Uint8Array): IndexEntry {
    const ik = known ?? idx.entryKey(values, rowKey);
    if (!idx.unique || idx.hasNull(values)) return { idx, key: ik, unique: false };
    const iks = keyString(ik);
    if (this.read(ik, iks) !== undefined) throw rt.uniqueViolation(idx.info.name, idx.ordinals, values);
    this.checkConcurrentInsert(iks, idx.info.name, rt, idx.ordinals, values);
    return { idx, key: ik, unique: true, detail: rt.keyDetail(idx.ordinals, values) };
  }

  private putEntry(rt: TableRuntime, e: IndexEntry, rowKey: Uint8Array): void {
    if (e.unique) this.put(keyString(e.key), e.key, rowKey, Check.Absent, rt.info.name, e.idx.info.name, e.detail);
    else this.put(keyString(e.key), e.key, rowKey, Check.None, rt.info.name);
  }

  private put(ks: string, key: Uint8Array, value: Uint8Array | null, check: Check, table: string, constraint?: string, detail?: string): void {
    const prev = this.writes.get(ks);
    if (this.savepoints.length > 0) this.undo.push({ ks, prev });
    const c = prev && prev.check > check ? prev.check : check;
    const cons = constraint ?? prev?.constraint;
    const w: Write = cons !== undefined ? { ks, key, value, check: c, table, constraint: cons, detail: detail ?? prev?.detail ?? '' } : { ks, key, value, check: c, table };
    this.writes.set(ks, w);
    this.sorted = null;
  }

  private checkVersion(ks: string): void {
    const lc = this.host.lastCommit.get(ks);
    if (lc && lc.seq > this.snapshotSeq) throw new StorageError('serialization_failure');
  }

  private checkConcurrentInsert(ks: string, constraint: string, rt: TableRuntime, ordinals: readonly number[], values: readonly unknown[]): void {
    const lc = this.host.lastCommit.get(ks);
    if (lc && lc.seq > this.snapshotSeq && lc.exists) throw rt.uniqueViolation(constraint, ordinals, values);
  }

  private ensureActive(): void {
    if (this.state !== 'active') throw new StorageError('invalid_transaction_state', 'transaction is not active');
  }

  private readable(table: TableInfo): TableRuntime {
    this.ensureActive();
    return this.host.runtime(table);
  }

  private writable(table: TableInfo, values: readonly unknown[] | undefined): TableRuntime {
    this.ensureActive();
    const rt = this.host.runtime(table);
    const seen = this.layouts.get(rt.id);
    if (seen === undefined) this.layouts.set(rt.id, rt.layoutVersion);
    else if (seen !== rt.layoutVersion) throw new StorageError('serialization_failure');
    if (values) {
      if (values.length !== rt.columnTypes.length) throw new StorageError('serialization_failure');
      rt.checkNotNull(values);
    }
    return rt;
  }

  // ─── Savepoints and the end ─────────────────────────────────────────────

  savepoint(name: string): void {
    this.ensureActive();
    this.savepoints.push({ name, undoAt: this.undo.length });
  }

  rollbackTo(name: string): void {
    this.ensureActive();
    const i = this.findSavepoint(name);
    const sp = this.savepoints[i]!;
    while (this.undo.length > sp.undoAt) {
      const u = this.undo.pop()!;
      if (u.prev) this.writes.set(u.ks, u.prev);
      else this.writes.delete(u.ks);
    }
    this.savepoints.length = i + 1;
    this.sorted = null;
  }

  release(name: string): void {
    this.ensureActive();
    const i = this.findSavepoint(name);
    this.savepoints.length = i;
    if (i === 0) this.undo.length = 0;
  }

  private findSavepoint(name: string): number {
    for (let i = this.savepoints.length - 1; i >= 0; i--) if (this.savepoints[i]!.name === name) return i;
    throw new StorageError('savepoint_missing', name);
  }

  keyShare(_table: TableInfo, key: RowKey): void {
    this.ensureActive();
    this.shared.add(keyString(key));
  }

  get writing(): boolean {
    return this.writes.size > 0;
  }

  async commit(): Promise<void> {
    this.ensureActive();
    this.state = 'committing';
    try {
      if (this.writes.size === 0) return;
      const shared: string[] = [];
      for (const ks of this.shared) {
        if (this.writes.has(ks)) continue;
        const lc = this.host.lastCommit.get(ks);
        if (lc && lc.seq > this.snapshotSeq && !lc.exists) throw new StorageError('serialization_failure');
        shared.push(ks);
      }
      // A stale snapshot (40001, worth retrying) wins over a duplicate key it would also meet:
      // the retry sees the new row and gets its 23505 then, from a consistent view.
      let duplicate: Write | undefined;
      for (const w of this.writes.values()) {
        if (w.check === Check.None) continue;
        const lc = this.host.lastCommit.get(w.ks);
        if (!lc || lc.seq <= this.snapshotSeq) continue;
        if (w.check === Check.Version) throw new StorageError('serialization_failure');
        if (lc.exists) duplicate ??= w;
      }
      for (const [id, layout] of this.layouts) {
        if (this.host.runtimeById(id)?.layoutVersion !== layout) throw new StorageError('serialization_failure');
      }
      if (duplicate) {
        const constraint = duplicate.constraint ?? `${duplicate.table}_pkey`;
        throw new StorageError('unique_violation', constraint, { ...(duplicate.detail ? { detail: duplicate.detail } : {}), constraint, table: duplicate.table });
      }
      const writes = [...this.writes.values()];
      this.finish();
      await this.host.commit(this, writes, shared);
    } finally {
      this.finish();
    }
  }

  rollback(): void {
    this.finish();
  }

  private finish(): void {
    if (this.state === 'done') return;
    this.state = 'done';
    this.writes.clear();
    this.shared.clear();
    this.sorted = null;
    this.snapshot.done();
    this.host.finished(this);
  }
}

function lowerBound(a: readonly Write[], key: Uint8Array): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (compareBytes(a[mid]!.key, key) < 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * The [start, end) byte range of index keys matching `eq` on the leading columns and the bounds;
 * bound values are a prefix of the index columns counted from the first (so they repeat `eq`).
 */
export function rangeFor(prefix: Uint8Array, types: readonly DataType[], eq: readonly unknown[], low?: KeyBound, high?: KeyBound): [Uint8Array, Uint8Array | undefined] {
  const eqKey = encodeKey(types, eq, prefix);
  let start: Uint8Array;
  if (low) {
    const b = normalizeBound(types, low, 'low');
    const k = encodeKey(types, b.values, prefix);
    start = b.inclusive ? k : (prefixEnd(k) ?? k);
  } else if (high && high.values.length > eq.length) {
    // Without a lower bound, skip the NULLs of the range column (they sort first; x < c is never true for them).
    start = new Uint8Array(eqKey.length + 1);
    start.set(eqKey);
    start[eqKey.length] = 0x01;
  } else start = eqKey;
  let end: Uint8Array | undefined;
  if (high) {
    const b = normalizeBound(types, high, 'high');
    const k = encodeKey(types, b.values, prefix);
    end = b.inclusive ? prefixEnd(k) : k;
  } else end = prefixEnd(eqKey);
  return [start, end];
}

/** Integer columns compared with fractional bounds: round the bound inward (x > 2.5 ⇔ x ≥ 3). */
function normalizeBound(types: readonly DataType[], bound: KeyBound, side: 'low' | 'high'): KeyBound {
  let inclusive = bound.inclusive;
  const values = bound.values.map((v, i) => {
    const k = types[i]?.kind;
    if ((k === 'int16' || k === 'int32' || k === 'int64') && typeof v === 'number' && !Number.isInteger(v)) {
      inclusive = true;
      const r = side === 'low' ? Math.ceil(v) : Math.floor(v);
      return k === 'int64' ? BigInt(r) : r;
    }
    return v;
  });
  return { values, inclusive };
}
