// Rule prune-columns: every node keeps only the columns something above it reads; scans read fewer columns, unused projections, aggregates and windows disappear.

import { aggregate, join, project, scan, window } from '../ir/build.ts';
import { exprColumns, type ColumnId, type Expr } from '../ir/expr.ts';
import { children, type LogicalPlan } from '../ir/plan.ts';
import { forEachNodeExpr } from '../ir/print.ts';
import type { Rule } from './rule.ts';
import { replaceChildren, substitute } from './util.ts';

/** Columns the node's own expressions read. */
function ownColumns(p: LogicalPlan, out: Set<ColumnId>): Set<ColumnId> {
  forEachNodeExpr(p, (e) => exprColumns(e, out));
  return out;
}

/** Same columns in the same order: a projection that only passes its input through. */
function isIdentity(p: Extract<LogicalPlan, { kind: 'project' }>): boolean {
  const s = p.input.schema;
  return p.items.length === s.length && p.items.every((i, k) => i.expr.kind === 'column' && i.expr.id === i.column.id && s[k]!.id === i.column.id && s[k]!.name === i.column.name);
}

/**
 * Project over Project becomes one projection when no computed inner item would be evaluated twice.
 */
function mergeProjections(p: Extract<LogicalPlan, { kind: 'project' }>): LogicalPlan | undefined {
  const inner = p.input;
  if (inner.kind !== 'project') return undefined;
  const uses = new Map<ColumnId, number>();
  for (const i of p.items) for (const c of exprColumns(i.expr)) uses.set(c, (uses.get(c) ?? 0) + 1);
  const map = new Map<ColumnId, Expr>();
  for (const i of inner.items) {
    if (i.expr.kind !== 'column' && (uses.get(i.column.id) ?? 0) > 1) return undefined;
    map.set(i.column.id, i.expr);
  }
  return project(inner.input, p.items.map((i) => ({ column: i.column, expr: substitute(i.expr, map) })));
}

/**
 * Prunes below `p` to the `required` columns. With `exact`, the node must keep its schema as is
 * (the root, and inputs read by position: set operations, INSERT sources, recursive CTEs);
 * otherwise consumers read by id, so pass-through projections can disappear.
 */
function prune(p: LogicalPlan, required: ReadonlySet<ColumnId>, exact = false): LogicalPlan {
  switch (p.kind) {
    case 'scan': {
      let cols = p.columns.filter((c) => required.has(c.id));
      // Something must still count rows (count(*), EXISTS): keep the first column.
      if (cols.length === 0) cols = p.columns.slice(0, 1);
      return cols.length === p.columns.length ? p : scan(p.table, p.alias, cols, p.access);
    }
    case 'project': {
      const items = p.items.filter((i) => required.has(i.column.id));
      // Nothing read above (count(*)): the input only has to deliver its rows.
      if (items.length === 0 && !exact) return prune(p.input, required);
      const kept = items.length === 0 ? p.items.slice(0, 1) : items;
      const need = new Set<ColumnId>();
      for (const i of kept) exprColumns(i.expr, need);
      const input = prune(p.input, need);
      if (!exact && kept.every((i) => i.expr.kind === 'column' && i.expr.id === i.column.id)) return input;
      const next = kept.length === p.items.length && input === p.input ? p : project(input, kept);
      if (isIdentity(next)) return next.input;
      return mergeProjections(next) ?? next;
    }
    case 'aggregate': {
      let aggs = p.aggregates.filter((a) => required.has(a.column.id));
      if (aggs.length === 0 && p.groups.length === 0) aggs = p.aggregates.slice(0, 1);
      const trimmed = aggs.length === p.aggregates.length ? p : aggregate(p.input, p.groups, aggs);
      const input = prune(p.input, ownColumns(trimmed, new Set()));
      return input === p.input && trimmed === p ? p : aggregate(input, p.groups, aggs);
    }
    case 'window': {
      const wins = p.windows.filter((w) => required.has(w.column.id));
      if (wins.length === 0) return prune(p.input, required);
      const trimmed = wins.length === p.windows.length ? p : window(p.input, wins);
      const need = ownColumns(trimmed, new Set(required));
      const input = prune(p.input, need, exact);
      return input === p.input && trimmed === p ? p : window(input, wins);
    }
    case 'join': {
      const need = ownColumns(p, new Set(required));
      const left = prune(p.left, need, exact);
      const right = prune(p.right, need, exact);
      return left === p.left && right === p.right ? p : join(p.joinType, left, right, p.condition);
    }
    case 'filter':
    case 'sort': {
      const need = ownColumns(p, new Set(required));
      return replaceChildren(p, [prune(p.input, need, exact)]);
    }
    case 'limit':
      return replaceChildren(p, [prune(p.input, required, exact)]);
    case 'distinct': {
      // Plain DISTINCT compares every column, so all are needed.
      const need = p.on ? ownColumns(p, new Set(required)) : new Set(p.schema.map((c) => c.id));
      return replaceChildren(p, [prune(p.input, need, exact)]);
    }
    default: {
      // Set operations, writes and recursive CTEs read their inputs positionally or whole.
      const kids = children(p);
      return kids.length ? replaceChildren(p, kids.map((k) => prune(k, new Set(k.schema.map((c) => c.id)), true))) : p;
    }
  }
}

/** Rule prune-columns. */
export const pruneColumns: Rule = {
  name: 'prune-columns',
  apply: (plan) => {
    const out = prune(plan, new Set(plan.schema.map((c) => c.id)), true);
    return out === plan ? undefined : out;
  },
};
