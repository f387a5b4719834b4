// OrbitQL statements → the typed logical IR, through the SQL binder: nested document paths are resolved
// against the catalog first, and diagnostics are mapped back onto the OrbitQL text.

import type { Catalog, TableInfo } from '../../catalog/index.ts';
import { bindStatement } from '../../bind/index.ts';
import { diagnostic, type Diagnostic, type Span } from '../../diagnostics/index.ts';
import type { BoundStatement } from '../../ir/plan.ts';
import type { DataType } from '../../ir/types.ts';
import type * as A from '../sql/ast.ts';
import type { LetStatement, OrbitStatement, QueryStatement } from './ast.ts';
import type { StatementCache } from './cache.ts';
import { applyFill } from './fill.ts';
import { applyLive } from './live.ts';
import { applyTraverseWhere } from './traverse.ts';
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
  const traverse = q.traverseWhere === true;
  const bind = () => bindStatement(withFetch(q, resolvePaths(q.ast, catalog, traverse), catalog), q.sql, catalog, options.paramTypes ? { paramTypes: options.paramTypes } : {});
  // Binding depends only on the SQL text and whether it came from TRAVERSE (given the catalog and
  // parameter types the caller keys the cache by).
  const r = options.cache && !options.paramTypes ? options.cache.get(`bind\u0000${traverse ? 'traverse\u0000' : ''}${q.sql}`, bind) : bind();
  const diagnostics = r.diagnostics.map((d) => ({ ...d, span: q.map.span(d.span) }));
  if (!r.bound) return { diagnostics };
  return stmt.kind === 'statement' ? finishOrbitStatement(stmt, r.bound, catalog, diagnostics) : { bound: r.bound, diagnostics };
}

/**
 * What OrbitQL adds to a statement once its SQL equivalent is bound: gap filling for `GROUP BY … FILL`,
 * a live-query plan for `LIVE SELECT` and the pruning condition of `TRAVERSE … WHERE`. Diagnostics have
 * OrbitQL spans.
 */
export function finishOrbitStatement(stmt: QueryStatement, bound: BoundStatement, catalog: Catalog, diagnostics: readonly Diagnostic[] = []): LoweredStatement {
  if (stmt.traverseWhere) return finishOrbitStatement({ ...stmt, traverseWhere: undefined }, pruneTraverse(bound), catalog, diagnostics);
  if (!stmt.fill && !stmt.live) return { bound, diagnostics: [...diagnostics] };
  if (bound.kind === 'explain') {
    const inner = finishOrbitStatement(stmt, bound.statement, catalog, diagnostics);
    return inner.bound ? { bound: { ...bound, statement: inner.bound }, diagnostics: inner.diagnostics } : inner;
  }
  if (bound.kind !== 'query') return { diagnostics: [...diagnostics, diagnostic('grouping_error', 'FILL needs a GROUP BY on time_bucket(…)', (stmt.fill ?? stmt.live)!.span)] };
  let plan = bound.plan;
  if (stmt.fill && !fillsOwnGroupBy(stmt)) {
    return { diagnostics: [...diagnostics, diagnostic('feature_not_supported', 'FILL applies to a statement\'s own GROUP BY, not to a subquery\'s', stmt.fill.span)] };
  }
  if (stmt.fill) {
    const filled = applyFill(plan, stmt.fill, catalog);
    if (!filled.plan) return { diagnostics: [...diagnostics, ...filled.diagnostics] };
    plan = filled.plan;
  }
  if (stmt.live) {
    const live = applyLive(plan, stmt.live);
    if (!live.plan) return { diagnostics: [...diagnostics, ...live.diagnostics] };
    plan = live.plan;
  }
  return { bound: { ...bound, plan }, diagnostics: [...diagnostics] };
}

/** A bound TRAVERSE (or its EXPLAIN) with its WHERE moved into the walk. */
function pruneTraverse(bound: BoundStatement): BoundStatement {
  if (bound.kind === 'explain') return { ...bound, statement: pruneTraverse(bound.statement) };
  return bound.kind === 'query' ? { ...bound, plan: applyTraverseWhere(bound.plan) } : bound;
}

/** Whether the FILL clause ends the GROUP BY of the statement's own SELECT (not a subquery's). */
function fillsOwnGroupBy(stmt: QueryStatement): boolean {
  const ast = stmt.ast;
  const body = ast.kind === 'query-statement' ? ast.query.body : ast.kind === 'explain' && ast.statement.kind === 'query-statement' ? ast.statement.query.body : undefined;
  const last = body?.kind === 'select' ? body.groupBy[body.groupBy.length - 1] : undefined;
  if (!last || !stmt.fill) return false;
  const end = stmt.map.span(last.span).end;
  return end <= stmt.fill.span.start && stmt.text.slice(end - stmt.span.start, stmt.fill.span.start - stmt.span.start).trim() === '';
}

/** A statement a session runs for an OrbitQL statement: its SQL equivalent, and what finishes its binding. */
export interface OrbitSqlStatement {
  readonly ast: A.Statement;
  readonly sql: string;
  /** Identifies the compiled statement (plan cache): the SQL text plus the OrbitQL clauses it leaves out. */
  readonly key: string;
  /** Applied to the bound SQL statement (see `finishOrbitStatement`). */
  finish(bound: BoundStatement): LoweredStatement;
  /** Maps spans of `sql` (what binding `ast` reports) onto the script the statement came from. */
  readonly map: SpanMapping;
  /** Statements to run first: the document or edge tables the statement writes, when missing; their spans map onto the whole statement. */
  readonly before?: readonly { readonly ast: A.Statement; readonly sql: string; readonly map: SpanMapping }[];
  /** `ast` against the catalog as it is when the statement runs (an earlier statement may have made its tables). */
  resolve(catalog: Catalog): A.Statement;
}

/** The SQL statement a session runs for an OrbitQL statement (LET runs nothing: its value is spliced in). */
export function sqlStatementOf(stmt: OrbitStatement, catalog: Catalog): OrbitSqlStatement | undefined {
  if (stmt.kind === 'let') return undefined;
  const extra = stmt.fill || stmt.live || stmt.traverseWhere ? `\u0000${JSON.stringify({ fill: stmt.fill && [stmt.fill.mode, stmt.fill.valueSql], live: stmt.live?.diff, prune: stmt.traverseWhere })}` : '';
  const before = ensureTables(stmt, catalog);
  const resolve = (now: Catalog): A.Statement => withFetch(stmt, resolvePaths(stmt.ast, now, stmt.traverseWhere === true), now);
  const fetched = stmt.fetch ? `\u0000fetch ${stmt.fetch.names.join(',')}` : '';
  // Generated DDL has no text of its own in the script: a mistake in it belongs to the statement that needs it.
  const whole: SpanMapping = { span: () => stmt.span };
  return {
    ast: resolve(catalog),
    sql: stmt.sql,
    key: stmt.sql + extra + fetched,
    map: stmt.map,
    finish: (bound) => finishOrbitStatement(stmt, bound, catalog),
    resolve,
    ...(before.length > 0 ? { before: before.map((b) => ({ ...b, map: whole })) } : {}),
  };
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

/**
 * Rewrites document paths in a statement, and records of any table (`"@record"(id)`); a statement without
 * any comes back unchanged. `traverse` marks a TRAVERSE with WHERE, whose other names are the fields of the
 * record reached.
 */
export function resolvePaths(original: A.Statement, catalog: Catalog, traverse = false): A.Statement {
  // Writes of document fields and `+=`/`-=` first: their rewrites bring aliases of their own.
  const written = rewriteDocumentWrites(original, catalog);
  const stmt = traverse ? traverseFields(written) : written;
  const relations = new Set<string>();
  const tables: string[] = [];
  collectRelations(stmt, relations, tables);
  // ON CONFLICT's proposed row is a relation, not a document path.
  if (stmt.kind === 'insert' && stmt.onConflict) relations.add('excluded');
  const jsonColumns = new Set<string>();
  for (const t of tables) {
    const rel = catalog.getRelation(undefined, t);
    if (rel?.kind !== 'table') continue;
    for (const c of rel.columns) if (c.type.kind === 'json') jsonColumns.add(c.name);
  }
  const docs = documentScope(stmt, catalog);
  const resolved = mapNode(stmt, (node) => rewritePath(node, relations, jsonColumns, docs)) as A.Statement;
  return resolveRecords(resolved, catalog);
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
function nameSelectedPath(item: A.SelectItem, relations: ReadonlySet<string>, jsonColumns: ReadonlySet<string>, docs?: DocumentScope): unknown {
  const path = item.alias ? undefined : pathOf(item.expr, relations, jsonColumns, docs);
  const last = path?.keys[path.keys.length - 1];
  if (typeof last !== 'string') return item;
  const expr = rewritePath(item.expr as unknown as Record<string, unknown>, relations, jsonColumns, docs) as A.Expr;
  return { ...item, expr, alias: { kind: 'ident', name: last, quoted: true, span: item.expr.span } };
}

/** A column and the keys after it (strings for fields, expressions for indexes), if `node` is a path. */
function pathOf(node: A.Expr, relations: ReadonlySet<string>, jsonColumns: ReadonlySet<string>, docs?: DocumentScope): { base: A.Expr; keys: (string | A.Expr)[] } | undefined {
  if (node.kind === 'column-ref') {
    const parts = node.name.parts;
    const field = docs && documentField(parts, relations, docs);
    if (field) return field;
    const first = parts[0]!.name;
    const head = relations.has(first) ? 2 : 1;
    if (parts.length <= head) return jsonColumns.has(parts[head - 1]?.name ?? '') ? { base: node, keys: [] } : undefined;
    const baseName: A.QName = { kind: 'qname', parts: parts.slice(0, head), span: { start: parts[0]!.span.start, end: parts[head - 1]!.span.end } };
    return { base: { kind: 'column-ref', name: baseName, span: baseName.span }, keys: parts.slice(head).map((p) => p.name) };
  }
  if (node.kind === 'subscript' && !node.slice) {
    const inner = pathOf(node.expr, relations, jsonColumns, docs);
    return inner ? { base: inner.base, keys: [...inner.keys, node.index] } : undefined;
  }
  return undefined;
}

function rewritePath(node: Record<string, unknown>, relations: ReadonlySet<string>, jsonColumns: ReadonlySet<string>, docs?: DocumentScope): unknown {
  if (node['kind'] === 'select-item') return nameSelectedPath(node as unknown as A.SelectItem, relations, jsonColumns, docs);
  const path = pathOf(node as unknown as A.Expr, relations, jsonColumns, docs);
  if (!path || path.keys.length === 0) return node;
  const span = (node as unknown as A.Expr).span;
  let expr: A.Expr = path.base;
  path.keys.forEach((k, i) => {
    const key: A.Expr = typeof k === 'string' ? { kind: 'literal', value: { kind: 'string', value: k, form: 'plain' }, span } : k;
    expr = { kind: 'binary', op: i === path.keys.length - 1 ? '->>' : '->', left: expr, right: key, span };
  });
  return expr;
}

// ─── Document tables ────────────────────────────────────────────────────────
//
// A document table (`DEFINE TABLE t SCHEMALESS`) has the columns `id text PRIMARY KEY, doc jsonb`; an
// edge table (made by RELATE) adds `in` and `out`. A name that is no column of the statement's tables
// reads a field of the document: `name` → `doc ->> 'name'`, `t.address.city` → `t.doc -> 'address' ->>
// 'city'`. An UPDATE of such fields writes them into the document: `SET age = 3, tags += 'x'` →
// `SET doc = doc || jsonb_build_object('age', 3, 'tags', <tags with 'x' appended>)`.

/** Record columns of document and edge tables: they are columns, never document fields. */
const RECORD_COLUMNS = new Set(['id', 'doc', 'in', 'out']);

/** True for a document table: a text `id` key and a jsonb `doc`, plus `in`/`out` for an edge table. */
export function isDocumentTable(table: TableInfo): boolean {
  const names = table.columns.map((c) => c.name);
  return names.includes('id') && table.columns.some((c) => c.name === 'doc' && c.type.kind === 'json') && names.every((n) => RECORD_COLUMNS.has(n));
}

interface DocumentScope {
  /** Names and aliases the statement gives its document tables. */
  readonly names: ReadonlySet<string>;
  /** Columns of every table in the statement and output aliases: never document fields. */
  readonly columns: ReadonlySet<string>;
}

function documentScope(stmt: A.Statement, catalog: Catalog): DocumentScope | undefined {
  const names = new Set<string>();
  const columns = new Set<string>();
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(visit);
    if (node === null || typeof node !== 'object') return;
    const n = node as Record<string, unknown>;
    const q = (n['kind'] === 'table-ref' ? n['name'] : n['kind'] === 'insert' || n['kind'] === 'update' || n['kind'] === 'delete' ? n['table'] : undefined) as A.QName | undefined;
    const table = q?.parts[q.parts.length - 1]?.name;
    const rel = table === undefined ? undefined : catalog.getRelation(undefined, table);
    if (rel?.kind === 'table') {
      for (const c of rel.columns) columns.add(c.name);
      if (isDocumentTable(rel)) {
        names.add(rel.name);
        const alias = n['alias'] as { kind: string; name: A.Ident } | A.Ident | undefined;
        if (alias) names.add(alias.kind === 'table-alias' ? (alias as { name: A.Ident }).name.name : (alias as A.Ident).name);
      }
    }
    if (n['kind'] === 'select-item' && n['alias']) columns.add((n['alias'] as A.Ident).name);
    // Columns an alias names (`graph_expand(…) AS traverse(id, depth)`) are columns too.
    if (n['kind'] === 'table-alias') for (const c of (n['columns'] as readonly A.Ident[] | undefined) ?? []) columns.add(c.name);
    for (const v of Object.values(n)) if (v && typeof v === 'object') visit(v);
  };
  visit(stmt);
  return names.size > 0 ? { names, columns } : undefined;
}

/** A column reference that reads a document field, as the `doc` column and the keys into it. */
function documentField(parts: readonly A.Ident[], relations: ReadonlySet<string>, docs: DocumentScope): { base: A.Expr; keys: string[] } | undefined {
  const first = parts[0]!;
  const qualified = parts.length > 1 && docs.names.has(first.name) && !RECORD_COLUMNS.has(parts[1]!.name);
  const bare = !relations.has(first.name) && !docs.columns.has(first.name);
  if (!qualified && !bare) return undefined;
  const head = qualified ? [first] : [];
  const docIdent: A.Ident = { kind: 'ident', name: 'doc', quoted: false, span: first.span };
  const name: A.QName = { kind: 'qname', parts: [...head, docIdent], span: first.span };
  return { base: { kind: 'column-ref', name, span: first.span }, keys: parts.slice(head.length).map((p) => p.name) };
}

/**
 * An UPDATE of a document table's fields as one assignment of `doc`, and `+=`/`-=` on typed columns by
 * their type; other statements unchanged.
 */
function rewriteDocumentWrites(stmt: A.Statement, catalog: Catalog): A.Statement {
  if (stmt.kind !== 'update') return stmt;
  const rel = catalog.getRelation(undefined, stmt.table.parts[stmt.table.parts.length - 1]!.name);
  if (rel?.kind !== 'table') return stmt;
  if (!isDocumentTable(rel)) return { ...stmt, assignments: stmt.assignments.map((a) => typedAssignment(a, rel)) };
  const fields = stmt.assignments.filter((a) => !RECORD_COLUMNS.has(a.column.name));
  if (fields.length === 0) return stmt;
  const span = fields[0]!.span;
  const args: A.Expr[] = [];
  for (const a of fields) {
    if (a.value.kind === 'default') continue;
    args.push({ kind: 'literal', value: { kind: 'string', value: a.column.name, form: 'plain' }, span: a.span }, fieldValue(a.column.name, a.value));
  }
  const merged = template("doc || jsonb_build_object()", span, {}) as A.Expr & { right: A.FuncCallExpr };
  const value = { ...merged, right: { ...merged.right, args } } as unknown as A.Expr;
  const assignment: A.Assignment = { kind: 'assignment', column: { kind: 'ident', name: 'doc', quoted: false, span }, value, span };
  return { ...stmt, assignments: [...stmt.assignments.filter((a) => RECORD_COLUMNS.has(a.column.name)), assignment] };
}

/**
 * The new value of field `name` (as jsonb-ready SQL): `+=` appends to an array when the value is text,
 * an array or an object, else adds to a number; `-=` removes such a value from an array, else subtracts.
 */
function fieldValue(name: string, value: A.Expr): A.Expr {
  const op = value.kind === 'func-call' ? value.name.parts[0]?.name : undefined;
  if (value.kind !== 'func-call' || (op !== '+=' && op !== '-=')) return value;
  const x = value.args[1]!;
  const listy = x.kind === 'literal' ? x.value.kind === 'string' : x.kind === 'array' || (x.kind === 'func-call' && x.name.parts[0]?.name === 'jsonb_build_object');
  const f = `'${name.replace(/'/g, "''")}'`;
  const sql = listy
    ? op === '+='
      ? `coalesce(doc -> ${f}, '[]'::jsonb) || to_jsonb(__value)`
      : `(SELECT coalesce(jsonb_agg(e.value), '[]'::jsonb) FROM jsonb_array_elements(coalesce(doc -> ${f}, '[]'::jsonb)) AS e(value) WHERE e.value <> to_jsonb(__value))`
    : `coalesce((doc ->> ${f})::numeric, 0) ${op === '+=' ? '+' : '-'} (__value)`;
  return template(sql, value.span, { __value: x }) as A.Expr;
}

/** The expression of SQL text `sql`, every span set to `span`, with `__name` columns replaced by `values`. */
function template(sql: string, span: Span, values: Readonly<Record<string, A.Expr>>): unknown {
  const parsed = parseStatement(`SELECT ${sql}`);
  const select = (parsed.ast as unknown as { query: { body: { items: A.SelectItem[] } } }).query;
  const put = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(put);
    if (node === null || typeof node !== 'object') return node;
    const n = node as Record<string, unknown>;
    if (n['kind'] === 'column-ref') {
      const name = (n['name'] as A.QName).parts[0]!.name;
      if (name in values) return values[name];
    }
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(n)) out[k] = k === 'span' ? span : put(v);
    return out;
  };
  return put(select.body.items[0]!.expr);
}

/** CREATE statements for the tables `stmt` writes that the catalog lacks (IF NOT EXISTS: a script may repeat them). */
function ensureTables(stmt: QueryStatement, catalog: Catalog): { ast: A.Statement; sql: string }[] {
  const out: { ast: A.Statement; sql: string }[] = [];
  const seen = new Set<string>();
  for (const { table, kind } of stmt.ensure ?? []) {
    if (seen.has(table) || catalog.getRelation(undefined, table)) continue;
    seen.add(table);
    const q = `"${table.replace(/"/g, '""')}"`;
    const texts =
      kind === 'document'
        ? [`CREATE TABLE IF NOT EXISTS ${q} (id text PRIMARY KEY, doc jsonb NOT NULL)`]
        : [
            `CREATE TABLE IF NOT EXISTS ${q} (id text PRIMARY KEY, "in" text NOT NULL, "out" text NOT NULL, doc jsonb NOT NULL)`,
            // Both directions: `in` first serves `->edge->`, `out` first serves `<-edge<-`.
            `CREATE INDEX IF NOT EXISTS "${table.replace(/"/g, '""')}_in" ON ${q} ("in", "out")`,
            `CREATE INDEX IF NOT EXISTS "${table.replace(/"/g, '""')}_out" ON ${q} ("out", "in")`,
          ];
    for (const sql of texts) {
      const parsed = parseStatement(sql);
      if (parsed.ast) out.push({ ast: parsed.ast, sql });
    }
  }
  return out;
}

/** `col += x` on a typed column: appends to an array, concatenates text, adds to a number (`-=` likewise). */
function typedAssignment(a: A.Assignment, table: TableInfo): A.Assignment {
  const v = a.value;
  const op = v.kind === 'func-call' ? v.name.parts[0]?.name : undefined;
  if (v.kind !== 'func-call' || (op !== '+=' && op !== '-=')) return a;
  const type = table.columns.find((c) => c.name === a.column.name)?.type;
  const x = v.args[1]!;
  const col = v.args[0]!;
  const sql =
    type?.kind === 'list'
      ? op === '+='
        ? x.kind === 'array'
          ? 'array_cat(__col, __value)'
          : 'array_append(__col, __value)'
        : '(SELECT coalesce(array_agg(e.value), __col[0:0]) FROM unnest(__col) AS e(value) WHERE e.value IS DISTINCT FROM __value)'
      : type?.kind === 'utf8' && op === '+='
        ? '__col || __value'
        : `__col ${op === '+=' ? '+' : '-'} __value`;
  return { ...a, value: template(sql, v.span, { __col: col, __value: x }) as A.Expr };
}

// ─── Records of any table ───────────────────────────────────────────────────
//
// A path ending in `?.field` and a field named in TRAVERSE's WHERE read a record whose table only its
// id tells: the SQL text holds `"@record"(id)`, resolved here, against the catalog, into the record as
// jsonb (as FETCH gives it; NULL when no record has that id), then a path into it ending in text.

const RECORD_MARKER = '@record';

/** The tables a record id can name: those keyed by a text `id`. */
function recordTables(catalog: Catalog): TableInfo[] {
  return catalog.listRelations().filter((r): r is TableInfo => r.kind === 'table' && r.primaryKey.length === 1 && r.primaryKey[0] === 'id' && r.columns.some((c) => c.name === 'id' && c.type.kind === 'utf8'));
}

/** `"@record"(x)` calls replaced by the record `x` names, as jsonb. */
function resolveRecords(stmt: A.Statement, catalog: Catalog): A.Statement {
  let tables: TableInfo[] | undefined;
  const put = (node: unknown): unknown => {
    if (Array.isArray(node)) {
      const out = node.map(put);
      return out.some((x, i) => x !== node[i]) ? out : node;
    }
    if (node === null || typeof node !== 'object') return node;
    const n = node as Record<string, unknown>;
    if (n['kind'] === 'func-call') {
      const f = n as unknown as A.FuncCallExpr;
      if (f.name.parts.length === 1 && f.name.parts[0]!.quoted && f.name.parts[0]!.name === RECORD_MARKER && f.args.length === 1) {
        tables ??= recordTables(catalog);
        return template(recordOf('__record', tables), f.span, { __record: put(f.args[0]) as A.Expr });
      }
    }
    let copy: Record<string, unknown> | undefined;
    for (const [k, v] of Object.entries(n)) {
      if (k === 'span' || !v || typeof v !== 'object') continue;
      const y = put(v);
      if (y !== v) (copy ??= { ...n })[k] = y;
    }
    return copy ?? n;
  };
  return put(stmt) as A.Statement;
}

/**
 * In TRAVERSE's WHERE (a SELECT over `graph_expand(…) AS traverse(id, depth)`), a name other than `id`,
 * `depth` and `traverse.…` reads a field of the record reached: `age` → `"@record"(traverse.id) ->> 'age'`.
 * Subqueries keep their own names.
 */
function traverseFields(stmt: A.Statement): A.Statement {
  if (stmt.kind === 'explain') {
    const inner = traverseFields(stmt.statement);
    return inner === stmt.statement ? stmt : { ...stmt, statement: inner };
  }
  if (stmt.kind !== 'query-statement' || stmt.query.body.kind !== 'select') return stmt;
  const body = stmt.query.body;
  const from = body.from[0];
  if (body.from.length !== 1 || from?.kind !== 'function-table' || from.alias?.name.name !== 'traverse' || !body.where) return stmt;
  const field = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(field);
    if (node === null || typeof node !== 'object') return node;
    const n = node as Record<string, unknown>;
    if (n['kind'] === 'column-ref') {
      const parts = (n as unknown as A.ColumnRefExpr).name.parts;
      const first = parts[0]!.name;
      if (first === 'traverse' || (parts.length === 1 && (first === 'id' || first === 'depth'))) return n;
      const span = (n as unknown as A.ColumnRefExpr).span;
      const keys = parts.map((p) => `'${p.name.replace(/'/g, "''")}'`);
      const sql = keys.reduce((x, k, i) => `${x} ${i === keys.length - 1 ? '->>' : '->'} ${k}`, `"${RECORD_MARKER}"(traverse.id)`);
      return template(sql, span, {});
    }
    const out: Record<string, unknown> = {};
    // A subquery's names are its own.
    for (const [k, v] of Object.entries(n)) out[k] = k === 'span' || k === 'query' ? v : field(v);
    return out;
  };
  return { ...stmt, query: { ...stmt.query, body: { ...body, where: field(body.where) as A.Expr } } };
}

// ─── FETCH ──────────────────────────────────────────────────────────────────
//
// `SELECT … FETCH c` wraps the query: `SELECT fetched.a, <record of fetched.c> AS c FROM (query) AS
// fetched`. A record id becomes its record as a jsonb object (`id` first, then a document's fields or a
// typed row's columns), found by the table its prefix names among the tables keyed by a text `id`; an
// array of record ids (a graph path) becomes a jsonb array of records. An id naming no record gives NULL.

/** `ast` with the FETCH of `stmt` applied (unchanged without one, or when the query does not bind). */
function withFetch(stmt: QueryStatement, ast: A.Statement, catalog: Catalog): A.Statement {
  if (!stmt.fetch || ast.kind !== 'query-statement') return ast;
  const bound = bindStatement(ast, stmt.sql, catalog).bound;
  if (bound?.kind !== 'query') return ast;
  const wanted = new Set(stmt.fetch.names);
  const tables = recordTables(catalog);
  const q = (name: string) => `"${name.replace(/"/g, '""')}"`;
  const items = bound.plan.schema.map((c) => {
    const col = `fetched.${q(c.name)}`;
    if (!wanted.delete(c.name)) return col;
    const value = c.type.kind === 'list' ? `(SELECT jsonb_agg(${recordOf('e.value', tables)}) FROM unnest(${col}) AS e(value))` : recordOf(col, tables);
    return `${value} AS ${q(c.name)}`;
  });
  // A name that is no result column stays a column reference, so binding reports it.
  for (const n of wanted) items.push(`fetched.${q(n)}`);
  const outer = parseStatement(`SELECT ${items.join(', ')} FROM (SELECT 1) AS fetched`).ast;
  if (!outer) return ast;
  const put = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(put);
    if (node === null || typeof node !== 'object') return node;
    const n = node as Record<string, unknown>;
    if (n['kind'] === 'derived-table') return { ...n, query: (ast as unknown as { query: unknown }).query };
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(n)) out[k] = k === 'span' ? stmt.fetch!.span : put(v);
    return out;
  };
  return put(outer) as A.Statement;
}

/** SQL for the record that the record id `x` names, as jsonb (NULL when none). */
function recordOf(x: string, tables: readonly TableInfo[]): string {
  if (tables.length === 0) return 'NULL::jsonb';
  const q = (name: string) => `"${name.replace(/"/g, '""')}"`;
  const branches = tables.map((t) => {
    const fields = isDocumentTable(t)
      ? `jsonb_build_object(${t.columns.filter((c) => c.name !== 'doc').map((c) => `'${c.name}', r.${q(c.name)}`).join(', ')}) || r.doc`
      : `jsonb_build_object(${t.columns.map((c) => `'${c.name.replace(/'/g, "''")}', r.${q(c.name)}`).join(', ')})`;
    return `WHEN '${t.name.replace(/'/g, "''")}' THEN (SELECT ${fields} FROM ${q(t.name)} AS r WHERE r.id = ${x})`;
  });
  return `CASE split_part(${x}, ':', 1) ${branches.join(' ')} END`;
}
