// Rule simplify-outer-joins: an outer join under a predicate that rejects its padded NULLs becomes an inner (or one-sided) join; one that keeps only them, an anti join.

import { filter, join, project } from '../ir/build.ts';
import { colRef, exprColumns, literal, type ColumnId, type Expr } from '../ir/expr.ts';
import type { Join, JoinType, LogicalPlan } from '../ir/plan.ts';
import { rewriteTopDown, type Rule } from './rule.ts';
import { conjoin, conjuncts, ids, intersects, rejectsNulls, replaceChildren } from './util.ts';

/** The join type once `preds` (evaluated above the join) have removed rows with NULL-padded sides. */
function narrowed(j: Join, preds: readonly Expr[]): JoinType {
  const t = j.joinType;
  if (t !== 'left' && t !== 'right' && t !== 'full') return t;
  const rejectsRight = (t === 'left' || t === 'full') && preds.some((e) => rejectsNulls(e, ids(j.right.schema)));
  const rejectsLeft = (t === 'right' || t === 'full') && preds.some((e) => rejectsNulls(e, ids(j.left.schema)));
  if (t === 'left') return rejectsRight ? 'inner' : t;
  if (t === 'right') return rejectsLeft ? 'inner' : t;
  if (rejectsLeft && rejectsRight) return 'inner';
  if (rejectsLeft) return 'left';
  if (rejectsRight) return 'right';
  return t;
}

function rewriteChild(child: LogicalPlan, preds: readonly Expr[]): LogicalPlan {
  if (child.kind !== 'join') return child;
  const t = narrowed(child, preds);
  return t === child.joinType ? child : join(t, child.left, child.right, child.condition);
}

/**
 * `L LEFT JOIN R ON c WHERE r IS NULL`, with `r` a column of R that cannot be NULL in a matched
 * row (declared NOT NULL, or compared by `c`), keeps exactly the unmatched rows: an anti join.
 * R's columns are all NULL in those rows, so a projection restores them as typed NULLs.
 */
function asAntiJoin(f: Extract<LogicalPlan, { kind: 'filter' }>): LogicalPlan | undefined {
  const j = f.input;
  if (j.kind !== 'join' || j.joinType !== 'left') return undefined;
  const right = ids(j.right.schema);
  const strictInCondition = new Set<ColumnId>();
  for (const c of conjuncts(j.condition)) {
    if (c.kind === 'call' && c.fn === '=') for (const a of c.args) if (a.kind === 'column' && right.has(a.id)) strictInCondition.add(a.id);
  }
  const preds = conjuncts(f.predicate);
  const test = preds.find((e) => {
    if (e.kind !== 'call' || e.fn !== 'is_null' || e.args[0]!.kind !== 'column') return false;
    const id = e.args[0]!.id;
    return strictInCondition.has(id) || j.right.schema.some((c) => c.id === id && !c.nullable);
  });
  if (!test) return undefined;
  const rest = preds.filter((e) => e !== test);
  if (rest.some((e) => intersects(exprColumns(e), right))) return undefined;
  const anti = join('anti', j.left, j.right, j.condition);
  const restored = project(anti, j.schema.map((c) => ({ column: c, expr: right.has(c.id) ? literal(null, c.type) : colRef(c) })));
  return rest.length ? filter(restored, conjoin(rest)!) : restored;
}

function simplifyNode(p: LogicalPlan): LogicalPlan | undefined {
  if (p.kind === 'filter') {
    const anti = asAntiJoin(p);
    if (anti) return anti;
    const next = rewriteChild(p.input, conjuncts(p.predicate));
    return next === p.input ? undefined : replaceChildren(p, [next]);
  }
  if (p.kind === 'join' && (p.joinType === 'inner' || p.joinType === 'semi') && p.condition) {
    // An inner join's condition filters both inputs' rows just like a WHERE above them would.
    const preds = conjuncts(p.condition);
    const left = rewriteChild(p.left, preds);
    const right = p.joinType === 'inner' ? rewriteChild(p.right, preds) : p.right;
    return left === p.left && right === p.right ? undefined : replaceChildren(p, [left, right]);
  }
  return undefined;
}

/** Rule simplify-outer-joins. */
export const simplifyOuterJoins: Rule = {
  name: 'simplify-outer-joins',
  apply: (plan) => rewriteTopDown(plan, simplifyNode),
};
