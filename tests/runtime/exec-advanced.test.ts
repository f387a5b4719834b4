// Executor: window frames, recursive CTEs, writes with ON CONFLICT / RETURNING, subquery expressions.

import { afterAll, describe, expect, test } from 'bun:test';
import type { TableInfo } from '../../compiler/catalog/index.ts';
import { type Expr, type Subquery, colRef } from '../../compiler/ir/expr.ts';
import { T } from '../../compiler/ir/types.ts';
import type { PhysicalPlan } from '../../compiler/physical/plan.ts';
import { openTestStore } from './support/store.ts';
import {
  DEFAULT_FRAME, aggregate, asc, cmp, desc, est, filter, fn, i32, i64, newColumn, project, refs, run, runWrite, scanColumns, seqScan, text, valuesOf, window,
} from './support/plans.ts';

const db = openTestStore();
afterAll(() => db.close());

const sqlstateOf = (f: () => unknown): string | undefined => {
  try {
    f();
  } catch (e) {
    return (e as { sqlstate?: string }).sqlstate;
  }
  return undefined;
};

describe('window functions', () => {
  const txn = db.store.begin();
  const data = (): PhysicalPlan => valuesOf([T.text, T.int32], [['a', 1], ['a', 2], ['a', 2], ['a', 5], ['b', 3], ['b', null]], ['g', 'x']);
  test('ranking functions over partitions with peers', () => {
    const v = data();
    const c = refs(v);
    const w = window(v, {
      rn: { fn: 'row_number', type: T.int64, partitionBy: [c.g!], orderBy: [asc(c.x!)] },
      rk: { fn: 'rank', type: T.int64, partitionBy: [c.g!], orderBy: [asc(c.x!)] },
      dr: { fn: 'dense_rank', type: T.int64, partitionBy: [c.g!], orderBy: [asc(c.x!)] },
      nt: { fn: 'ntile', type: T.int32, args: [i32(3)], partitionBy: [c.g!], orderBy: [asc(c.x!)] },
    });
    expect(run(w, txn)).toEqual([
      ['a', 1, 1n, 1n, 1n, 1],
      ['a', 2, 2n, 2n, 2n, 1],
      ['a', 2, 3n, 2n, 2n, 2],
      ['a', 5, 4n, 4n, 3n, 3],
      ['b', 3, 1n, 1n, 1n, 1],
      ['b', null, 2n, 2n, 2n, 2],
    ]);
  });
  test('lag, lead, first_value, last_value with the default frame', () => {
    const v = data();
    const c = refs(v);
    const w = window(v, {
      lg: { fn: 'lag', type: T.int32, args: [c.x!], partitionBy: [c.g!], orderBy: [asc(c.x!)] },
      ld: { fn: 'lead', type: T.int32, args: [c.x!, i32(2), i32(-1)], partitionBy: [c.g!], orderBy: [asc(c.x!)] },
      fv: { fn: 'first_value', type: T.int32, args: [c.x!], partitionBy: [c.g!], orderBy: [desc(c.x!)] },
      lv: { fn: 'last_value', type: T.int32, args: [c.x!], partitionBy: [c.g!], orderBy: [asc(c.x!)] },
    });
    const rows = run(w, txn);
    const byKey = rows.map((r) => r.slice(0, 2).concat(r.slice(2)));
    expect(byKey.filter((r) => r[0] === 'a').map((r) => [r[1], r[2], r[3], r[5]]).sort()).toEqual([[1, null, 2, 1], [2, 1, 5, 2], [2, 2, -1, 2], [5, 2, -1, 5]].sort());
    expect(byKey.filter((r) => r[0] === 'a').every((r) => r[4] === 5)).toBe(true);
  });
  test('running sums: RANGE default includes peers, ROWS does not', () => {
    const v = data();
    const c = refs(v);
    const w = window(v, {
      range: { fn: 'sum', type: T.int64, args: [c.x!], partitionBy: [c.g!], orderBy: [asc(c.x!)] },
      rows: { fn: 'sum', type: T.int64, args: [c.x!], partitionBy: [c.g!], orderBy: [asc(c.x!)], frame: { units: 'rows', start: { kind: 'unbounded-preceding' }, end: { kind: 'current-row' } } },
      whole: { fn: 'count', type: T.int64, args: [], partitionBy: [c.g!] },
    });
    expect(run(w, txn).filter((r) => r[0] === 'a').map((r) => r.slice(1))).toEqual([
      [1, 1n, 1n, 4n],
      [2, 5n, 3n, 4n],
      [2, 5n, 5n, 4n],
      [5, 10n, 10n, 4n],
    ]);
  });
  test('sliding ROWS and RANGE offset frames, avg over a frame', () => {
    const v = valuesOf([T.int32], [[1], [2], [4], [7], [8]], ['x']);
    const c = refs(v);
    const w = window(v, {
      s3: { fn: 'sum', type: T.int64, args: [c.x!], orderBy: [asc(c.x!)], frame: { units: 'rows', start: { kind: 'preceding', offset: i64(1n) }, end: { kind: 'following', offset: i64(1n) } } },
      r2: { fn: 'count', type: T.int64, args: [], orderBy: [asc(c.x!)], frame: { units: 'range', start: { kind: 'preceding', offset: i32(2) }, end: { kind: 'current-row' } } },
      av: { fn: 'avg', type: T.decimal, args: [c.x!], orderBy: [asc(c.x!)], frame: { units: 'rows', start: { kind: 'current-row' }, end: { kind: 'unbounded-following' } } },
    });
    expect(run(w, txn).map((r) => r.slice(1))).toEqual([
      [3n, 1n, '4.4000000000000000'],
      [7n, 2n, '5.2500000000000000'],
      [13n, 2n, '6.3333333333333333'],
      [19n, 1n, '7.5000000000000000'],
      [15n, 2n, '8.0000000000000000'],
    ]);
  });
  test('GROUPS frames and nth_value', () => {
    const v = valuesOf([T.int32], [[1], [1], [2], [3], [3], [4]], ['x']);
    const c = refs(v);
    const w = window(v, {
      g: { fn: 'count', type: T.int64, args: [], orderBy: [asc(c.x!)], frame: { units: 'groups', start: { kind: 'preceding', offset: i64(1n) }, end: { kind: 'current-row' } } },
      nv: { fn: 'nth_value', type: T.int32, args: [c.x!, i32(3)], orderBy: [asc(c.x!)], frame: { units: 'rows', start: { kind: 'unbounded-preceding' }, end: { kind: 'unbounded-following' } } },
    });
    expect(run(w, txn).map((r) => r.slice(1))).toEqual([
      [2n, 2],
      [2n, 2],
      [3n, 2],
      [3n, 2],
      [3n, 2],
      [3n, 2],
    ]);
  });
  test('ntile rejects a non-positive bucket count', () => {
    const v = data();
    const w = window(v, { nt: { fn: 'ntile', type: T.int32, args: [i32(0)], orderBy: [asc(refs(v).x!)] } });
    expect(sqlstateOf(() => run(w, txn))).toBe('22014');
  });
  void DEFAULT_FRAME;
});

describe('recursive CTE', () => {
  const txn = db.store.begin();
  const cte = (all: boolean, limit: number): PhysicalPlan => {
    const anchor = valuesOf([T.int32], [[1]], ['n']);
    const wt: PhysicalPlan = { kind: 'work-table', cteId: 7, name: 'r', schema: [newColumn('n', T.int32)], est };
    const n = refs(wt).n!;
    const step = project(filter(wt, cmp('<', n, i32(limit))), { n: fn('+', [n, i32(1)], T.int32) });
    return { kind: 'recursive-cte', cteId: 7, name: 'r', all, anchor, recursive: step, schema: [newColumn('n', T.int32)], est };
  };
  test('counts to 100 with UNION ALL', () => {
    const rows = run(cte(true, 100), txn);
    expect(rows.length).toBe(100);
    expect(rows[99]).toEqual([100]);
  });
  test('UNION stops on a cycle', () => {
    const anchor = valuesOf([T.int32], [[0]], ['n']);
    const wt: PhysicalPlan = { kind: 'work-table', cteId: 8, name: 'r', schema: [newColumn('n', T.int32)], est };
    const step = project(wt, { n: fn('%', [fn('+', [refs(wt).n!, i32(1)], T.int32), i32(5)], T.int32) });
    const p: PhysicalPlan = { kind: 'recursive-cte', cteId: 8, name: 'r', all: false, anchor, recursive: step, schema: [newColumn('n', T.int32)], est };
    expect(run(p, txn)).toEqual([[0], [1], [2], [3], [4]]);
  });
});

describe('writes', () => {
  let tables = 0;
  /** A fresh kv table per test: k primary key, v unique, n serial. */
  const kv = (): Promise<TableInfo> => {
    const name = `kv${++tables}`;
    return db.table(name, [['k', T.int32, false], ['v', T.text], ['n', T.int64, false, true]], ['k'], [{ name: `${name}_v_key`, columns: ['v'] }]);
  };
  const insert = (t: TableInfo, rows: unknown[][], extra: Partial<Extract<PhysicalPlan, { kind: 'insert' }>> = {}): PhysicalPlan => {
    const src = valuesOf([T.int32, T.text], rows, ['k', 'v']);
    const rowColumns = scanColumns(t);
    return { kind: 'insert', table: t, targetOrdinals: [0, 1], defaults: [{ ordinal: 2, expr: i64(7n) }], source: src, rowColumns, schema: extra.returning ? extra.returning.items.map((i) => i.column) : [], est, ...extra };
  };
  test('insert with defaults and RETURNING, duplicate key is 23505', async () => {
    const t = await kv();
    const txn = db.store.begin();
    const rowColumns = scanColumns(t);
    const ret = { items: [{ column: newColumn('k2', T.int32), expr: fn('*', [colRef(rowColumns[0]!), i32(2)], T.int32) }, { column: newColumn('n', T.int64), expr: colRef(rowColumns[2]!) }] };
    const r = runWrite(insert(t, [[1, 'a'], [2, 'b']], { rowColumns, returning: ret }), txn);
    expect(r).toEqual({ count: 2, rows: [[2, 7n], [4, 7n]] });
    expect(sqlstateOf(() => runWrite(insert(t, [[1, 'z']]), txn))).toBe('23505');
  });
  test('ON CONFLICT DO NOTHING and DO UPDATE (primary key and unique index)', async () => {
    const t = await kv();
    const txn = db.store.begin();
    runWrite(insert(t, [[1, 'a'], [2, 'b']]), txn);
    expect(runWrite(insert(t, [[1, 'x'], [3, 'c']], { onConflict: { keyOrdinals: [0], action: { kind: 'nothing' } } }), txn).count).toBe(1);
    const existing = scanColumns(t);
    const excluded = scanColumns(t);
    const upd = insert(t, [[2, 'bb'], [4, 'd']], {
      onConflict: { keyOrdinals: [0], action: { kind: 'update', existing, excluded, assignments: [{ ordinal: 1, expr: fn('||', [colRef(existing[1]!), colRef(excluded[1]!)], T.text) }] } },
    });
    expect(runWrite(upd, txn).count).toBe(2);
    const uniq = insert(t, [[9, 'a']], { onConflict: { keyOrdinals: [1], action: { kind: 'nothing' } } });
    expect(runWrite(uniq, txn).count).toBe(0);
    const twice = insert(t, [[5, 'e'], [5, 'f']], {
      onConflict: { keyOrdinals: [0], action: { kind: 'update', existing, excluded, assignments: [{ ordinal: 1, expr: colRef(excluded[1]!) }] } },
    });
    // Statement atomicity belongs to the session: it wraps each statement in a savepoint.
    txn.savepoint('stmt');
    expect(sqlstateOf(() => runWrite(twice, txn))).toBe('21000');
    txn.rollbackTo('stmt');
    expect(run(seqScan(t), txn).map((r) => r.slice(0, 2))).toEqual([[1, 'a'], [2, 'bbb'], [3, 'c'], [4, 'd']]);
  });
  test('defaults draw from sequences row by row', async () => {
    const t = await kv();
    const txn = db.store.begin();
    const seqDefault = { kind: 'call' as const, fn: 'nextval', args: [text(t.columns[2]!.sequence!)], type: T.int64, nullable: false };
    runWrite(insert(t, [[1, 'a'], [2, 'b'], [3, 'c']], { defaults: [{ ordinal: 2, expr: seqDefault }] }), txn);
    expect(run(seqScan(t), txn).map((r) => r[2])).toEqual([1n, 2n, 3n]);
  });
  test('update and delete with RETURNING', async () => {
    const t = await kv();
    const txn = db.store.begin();
    runWrite(insert(t, [[1, 'a'], [2, 'b'], [3, 'c']]), txn);
    const cols = scanColumns(t, true);
    const scan = seqScan(t, cols, (c) => cmp('>=', c.k!, i32(2)));
    const upd: PhysicalPlan = {
      kind: 'update', table: t, input: scan, rowColumns: cols.slice(0, 3), rowId: cols[3]!.id,
      assignments: [{ ordinal: 1, expr: fn('upper', [colRef(cols[1]!)], T.text) }],
      returning: { items: [{ column: newColumn('v', T.text), expr: colRef(cols[1]!) }] }, schema: [newColumn('v', T.text)], est,
    };
    expect(runWrite(upd, txn)).toEqual({ count: 2, rows: [['B'], ['C']] });
    const cols2 = scanColumns(t, true);
    const del: PhysicalPlan = {
      kind: 'delete', table: t, input: seqScan(t, cols2, (c) => cmp('=', c.v!, text('B'))), rowColumns: cols2.slice(0, 3), rowId: cols2[3]!.id,
      returning: { items: [{ column: newColumn('k', T.int32), expr: colRef(cols2[0]!) }] }, schema: [newColumn('k', T.int32)], est,
    };
    expect(runWrite(del, txn)).toEqual({ count: 1, rows: [[2]] });
    expect(run(seqScan(t), txn).map((r) => r[1])).toEqual(['a', 'C']);
  });
});

describe('subquery expressions', () => {
  const txn = db.store.begin();
  const sub = (id: number, mode: Subquery['mode'], plan: PhysicalPlan, extra: Partial<Subquery> = {}): Expr =>
    ({ kind: 'subquery', id, mode, plan: plan as never, correlated: [], type: mode === 'scalar' ? plan.schema[0]!.type : T.bool, nullable: true, ...extra }) as Subquery;
  test('scalar subquery: value, NULL on no rows, 21000 on two rows', () => {
    const one = valuesOf([T.int32], [[5]], ['x']);
    const two = valuesOf([T.int32], [[5], [6]], ['x']);
    const none = filter(valuesOf([T.int32], [[5]], ['x']), cmp('=', i32(1), i32(0)));
    const outer = valuesOf([T.int32], [[1]], ['o']);
    expect(run(project(outer, { s: sub(1, 'scalar', one) }), txn, { subplans: { 1: one } })).toEqual([[5]]);
    expect(run(project(outer, { s: sub(2, 'scalar', none) }), txn, { subplans: { 2: none } })).toEqual([[null]]);
    expect(() => run(project(outer, { s: sub(3, 'scalar', two) }), txn, { subplans: { 3: two } })).toThrow('more than one row returned by a subquery used as an expression');
  });
  test('IN / ANY / ALL with SQL null semantics', () => {
    const set = valuesOf([T.int32], [[1], [2], [null]], ['x']);
    const outer = valuesOf([T.int32], [[1], [3], [null]], ['o']);
    const o = refs(outer).o!;
    const p = project(outer, {
      inn: sub(1, 'in', set, { operand: o }),
      anyLt: sub(2, 'any', set, { operand: o, op: '<' }),
      allGt: sub(3, 'all', set, { operand: o, op: '>' }),
    });
    expect(run(p, txn, { subplans: { 1: set, 2: set, 3: set } })).toEqual([
      [true, true, false],
      [null, null, null],
      [null, null, null],
    ]);
    const empty = filter(valuesOf([T.int32], [[1]], ['x']), cmp('=', i32(1), i32(0)));
    const p2 = project(outer, { inn: sub(4, 'in', empty, { operand: o }), all: sub(5, 'all', empty, { operand: o, op: '=' }) });
    expect(run(p2, txn, { subplans: { 4: empty, 5: empty } })).toEqual([[false, true], [false, true], [false, true]]);
  });
  test('correlated EXISTS and scalar subqueries re-run per distinct binding', () => {
    const outer = valuesOf([T.int32], [[1], [2], [1], [3]], ['o']);
    const oc = outer.schema[0]!;
    const inner = valuesOf([T.int32, T.text], [[1, 'x'], [1, 'y'], [2, 'z']], ['k', 'v']);
    const ik = refs(inner);
    const existsPlan = filter(inner, cmp('=', ik.k!, colRef(oc)));
    const countPlan = aggregate(filter(inner, cmp('=', ik.k!, colRef(oc))), {}, { n: { fn: 'count', args: [], type: T.int64 } });
    const p = project(outer, {
      e: sub(1, 'exists', existsPlan, { correlated: [oc.id] }),
      n: sub(2, 'scalar', countPlan, { correlated: [oc.id], type: T.int64 }),
    });
    expect(run(p, txn, { subplans: { 1: existsPlan, 2: countPlan } })).toEqual([[true, 2n], [true, 1n], [true, 2n], [false, 0n]]);
  });
});
