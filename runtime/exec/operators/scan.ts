// Leaf operators: sequential and index scans over a StorageTxn, VALUES, table functions, work tables.

import type { ScanColumn } from '../../../compiler/ir/plan.ts';
import type { IndexScan, PTableFunction, PValues, PWorkTable, SeqScan } from '../../../compiler/physical/plan.ts';
import { T, type DataType, type Interval } from '../../../compiler/ir/types.ts';
import type { StoredRow } from '../../storage/api.ts';
import type { ColumnBatch, ColumnData } from '../../storage/index.ts';
import { evalScalar, layoutOf } from '../compile.ts';
import type { Evaluator, RunCtx } from '../context.ts';
import { addInterval, intervalMicros } from '../datetime.ts';
import { formatScaled, MAX_EXACT, parseDecimal, parseScaledNumber, rescaleBig } from '../decimal.ts';
import { fail } from '../errors.ts';
import { selectTrue } from '../kernels.ts';
import { startingScan } from '../recycle.ts';
import { type Chunk, GatherSlot, type Vec, UNREAD, gather, gatherChunk, makeVec, valueAt, vecFromValues } from '../vector.ts';
import { exprColumns } from '../../../compiler/ir/expr.ts';
import { type Operator, type Selected, type SelectiveOperator, checkCancel, evaluator, selector } from './operator.ts';
import type { Selector } from '../fuse.ts';

/** Builds one column vector straight from stored rows (no intermediate value arrays for numeric types). */
function columnFromRows(rows: readonly StoredRow[], col: ScanColumn): Vec {
  const n = rows.length;
  const t = col.type;
  const o = col.ordinal;
  // The hidden row key is opaque bytes whatever type the binder gave it (it only flows back to writes).
  if (o < 0) return makeVec(t, 'obj', rows.map((r) => r.key), null);
  let valid: Uint8Array | null = null;
  const nullAt = (i: number): void => {
    if (valid === null) valid = new Uint8Array(n).fill(1);
    valid[i] = 0;
  };
  switch (t.kind) {
    case 'int16':
    case 'int32':
    case 'date': {
      const d = new Int32Array(n);
      for (let i = 0; i < n; i++) {
        const x = rows[i]!.values[o];
        if (x === null || x === undefined) nullAt(i);
        else d[i] = x as number;
      }
      return makeVec(t, 'i32', d, valid);
    }
    case 'float32':
    case 'float64':
    case 'timestamp': {
      const d = new Float64Array(n);
      for (let i = 0; i < n; i++) {
        const x = rows[i]!.values[o];
        if (x === null || x === undefined) nullAt(i);
        else d[i] = x as number;
      }
      return makeVec(t, 'f64', d, valid);
    }
    case 'decimal': {
      if (t.scale === undefined) break;
      const scale = t.scale;
      const d = new Float64Array(n);
      for (let i = 0; i < n; i++) {
        const x = rows[i]!.values[o];
        if (x === null || x === undefined) {
          nullAt(i);
          continue;
        }
        const num = parseScaledNumber(x as string, scale);
        if (num === undefined) return vecFromValues(t, rows.map((r) => r.values[o]));
        d[i] = num;
      }
      return makeVec(t, 'f64', d, valid, scale);
    }
    case 'utf8':
    case 'uuid': {
      const d = new Array<unknown>(n);
      for (let i = 0; i < n; i++) {
        const x = rows[i]!.values[o];
        if (x === null || x === undefined) {
          nullAt(i);
          d[i] = null;
        } else d[i] = x;
      }
      return makeVec(t, 'obj', d, valid);
    }
    default:
      break;
  }
  return vecFromValues(t, rows.map((r) => r.values[o]));
}

export function rowsToChunk(rows: readonly StoredRow[], columns: readonly ScanColumn[]): Chunk {
  return { columns: columns.map((c) => columnFromRows(rows, c)), length: rows.length };
}

function applyFilter(c: Chunk, f: Evaluator | undefined, rc: RunCtx): Chunk {
  if (!f) return c;
  const { sel, n } = selectTrue(f(c, rc));
  return n === c.length ? c : gatherChunk(c, sel, n);
}

/**
 * A storage column as a vector: the layouts are identical by contract (runtime/storage/columns.ts);
 * the scan column's type is kept (the row key arrives as bytes whatever type the binder gave it).
 */
function vecOf(c: ColumnData, col: ScanColumn): Vec {
  const v: Vec = { type: col.type, rep: c.rep, length: c.length, valid: c.valid, data: c.data, scale: c.scale };
  return c.dict && col.type.kind === 'utf8' ? { ...v, dict: c.dict } : v;
}

/**
 * Full scan. With a pushed filter only the columns the filter reads are decoded for every row;
 * the others are decoded for the rows that pass (late materialization: a selective filter skips
 * most of the decimal and text decoding).
 */
export class SeqScanOp implements SelectiveOperator {
  private it: Iterator<readonly StoredRow[]> | undefined;
  /** Reused arrays for the rows that pass the filter when the output is transient (see transient.ts). */
  private slots: GatherSlot[] | null | undefined;
  private batches: Iterator<ColumnBatch> | undefined;
  private readonly filter: Selector | undefined;
  private readonly filterCols: ReadonlySet<number>;
  constructor(
    private readonly plan: SeqScan,
    private readonly rc: RunCtx,
  ) {
    this.filter = plan.filter ? selector(rc, plan, plan.filter, layoutOf(plan.columns)) : undefined;
    const read = plan.filter ? exprColumns(plan.filter) : new Set<number>();
    this.filterCols = new Set(plan.columns.flatMap((c, j) => (read.has(c.id) ? [j] : [])));
  }
  next(): Chunk | null {
    if (this.rc.txn.scanColumns) {
      const s = this.nextSelected();
      if (s === null || s.sel === null) return s?.chunk ?? null;
      this.slots ??= this.rc.transient.has(this.plan) ? this.plan.columns.map(() => new GatherSlot()) : null;
      return gatherChunk(s.chunk, s.sel, s.n, this.slots);
    }
    this.it ??= this.rc.txn.scan(this.plan.table, this.rc.batchSize)[Symbol.iterator]();
    for (;;) {
      checkCancel(this.rc);
      const r = this.it.next();
      if (r.done) return null;
      const rows = r.value;
      if (rows.length === 0) continue;
      if (!this.filter) return rowsToChunk(rows, this.plan.columns);
      const cols = this.plan.columns;
      const partial = cols.map((c, j) => (this.filterCols.has(j) ? columnFromRows(rows, c) : UNREAD));
      const { sel, n } = this.filter({ columns: partial, length: rows.length }, this.rc);
      if (n === 0) continue;
      if (n === rows.length) return { columns: cols.map((c, j) => (this.filterCols.has(j) ? partial[j]! : columnFromRows(rows, c))), length: n };
      const kept = new Array<StoredRow>(n);
      for (let i = 0; i < n; i++) kept[i] = rows[sel[i]!]!;
      return { columns: cols.map((c, j) => (this.filterCols.has(j) ? gather(partial[j]!, sel, n) : columnFromRows(kept, c))), length: n };
    }
  }
  /**
   * Storage hands out columns (from its warm tier when it can): no row decoding here. The batches
   * are shared and immutable, so the filter runs on them and the survivors are named by a
   * selection (`next()` gathers them; a consumer that can skip rows takes the selection as is).
   */
  nextSelected(): Selected | null {
    if (!this.rc.txn.scanColumns) {
      const chunk = this.next();
      return chunk === null ? null : { chunk, sel: null, n: chunk.length };
    }
    const cols = this.plan.columns;
    if (this.batches === undefined) startingScan(this.plan.table.stats?.rowCount ?? 0);
    this.batches ??= this.rc.txn.scanColumns!(
      this.plan.table,
      cols.map((c) => c.ordinal),
      this.rc.batchSize,
    )[Symbol.iterator]();
    for (;;) {
      checkCancel(this.rc);
      const r = this.batches.next();
      if (r.done) return null;
      const b = r.value;
      if (b.length === 0) continue;
      const chunk: Chunk = { columns: b.columns.map((c, j) => vecOf(c, cols[j]!)), length: b.length };
      if (!this.filter) return { chunk, sel: null, n: b.length };
      const { sel, n } = this.filter(chunk, this.rc);
      if (n === 0) continue;
      return { chunk, sel: n === b.length ? null : sel, n };
    }
  }
  close(): void {
    this.it?.return?.();
    this.batches?.return?.();
    for (const s of this.slots ?? []) s.release();
    this.slots = null;
  }
}

export class IndexScanOp implements Operator {
  private it: Iterator<StoredRow> | undefined;
  private done = false;
  private readonly filter: Evaluator | undefined;
  constructor(
    private readonly plan: IndexScan,
    private readonly rc: RunCtx,
  ) {
    this.filter = plan.filter ? evaluator(rc, plan, plan.filter, layoutOf(plan.columns)) : undefined;
  }
  private start(): Iterator<StoredRow> {
    const p = this.plan;
    const rc = this.rc;
    const eq = p.eq.map((e) => evalScalar(e, rc, rc.fnEnv));
    const low = p.range?.low ? { value: evalScalar(p.range.low.expr, rc, rc.fnEnv), inclusive: p.range.low.inclusive } : undefined;
    const high = p.range?.high ? { value: evalScalar(p.range.high.expr, rc, rc.fnEnv), inclusive: p.range.high.inclusive } : undefined;
    // `x = NULL` and `x < NULL` match nothing.
    if (eq.some((v) => v === null) || low?.value === null || high?.value === null) return [][Symbol.iterator]();
    const pk = p.table.primaryKey;
    if (p.index.primary && !p.range && eq.length === pk.length && pk.length > 0) {
      const row = rc.txn.get(p.table, eq);
      return (row ? [row] : [])[Symbol.iterator]();
    }
    return rc.txn
      .indexScan(
        p.table,
        p.index.name,
        eq,
        low ? { values: [...eq, low.value], inclusive: low.inclusive } : undefined,
        high ? { values: [...eq, high.value], inclusive: high.inclusive } : undefined,
      )
      [Symbol.iterator]();
  }
  next(): Chunk | null {
    if (this.done) return null;
    this.it ??= this.start();
    for (;;) {
      checkCancel(this.rc);
      const rows: StoredRow[] = [];
      while (rows.length < this.rc.batchSize) {
        const r = this.it.next();
        if (r.done) {
          this.done = true;
          break;
        }
        rows.push(r.value);
      }
      if (rows.length === 0) return null;
      const c = applyFilter(rowsToChunk(rows, this.plan.columns), this.filter, this.rc);
      if (c.length > 0) return c;
      if (this.done) return null;
    }
  }
  close(): void {
    this.it?.return?.();
  }
}

export class ValuesOp implements Operator {
  private done = false;
  constructor(
    private readonly plan: PValues,
    private readonly rc: RunCtx,
  ) {}
  next(): Chunk | null {
    if (this.done || this.plan.rows.length === 0) return null;
    this.done = true;
    const one: Chunk = { columns: [], length: 1 };
    const cols = this.plan.schema.map((col, j) =>
      vecFromValues(
        col.type,
        this.plan.rows.map((r) => {
          const e = r[j]!;
          // Literal rows (bulk INSERT … VALUES) skip expression evaluation.
          return e.kind === 'literal' ? e.value : valueAt(evaluator(this.rc, this.plan, e, new Map())(one, this.rc), 0);
        }),
      ),
    );
    return { columns: cols, length: this.plan.rows.length };
  }
  close(): void {}
}

/** generate_series, unnest and json array expansion, producing batches lazily (numbered, WITH ORDINALITY). */
export class TableFunctionOp implements Operator {
  private gen: Iterator<unknown> | undefined;
  private finished = false;
  private produced = 0;
  constructor(
    private readonly plan: PTableFunction,
    private readonly rc: RunCtx,
  ) {}
  private start(): Iterator<unknown> {
    const args = this.plan.args.map((a) => evalScalar(a, this.rc, this.rc.fnEnv));
    const types = this.plan.args.map((a) => a.type);
    if (args.some((a) => a === null)) return [][Symbol.iterator]();
    switch (this.plan.fn) {
      case 'generate_series':
        return series(args, types);
      case 'unnest':
        return (args[0] as unknown[])[Symbol.iterator]();
      case 'pg_partition_ancestors':
        // No relation is a partition or partitioned, and PostgreSQL lists none for the others.
        return [][Symbol.iterator]();
      case 'jsonb_array_elements':
      case 'json_array_elements':
      case 'jsonb_array_elements_text': {
        if (!Array.isArray(args[0])) fail('invalid_parameter_value', 'cannot extract elements from an object');
        const arr = args[0] as unknown[];
        return (this.plan.fn.endsWith('_text') ? arr.map((x) => (x === null ? null : typeof x === 'string' ? x : JSON.stringify(x))) : arr)[Symbol.iterator]();
      }
      default:
        return fail('undefined_function', `${this.plan.fn}()`);
    }
  }
  next(): Chunk | null {
    if (this.finished) return null;
    this.gen ??= this.start();
    checkCancel(this.rc);
    const vals: unknown[] = [];
    while (vals.length < this.rc.batchSize) {
      const r = this.gen.next();
      if (r.done) {
        this.finished = true;
        break;
      }
      vals.push(r.value);
    }
    if (vals.length === 0) return null;
    const t = this.plan.schema[0]!.type;
    const columns = [vecFromValues(t, vals)];
    if (this.plan.ordinality) columns.push(vecFromValues(T.int64, vals.map((_, i) => this.produced + i + 1)));
    this.produced += vals.length;
    return { columns, length: vals.length };
  }
  close(): void {}
}

function* series(args: readonly unknown[], types: readonly DataType[]): Generator<unknown> {
  const k = types[0]!.kind;
  if (k === 'timestamp' || k === 'date') {
    const step = args[2] as Interval;
    if (intervalMicros(step) === 0) fail('invalid_parameter_value', 'step size cannot equal zero');
    const stop = args[1] as number;
    const up = intervalMicros(step) > 0;
    for (let t = args[0] as number, i = 1; up ? t <= stop : t >= stop; i++) {
      yield t;
      t = addInterval(args[0] as number, { months: step.months * i, days: step.days * i, micros: step.micros * i }, 1);
    }
    return;
  }
  if (k === 'decimal') {
    const a = parseDecimal(String(args[0]))!;
    const b = parseDecimal(String(args[1]))!;
    const s = args.length > 2 ? parseDecimal(String(args[2]))! : { value: 1n, scale: 0 };
    const scale = Math.max(a.scale, b.scale, s.scale);
    const start = rescaleBig(a.value, a.scale, scale);
    const stop = rescaleBig(b.value, b.scale, scale);
    const step = rescaleBig(s.value, s.scale, scale);
    if (step === 0n) fail('invalid_parameter_value', 'step size cannot equal zero');
    for (let v = start; step > 0n ? v <= stop : v >= stop; v += step) yield formatScaled(v, scale);
    return;
  }
  if (k === 'int64') {
    const start = BigInt(args[0] as bigint);
    const stop = BigInt(args[1] as bigint);
    const step = args.length > 2 ? BigInt(args[2] as bigint) : 1n;
    if (step === 0n) fail('invalid_parameter_value', 'step size cannot equal zero');
    if (start >= -BigInt(MAX_EXACT) && stop <= BigInt(MAX_EXACT) && stop >= -BigInt(MAX_EXACT) && start <= BigInt(MAX_EXACT)) {
      const st = Number(step);
      for (let v = Number(start); st > 0 ? v <= Number(stop) : v >= Number(stop); v += st) yield BigInt(v);
      return;
    }
    for (let v = start; step > 0n ? v <= stop : v >= stop; v += step) yield v;
    return;
  }
  const start = Number(args[0]);
  const stop = Number(args[1]);
  const step = args.length > 2 ? Number(args[2]) : 1;
  if (step === 0) fail('invalid_parameter_value', 'step size cannot equal zero');
  for (let v = start; step > 0 ? v <= stop : v >= stop; v += step) yield v;
}

export class WorkTableOp implements Operator {
  private i = 0;
  constructor(
    private readonly plan: PWorkTable,
    private readonly rc: RunCtx,
  ) {}
  next(): Chunk | null {
    const rows = this.rc.workTables.get(this.plan.cteId) ?? [];
    return rows[this.i++] ?? null;
  }
  close(): void {}
}
