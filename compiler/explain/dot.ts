// EXPLAIN as a Graphviz digraph: one box per operator, edges from inputs to their consumer.

import type { PhysicalPlan, PhysicalQuery } from '../physical/plan.ts';
import { formatEstimate } from './text.ts';
import { nodeDetails, nodeTitle, physicalChildren, subplanIds, type ExplainOptions } from './nodes.ts';

const escape = (s: string): string => s.replaceAll('\\', '\\\\').replaceAll('"', '\\"');

/** `dot -Tsvg` input; node names are `n<pre-order index>`. */
export function explainDot(q: PhysicalQuery, options: ExplainOptions = {}): string {
  const lines = ['digraph plan {', '  rankdir=BT;', '  node [shape=box, fontname="monospace", fontsize=10];'];
  let index = 0;
  const walk = (p: PhysicalPlan): string => {
    const n = index++;
    const name = `n${n}`;
    const a = options.actual?.get(n);
    const label = [nodeTitle(p), ...nodeDetails(p).map(([k, v]) => `${k}: ${v}`), formatEstimate(p), ...(a ? [`actual rows=${a.actualRows} batches=${a.batches} time=${a.timeMs.toFixed(3)}ms`] : [])];
    lines.push(`  ${name} [label="${label.map(escape).join('\\l')}\\l"];`);
    for (const k of physicalChildren(p)) lines.push(`  ${walk(k)} -> ${name};`);
    return name;
  };
  walk(q.plan);
  for (const id of subplanIds(q)) {
    const root = walk(q.subplans[id]!);
    lines.push(`  ${root} [xlabel="SubPlan #${id}"];`);
  }
  lines.push('}');
  return lines.join('\n');
}
