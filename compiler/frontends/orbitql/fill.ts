// GROUP BY time_bucket(…) FILL (…): the bound aggregate gets a GapFill node above it.

import type { Catalog } from '../../catalog/index.ts';
import { bindStatement } from '../../bind/index.ts';
import { diagnostic, type Diagnostic, type Span } from '../../diagnostics/index.ts';
import { gapFill, project, withChildren } from '../../ir/build.ts';
import { cast, type Column, type ColumnId, type Expr, type Literal } from '../../ir/expr.ts';
import { children, type Aggregate, type FillMode, type LogicalPlan } from '../../ir/plan.ts';
import { isNumeric, typeName, type Interval } from '../../ir/types.ts';
import { foldExpr } from '../../optimize/fold-constants.ts';
import { parseStatement } from '../sql/parse.ts';
import type { FillSpec } from './ast.ts';

const US_PER_DAY = 86_400_000_000;

/**
 * The plan with gap filling over its (first) aggregate: the aggregate's `time_bucket(step, …)` group is
 * the time, its other groups partition the rows, and every aggregate column is filled as `fill` says.
 */
export function applyFill(plan: LogicalPlan, fill: FillSpec, catalog: Catalog): { plan?: LogicalPlan; diagnostics: Diagnostic[] } {
  const agg = findAggregate(plan);
  const fail = (code: 'grouping_error' | 'invalid_parameter_value' | 'datatype_mismatch', what: string) => ({ diagnostics: [diagnostic(code, what, fill.span)] });
  if (!agg) return fail('grouping_error', 'FILL needs a GROUP BY on time_bucket(…)');
  const bucket = agg.groups.find((g) => g.expr.kind === 'call' && g.expr.fn === 'time_bucket');
  if (!bucket || bucket.expr.kind !== 'call') return fail('grouping_error', 'FILL needs a GROUP BY on time_bucket(…)');
  const width = foldExpr(bucket.expr.args[0]!);
  const iv = width.kind === 'literal' ? (width.value as Interval | null) : null;
  if (!iv) return fail('invalid_parameter_value', 'FILL needs a constant time_bucket width');
  const step = iv.days * US_PER_DAY + iv.micros;
  if (iv.months !== 0 || step <= 0) return fail('invalid_parameter_value', 'FILL needs a time_bucket width of fixed, positive length (no months or years)');

  const targets = agg.aggregates.map((a) => a.column);
  let modes: FillMode[];
  if (fill.mode === 'value') {
    const values = fillValues(fill, targets, catalog);
    if ('diagnostics' in values) return values;
    modes = values.literals.map((value) => ({ kind: 'value', value }));
  } else {
    if (fill.mode === 'linear') {
      const bad = targets.find((c) => !isNumeric(c.type));
      if (bad) return fail('datatype_mismatch', `FILL (linear) needs numeric aggregates; "${bad.name}" is ${typeName(bad.type)}`);
    }
    modes = targets.map(() => ({ kind: fill.mode as 'null' | 'previous' | 'linear' }));
  }
  const filled = gapFill(agg, {
    time: bucket.column,
    step,
    partition: agg.groups.filter((g) => g !== bucket).map((g) => g.column),
    fills: targets.map((column, i) => ({ column, mode: modes[i]! })),
  });
  return { plan: replaceNode(plan, agg, filled, new Set(targets.map((c) => c.id))), diagnostics: [] };
}

/** The aggregate of the query's own SELECT: under its sort, limit, distinct, projection and HAVING filter. */
function findAggregate(p: LogicalPlan): Aggregate | undefined {
  switch (p.kind) {
    case 'aggregate':
      return p;
    case 'project':
    case 'filter':
    case 'sort':
    case 'limit':
    case 'distinct':
    case 'window':
      return findAggregate(p.input);
    default:
      return undefined;
  }
}

/**
 * `p` with `from` replaced by `to`. Filled columns may now be NULL, so projections above that pass them
 * through say so too (other nodes take their schema from their input).
 */
function replaceNode(p: LogicalPlan, from: LogicalPlan, to: LogicalPlan, filled: ReadonlySet<ColumnId>): LogicalPlan {
  if (p === from) return to;
  const kids = children(p);
  const next = kids.map((k) => replaceNode(k, from, to, filled));
  if (next.every((k, i) => k === kids[i])) return p;
  if (p.kind !== 'project') return withChildren(p, next);
  return project(
    next[0]!,
    p.items.map((i) => (i.expr.kind === 'column' && filled.has(i.expr.id) ? { column: { ...i.column, nullable: true }, expr: { ...i.expr, nullable: true } } : i)),
  );
}

/** The FILL constant as a literal of each filled column's type. */
function fillValues(fill: FillSpec, targets: readonly Column[], catalog: Catalog): { literals: Literal[] } | { diagnostics: Diagnostic[] } {
  const sql = `SELECT ${fill.valueSql ?? 'NULL'}`;
  const parsed = parseStatement(sql);
  const at = (): Span => fill.span;
  if (!parsed.ast) return { diagnostics: parsed.diagnostics.map((d) => ({ ...d, span: at() })) };
  const r = bindStatement(parsed.ast, sql, catalog);
  if (!r.bound) return { diagnostics: r.diagnostics.map((d) => ({ ...d, span: at() })) };
  const value: Expr | undefined = r.bound.kind === 'query' && r.bound.plan.kind === 'project' ? r.bound.plan.items[0]?.expr : undefined;
  const literals: Literal[] = [];
  for (const c of targets) {
    const folded = value ? foldExpr(value.type.kind === c.type.kind ? value : cast(value, c.type, false)) : undefined;
    if (folded?.kind !== 'literal') {
      return { diagnostics: [diagnostic('datatype_mismatch', `FILL value must be a constant that converts to ${typeName(c.type)} (column "${c.name}")`, fill.span)] };
    }
    literals.push({ ...folded, type: c.type });
  }
  return { literals };
}
