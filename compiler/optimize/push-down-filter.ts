// Rule push-down-filter: moves predicates toward the scans, through projections, joins, aggregates, windows, sorts and set operations; cross joins with a predicate become inner joins.

import { exprColumns, type ColumnId, type Expr } from '../ir/expr.ts';
import { filter, join, withChildren } from '../ir/build.ts';
import type { Join, LogicalPlan } from '../ir/plan.ts';
import type { CostModel } from './cost.ts';
import { rewriteTopDown, type OptimizeContext, type Rule } from './rule.ts';
import { conjoin, conjuncts, ids, intersects, isVolatile, substitute } from './util.ts';

/** Puts `preds` on top of `p` (merging with a filter already there). */
function withFilter(p: LogicalPlan, preds: readonly Expr[]): LogicalPlan {
  if (preds.length === 0) return p;
  if (p.kind === 'filter') return filter(p.input, conjoin([...conjuncts(p.predicate), ...preds])!);
  return filter(p, conjoin(preds)!);
}

/** Which side a predicate can be evaluated on: columns from neither side are outer references (always available). */
function side(e: Expr, left: ReadonlySet<ColumnId>, right: ReadonlySet<ColumnId>): 'left' | 'right' | 'both' | 'none' {
  const cols = exprColumns(e);
  const l = intersects(cols, left);
  const r = intersects(cols, right);
  return l && r ? 'both' : l ? 'left' : r ? 'right' : 'none';
}

/** Distributes predicates over a join according to its type; returns undefined when nothing can move. */
function pushIntoJoin(j: Join, above: readonly Expr[]): LogicalPlan | undefined {
  const L = ids(j.left.schema);
  const R = ids(j.right.schema);
  const toLeft: Expr[] = [];
  const toRight: Expr[] = [];
  const cond: Expr[] = [];
  const stay: Expr[] = [];
  const own = conjuncts(j.condition);
  const t = j.joinType;
  for (const e of above) {
    const s = side(e, L, R);
    const volatile = isVolatile(e);
    if (t === 'inner' || t === 'cross') {
      if (volatile) stay.push(e);
      else if (s === 'left' || s === 'none') toLeft.push(e);
      else if (s === 'right') toRight.push(e);
      else cond.push(e);
    } else if ((t === 'left' || t === 'semi' || t === 'anti' || t === 'single') && (s === 'left' || s === 'none') && !volatile) toLeft.push(e);
    else if (t === 'right' && (s === 'right' || s === 'none') && !volatile) toRight.push(e);
    else stay.push(e);
  }
  for (const e of own) {
    const s = side(e, L, R);
    if (isVolatile(e)) cond.push(e);
    else if (t === 'inner' || t === 'cross' || t === 'semi') {
      if (s === 'left') toLeft.push(e);
      else if (s === 'right') toRight.push(e);
      else cond.push(e);
    } else if ((t === 'left' || t === 'anti' || t === 'single') && s === 'right') toRight.push(e);
    else if (t === 'right' && s === 'left') toLeft.push(e);
    else cond.push(e);
  }
  if (toLeft.length === 0 && toRight.length === 0 && (t !== 'inner' && t !== 'cross' ? true : cond.length === own.length) && stay.length === above.length) {
    return undefined;
  }
  const type = t === 'cross' && cond.length > 0 ? 'inner' : t === 'inner' && cond.length === 0 ? 'cross' : t;
  const next = join(type, withFilter(j.left, toLeft), withFilter(j.right, toRight), conjoin(cond));
  return withFilter(next, stay);
}

function pushFilter(f: Extract<LogicalPlan, { kind: 'filter' }>): LogicalPlan | undefined {
  const preds = conjuncts(f.predicate);
  const input = f.input;
  switch (input.kind) {
    case 'filter':
      return filter(input.input, conjoin([...conjuncts(input.predicate), ...preds])!);
    case 'join':
      return pushIntoJoin(input, preds);
    case 'project': {
      // Substitute the projection's expressions; window-free and deterministic items only.
      const map = new Map<ColumnId, Expr>();
      for (const i of input.items) if (!isVolatile(i.expr)) map.set(i.column.id, i.expr);
      const down: Expr[] = [];
      const stay: Expr[] = [];
      for (const e of preds) {
        const cols = exprColumns(e);
        const out = ids(input.schema);
        if (!isVolatile(e) && [...cols].every((c) => !out.has(c) || map.has(c))) down.push(substitute(e, map));
        else stay.push(e);
      }
      if (down.length === 0) return undefined;
      return withFilter(withChildren(input, [withFilter(input.input, down)]), stay);
    }
    case 'aggregate': {
      if (input.groups.length === 0) return undefined;
      const map = new Map<ColumnId, Expr>(input.groups.map((g) => [g.column.id, g.expr]));
      const aggIds = new Set(input.aggregates.map((a) => a.column.id));
      const down: Expr[] = [];
      const stay: Expr[] = [];
      for (const e of preds) {
        if (!isVolatile(e) && !intersects(exprColumns(e), aggIds)) down.push(substitute(e, map));
        else stay.push(e);
      }
      if (down.length === 0) return undefined;
      return withFilter(withChildren(input, [withFilter(input.input, down)]), stay);
    }
    case 'window': {
      // Only predicates on columns every window partitions by keep each partition whole.
      const partitionCols = input.windows
        .map((w) => new Set(w.call.partitionBy.flatMap((e) => (e.kind === 'column' ? [e.id] : []))))
        .reduce((a, b) => new Set([...a].filter((x) => b.has(x))));
      const winIds = new Set(input.windows.map((w) => w.column.id));
      const down: Expr[] = [];
      const stay: Expr[] = [];
      for (const e of preds) {
        const cols = exprColumns(e);
        if (!isVolatile(e) && !intersects(cols, winIds) && [...cols].every((c) => partitionCols.has(c) || !ids(input.input.schema).has(c))) down.push(e);
        else stay.push(e);
      }
      if (down.length === 0) return undefined;
      return withFilter(withChildren(input, [withFilter(input.input, down)]), stay);
    }
    case 'sort':
      return withChildren(input, [withFilter(input.input, preds)]);
    case 'distinct':
      if (input.on) return undefined;
      return withChildren(input, [withFilter(input.input, preds)]);
    case 'set-op': {
      if (preds.some(isVolatile)) return undefined;
      const side = (child: LogicalPlan): LogicalPlan => {
        const map = new Map<ColumnId, Expr>(input.schema.map((c, i) => {
          const src = child.schema[i]!;
          return [c.id, { kind: 'column', id: src.id, name: src.name, type: src.type, nullable: src.nullable }];
        }));
        return withFilter(child, preds.map((e) => substitute(e, map)));
      };
      return withChildren(input, [side(input.left), side(input.right)]);
    }
    default:
      return undefined;
  }
}

/**
 * A semi or anti join only filters rows of its left input: when its condition reads just one
 * input of an inner join below (or the preserved side of a left join), it moves onto that input,
 * where it shrinks the rows every later join handles and becomes part of that input for join ordering.
 * Only worth it when that input is no larger than the join's result (else the join filters better).
 */
function pushFilteringJoin(j: Join, cost: CostModel): LogicalPlan | undefined {
  const below = j.left;
  if (below.kind !== 'join' || !j.condition) return undefined;
  const t = below.joinType;
  if (t !== 'inner' && t !== 'cross' && t !== 'left') return undefined;
  const cols = exprColumns(j.condition);
  const reads = (side: LogicalPlan): boolean => intersects(cols, ids(side.schema));
  const leftOnly = reads(below.left) && !reads(below.right);
  const rightOnly = reads(below.right) && !reads(below.left) && t !== 'left';
  if (!leftOnly && !rightOnly) return undefined;
  if (cost.rows(leftOnly ? below.left : below.right) > cost.rows(below)) return undefined;
  const moved = join(j.joinType, leftOnly ? below.left : below.right, j.right, j.condition);
  return join(t, leftOnly ? moved : below.left, leftOnly ? below.right : moved, below.condition);
}

function pushNode(p: LogicalPlan, ctx: OptimizeContext): LogicalPlan | undefined {
  if (p.kind === 'filter') return pushFilter(p);
  if (p.kind === 'join' && (p.joinType === 'semi' || p.joinType === 'anti')) {
    const moved = pushFilteringJoin(p, ctx.cost);
    if (moved) return moved;
  }
  // Conditions of a join with no filter above still move into its inputs.
  if (p.kind === 'join' && p.condition) return pushIntoJoin(p, []);
  return undefined;
}

/** Rule push-down-filter. */
export const pushDownFilter: Rule = {
  name: 'push-down-filter',
  apply: (plan, ctx) => rewriteTopDown(plan, (p) => pushNode(p, ctx)),
};
