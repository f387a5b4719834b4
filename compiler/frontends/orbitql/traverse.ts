// TRAVERSE … WHERE: the bound filter over the walk becomes the walk's own condition, so it prunes.

import { expand, withChildren } from '../../ir/build.ts';
import { children, type LogicalPlan } from '../../ir/plan.ts';

/**
 * Moves the WHERE of a TRAVERSE (bound as a Filter directly over its Expand) into the Expand, where a
 * record failing it is not walked on from: what lies beyond it is reached only along other edges.
 */
export function applyTraverseWhere(plan: LogicalPlan): LogicalPlan {
  if (plan.kind === 'filter' && plan.input.kind === 'expand' && !plan.input.where) {
    const { kind: _kind, ...walk } = plan.input;
    return expand({ ...walk, where: plan.predicate });
  }
  const kids = children(plan);
  if (kids.length === 0) return plan;
  const next = kids.map(applyTraverseWhere);
  return next.every((k, i) => k === kids[i]) ? plan : withChildren(plan, next);
}
