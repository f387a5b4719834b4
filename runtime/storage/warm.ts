// The warm tier: an in-memory columnar copy of each table's latest committed rows, built lazily
// per column by the first columnar scan that reads it, and served to every snapshot that sees
// that same state.
//
// Validity (MVCC): an entry reflects the table as of `seq`, the last commit that wrote it. Every
// commit, bulk chunk or layout change that touches the table bumps its generation and drops the
// entry (bulk appends instead extend it in place when they only add rows after the last key), so
// an entry in the map always holds the newest committed state. A snapshot with sequence S may use
// it iff S ≥ seq; older snapshots, and transactions with their own writes to the table, read
// LMDB instead. Entries are immutable from a reader's view: appends replace the chunk arrays
// (copy on write), so a scan in progress keeps the chunks it started with.

import { ColumnDecoder, KEY_SLOT, sliceBatches, type ColumnBatch, type ColumnData } from './columns.ts';
import { StorageError } from './errors.ts';
import type { RawRange, RowVisitor } from './raw-range.ts';
import type { TableRuntime } from './table-runtime.ts';

/**
 * Rows per cached chunk: the executor's default batch size, so warm scans hand chunks out as they
 * are (larger batches get whole chunks, smaller ones slices).
 */
export const CHUNK_ROWS = 16_384;

/** Bytes of freshly decoded columns after which the warm tier asks for a full collection. */
const COLLECT_AFTER = 64 * 1024 * 1024;

interface Entry {
  /** Commit sequence of the last write the entry includes. */
  seq: number;
  /** Length of each chunk; every column is cut the same way. */
  lengths: readonly number[];
  /** Chunks per physical slot (`KEY_SLOT` for row keys). */
  columns: Map<number, CachedColumn>;
  bytes: number;
}

/** One cached column of a table: its chunks, their estimated size and when a scan last read it. */
interface CachedColumn {
  readonly chunks: readonly ColumnData[];
  readonly bytes: number;
  used: number;
}

/** One stored row as the store writes it. */
export interface RowBytes {
  readonly key: Uint8Array;
  readonly value: Uint8Array;
}

/** Physical slots of the logical `ordinals` (-1, the row key, maps to `KEY_SLOT`). */
export function slotsOf(rt: TableRuntime, ordinals: readonly number[]): number[] {
  const live: number[] = [];
  rt.state.physical.forEach((p, i) => {
    if (!p.dropped) live.push(i);
  });
  return ordinals.map((o) => {
    if (o === -1) return KEY_SLOT;
    const s = live[o];
    if (s === undefined) throw new StorageError('undefined_column', `column ordinal ${o} of relation "${rt.info.name}" does not exist`);
    return s;
  });
}

/** Feeds a decoder from a cursor: row key only when a key column is wanted. */
function visitorFor(dec: ColumnDecoder): RowVisitor {
  return dec.wantsKey ? { key: (b, s, e) => dec.key(b, s, e), row: (b) => dec.row(b) } : { key: () => {}, row: (b) => dec.row(b) };
}

/** Estimated bytes of a column: typed arrays exactly, objects by a rough per-value size. */
function columnBytes(c: ColumnData): number {
  const valid = c.valid === null ? 0 : c.valid.length;
  if (!Array.isArray(c.data)) return c.data.byteLength + valid;
  let n = valid + c.data.length * 8 + (c.dict ? c.dict.codes.byteLength : 0);
  let prev: unknown;
  for (const v of c.data) {
    // Equal neighbours are usually one shared string (the decoder interns short text).
    if (v === prev) continue;
    prev = v;
    if (typeof v === 'string') n += 24 + v.length;
    else if (v instanceof Uint8Array) n += 48 + v.length;
    else if (typeof v === 'bigint') n += 24;
    else if (v !== null && typeof v === 'object') n += 64;
  }
  return n;
}

export class WarmTier {
  /** Cached tables by id; eviction goes column by column, least recently read first. */
  private readonly entries = new Map<number, Entry>();
  private readonly gens = new Map<number, number>();
  private readonly lastWrite = new Map<number, number>();
  private total = 0;
  /** Logical clock of column reads, for least-recently-used eviction. */
  private tick = 0;

  constructor(
    private readonly raw: RawRange,
    /** Bound on the estimated bytes of all entries; 0 disables caching (scans still decode columns). */
    private readonly maxBytes: number,
  ) {}

  /** Estimated bytes held, and the tables cached (for tests and monitoring). */
  get stats(): { readonly bytes: number; readonly tables: number } {
    return { bytes: this.total, tables: this.entries.size };
  }

  /** Whether `slot` of table `id` is cached (for tests). */
  has(id: number, slot: number): boolean {
    return this.entries.get(id)?.columns.has(slot) ?? false;
  }

  /** A commit with sequence `seq` wrote rows of table `id`. */
  written(id: number, seq: number): void {
    this.lastWrite.set(id, seq);
    this.invalidate(id);
  }

  /** The table's layout changed or it was dropped: cached columns no longer decode its rows. */
  invalidate(id: number): void {
    this.gens.set(id, (this.gens.get(id) ?? 0) + 1);
    this.drop(id);
  }

  private drop(id: number): void {
    const e = this.entries.get(id);
    if (!e) return;
    this.total -= e.bytes;
    this.entries.delete(id);
  }

  private gen(id: number): number {
    return this.gens.get(id) ?? 0;
  }

  /** Whether the table has a cached entry that a bulk append could extend. */
  cached(id: number): boolean {
    return this.entries.has(id);
  }

  /**
   * Bulk load committed `rows` (sorted by key, all after the table's previous last key) as commit
   * `seq`: cached columns are extended from the encoded rows, without reading LMDB again.
   */
  append(rt: TableRuntime, seq: number, rows: readonly RowBytes[]): void {
    const e = this.entries.get(rt.id);
    this.lastWrite.set(rt.id, seq);
    this.gens.set(rt.id, this.gen(rt.id) + 1);
    if (!e) return;
    const slots = [...e.columns.keys()];
    const dec = new ColumnDecoder(rt.state.physical, slots, CHUNK_ROWS);
    const lengths = [...e.lengths];
    const added: ColumnData[][] = slots.map(() => []);
    const flush = (): void => {
      lengths.push(dec.rows);
      dec.finish().forEach((c, j) => added[j]!.push(c));
    };
    for (const r of rows) {
      if (dec.wantsKey) dec.key(r.key, 0, r.key.length);
      dec.row(r.value);
      if (dec.rows === CHUNK_ROWS) flush();
    }
    if (dec.rows > 0) flush();
    const columns = new Map<number, CachedColumn>();
    let bytes = 0;
    slots.forEach((s, j) => {
      const old = e.columns.get(s)!;
      let b = 0;
      for (const c of added[j]!) b += columnBytes(c);
      columns.set(s, { chunks: [...old.chunks, ...added[j]!], bytes: old.bytes + b, used: old.used });
      bytes += b;
    });
    this.total += bytes;
    this.entries.delete(rt.id);
    this.entries.set(rt.id, { seq, lengths, columns, bytes: e.bytes + bytes });
    this.evict(rt.id, []);
  }

  /**
   * Columns `ordinals` of the table as a snapshot with sequence `snapshotSeq` sees it (the caller
   * has no own writes to the table), in key order, in batches of at most `batchSize` rows.
   */
  *scan(rt: TableRuntime, ordinals: readonly number[], batchSize: number, snapshot: unknown, snapshotSeq: number): Generator<ColumnBatch> {
    const slots = slotsOf(rt, ordinals);
    const id = rt.id;
    const gen = this.gen(id);
    const seq = this.lastWrite.get(id) ?? 0;
    // The snapshot includes the table's newest state, so what it reads may be shared.
    const shareable = this.maxBytes > 0 && seq <= snapshotSeq;
    const e = shareable ? this.entries.get(id) : undefined;
    if (e && e.seq <= snapshotSeq) {
      this.entries.delete(id);
      this.entries.set(id, e);
      if (slots.every((s) => e.columns.has(s))) {
        const tick = ++this.tick;
        const cols = slots.map((s) => {
          const c = e.columns.get(s)!;
          c.used = tick;
          return c.chunks;
        });
        const lengths = e.lengths;
        for (let i = 0; i < lengths.length; i++) {
          yield* sliceBatches(
            cols.map((c) => c[i]!),
            lengths[i]!,
            batchSize,
          );
        }
        return;
      }
    }
    // One pass over LMDB decodes the requested columns the entry lacks; chunks follow the entry's
    // cuts, so cached columns join the decoded ones chunk by chunk and the new ones can join the
    // entry afterwards.
    const have = new Map<number, readonly ColumnData[]>();
    if (e && e.seq <= snapshotSeq) {
      const tick = ++this.tick;
      for (const s of slots) {
        const c = e.columns.get(s);
        if (c) {
          c.used = tick;
          have.set(s, c.chunks);
        }
      }
    }
    const decode = slots.filter((s) => !have.has(s));
    const cuts = e?.lengths;
    const dec = new ColumnDecoder(rt.state.physical, decode, CHUNK_ROWS);
    const lengths: number[] = [];
    let kept: ColumnData[][] | undefined = shareable ? [] : undefined;
    let keptBytes = 0;
    let target = cuts?.[0] ?? CHUNK_ROWS;
    const cursor = this.raw(rt.prefix, rt.prefixEnd, snapshot, visitorFor(dec));
    try {
      for (;;) {
        const more = cursor.next();
        if (dec.rows < target && more) continue;
        if (dec.rows === 0) break;
        const n = dec.rows;
        const cols = dec.finish();
        const chunk = lengths.length;
        lengths.push(n);
        if (kept) {
          for (const c of cols) keptBytes += columnBytes(c);
          if (keptBytes > this.maxBytes) kept = undefined;
          else kept.push(cols);
        }
        const full = have.size === 0 ? cols : slots.map((s) => have.get(s)?.[chunk] ?? cols[decode.indexOf(s)]!);
        if (full.some((c) => c.length !== n)) throw new StorageError('internal_error', `warm chunk ${chunk} of relation "${rt.info.name}" does not match the snapshot`);
        yield* sliceBatches(full, n, batchSize);
        target = cuts?.[lengths.length] ?? CHUNK_ROWS;
        if (!more) break;
      }
    } finally {
      cursor.close();
    }
    if (kept) this.install(id, gen, seq, decode, lengths, kept);
  }

  /** Adds freshly built columns to the table's entry, unless the table changed meanwhile. */
  private install(id: number, gen: number, seq: number, slots: readonly number[], lengths: readonly number[], chunks: readonly ColumnData[][]): void {
    if (this.gen(id) !== gen) return;
    let e = this.entries.get(id);
    if (e && (e.lengths.length !== lengths.length || e.lengths.some((n, i) => n !== lengths[i]))) {
      this.drop(id);
      e = undefined;
    }
    const entry = e ?? { seq, lengths, columns: new Map<number, CachedColumn>(), bytes: 0 };
    this.entries.set(id, entry);
    const tick = ++this.tick;
    let added = 0;
    slots.forEach((s, j) => {
      const known = entry.columns.get(s);
      if (known) {
        known.used = tick;
        return;
      }
      const col = chunks.map((c) => c[j]!);
      let b = 0;
      for (const c of col) b += columnBytes(c);
      entry.columns.set(s, { chunks: col, bytes: b, used: tick });
      entry.bytes += b;
      this.total += b;
      added += b;
    });
    this.evict(id, slots);
    // Decoding a large table leaves as much garbage as it kept (growing buffers, row views): collect
    // it now, inside the cold scan that made it, rather than during the next queries.
    if (added >= COLLECT_AFTER) Bun.gc(true);
  }

  /**
   * Drops least recently read columns (of any table) until the bound holds; the columns `keep` of
   * table `keepId`, just built for a scan, go last.
   */
  private evict(keepId: number, keep: readonly number[]): void {
    while (this.total > this.maxBytes) {
      let victim: { id: number; slot: number; e: Entry; c: CachedColumn } | undefined;
      let protectedVictim: typeof victim;
      for (const [id, e] of this.entries) {
        for (const [slot, c] of e.columns) {
          const isKept = id === keepId && keep.includes(slot);
          const best = isKept ? protectedVictim : victim;
          if (best === undefined || c.used < best.c.used) {
            if (isKept) protectedVictim = { id, slot, e, c };
            else victim = { id, slot, e, c };
          }
        }
      }
      const v = victim ?? protectedVictim;
      if (v === undefined) return;
      v.e.columns.delete(v.slot);
      v.e.bytes -= v.c.bytes;
      this.total -= v.c.bytes;
      if (v.e.columns.size === 0) this.entries.delete(v.id);
    }
  }
}
