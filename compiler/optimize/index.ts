// The optimizer's public face: runs the rule phases to a fixpoint, checking the schema after every rule.

import type { Catalog } from '../catalog/index.ts';
import { CompilerBug } from '../diagnostics/index.ts';
import type { LogicalPlan } from '../ir/plan.ts';
import { CostModel } from './cost.ts';
import { decorrelateSubqueries } from './decorrelate-subqueries.ts';
import { deriveDisjunctFilters } from './derive-disjunct-filters.ts';
import { foldConstants } from './fold-constants.ts';
import { pruneColumns } from './prune-columns.ts';
import { pushDownFilter } from './push-down-filter.ts';
import { pushDownLimit } from './push-down-limit.ts';
import { reduceGroupKeys } from './reduce-group-keys.ts';
import { reorderJoins } from './reorder-joins.ts';
import type { OptimizeContext, Rule } from './rule.ts';
import { selectIndex } from './select-index.ts';
import { simplifyExpressions } from './simplify-expressions.ts';
import { simplifyOuterJoins } from './simplify-outer-joins.ts';
import { checkSameSchema, mapPlanExprs, mapSubqueryPlans, maxColumnId } from './util.ts';

export { CostModel, DEFAULT_EQ_SEL, DEFAULT_NDV, DEFAULT_RANGE_SEL, DEFAULT_ROWS, DEFAULT_SEL } from './cost.ts';
export type { OptimizeContext, Rule } from './rule.ts';
export {
  decorrelateSubqueries, deriveDisjunctFilters, foldConstants, pruneColumns, pushDownFilter, pushDownLimit, reduceGroupKeys, reorderJoins, selectIndex, simplifyExpressions, simplifyOuterJoins,
};

/** A group of rules applied in order, repeatedly until none changes the plan (or `once`). */
export interface Phase {
  readonly name: string;
  readonly rules: readonly Rule[];
  readonly once?: boolean;
}

/** Passes per phase before giving up on a fixpoint (rules are monotone, so this is a safety net). */
const MAX_PASSES = 8;

export const PHASES: readonly Phase[] = [
  { name: 'simplify', rules: [foldConstants, simplifyExpressions] },
  { name: 'decorrelate', rules: [decorrelateSubqueries] },
  { name: 'derive', rules: [deriveDisjunctFilters], once: true },
  { name: 'push-down', rules: [pushDownFilter, simplifyOuterJoins, foldConstants, simplifyExpressions] },
  { name: 'join-order', rules: [reorderJoins], once: true },
  { name: 'access', rules: [pushDownFilter, selectIndex, pushDownLimit] },
  { name: 'aggregate', rules: [reduceGroupKeys], once: true },
  { name: 'prune', rules: [pruneColumns], once: true },
];

export interface OptimizeOptions {
  /** Replaces the default phases (tests run single rules this way). */
  readonly phases?: readonly Phase[];
  /** Shares one cost model with the caller (the physical planner reuses its estimates). */
  readonly cost?: CostModel;
}

/** Makes the context for one statement: fresh column ids start above every id in the plan. */
export function createContext(plan: LogicalPlan, catalog: Catalog, cost: CostModel = new CostModel()): OptimizeContext {
  let next = maxColumnId(plan);
  return { catalog, cost, newColumnId: () => ++next };
}

/** Applies one rule and checks it kept the output schema; returns the (possibly unchanged) plan. */
export function applyRule(rule: Rule, plan: LogicalPlan, ctx: OptimizeContext): LogicalPlan | undefined {
  const out = rule.apply(plan, ctx);
  if (out) checkSameSchema(rule.name, plan.schema, out.schema);
  return out;
}

function runPhases(plan: LogicalPlan, ctx: OptimizeContext, phases: readonly Phase[]): LogicalPlan {
  let p = plan;
  for (const phase of phases) {
    for (let pass = 0; pass < (phase.once ? 1 : MAX_PASSES); pass++) {
      let changed = false;
      for (const rule of phase.rules) {
        const out = applyRule(rule, p, ctx);
        if (out) {
          p = out;
          changed = true;
        }
      }
      if (!changed) break;
    }
  }
  // Subqueries decorrelation could not remove are planned on their own, with the same phases.
  return mapPlanExprs(p, (e) => mapSubqueryPlans(e, (sp) => {
    const out = runPhases(sp, ctx, phases);
    checkSameSchema('optimize (subquery)', sp.schema, out.schema);
    return out;
  }));
}

/** Rejects trees that still carry the binder's poison type: only well-typed plans are optimized. */
function assertNoErrors(plan: LogicalPlan): void {
  for (const c of plan.schema) if (c.type.kind === 'error') throw new CompilerBug(`optimize called on a plan with an error-typed column ${c.name}`);
}

/** Optimizes a logical plan: same output schema, cheaper shape. Throws CompilerBug only on a broken rule. */
export function optimize(plan: LogicalPlan, catalog: Catalog, options: OptimizeOptions = {}): LogicalPlan {
  assertNoErrors(plan);
  const ctx = createContext(plan, catalog, options.cost);
  return runPhases(plan, ctx, options.phases ?? PHASES);
}
