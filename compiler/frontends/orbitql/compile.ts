// The compile pipeline for OrbitQL scripts: parse → lower (bind) → optimize → physical, per statement.

import type { Catalog } from '../../catalog/index.ts';
import { CompilerBug, diagnostic, type Diagnostic } from '../../diagnostics/index.ts';
import type { BoundStatement, LogicalPlan } from '../../ir/plan.ts';
import type { DataType } from '../../ir/types.ts';
import { optimize, planPhysical, type CompiledStatement } from '../../pipeline.ts';
import type { OrbitStatement } from './ast.ts';
import type { StatementCache } from './cache.ts';
import { lowerOrbitStatement } from './lower.ts';
import { parseOrbitQL } from './parse.ts';

/** One compiled OrbitQL statement: the pipeline's stages plus the statement's OrbitQL syntax. */
export interface CompiledOrbitStatement extends CompiledStatement {
  readonly statement?: OrbitStatement;
}

export interface CompileOrbitOptions {
  /** Types of the `$name` parameters in order of first use; others are inferred. */
  readonly paramTypes?: readonly DataType[];
  /** Stop after binding (`false`): the language service only needs diagnostics. Default true. */
  readonly plan?: boolean;
  /** Reuses the work on statements unchanged since the last compile with this cache (one catalog per cache). */
  readonly cache?: StatementCache;
}

/** The plan a bound statement runs, if any (EXPLAIN looks through to its statement). */
function queryOf(b: BoundStatement): { plan: LogicalPlan; params: readonly DataType[] } | undefined {
  if (b.kind === 'query') return { plan: b.plan, params: b.params };
  if (b.kind === 'explain') return queryOf(b.statement);
  return undefined;
}

/**
 * Compiles every statement of an OrbitQL script against `catalog`. Never throws for a user's mistake:
 * a statement that fails to parse or bind comes back with its diagnostics (spans into `source`).
 */
export function compileOrbitQL(source: string, catalog: Catalog, options: CompileOrbitOptions = {}): { statements: CompiledOrbitStatement[]; paramNames: string[] } {
  const parsed = parseOrbitQL(source, options.cache);
  const out: CompiledOrbitStatement[] = parsed.diagnostics.map((d) => ({ text: '', span: d.span, diagnostics: [d] }));
  for (const s of parsed.statements) {
    const lowered = lowerOrbitStatement(s, catalog, { ...(options.paramTypes ? { paramTypes: options.paramTypes } : {}), ...(options.cache ? { cache: options.cache } : {}) });
    const base = { text: s.text, span: s.span, statement: s };
    if (!lowered.bound) {
      out.push({ ...base, diagnostics: lowered.diagnostics });
      continue;
    }
    const diagnostics: Diagnostic[] = [...lowered.diagnostics];
    const q = options.plan === false ? undefined : queryOf(lowered.bound);
    if (!q) {
      out.push({ ...base, bound: lowered.bound, diagnostics });
      continue;
    }
    try {
      const optimized = optimize(q.plan, catalog);
      const physical = planPhysical(optimized, q.params);
      out.push({ ...base, bound: lowered.bound, logical: q.plan, optimized, physical, diagnostics });
    } catch (e) {
      if (!(e instanceof CompilerBug)) throw e;
      out.push({ ...base, bound: lowered.bound, logical: q.plan, diagnostics: [...diagnostics, diagnostic('internal_error', e.message, s.span)] });
    }
  }
  options.cache?.sweep();
  return { statements: out.sort((a, b) => a.span.start - b.span.start), paramNames: parsed.paramNames };
}
