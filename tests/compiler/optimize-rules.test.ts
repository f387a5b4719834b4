// One test per optimizer rule: a hand-built plan printed before and after the rule alone.

import { describe, expect, test } from 'bun:test';
import * as b from '../../compiler/ir/build.ts';
import { call, colRef, literal, type Column, type Expr, type Subquery } from '../../compiler/ir/expr.ts';
import type { LogicalPlan } from '../../compiler/ir/plan.ts';
import { printLogical } from '../../compiler/ir/print.ts';
import { T } from '../../compiler/ir/types.ts';
import { CompilerBug } from '../../compiler/diagnostics/index.ts';
import {
  applyRule, createContext, decorrelateSubqueries, foldConstants, optimize, pruneColumns, pushDownFilter, pushDownLimit, reduceGroupKeys, reorderJoins, selectIndex,
  simplifyExpressions, simplifyOuterJoins, type Rule,
} from '../../compiler/optimize/index.ts';
import { and, date, eq, gt, Ids, int, lt, miniTpch, not, or, scanOf, text } from './optimize-fixtures.ts';

const { cat, customer, orders, lineitem, nation } = miniTpch();

/** Runs one rule and prints the result; a rule that changes nothing prints `(unchanged)`. */
function run(rule: Rule, plan: LogicalPlan): string {
  const out = applyRule(rule, plan, createContext(plan, cat));
  return out ? printLogical(out) : '(unchanged)';
}

const outCol = (id: number, name: string, e: Expr): Column => ({ id, name, type: e.type, nullable: e.nullable });

describe('fold-constants', () => {
  test('folds date arithmetic, decimal arithmetic and constant comparisons', () => {
    const ids = new Ids();
    const l = scanOf(ids, lineitem);
    const ninetyDays = literal({ months: 0, days: 90, micros: 0 }, T.interval);
    const cutoff = call('-', [literal(10561, T.date), ninetyDays], T.timestamp);
    const dec = { kind: 'decimal' } as const;
    const plan = b.filter(l.plan, and(and(call('<=', [{ kind: 'cast', expr: l.c('l_shipdate'), type: T.timestamp, nullable: false, implicit: true }, cutoff], T.bool),
      call('>=', [l.c('l_quantity'), call('-', [literal('0.06', dec), literal('0.01', dec)], dec)], T.bool)), eq(call('+', [int(1), int(2)], T.int32), int(3))));
    expect(printLogical(plan)).toBe(
      "Filter ((l_shipdate#4::timestamp <= (DATE '1998-12-01' - INTERVAL '90 days')) AND (l_quantity#3 >= (0.06 - 0.01)) AND ((1 + 2) = 3)) [schema: l_orderkey:int32 l_linenumber:int32 l_quantity:decimal(15,2) l_shipdate:date]\n" +
      '  Scan lineitem [schema: l_orderkey:int32 l_linenumber:int32 l_quantity:decimal(15,2) l_shipdate:date]',
    );
    expect(run(foldConstants, plan)).toBe(
      "Filter ((l_shipdate#4::timestamp <= TIMESTAMP '1998-09-02 00:00:00') AND (l_quantity#3 >= 0.05) AND true) [schema: l_orderkey:int32 l_linenumber:int32 l_quantity:decimal(15,2) l_shipdate:date]\n" +
      '  Scan lineitem [schema: l_orderkey:int32 l_linenumber:int32 l_quantity:decimal(15,2) l_shipdate:date]',
    );
  });

  test('follows three-valued logic and leaves run-time errors to the executor', () => {
    const ids = new Ids();
    const o = scanOf(ids, orders);
    const nul = literal(null, T.int32);
    const pred = and(
      and(or(eq(nul, int(1)), gt(o.c('o_custkey'), int(3))), and(literal(null, T.bool), gt(o.c('o_custkey'), int(4)))),
      and(eq(call('/', [int(1), int(0)], T.int32), int(1)), eq({ kind: 'cast', expr: int(70_000), type: T.int16, nullable: false, implicit: false }, int(1))),
    );
    expect(run(foldConstants, b.filter(o.plan, pred)).split(' [schema')[0]).toBe(
      'Filter ((NULL OR (o_custkey#2 > 3)) AND NULL AND (o_custkey#2 > 4) AND ((1 / 0) = 1) AND (CAST(70000 AS int16) = 1))',
    );
    expect(run(foldConstants, b.filter(o.plan, and(literal(false, T.bool), literal(null, T.bool)))).split(' [schema')[0]).toBe('Filter false');
  });
});

describe('simplify-expressions', () => {
  test('factors common conjuncts out of OR, pushes NOT in, compares dates as dates, drops TRUE', () => {
    const ids = new Ids();
    const o = scanOf(ids, orders);
    const c = scanOf(ids, customer);
    const key = eq(o.c('o_custkey'), c.c('c_custkey'));
    const midnight = literal(9204 * 86_400_000_000, T.timestamp);
    const pred = and(
      or(and(key, eq(c.c('c_mktsegment'), text('BUILDING'))), and(key, eq(c.c('c_mktsegment'), text('MACHINERY')))),
      and(not(lt(o.c('o_totalprice'), int(100))), and(literal(true, T.bool), call('<', [{ kind: 'cast', expr: o.c('o_orderdate'), type: T.timestamp, nullable: false, implicit: true }, midnight], T.bool))),
    );
    const plan = b.filter(b.join('cross', o.plan, c.plan), pred);
    expect(run(simplifyExpressions, plan).split('\n')[0]).toBe(
      "Filter ((o_custkey#2 = c_custkey#5) AND ((c_mktsegment#8 = 'BUILDING') OR (c_mktsegment#8 = 'MACHINERY')) AND (o_totalprice#4 >= 100) AND (o_orderdate#3 < DATE '1995-03-15')) [schema: o_orderkey:int32 o_custkey:int32 o_orderdate:date o_totalprice:decimal(15,2) c_custkey:int32 c_name:utf8 c_nationkey:int32 c_mktsegment:utf8]",
    );
    expect(run(simplifyExpressions, b.filter(o.plan, literal(true, T.bool)))).toBe('Scan orders [schema: o_orderkey:int32 o_custkey:int32 o_orderdate:date o_totalprice:decimal(15,2)]');
  });
});

describe('push-down-filter', () => {
  test('turns cross joins with predicates into inner joins and moves single-table filters onto the scans', () => {
    const ids = new Ids();
    const c = scanOf(ids, customer);
    const o = scanOf(ids, orders);
    const plan = b.filter(
      b.join('cross', c.plan, o.plan),
      and(and(eq(c.c('c_mktsegment'), text('BUILDING')), eq(c.c('c_custkey'), o.c('o_custkey'))), lt(o.c('o_orderdate'), date('1995-03-15'))),
    );
    expect(run(pushDownFilter, plan)).toBe([
      'Join inner on (c_custkey#1 = o_custkey#6) [schema: c_custkey:int32 c_name:utf8 c_nationkey:int32 c_mktsegment:utf8 o_orderkey:int32 o_custkey:int32 o_orderdate:date o_totalprice:decimal(15,2)]',
      "  Filter (c_mktsegment#4 = 'BUILDING') [schema: c_custkey:int32 c_name:utf8 c_nationkey:int32 c_mktsegment:utf8]",
      '    Scan customer [schema: c_custkey:int32 c_name:utf8 c_nationkey:int32 c_mktsegment:utf8]',
      "  Filter (o_orderdate#7 < DATE '1995-03-15') [schema: o_orderkey:int32 o_custkey:int32 o_orderdate:date o_totalprice:decimal(15,2)]",
      '    Scan orders [schema: o_orderkey:int32 o_custkey:int32 o_orderdate:date o_totalprice:decimal(15,2)]',
    ].join('\n'));
  });

  test('goes through projections (substituting), aggregates (group keys only) and keeps the outer side of a left join', () => {
    const ids = new Ids();
    const o = scanOf(ids, orders);
    const n = scanOf(ids, nation);
    const keyPlusOne = call('+', [o.c('o_custkey'), int(1)], T.int32);
    const proj = b.project(o.plan, [{ column: outCol(50, 'k', keyPlusOne), expr: keyPlusOne }, { column: outCol(51, 'd', o.c('o_orderdate')), expr: o.c('o_orderdate') }]);
    const agg = b.aggregate(proj, [{ column: outCol(52, 'k', colRef(proj.schema[0]!)), expr: colRef(proj.schema[0]!) }], [
      { column: { id: 53, name: 'cnt', type: T.int64, nullable: false }, call: { fn: 'count', args: [], distinct: false, orderBy: [], type: T.int64, nullable: false } },
    ]);
    const left = b.join('left', agg, n.plan, eq(colRef(agg.schema[0]!), n.c('n_nationkey')));
    const plan = b.filter(left, and(gt(colRef(agg.schema[0]!), int(10)), and(gt(colRef(agg.schema[1]!), int(2)), eq(n.c('n_name'), text('CHINA')))));
    expect(run(pushDownFilter, plan)).toBe([
      "Filter (n_name#6 = 'CHINA') [schema: k:int32 cnt:int64 n_nationkey:int32 n_name:utf8]",
      '  Join left on (k#52 = n_nationkey#5) [schema: k:int32 cnt:int64 n_nationkey:int32 n_name:utf8]',
      '    Filter (cnt#53 > 2) [schema: k:int32 cnt:int64]',
      '      Aggregate groups=[k#52 := k#50] aggs=[cnt#53 := count(*)] [schema: k:int32 cnt:int64]',
      '        Project k#50 := (o_custkey#2 + 1), d#51 := o_orderdate#3 [schema: k:int32 d:date]',
      '          Filter ((o_custkey#2 + 1) > 10) [schema: o_orderkey:int32 o_custkey:int32 o_orderdate:date o_totalprice:decimal(15,2)]',
      '            Scan orders [schema: o_orderkey:int32 o_custkey:int32 o_orderdate:date o_totalprice:decimal(15,2)]',
      '    Scan nation [schema: n_nationkey:int32 n_name:utf8]',
    ].join('\n'));
  });
});

describe('push-down-filter (set operations and windows)', () => {
  test('a filter over a UNION applies to each input, renamed to its columns; over a window only on partition keys', () => {
    const ids = new Ids();
    const o = scanOf(ids, orders);
    const c = scanOf(ids, customer);
    const left = b.project(o.plan, [{ column: o.plan.schema[1]!, expr: o.c('o_custkey') }]);
    const right = b.project(c.plan, [{ column: c.plan.schema[0]!, expr: c.c('c_custkey') }]);
    const union = b.setOp('union', false, left, right, [{ id: 50, name: 'k', type: T.int32, nullable: false }]);
    const strip = (x: string): string => x.split('\n').map((l) => l.replace(/ \[schema: .*\]$/, '')).join('\n');
    expect(strip(run(pushDownFilter, b.filter(union, gt(colRef(union.schema[0]!), int(10)))))).toBe([
      'Union',
      '  Project o_custkey#2',
      '    Filter (o_custkey#2 > 10)',
      '      Scan orders',
      '  Project c_custkey#5',
      '    Filter (c_custkey#5 > 10)',
      '      Scan customer',
    ].join('\n'));
    const w = b.window(o.plan, [{
      column: { id: 60, name: 'rn', type: T.int64, nullable: false },
      call: {
        fn: 'row_number', args: [], distinct: false, partitionBy: [o.c('o_custkey')], orderBy: [{ expr: o.c('o_orderdate'), descending: false, nullsFirst: false }],
        frame: { units: 'range', start: { kind: 'unbounded-preceding' }, end: { kind: 'current-row' } }, type: T.int64, nullable: false,
      },
    }]);
    expect(strip(run(pushDownFilter, b.filter(w, eq(o.c('o_custkey'), int(3)))))).toBe([
      'Window rn#60 := row_number() OVER (PARTITION BY o_custkey#2 ORDER BY o_orderdate#3 RANGE BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)',
      '  Filter (o_custkey#2 = 3)',
      '    Scan orders',
    ].join('\n'));
    // Another column would change which rows each window sees; the window's own output stays above it.
    expect(run(pushDownFilter, b.filter(w, gt(o.c('o_totalprice'), int(3))))).toBe('(unchanged)');
    expect(run(pushDownFilter, b.filter(w, eq(colRef(w.schema[4]!), int(1))))).toBe('(unchanged)');
  });
});

describe('push-down-filter (filtering joins)', () => {
  test('a semi join moves onto the join input its condition reads, when that input is smaller than the join', () => {
    const ids = new Ids();
    const o = scanOf(ids, orders);
    const l = scanOf(ids, lineitem);
    const c = scanOf(ids, customer);
    const inner = b.join('inner', o.plan, l.plan, eq(o.c('o_orderkey'), l.c('l_orderkey')));
    const plan = b.join('semi', inner, b.filter(c.plan, eq(c.c('c_mktsegment'), text('BUILDING'))), eq(o.c('o_custkey'), c.c('c_custkey')));
    expect(run(pushDownFilter, plan).split('\n').map((x) => x.replace(/ \[schema: .*\]$/, '')).join('\n')).toBe([
      'Join inner on (o_orderkey#1 = l_orderkey#5)',
      '  Join semi on (o_custkey#2 = c_custkey#9)',
      '    Scan orders',
      "    Filter (c_mktsegment#12 = 'BUILDING')",
      '      Scan customer',
      '  Scan lineitem',
    ].join('\n'));
  });
});

describe('simplify-outer-joins', () => {
  test('a predicate rejecting NULLs of the inner side turns a left join into an inner join', () => {
    const ids = new Ids();
    const c = scanOf(ids, customer);
    const o = scanOf(ids, orders);
    const plan = b.filter(b.join('left', c.plan, o.plan, eq(c.c('c_custkey'), o.c('o_custkey'))), gt(o.c('o_totalprice'), int(1000)));
    expect(run(simplifyOuterJoins, plan).split('\n').slice(0, 2).join('\n')).toBe([
      'Filter (o_totalprice#8 > 1000) [schema: c_custkey:int32 c_name:utf8 c_nationkey:int32 c_mktsegment:utf8 o_orderkey:int32 o_custkey:int32 o_orderdate:date o_totalprice:decimal(15,2)]',
      '  Join inner on (c_custkey#1 = o_custkey#6) [schema: c_custkey:int32 c_name:utf8 c_nationkey:int32 c_mktsegment:utf8 o_orderkey:int32 o_custkey:int32 o_orderdate:date o_totalprice:decimal(15,2)]',
    ].join('\n'));
    // IS NULL of an expression keeps the padded rows and maybe others: the join stays a left join.
    const keep = b.filter(b.join('left', c.plan, o.plan, eq(c.c('c_custkey'), o.c('o_custkey'))), call('is_null', [call('+', [o.c('o_orderkey'), int(1)], T.int32)], T.bool));
    expect(run(simplifyOuterJoins, keep)).toBe('(unchanged)');
  });

  test('IS NULL of a NOT NULL column of the inner side keeps only unmatched rows: an anti join', () => {
    const ids = new Ids();
    const c = scanOf(ids, customer);
    const o = scanOf(ids, orders);
    const plan = b.filter(b.join('left', c.plan, o.plan, eq(c.c('c_custkey'), o.c('o_custkey'))), call('is_null', [o.c('o_orderkey')], T.bool));
    expect(run(simplifyOuterJoins, plan)).toBe([
      'Project c_custkey#1, c_name#2, c_nationkey#3, c_mktsegment#4, o_orderkey#5 := NULL, o_custkey#6 := NULL, o_orderdate#7 := NULL, o_totalprice#8 := NULL [schema: c_custkey:int32 c_name:utf8 c_nationkey:int32 c_mktsegment:utf8 o_orderkey:int32 o_custkey:int32 o_orderdate:date o_totalprice:decimal(15,2)]',
      '  Join anti on (c_custkey#1 = o_custkey#6) [schema: c_custkey:int32 c_name:utf8 c_nationkey:int32 c_mktsegment:utf8]',
      '    Scan customer [schema: c_custkey:int32 c_name:utf8 c_nationkey:int32 c_mktsegment:utf8]',
      '    Scan orders [schema: o_orderkey:int32 o_custkey:int32 o_orderdate:date o_totalprice:decimal(15,2)]',
    ].join('\n'));
  });
});

/** `(SELECT … FROM plan)` as an expression of the given mode. */
function subquery(id: number, mode: Subquery['mode'], plan: LogicalPlan, correlated: readonly number[], extra: Partial<Subquery> = {}): Subquery {
  return { kind: 'subquery', id, mode, plan, correlated, type: mode === 'scalar' ? plan.schema[0]!.type : T.bool, nullable: true, ...extra };
}

describe('decorrelate-subqueries', () => {
  test('EXISTS becomes a semi join and NOT EXISTS an anti join on the correlated predicates', () => {
    const ids = new Ids();
    const o = scanOf(ids, orders);
    const l = scanOf(ids, lineitem);
    const l2 = scanOf(ids, lineitem, 'l2');
    const exists = subquery(1, 'exists', b.filter(l.plan, and(eq(l.c('l_orderkey'), o.c('o_orderkey')), gt(l.c('l_quantity'), int(40)))), [o.plan.columns[0]!.id]);
    const notExists = subquery(2, 'exists', b.filter(l2.plan, eq(l2.c('l_orderkey'), o.c('o_orderkey'))), [o.plan.columns[0]!.id]);
    const plan = b.filter(o.plan, and(exists, not(notExists)));
    expect(printLogical(plan)).toBe([
      'Filter (EXISTS(subquery#1) AND NOT EXISTS(subquery#2)) [schema: o_orderkey:int32 o_custkey:int32 o_orderdate:date o_totalprice:decimal(15,2)]',
      '  Subquery#1 exists correlated=[1]',
      '    Filter ((l_orderkey#5 = o_orderkey#1) AND (l_quantity#7 > 40)) [schema: l_orderkey:int32 l_linenumber:int32 l_quantity:decimal(15,2) l_shipdate:date]',
      '      Scan lineitem [schema: l_orderkey:int32 l_linenumber:int32 l_quantity:decimal(15,2) l_shipdate:date]',
      '  Subquery#2 exists correlated=[1]',
      '    Filter (l_orderkey#9 = o_orderkey#1) [schema: l_orderkey:int32 l_linenumber:int32 l_quantity:decimal(15,2) l_shipdate:date]',
      '      Scan lineitem AS l2 [schema: l_orderkey:int32 l_linenumber:int32 l_quantity:decimal(15,2) l_shipdate:date]',
      '  Scan orders [schema: o_orderkey:int32 o_custkey:int32 o_orderdate:date o_totalprice:decimal(15,2)]',
    ].join('\n'));
    expect(run(decorrelateSubqueries, plan)).toBe([
      'Join anti on (l_orderkey#9 = o_orderkey#1) [schema: o_orderkey:int32 o_custkey:int32 o_orderdate:date o_totalprice:decimal(15,2)]',
      '  Join semi on (l_orderkey#5 = o_orderkey#1) [schema: o_orderkey:int32 o_custkey:int32 o_orderdate:date o_totalprice:decimal(15,2)]',
      '    Scan orders [schema: o_orderkey:int32 o_custkey:int32 o_orderdate:date o_totalprice:decimal(15,2)]',
      '    Filter (l_quantity#7 > 40) [schema: l_orderkey:int32 l_linenumber:int32 l_quantity:decimal(15,2) l_shipdate:date]',
      '      Scan lineitem [schema: l_orderkey:int32 l_linenumber:int32 l_quantity:decimal(15,2) l_shipdate:date]',
      '  Scan lineitem AS l2 [schema: l_orderkey:int32 l_linenumber:int32 l_quantity:decimal(15,2) l_shipdate:date]',
    ].join('\n'));
  });

  test('NOT IN becomes an anti join only when neither side can be NULL', () => {
    const ids = new Ids();
    const o = scanOf(ids, orders);
    const c = scanOf(ids, customer);
    const sub = b.project(c.plan, [{ column: c.plan.schema[0]!, expr: c.c('c_custkey') }]);
    const safe = b.filter(o.plan, not(subquery(1, 'in', sub, [], { operand: o.c('o_custkey') })));
    expect(run(decorrelateSubqueries, safe).split('\n')[0]).toBe('Join anti on (o_custkey#2 = c_custkey#5) [schema: o_orderkey:int32 o_custkey:int32 o_orderdate:date o_totalprice:decimal(15,2)]');
    const nullable = { ...o.c('o_custkey'), nullable: true };
    const unsafe = b.filter(o.plan, not(subquery(1, 'in', sub, [], { operand: nullable })));
    expect(run(decorrelateSubqueries, unsafe)).toBe('(unchanged)');
  });

  test('a correlated scalar aggregate becomes a left join over the aggregate grouped by the correlation key', () => {
    const ids = new Ids();
    const o = scanOf(ids, orders);
    const l = scanOf(ids, lineitem);
    const avg = { fn: 'avg', args: [l.c('l_quantity')], distinct: false, orderBy: [], type: T.decimal, nullable: true };
    const agg = b.aggregate(b.filter(l.plan, eq(l.c('l_orderkey'), o.c('o_orderkey'))), [], [{ column: { id: 20, name: 'avg', type: T.decimal, nullable: true }, call: avg }]);
    const scaled = call('*', [literal('0.2', T.decimal), colRef(agg.schema[0]!)], T.decimal);
    const sub = b.project(agg, [{ column: { id: 21, name: '?column?', type: T.decimal, nullable: true }, expr: scaled }]);
    const plan = b.filter(o.plan, lt(o.c('o_totalprice'), subquery(1, 'scalar', sub, [o.plan.columns[0]!.id])));
    expect(run(decorrelateSubqueries, plan)).toBe([
      'Project o_orderkey#1, o_custkey#2, o_orderdate#3, o_totalprice#4 [schema: o_orderkey:int32 o_custkey:int32 o_orderdate:date o_totalprice:decimal(15,2)]',
      '  Filter (o_totalprice#4 < ?column?#21) [schema: o_orderkey:int32 o_custkey:int32 o_orderdate:date o_totalprice:decimal(15,2) l_orderkey:int32 ?column?:decimal]',
      '    Join left on (o_orderkey#1 = l_orderkey#22) [schema: o_orderkey:int32 o_custkey:int32 o_orderdate:date o_totalprice:decimal(15,2) l_orderkey:int32 ?column?:decimal]',
      '      Scan orders [schema: o_orderkey:int32 o_custkey:int32 o_orderdate:date o_totalprice:decimal(15,2)]',
      '      Project l_orderkey#22, ?column?#21 := (0.2 * avg#20) [schema: l_orderkey:int32 ?column?:decimal]',
      '        Aggregate groups=[l_orderkey#22 := l_orderkey#5] aggs=[avg#20 := avg(l_quantity#7)] [schema: l_orderkey:int32 avg:decimal]',
      '          Scan lineitem [schema: l_orderkey:int32 l_linenumber:int32 l_quantity:decimal(15,2) l_shipdate:date]',
    ].join('\n'));
  });
});

describe('push-down-limit', () => {
  test('moves LIMIT under a projection and bounds each UNION ALL input', () => {
    const ids = new Ids();
    const o = scanOf(ids, orders);
    const o2 = scanOf(ids, orders, 'o2');
    const proj = b.project(b.sort(o.plan, [{ expr: o.c('o_totalprice'), descending: true, nullsFirst: true }]), [{ column: o.plan.schema[0]!, expr: o.c('o_orderkey') }]);
    expect(run(pushDownLimit, b.limit(proj, literal(10n, T.int64)))).toBe([
      'Project o_orderkey#1 [schema: o_orderkey:int32]',
      '  Limit 10 [schema: o_orderkey:int32 o_custkey:int32 o_orderdate:date o_totalprice:decimal(15,2)]',
      '    Sort o_totalprice#4 DESC [schema: o_orderkey:int32 o_custkey:int32 o_orderdate:date o_totalprice:decimal(15,2)]',
      '      Scan orders [schema: o_orderkey:int32 o_custkey:int32 o_orderdate:date o_totalprice:decimal(15,2)]',
    ].join('\n'));
    const union = b.setOp('union', true, o.plan, o2.plan, o.plan.schema.map((c, i) => ({ ...c, id: 100 + i })));
    expect(run(pushDownLimit, b.limit(union, literal(5n, T.int64), literal(2n, T.int64)))).toBe([
      'Limit 5 offset=2 [schema: o_orderkey:int32 o_custkey:int32 o_orderdate:date o_totalprice:decimal(15,2)]',
      '  Union all [schema: o_orderkey:int32 o_custkey:int32 o_orderdate:date o_totalprice:decimal(15,2)]',
      '    Limit 7 [schema: o_orderkey:int32 o_custkey:int32 o_orderdate:date o_totalprice:decimal(15,2)]',
      '      Scan orders [schema: o_orderkey:int32 o_custkey:int32 o_orderdate:date o_totalprice:decimal(15,2)]',
      '    Limit 7 [schema: o_orderkey:int32 o_custkey:int32 o_orderdate:date o_totalprice:decimal(15,2)]',
      '      Scan orders AS o2 [schema: o_orderkey:int32 o_custkey:int32 o_orderdate:date o_totalprice:decimal(15,2)]',
    ].join('\n'));
  });
});

describe('select-index', () => {
  test('primary-key equality and a selective secondary index become index accesses; a wide range stays a full scan', () => {
    const ids = new Ids();
    const o = scanOf(ids, orders);
    expect(run(selectIndex, b.filter(o.plan, and(eq(o.c('o_orderkey'), { kind: 'param', index: 1, type: T.int32, nullable: true }), gt(o.c('o_totalprice'), int(5)))))).toBe([
      'Filter (o_totalprice#4 > 5) [schema: o_orderkey:int32 o_custkey:int32 o_orderdate:date o_totalprice:decimal(15,2)]',
      '  Scan orders index=orders_pkey eq=[$1] [schema: o_orderkey:int32 o_custkey:int32 o_orderdate:date o_totalprice:decimal(15,2)]',
    ].join('\n'));
    expect(run(selectIndex, b.filter(o.plan, eq(o.c('o_custkey'), int(42))))).toBe(
      'Scan orders index=orders_custkey eq=[42] [schema: o_orderkey:int32 o_custkey:int32 o_orderdate:date o_totalprice:decimal(15,2)]',
    );
    expect(run(selectIndex, b.filter(o.plan, gt(o.c('o_custkey'), int(42))))).toBe('(unchanged)');
    expect(run(selectIndex, b.filter(o.plan, and(gt(o.c('o_orderkey'), int(100)), lt(o.c('o_orderkey'), int(200)))))).toBe(
      'Scan orders index=orders_pkey range=[> 100, < 200] [schema: o_orderkey:int32 o_custkey:int32 o_orderdate:date o_totalprice:decimal(15,2)]',
    );
  });
});

describe('prune-columns', () => {
  test('scans read only the columns used above them and redundant projections merge', () => {
    const ids = new Ids();
    const c = scanOf(ids, customer);
    const o = scanOf(ids, orders);
    const j = b.join('inner', o.plan, c.plan, eq(o.c('o_custkey'), c.c('c_custkey')));
    const inner = b.project(j, j.schema.map((col) => ({ column: col, expr: colRef(col) })));
    const plan = b.project(inner, [{ column: outCol(30, 'name', c.c('c_name')), expr: c.c('c_name') }]);
    expect(run(pruneColumns, plan)).toBe([
      'Project name#30 := c_name#2 [schema: name:utf8]',
      '  Join inner on (o_custkey#6 = c_custkey#1) [schema: o_custkey:int32 c_custkey:int32 c_name:utf8]',
      '    Scan orders [schema: o_custkey:int32]',
      '    Scan customer [schema: c_custkey:int32 c_name:utf8]',
    ].join('\n'));
  });
});

describe('reorder-joins', () => {
  test('joins the small filtered sides first and never builds a cross product', () => {
    const ids = new Ids();
    const l = scanOf(ids, lineitem);
    const c = scanOf(ids, customer);
    const o = scanOf(ids, orders);
    const n = scanOf(ids, nation);
    // Written in the worst order: lineitem × customer first (no predicate between them).
    const plan = b.join('inner',
      b.join('inner', b.join('cross', l.plan, b.filter(c.plan, eq(c.c('c_mktsegment'), text('BUILDING')))), o.plan,
        and(eq(l.c('l_orderkey'), o.c('o_orderkey')), eq(c.c('c_custkey'), o.c('o_custkey')))),
      b.filter(n.plan, eq(n.c('n_name'), text('CHINA'))), eq(c.c('c_nationkey'), n.c('n_nationkey')));
    const out = run(reorderJoins, plan);
    expect(out.split('\n').map((s) => s.replace(/ \[schema: .*\]$/, '')).join('\n')).toBe([
      'Project l_orderkey#1, l_linenumber#2, l_quantity#3, l_shipdate#4, c_custkey#5, c_name#6, c_nationkey#7, c_mktsegment#8, o_orderkey#9, o_custkey#10, o_orderdate#11, o_totalprice#12, n_nationkey#13, n_name#14',
      '  Join inner on (l_orderkey#1 = o_orderkey#9)',
      '    Scan lineitem',
      '    Join inner on (c_custkey#5 = o_custkey#10)',
      '      Scan orders',
      '      Join inner on (c_nationkey#7 = n_nationkey#13)',
      "        Filter (c_mktsegment#8 = 'BUILDING')",
      '          Scan customer',
      "        Filter (n_name#14 = 'CHINA')",
      '          Scan nation',
    ].join('\n'));
    expect(out).not.toContain('Join cross');
  });
});

describe('the driver', () => {
  test('a rule that changes the output schema is reported as a CompilerBug naming it', () => {
    const ids = new Ids();
    const o = scanOf(ids, orders);
    const broken: Rule = { name: 'drop-everything', apply: (p) => b.project(p, []) };
    expect(() => applyRule(broken, o.plan, createContext(o.plan, cat))).toThrow(CompilerBug);
    expect(() => applyRule(broken, o.plan, createContext(o.plan, cat))).toThrow(/drop-everything/);
  });

  test('the full pipeline reaches a fixpoint and keeps the schema', () => {
    const ids = new Ids();
    const c = scanOf(ids, customer);
    const o = scanOf(ids, orders);
    const plan = b.filter(b.join('cross', c.plan, o.plan), and(eq(c.c('c_custkey'), o.c('o_custkey')), eq(o.c('o_orderkey'), int(7))));
    const out = optimize(plan, cat);
    expect(out.schema.map((x) => x.id)).toEqual(plan.schema.map((x) => x.id));
    expect(printLogical(optimize(out, cat))).toBe(printLogical(out));
  });
});

describe('reduce-group-keys', () => {
  test('other columns of a table whose whole primary key is grouped become any_value aggregates', () => {
    const ids = new Ids();
    const c = scanOf(ids, customer);
    const o = scanOf(ids, orders);
    const j = b.join('inner', c.plan, o.plan, eq(c.c('c_custkey'), o.c('o_custkey')));
    const g = (e: Expr, name: string): { column: Column; expr: Expr } => ({ column: outCol(ids.id(), name, e), expr: e });
    const total = o.c('o_totalprice');
    const sum = { column: outCol(ids.id(), 'revenue', total), call: { fn: 'sum', args: [total], distinct: false, orderBy: [], type: total.type, nullable: true } };
    const plan = b.aggregate(j, [g(c.c('c_name'), 'c_name'), g(c.c('c_custkey'), 'c_custkey'), g(c.c('c_mktsegment'), 'c_mktsegment'), g(o.c('o_orderdate'), 'o_orderdate')], [sum]);
    expect(run(reduceGroupKeys, plan)).toBe(
      'Project c_name#10, c_custkey#11, c_mktsegment#12, o_orderdate#13, revenue#9 [schema: c_name:utf8 c_custkey:int32 c_mktsegment:utf8 o_orderdate:date revenue:decimal(15,2)]\n' +
      '  Aggregate groups=[c_custkey#11 := c_custkey#1, o_orderdate#13 := o_orderdate#7] aggs=[revenue#9 := sum(o_totalprice#8), c_name#10 := any_value(c_name#2), c_mktsegment#12 := any_value(c_mktsegment#4)] [schema: c_custkey:int32 o_orderdate:date revenue:decimal(15,2) c_name:utf8 c_mktsegment:utf8]\n' +
      '    Join inner on (c_custkey#1 = o_custkey#6) [schema: c_custkey:int32 c_name:utf8 c_nationkey:int32 c_mktsegment:utf8 o_orderkey:int32 o_custkey:int32 o_orderdate:date o_totalprice:decimal(15,2)]\n' +
      '      Scan customer [schema: c_custkey:int32 c_name:utf8 c_nationkey:int32 c_mktsegment:utf8]\n' +
      '      Scan orders [schema: o_orderkey:int32 o_custkey:int32 o_orderdate:date o_totalprice:decimal(15,2)]',
    );
    // A join key equal to orders' primary key covers it (TPC-H Q3 groups by l_orderkey).
    const l3 = scanOf(ids, lineitem);
    const o3 = scanOf(ids, orders);
    const q3 = b.aggregate(b.join('inner', l3.plan, o3.plan, eq(l3.c('l_orderkey'), o3.c('o_orderkey'))), [g(l3.c('l_orderkey'), 'l_orderkey'), g(o3.c('o_orderdate'), 'o_orderdate')], []);
    expect(run(reduceGroupKeys, q3).split('\n')[1]).toContain('Aggregate groups=[l_orderkey#');
    expect(run(reduceGroupKeys, q3).split('\n')[1]).toContain(':= any_value(o_orderdate#');
    // Dependence follows joins: an order's key fixes its row, so its o_custkey, so the customer row
    // the join matches on it (TPC-H Q10 groups by c_custkey and nation columns this way).
    const o4 = scanOf(ids, orders);
    const c4 = scanOf(ids, customer);
    const chain = b.aggregate(b.join('inner', o4.plan, c4.plan, eq(o4.c('o_custkey'), c4.c('c_custkey'))), [g(c4.c('c_name'), 'name'), g(o4.c('o_orderkey'), 'okey')], []);
    expect(run(reduceGroupKeys, chain).split('\n')[1]).toContain('Aggregate groups=[okey#');
    expect(run(reduceGroupKeys, chain).split('\n')[1]).toContain(':= any_value(c_name#');
    // Part of a composite key is not enough.
    const l = scanOf(ids, lineitem);
    const partial = b.aggregate(l.plan, [g(l.c('l_orderkey'), 'k'), g(l.c('l_quantity'), 'q')], []);
    expect(run(reduceGroupKeys, partial)).toBe('(unchanged)');
  });
});
