// LIVE [DIFF] SELECT: the bound query becomes a live-query plan over its one table.

import { diagnostic, type Diagnostic } from '../../diagnostics/index.ts';
import { liveQuery } from '../../ir/build.ts';
import { children, type LogicalPlan } from '../../ir/plan.ts';
import type { LiveSpec } from './ast.ts';

/**
 * Wraps a query in a LiveQuery node. A live query watches one table through a filter and a projection:
 * each change to a row is checked and projected on its own, so joins, grouping, ordering, limits and
 * windows (which need the other rows) are refused.
 */
export function applyLive(plan: LogicalPlan, live: LiveSpec): { plan?: LogicalPlan; diagnostics: Diagnostic[] } {
  const tables: string[] = [];
  let refused: string | undefined;
  const walk = (p: LogicalPlan): void => {
    if (p.kind === 'scan') tables.push(p.table.name);
    else if (p.kind !== 'filter' && p.kind !== 'project') refused ??= p.kind;
    children(p).forEach(walk);
  };
  walk(plan);
  if (refused !== undefined || tables.length !== 1) {
    const what = tables.length !== 1 ? 'exactly one table' : `no ${refused}`;
    return { diagnostics: [diagnostic('feature_not_supported', `LIVE SELECT reads one table through WHERE and a projection (${what})`, live.span)] };
  }
  return { plan: liveQuery(plan, tables[0]!, live.diff), diagnostics: [] };
}
