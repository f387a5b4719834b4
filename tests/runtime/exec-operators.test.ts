// Executor operators over a StorageTxn: scans, filters, joins, aggregates, sorts, set operations, limits.

import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import type { TableInfo } from '../../compiler/catalog/index.ts';
import { colRef } from '../../compiler/ir/expr.ts';
import type { JoinType } from '../../compiler/ir/plan.ts';
import { T } from '../../compiler/ir/types.ts';
import type { PhysicalPlan } from '../../compiler/physical/plan.ts';
import { explainText } from '../../compiler/explain/index.ts';
import { executeQuery } from '../../runtime/exec/index.ts';
import type { StorageTxn } from '../../runtime/storage/api.ts';
import { openTestStore } from './support/store.ts';
import {
  aggregate, asc, cmp, desc, est, filter, fn, i32, i64, join, lit, newColumn, num, project, query, refs, run, scanColumns, seqScan, sort, text, valuesOf,
} from './support/plans.ts';

const db = openTestStore();
let emp: TableInfo;
let dept: TableInfo;
let txn: StorageTxn;
beforeAll(async () => {
  emp = await db.table('emp', [['id', T.int32, false], ['name', T.text], ['dept', T.int32], ['salary', { kind: 'decimal', precision: 10, scale: 2 }]], ['id']);
  dept = await db.table('dept', [['id', T.int32, false], ['title', T.text]], ['id']);
  txn = db.store.begin();
  const rows: [number, string | null, number | null, string | null][] = [
    [1, 'ann', 10, '1000.50'],
    [2, 'bob', 10, '2000.00'],
    [3, 'cid', 20, '1500.25'],
    [4, 'dee', null, '700.00'],
    [5, null, 30, null],
  ];
  for (const r of rows) txn.insert(emp, r);
  for (const r of [[10, 'eng'], [20, 'ops'], [40, 'hr']] as const) txn.insert(dept, [...r]);
});
afterAll(async () => {
  txn.rollback();
  await db.close();
});

const sorted = (rows: unknown[][]): unknown[][] => [...rows].sort((a, b) => (JSON.stringify(a, big) < JSON.stringify(b, big) ? -1 : 1));
const big = (_k: string, v: unknown): unknown => (typeof v === 'bigint' ? `${v}n` : v);

describe('scans, filter, project', () => {
  test('seq scan with a pushed filter and small batches', () => {
    const s = seqScan(emp, undefined, (c) => cmp('>', c.salary!, num('1000.00', 10, 2)));
    expect(run(s, txn, { batchSize: 2 }).map((r) => r[0])).toEqual([1, 2, 3]);
  });
  test('filter drops null predicates, project computes', () => {
    const s = seqScan(emp);
    const c = refs(s);
    const f = filter(s, cmp('=', c.dept!, i32(10)));
    const p = project(f, { name: fn('upper', [c.name!], T.text), raise: fn('*', [c.salary!, num('1.1')], T.decimal) });
    expect(run(p, txn)).toEqual([['ANN', '1100.550'], ['BOB', '2200.000']]);
  });
  test('index scan: primary key point lookup and range', () => {
    const cols = scanColumns(emp);
    const point: PhysicalPlan = { kind: 'index-scan', table: emp, alias: 'emp', index: emp.indexes[0]!, columns: cols, schema: cols, eq: [i32(3)], est };
    expect(run(point, txn).map((r) => r[1])).toEqual(['cid']);
    const cols2 = scanColumns(emp);
    const range: PhysicalPlan = { kind: 'index-scan', table: emp, alias: 'emp', index: emp.indexes[0]!, columns: cols2, schema: cols2, eq: [], range: { low: { expr: i32(2), inclusive: false }, high: { expr: i32(4), inclusive: true } }, est };
    expect(run(range, txn).map((r) => r[0])).toEqual([3, 4]);
    const cols3 = scanColumns(emp);
    const none: PhysicalPlan = { kind: 'index-scan', table: emp, alias: 'emp', index: emp.indexes[0]!, columns: cols3, schema: cols3, eq: [i32(null)], est };
    expect(run(none, txn)).toEqual([]);
  });
  test('values and generate_series', () => {
    const v = valuesOf([T.int32, T.text], [[1, 'a'], [2, null]], ['n', 's']);
    expect(run(v, txn)).toEqual([[1, 'a'], [2, null]]);
    const gs: PhysicalPlan = { kind: 'table-function', fn: 'generate_series', ordinality: false, args: [i32(1), i32(10), i32(4)], schema: [newColumn('g', T.int32)], est };
    expect(run(gs, txn)).toEqual([[1], [5], [9]]);
    const ts = (d: number): number => Date.UTC(2024, 0, d) * 1000;
    const gt: PhysicalPlan = { kind: 'table-function', fn: 'generate_series', ordinality: false, args: [lit(ts(1), T.timestamp), lit(ts(3), T.timestamp), lit({ months: 0, days: 1, micros: 0 }, T.interval)], schema: [newColumn('g', T.timestamp)], est };
    expect(run(gt, txn)).toEqual([[ts(1)], [ts(2)], [ts(3)]]);
    const gn: PhysicalPlan = { kind: 'table-function', fn: 'generate_series', ordinality: false, args: [num('0.5'), num('2'), num('0.5')], schema: [newColumn('g', T.decimal)], est };
    expect(run(gn, txn)).toEqual([['0.5'], ['1.0'], ['1.5'], ['2.0']]);
    const big: PhysicalPlan = { kind: 'table-function', fn: 'generate_series', ordinality: false, args: [i32(1), i32(100000)], schema: [newColumn('g', T.int32)], est };
    expect(run(big, txn, { batchSize: 8192 }).length).toBe(100000);
    // WITH ORDINALITY keeps counting across batches.
    const numbered: PhysicalPlan = { kind: 'table-function', fn: 'generate_series', ordinality: true, args: [i32(10), i32(14)], schema: [newColumn('g', T.int32), newColumn('n', T.int64)], est };
    expect(run(numbered, txn, { batchSize: 2 })).toEqual([[10, 1n], [11, 2n], [12, 3n], [13, 4n], [14, 5n]]);
    const none: PhysicalPlan = { kind: 'table-function', fn: 'pg_partition_ancestors', ordinality: false, args: [i32(16384)], schema: [newColumn('a', T.int32)], est };
    expect(run(none, txn)).toEqual([]);
  });
});

describe('joins', () => {
  const expected: Record<string, unknown[][]> = {
    inner: [[1, 10, 'eng'], [2, 10, 'eng'], [3, 20, 'ops']],
    left: [[1, 10, 'eng'], [2, 10, 'eng'], [3, 20, 'ops'], [4, null, null], [5, null, null]],
    right: [[1, 10, 'eng'], [2, 10, 'eng'], [3, 20, 'ops'], [null, 40, 'hr']],
    full: [[1, 10, 'eng'], [2, 10, 'eng'], [3, 20, 'ops'], [4, null, null], [5, null, null], [null, 40, 'hr']],
    semi: [[1], [2], [3]],
    anti: [[4], [5]],
  };
  const build = (kind: 'hash-join' | 'merge-join' | 'nested-loop-join', jt: JoinType): PhysicalPlan => {
    const e = seqScan(emp);
    const d = seqScan(dept);
    const left = kind === 'merge-join' ? sort(e, [asc(refs(e).dept!)]) : e;
    const right = kind === 'merge-join' ? sort(d, [asc(refs(d).id!)]) : d;
    const on = kind === 'nested-loop-join' ? { residual: cmp('=', refs(e).dept!, refs(d).id!) } : { leftKeys: [refs(e).dept!], rightKeys: [refs(d).id!] };
    const j = join(kind, jt, left, right, on);
    const r = refsOf2(j);
    return project(j, jt === 'semi' || jt === 'anti' ? { id: r.id0! } : { id: r.id0!, dept: r.id1!, title: r.title! });
  };
  for (const kind of ['hash-join', 'merge-join', 'nested-loop-join'] as const) {
    for (const jt of ['inner', 'left', 'right', 'full', 'semi', 'anti'] as const) {
      test(`${kind} ${jt} (null keys never match)`, () => {
        const rows = run(build(kind, jt), txn).map((r) => (jt === 'semi' || jt === 'anti' ? [r[0]] : [r[0], r[1], r[2]]));
        expect(sorted(rows)).toEqual(sorted(expected[jt]!));
      });
    }
  }
  test('residual conditions apply to matched pairs only (left join keeps unmatched rows)', () => {
    const e = seqScan(emp);
    const d = seqScan(dept);
    const j = join('hash-join', 'left', e, d, { leftKeys: [refs(e).dept!], rightKeys: [refs(d).id!], residual: cmp('<>', refs(e).name!, text('ann')) });
    const rows = run(project(j, { id: refsOf2(j).id0!, title: refsOf2(j).title! }), txn);
    expect(sorted(rows)).toEqual(sorted([[1, null], [2, 'eng'], [3, 'ops'], [4, null], [5, null]]));
  });
  test('single join errors when a row matches twice', () => {
    const d = seqScan(dept);
    const e = seqScan(emp);
    const j = join('hash-join', 'single', d, e, { leftKeys: [refs(d).id!], rightKeys: [refs(e).dept!] });
    expect(() => run(j, txn)).toThrow('more than one row returned by a subquery used as an expression');
  });
  test('cross join through nested loop', () => {
    const j = join('nested-loop-join', 'cross', seqScan(dept), seqScan(dept), {});
    expect(run(j, txn).length).toBe(9);
  });
});

/** Column refs of a join output where names repeat: id0, id1 … in schema order. */
function refsOf2(p: PhysicalPlan): Record<string, ReturnType<typeof colRef>> {
  const out: Record<string, ReturnType<typeof colRef>> = {};
  const seen: Record<string, number> = {};
  for (const c of p.schema) {
    const k = seen[c.name] ?? 0;
    seen[c.name] = k + 1;
    out[`${c.name}${k}`] = colRef(c);
    if (k === 0) out[c.name] = colRef(c);
  }
  return out;
}

describe('aggregates', () => {
  test('hash aggregate: count, sum, avg, min, max with null groups', () => {
    const s = seqScan(emp);
    const c = refs(s);
    const a = aggregate(s, { dept: c.dept! }, {
      n: { fn: 'count', args: [], type: T.int64 },
      names: { fn: 'count', args: [c.name!], type: T.int64 },
      total: { fn: 'sum', args: [c.salary!], type: T.decimal },
      mean: { fn: 'avg', args: [c.salary!], type: T.decimal },
      lo: { fn: 'min', args: [c.id!], type: T.int32 },
      hi: { fn: 'max', args: [c.name!], type: T.text },
    });
    expect(sorted(run(a, txn))).toEqual(sorted([
      [10, 2n, 2n, '3000.50', '1500.2500000000000000', 1, 'bob'],
      [20, 1n, 1n, '1500.25', '1500.2500000000000000', 3, 'cid'],
      [null, 1n, 1n, '700.00', '700.0000000000000000', 4, 'dee'],
      [30, 1n, 0n, null, null, 5, null],
    ]));
  });
  test('global aggregate over no rows yields one row', () => {
    const s = seqScan(emp, undefined, (c) => cmp('>', c.id!, i32(100)));
    const a = aggregate(s, {}, { n: { fn: 'count', args: [], type: T.int64 }, t: { fn: 'sum', args: [refs(s).id!], type: T.int64 } });
    expect(run(a, txn)).toEqual([[0n, null]]);
  });
  test('grouping on no rows yields no rows', () => {
    const s = seqScan(emp, undefined, (c) => cmp('>', c.id!, i32(100)));
    expect(run(aggregate(s, { d: refs(s).dept! }, { n: { fn: 'count', args: [], type: T.int64 } }), txn)).toEqual([]);
  });
  test('count distinct, FILTER, string_agg ordered, bool_and/or, array_agg, json_agg', () => {
    const v = valuesOf([T.int32, T.text, T.bool], [[1, 'b', true], [1, 'a', false], [1, 'a', true], [2, null, null]], ['g', 's', 'b']);
    const c = refs(v);
    const a = aggregate(v, { g: c.g! }, {
      d: { fn: 'count', args: [c.s!], type: T.int64, distinct: true },
      f: { fn: 'count', args: [], type: T.int64, filter: c.b! },
      sa: { fn: 'string_agg', args: [c.s!, text(',')], type: T.text, orderBy: [asc(c.s!)] },
      band: { fn: 'bool_and', args: [c.b!], type: T.bool },
      bor: { fn: 'bool_or', args: [c.b!], type: T.bool },
      arr: { fn: 'array_agg', args: [c.s!], type: { kind: 'list', element: T.text } },
      js: { fn: 'json_agg', args: [c.s!], type: T.json },
    });
    expect(run(a, txn)).toEqual([
      [1, 2n, 2n, 'a,a,b', false, true, ['b', 'a', 'a'], ['b', 'a', 'a']],
      [2, 0n, 0n, null, null, null, [null], [null]],
    ]);
  });
  test('sum of int is bigint, avg of int is numeric, sum of bigint is numeric', () => {
    const v = valuesOf([T.int32, T.int64], [[2147483647, 9223372036854775807n], [2147483647, 9223372036854775807n], [1, 1n]], ['a', 'b']);
    const c = refs(v);
    const a = aggregate(v, {}, {
      s: { fn: 'sum', args: [c.a!], type: T.int64 },
      m: { fn: 'avg', args: [c.a!], type: T.decimal },
      sb: { fn: 'sum', args: [c.b!], type: T.decimal },
    });
    expect(run(a, txn)).toEqual([[4294967295n, '1431655765.00000000', '18446744073709551615']]);
  });
  test('decimal sums stay exact over many rows', () => {
    const rows: unknown[][] = [];
    for (let i = 0; i < 20000; i++) rows.push([i % 3, (i % 7 === 0 ? '-' : '') + `${90000 + i}.${String(i % 100).padStart(2, '0')}`]);
    const v = valuesOf([T.int32, { kind: 'decimal', precision: 15, scale: 2 }], rows, ['g', 'x']);
    const c = refs(v);
    const a = sort(aggregate(v, { g: c.g! }, { s: { fn: 'sum', args: [fn('*', [c.x!, fn('*', [c.x!, num('1.01')], T.decimal)], T.decimal)], type: T.decimal } }), [asc(colRef({ id: 0, name: 'g', type: T.int32, nullable: true }))]);
    const got = run(a.kind === 'sort' ? (a as { input: PhysicalPlan }).input : a, txn, { batchSize: 1000 });
    const want = new Map<number, bigint>();
    for (const [g, x] of rows as [number, string][]) {
      const [ip, fp] = x.replace('-', '').split('.') as [string, string];
      const sc = BigInt(ip + fp) * (x.startsWith('-') ? -1n : 1n);
      want.set(g, (want.get(g) ?? 0n) + sc * sc * 101n);
    }
    for (const [g, s] of got as [number, string][]) {
      const digits = BigInt(s.replace('.', ''));
      expect(digits).toBe(want.get(g)!);
      expect(s.split('.')[1]!.length).toBe(6);
    }
  });
  test('sort aggregate over sorted input', () => {
    const inner = seqScan(emp);
    const sorted2 = sort(inner, [asc(refs(inner).dept!)]);
    const a = aggregate(sorted2, { d: refs(inner).dept! }, { n: { fn: 'count', args: [], type: T.int64 } }, 'sort-aggregate');
    expect(run(a, txn)).toEqual([[10, 2n], [20, 1n], [30, 1n], [null, 1n]]);
  });
});

describe('sort, top-n, limit, distinct', () => {
  test('multi-key sort with PostgreSQL null ordering defaults', () => {
    const s = seqScan(emp);
    const c = refs(s);
    expect(run(sort(s, [asc(c.dept!)]), txn).map((r) => r[0])).toEqual([1, 2, 3, 5, 4]);
    const s2 = seqScan(emp);
    const c2 = refs(s2);
    expect(run(sort(s2, [desc(c2.dept!), desc(c2.salary!)]), txn).map((r) => r[0])).toEqual([4, 5, 3, 2, 1]);
    const s3 = seqScan(emp);
    expect(run(sort(s3, [asc(refs(s3).name!, true)]), txn).map((r) => r[0])).toEqual([5, 1, 2, 3, 4]);
  });
  test('top-n keeps the best rows with offset', () => {
    const v = valuesOf([T.int32], Array.from({ length: 50000 }, (_, i) => [(i * 7919) % 50000]), ['x']);
    const t: PhysicalPlan = { kind: 'top-n', input: v, keys: [desc(refs(v).x!)], limit: i64(3n), offset: i64(2n), schema: v.schema, est };
    expect(run(t, txn, { batchSize: 4096 })).toEqual([[49997], [49996], [49995]]);
  });
  test('limit and offset, negative limit errors', () => {
    const v = valuesOf([T.int32], [[1], [2], [3], [4], [5]], ['x']);
    const l: PhysicalPlan = { kind: 'limit', input: v, limit: i64(2n), offset: i64(1n), schema: v.schema, est };
    expect(run(l, txn, { batchSize: 2 })).toEqual([[2], [3]]);
    const bad: PhysicalPlan = { kind: 'limit', input: v, limit: i64(-1n), schema: v.schema, est };
    expect(() => run(bad, txn)).toThrow('LIMIT must not be negative');
  });
  test('distinct treats nulls as equal; distinct on keeps the first row', () => {
    const v = valuesOf([T.int32, T.text], [[1, 'a'], [1, 'a'], [null, 'b'], [null, 'b'], [1, 'c']], ['x', 'y']);
    expect(run({ kind: 'distinct', input: v, schema: v.schema, est }, txn)).toEqual([[1, 'a'], [null, 'b'], [1, 'c']]);
    expect(run({ kind: 'distinct', input: v, on: [refs(v).x!], schema: v.schema, est }, txn)).toEqual([[1, 'a'], [null, 'b']]);
  });
});

describe('set operations', () => {
  const l = (): PhysicalPlan => valuesOf([T.int32], [[1], [1], [2], [null], [null], [3]], ['x']);
  const r = (): PhysicalPlan => valuesOf([T.int32], [[1], [null], [4]], ['x']);
  const op = (o: 'union' | 'intersect' | 'except', all: boolean): unknown[][] =>
    sorted(run({ kind: 'set-op', op: o, all, left: l(), right: r(), schema: [newColumn('x', T.int32)], est }, txn));
  test('union / union all', () => {
    expect(op('union', false)).toEqual(sorted([[1], [2], [null], [3], [4]]));
    expect(op('union', true).length).toBe(9);
  });
  test('intersect / intersect all', () => {
    expect(op('intersect', false)).toEqual(sorted([[1], [null]]));
    expect(op('intersect', true)).toEqual(sorted([[1], [null]]));
  });
  test('except / except all', () => {
    expect(op('except', false)).toEqual(sorted([[2], [3]]));
    expect(op('except', true)).toEqual(sorted([[1], [2], [null], [3]]));
  });
});

describe('statement machinery', () => {
  test('operators are lazy and count rows, batches and loops for EXPLAIN ANALYZE', () => {
    const s = seqScan(emp);
    const f = filter(s, cmp('>', refs(s).id!, i32(2)));
    const stream = executeQuery(query(f), { txn, params: [], now: 0, analyze: true, batchSize: 2 });
    expect(stream.stats!.size).toBe(0);
    const rows = stream.toArray().reduce((n, b) => n + b.numRows, 0);
    expect(rows).toBe(3);
    expect(stream.stats!.get(0)).toMatchObject({ rows: 3, loops: 1 });
    expect(stream.stats!.get(1)).toMatchObject({ rows: 5, batches: 3, loops: 1 });
    expect(stream.rowCount).toBe(3);
    const text = explainText(query(f), { actual: stream.stats! });
    expect(text).toContain('(actual rows=3 batches=');
    expect(text.split('\n')[1]).toContain('(actual rows=5 batches=3');
  });
  test('an aborted signal cancels between batches with 57014', () => {
    const ac = new AbortController();
    const gs: PhysicalPlan = { kind: 'table-function', fn: 'generate_series', ordinality: false, args: [i32(1), i32(1000000)], schema: [newColumn('g', T.int32)], est };
    const stream = executeQuery(query(gs), { txn, params: [], now: 0, signal: ac.signal, batchSize: 1000 });
    expect(stream.next().done).toBe(false);
    ac.abort();
    let code = '';
    try {
      stream.next();
    } catch (e) {
      code = (e as { sqlstate: string }).sqlstate;
    }
    expect(code).toBe('57014');
  });
  test('every IR type round-trips through Arrow batches', () => {
    const types = [T.bool, T.int16, T.int32, T.int64, T.float32, T.float64, T.decimal, { kind: 'decimal', precision: 20, scale: 3 }, T.text, T.binary, T.uuid, T.date, T.timestamp, T.timestamptz, T.interval, T.jsonb, { kind: 'list', element: T.int32 }] as const;
    const row = [true, -7, 42, -9007199254740993n, 1.5, 0.1, '-12.50', '12345678901234567.891', 'héllo', new Uint8Array([1, 2]), '0b9e6a5c-1b2a-4d3e-8f00-0123456789ab', 19723, 1704067200123456, 1704067200000000, { months: 14, days: -3, micros: 5_000_001 }, { a: [1, 'x'] }, [1, null, 3]];
    const v = valuesOf([...types], [row, row.map(() => null)], types.map((_, i) => `c${i}`));
    expect(run(v, txn)).toEqual([row, row.map(() => null)]);
  });
  test('batches carry the plan schema as Arrow types', () => {
    const s = seqScan(emp);
    const stream = executeQuery(query(s), { txn, params: [], now: 0 });
    const [b] = stream.toArray();
    expect(b!.schema.fields.map((f) => String(f.type))).toEqual(['Int32', 'Utf8', 'Int32', 'Decimal[10e+2]']);
  });
});
