// The cost model's cardinality estimates: distinct counts, range interpolation, histograms, null fractions, joins, defaults without statistics.

import { describe, expect, test } from 'bun:test';
import * as b from '../../compiler/ir/build.ts';
import { call, literal } from '../../compiler/ir/expr.ts';
import { T } from '../../compiler/ir/types.ts';
import { CostModel, DEFAULT_EQ_SEL, DEFAULT_ROWS, optimize } from '../../compiler/optimize/index.ts';
import { printLogical } from '../../compiler/ir/print.ts';
import { and, catalog, eq, ge, gt, Ids, int, lt, miniTpch, scanOf, table, text } from './optimize-fixtures.ts';

const { orders, customer, lineitem } = miniTpch();

describe('CostModel', () => {
  test('equality uses the distinct count (minus nulls); a constant outside [min, max] matches nothing', () => {
    const ids = new Ids();
    const c = scanOf(ids, customer);
    const m = new CostModel();
    expect(m.rows(b.filter(c.plan, eq(c.c('c_nationkey'), int(7))))).toBe(150_000 / 25);
    expect(m.rows(b.filter(c.plan, eq(c.c('c_nationkey'), int(99))))).toBe(1);
    const nullable = table('t', [['x', T.int32, { distinctCount: 10, nullFraction: 0.5, min: 0, max: 9 }]], { rows: 1000, nullable: ['x'] });
    const t = scanOf(ids, nullable);
    expect(m.rows(b.filter(t.plan, eq(t.c('x'), int(3))))).toBe(50);
    expect(m.rows(b.filter(t.plan, call('is_null', [t.c('x')], T.bool)))).toBe(500);
  });

  test('ranges interpolate between min and max, and a pair of bounds on one column is one interval', () => {
    const ids = new Ids();
    const o = scanOf(ids, orders);
    const m = new CostModel();
    // o_orderdate spans days 8035..10440; the first half of that span holds about half the orders.
    const mid = literal((8035 + 10440) / 2, T.date);
    expect(m.rows(b.filter(o.plan, lt(o.c('o_orderdate'), mid)))).toBeCloseTo(750_000, -3);
    const quarter = and(ge(o.c('o_orderdate'), literal(8035, T.date)), lt(o.c('o_orderdate'), literal(8035 + 2405 / 4, T.date)));
    expect(m.rows(b.filter(o.plan, quarter))).toBeCloseTo(375_000, -3);
  });

  test('an equi-depth histogram beats linear interpolation on skewed data', () => {
    const ids = new Ids();
    // 90% of the values are below 10, though max is 1000: buckets of 10% each.
    const skewed = table('s', [['v', T.int32, { distinctCount: 500, min: 0, max: 1000, histogram: [1, 2, 3, 4, 5, 6, 7, 8, 9, 1000] }]], { rows: 10_000 });
    const s = scanOf(ids, skewed);
    const m = new CostModel();
    expect(m.rows(b.filter(s.plan, gt(s.c('v'), int(9))))).toBeCloseTo(1000, -1);
  });

  test('an equi-join estimates |L|·|R| / max(ndv); a multi-column join on a unique key is |L|·|R| / |key table|', () => {
    const ids = new Ids();
    const c = scanOf(ids, customer);
    const o = scanOf(ids, orders);
    const m = new CostModel();
    expect(m.rows(b.join('inner', c.plan, o.plan, eq(c.c('c_custkey'), o.c('o_custkey'))))).toBe((150_000 * 1_500_000) / 150_000);
    const l = scanOf(ids, lineitem);
    const l2 = scanOf(ids, lineitem, 'l2');
    const both = and(eq(l.c('l_orderkey'), l2.c('l_orderkey')), eq(l.c('l_linenumber'), l2.c('l_linenumber')));
    expect(m.rows(b.join('inner', l.plan, l2.plan, both))).toBe(6_000_000);
  });

  test('without statistics the defaults apply', () => {
    const ids = new Ids();
    const bare = table('bare', [['k', T.int32], ['name', T.text]], { pk: ['k'] });
    const s = scanOf(ids, bare);
    const m = new CostModel();
    expect(m.rows(s.plan)).toBe(DEFAULT_ROWS);
    // A key column holds one row per value; any other column gets PostgreSQL's default 0.5%.
    expect(m.rows(b.filter(s.plan, eq(s.c('k'), int(4))))).toBe(1);
    expect(m.rows(b.filter(s.plan, eq(s.c('name'), text('x'))))).toBe(DEFAULT_ROWS * DEFAULT_EQ_SEL);
    const unknownColumn = b.filter(b.values([[int(1)]], [{ id: 99, name: 'v', type: T.int32, nullable: false }]), eq({ kind: 'column', id: 99, name: 'v', type: T.int32, nullable: false }, int(1)));
    expect(new CostModel().selectivity(unknownColumn.predicate, unknownColumn.input)).toBe(DEFAULT_EQ_SEL);
  });
});

describe('reorder-joins beyond the DP limit', () => {
  test('a 12-table chain is ordered greedily, with a join predicate at every join', () => {
    const ids = new Ids();
    const tables = Array.from({ length: 12 }, (_, i) => table(`t${i}`, [['id', T.int32, { distinctCount: 1000 * (i + 1) }], ['next', T.int32, { distinctCount: 1000 * (i + 2) }]], { pk: ['id'], rows: 1000 * (i + 1) }));
    const rels = tables.map((t) => scanOf(ids, t));
    let plan: import('../../compiler/ir/plan.ts').LogicalPlan = rels[0]!.plan;
    for (let i = 1; i < rels.length; i++) plan = b.join('cross', plan, rels[i]!.plan);
    const preds = rels.slice(1).map((r, i) => eq(rels[i]!.c('next'), r.c('id')));
    const filtered = b.filter(plan, preds.reduce((x, y) => and(x, y)));
    const out = printLogical(optimize(filtered, catalog(tables)));
    expect(out).not.toContain('Join cross');
    expect(out.match(/Join inner on/g)?.length).toBe(11);
  });
});
