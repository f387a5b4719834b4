// SQL tables split into shards across a cluster: the shard of a row, scan fragments and write batches as data, and the transaction that routes reads and writes to the shards' owners.
//
// A table's rows are hash-partitioned by their encoded primary key into SQL_SHARDS shards; each
// shard is owned by one node (the cluster decides which, see runtime/cluster/sql-shards.ts) and
// its rows live in that node's own store. A statement runs on the node its client is connected
// to: before the plan runs, every base-table scan of it is sent as a fragment (table, pushed-down
// filter, needed columns, index bounds) to the shards it may touch, and the rows that come back
// are what the plan's scans read; writes are routed by the shard of the row's key.
import type { DataType, Expr, IndexInfo, PhysicalPlan, PhysicalQuery, ScanColumn, TableInfo } from '../../compiler/index.ts';
import { lookupFunction } from '../../compiler/functions/registry.ts';
import { executeQuery } from '../exec/index.ts';
import { valueAt } from '../exec/vector.ts';
import type { KeyBound, RowKey, StorageTxn, StoredRow } from '../storage/api.ts';
import { compareBytes, decodeRow, encodeKey, encodeRow } from '../storage/index.ts';
import { engineError, engineErrorWith, OrbitError, toOrbitError } from './errors.ts';
import { coerceParams } from './params.ts';
import type { PointPlan } from './point.ts';

/** Shards of every table in a cluster. */
export const SQL_SHARDS = 16;

/**
 * The shard of an encoded primary key, `bytes[start…]`: FNV-1a over the bytes, then a final
 * avalanche (MurmurHash3's fmix32) so the low bits the modulus keeps depend on every byte.
 */
export function keyShard(bytes: Uint8Array, start = 0): number {
  let h = 0x811c9dc5;
  for (let i = start; i < bytes.length; i++) h = Math.imul(h ^ bytes[i]!, 0x01000193);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return (h >>> 0) % SQL_SHARDS;
}

/** Bytes of the relation id that prefix a stored row key (runtime/storage/README.md, "Key space"). */
const ID_BYTES = 4;

/** The shard of a stored row, from its key (the relation id prefix is skipped: ids differ between nodes). */
export function rowShard(key: RowKey): number {
  return keyShard(key, ID_BYTES);
}

/** Whether a table is split into shards in a cluster: every stored table with a primary key. */
export function isSharded(table: TableInfo): boolean {
  return table.primaryKey.length > 0;
}

/** A scan of one table to run on a shard's owner. Expressions and values travel as tagged JSON (`toWire`). */
export interface ScanRequest {
  readonly schema: string;
  readonly table: string;
  /** Columns to return (table ordinals, never the row key); a pushed filter reads them by id. */
  readonly columns: readonly ScanColumn[];
  readonly filter?: Expr;
  /** An index lookup instead of a full scan: equality on a key prefix, then a range on the next column. */
  readonly index?: { readonly name: string; readonly eq: readonly unknown[]; readonly low?: Bound; readonly high?: Bound };
  /** Statement parameters the filter reads, already coerced. */
  readonly params: readonly unknown[];
  /** Statement timestamp (µs). */
  readonly now: number;
}

interface Bound {
  readonly value: unknown;
  readonly inclusive: boolean;
}

/**
 * Rows of a scan in one buffer: per row a u32 length and its key (encoded primary key, no relation
 * prefix), then a u32 length and its row (the request's columns, row-encoded). One MessagePack
 * binary costs a copy; two small binaries per row cost most of a scan's time on the wire.
 */
export type ScanRows = Uint8Array;

/** What a shard owner answers to a scan: the shards it covered (all it owns among those asked) and their rows. */
export interface ScanReply {
  readonly covered: readonly number[];
  /** The answering node's id (the next statement groups its calls by node). */
  readonly node?: string;
  readonly rows: ScanRows;
  /** How many rows `rows` holds. */
  readonly count: number;
  readonly error?: WireError;
}

/** One write for a shard's owner: [kind, schema, table, key (encoded primary key, no prefix) or null, row or null]. */
export type WriteOp = [kind: 'insert' | 'update' | 'delete', schema: string, table: string, key: Uint8Array | null, row: Uint8Array | null];

/** Writes for several shards: [shard, its writes] pairs. */
export type ShardWrites = [shard: number, ops: WriteOp[]][];

/** What a shard owner answers to writes: the shards whose writes it committed (all it owns among those sent), in one commit. */
export interface ApplyReply {
  readonly covered: readonly number[];
  readonly node?: string;
  readonly error?: WireError;
}

/** An error as data, so its SQLSTATE survives the trip between nodes. */
export interface WireError {
  readonly sqlstate: string;
  readonly message: string;
  readonly detail?: string;
}

/** What the cluster provides the engine: shard ownership, calls to shard owners, and the DDL log. */
export interface ShardTransport {
  /** Whether this node owns the shard now (its work may run on this node's store). */
  hosts(shard: number): boolean;
  /** Runs a scan on the owner of `shard`, which also covers whichever of `shards` it owns. */
  scan(shard: number, request: string, shards: readonly number[]): Promise<ScanReply>;
  /** Applies writes on the owner of `shard`, which also applies those of the other shards it owns, all in one commit there. */
  apply(shard: number, writes: ShardWrites): Promise<ApplyReply>;
  /** Appends a DDL statement to the cluster's log; resolves once every live node has applied it. */
  logDdl(text: string): Promise<void>;
}

/**
 * Encodes values and expressions as JSON, tagging what JSON cannot hold (bigint, bytes, NaN,
 * ±Infinity, -0) as one-key objects; an object of the data that itself has a single `$` key (a JSON
 * value) travels as its list of entries, so no tag is ever mistaken for data.
 */
export function toWire(value: unknown): string {
  return JSON.stringify(value, function (this: unknown, _k, v: unknown) {
    if (typeof v === 'bigint') return { $b: v.toString() };
    if (v instanceof Uint8Array) return { $u: Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64') };
    if (typeof v === 'number' && (!Number.isFinite(v) || Object.is(v, -0))) return { $n: Object.is(v, -0) ? '-0' : String(v) };
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
      const keys = Object.keys(v);
      if (keys.length === 1 && keys[0]!.startsWith('$')) return { $o: Object.entries(v) };
    }
    return v;
  });
}

/** Inverse of `toWire`. */
export function fromWire(text: string): unknown {
  return JSON.parse(text, (_k, v: unknown) => {
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
      const o = v as Record<string, unknown>;
      const keys = Object.keys(o);
      if (keys.length === 1) {
        if (typeof o['$b'] === 'string') return BigInt(o['$b']);
        if (typeof o['$u'] === 'string') return new Uint8Array(Buffer.from(o['$u'], 'base64'));
        if (typeof o['$n'] === 'string') return o['$n'] === '-0' ? -0 : Number(o['$n']);
        if (Array.isArray(o['$o'])) return Object.fromEntries(o['$o'] as [string, unknown][]);
      }
    }
    return v;
  });
}

function wireError(e: unknown): WireError {
  const o = toOrbitError(e);
  return { sqlstate: o.sqlstate, message: o.message, ...(o.detail !== undefined ? { detail: o.detail } : {}) };
}

function thrown(e: WireError): OrbitError {
  return new OrbitError(e.sqlstate, e.message, e.detail !== undefined ? { detail: e.detail } : {});
}

const literal = (value: unknown, type: DataType): Expr => ({ kind: 'literal', value, type, nullable: value === null });

/**
 * Bytes of rows one scan reply may carry: the peer channel refuses gRPC messages over 64 MiB
 * (runtime/cluster/proto.ts), so a larger answer is refused here with a clear error instead.
 */
export const MAX_REPLY_BYTES = 48 * 1024 * 1024;

/**
 * Runs a scan request against `txn` (this node's store) and hands each row of `shards` to `visit`:
 * its stored key and its values in the request's column order. The scan is a one-node physical
 * plan (a seq or index scan with the pushed filter) run by the executor.
 */
function eachRow(table: TableInfo, req: ScanRequest, txn: StorageTxn, shards: ReadonlySet<number>, visit: (key: Uint8Array, values: unknown[]) => void): void {
  const keyId = req.columns.reduce((m, c) => Math.max(m, c.id), 0) + 1;
  const columns: ScanColumn[] = [...req.columns, { id: keyId, name: 'ctid', type: { kind: 'binary' }, nullable: false, ordinal: -1 }];
  const base = { table, alias: table.name, columns, schema: columns, est: { rows: 0, cost: 0 }, ...(req.filter ? { filter: req.filter } : {}) };
  let plan: PhysicalPlan;
  if (req.index) {
    const index = table.indexes.find((i) => i.name === req.index!.name);
    if (!index) throw engineError('cluster_no_index', req.index.name);
    const types = indexTypes(table, index);
    const at = req.index.eq.length;
    const bound = (b: Bound | undefined) => (b ? { expr: literal(b.value, types[at]!), inclusive: b.inclusive } : undefined);
    const low = bound(req.index.low);
    const high = bound(req.index.high);
    plan = { ...base, kind: 'index-scan', index, eq: req.index.eq.map((v, i) => literal(v, types[i]!)), ...(low || high ? { range: { ...(low ? { low } : {}), ...(high ? { high } : {}) } } : {}) };
  } else plan = { ...base, kind: 'seq-scan' };
  const width = req.columns.length;
  const stream = executeQuery({ plan, subplans: {}, params: [] }, { txn, params: req.params, now: req.now });
  try {
    for (let c = stream.nextChunk(); c !== null; c = stream.nextChunk()) {
      const keys = c.columns[width]!;
      for (let i = 0; i < c.length; i++) {
        const key = valueAt(keys, i) as Uint8Array;
        if (!shards.has(rowShard(key))) continue;
        const values = new Array<unknown>(width);
        for (let j = 0; j < width; j++) values[j] = valueAt(c.columns[j]!, i);
        visit(key, values);
      }
    }
  } finally {
    stream.return();
  }
}

/** Runs a scan request for another node: rows encoded for the wire; fails with 54000 once they exceed `maxBytes`. */
export function runScan(table: TableInfo, req: ScanRequest, txn: StorageTxn, shards: ReadonlySet<number>, maxBytes = Infinity): { rows: ScanRows; count: number } {
  const types = req.columns.map((c) => table.columns[c.ordinal]!.type);
  const parts: Uint8Array[] = [];
  let bytes = 0;
  eachRow(table, req, txn, shards, (key, values) => {
    const k = key.subarray(ID_BYTES);
    const row = encodeRow(types, values);
    bytes += 8 + k.length + row.length;
    if (bytes > maxBytes) throw engineErrorWith('cluster_reply_too_large', { hint: 'Add a filter on the table, or read it in ranges of its primary key.' }, table.name, String(maxBytes));
    parts.push(k, row);
  });
  const rows = new Uint8Array(bytes);
  const dv = new DataView(rows.buffer);
  let at = 0;
  for (const p of parts) {
    dv.setUint32(at, p.length);
    rows.set(p, at + 4);
    at += 4 + p.length;
  }
  return { rows, count: parts.length / 2 };
}

/** Runs a scan request on this node's own shards: stored rows as the executor reads them, nothing encoded. */
function localRows(table: TableInfo, req: ScanRequest, txn: StorageTxn, shards: ReadonlySet<number>, into: StoredRow[]): void {
  const ordinals = req.columns.map((c) => c.ordinal);
  const width = table.columns.length;
  eachRow(table, req, txn, shards, (key, got) => {
    const values = new Array<unknown>(width).fill(null);
    for (let j = 0; j < ordinals.length; j++) values[ordinals[j]!] = got[j];
    into.push({ key, values });
  });
}

/** Serves a scan request on this node for another: errors come back as data; at most `maxBytes` of rows. */
export function serveScan(lookup: (schema: string, name: string) => TableInfo | undefined, txn: StorageTxn, request: string, shards: readonly number[], maxBytes = MAX_REPLY_BYTES): ScanReply {
  try {
    const req = fromWire(request) as ScanRequest;
    const table = lookup(req.schema, req.table);
    if (!table) throw engineError('cluster_no_relation', req.table);
    return { covered: shards, ...runScan(table, req, txn, new Set(shards), maxBytes) };
  } catch (e) {
    return { covered: [], rows: new Uint8Array(0), count: 0, error: wireError(e) };
  }
}

/** Applies the writes of the `covered` shards in one transaction of this node's store; errors come back as data. */
export async function serveApply(lookup: (schema: string, name: string) => TableInfo | undefined, txn: StorageTxn, writes: ShardWrites, covered: readonly number[]): Promise<ApplyReply> {
  try {
    for (const [shard, ops] of writes) {
      if (!covered.includes(shard)) continue;
      for (const [kind, schema, name, key, row] of ops) {
        const table = lookup(schema, name);
        if (!table) throw engineError('cluster_no_relation', name);
        const types = table.columns.map((c) => c.type);
        if (kind === 'insert') txn.insert(table, decodeRow(types, row!));
        else if (kind === 'update') txn.update(table, withPrefix(table, key!), decodeRow(types, row!));
        else txn.delete(table, withPrefix(table, key!));
      }
    }
    await txn.commit();
    return { covered };
  } catch (e) {
    txn.rollback();
    return { covered: [], error: wireError(e) };
  }
}

/** A stored row key from an encoded primary key: the table's id (big-endian) first. */
function withPrefix(table: TableInfo, pk: Uint8Array): Uint8Array {
  const id = table.id;
  const k = new Uint8Array(ID_BYTES + pk.length);
  k[0] = id >>> 24;
  k[1] = (id >>> 16) & 0xff;
  k[2] = (id >>> 8) & 0xff;
  k[3] = id & 0xff;
  k.set(pk, ID_BYTES);
  return k;
}

function indexTypes(table: TableInfo, index: IndexInfo): DataType[] {
  return index.columns.map((n) => table.columns.find((c) => c.name === n)!.type);
}

function ordinalsOf(table: TableInfo, names: readonly string[]): number[] {
  return names.map((n) => table.columns.find((c) => c.name === n)!.ordinal);
}

/** Rows of one table fetched for a statement, served to its scans, index scans and key lookups. */
class Fetched {
  private byKey: Map<string, StoredRow> | undefined;
  constructor(
    readonly table: TableInfo,
    /** In primary-key order. */
    readonly rows: readonly StoredRow[],
    /**
     * Whether key and index lookups may be answered from `rows`: not when only a seq scan's filtered
     * rows were fetched, since such a lookup comes from another part of the plan (ON CONFLICT, a
     * foreign key check) and would miss rows the filter left behind.
     */
    readonly lookups: boolean,
  ) {}

  get(pk: readonly unknown[]): StoredRow | undefined {
    if (!this.byKey) {
      this.byKey = new Map();
      for (const r of this.rows) this.byKey.set(Buffer.from(r.key.subarray(ID_BYTES)).toString('latin1'), r);
    }
    const t = this.table;
    const key = encodeKey(ordinalsOf(t, t.primaryKey).map((o) => t.columns[o]!.type), pk);
    return this.byKey.get(Buffer.from(key).toString('latin1'));
  }

  /** Rows whose index key starts with `eq` and lies within the bounds, in index order (then key order). */
  indexScan(indexName: string, eq: readonly unknown[], low?: KeyBound, high?: KeyBound): StoredRow[] {
    const t = this.table;
    const index = t.indexes.find((i) => i.name === indexName);
    if (!index) throw engineError('cluster_no_index', indexName);
    const types = indexTypes(t, index);
    const ords = ordinalsOf(t, index.columns);
    const enc = (values: readonly unknown[]) => encodeKey(types.slice(0, values.length), values);
    const eqKey = enc(eq);
    const lowKey = low && enc(low.values);
    const highKey = high && enc(high.values);
    const hits: { row: StoredRow; key: Uint8Array }[] = [];
    for (const row of this.rows) {
      const vals = ords.map((o) => row.values[o]);
      if (eq.length > 0 && compareBytes(enc(vals.slice(0, eq.length)), eqKey) !== 0) continue;
      if (lowKey) {
        const c = compareBytes(enc(vals.slice(0, low!.values.length)), lowKey);
        if (c < 0 || (c === 0 && !low!.inclusive)) continue;
      }
      if (highKey) {
        const c = compareBytes(enc(vals.slice(0, high!.values.length)), highKey);
        if (c > 0 || (c === 0 && !high!.inclusive)) continue;
      }
      hits.push({ row, key: enc(vals) });
    }
    hits.sort((a, b) => compareBytes(a.key, b.key) || compareBytes(a.row.key, b.row.key));
    return hits.map((h) => h.row);
  }
}

/** How one statement reads a table: every scan node of the plan that reads it. */
interface TableReads {
  readonly table: TableInfo;
  readonly nodes: (Extract<PhysicalPlan, { kind: 'seq-scan' | 'index-scan' }>)[];
}

function collectScans(q: PhysicalQuery, into: Map<number, TableReads>): void {
  const visit = (node: unknown): void => {
    if (!node || typeof node !== 'object') return;
    if (Array.isArray(node)) {
      for (const n of node) visit(n);
      return;
    }
    const n = node as { kind?: unknown } & Record<string, unknown>;
    if ((n.kind === 'seq-scan' || n.kind === 'index-scan') && isSharded(n['table'] as TableInfo)) {
      const p = n as unknown as TableReads['nodes'][number];
      let r = into.get(p.table.id);
      if (!r) into.set(p.table.id, (r = { table: p.table, nodes: [] }));
      r.nodes.push(p);
      return;
    }
    for (const [k, v] of Object.entries(n)) if (k !== 'table' && k !== 'index' && typeof v === 'object') visit(v);
  };
  visit(q.plan);
  for (const s of Object.values(q.subplans)) visit(s);
}

/**
 * Whether another node can evaluate an expression for us: it reads only the given columns, holds no
 * subquery and calls no volatile function (random(), nextval(), the session's facts): the scan
 * applies its filter again here, which must give the same answer.
 */
function portable(e: Expr, ids: ReadonlySet<number>): boolean {
  switch (e.kind) {
    case 'column':
      return ids.has(e.id);
    case 'literal':
    case 'param':
      return true;
    case 'call':
      return lookupFunction(e.fn)?.volatile !== true && e.args.every((a) => portable(a, ids));
    case 'cast':
      return portable(e.expr, ids);
    case 'case':
      return e.whens.every((w) => portable(w.when, ids) && portable(w.then, ids)) && (e.else === undefined || portable(e.else, ids));
    case 'subquery':
      return false;
  }
}

/** A literal's or parameter's value; undefined when the expression needs a row to evaluate. */
function constant(e: Expr, params: readonly unknown[]): { value: unknown } | undefined {
  if (e.kind === 'literal') return { value: e.value };
  if (e.kind === 'param') return { value: params[e.index - 1] ?? null };
  return undefined;
}

/** The request for one table's reads, and the shards it must go to. */
function planFetch(reads: TableReads, params: readonly unknown[], now: number): { request: ScanRequest; shards: number[] } {
  const t = reads.table;
  const all = Array.from({ length: SQL_SHARDS }, (_, i) => i);
  const base = { schema: t.schema, table: t.name, params, now };
  if (reads.nodes.length === 1) {
    const n = reads.nodes[0]!;
    const own = n.columns.filter((c) => c.ordinal >= 0);
    const ids = new Set(own.map((c) => c.id));
    // Columns the served lookups compare on (primary key, the index) come back too.
    const extra = [...ordinalsOf(t, t.primaryKey), ...(n.kind === 'index-scan' ? ordinalsOf(t, n.index.columns) : [])];
    let next = own.reduce((m, c) => Math.max(m, c.id), 0) + 1;
    const columns: ScanColumn[] = [...own];
    for (const o of extra) if (!columns.some((c) => c.ordinal === o)) columns.push({ id: next++, name: t.columns[o]!.name, type: t.columns[o]!.type, nullable: true, ordinal: o });
    const filter = n.filter && portable(n.filter, ids) ? { filter: n.filter } : {};
    if (n.kind === 'seq-scan') return { request: { ...base, columns, ...filter }, shards: all };
    const eq = n.eq.map((e) => constant(e, params));
    const low = n.range?.low && constant(n.range.low.expr, params);
    const high = n.range?.high && constant(n.range.high.expr, params);
    if (eq.some((v) => v === undefined) || (n.range?.low && !low) || (n.range?.high && !high)) {
      // Keys that come from another row (an index nested-loop join): fetch the table, look up here.
      return { request: { ...base, columns }, shards: all };
    }
    const eqValues = eq.map((v) => v!.value);
    const index = {
      name: n.index.name,
      eq: eqValues,
      ...(low ? { low: { value: low.value, inclusive: n.range!.low!.inclusive } } : {}),
      ...(high ? { high: { value: high.value, inclusive: n.range!.high!.inclusive } } : {}),
    };
    // A lookup on the whole primary key reads one shard.
    const point = n.index.primary && !n.range && eqValues.length === t.primaryKey.length && !eqValues.includes(null);
    const shards = point ? [keyShard(encodeKey(indexTypes(t, n.index), eqValues))] : all;
    return { request: { ...base, columns, ...filter, index }, shards };
  }
  // Several scans of one table (a self-join): fetch the columns any of them reads, serve each here.
  const ordinals = new Set<number>(ordinalsOf(t, t.primaryKey));
  for (const n of reads.nodes) {
    for (const c of n.columns) if (c.ordinal >= 0) ordinals.add(c.ordinal);
    if (n.kind === 'index-scan') for (const o of ordinalsOf(t, n.index.columns)) ordinals.add(o);
  }
  const columns = [...ordinals].sort((a, b) => a - b).map((o, i): ScanColumn => ({ id: i + 1, name: t.columns[o]!.name, type: t.columns[o]!.type, nullable: true, ordinal: o }));
  return { request: { ...base, columns }, shards: all };
}

/**
 * A transaction of a node in a cluster: reads of sharded tables are served from the rows fetched
 * for the running statement (`ClusterSql.prepare`), writes go to this node's store for shards it
 * owns and are batched per shard for the others, sent when the transaction commits (one commit on
 * each owning node). Tables without a primary key and system views are local.
 */
export class ShardedTxn implements StorageTxn {
  readonly id: number;
  /** Rows fetched for the current statement, by table id. */
  private readonly fetched = new Map<number, Fetched>();
  /** Writes for shards other nodes own, by shard. */
  private readonly remote = new Map<number, WriteOp[]>();
  /** Inside BEGIN … COMMIT (or a multi-statement block): writes must stay on this node. */
  block = false;

  constructor(
    readonly local: StorageTxn,
    private readonly cluster: ClusterSql,
  ) {
    this.id = local.id;
  }

  private served(table: TableInfo, lookup = false): Fetched {
    const f = this.fetched.get(table.id);
    if (!f || (lookup && !f.lookups)) throw engineError('cluster_not_routed', `reading "${table.name}" outside a scan (a foreign key check, ON CONFLICT, a graph hop)`);
    return f;
  }

  *scan(table: TableInfo, batchSize: number): Iterable<readonly StoredRow[]> {
    if (!isSharded(table)) {
      yield* this.local.scan(table, batchSize);
      return;
    }
    const rows = this.served(table).rows;
    for (let i = 0; i < rows.length; i += batchSize) yield rows.slice(i, i + batchSize);
  }

  indexScan(table: TableInfo, indexName: string, eq: readonly unknown[], low?: KeyBound, high?: KeyBound): Iterable<StoredRow> {
    if (!isSharded(table)) return this.local.indexScan(table, indexName, eq, low, high);
    return this.served(table, true).indexScan(indexName, eq, low, high);
  }

  /** A key of a shard this node owns is read from its store (this transaction's own writes included); others from the fetched rows. */
  get(table: TableInfo, primaryKey: readonly unknown[]): StoredRow | undefined {
    if (!isSharded(table) || primaryKey.includes(null) || this.cluster.transport.hosts(keyShard(this.pk(table, primaryKey, true)))) return this.local.get(table, primaryKey);
    return this.served(table, true).get(primaryKey);
  }

  /** Queues a write for a shard owned elsewhere (refused inside a transaction block). */
  private send(shard: number, op: WriteOp): void {
    if (this.block) {
      throw engineErrorWith('cluster_multi_shard_write', {
        detail: `A row of table "${op[2]}" belongs to shard ${shard}, which another node owns; a transaction block may write only rows of shards this node owns.`,
        hint: 'Run the statement outside BEGIN … COMMIT: each statement commits on its own.',
      });
    }
    let ops = this.remote.get(shard);
    if (!ops) this.remote.set(shard, (ops = []));
    ops.push(op);
  }

  /** The encoded primary key of a row's values (or of the key's values themselves with `keyOnly`). */
  private pk(table: TableInfo, values: readonly unknown[], keyOnly = false): Uint8Array {
    const ords = ordinalsOf(table, table.primaryKey);
    return encodeKey(
      ords.map((o) => table.columns[o]!.type),
      keyOnly ? values : ords.map((o) => values[o]),
    );
  }

  insert(table: TableInfo, values: readonly unknown[]): RowKey {
    if (!isSharded(table)) return this.local.insert(table, values);
    const pk = this.pk(table, values);
    const shard = keyShard(pk);
    if (this.cluster.transport.hosts(shard)) return this.local.insert(table, values);
    this.send(shard, ['insert', table.schema, table.name, null, encodeRow(table.columns.map((c) => c.type), values)]);
    return withPrefix(table, pk);
  }

  update(table: TableInfo, key: RowKey, values: readonly unknown[]): RowKey {
    if (!isSharded(table)) return this.local.update(table, key, values);
    const from = rowShard(key);
    const pk = this.pk(table, values);
    const to = keyShard(pk);
    if (from === to) {
      if (this.cluster.transport.hosts(from)) return this.local.update(table, withPrefix(table, key.subarray(ID_BYTES)), values);
      this.send(from, ['update', table.schema, table.name, key.subarray(ID_BYTES), encodeRow(table.columns.map((c) => c.type), values)]);
      return withPrefix(table, pk);
    }
    // A new primary key in another shard: the row moves.
    this.delete(table, key);
    return this.insert(table, values);
  }

  delete(table: TableInfo, key: RowKey): void {
    if (!isSharded(table)) return this.local.delete(table, key);
    const shard = rowShard(key);
    if (this.cluster.transport.hosts(shard)) return this.local.delete(table, withPrefix(table, key.subarray(ID_BYTES)));
    this.send(shard, ['delete', table.schema, table.name, key.subarray(ID_BYTES), null]);
  }

  keyShare(table: TableInfo, key: RowKey): void {
    this.local.keyShare(table, key);
  }

  nextval(sequence: string): bigint {
    if (!this.local.nextval) throw engineError('cluster_not_routed', 'nextval');
    return this.local.nextval(sequence);
  }

  savepoint(name: string): void {
    this.local.savepoint(name);
  }
  rollbackTo(name: string): void {
    this.local.rollbackTo(name);
  }
  release(name: string): void {
    this.local.release(name);
  }

  get writing(): boolean {
    return this.remote.size > 0 || this.local.writing;
  }

  /** Sends the other shards' writes to their owners (one commit on each node), then commits here. */
  async commit(): Promise<void> {
    this.fetched.clear();
    if (this.remote.size > 0) {
      const writes = new Map(this.remote);
      this.remote.clear();
      try {
        await this.cluster.applyAll(writes);
      } catch (e) {
        this.local.rollback();
        throw e;
      }
    }
    await this.local.commit();
  }

  rollback(): void {
    this.fetched.clear();
    this.remote.clear();
    this.local.rollback();
  }

  /** Fetches, for one statement, the rows each sharded table's scans may read (see `planFetch`). */
  async prepare(q: PhysicalQuery, params: readonly unknown[], now: number, fetch: (table: TableInfo, request: ScanRequest, shards: readonly number[]) => Promise<StoredRow[]>): Promise<void> {
    this.fetched.clear();
    const reads = new Map<number, TableReads>();
    collectScans(q, reads);
    await Promise.all(
      [...reads.values()].map(async (r) => {
        const { request, shards } = planFetch(r, params, now);
        const lookups = request.index !== undefined || request.filter === undefined;
        this.fetched.set(r.table.id, new Fetched(r.table, await fetch(r.table, request, shards), lookups));
      }),
    );
  }
}

/**
 * The engine's side of a cluster: begins sharded transactions, fetches each statement's rows from
 * the shards' owners (this node's own shards from its store, no call), and sends DDL to the log.
 */
export class ClusterSql {
  /** The node that last answered for each shard: the next calls ask it for all of them at once. */
  private readonly nodeOf = new Map<number, string>();

  constructor(readonly transport: ShardTransport) {}

  begin(local: StorageTxn): StorageTxn {
    return new ShardedTxn(local, this);
  }

  /**
   * Whether a primary-key point lookup (the engine's short path) reads a shard this node owns, so it
   * may run on this node's store as in a single process. A NULL key matches nothing anywhere; a
   * parameter that does not convert to its type takes the general path, which reports it.
   */
  pointIsLocal(p: PointPlan, raw: readonly unknown[], types: readonly DataType[]): boolean {
    let params: unknown[];
    try {
      params = coerceParams(raw, types);
    } catch {
      return false;
    }
    const values = p.key.map((k) => ('param' in k ? (params[k.param] ?? null) : k.value));
    if (values.includes(null)) return true;
    const t = p.table;
    return this.transport.hosts(
      keyShard(
        encodeKey(
          ordinalsOf(t, t.primaryKey).map((o) => t.columns[o]!.type),
          values,
        ),
      ),
    );
  }

  /** Marks a transaction as a block (BEGIN, or several statements): its writes must stay on this node. */
  markBlock(txn: StorageTxn): void {
    if (txn instanceof ShardedTxn) txn.block = true;
  }

  /** Fetches the rows a statement's scans of sharded tables may read, before its plan runs. */
  prepare(txn: StorageTxn, q: PhysicalQuery, params: readonly unknown[], now: number): Promise<void> {
    if (!(txn instanceof ShardedTxn)) return Promise.resolve();
    return txn.prepare(q, params, now, (table, request, shards) => this.fetch(txn.local, table, request, shards));
  }

  /** Runs a scan on every shard in `shards`: this node's own ones on its store, the others one call per owning node. */
  private async fetch(local: StorageTxn, table: TableInfo, request: ScanRequest, shards: readonly number[]): Promise<StoredRow[]> {
    const out: StoredRow[] = [];
    const mine = shards.filter((s) => this.transport.hosts(s));
    const pending = new Set(shards.filter((s) => !mine.includes(s)));
    // The other nodes' calls go out first, so their scans run while this node scans its own shards.
    const text = pending.size > 0 ? toWire(request) : '';
    const remote =
      pending.size > 0
        ? this.byNode(pending, async (first, group) => {
            const reply = await this.transport.scan(first, text, group);
            if (!reply.error) decodeRows(table, request, reply.rows, out);
            return reply;
          })
        : undefined;
    try {
      if (mine.length > 0) localRows(table, request, local, new Set(mine), out);
    } finally {
      // Settled either way, so a failed local scan leaves no rejection unobserved.
      await remote;
    }
    // Every piece is in key order; together they are sorted once (seq scans hand rows out in key order).
    if (out.length > 1) out.sort((a, b) => compareBytes(a.key, b.key));
    return out;
  }

  /**
   * Sends writes to the owners of their shards: one call, and one commit, per owning node — per
   * part of at most `MAX_APPLY_BYTES` when there are more (a large COPY), parts one after another.
   */
  async applyAll(writes: ReadonlyMap<number, WriteOp[]>): Promise<void> {
    for (const part of splitWrites(writes)) {
      await this.byNode(new Set(part.keys()), (first, group) =>
        this.transport.apply(
          first,
          group.map((s) => [s, part.get(s)!]),
        ),
      );
    }
  }

  /**
   * Runs `call` until every shard of `pending` is covered: each call goes to the shard actor of one
   * shard with a list of shards, and its node answers for those of them it owns. Shards are grouped
   * by the node that last answered for them (one call per node, in parallel); shards of unknown
   * owner form one more group, whose leftovers go again in the next round (a cold cache costs a
   * round per node). Groups of a round are disjoint, so no shard is answered twice.
   */
  private async byNode(pending: Set<number>, call: (first: number, group: number[]) => Promise<{ readonly covered: readonly number[]; readonly node?: string; readonly error?: WireError }>): Promise<void> {
    const ask = async (group: number[]): Promise<void> => {
      const first = group[0]!;
      const reply = await call(first, group);
      if (reply.error) throw thrown(reply.error);
      if (!reply.covered.includes(first)) throw engineError('internal', `shard ${first} answered without covering itself`);
      for (const s of group) this.nodeOf.delete(s);
      for (const s of reply.covered) {
        pending.delete(s);
        if (reply.node !== undefined) this.nodeOf.set(s, reply.node);
      }
    };
    while (pending.size > 0) {
      const groups = new Map<string, number[]>();
      for (const s of pending) {
        const at = this.nodeOf.get(s) ?? '';
        const g = groups.get(at);
        if (g) g.push(s);
        else groups.set(at, [s]);
      }
      await Promise.all([...groups.values()].map(ask));
    }
  }

  /** Sends a DDL statement this node has applied to every other node. */
  ddl(text: string): Promise<void> {
    return this.transport.logDdl(text);
  }
}

/** Bytes of writes sent in one part (one call per node): well under the peer channel's 64 MiB messages. */
export const MAX_APPLY_BYTES = 16 * 1024 * 1024;

/** Writes cut into parts of at most `max` bytes (one part unless they are that large), each shard's order kept. */
export function splitWrites(writes: ReadonlyMap<number, WriteOp[]>, max = MAX_APPLY_BYTES): Map<number, WriteOp[]>[] {
  const parts: Map<number, WriteOp[]>[] = [new Map()];
  let bytes = 0;
  for (const [shard, ops] of writes) {
    for (const op of ops) {
      const size = 64 + (op[3]?.length ?? 0) + (op[4]?.length ?? 0);
      if (bytes + size > max && bytes > 0) {
        parts.push(new Map());
        bytes = 0;
      }
      const part = parts[parts.length - 1]!;
      let list = part.get(shard);
      if (!list) part.set(shard, (list = []));
      list.push(op);
      bytes += size;
    }
  }
  return parts;
}

/** Rows of a scan reply as stored rows of `table` (this node's keys), appended to `into`. */
function decodeRows(table: TableInfo, request: ScanRequest, rows: ScanRows, into: StoredRow[]): void {
  const types = request.columns.map((c) => table.columns[c.ordinal]!.type);
  const ordinals = request.columns.map((c) => c.ordinal);
  const width = table.columns.length;
  const dv = new DataView(rows.buffer, rows.byteOffset, rows.byteLength);
  for (let at = 0; at + 8 <= rows.length; ) {
    const kl = dv.getUint32(at);
    const key = rows.subarray(at + 4, at + 4 + kl);
    at += 4 + kl;
    const rl = dv.getUint32(at);
    const got = decodeRow(types, rows.subarray(at + 4, at + 4 + rl));
    at += 4 + rl;
    const values = new Array<unknown>(width).fill(null);
    for (let j = 0; j < ordinals.length; j++) values[ordinals[j]!] = got[j];
    into.push({ key: withPrefix(table, key), values });
  }
}
