// Rule derive-disjunct-filters: a disjunction over several relations implies, for each relation that
// every branch constrains, the disjunction of those constraints alone. Adding that implied filter lets
// push-down apply it to the relation before the join (TPC-H Q19: each branch names a part brand and a
// lineitem quantity range, so parts and lineitems are both filtered before they meet). The original
// disjunction stays where it was: the derived filters only remove rows it would reject anyway.

import { exprColumns, type ColumnId, type Expr } from '../ir/expr.ts';
import { filter, join } from '../ir/build.ts';
import type { LogicalPlan } from '../ir/plan.ts';
import type { Rule } from './rule.ts';
import { conjoin, conjuncts, disjoin, disjuncts, exprKey, ids, isVolatile, transformUp } from './util.ts';

/** Column sets of the relations an inner-join tree combines (its non-join leaves). */
function relations(p: LogicalPlan, out: ReadonlySet<ColumnId>[]): ReadonlySet<ColumnId>[] {
  if (p.kind === 'join' && (p.joinType === 'inner' || p.joinType === 'cross')) {
    relations(p.left, out);
    relations(p.right, out);
  } else out.push(ids(p.schema));
  return out;
}

const within = (cols: ReadonlySet<ColumnId>, rel: ReadonlySet<ColumnId>): boolean => {
  if (cols.size === 0) return false;
  for (const c of cols) if (!rel.has(c)) return false;
  return true;
};

/** The filters `e` implies on single relations of `rels` (none when `e` is not a disjunction over several). */
function implied(e: Expr, rels: readonly ReadonlySet<ColumnId>[]): Expr[] {
  const branches = disjuncts(e);
  if (branches.length < 2 || isVolatile(e)) return [];
  const parts = branches.map((b) => conjuncts(b));
  const out: Expr[] = [];
  for (const rel of rels) {
    if (within(exprColumns(e), rel)) return [];
    const narrowed: Expr[] = [];
    for (const cs of parts) {
      const mine = cs.filter((c) => within(exprColumns(c), rel));
      if (mine.length === 0) break;
      narrowed.push(conjoin(mine)!);
    }
    if (narrowed.length === branches.length) out.push(disjoin(narrowed));
  }
  return out;
}

/** The predicate with the filters its disjunctions imply appended; undefined when there are none new. */
function withImplied(pred: Expr, rels: readonly ReadonlySet<ColumnId>[]): Expr | undefined {
  if (rels.length < 2) return undefined;
  const cs = conjuncts(pred);
  const known = new Set(cs.map(exprKey));
  const added: Expr[] = [];
  for (const c of cs)
    for (const d of implied(c, rels)) {
      const k = exprKey(d);
      if (known.has(k)) continue;
      known.add(k);
      added.push(d);
    }
  return added.length === 0 ? undefined : conjoin([...cs, ...added]);
}

export const deriveDisjunctFilters: Rule = {
  name: 'derive-disjunct-filters',
  apply(plan) {
    let changed = false;
    const next = transformUp(plan, (p) => {
      if (p.kind === 'filter') {
        const pred = withImplied(p.predicate, relations(p.input, []));
        if (!pred) return p;
        changed = true;
        return filter(p.input, pred);
      }
      if (p.kind === 'join' && p.joinType === 'inner' && p.condition) {
        const cond = withImplied(p.condition, [...relations(p.left, []), ...relations(p.right, [])]);
        if (!cond) return p;
        changed = true;
        return join('inner', p.left, p.right, cond);
      }
      return p;
    });
    return changed ? next : undefined;
  },
};
