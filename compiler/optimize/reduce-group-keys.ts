// Rule reduce-group-keys: a GROUP BY that holds a table's whole primary key needs no other column
// of that same table as a key — those columns are functionally dependent on the key, so they
// become any_value() aggregates and the hash table keys on fewer (often much narrower) values.

import { aggregate, project } from '../ir/build.ts';
import { colRef, type ColumnId } from '../ir/expr.ts';
import type { Aggregate, GroupItem, LogicalPlan, Scan } from '../ir/plan.ts';
import { children } from '../ir/plan.ts';
import { rewriteTopDown, type Rule } from './rule.ts';

/** Every scan below `p` by the ids of the columns it produces (ids are unique per statement). */
function scansById(p: LogicalPlan, out: Map<ColumnId, Scan>): Map<ColumnId, Scan> {
  if (p.kind === 'scan') for (const c of p.columns) out.set(c.id, p);
  for (const k of children(p)) scansById(k, out);
  return out;
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
  const dependent = new Set<GroupItem>();
  for (const [scan, items] of byScan) {
    const pk = scan.table.primaryKey;
    if (pk.length === 0 || !pk.every((k) => items.some((i) => i.name === k))) continue;
    for (const i of items) if (!pk.includes(i.name)) dependent.add(i.item);
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
