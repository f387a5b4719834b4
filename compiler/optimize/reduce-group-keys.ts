// Rule reduce-group-keys: a GROUP BY that holds a table's whole primary key (itself, or a column
// an inner join equates with it) needs no other column of that same table as a key — those
// columns are functionally dependent on the key, so they become any_value() aggregates and the
// hash table keys on fewer (often much narrower) values. Dependence follows joins: a customer
// key fixes c_nationkey, so it fixes the nation row an inner join matches on it (n_name).

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
  const eq = equalities(p.input, new Map());
  const root = (x: ColumnId): ColumnId => {
    let r = x;
    while (eq.has(r) && eq.get(r) !== r) r = eq.get(r)!;
    return r;
  };
  const scans = [...new Set(origin.values())];
  /** The ids of each scan's primary key columns (undefined when the key is not fully scanned). */
  const keyIds = new Map(
    scans.map((scan) => {
      const ids = scan.table.primaryKey.map((k) => scan.columns.find((c) => c.ordinal >= 0 && scan.table.columns.find((x) => x.ordinal === c.ordinal)?.name === k)?.id);
      return [scan, scan.table.primaryKey.length === 0 || ids.some((id) => id === undefined) ? undefined : (ids as ColumnId[])];
    }),
  );
  /**
   * The column ids (as equality roots) fixed in a group by `items`: theirs, then every column of a
   * scan whose primary key is fixed (customer's key fixes c_nationkey, which a join equates with
   * nation's key, which fixes n_name), to a fixpoint.
   */
  const fixedBy = (items: readonly GroupItem[]): Set<ColumnId> => {
    const fixed = new Set(items.flatMap((g) => (g.expr.kind === 'column' ? [root(g.expr.id)] : [])));
    for (let grew = true; grew; ) {
      grew = false;
      for (const scan of scans) {
        const key = keyIds.get(scan);
        if (!key || !key.every((id) => fixed.has(root(id)))) continue;
        for (const c of scan.columns) {
          const r = root(c.id);
          if (!fixed.has(r)) {
            fixed.add(r);
            grew = true;
          }
        }
      }
    }
    return fixed;
  };
  // Drop one key at a time, each justified by the keys that remain (two columns that fix each
  // other must not both go).
  let remaining = [...p.groups];
  const dependent = new Set<GroupItem>();
  for (let dropped = true; dropped; ) {
    dropped = false;
    for (const g of remaining) {
      if (g.expr.kind !== 'column') continue;
      const scan = origin.get(g.expr.id);
      const name = scan && columnName(scan, g.expr.id);
      if (!scan || !name || scan.table.primaryKey.includes(name) || !keyIds.get(scan)) continue;
      const others = remaining.filter((x) => x !== g);
      if (!fixedBy(others).has(root(g.expr.id))) continue;
      dependent.add(g);
      remaining = others;
      dropped = true;
      break;
    }
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
