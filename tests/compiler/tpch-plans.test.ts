// TPC-H acceptance: all 22 queries parse, bind, optimize and EXPLAIN; no cross products, filters at or below their joins, sensible join orders.

import { describe, expect, test } from 'bun:test';
import { readFileSync } from 'node:fs';
import { catalogFromSchema } from '../../compiler/catalog/from-schema.ts';
import { exprColumns, type ColumnId, type Expr } from '../../compiler/ir/expr.ts';
import { children, type LogicalPlan } from '../../compiler/ir/plan.ts';
import { forEachNodeExpr } from '../../compiler/ir/print.ts';
import { conjuncts } from '../../compiler/optimize/util.ts';
import { explainText } from '../../compiler/explain/index.ts';
import type { PhysicalPlan } from '../../compiler/physical/plan.ts';
import { compileSql, type CompiledStatement } from '../../compiler/pipeline.ts';
import { TPCH_SF1_STATS } from '../fixtures/tpch/stats.ts';

const dir = new URL('../fixtures/tpch/', import.meta.url);
const { catalog } = catalogFromSchema(readFileSync(new URL('schema.sql', dir), 'utf8'), TPCH_SF1_STATS);
const QUERIES = Array.from({ length: 22 }, (_, i) => `q${String(i + 1).padStart(2, '0')}`);

function compile(q: string): CompiledStatement {
  const results = compileSql(readFileSync(new URL(`queries/${q}.sql`, dir), 'utf8'), catalog);
  expect(results.flatMap((r) => r.diagnostics)).toEqual([]);
  expect(results.length).toBe(1);
  return results[0]!;
}

/** Every plan in the tree, including those of subquery expressions. */
function allNodes(p: LogicalPlan, out: LogicalPlan[] = []): LogicalPlan[] {
  out.push(p);
  forEachNodeExpr(p, (e) => subqueryPlans(e).forEach((s) => allNodes(s, out)));
  for (const k of children(p)) allNodes(k, out);
  return out;
}

function subqueryPlans(e: Expr): LogicalPlan[] {
  switch (e.kind) {
    case 'subquery':
      return [e.plan, ...(e.operand ? subqueryPlans(e.operand) : [])];
    case 'call':
      return e.args.flatMap(subqueryPlans);
    case 'cast':
      return subqueryPlans(e.expr);
    case 'case':
      return [...e.whens.flatMap((w) => [...subqueryPlans(w.when), ...subqueryPlans(w.then)]), ...(e.else ? subqueryPlans(e.else) : [])];
    default:
      return [];
  }
}

/** Column = column predicates of the query as bound (WHERE, ON, inside subqueries): its join predicates. */
function joinPredicates(plan: LogicalPlan): [ColumnId, ColumnId][] {
  const out: [ColumnId, ColumnId][] = [];
  for (const n of allNodes(plan)) {
    forEachNodeExpr(n, (e) => {
      for (const c of conjuncts(e)) {
        for (const d of c.kind === 'call' && c.fn === 'or' ? c.args.flatMap((a) => conjuncts(a)) : [c]) {
          if (d.kind === 'call' && d.fn === '=' && d.args[0]!.kind === 'column' && d.args[1]!.kind === 'column') out.push([d.args[0]!.id, d.args[1]!.id]);
        }
      }
    });
  }
  return out;
}

const outputIds = (p: LogicalPlan): Set<ColumnId> => new Set(p.schema.map((c) => c.id));

/** Scan columns reachable under a node, so a predicate's side is found even through projections. */
function scanIds(p: LogicalPlan, out: Set<ColumnId> = new Set()): Set<ColumnId> {
  if (p.kind === 'scan') for (const c of p.columns) out.add(c.id);
  for (const k of children(p)) scanIds(k, out);
  return out;
}

/**
 * No cross product: every join whose sides the query connects by an equality has an equi
 * condition between them; filters sit at or below their joins (none above an inner/semi/anti join,
 * and above a left join only predicates that read its nullable side).
 */
function checkShape(bound: LogicalPlan, optimized: LogicalPlan): void {
  const preds = joinPredicates(bound);
  for (const n of allNodes(optimized)) {
    if (n.kind === 'join') {
      const L = scanIds(n.left);
      const R = scanIds(n.right);
      const connected = preds.some(([a, b]) => (L.has(a) && R.has(b)) || (L.has(b) && R.has(a)));
      if (connected) {
        const equi = conjuncts(n.condition).some((c) => {
          if (c.kind !== 'call' || c.fn !== '=') return false;
          const [x, y] = [exprColumns(c.args[0]!), exprColumns(c.args[1]!)];
          const inL = (s: Set<ColumnId>): boolean => s.size > 0 && [...s].every((id) => L.has(id) || outputIds(n.left).has(id));
          const inR = (s: Set<ColumnId>): boolean => s.size > 0 && [...s].every((id) => R.has(id) || outputIds(n.right).has(id));
          return (inL(x) && inR(y)) || (inL(y) && inR(x));
        });
        expect({ join: n.joinType, equi }).toEqual({ join: n.joinType, equi: true });
      }
    }
    // Look through projections and sorts, which a filter can always pass.
    let below = n.kind === 'filter' ? n.input : undefined;
    while (below && (below.kind === 'project' || below.kind === 'sort')) below = below.input;
    if (n.kind === 'filter' && below?.kind === 'join') {
      const j = below;
      if (j.joinType === 'left') {
        const R = outputIds(j.right);
        for (const c of conjuncts(n.predicate)) expect([...exprColumns(c)].some((id) => R.has(id))).toBe(true);
      } else expect(`filter above ${j.joinType} join`).toBe('no filter above an inner, semi or anti join');
    }
  }
}

/** The join tree of a physical plan over scan aliases: `(orders ⋈ customer)`; semi/anti/left marked. */
function joinOrder(p: PhysicalPlan): string {
  switch (p.kind) {
    case 'seq-scan':
    case 'index-scan':
      return p.alias;
    case 'hash-join':
    case 'merge-join':
    case 'nested-loop-join': {
      const op = p.joinType === 'inner' || p.joinType === 'cross' ? '⋈' : `${p.joinType}⋈`;
      return `(${joinOrder(p.left)} ${op} ${joinOrder(p.right)})`;
    }
    case 'values':
    case 'table-function':
    case 'expand':
    case 'work-table':
      return p.kind;
    case 'set-op':
      return `(${joinOrder(p.left)} ${p.op} ${joinOrder(p.right)})`;
    case 'recursive-cte':
      return `(${joinOrder(p.anchor)} recursive ${joinOrder(p.recursive)})`;
    case 'insert':
      return joinOrder(p.source);
    default:
      return joinOrder(p.input);
  }
}

/** The join order of the query's FROM, looking through projections, aggregates and sorts. */
const fromOrder = (c: CompiledStatement): string => joinOrder(c.physical!.plan);

describe('TPC-H: every query compiles to a sane plan', () => {
  for (const q of QUERIES) {
    test(q, () => {
      const c = compile(q);
      expect(c.physical).toBeDefined();
      checkShape(c.logical!, c.optimized!);
      const text = explainText(c.physical!);
      expect(text).toMatch(/\(rows=\d+ cost=[\d.]+\)$/m);
      expect(text).not.toContain('Nested Loop (cross)');
    });
  }
});

describe('TPC-H join orders', () => {
  test('Q3: the BUILDING customers join their early orders first, lineitem probes that small result', () => {
    // customer filtered by segment (~30k) ⋈ orders before 1995-03-15 (~730k) gives ~150-220k rows;
    // joining lineitem (3.2M after its date filter) last keeps every intermediate result small.
    expect(fromOrder(compile('q03'))).toBe('(lineitem ⋈ (orders ⋈ customer))');
  });

  test('Q5: ASIA’s nations pick the customers first; lineitem, then supplier, join last', () => {
    // region (1 row) ⋈ nation → 5 nations → their customers (~30k) → their orders of 1994 (~68k)
    // → lineitem (~270k); supplier joins last on both l_suppkey and s_nationkey = c_nationkey (the
    // equivalence class of the nation keys lets customer join nation directly).
    expect(fromOrder(compile('q05'))).toBe('((lineitem ⋈ (orders ⋈ (customer ⋈ (nation ⋈ region)))) ⋈ supplier)');
  });

  test('Q8: starts from the few ECONOMY ANODIZED STEEL parts', () => {
    // part (~1.3k rows after its type filter) picks ~40k lineitems, then their orders of 1995-96,
    // customers restricted to AMERICA through n1 ⋈ region, then supplier and the supplier nation n2.
    expect(fromOrder(compile('q08'))).toBe('((supplier ⋈ ((customer ⋈ (orders ⋈ (lineitem ⋈ part))) ⋈ (n1 ⋈ region))) ⋈ n2)');
  });

  test('Q9: the green parts (~5%) drive the join into partsupp and lineitem', () => {
    // part (~10k green parts) ⋈ partsupp (40k) with supplier ⋈ nation, then lineitem on the full
    // (partkey, suppkey) key of partsupp (~300k rows: a key join, not a product of per-column
    // estimates), and orders last for o_orderdate.
    expect(fromOrder(compile('q09'))).toBe('(orders ⋈ (lineitem ⋈ ((partsupp ⋈ part) ⋈ (supplier ⋈ nation))))');
  });

  test('Q10: one quarter of orders joins its customers and their nation, then the returned lineitems', () => {
    // orders of 1993-Q4 (~57k) ⋈ customer (~57k) ⋈ nation (~57k), probed by lineitem with
    // l_returnflag = 'R' (~2M); joining lineitem earlier would carry ~2M rows through two more joins.
    expect(fromOrder(compile('q10'))).toBe('(lineitem ⋈ ((customer ⋈ orders) ⋈ nation))');
  });
});
