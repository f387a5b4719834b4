// OrbitQL statements → the typed logical IR, through the SQL binder: nested document paths are resolved
// against the catalog first, and diagnostics are mapped back onto the OrbitQL text.

import type { Catalog } from '../../catalog/index.ts';
import { bindStatement } from '../../bind/index.ts';
import type { Diagnostic, Span } from '../../diagnostics/index.ts';
import type { BoundStatement } from '../../ir/plan.ts';
import type { DataType } from '../../ir/types.ts';
import type * as A from '../sql/ast.ts';
import type { LetStatement, OrbitStatement, QueryStatement } from './ast.ts';
import type { StatementCache } from './cache.ts';
import type { SpanMapping } from './span-map.ts';
import { parseStatement } from '../sql/parse.ts';

export interface LowerOptions {
  /** Types of the `$name` parameters, in the order of `paramNames`; others are inferred. */
  readonly paramTypes?: readonly DataType[];
  /** Reuses bindings of unchanged statements (the caller clears it when the catalog changes). */
  readonly cache?: StatementCache;
}

/** A lowered statement: the bound IR (absent after an error) and diagnostics with OrbitQL spans. */
export interface LoweredStatement {
  readonly bound?: BoundStatement;
  readonly diagnostics: Diagnostic[];
}

/**
 * Binds one OrbitQL statement. A LET binds its value as `SELECT value`, so a mistake in it is reported
 * at the LET (and its type is known) even though the value runs where the variable is used.
 */
export function lowerOrbitStatement(stmt: OrbitStatement, catalog: Catalog, options: LowerOptions = {}): LoweredStatement {
  const q = stmt.kind === 'let' ? letQuery(stmt) : stmt;
  if (!q) return { diagnostics: [] };
  const bind = () => bindStatement(resolvePaths(q.ast, catalog), q.sql, catalog, options.paramTypes ? { paramTypes: options.paramTypes } : {});
  // Binding depends only on the SQL text (given the catalog and parameter types the caller keys the cache by).
  const r = options.cache && !options.paramTypes ? options.cache.get(`bind\u0000${q.sql}`, bind) : bind();
  const diagnostics = r.diagnostics.map((d) => ({ ...d, span: q.map.span(d.span) }));
  return r.bound ? { bound: r.bound, diagnostics } : { diagnostics };
}

/** The SQL statement a session runs for an OrbitQL statement (LET runs nothing: its value is spliced in). */
export function sqlStatementOf(stmt: OrbitStatement, catalog: Catalog): { ast: A.Statement; sql: string } | undefined {
  return stmt.kind === 'let' ? undefined : { ast: resolvePaths(stmt.ast, catalog), sql: stmt.sql };
}

function letQuery(stmt: LetStatement): QueryStatement | undefined {
  const prefix = 'SELECT ';
  const sql = prefix + stmt.valueSql;
  const parsed = parseStatement(sql);
  if (!parsed.ast) return undefined;
  // The value's text sits inside `SELECT (…)`: offsets past the prefix and `(` map onto the value.
  const map: SpanMapping = {
    span: (s: Span): Span => {
      const at = (p: number) => Math.min(stmt.valueSpan.end, Math.max(stmt.valueSpan.start, stmt.valueSpan.start + p - prefix.length - 1));
      return { start: at(s.start), end: Math.max(at(s.start), at(s.end)) };
    },
  };
  return { kind: 'statement', ast: parsed.ast, sql, map, span: stmt.span, text: stmt.text, forms: stmt.forms };
}

// ─── Nested paths ───────────────────────────────────────────────────────────
//
// `profile.address.city` parses as a qualified column name. When its first part names no table, alias or
// CTE of the statement it is a column followed by a path into its document (`t.profile.address.city`
// when the first part is a table). It becomes `profile -> 'address' ->> 'city'`: a path ends in text, as
// PostgreSQL's `->>` does. `tags[0]` on a document path, or on a json/jsonb column, indexes it from 0.

/** Rewrites document paths in a statement; a statement without any comes back unchanged. */
export function resolvePaths(stmt: A.Statement, catalog: Catalog): A.Statement {
  const relations = new Set<string>();
  const tables: string[] = [];
  collectRelations(stmt, relations, tables);
  const jsonColumns = new Set<string>();
  for (const t of tables) {
    const rel = catalog.getRelation(undefined, t);
    if (rel?.kind !== 'table') continue;
    for (const c of rel.columns) if (c.type.kind === 'json') jsonColumns.add(c.name);
  }
  return mapNode(stmt, (node) => rewritePath(node, relations, jsonColumns)) as A.Statement;
}

function collectRelations(node: unknown, names: Set<string>, tables: string[]): void {
  if (Array.isArray(node)) {
    for (const x of node) collectRelations(x, names, tables);
    return;
  }
  if (node === null || typeof node !== 'object') return;
  const n = node as Record<string, unknown>;
  if (n['kind'] === 'table-ref' || n['kind'] === 'insert' || n['kind'] === 'update' || n['kind'] === 'delete') {
    const q = (n['name'] ?? n['table']) as A.QName | undefined;
    const last = q?.parts?.[q.parts.length - 1]?.name;
    if (last) {
      names.add(last);
      tables.push(last);
    }
  }
  if (n['kind'] === 'table-alias') names.add((n['name'] as A.Ident).name);
  if (n['kind'] === 'cte') names.add((n['name'] as A.Ident).name);
  for (const v of Object.values(n)) if (v && typeof v === 'object') collectRelations(v, names, tables);
}

/** A copy of `node` with `f` applied bottom-up to every expression node it holds. */
function mapNode(node: unknown, f: (n: Record<string, unknown>) => unknown): unknown {
  if (Array.isArray(node)) {
    let changed = false;
    const out = node.map((x) => {
      const y = mapNode(x, f);
      if (y !== x) changed = true;
      return y;
    });
    return changed ? out : node;
  }
  if (node === null || typeof node !== 'object') return node;
  const n = node as Record<string, unknown>;
  // Columns inside a path are handled by the path's own rewrite, from the top.
  if (n['kind'] === 'subscript' || n['kind'] === 'column-ref' || n['kind'] === 'select-item') {
    const r = f(n);
    if (r !== n) return r;
  }
  let copy: Record<string, unknown> | undefined;
  for (const [k, v] of Object.entries(n)) {
    if (k === 'span' || !v || typeof v !== 'object') continue;
    const y = mapNode(v, f);
    if (y !== v) (copy ??= { ...n })[k] = y;
  }
  return copy ?? n;
}

/** A selected path without an alias is named after its last field (`profile.address.city` → `city`). */
function nameSelectedPath(item: A.SelectItem, relations: ReadonlySet<string>, jsonColumns: ReadonlySet<string>): unknown {
  const path = item.alias ? undefined : pathOf(item.expr, relations, jsonColumns);
  const last = path?.keys[path.keys.length - 1];
  if (typeof last !== 'string') return item;
  const expr = rewritePath(item.expr as unknown as Record<string, unknown>, relations, jsonColumns) as A.Expr;
  return { ...item, expr, alias: { kind: 'ident', name: last, quoted: true, span: item.expr.span } };
}

/** A column and the keys after it (strings for fields, expressions for indexes), if `node` is a path. */
function pathOf(node: A.Expr, relations: ReadonlySet<string>, jsonColumns: ReadonlySet<string>): { base: A.Expr; keys: (string | A.Expr)[] } | undefined {
  if (node.kind === 'column-ref') {
    const parts = node.name.parts;
    const first = parts[0]!.name;
    const head = relations.has(first) ? 2 : 1;
    if (parts.length <= head) return jsonColumns.has(parts[head - 1]?.name ?? '') ? { base: node, keys: [] } : undefined;
    const baseName: A.QName = { kind: 'qname', parts: parts.slice(0, head), span: { start: parts[0]!.span.start, end: parts[head - 1]!.span.end } };
    return { base: { kind: 'column-ref', name: baseName, span: baseName.span }, keys: parts.slice(head).map((p) => p.name) };
  }
  if (node.kind === 'subscript' && !node.slice) {
    const inner = pathOf(node.expr, relations, jsonColumns);
    return inner ? { base: inner.base, keys: [...inner.keys, node.index] } : undefined;
  }
  return undefined;
}

function rewritePath(node: Record<string, unknown>, relations: ReadonlySet<string>, jsonColumns: ReadonlySet<string>): unknown {
  if (node['kind'] === 'select-item') return nameSelectedPath(node as unknown as A.SelectItem, relations, jsonColumns);
  const path = pathOf(node as unknown as A.Expr, relations, jsonColumns);
  if (!path || path.keys.length === 0) return node;
  const span = (node as unknown as A.Expr).span;
  let expr: A.Expr = path.base;
  path.keys.forEach((k, i) => {
    const key: A.Expr = typeof k === 'string' ? { kind: 'literal', value: { kind: 'string', value: k, form: 'plain' }, span } : k;
    expr = { kind: 'binary', op: i === path.keys.length - 1 ? '->>' : '->', left: expr, right: key, span };
  });
  return expr;
}
