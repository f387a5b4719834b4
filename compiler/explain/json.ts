// EXPLAIN (FORMAT JSON): the operator tree as plain JSON objects with estimates and optional measurements.

import type { PhysicalPlan, PhysicalQuery } from '../physical/plan.ts';
import { nodeDetails, nodeTitle, physicalChildren, subplanIds, type ExplainOptions } from './nodes.ts';

/** One node of the JSON form. */
export interface ExplainNode {
  readonly node: string;
  readonly kind: PhysicalPlan['kind'];
  readonly details: Readonly<Record<string, string>>;
  readonly output: readonly string[];
  readonly rows: number;
  readonly cost: number;
  readonly actualRows?: number;
  readonly batches?: number;
  readonly timeMs?: number;
  readonly children: readonly ExplainNode[];
}

/** The JSON object tree (main plan and subplans), numbered like `preorder`. */
export function explainTree(q: PhysicalQuery, options: ExplainOptions = {}): { plan: ExplainNode; subplans: Record<string, ExplainNode> } {
  let index = 0;
  const walk = (p: PhysicalPlan): ExplainNode => {
    const n = index++;
    const a = options.actual?.get(n);
    return {
      node: nodeTitle(p),
      kind: p.kind,
      details: Object.fromEntries(nodeDetails(p)),
      output: p.schema.map((c) => `${c.name}#${c.id}`),
      rows: p.est.rows,
      cost: p.est.cost,
      ...(a ? { actualRows: a.actualRows, batches: a.batches, timeMs: a.timeMs } : {}),
      children: physicalChildren(p).map(walk),
    };
  };
  const plan = walk(q.plan);
  const subplans: Record<string, ExplainNode> = {};
  for (const id of subplanIds(q)) subplans[String(id)] = walk(q.subplans[id]!);
  return { plan, subplans };
}

/** EXPLAIN as pretty-printed JSON text. */
export function explainJson(q: PhysicalQuery, options: ExplainOptions = {}): string {
  return JSON.stringify(explainTree(q, options), null, 2);
}
