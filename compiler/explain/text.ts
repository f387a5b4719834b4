// EXPLAIN as text: an indented operator tree with estimates (and measurements under ANALYZE), in the spirit of PostgreSQL's.

import type { PhysicalPlan, PhysicalQuery } from '../physical/plan.ts';
import { nodeDetails, nodeTitle, physicalChildren, subplanIds, type ExplainOptions } from './nodes.ts';

/** `1234` rows and `56.78` cost, as printed beside every node. */
export const formatEstimate = (p: PhysicalPlan): string => `rows=${p.est.rows} cost=${p.est.cost.toFixed(2)}`;

/**
 * One node per line: `Hash Join (inner) on a#1 = b#2 (rows=10 cost=25.00)`, children indented
 * under `->`; subplans follow as `SubPlan #n`. With `actual`, measured rows, batches and time
 * are printed beside the estimates.
 */
export function explainText(q: PhysicalQuery, options: ExplainOptions = {}): string {
  const lines: string[] = [];
  let index = 0;
  const walk = (p: PhysicalPlan, depth: number): void => {
    const n = index++;
    const details = nodeDetails(p).map(([k, v]) => `${k === 'predicate' || k === 'items' ? '' : `${k} `}${v}`).join(' ');
    const a = options.actual?.get(n);
    const actual = a ? ` (actual rows=${a.actualRows} batches=${a.batches} time=${a.timeMs.toFixed(3)}ms)` : '';
    const prefix = depth === 0 ? '' : `${'   '.repeat(depth - 1)}-> `;
    lines.push(`${prefix}${nodeTitle(p)}${details ? ` ${details}` : ''} (${formatEstimate(p)})${actual}`);
    for (const k of physicalChildren(p)) walk(k, depth + 1);
  };
  walk(q.plan, 0);
  for (const id of subplanIds(q)) {
    lines.push(`SubPlan #${id}`);
    walk(q.subplans[id]!, 1);
  }
  return lines.join('\n');
}
