// Hand-built catalog and IR helpers for optimizer, physical planner and EXPLAIN tests (no parser or binder needed).

import type { Catalog, ColumnStats, IndexInfo, RelationInfo, TableInfo } from '../../compiler/catalog/index.ts';
import * as b from '../../compiler/ir/build.ts';
import { call, colRef, literal, type ColumnRef, type Expr } from '../../compiler/ir/expr.ts';
import type { Scan, ScanColumn } from '../../compiler/ir/plan.ts';
import { T, type DataType } from '../../compiler/ir/types.ts';

type ColSpec = readonly [name: string, type: DataType, stats?: Partial<ColumnStats>];

export function table(
  name: string,
  cols: readonly ColSpec[],
  opts: { pk?: readonly string[]; rows?: number; indexes?: readonly Omit<IndexInfo, 'table'>[]; nullable?: readonly string[] } = {},
): TableInfo {
  const pk = opts.pk ?? [];
  const indexes: IndexInfo[] = [
    ...(pk.length ? [{ name: `${name}_pkey`, table: name, columns: pk, unique: true, primary: true }] : []),
    ...(opts.indexes ?? []).map((i) => ({ ...i, table: name })),
  ];
  return {
    kind: 'table',
    schema: 'public',
    name,
    id: name.length,
    columns: cols.map(([n, t], ordinal) => ({ name: n, type: t, nullable: opts.nullable?.includes(n) ?? false, ordinal })),
    primaryKey: pk,
    indexes,
    foreignKeys: [],
    checks: [],
    ...(opts.rows !== undefined
      ? {
          stats: {
            rowCount: opts.rows,
            columns: Object.fromEntries(cols.filter((c) => c[2]).map(([n, , s]) => [n, { distinctCount: opts.rows!, nullFraction: 0, ...s }])),
          },
        }
      : {}),
  };
}

export function catalog(tables: readonly TableInfo[], version = 1): Catalog {
  const byName = new Map<string, RelationInfo>(tables.map((t) => [t.name, t]));
  return { version, searchPath: ['public'], getRelation: (_s, n) => byName.get(n), listRelations: () => tables };
}

/** Mints column ids for one hand-built statement, like the binder does. */
export class Ids {
  private next = 0;
  id(): number {
    return ++this.next;
  }
}

export interface Rel {
  readonly plan: Scan;
  readonly c: (name: string) => ColumnRef;
}

export function scanOf(ids: Ids, t: TableInfo, alias = t.name): Rel {
  const columns: ScanColumn[] = t.columns.map((c) => ({ id: ids.id(), name: c.name, type: c.type, nullable: c.nullable, relation: alias, ordinal: c.ordinal }));
  const plan = b.scan(t, alias, columns);
  return {
    plan,
    c: (name) => {
      const col = columns.find((x) => x.name === name);
      if (!col) throw new Error(`no column ${name}`);
      return colRef(col);
    },
  };
}

export const eq = (a: Expr, c: Expr): Expr => call('=', [a, c], T.bool);
export const lt = (a: Expr, c: Expr): Expr => call('<', [a, c], T.bool);
export const gt = (a: Expr, c: Expr): Expr => call('>', [a, c], T.bool);
export const ge = (a: Expr, c: Expr): Expr => call('>=', [a, c], T.bool);
export const and = (a: Expr, c: Expr): Expr => call('and', [a, c], T.bool);
export const or = (a: Expr, c: Expr): Expr => call('or', [a, c], T.bool);
export const not = (a: Expr): Expr => call('not', [a], T.bool);
export const int = (v: number): Expr => literal(v, T.int32);
export const text = (v: string): Expr => literal(v, T.text);
export const date = (iso: string): Expr => literal(Date.parse(`${iso}T00:00:00Z`) / 86_400_000, T.date);

/** A small TPC-H-shaped catalog with scale-factor-1 statistics. */
export function miniTpch(): { cat: Catalog; customer: TableInfo; orders: TableInfo; lineitem: TableInfo; nation: TableInfo } {
  const customer = table('customer', [
    ['c_custkey', T.int32, { distinctCount: 150_000, min: 1, max: 150_000 }],
    ['c_name', T.text, { distinctCount: 150_000 }],
    ['c_nationkey', T.int32, { distinctCount: 25, min: 0, max: 24 }],
    ['c_mktsegment', T.text, { distinctCount: 5 }],
  ], { pk: ['c_custkey'], rows: 150_000 });
  const orders = table('orders', [
    ['o_orderkey', T.int32, { distinctCount: 1_500_000, min: 1, max: 6_000_000 }],
    ['o_custkey', T.int32, { distinctCount: 100_000, min: 1, max: 150_000 }],
    ['o_orderdate', T.date, { distinctCount: 2406, min: 8035, max: 10440 }],
    ['o_totalprice', { kind: 'decimal', precision: 15, scale: 2 }, { distinctCount: 1_400_000, min: 850, max: 560_000 }],
  ], { pk: ['o_orderkey'], rows: 1_500_000, indexes: [{ name: 'orders_custkey', columns: ['o_custkey'], unique: false, primary: false }] });
  const lineitem = table('lineitem', [
    ['l_orderkey', T.int32, { distinctCount: 1_500_000, min: 1, max: 6_000_000 }],
    ['l_linenumber', T.int32, { distinctCount: 7, min: 1, max: 7 }],
    ['l_quantity', { kind: 'decimal', precision: 15, scale: 2 }, { distinctCount: 50, min: 1, max: 50 }],
    ['l_shipdate', T.date, { distinctCount: 2526, min: 8037, max: 10561 }],
  ], { pk: ['l_orderkey', 'l_linenumber'], rows: 6_000_000 });
  const nation = table('nation', [
    ['n_nationkey', T.int32, { distinctCount: 25, min: 0, max: 24 }],
    ['n_name', T.text, { distinctCount: 25 }],
  ], { pk: ['n_nationkey'], rows: 25 });
  return { cat: catalog([customer, orders, lineitem, nation]), customer, orders, lineitem, nation };
}
