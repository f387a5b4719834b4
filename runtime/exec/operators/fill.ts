// Gap filling (GROUP BY time_bucket(…) FILL …) and the live-query node, which a statement cannot run.

import type { FillMode } from '../../../compiler/ir/plan.ts';
import type { PGapFill, PLive } from '../../../compiler/physical/plan.ts';
import type { DataType } from '../../../compiler/ir/types.ts';
import { compareValues, valueKey } from '../compare.ts';
import type { RunCtx } from '../context.ts';
import { textScale } from '../decimal.ts';
import { fail } from '../errors.ts';
import { type Chunk, chunkFromRows, chunkRows } from '../vector.ts';
import { Blocking, type Operator, checkCancel, materialize, typesOf } from './operator.ts';

type Row = unknown[];

/** The most rows gap filling may produce for one statement. */
const MAX_FILLED_ROWS = 10_000_000;

/** One partition's rows, in time order, and the partition's values (for sorting partitions). */
interface Partition {
  readonly values: readonly unknown[];
  readonly rows: Row[];
}

/**
 * Emits, for every partition (combination of the non-time group columns), one row per bucket from the
 * first to the last bucket of the whole input, in (partition, time) order. A bucket the input has passes
 * through; a missing one gets the partition values, its time and each filled column's fill. Rows whose
 * time is NULL follow their partition's buckets unchanged.
 */
export class GapFillOp extends Blocking {
  constructor(
    private readonly plan: PGapFill,
    private readonly input: Operator,
    rc: RunCtx,
  ) {
    super(rc);
  }

  protected compute(): Chunk {
    const p = this.plan;
    const types = typesOf(p);
    const rows = chunkRows(materialize(this.input, typesOf(p.input)));
    const at = (id: number): number => p.input.schema.findIndex((c) => c.id === id);
    const timeAt = at(p.time.id);
    const partAt = p.partition.map((c) => at(c.id));
    const fills = p.fills.map((f) => ({ at: at(f.column.id), mode: f.mode, type: f.column.type }));

    let first = Infinity;
    let last = -Infinity;
    const parts = new Map<string, Partition>();
    for (const r of rows) {
      const t = r[timeAt] as number | null;
      if (t !== null) {
        first = Math.min(first, t);
        last = Math.max(last, t);
      }
      const values = partAt.map((i) => r[i]);
      const key = JSON.stringify(values.map((v, k) => (v === null ? null : valueKey(v, p.partition[k]!.type))));
      let part = parts.get(key);
      if (!part) parts.set(key, (part = { values, rows: [] }));
      part.rows.push(r);
    }
    const ordered = [...parts.values()].sort((a, b) => comparePartitions(a.values, b.values, p.partition.map((c) => c.type)));
    // A narrow bucket over a long range would fill memory: refuse before building anything.
    const buckets = first <= last ? Math.floor((last - first) / p.step) + 1 : 0;
    if (buckets * ordered.length > MAX_FILLED_ROWS) {
      fail('invalid_parameter_value', `FILL would produce ${buckets * ordered.length} rows (at most ${MAX_FILLED_ROWS}); use a wider time_bucket`);
    }

    const out: Row[] = [];
    for (const part of ordered) {
      checkCancel(this.rc);
      const timed = part.rows.filter((r) => r[timeAt] !== null).sort((a, b) => (a[timeAt] as number) - (b[timeAt] as number));
      const filled: Row[] = [];
      const missing: number[] = [];
      let i = 0;
      for (let t = first; t <= last || i < timed.length; ) {
        const next = i < timed.length ? (timed[i]![timeAt] as number) : Infinity;
        if (next <= t) {
          filled.push(timed[i++]!);
          if (next === t) t += p.step;
          continue;
        }
        if (t > last) break;
        const row: Row = new Array(types.length).fill(null);
        partAt.forEach((k, j) => (row[k] = part.values[j]));
        row[timeAt] = t;
        missing.push(filled.length);
        filled.push(row);
        t += p.step;
      }
      for (const f of fills) fillColumn(filled, missing, timeAt, f.at, f.mode, f.type);
      out.push(...filled, ...part.rows.filter((r) => r[timeAt] === null));
    }
    return chunkFromRows(types, out);
  }

  override close(): void {
    this.input.close();
  }
}

function comparePartitions(a: readonly unknown[], b: readonly unknown[], types: readonly DataType[]): number {
  for (let k = 0; k < types.length; k++) {
    const x = a[k];
    const y = b[k];
    // NULLs last, as ORDER BY sorts them ascending.
    if (x === null || y === null) {
      if (x !== y) return x === null ? 1 : -1;
      continue;
    }
    const c = compareValues(x, y, types[k]!);
    if (c !== 0) return c;
  }
  return 0;
}

/** Gives column `col` of the `missing` rows (indexes into the partition's time-ordered `rows`) its fill. */
function fillColumn(rows: Row[], missing: readonly number[], timeAt: number, col: number, mode: FillMode, type: DataType): void {
  if (mode.kind === 'null' || missing.length === 0) return;
  const isMissing = new Set(missing);
  if (mode.kind === 'value') {
    for (const m of missing) rows[m]![col] = mode.value.value;
    return;
  }
  if (mode.kind === 'previous') {
    let prev: unknown = null;
    for (let i = 0; i < rows.length; i++) {
      if (isMissing.has(i)) rows[i]![col] = prev;
      else prev = rows[i]![col];
    }
    return;
  }
  // Linear: between the nearest present, non-NULL neighbours on both sides; none on one side leaves NULL.
  let before = -1;
  for (let i = 0; i < rows.length; i++) {
    if (!isMissing.has(i)) {
      if (rows[i]![col] !== null) before = i;
      continue;
    }
    let after = i + 1;
    while (after < rows.length && (isMissing.has(after) || rows[after]![col] === null)) after++;
    if (before < 0 || after >= rows.length) continue;
    const t0 = rows[before]![timeAt] as number;
    const t1 = rows[after]![timeAt] as number;
    const v0 = Number(rows[before]![col]);
    const v1 = Number(rows[after]![col]);
    const t = rows[i]![timeAt] as number;
    // A decimal without a declared scale keeps its neighbours' digits after the point.
    const digits = type.kind === 'decimal' ? (type.scale ?? Math.max(textScale(String(rows[before]![col])), textScale(String(rows[after]![col])))) : 0;
    rows[i]![col] = numberAs(v0 + ((v1 - v0) * (t - t0)) / (t1 - t0), type, digits);
  }
}

/** An interpolated number as a value of the column's type (integers round half away from zero; decimals to `digits`). */
function numberAs(x: number, type: DataType, digits: number): unknown {
  switch (type.kind) {
    case 'int16':
    case 'int32':
      return Math.sign(x) * Math.round(Math.abs(x));
    case 'int64':
      return BigInt(Math.sign(x) * Math.round(Math.abs(x)));
    case 'decimal':
      return x.toFixed(digits);
    default:
      return x;
  }
}

/** A live query reached a request/response statement: its rows are pushed over a subscription instead. */
export class LiveOp implements Operator {
  constructor(
    private readonly plan: PLive,
    private readonly input: Operator,
  ) {}
  next(): Chunk | null {
    return fail('feature_not_supported', 'not supported yet: live queries are delivered over WebSocket', { detail: `LIVE SELECT on ${this.plan.table}` });
  }
  close(): void {
    this.input.close();
  }
}
