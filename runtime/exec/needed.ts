// Which output columns of each join its consumers read. A join copies both sides' columns for
// every matched pair; columns only the join itself needed (its keys) or that no consumer reads
// (a scan's filter-only column) need not be copied: the join puts the UNREAD placeholder there.
//
// Needs flow top-down from the statement's roots: a projection or an aggregate reads only the
// columns of its expressions, a filter or a sort passes its consumers' needs through plus what it
// reads itself, a join splits its needs between its sides and adds its keys. Any other node needs
// all of its input's columns, so a placeholder never reaches a node that would read it.

import { exprColumns, type Expr, type Schema } from '../../compiler/ir/expr.ts';
import { physicalChildren } from '../../compiler/explain/index.ts';
import type { PhysicalPlan, PhysicalQuery } from '../../compiler/physical/plan.ts';

/** For each join whose consumers read only some of its output columns: 1 for the columns read. */
export type JoinNeeds = ReadonlyMap<PhysicalPlan, Uint8Array>;

/** Marks in `need` the columns of `schema` (at `offset`) that expressions `es` read. */
function reads(es: readonly (Expr | undefined)[], schema: Schema, need: Uint8Array, offset = 0): Uint8Array {
  const at = new Map(schema.map((c, i) => [c.id, i + offset]));
  for (const e of es) {
    if (e === undefined) continue;
    for (const id of exprColumns(e)) {
      const i = at.get(id);
      if (i !== undefined) need[i] = 1;
    }
  }
  return need;
}

export function joinNeeds(q: PhysicalQuery): JoinNeeds {
  const out = new Map<PhysicalPlan, Uint8Array>();
  const seen = new Set<PhysicalPlan>();
  /** `need` null: every output column of `p` is read. */
  const visit = (p: PhysicalPlan, reached: Uint8Array | null): void => {
    // A node reached twice (a shared subtree) keeps all its columns: no union bookkeeping.
    const need = seen.has(p) ? null : reached;
    seen.add(p);
    if (need === null) out.delete(p);
    switch (p.kind) {
      case 'filter':
        return visit(p.input, need === null ? null : reads([p.predicate], p.input.schema, need.slice()));
      case 'project':
        return visit(p.input, reads(p.items.map((i) => i.expr), p.input.schema, new Uint8Array(p.input.schema.length)));
      case 'hash-aggregate':
      case 'sort-aggregate': {
        const es = [...p.groups.map((g) => g.expr), ...p.aggregates.flatMap((a) => [...a.call.args, a.call.filter, ...a.call.orderBy.map((k) => k.expr)])];
        return visit(p.input, reads(es, p.input.schema, new Uint8Array(p.input.schema.length)));
      }
      case 'sort':
      case 'top-n':
        return visit(p.input, need === null ? null : reads(p.keys.map((k) => k.expr), p.input.schema, need.slice()));
      case 'limit':
        return visit(p.input, need);
      case 'hash-join':
      case 'merge-join':
      case 'nested-loop-join': {
        const L = p.left.schema.length;
        const R = p.right.schema.length;
        // Semi and anti joins output the left side only; their right side is read for matching.
        const leftOnly = p.joinType === 'semi' || p.joinType === 'anti';
        const all = need === null;
        if (!all) out.set(p, need);
        const both = new Uint8Array(L + R);
        if (all) both.fill(1, 0, leftOnly ? L : L + R);
        else both.set(need.subarray(0, leftOnly ? L : L + R));
        const combined = [...p.left.schema, ...p.right.schema];
        if (p.kind === 'nested-loop-join') reads([p.condition], combined, both);
        else {
          reads([p.residual], combined, both);
          reads(p.leftKeys, p.left.schema, both);
          reads(p.rightKeys, p.right.schema, both, L);
        }
        visit(p.left, both.slice(0, L));
        return visit(p.right, both.slice(L));
      }
      default:
        for (const k of physicalChildren(p)) visit(k, null);
    }
  };
  visit(q.plan, null);
  for (const sp of Object.values(q.subplans)) visit(sp, null);
  return out;
}
