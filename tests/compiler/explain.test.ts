// EXPLAIN renderings (text, JSON, Graphviz, ANALYZE figures) and the physical planner's algorithm choices on hand-built plans.

import { describe, expect, test } from 'bun:test';
import * as b from '../../compiler/ir/build.ts';
import { colRef, literal, type Subquery } from '../../compiler/ir/expr.ts';
import type { LogicalPlan } from '../../compiler/ir/plan.ts';
import { T } from '../../compiler/ir/types.ts';
import { CostModel, optimize } from '../../compiler/optimize/index.ts';
import { planPhysical } from '../../compiler/physical/index.ts';
import { explainDot, explainJson, explainText, preorder } from '../../compiler/explain/index.ts';
import { and, date, eq, gt, Ids, int, lt, miniTpch, scanOf, text } from './optimize-fixtures.ts';

const { cat, customer, orders, lineitem, nation } = miniTpch();

function physical(plan: LogicalPlan) {
  const cost = new CostModel();
  return planPhysical(optimize(plan, cat, { cost }), [], { cost });
}

/** customer ⋈ orders ⋈ lineitem with Q3's filters, written as a cross product plus WHERE. */
function q3Like() {
  const ids = new Ids();
  const c = scanOf(ids, customer);
  const o = scanOf(ids, orders);
  const l = scanOf(ids, lineitem);
  const where = and(and(and(eq(c.c('c_mktsegment'), text('BUILDING')), eq(c.c('c_custkey'), o.c('o_custkey'))), and(eq(l.c('l_orderkey'), o.c('o_orderkey')), lt(o.c('o_orderdate'), date('1995-03-15')))), gt(l.c('l_shipdate'), date('1995-03-15')));
  const f = b.filter(b.join('cross', b.join('cross', c.plan, o.plan), l.plan), where);
  const sorted = b.sort(f, [{ expr: o.c('o_orderdate'), descending: false, nullsFirst: false }]);
  const top = b.limit(sorted, literal(10n, T.int64));
  return b.project(top, [{ column: { id: 100, name: 'l_orderkey', type: T.int32, nullable: false }, expr: l.c('l_orderkey') }, { column: o.plan.columns[2]!, expr: o.c('o_orderdate') }]);
}

describe('explainText', () => {
  test('prints an indented operator tree with estimates: hash joins build on the smaller side, sort + limit is a top-N', () => {
    expect(explainText(physical(q3Like()))).toBe([
      'Project l_orderkey#100 := l_orderkey#9, o_orderdate#7 (rows=10 cost=12095154.34)',
      "-> Top-N Sort limit 10 keys o_orderdate#7 (rows=10 cost=12095154.24)",
      '   -> Hash Join (inner) on l_orderkey#9 = o_orderkey#5 (rows=470395 cost=12061427.27)',
      "      -> Seq Scan on lineitem filter (l_shipdate#12 > DATE '1995-03-15') (rows=3225832 cost=6060000.00)",
      '      -> Hash Join (inner) on o_custkey#6 = c_custkey#1 (rows=218732 cost=2442793.32)',
      "         -> Seq Scan on orders filter (o_orderdate#7 < DATE '1995-03-15') (rows=729106 cost=1515000.00)",
      "         -> Seq Scan on customer filter (c_mktsegment#4 = 'BUILDING') (rows=30000 cost=151500.00)",
    ].join('\n'));
  });

  test('EXPLAIN ANALYZE figures appear beside the node with the same pre-order index', () => {
    const q = physical(q3Like());
    const nodes = preorder(q);
    expect(nodes.map((n) => n.kind)).toEqual(['project', 'top-n', 'hash-join', 'seq-scan', 'hash-join', 'seq-scan', 'seq-scan']);
    const actual = new Map([[2, { actualRows: 412, batches: 3, timeMs: 1.5 }]]);
    const line = explainText(q, { actual }).split('\n')[2];
    expect(line).toBe('   -> Hash Join (inner) on l_orderkey#9 = o_orderkey#5 (rows=470395 cost=12061427.27) (actual rows=412 batches=3 time=1.500ms)');
  });

  test('index scans, nested loops for tiny inputs, sort aggregates over key-ordered scans, subplans', () => {
    const ids = new Ids();
    const o = scanOf(ids, orders);
    const n = scanOf(ids, nation);
    const n2 = scanOf(ids, nation, 'n2');
    const point = b.filter(o.plan, eq(o.c('o_orderkey'), { kind: 'param', index: 1, type: T.int32, nullable: true }));
    expect(explainText(physical(point))).toBe('Index Scan using orders_pkey on orders key eq=[$1] (rows=1 cost=22.52)');
    const tiny = b.join('inner', b.filter(n.plan, eq(n.c('n_name'), text('CHINA'))), b.filter(n2.plan, eq(n2.c('n_name'), text('JAPAN'))), lt(n.c('n_nationkey'), n2.c('n_nationkey')));
    expect(explainText(physical(tiny)).split('\n')[0]).toBe('Nested Loop (inner) on (n_nationkey#5 < n_nationkey#7) (rows=1 cost=50.52)');
    const grouped = b.aggregate(o.plan, [{ column: o.plan.schema[0]!, expr: o.c('o_orderkey') }], [
      { column: { id: 40, name: 'n', type: T.int64, nullable: false }, call: { fn: 'count', args: [], distinct: false, orderBy: [], type: T.int64, nullable: false } },
    ]);
    expect(explainText(physical(grouped)).split('\n')[0]).toBe('Group Aggregate group by o_orderkey#1 aggregates n#40 := count(*) (rows=1500000 cost=1530000.00)');
    const maxPrice = b.aggregate(scanOf(ids, orders, 'o2').plan, [], [
      { column: { id: 41, name: 'max', type: T.decimal, nullable: true }, call: { fn: 'max', args: [colRef(o.plan.schema[3]!)], distinct: false, orderBy: [], type: T.decimal, nullable: true } },
    ]);
    const sq: Subquery = { kind: 'subquery', id: 7, mode: 'scalar', plan: maxPrice, correlated: [], type: T.decimal, nullable: true };
    const withSub = b.filter(o.plan, eq(o.c('o_totalprice'), sq));
    const text2 = explainText(physical(withSub));
    expect(text2).toContain('SubPlan #7');
    expect(text2.split('\n')[0]).toBe('Seq Scan on orders filter (o_totalprice#4 = (subquery#7)) (rows=1 cost=1515000.00)');
  });
});

describe('explainJson and explainDot', () => {
  test('JSON carries the same tree with details, output columns and estimates', () => {
    const json = JSON.parse(explainJson(physical(q3Like()), { actual: new Map([[0, { actualRows: 10, batches: 1, timeMs: 0.25 }]]) }));
    expect(json.plan.node).toBe('Project');
    expect(json.plan.actualRows).toBe(10);
    expect(json.plan.output).toEqual(['l_orderkey#100', 'o_orderdate#7']);
    const join = json.plan.children[0].children[0];
    expect(join.node).toBe('Hash Join (inner)');
    expect(join.details.on).toBe('l_orderkey#9 = o_orderkey#5');
    expect(join.children.map((c: { node: string }) => c.node)).toEqual(['Seq Scan on lineitem', 'Hash Join (inner)']);
  });

  test('DOT is a digraph with one box per operator and an edge from each input', () => {
    const dot = explainDot(physical(q3Like()));
    expect(dot.startsWith('digraph plan {')).toBe(true);
    expect(dot.match(/^ {2}n\d+ \[label=/gm)?.length).toBe(7);
    expect(dot).toContain('n3 -> n2;');
    expect(dot).toContain('n6 -> n4;');
    expect(dot).toContain('Hash Join (inner)\\lon: l_orderkey#9 = o_orderkey#5');
  });
});
