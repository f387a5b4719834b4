// INSERT (defaults, ON CONFLICT DO NOTHING / DO UPDATE), UPDATE and DELETE with RETURNING.
//
// Inputs are drained before the first write so a statement never sees its own changes (the
// Halloween problem); RETURNING rows stream out afterwards. `affected` counts written rows.

import type { ColumnId, Expr } from '../../../compiler/ir/expr.ts';
import type { Returning, ScanColumn } from '../../../compiler/ir/plan.ts';
import type { PDelete, PInsert, PUpdate, PhysicalPlan } from '../../../compiler/physical/plan.ts';
import type { TableInfo } from '../../../compiler/catalog/index.ts';
import type { DataType } from '../../../compiler/ir/types.ts';
import type { RowKey, StoredRow } from '../../storage/api.ts';
import { layoutOf } from '../compile.ts';
import type { RunCtx } from '../context.ts';
import { fail } from '../errors.ts';
import { selectTrue } from '../kernels.ts';
import { type Chunk, type Vec, chunkFromRows, chunkRows, concatChunks, emptyChunk, valueAt } from '../vector.ts';
import { type BuildFn, type Operator, Slicer, checkCancel, evaluator, materialize, typesOf } from './operator.ts';
import { ConstraintGuard } from './constraints.ts';

/** Write operators report how many rows they wrote. */
export interface WriteOperator extends Operator {
  readonly affected: number;
}

function keyHex(k: RowKey): string {
  let s = '';
  for (const b of k) s += b.toString(16).padStart(2, '0');
  return s;
}

/** Evaluates RETURNING items over written rows bound to `rowColumns` (plus any other input columns). */
function returningChunk(rc: RunCtx, node: PhysicalPlan, returning: Returning, base: Chunk, baseSchema: readonly { readonly id: ColumnId }[]): Chunk {
  const layout = layoutOf(baseSchema);
  return { columns: returning.items.map((it) => evaluator(rc, node, it.expr, layout)(base, rc)), length: base.length };
}

abstract class WriteOp implements WriteOperator {
  affected = 0;
  private out: Operator | undefined;
  constructor(protected readonly rc: RunCtx) {}
  protected abstract run(): Chunk | null;
  next(): Chunk | null {
    if (!this.out) {
      const r = this.run();
      this.out = r === null ? new Slicer({ columns: [], length: 0 }, 1) : new Slicer(r, this.rc.batchSize);
    }
    return this.out.next();
  }
  close(): void {}
}

/**
 * Stored values follow the column's IR convention even when an input arrives in a wider or
 * narrower JS form (an int32 expression feeding a bigint column gives a number).
 */
export function conform(v: unknown, t: DataType): unknown {
  if (v === null || v === undefined) return null;
  if (t.kind === 'int64' && typeof v === 'number') return BigInt(v);
  if ((t.kind === 'int32' || t.kind === 'int16' || t.kind === 'float64' || t.kind === 'float32') && typeof v === 'bigint') return Number(v);
  if (t.kind === 'decimal' && typeof v !== 'string') return String(v);
  return v;
}

function conformRow(table: TableInfo, row: unknown[]): unknown[] {
  for (const c of table.columns) row[c.ordinal] = conform(row[c.ordinal], c.type);
  return row;
}

function tableColumns(rowColumns: readonly ScanColumn[], table: TableInfo): ScanColumn[] {
  return table.columns.map((c) => rowColumns.find((r) => r.ordinal === c.ordinal)!);
}

export class InsertOp extends WriteOp {
  constructor(
    private readonly plan: PInsert,
    private readonly build: BuildFn,
    rc: RunCtx,
  ) {
    super(rc);
  }

  /** Finds the row that conflicts with `values` on the ON CONFLICT key (primary key or a unique index). */
  private conflicting(values: readonly unknown[], keyOrdinals: readonly number[]): StoredRow | undefined {
    const p = this.plan;
    const t = p.table;
    const keyVals = keyOrdinals.map((o) => values[o]);
    if (keyVals.some((v) => v === null || v === undefined)) return undefined;
    const pkOrdinals = t.primaryKey.map((name) => t.columns.find((c) => c.name === name)!.ordinal);
    if (pkOrdinals.length === keyOrdinals.length && pkOrdinals.every((o, i) => o === keyOrdinals[i])) return this.rc.txn.get(t, keyVals);
    const names = keyOrdinals.map((o) => t.columns.find((c) => c.ordinal === o)!.name);
    const idx = t.indexes.find((ix) => ix.unique && ix.columns.length === names.length && ix.columns.every((c, i) => c === names[i]));
    if (!idx) return fail('invalid_parameter_value', 'there is no unique or exclusion constraint matching the ON CONFLICT specification');
    for (const r of this.rc.txn.indexScan(t, idx.name, keyVals)) return r;
    return undefined;
  }

  protected run(): Chunk | null {
    const p = this.plan;
    const rc = this.rc;
    const src = materialize(this.build(p.source, rc), typesOf(p.source));
    const n = src.length;
    const width = p.table.columns.length;
    const defaults = p.defaults.map((d) => ({ ordinal: d.ordinal, vec: evaluator(rc, p, d.expr, new Map())({ columns: [], length: n }, rc) }));
    const written: unknown[][] = [];
    const touched = new Set<string>();
    const conflict = p.onConflict;
    const action = conflict?.action;
    let updateEval: { assign: { ordinal: number; f: (c: Chunk) => Vec }[]; where: ((c: Chunk) => Vec) | undefined; schema: ScanColumn[] } | undefined;
    if (action?.kind === 'update') {
      const schema = [...action.existing, ...action.excluded];
      const layout = layoutOf(schema);
      const ev = (e: Expr): ((c: Chunk) => Vec) => {
        const f = evaluator(rc, p, e, layout);
        return (c) => f(c, rc);
      };
      updateEval = { assign: action.assignments.map((a) => ({ ordinal: a.ordinal, f: ev(a.expr) })), where: action.where ? ev(action.where) : undefined, schema };
    }
    const guard = p.constraints && new ConstraintGuard(rc, p, p.table, p.rowColumns, p.constraints);
    let bad: Int32Array | null = null;
    if (guard) {
      // Every proposed row is checked before conflicts are looked at, as PostgreSQL does.
      const byOrdinal: (Vec | undefined)[] = [];
      for (const d of defaults) byOrdinal[d.ordinal] = guard.columnVec(d.ordinal, d.vec, n);
      p.targetOrdinals.forEach((o, j) => (byOrdinal[o] = guard.columnVec(o, src.columns[j]!, n)));
      bad = guard.checkBatch(byOrdinal, n);
    }
    for (let i = 0; i < n; i++) {
      if ((i & 1023) === 0) checkCancel(rc);
      const values = new Array<unknown>(width).fill(null);
      for (const d of defaults) values[d.ordinal] = valueAt(d.vec, i);
      for (let j = 0; j < p.targetOrdinals.length; j++) values[p.targetOrdinals[j]!] = valueAt(src.columns[j]!, i);
      if (bad && bad[i]! >= 0) guard!.failCheck(values, bad[i]!);
      if (conflict) {
        const existing = this.conflicting(values, conflict.keyOrdinals);
        if (existing) {
          const k = keyHex(existing.key);
          if (action!.kind === 'nothing') continue;
          if (touched.has(k)) fail('cardinality_violation', 'ON CONFLICT DO UPDATE command cannot affect row a second time', { hint: 'Ensure that no rows proposed for insertion within the same command have duplicate constrained values.' });
          const u = updateEval!;
          const row = [...u.schema.slice(0, action!.existing.length).map((c) => existing.values[c.ordinal] ?? null), ...u.schema.slice(action!.existing.length).map((c) => values[c.ordinal] ?? null)];
          const one = chunkFromRows(u.schema.map((c) => c.type), [row]);
          if (u.where) {
            const w = u.where(one);
            if (selectTrue(w).n === 0) continue;
          }
          const next = [...existing.values];
          for (const a of u.assign) next[a.ordinal] = valueAt(a.f(one), 0);
          guard?.checkRow(next);
          const key = rc.txn.update(p.table, existing.key, conformRow(p.table, next));
          guard?.updated(existing.values, next);
          touched.add(keyHex(key));
          this.affected++;
          if (p.returning) written.push(next);
          continue;
        }
      }
      const key = rc.txn.insert(p.table, conformRow(p.table, values));
      guard?.inserted(values);
      if (conflict) touched.add(keyHex(key));
      this.affected++;
      if (p.returning) written.push(values);
    }
    guard?.finish();
    if (!p.returning) return null;
    const cols = tableColumns(p.rowColumns, p.table);
    const base = written.length === 0 ? emptyChunk(cols.map((c) => c.type)) : chunkFromRows(cols.map((c) => c.type), written);
    return returningChunk(rc, p, p.returning, base, cols);
  }
}

/** Rows of the input with their row key (from the `rowId` column) and current values by ordinal. */
function targetRows(rc: RunCtx, build: BuildFn, plan: PUpdate | PDelete): { input: Chunk; keys: RowKey[]; values: unknown[][] } {
  const input = materialize(build(plan.input, rc), typesOf(plan.input));
  const layout = layoutOf(plan.input.schema);
  const keyCol = input.columns[layout.get(plan.rowId)!]!;
  const width = plan.table.columns.length;
  const keys: RowKey[] = [];
  const values: unknown[][] = [];
  const ords = plan.rowColumns.map((c) => ({ ordinal: c.ordinal, idx: layout.get(c.id) }));
  for (let i = 0; i < input.length; i++) {
    keys.push(valueAt(keyCol, i) as RowKey);
    const row = new Array<unknown>(width).fill(null);
    for (const o of ords) if (o.ordinal >= 0 && o.idx !== undefined) row[o.ordinal] = valueAt(input.columns[o.idx]!, i);
    values.push(row);
  }
  return { input, keys, values };
}

export class UpdateOp extends WriteOp {
  constructor(
    private readonly plan: PUpdate,
    private readonly build: BuildFn,
    rc: RunCtx,
  ) {
    super(rc);
  }
  protected run(): Chunk | null {
    const p = this.plan;
    const rc = this.rc;
    const { input, keys, values } = targetRows(rc, this.build, p);
    const layout = layoutOf(p.input.schema);
    const assigned = p.assignments.map((a) => ({ ordinal: a.ordinal, vec: evaluator(rc, p, a.expr, layout)(input, rc) }));
    const guard = p.constraints && new ConstraintGuard(rc, p, p.table, p.rowColumns, p.constraints);
    let bad: Int32Array | null = null;
    if (guard) {
      const byOrdinal: (Vec | undefined)[] = [];
      for (const c of p.rowColumns) byOrdinal[c.ordinal] = input.columns[layout.get(c.id)!];
      for (const a of assigned) byOrdinal[a.ordinal] = guard.columnVec(a.ordinal, a.vec, input.length);
      bad = guard.checkBatch(byOrdinal, input.length);
    }
    const seen = new Set<string>();
    const keep: number[] = [];
    for (let i = 0; i < input.length; i++) {
      if ((i & 1023) === 0) checkCancel(rc);
      const hex = keyHex(keys[i]!);
      // UPDATE … FROM may join a target row several times; PostgreSQL updates it once.
      if (seen.has(hex)) continue;
      seen.add(hex);
      const row = values[i]!;
      const old = guard?.tracksKeys ? [...row] : undefined;
      for (const a of assigned) row[a.ordinal] = valueAt(a.vec, i);
      if (bad && bad[i]! >= 0) guard!.failCheck(row, bad[i]!);
      rc.txn.update(p.table, keys[i]!, conformRow(p.table, row));
      if (old) guard!.updated(old, row);
      keep.push(i);
      this.affected++;
    }
    guard?.finish();
    if (!p.returning) return null;
    // RETURNING sees the new values under the target's column ids and the input's other columns as they were.
    const rows = keep.map((i) => p.input.schema.map((c, j) => {
      const rcCol = p.rowColumns.find((r) => r.id === c.id);
      return rcCol && rcCol.ordinal >= 0 ? values[i]![rcCol.ordinal] : valueAt(input.columns[j]!, i);
    }));
    const base = rows.length === 0 ? emptyChunk(typesOf(p.input)) : chunkFromRows(typesOf(p.input), rows);
    return returningChunk(rc, p, p.returning, base, p.input.schema);
  }
}

export class DeleteOp extends WriteOp {
  constructor(
    private readonly plan: PDelete,
    private readonly build: BuildFn,
    rc: RunCtx,
  ) {
    super(rc);
  }
  protected run(): Chunk | null {
    const p = this.plan;
    const rc = this.rc;
    const { input, keys, values } = targetRows(rc, this.build, p);
    const guard = p.constraints && new ConstraintGuard(rc, p, p.table, p.rowColumns, p.constraints);
    const seen = new Set<string>();
    const keep = new Uint32Array(input.length);
    let m = 0;
    for (let i = 0; i < input.length; i++) {
      if ((i & 1023) === 0) checkCancel(rc);
      const hex = keyHex(keys[i]!);
      if (seen.has(hex)) continue;
      seen.add(hex);
      rc.txn.delete(p.table, keys[i]!);
      guard?.deleted(values[i]!);
      keep[m++] = i;
      this.affected++;
    }
    guard?.finish();
    if (!p.returning) return null;
    const base = concatChunks(typesOf(p.input), [{ columns: input.columns, length: input.length }]);
    const rows = chunkRows(base);
    const kept = Array.from(keep.subarray(0, m), (i) => rows[i]!);
    const chunk = kept.length === 0 ? emptyChunk(typesOf(p.input)) : chunkFromRows(typesOf(p.input), kept);
    return returningChunk(rc, p, p.returning, chunk, p.input.schema);
  }
}
