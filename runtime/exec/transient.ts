// Which plan nodes' output chunks are transient: dead once their consumer pulls the next one (or
// closes). Such a node may write each output chunk into the arrays of the previous one instead of
// new arrays (see GatherSlot in vector.ts): a hash join feeding an aggregate, a filter feeding a
// join's build. Fresh arrays cost a page fault per 4 KiB page on first write, and a statement that
// copies millions of join rows would otherwise pay for every page of them.
//
// The verdict flows top-down from the roots, whose chunks the caller keeps (false):
// - a hash aggregate (or a global one) copies what it needs from each chunk before pulling again (true), as does a
//   hash or nested-loop join's probe side (its output is gathered copies) and a hash join's build
//   side (collected into its own arrays chunk by chunk: see `collect`);
// - a filter or projection hands its input's vectors (or the whole chunk) on, so its input is
//   transient exactly when its own output is;
// - every other consumer may keep chunks (sort, window, merge join, limit, set operations…): false.
// A node several parents share is never transient.

import { physicalChildren } from '../../compiler/explain/index.ts';
import type { PhysicalPlan, PhysicalQuery } from '../../compiler/physical/plan.ts';

export function transientOutputs(q: PhysicalQuery): ReadonlySet<PhysicalPlan> {
  const parents = new Map<PhysicalPlan, number>();
  const count = (p: PhysicalPlan): void => {
    const n = parents.get(p) ?? 0;
    parents.set(p, n + 1);
    if (n === 0) for (const k of physicalChildren(p)) count(k);
  };
  const roots = [q.plan, ...Object.values(q.subplans)];
  for (const r of roots) count(r);

  const out = new Set<PhysicalPlan>();
  const visit = (p: PhysicalPlan, reached: boolean): void => {
    const t = reached && parents.get(p) === 1;
    if (t) out.add(p);
    switch (p.kind) {
      case 'filter':
      case 'project':
        return visit(p.input, t);
      case 'hash-aggregate':
        return visit(p.input, true);
      case 'sort-aggregate':
        // Without groups it is a hash aggregate of one group; with groups it keeps the last keys.
        return visit(p.input, p.groups.length === 0);
      case 'hash-join':
        visit(p.left, true);
        return visit(p.right, true);
      case 'nested-loop-join':
        visit(p.left, true);
        return visit(p.right, false);
      default:
        for (const k of physicalChildren(p)) visit(k, false);
    }
  };
  // Roots first counted once each; a root that is also some node's child keeps the count above 1.
  for (const r of roots) visit(r, false);
  return out;
}
