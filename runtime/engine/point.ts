// The short path for primary-key point SELECTs: no operators, no batches, one storage read.
//
// A prepared plan of the shape Project(column refs) over an Index Scan on the whole primary key
// with parameter or constant keys and no residual filter is recognized once, when prepared; it
// then runs as: evaluate the key, `txn.get`, pick the output columns. Anything else takes the
// general executor path. Results are identical to the executor's (same rows, same columns).

import type { PhysicalPlan, PhysicalQuery, TableInfo } from '../../compiler/index.ts';
import type { StorageTxn } from '../storage/api.ts';
import type { RowBatch } from './result.ts';

export interface PointPlan {
  readonly table: TableInfo;
  /** How to get each primary-key value: a parameter index (0-based) or a constant. */
  readonly key: readonly ({ readonly param: number } | { readonly value: unknown })[];
  /** Stored ordinals of the output columns, in output order. */
  readonly ordinals: readonly number[];
}

/** Recognizes a point-lookup plan, or returns undefined. */
export function pointPlan(q: PhysicalQuery): PointPlan | undefined {
  if (Object.keys(q.subplans).length > 0) return undefined;
  let root: PhysicalPlan = q.plan;
  let outputIds: number[] | undefined;
  if (root.kind === 'project') {
    const ids: number[] = [];
    for (const item of root.items) {
      if (item.expr.kind !== 'column') return undefined;
      ids.push(item.expr.id);
    }
    outputIds = ids;
    root = root.input;
  }
  if (root.kind !== 'index-scan' || !root.index.primary || root.filter || root.range) return undefined;
  if (root.eq.length !== root.index.columns.length) return undefined;
  const key: PointPlan['key'][number][] = [];
  for (const e of root.eq) {
    if (e.kind === 'param') key.push({ param: e.index - 1 });
    else if (e.kind === 'literal') key.push({ value: e.value });
    else return undefined;
  }
  const byId = new Map(root.columns.map((c) => [c.id, c.ordinal]));
  const ids = outputIds ?? root.columns.map((c) => c.id);
  const ordinals: number[] = [];
  for (const id of ids) {
    const o = byId.get(id);
    if (o === undefined || o < 0) return undefined;
    ordinals.push(o);
  }
  return { table: root.table, key, ordinals };
}

/** Runs a point plan in `txn`; `params` are already coerced to the statement's parameter types. */
export function runPoint(p: PointPlan, txn: StorageTxn, params: readonly unknown[]): RowBatch {
  const values = p.key.map((k) => ('param' in k ? (params[k.param] ?? null) : k.value));
  if (values.includes(null)) return { length: 0, columns: p.ordinals.map(() => []) };
  const row = txn.get(p.table, values);
  if (!row) return { length: 0, columns: p.ordinals.map(() => []) };
  return { length: 1, columns: p.ordinals.map((o) => [row.values[o] ?? null]) };
}
