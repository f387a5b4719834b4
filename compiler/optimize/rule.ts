// The optimizer rule contract, the context rules share, and traversal helpers for node-local rules.

import type { Catalog } from '../catalog/index.ts';
import type { ColumnId, Expr } from '../ir/expr.ts';
import { children, type LogicalPlan } from '../ir/plan.ts';
import type { CostModel } from './cost.ts';
import { mapNodeExprs, replaceChildren } from './util.ts';

/** What every rule may read: the catalog, the cost model and fresh-id counters for the statement. */
export interface OptimizeContext {
  readonly catalog: Catalog;
  readonly cost: CostModel;
  /** A column id not used anywhere in the statement yet. */
  newColumnId(): ColumnId;
}

/**
 * A rewrite rule: returns the rewritten plan, or undefined when it changed nothing. Rules must
 * keep the root's output schema (ids, names, types); the driver checks this after every rule.
 */
export interface Rule {
  readonly name: string;
  readonly apply: (plan: LogicalPlan, ctx: OptimizeContext) => LogicalPlan | undefined;
}

/**
 * Applies a node-local rewrite top-down: at each node `f` is applied until it returns undefined
 * (bounded), then the children are visited. Returns undefined when no node changed.
 */
export function rewriteTopDown(plan: LogicalPlan, f: (p: LogicalPlan) => LogicalPlan | undefined): LogicalPlan | undefined {
  let changed = false;
  const visit = (p: LogicalPlan): LogicalPlan => {
    let node = p;
    for (let i = 0; i < 32; i++) {
      const next = f(node);
      if (!next || next === node) break;
      changed = true;
      node = next;
    }
    const kids = children(node);
    return kids.length ? replaceChildren(node, kids.map(visit)) : node;
  };
  const out = visit(plan);
  return changed || out !== plan ? out : undefined;
}

/** Applies a node-local rewrite bottom-up (children first, then `f` once per node). */
export function rewriteBottomUp(plan: LogicalPlan, f: (p: LogicalPlan) => LogicalPlan | undefined): LogicalPlan | undefined {
  const visit = (p: LogicalPlan): LogicalPlan => {
    const kids = children(p);
    const node = kids.length ? replaceChildren(p, kids.map(visit)) : p;
    return f(node) ?? node;
  };
  const out = visit(plan);
  return out !== plan ? out : undefined;
}

/** Rewrites every expression held by the plan's nodes (not inside subquery plans); undefined when none changed. */
export function rewriteExprs(plan: LogicalPlan, f: (e: Expr) => Expr): LogicalPlan | undefined {
  return rewriteBottomUp(plan, (p) => {
    const next = mapNodeExprs(p, f);
    return next === p ? undefined : next;
  });
}
