// Rule reduce-group-keys: a GROUP BY that holds a table's whole primary key (itself, or a column
// an inner join equates with it) needs no other column of that same table as a key — those
// columns are functionally dependent on the key, so they become any_value() aggregates and the
// hash table keys on fewer (often much narrower) values.

import { aggregate, project } from '../ir/build.ts';
import { colRef, type ColumnId, type Expr } from '../ir/expr.ts';
import type { Aggregate, GroupItem, LogicalPlan, Scan } from '../ir/plan.ts';
import { children } from '../ir/plan.ts';
import { rewriteTopDown, type Rule } from './rule.ts';
import { conjuncts } from './util.ts';

/** Every scan below `p` by the ids of the columns it produces (ids are unique per statement). */
function scansById(p: LogicalPlan, out: Map<ColumnId, Scan>): Map<ColumnId, Scan> {
  if (p.kind === 'scan') for (const c of p.columns) out.set(c.id, p);
  for (const k of children(p)) scansById(k, out);
  return out;
}

/**
 * Column ids known equal in every row `p` produces: the `a = b` conjuncts of inner joins and
 * filters, through projections (outer joins and everything that reshapes rows stop the search).
 */
function equalities(p: LogicalPlan, eq: Map<ColumnId, ColumnId>): Map<ColumnId, ColumnId> {
  const root = (x: ColumnId): ColumnId => {
    let r = x;
    while (eq.has(r) && eq.get(r) !== r) r = eq.get(r)!;
    return r;
  };
  const note = (cond: Expr | undefined): void => {
    for (const c of conjuncts(cond)) {
      if (c.kind !== 'call' || c.fn !== '=' || c.args.length !== 2) continue;
      const [a, b] = c.args as [Expr, Expr];
      if (a.kind !== 'column' || b.kind !== 'column') continue;
      const ra = root(a.id);
      const rb = root(b.id);
      if (ra !== rb) eq.set(ra, rb);
    }
  };
  if (p.kind === 'join' && (p.joinType === 'inner' || p.joinType === 'cross')) {
    note(p.condition);
    equalities(p.left, eq);
    equalities(p.right, eq);
  } else if (p.kind === 'filter') {
    note(p.predicate);
    equalities(p.input, eq);
  } else if (p.kind === 'project') {
    // Same rows; the ids it passes through keep their equalities.
    equalities(p.input, eq);
  }
  return eq;
}

/** The stored column name of scan column `id`. */
function columnName(scan: Scan, id: ColumnId): string | undefined {
  const c = scan.columns.find((x) => x.id === id);
  if (!c || c.ordinal < 0) return undefined;
  return scan.table.columns.find((x) => x.ordinal === c.ordinal)?.name;
}

function reduce(p: LogicalPlan): LogicalPlan | undefined {
  if (p.kind !== 'aggregate' || p.groups.length < 2) return undefined;
  const origin = scansById(p.input, new Map());
  // Group keys that are plain columns of a scan, by scan.
  const byScan = new Map<Scan, { item: GroupItem; name: string }[]>();
  for (const g of p.groups) {
    if (g.expr.kind !== 'column') continue;
    const scan = origin.get(g.expr.id);
    const name = scan && columnName(scan, g.expr.id);
    if (!scan || !name) continue;
    const list = byScan.get(scan) ?? [];
    list.push({ item: g, name });
    byScan.set(scan, list);
  }
  // A key column counts as grouped when a group key equals it in every input row (join keys).
  const eq = equalities(p.input, new Map());
  const root = (x: ColumnId): ColumnId => {
    let r = x;
    while (eq.has(r) && eq.get(r) !== r) r = eq.get(r)!;
    return r;
  };
  const grouped = new Set(p.groups.flatMap((g) => (g.expr.kind === 'column' ? [root(g.expr.id)] : [])));
  const dependent = new Set<GroupItem>();
  for (const [scan, items] of byScan) {
    const pk = scan.table.primaryKey;
    const keyIds = pk.map((k) => scan.columns.find((c) => c.ordinal >= 0 && scan.table.columns.find((x) => x.ordinal === c.ordinal)?.name === k)?.id);
    if (pk.length === 0 || keyIds.some((id) => id === undefined || !grouped.has(root(id)))) continue;
    const keyItems = new Set(keyIds.flatMap((id) => p.groups.filter((g) => g.expr.kind === 'column' && root(g.expr.id) === root(id!))));
    for (const i of items) if (!pk.includes(i.name) && !keyItems.has(i.item)) dependent.add(i.item);
  }
  if (dependent.size === 0) return undefined;
  const reduced: Aggregate = aggregate(
    p.input,
    p.groups.filter((g) => !dependent.has(g)),
    [
      ...p.aggregates,
      ...[...dependent].map((g) => ({
        column: g.column,
        call: { fn: 'any_value', args: [g.expr], distinct: false, orderBy: [], type: g.column.type, nullable: g.column.nullable },
      })),
    ],
  );
  // The same columns in the original order: group keys first, as the plan above expects.
  return project(
    reduced,
    p.schema.map((c) => ({ column: c, expr: colRef(c) })),
  );
}

export const reduceGroupKeys: Rule = {
  name: 'reduce-group-keys',
  apply: (plan) => rewriteTopDown(plan, reduce),
};
