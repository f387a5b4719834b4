// The compile pipeline for SQL scripts: parse → bind → optimize → physical, per statement, reporting diagnostics instead of throwing.

import type { Catalog } from './catalog/index.ts';
import { CompilerBug, diagnostic, type Diagnostic, type Span } from './diagnostics/index.ts';
import { bindStatement } from './bind/index.ts';
import { parseSql, splitStatements } from './frontends/sql/index.ts';
import type { BoundStatement, LogicalPlan } from './ir/plan.ts';
import type { DataType } from './ir/types.ts';
import { CostModel } from './optimize/cost.ts';
import { optimize as optimizePlan, type OptimizeOptions } from './optimize/index.ts';
import type { PhysicalQuery } from './physical/plan.ts';
import { planPhysical as planPhysicalQuery, type PlanPhysicalOptions } from './physical/planner.ts';

/** The outcome of compiling one statement of a script; later stages are absent after an error. */
export interface CompiledStatement {
  readonly text: string;
  readonly span: Span;
  readonly bound?: BoundStatement;
  /** The bound query plan (for EXPLAIN, the explained statement's plan). */
  readonly logical?: LogicalPlan;
  readonly optimized?: LogicalPlan;
  readonly physical?: PhysicalQuery;
  readonly diagnostics: readonly Diagnostic[];
}

export interface CompileOptions {
  /** Types of `$1…$n` fixed by the caller; others are inferred by the binder. */
  readonly paramTypes?: readonly DataType[];
  /** Stop after binding (`false`) — the LSP only needs diagnostics. Default true. */
  readonly plan?: boolean;
}

/** Optimizes a bound plan against the catalog's statistics. */
export function optimize(plan: LogicalPlan, catalog: Catalog, options?: OptimizeOptions): LogicalPlan {
  return optimizePlan(plan, catalog, options);
}

/** Chooses physical operators for an optimized plan. */
export function planPhysical(plan: LogicalPlan, params: readonly DataType[] = [], options?: PlanPhysicalOptions): PhysicalQuery {
  return planPhysicalQuery(plan, params, options);
}

/** The plan a bound statement runs, if it runs one (EXPLAIN looks through to its statement). */
function queryOf(b: BoundStatement): { plan: LogicalPlan; params: readonly DataType[] } | undefined {
  switch (b.kind) {
    case 'query':
      return { plan: b.plan, params: b.params };
    case 'explain':
      return queryOf(b.statement);
    case 'create-table':
      return b.asQuery ? { plan: b.asQuery, params: [] } : undefined;
    case 'copy':
      return { plan: b.plan, params: b.params };
    default:
      return undefined;
  }
}

/** Plans one bound statement; an internal failure becomes an `internal_error` diagnostic so tools keep going. */
function planStatement(b: BoundStatement, catalog: Catalog, span: Span): Pick<CompiledStatement, 'logical' | 'optimized' | 'physical'> & { diagnostics: Diagnostic[] } {
  const q = queryOf(b);
  if (!q) return { diagnostics: [] };
  try {
    const cost = new CostModel();
    const optimized = optimizePlan(q.plan, catalog, { cost });
    const physical = planPhysicalQuery(optimized, q.params, { cost });
    return { logical: q.plan, optimized, physical, diagnostics: [] };
  } catch (e) {
    if (!(e instanceof CompilerBug)) throw e;
    return { logical: q.plan, diagnostics: [diagnostic('internal_error', e.message, span)] };
  }
}

/**
 * Compiles every statement of a script. Never throws for a user's mistake: a statement that fails
 * to parse or bind comes back with its diagnostics and without the later stages.
 */
export function compileSql(source: string, catalog: Catalog, options: CompileOptions = {}): CompiledStatement[] {
  const parsed = parseSql(source);
  const out: CompiledStatement[] = [];
  const ranges = parsed.diagnostics.length ? splitStatements(source) : [];
  for (const d of parsed.diagnostics) {
    // Report the failed statement's whole range, not only the token the error points at.
    const r = ranges.find((x) => x.start <= d.span.start && d.span.start <= x.end) ?? d.span;
    out.push({ text: source.slice(r.start, r.end), span: { start: r.start, end: r.end }, diagnostics: [d] });
  }
  for (const s of parsed.statements) {
    const bound = bindStatement(s.ast, source, catalog, options.paramTypes ? { paramTypes: options.paramTypes } : {});
    if (!bound.bound) {
      out.push({ text: s.text, span: s.span, diagnostics: bound.diagnostics });
      continue;
    }
    const planned = options.plan === false ? { diagnostics: [] } : planStatement(bound.bound, catalog, s.span);
    out.push({
      text: s.text,
      span: s.span,
      bound: bound.bound,
      ...(planned.logical ? { logical: planned.logical } : {}),
      ...(planned.optimized ? { optimized: planned.optimized } : {}),
      ...(planned.physical ? { physical: planned.physical } : {}),
      diagnostics: [...bound.diagnostics, ...planned.diagnostics],
    });
  }
  return out.sort((a, b) => a.span.start - b.span.start);
}
