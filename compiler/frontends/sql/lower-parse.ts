// Re-parsing stored SQL the binder needs: view definitions and column DEFAULT expressions from the catalog.

import type * as A from './ast.ts';
import { parseStatement } from './parse.ts';

/** Parses a view's stored query text; undefined if it no longer parses. */
export function parseViewQuery(sql: string): A.Query | undefined {
  const r = parseStatement(sql);
  return r.ast?.kind === 'query-statement' ? r.ast.query : undefined;
}

/** Parses a stored expression (a column DEFAULT) by wrapping it in a SELECT. */
export function parseExpression(sql: string): A.Expr | undefined {
  const r = parseStatement(`SELECT ${sql}`);
  if (r.ast?.kind !== 'query-statement') return undefined;
  const body = r.ast.query.body;
  return body.kind === 'select' && body.items.length === 1 && !body.from.length ? body.items[0]!.expr : undefined;
}
