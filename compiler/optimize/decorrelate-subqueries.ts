// Rule decorrelate-subqueries: WHERE-level EXISTS/IN/ANY become semi joins, NOT EXISTS and null-safe NOT IN anti joins, correlated scalar aggregates left joins over a grouped aggregate.

import { aggregate, filter, join, project } from '../ir/build.ts';
import { call, colRef, exprColumns, type Column, type ColumnId, type Expr, type Subquery } from '../ir/expr.ts';
import type { GroupItem, LogicalPlan } from '../ir/plan.ts';
import { children } from '../ir/plan.ts';
import { forEachNodeExpr } from '../ir/print.ts';
import { T } from '../ir/types.ts';
import { equiPair } from './cost.ts';
import { rewriteTopDown, type OptimizeContext, type Rule } from './rule.ts';
import { conjoin, conjuncts, ids, intersects, mapExpr, strictOn } from './util.ts';

/** Aggregates that yield NULL over no rows, so a missing group (NULL from the left join) means the same. */
const NULL_ON_EMPTY = new Set(['sum', 'avg', 'min', 'max', 'bool_and', 'bool_or', 'string_agg', 'array_agg', 'json_agg']);

/** True when some expression in the subtree reads one of `outer` (directly or through a nested subquery). */
function references(p: LogicalPlan, outer: ReadonlySet<ColumnId>): boolean {
  let hit = false;
  forEachNodeExpr(p, (e) => {
    if (!hit && intersects(exprColumns(e), outer)) hit = true;
  });
  return hit || children(p).some((k) => references(k, outer));
}

function hasSubquery(e: Expr): boolean {
  let found = false;
  mapExpr(e, (x) => {
    if (x.kind === 'subquery') found = true;
    return x;
  });
  return found;
}

/**
 * Lifts the predicates that read `outer` columns out of filters and inner joins, so the rest of the
 * plan is uncorrelated. Undefined when a correlated reference sits anywhere else.
 */
function pullCorrelated(p: LogicalPlan, outer: ReadonlySet<ColumnId>): { plan: LogicalPlan; preds: Expr[] } | undefined {
  switch (p.kind) {
    case 'filter': {
      const inner = pullCorrelated(p.input, outer);
      if (!inner) return undefined;
      const local: Expr[] = [];
      const preds = [...inner.preds];
      for (const e of conjuncts(p.predicate)) {
        if (!intersects(exprColumns(e), outer)) local.push(e);
        else if (hasSubquery(e)) return undefined;
        else preds.push(e);
      }
      return { plan: local.length ? filter(inner.plan, conjoin(local)!) : inner.plan, preds };
    }
    case 'join': {
      if (p.joinType !== 'inner' && p.joinType !== 'cross') return references(p, outer) ? undefined : { plan: p, preds: [] };
      const l = pullCorrelated(p.left, outer);
      const r = pullCorrelated(p.right, outer);
      if (!l || !r) return undefined;
      const local: Expr[] = [];
      const preds = [...l.preds, ...r.preds];
      for (const e of conjuncts(p.condition)) {
        if (!intersects(exprColumns(e), outer)) local.push(e);
        else if (hasSubquery(e)) return undefined;
        else preds.push(e);
      }
      return { plan: join(local.length ? 'inner' : 'cross', l.plan, r.plan, conjoin(local)), preds };
    }
    default:
      return references(p, outer) ? undefined : { plan: p, preds: [] };
  }
}

/** EXISTS / NOT EXISTS / IN / = ANY / null-safe NOT IN as a semi or anti join of `input`. */
function asSemiJoin(e: Expr, input: LogicalPlan): LogicalPlan | undefined {
  let negated = false;
  let sq: Expr = e;
  if (e.kind === 'call' && e.fn === 'not') {
    negated = true;
    sq = e.args[0]!;
  }
  if (sq.kind !== 'subquery') return undefined;
  const outer = new Set(sq.correlated);
  if (sq.mode === 'exists') {
    let body = sq.plan;
    // The select list of EXISTS is irrelevant; so is an ORDER BY.
    while (body.kind === 'project' || body.kind === 'sort') body = body.input;
    const pulled = pullCorrelated(body, outer);
    if (!pulled) return undefined;
    return join(negated ? 'anti' : 'semi', input, pulled.plan, conjoin(pulled.preds));
  }
  if ((sq.mode === 'in' || (sq.mode === 'any' && sq.op)) && sq.operand) {
    let body = sq.plan;
    let value: Expr = colRef(body.schema[0]!);
    if (body.kind === 'project' && body.items.length === 1) {
      value = body.items[0]!.expr;
      body = body.input;
    }
    if (hasSubquery(value) || intersects(exprColumns(value), outer)) return undefined;
    // NOT IN is NULL (not true) when either side has a NULL: only safe as an anti join without NULLs.
    if (negated && (sq.mode !== 'in' || sq.operand.nullable || value.nullable)) return undefined;
    const pulled = pullCorrelated(body, outer);
    if (!pulled) return undefined;
    const cmp = call(sq.op ?? '=', [sq.operand, value], T.bool);
    return join(negated ? 'anti' : 'semi', input, pulled.plan, conjoin([cmp, ...pulled.preds]));
  }
  return undefined;
}

/** The first correlated scalar subquery in `e` outside other subqueries. */
function findScalar(e: Expr): Subquery | undefined {
  let found: Subquery | undefined;
  mapExpr(e, (x) => {
    if (!found && x.kind === 'subquery' && x.mode === 'scalar' && x.correlated.length > 0) found = x;
    return x;
  });
  return found;
}

/**
 * `x op (SELECT agg(…) FROM … WHERE inner = outer …)` → `input LEFT JOIN (SELECT inner, agg(…) … GROUP BY inner) ON outer = inner`,
 * the subquery replaced by the aggregate's column. Only for aggregates that are NULL over no rows.
 */
function asLeftJoin(e: Expr, input: LogicalPlan, ctx: OptimizeContext): { input: LogicalPlan; pred: Expr } | undefined {
  const sq = findScalar(e);
  if (!sq) return undefined;
  const outer = new Set(sq.correlated);
  const inputIds = ids(input.schema);
  if (![...outer].every((c) => inputIds.has(c))) return undefined;
  const top = sq.plan;
  const agg = top.kind === 'aggregate' ? top : top.kind === 'project' && top.input.kind === 'aggregate' ? top.input : undefined;
  if (!agg || agg.groups.length > 0 || agg.aggregates.some((a) => !NULL_ON_EMPTY.has(a.call.fn))) return undefined;
  const aggIds = new Set(agg.aggregates.map((a) => a.column.id));
  if (top.kind === 'project' && !top.items.every((i) => (i.expr.kind === 'column' && aggIds.has(i.expr.id)) || strictOn(i.expr, aggIds))) return undefined;
  if (top.kind === 'project' && top.items.some((i) => intersects(exprColumns(i.expr), outer))) return undefined;
  const pulled = pullCorrelated(agg.input, outer);
  if (!pulled || pulled.preds.length === 0) return undefined;
  const innerIds = ids(pulled.plan.schema);
  const groups: GroupItem[] = [];
  const keys: Expr[] = [];
  for (const p of pulled.preds) {
    const pair = equiPair(p, outer, innerIds);
    if (!pair) return undefined;
    const [outerSide, innerSide] = pair;
    let g = groups.find((x) => x.expr === innerSide);
    if (!g) {
      const column: Column = { id: ctx.newColumnId(), name: innerSide.kind === 'column' ? innerSide.name : 'key', type: innerSide.type, nullable: innerSide.nullable };
      g = { column, expr: innerSide };
      groups.push(g);
    }
    keys.push(call('=', [outerSide, colRef(g.column)], T.bool));
  }
  const grouped = aggregate(pulled.plan, groups, agg.aggregates);
  const right =
    top.kind === 'project'
      ? project(grouped, [...groups.map((g) => ({ column: g.column, expr: colRef(g.column) })), ...top.items])
      : grouped;
  const valueCol = top.kind === 'project' ? top.items[0]!.column : agg.aggregates[0]!.column;
  const ref: Expr = { ...colRef(valueCol), nullable: true };
  return { input: join('left', input, right, conjoin(keys)), pred: mapExpr(e, (x) => (x === sq ? ref : x)) };
}

function decorrelateNode(p: LogicalPlan, ctx: OptimizeContext): LogicalPlan | undefined {
  if (p.kind !== 'filter') return undefined;
  let input = p.input;
  const rest: Expr[] = [];
  let changed = false;
  for (const e of conjuncts(p.predicate)) {
    const semi = asSemiJoin(e, input);
    if (semi) {
      input = semi;
      changed = true;
      continue;
    }
    const scalar = asLeftJoin(e, input, ctx);
    if (scalar) {
      input = scalar.input;
      rest.push(scalar.pred);
      changed = true;
      continue;
    }
    rest.push(e);
  }
  if (!changed) return undefined;
  const out = rest.length ? filter(input, conjoin(rest)!) : input;
  if (out.schema.length === p.schema.length) return out;
  // The left joins added the aggregate columns; the filter's consumers see its original columns only.
  return project(out, p.schema.map((c) => ({ column: c, expr: colRef(c) })));
}

/** Rule decorrelate-subqueries. */
export const decorrelateSubqueries: Rule = {
  name: 'decorrelate-subqueries',
  apply: (plan, ctx) => rewriteTopDown(plan, (p) => decorrelateNode(p, ctx)),
};
