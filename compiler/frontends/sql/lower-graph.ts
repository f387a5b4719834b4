// Binds `graph_expand(start, 'edge', 'out' | 'in' | 'both', min, max)` in FROM to the IR's Expand node
// (`start` a record id or an array of them).
//
// This is how a graph walk reaches the logical plan from SQL text: OrbitQL's `->edge->` paths and
// TRAVERSE are written as this call (usually in a correlated subquery, `start` naming an outer column),
// and any SQL statement may use it too.

import { expand } from '../../ir/build.ts';
import type { Column, Expr } from '../../ir/expr.ts';
import type { Expand } from '../../ir/plan.ts';
import { T } from '../../ir/types.ts';
import type { TableInfo } from '../../catalog/index.ts';
import type { BindContext } from '../../bind/context.ts';
import { coerceTo, isError } from '../../bind/coerce.ts';
import type * as A from './ast.ts';

const DIRECTIONS = ['out', 'in', 'both'] as const;

/** True when `table` can be walked: text `in` and `out` columns, each the first column of an index. */
export function isEdgeTable(table: TableInfo): boolean {
  return (['in', 'out'] as const).every((side) => table.columns.some((c) => c.name === side && c.type.kind === 'utf8') && table.indexes.some((i) => i.columns[0] === side));
}

/**
 * The Expand node of a `graph_expand` call whose arguments are bound (`args`, spans from `call`), or
 * undefined after reporting what is wrong. Edge, direction and depths must be constants: they choose
 * the plan. Output columns are named from the alias's column list, else `id` and `depth`.
 */
export function bindGraphExpand(ctx: BindContext, call: A.FuncCallExpr, args: readonly Expr[], alias: A.TableAlias | undefined): Expand | undefined {
  const span = call.name.span;
  if (args.length < 3 || args.length > 5) {
    ctx.error('undefined_function', 'graph_expand: expected (start, edge, direction[, min_depth[, max_depth]])', span);
    return undefined;
  }
  const constant = (i: number): unknown => {
    const a = args[i]!;
    if (a.kind === 'literal') return a.value;
    if (a.kind === 'cast' && a.expr.kind === 'literal') return a.expr.value;
    return undefined;
  };
  const at = (i: number) => call.args[i]?.span ?? span;
  const edgeName = constant(1);
  const direction = constant(2);
  if (typeof edgeName !== 'string') {
    ctx.error('invalid_parameter_value', 'graph_expand: the edge table must be a constant name', at(1));
    return undefined;
  }
  if (typeof direction !== 'string' || !(DIRECTIONS as readonly string[]).includes(direction)) {
    ctx.error('invalid_parameter_value', "graph_expand: the direction must be 'out', 'in' or 'both'", at(2));
    return undefined;
  }
  const depth = (i: number, dflt: number): number | undefined => {
    if (i >= args.length) return dflt;
    const v = constant(i);
    const n = typeof v === 'bigint' ? Number(v) : typeof v === 'number' ? v : typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : NaN;
    if (Number.isInteger(n) && n >= 0) return n;
    ctx.error('invalid_parameter_value', 'graph_expand: depths must be constant whole numbers', at(i));
    return undefined;
  };
  const minDepth = depth(3, 1);
  const maxDepth = depth(4, minDepth ?? 1);
  if (minDepth === undefined || maxDepth === undefined) return undefined;
  if (maxDepth < minDepth) {
    ctx.error('invalid_parameter_value', `graph_expand: depth ${minDepth}..${maxDepth} is empty`, at(4));
    return undefined;
  }
  const rel = ctx.catalog.getRelation(undefined, edgeName.toLowerCase());
  if (!rel) {
    ctx.error('undefined_table', edgeName, at(1));
    return undefined;
  }
  if (rel.kind !== 'table' || !isEdgeTable(rel)) {
    ctx.error('wrong_object_type', `"${edgeName}" is not an edge table (it needs "in" and "out" columns, each indexed)`, at(1));
    return undefined;
  }
  // An array of record ids starts a walk from each (a step of a chained path starts where the last ended).
  const a0 = args[0]!;
  const start = a0.type.kind === 'list' && (a0.type.element.kind === 'utf8' || a0.type.element.kind === 'unknown') ? a0 : coerceTo(ctx, a0, T.text, 'implicit', at(0));
  if (!start || isError(start)) return undefined;
  const relName = alias?.name.name ?? 'graph_expand';
  const id: Column = ctx.column(alias?.columns[0]?.name ?? 'id', T.text, false, relName);
  const depthCol: Column = ctx.column(alias?.columns[1]?.name ?? 'depth', T.int32, false, relName);
  return expand({ edge: rel, direction: direction as Expand['direction'], start, minDepth, maxDepth, schema: [id, depthCol] });
}

/** The columns a failed `graph_expand` stands for, of the poison type. */
export function graphExpandPoison(ctx: BindContext, alias: A.TableAlias | undefined): Column[] {
  const relName = alias?.name.name ?? 'graph_expand';
  return [alias?.columns[0]?.name ?? 'id', alias?.columns[1]?.name ?? 'depth'].map((n) => ctx.column(n, { kind: 'error' }, true, relName));
}
