// Hand-built physical plans for executor tests: tables, scans and expression constructors.

import type { TableInfo } from '../../../compiler/catalog/index.ts';
import { type Column, type Expr, type SortKey, call, colRef, literal } from '../../../compiler/ir/expr.ts';
import type { AggregateItem, GroupItem, JoinType, ScanColumn, WindowItem } from '../../../compiler/ir/plan.ts';
import type { Frame, WindowCall } from '../../../compiler/ir/expr.ts';
import { type DataType, T } from '../../../compiler/ir/types.ts';
import type { PhysicalPlan, PhysicalQuery, SeqScan } from '../../../compiler/physical/plan.ts';
import { batchRows, executeQuery, type ExecContext } from '../../../runtime/exec/index.ts';
import type { StorageTxn } from '../../../runtime/storage/api.ts';

let nextId = 1;
export const est = { rows: 0, cost: 0 };

export const newColumn = (name: string, type: DataType, nullable = true): Column => ({ id: nextId++, name, type, nullable });

/** Scan columns for a table (all columns, plus the hidden row key when `withKey`). */
export function scanColumns(t: TableInfo, withKey = false): ScanColumn[] {
  const cols: ScanColumn[] = t.columns.map((c) => ({ ...newColumn(c.name, c.type, c.nullable), ordinal: c.ordinal, relation: t.name }));
  if (withKey) cols.push({ ...newColumn('ctid', T.binary, false), ordinal: -1 });
  return cols;
}

export function seqScan(t: TableInfo, columns = scanColumns(t), filter?: (c: Record<string, Expr>) => Expr): SeqScan {
  const refs = refsOf(columns);
  return { kind: 'seq-scan', table: t, alias: t.name, columns, schema: columns, est, ...(filter ? { filter: filter(refs) } : {}) };
}

/** Column references of a node's schema by name. */
export function refsOf(schema: readonly Column[]): Record<string, Expr> {
  const out: Record<string, Expr> = {};
  for (const c of schema) out[c.name] = colRef(c);
  return out;
}

export const refs = (p: PhysicalPlan): Record<string, Expr> => refsOf(p.schema);

export const lit = (v: unknown, t: DataType): Expr => literal(v, t);
export const i32 = (v: number | null): Expr => literal(v, T.int32);
export const i64 = (v: bigint | null): Expr => literal(v, T.int64);
export const text = (v: string | null): Expr => literal(v, T.text);
export const num = (v: string | null, precision?: number, scale?: number): Expr => literal(v, precision === undefined ? T.decimal : { kind: 'decimal', precision, scale: scale ?? 0 });
export const bool = (v: boolean | null): Expr => literal(v, T.bool);
export const fn = (name: string, args: readonly Expr[], type: DataType): Expr => call(name, args, type);
export const cmp = (op: string, a: Expr, b: Expr): Expr => call(op, [a, b], T.bool);

export function project(input: PhysicalPlan, items: Record<string, Expr>): PhysicalPlan {
  const its = Object.entries(items).map(([name, expr]) => ({ column: newColumn(name, expr.type, expr.nullable), expr }));
  return { kind: 'project', input, items: its, schema: its.map((i) => i.column), est };
}

export const filter = (input: PhysicalPlan, predicate: Expr): PhysicalPlan => ({ kind: 'filter', input, predicate, schema: input.schema, est });

export function values(rows: readonly (readonly Expr[])[], names: readonly string[]): PhysicalPlan {
  const schema = names.map((n, j) => newColumn(n, rows[0]![j]!.type));
  return { kind: 'values', rows, schema, est };
}

/** VALUES from plain JS rows of one type per column. */
export function valuesOf(types: readonly DataType[], rows: readonly (readonly unknown[])[], names: readonly string[]): PhysicalPlan {
  const schema = names.map((n, j) => newColumn(n, types[j]!));
  return { kind: 'values', rows: rows.map((r) => r.map((v, j) => literal(v, types[j]!))), schema, est };
}

export function join(kind: 'hash-join' | 'merge-join' | 'nested-loop-join', joinType: JoinType, left: PhysicalPlan, right: PhysicalPlan, on: { leftKeys?: Expr[]; rightKeys?: Expr[]; residual?: Expr }): PhysicalPlan {
  const nullableLeft = joinType === 'right' || joinType === 'full';
  const nullableRight = joinType === 'left' || joinType === 'full' || joinType === 'single';
  const schema = joinType === 'semi' || joinType === 'anti' ? left.schema : [...left.schema.map((c) => ({ ...c, nullable: c.nullable || nullableLeft })), ...right.schema.map((c) => ({ ...c, nullable: c.nullable || nullableRight }))];
  if (kind === 'nested-loop-join') return { kind, joinType, left, right, schema, est, ...(on.residual ? { condition: on.residual } : {}) };
  return { kind, joinType, left, right, leftKeys: on.leftKeys ?? [], rightKeys: on.rightKeys ?? [], schema, est, ...(on.residual ? { residual: on.residual } : {}) };
}

export function aggregate(input: PhysicalPlan, groups: Record<string, Expr>, aggs: Record<string, { fn: string; args: Expr[]; type: DataType; distinct?: boolean; filter?: Expr; orderBy?: SortKey[] }>, kind: 'hash-aggregate' | 'sort-aggregate' = 'hash-aggregate'): PhysicalPlan {
  const g: GroupItem[] = Object.entries(groups).map(([name, expr]) => ({ column: newColumn(name, expr.type), expr }));
  const a: AggregateItem[] = Object.entries(aggs).map(([name, x]) => ({
    column: newColumn(name, x.type),
    call: { fn: x.fn, args: x.args, type: x.type, nullable: true, distinct: x.distinct ?? false, orderBy: x.orderBy ?? [], ...(x.filter ? { filter: x.filter } : {}) },
  }));
  return { kind, input, groups: g, aggregates: a, schema: [...g.map((x) => x.column), ...a.map((x) => x.column)], est };
}

export const asc = (expr: Expr, nullsFirst = false): SortKey => ({ expr, descending: false, nullsFirst });
export const desc = (expr: Expr, nullsFirst = true): SortKey => ({ expr, descending: true, nullsFirst });
export const sort = (input: PhysicalPlan, keys: SortKey[]): PhysicalPlan => ({ kind: 'sort', input, keys, schema: input.schema, est });

export const DEFAULT_FRAME: Frame = { units: 'range', start: { kind: 'unbounded-preceding' }, end: { kind: 'current-row' } };

export function window(input: PhysicalPlan, items: Record<string, Partial<WindowCall> & { fn: string; type: DataType }>): PhysicalPlan {
  const ws: WindowItem[] = Object.entries(items).map(([name, w]) => ({
    column: newColumn(name, w.type),
    call: { fn: w.fn, args: w.args ?? [], type: w.type, nullable: true, distinct: false, partitionBy: w.partitionBy ?? [], orderBy: w.orderBy ?? [], frame: w.frame ?? DEFAULT_FRAME, ...(w.filter ? { filter: w.filter } : {}) },
  }));
  return { kind: 'window', input, windows: ws, schema: [...input.schema, ...ws.map((w) => w.column)], est };
}

export const query = (plan: PhysicalPlan, subplans: Record<number, PhysicalPlan> = {}, params: DataType[] = []): PhysicalQuery => ({ plan, subplans, params });

export interface RunOptions extends Partial<ExecContext> {
  subplans?: Record<number, PhysicalPlan>;
}

/** Runs a plan to completion and returns its rows as IR values (through Arrow batches). */
export function run(plan: PhysicalPlan, txn: StorageTxn, opts: RunOptions = {}): unknown[][] {
  const stream = executeQuery(query(plan, opts.subplans ?? {}), { txn, params: opts.params ?? [], now: opts.now ?? Date.UTC(2024, 0, 15, 12, 30) * 1000, ...(opts.batchSize ? { batchSize: opts.batchSize } : {}), ...(opts.analyze ? { analyze: true } : {}) });
  return stream.toArray().flatMap((b) => batchRows(b));
}

/** Runs a write and returns its affected-row count plus RETURNING rows. */
export function runWrite(plan: PhysicalPlan, txn: StorageTxn, params: unknown[] = []): { count: number; rows: unknown[][] } {
  const stream = executeQuery(query(plan), { txn, params, now: 0 });
  const rows = stream.toArray().flatMap((b) => batchRows(b));
  return { count: stream.rowCount, rows };
}

/** Value of one expression evaluated over a one-row VALUES input. */
export function evalExpr(e: Expr, txn: StorageTxn, params: unknown[] = []): unknown {
  const one = valuesOf([T.int32], [[1]], ['one']);
  const stream = executeQuery(query(project(one, { v: e })), { txn, params, now: Date.UTC(2024, 0, 15, 12, 30) * 1000 });
  return stream.toArray().flatMap((b) => batchRows(b))[0]![0];
}
