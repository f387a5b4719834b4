// Public face of the binder: SQL statements to typed, bound statements, plus the services front ends lower with.

import type { Catalog } from '../catalog/index.ts';
import type { Diagnostic } from '../diagnostics/index.ts';
import type { BoundStatement } from '../ir/plan.ts';
import type { DataType } from '../ir/types.ts';
import type { Statement } from '../frontends/sql/ast.ts';
import { lowerStatement } from '../frontends/sql/lower.ts';
import { BindContext } from './context.ts';

export { BindContext } from './context.ts';
export { Scope, lookupColumn, type ScopeColumn, type ScopeRelation, type Lookup } from './scope.ts';
export { coerceTo, applyOverloads, unify, type CoerceMode } from './coerce.ts';
export { resolveTypeName, type ResolvedType } from './type-name.ts';
export { exprKey } from './expr-key.ts';
export { convertText, parseDate, parseTimestamp, parseInterval, canonicalDecimal } from './literals.ts';

export interface BindOptions {
  /** Types of `$1…$n` fixed by the caller (a PostgreSQL Parse message); others are inferred. */
  readonly paramTypes?: readonly DataType[];
}

/**
 * Binds one parsed statement against a catalog. Synchronous and total: user mistakes come back as
 * diagnostics (spans are the AST's, i.e. offsets into the script), and `bound` is present only
 * when there were none.
 */
export function bindStatement(stmt: Statement, source: string, catalog: Catalog, options: BindOptions = {}): { bound?: BoundStatement; diagnostics: Diagnostic[] } {
  const ctx = new BindContext(catalog, source, options.paramTypes);
  const bound = lowerStatement(stmt, ctx);
  const diagnostics = [...ctx.diagnostics].sort((a, b) => a.span.start - b.span.start);
  return ctx.hasErrors || !bound ? { diagnostics } : { bound, diagnostics };
}
