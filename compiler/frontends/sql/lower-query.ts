// Lowers SQL queries to logical plans: FROM and joins, WHERE, grouping, HAVING, windows, select list, DISTINCT, ORDER BY, LIMIT, set operations, VALUES, CTEs.

import type { Span } from '../../diagnostics/index.ts';
import { call, colRef, literal, type Column, type ColumnId, type Expr, type Schema, type SortKey } from '../../ir/expr.ts';
import {
  aggregate, distinct, filter, join, limit, project, recursiveCte, scan, setOp, sort, tableFunction, values, window, workTable,
} from '../../ir/build.ts';
import type { GroupItem, LogicalPlan, ProjectItem, ScanColumn, WindowItem } from '../../ir/plan.ts';
import { T, typeEquals, type DataType } from '../../ir/types.ts';
import type { TableInfo, ViewInfo } from '../../catalog/index.ts';
import { TABLE_FUNCTIONS } from '../../functions/registry.ts';
import { sameBase } from '../../functions/casts.ts';
import type { BindContext } from '../../bind/context.ts';
import { Scope, type ScopeColumn, type ScopeRelation } from '../../bind/scope.ts';
import { applyOverloads, coerceTo, displayType, errorExpr, isError, unify } from '../../bind/coerce.ts';
import { exprKey } from '../../bind/expr-key.ts';
import type * as A from './ast.ts';
import { bindExpr, bindOperator, bindSortKeys, requireBool, type ExprEnv } from './lower-expr.ts';
import { AggCollector, WindowCollector } from '../../bind/collectors.ts';
import { parseViewQuery } from './lower-parse.ts';
import { bindGraphExpand, graphExpandPoison } from './lower-graph.ts';

/** A CTE visible by name: each reference instantiates a plan with fresh column ids. */
interface CteDef {
  readonly names: readonly string[];
  instantiate(): LogicalPlan;
}

/** Lexically nested WITH clauses. */
export class CteEnv {
  readonly defs = new Map<string, CteDef>();
  constructor(readonly parent?: CteEnv) {}
  find(name: string): CteDef | undefined {
    return this.defs.get(name) ?? this.parent?.find(name);
  }
}

/** What a query level inherits: the enclosing scope (for correlated references) and the visible CTEs. */
export interface QueryEnv {
  readonly ctx: BindContext;
  readonly outer?: Scope;
  readonly ctes?: CteEnv;
}

/** A bound FROM item before it joins the query scope. */
interface Fragment {
  readonly plan: LogicalPlan;
  readonly relations: ScopeRelation[];
  readonly visible: ScopeColumn[];
}

/**
 * Binds a subquery used as an expression. A boundary scope with no columns of its own sits
 * between the subquery and the enclosing scope: every reference that crosses it is recorded
 * in its `outerRefs`, which become the subquery's correlation list.
 */
export function bindSubqueryPlan(env: ExprEnv, q: A.Query): { plan: LogicalPlan; correlated: ColumnId[] } {
  const boundary = new Scope(env.scope);
  const plan = bindQuery(q, { ctx: env.ctx, outer: boundary, ...(env.query.ctes ? { ctes: env.query.ctes } : {}) });
  return { plan, correlated: [...boundary.outerRefs] };
}

/**
 * Binds a full query (WITH, body, ORDER BY, LIMIT/OFFSET). Untyped literals in the output become
 * text, as PostgreSQL resolves them, unless `keepUnknown`: set-operation arms and INSERT sources
 * leave them for their consumer to type (`SELECT 1 UNION SELECT NULL` is integer).
 */
export function bindQuery(q: A.Query, env: QueryEnv, keepUnknown = false): LogicalPlan {
  const qenv = q.with ? bindWith(q.with, env) : env;
  if (q.body.kind === 'select') return bindSelect(q.body, qenv, q.orderBy, q.limit, q.offset, keepUnknown);
  let plan = bindBody(q.body, qenv, keepUnknown);
  if (q.orderBy.length) plan = sortByOutput(plan, q.orderBy, qenv);
  return applyLimit(plan, q.limit, q.offset, qenv);
}

function bindBody(b: A.QueryBody, env: QueryEnv, keepUnknown = false): LogicalPlan {
  switch (b.kind) {
    case 'select':
      return bindSelect(b, env, [], undefined, undefined, keepUnknown);
    case 'query':
      return bindQuery(b, env, keepUnknown);
    case 'values':
      return bindValues(b, env);
    case 'set-op':
      return bindSetOp(b, env);
  }
}

// ─── WITH ───────────────────────────────────────────────────────────────────

/** Binds a WITH clause, returning the environment its query (or write) sees. */
export function bindWith(w: A.WithClause, env: QueryEnv): QueryEnv {
  const ctes = new CteEnv(env.ctes);
  const inner: QueryEnv = { ...env, ctes };
  for (const cte of w.ctes) {
    const name = cte.name.name;
    if (ctes.defs.has(name)) {
      env.ctx.error('duplicate_cte', name, cte.name.span);
      continue;
    }
    // Bind once now (reporting diagnostics, fixing parameter types), hand that plan to the first
    // reference, and re-bind quietly for later references so every reference gets its own column ids.
    const bindOnce = (): LogicalPlan => (w.recursive ? bindRecursiveCte(cte, inner) : undefined) ?? bindQuery(cte.query, inner);
    const first = bindOnce();
    const names = cteColumnNames(env.ctx, cte, first.schema);
    let pending: LogicalPlan | undefined = first;
    ctes.defs.set(name, {
      names,
      instantiate: () => {
        if (pending) {
          const p = pending;
          pending = undefined;
          return p;
        }
        return env.ctx.quietly(bindOnce).result;
      },
    });
  }
  return inner;
}

function cteColumnNames(ctx: BindContext, cte: A.Cte, schema: Schema): string[] {
  if (cte.columns.length > schema.length) {
    ctx.error('invalid_column_reference', `WITH query "${cte.name.name}" has ${schema.length} columns available but ${cte.columns.length} columns specified`, cte.span);
  }
  return schema.map((c, i) => cte.columns[i]?.name ?? c.name);
}

/** True when an AST subtree contains an unqualified table reference to `name` (a CTE's self-reference). */
function mentionsTable(node: unknown, name: string): boolean {
  if (Array.isArray(node)) return node.some((n) => mentionsTable(n, name));
  if (typeof node !== 'object' || node === null) return false;
  const n = node as { kind?: unknown; name?: { parts?: readonly { name: string }[] } };
  if (n.kind === 'table-ref' && n.name?.parts?.length === 1 && n.name.parts[0]!.name === name) return true;
  return Object.values(node).some((v) => mentionsTable(v, name));
}

/**
 * WITH RECURSIVE: the anchor is the left arm of a top-level UNION; the right arm sees the CTE's
 * name as a WorkTable. Returns undefined when the CTE does not reference itself (then it is an
 * ordinary CTE, since iterating a non-recursive union would repeat its rows).
 */
function bindRecursiveCte(cte: A.Cte, env: QueryEnv): LogicalPlan | undefined {
  const body = cte.query.body;
  const name = cte.name.name;
  if (body.kind !== 'set-op' || body.op !== 'union' || cte.query.orderBy.length || cte.query.limit || !mentionsTable(body.right, name)) return undefined;
  const { ctx } = env;
  const anchor = bindBody(body.left, env);
  const anchorTypes = anchor.schema.map((c) => (c.type.kind === 'unknown' || c.type.kind === 'null' ? T.text : c.type));
  const names = anchor.schema.map((c, i) => cte.columns[i]?.name ?? c.name);
  const cteId = ctx.cteId();
  const work = new CteEnv(env.ctes);
  work.defs.set(name, {
    names,
    instantiate: () => workTable(cteId, name, anchorTypes.map((t, i) => ctx.column(names[i]!, t, true, name))),
  });
  const recursive = bindBody(body.right, { ...env, ctes: work });
  if (recursive.schema.length !== anchor.schema.length) {
    ctx.error('syntax_error', 'each UNION query must have the same number of columns', body.right.span);
    return anchor;
  }
  const fix = (plan: LogicalPlan, spanOf: Span): LogicalPlan => {
    let changed = false;
    const items: ProjectItem[] = plan.schema.map((c, i) => {
      const want = anchorTypes[i]!;
      if (sameBase(c.type, want)) return { column: c, expr: colRef(c) };
      changed = true;
      const e = coerceTo(ctx, colRef(c), want, 'assignment', spanOf);
      if (!e) {
        ctx.error('datatype_mismatch', `recursive query "${name}" column ${i + 1} has type ${displayType(want)} in non-recursive term but type ${displayType(c.type)} overall`, spanOf);
      }
      return { column: ctx.column(c.name, want, c.nullable), expr: e ?? errorExpr() };
    });
    return changed ? project(plan, items) : plan;
  };
  const schema = names.map((n, i) => ctx.column(n, anchorTypes[i]!, true));
  return recursiveCte(cteId, name, body.all, fix(anchor, body.left.span), fix(recursive, body.right.span), schema);
}

// ─── FROM ───────────────────────────────────────────────────────────────────

/** Scan columns of a table: one per stored column, plus the hidden row id (`ctid`, ordinal -1) for writes. */
export function scanColumns(ctx: BindContext, table: TableInfo, alias: string, withRowId: boolean): ScanColumn[] {
  const cols: ScanColumn[] = table.columns.map((c) => ({ ...ctx.column(c.name, c.type, c.nullable, alias), ordinal: c.ordinal }));
  if (withRowId) cols.push({ ...ctx.column('ctid', T.int64, false, alias), ordinal: -1 });
  return cols;
}

/** The scope relation of a scanned table (row id hidden from names and `*`). */
export function tableRelation(table: TableInfo, alias: A.TableAlias | undefined, cols: readonly ScanColumn[]): ScopeRelation {
  const visible = cols.filter((c) => c.ordinal >= 0);
  const renamed = visible.map((c, i) => ({ name: alias?.columns[i]?.name ?? c.name, column: c }));
  const pk = table.primaryKey.map((n) => visible.find((c) => c.name === n)?.id).filter((id): id is number => id !== undefined);
  return {
    alias: alias?.name.name ?? table.name,
    ...(alias ? {} : { schemaName: table.schema }),
    columns: renamed,
    ...(pk.length === table.primaryKey.length && pk.length > 0 ? { primaryKey: pk } : {}),
  };
}

function relationFragment(plan: LogicalPlan, rel: ScopeRelation): Fragment {
  return { plan, relations: [rel], visible: [...rel.columns] };
}

function aliasedColumns(ctx: BindContext, plan: LogicalPlan, alias: A.TableAlias | undefined, names: readonly string[]): ScopeColumn[] {
  if (alias && alias.columns.length > plan.schema.length) {
    ctx.error('invalid_column_reference', `table "${alias.name.name}" has ${plan.schema.length} columns available but ${alias.columns.length} columns specified`, alias.span);
  }
  const rel = alias?.name.name;
  return plan.schema.map((c, i) => {
    const name = alias?.columns[i]?.name ?? names[i] ?? c.name;
    return { name, column: { ...c, name, ...(rel !== undefined ? { relation: rel } : {}) } };
  });
}

function bindTableRef(t: A.TableRef, env: QueryEnv): Fragment | undefined {
  const { ctx } = env;
  const parts = t.name.parts.map((p) => p.name);
  const name = parts[parts.length - 1]!;
  if (parts.length === 1) {
    const cte = env.ctes?.find(name);
    if (cte) {
      const plan = cte.instantiate();
      const cols = aliasedColumns(ctx, plan, t.alias, cte.names);
      const relName = t.alias?.name.name ?? name;
      const named = cols.map((c) => ({ name: c.name, column: { ...c.column, relation: relName } }));
      return relationFragment(plan, { alias: relName, columns: named });
    }
  }
  const schema = parts.length >= 2 ? parts[parts.length - 2] : undefined;
  const rel = ctx.catalog.getRelation(schema, name);
  if (!rel) {
    ctx.error('undefined_table', parts.join('.'), t.name.span);
    return undefined;
  }
  if (rel.kind === 'view') return bindView(rel, t, env);
  const alias = t.alias?.name.name ?? rel.name;
  const cols = scanColumns(ctx, rel, alias, false);
  if (t.alias && t.alias.columns.length > cols.length) {
    ctx.error('invalid_column_reference', `table "${alias}" has ${cols.length} columns available but ${t.alias.columns.length} columns specified`, t.alias.span);
  }
  return relationFragment(scan(rel, alias, cols), tableRelation(rel, t.alias, cols));
}

/** Views are inlined: their SQL is parsed and bound afresh at each reference, with fresh column ids. */
function bindView(view: ViewInfo, t: A.TableRef, env: QueryEnv): Fragment | undefined {
  const { ctx } = env;
  const q = parseViewQuery(view.sql);
  const bound = q ? ctx.quietly(() => bindQuery(q, { ctx })) : undefined;
  if (!q || !bound || bound.failed) {
    ctx.error('wrong_object_type', `view "${view.name}" cannot be used: ${bound?.firstError ?? 'its definition does not parse'}`, t.name.span);
    return undefined;
  }
  const plan = bound.result;
  const cols = aliasedColumns(ctx, plan, t.alias, view.columnNames);
  const relName = t.alias?.name.name ?? view.name;
  const named = cols.map((c) => ({ name: c.name, column: { ...c.column, relation: relName } }));
  return relationFragment(plan, { alias: relName, ...(t.alias ? {} : { schemaName: view.schema }), columns: named });
}

function bindFunctionTable(f: A.FunctionTable, env: QueryEnv): Fragment | undefined {
  const { ctx } = env;
  const name = f.call.name.parts[f.call.name.parts.length - 1]!.name;
  const sigs = TABLE_FUNCTIONS[name];
  const scope = new Scope(env.outer);
  const eenv: ExprEnv = { ctx, scope, query: env, clause: 'functions in FROM' };
  const args = f.call.args.map((a) => bindExpr(eenv, a));
  if (args.some(isError)) return undefined;
  if (name === 'graph_expand') {
    // After an error the walk's columns are poison, so references to them add no errors of their own.
    const plan = bindGraphExpand(ctx, f.call, args, f.alias) ?? values([], graphExpandPoison(ctx, f.alias));
    return relationFragment(plan, { alias: f.alias?.name.name ?? name, columns: plan.schema.map((column) => ({ name: column.name, column })) });
  }
  const sig = args.map((a) => displayType(a.type)).join(', ');
  if (!sigs) {
    ctx.error('undefined_function', `${name}(${sig})`, f.call.name.span, { hint: 'No function matches the given name and argument types. You might need to add explicit type casts.' });
    return undefined;
  }
  const r = applyOverloads(ctx, name, sigs, args, f.call.args.map((a) => a.span));
  if (!r.expr || r.expr.kind !== 'call') {
    if (!r.expr) ctx.error('undefined_function', `${name}(${sig})`, f.call.name.span, { hint: 'No function matches the given name and argument types. You might need to add explicit type casts.' });
    return undefined;
  }
  const relName = f.alias?.name.name ?? name;
  const colName = f.alias?.columns[0]?.name ?? relName;
  const column = ctx.column(colName, r.expr.type, name !== 'generate_series', relName);
  if (!f.ordinality) return relationFragment(tableFunction(name, r.expr.args, [column]), { alias: relName, columns: [{ name: colName, column }] });
  const ordName = f.alias?.columns[1]?.name ?? 'ordinality';
  const ordinal = ctx.column(ordName, T.int64, false, relName);
  const plan = tableFunction(name, r.expr.args, [column, ordinal], true);
  return relationFragment(plan, { alias: relName, columns: [{ name: colName, column }, { name: ordName, column: ordinal }] });
}

function bindFromItem(item: A.FromItem, env: QueryEnv): Fragment | undefined {
  const { ctx } = env;
  switch (item.kind) {
    case 'table-ref':
      return bindTableRef(item, env);
    case 'function-table':
      return bindFunctionTable(item, env);
    case 'derived-table': {
      if (item.lateral) {
        ctx.error('feature_not_supported', 'LATERAL subqueries are not supported', item.span);
        return undefined;
      }
      const plan = bindQuery(item.query, env);
      const cols = aliasedColumns(ctx, plan, item.alias, []);
      const rel: ScopeRelation = { alias: item.alias?.name.name, columns: cols };
      return relationFragment(plan, rel);
    }
    case 'join':
      return bindJoin(item, env);
  }
}

function addRelations(ctx: BindContext, into: ScopeRelation[], rels: readonly ScopeRelation[], spanOf: (r: ScopeRelation) => Span): void {
  for (const r of rels) {
    if (r.alias !== undefined && into.some((o) => o.alias === r.alias && (o.schemaName === undefined || r.schemaName === undefined || o.schemaName === r.schemaName))) {
      ctx.error('duplicate_alias', r.alias, spanOf(r));
      continue;
    }
    into.push(r);
  }
}

function joinScope(env: QueryEnv, left: Fragment, right: Fragment): Scope {
  const s = new Scope(env.outer);
  s.relations.push(...left.relations, ...right.relations);
  s.visible.push(...left.visible, ...right.visible);
  return s;
}

function bindJoin(j: A.JoinExpr, env: QueryEnv): Fragment | undefined {
  const { ctx } = env;
  const left = bindFromItem(j.left, env);
  const right = bindFromItem(j.right, env);
  if (!left || !right) return undefined;
  const relations: ScopeRelation[] = [...left.relations];
  addRelations(ctx, relations, right.relations, () => fromItemSpan(j.right));
  const scope = joinScope(env, left, right);
  const eenv: ExprEnv = { ctx, scope, query: env, clause: 'JOIN conditions' };

  let usingNames: { name: string; span: Span }[] | undefined;
  if (j.natural) {
    const rightNames = new Set(right.visible.map((c) => c.name));
    usingNames = [...new Set(left.visible.map((c) => c.name))].filter((n) => rightNames.has(n)).map((name) => ({ name, span: j.span }));
  } else if (j.using.length) {
    usingNames = j.using.map((u) => ({ name: u.name, span: u.span }));
  }

  if (!usingNames) {
    let condition: Expr | undefined;
    if (j.on) condition = requireBool(eenv, bindExpr(eenv, j.on), 'JOIN/ON', j.on.span);
    const type = j.joinType === 'inner' && !condition ? 'cross' : j.joinType;
    const plan = join(type, left.plan, right.plan, condition && !isError(condition) ? condition : type === 'cross' ? undefined : literal(true, T.bool));
    return { plan, relations, visible: nullableVisible(plan, [...left.visible, ...right.visible]) };
  }

  // USING / NATURAL: equality on each named pair, and each pair merged into one visible column.
  const merged: ScopeColumn[] = [];
  const conds: Expr[] = [];
  const usedLeft = new Set<ColumnId>();
  const usedRight = new Set<ColumnId>();
  const coalesced: { name: string; l: Column; r: Column }[] = [];
  for (const u of usingNames) {
    const l = left.visible.filter((c) => c.name === u.name);
    const r = right.visible.filter((c) => c.name === u.name);
    if (l.length !== 1 || r.length !== 1) {
      const side = l.length !== 1 ? l : r;
      const which = l.length !== 1 ? 'left' : 'right';
      if (side.length === 0) ctx.error('undefined_target_column', `column "${u.name}" specified in USING clause does not exist in ${which} table`, u.span);
      else ctx.error('ambiguous_column', u.name, u.span);
      return undefined;
    }
    const lc = l[0]!.column;
    const rc = r[0]!.column;
    const cond = bindOperator(eenv, '=', colRef(lc), colRef(rc), [u.span, u.span], u.span);
    if (isError(cond)) return undefined;
    conds.push(cond);
    usedLeft.add(lc.id);
    usedRight.add(rc.id);
    if (j.joinType === 'full') coalesced.push({ name: u.name, l: lc, r: rc });
    else merged.push({ name: u.name, column: j.joinType === 'right' ? rc : lc });
  }
  const condition = conds.length ? conds.reduce((a, b) => call('and', [a, b], T.bool)) : undefined;
  const type = !condition ? (j.joinType === 'inner' ? 'cross' : j.joinType) : j.joinType === 'cross' ? 'inner' : j.joinType;
  let plan: LogicalPlan = join(type, left.plan, right.plan, condition ?? (type === 'cross' ? undefined : literal(true, T.bool)));
  if (coalesced.length) {
    const items: ProjectItem[] = plan.schema.map((c) => ({ column: c, expr: colRef(c) }));
    for (const m of coalesced) {
      const u = unify(ctx, [colRef(m.l), colRef(m.r)], [j.span, j.span]);
      const args = u.ok ? u.exprs : [colRef(m.l), colRef(m.r)];
      const col = ctx.column(m.name, args[0]!.type, m.l.nullable && m.r.nullable);
      items.push({ column: col, expr: call('coalesce', args, col.type, col.nullable) });
      merged.push({ name: m.name, column: col });
    }
    plan = project(plan, items);
  }
  const rest = [...left.visible.filter((c) => !usedLeft.has(c.column.id)), ...right.visible.filter((c) => !usedRight.has(c.column.id))];
  return { plan, relations, visible: nullableVisible(plan, [...merged, ...rest]) };
}

/** Outer joins make columns nullable: scope entries take the join output's nullability. */
function nullableVisible(plan: LogicalPlan, cols: readonly ScopeColumn[]): ScopeColumn[] {
  const byId = new Map(plan.schema.map((c) => [c.id, c]));
  return cols.map((c) => {
    const out = byId.get(c.column.id);
    return out && out.nullable !== c.column.nullable ? { name: c.name, column: { ...c.column, nullable: out.nullable } } : c;
  });
}

function fromItemSpan(f: A.FromItem): Span {
  if (f.kind === 'table-ref') return f.alias ? f.alias.name.span : f.name.span;
  if ((f.kind === 'derived-table' || f.kind === 'function-table') && f.alias) return f.alias.name.span;
  return f.span;
}

/** Binds a FROM list into `scope` (comma-separated items cross join); undefined plan = no FROM. */
export function bindFromList(items: readonly A.FromItem[], scope: Scope, env: QueryEnv): { plan: LogicalPlan | undefined; ok: boolean } {
  let plan: LogicalPlan | undefined;
  let ok = true;
  for (const item of items) {
    const frag = bindFromItem(item, env);
    if (!frag) {
      ok = false;
      continue;
    }
    addRelations(env.ctx, scope.relations, frag.relations, () => fromItemSpan(item));
    scope.visible.push(...frag.visible);
    plan = plan ? join('cross', plan, frag.plan) : frag.plan;
  }
  return { plan, ok };
}

/** Updates scope columns to the nullability a plan reports (after outer joins). */
function refreshNullability(scope: Scope, plan: LogicalPlan): void {
  const byId = new Map(plan.schema.map((c) => [c.id, c]));
  const fix = (c: ScopeColumn): ScopeColumn => {
    const out = byId.get(c.column.id);
    return out && out.nullable !== c.column.nullable ? { name: c.name, column: { ...c.column, nullable: out.nullable } } : c;
  };
  scope.visible.splice(0, scope.visible.length, ...scope.visible.map(fix));
  scope.relations.splice(0, scope.relations.length, ...scope.relations.map((r) => ({ ...r, columns: r.columns.map(fix) })));
}

// ─── SELECT ─────────────────────────────────────────────────────────────────

interface OutputItem {
  name: string;
  expr: Expr;
  span: Span;
  /** Reused column for a plain column reference (keeps its id), else minted at projection. */
  ast?: A.Expr;
}

/** PostgreSQL's FigureColname: the output name of an unaliased select item. */
export function figureName(e: A.Expr): string {
  switch (e.kind) {
    case 'column-ref':
      return e.name.parts[e.name.parts.length - 1]!.name;
    case 'func-call':
      return e.name.parts[e.name.parts.length - 1]!.name;
    case 'cast':
      return figureName(e.expr) === '?column?' ? e.type.name.split(' ')[0]! : figureName(e.expr);
    case 'case':
      return 'case';
    case 'exists':
      return 'exists';
    case 'subquery': {
      if (e.array) return 'array';
      const body = e.query.body;
      if (body.kind === 'select' && body.items.length === 1) {
        const it = body.items[0]!;
        return it.alias?.name ?? figureName(it.expr);
      }
      return '?column?';
    }
    case 'array':
      return 'array';
    case 'typed-literal':
      return e.type.name.split(' ')[0]!;
    case 'interval-literal':
      return 'interval';
    case 'extract':
      return 'extract';
    case 'literal':
      return e.value.kind === 'bool' ? 'bool' : '?column?';
    case 'row':
      return 'row';
    default:
      return '?column?';
  }
}

/** Expands `*` and `t.*`, binds the other items; returns the output items. */
export function bindSelectItems(items: readonly A.SelectItem[], env: ExprEnv, hasFrom: boolean): OutputItem[] {
  const out: OutputItem[] = [];
  for (const it of items) {
    if (it.expr.kind === 'star') {
      const star = it.expr;
      if (!star.table) {
        if (env.scope.visible.length === 0 && env.scope.relations.length === 0) {
          if (!hasFrom) env.ctx.error('syntax_error', 'SELECT * with no tables specified is not valid', star.span);
          continue;
        }
        for (const c of env.scope.visible) out.push({ name: c.name, expr: colRef(c.column), span: star.span });
        continue;
      }
      const parts = star.table.parts.map((p) => p.name);
      const rels = env.scope.findRelation(parts[parts.length - 1]!, parts.length > 1 ? parts[parts.length - 2] : undefined);
      if (rels.length === 0) {
        env.ctx.error('missing_from_entry', parts[parts.length - 1]!, star.table.span);
        continue;
      }
      for (const c of rels[0]!.columns) out.push({ name: c.name, expr: colRef(c.column), span: star.span });
      continue;
    }
    const expr = bindExpr(env, it.expr);
    out.push({ name: it.alias?.name ?? figureName(it.expr), expr, span: it.expr.span, ast: it.expr });
  }
  return out;
}

/** An integer literal as ORDER BY / GROUP BY position. */
function positionOf(e: A.Expr): number | undefined {
  return e.kind === 'literal' && e.value.kind === 'integer' ? Number(e.value.text) : undefined;
}

const bareName = (e: A.Expr): string | undefined => (e.kind === 'column-ref' && e.name.parts.length === 1 ? e.name.parts[0]!.name : undefined);

/**
 * The grouping rewrite: above an Aggregate, an expression may use group expressions (matched
 * structurally), aggregate and window outputs, outer references and columns functionally
 * dependent on a grouped primary key; any other input column is a GROUP BY violation.
 */
class Grouping {
  readonly groups: GroupItem[] = [];
  private readonly byKey = new Map<string, Column>();
  private readonly passIds = new Set<ColumnId>();
  reported = false;

  constructor(
    private readonly ctx: BindContext,
    private readonly scope: Scope,
    private readonly opaque: ReadonlySet<ColumnId>,
  ) {}

  addGroup(e: Expr, name: string): void {
    const key = exprKey(e);
    if (this.byKey.has(key)) return;
    if (e.kind === 'column') {
      const col = this.scopeColumn(e.id) ?? { id: e.id, name: e.name, type: e.type, nullable: e.nullable };
      this.byKey.set(key, col);
      this.passIds.add(e.id);
      this.groups.push({ column: col, expr: e });
      return;
    }
    const col = this.ctx.column(name, e.type, e.nullable);
    this.byKey.set(key, col);
    this.groups.push({ column: col, expr: e });
  }

  private scopeColumn(id: ColumnId): Column | undefined {
    for (const c of this.scope.visible) if (c.column.id === id) return c.column;
    for (const r of this.scope.relations) for (const c of r.columns) if (c.column.id === id) return c.column;
    return undefined;
  }

  /** A column of a relation whose whole primary key is grouped is functionally dependent on the groups. */
  private dependent(id: ColumnId): boolean {
    for (const r of this.scope.relations) {
      if (!r.primaryKey || !r.columns.some((c) => c.column.id === id)) continue;
      if (r.primaryKey.every((pk) => this.passIds.has(pk))) {
        this.addGroup(colRef(r.columns.find((c) => c.column.id === id)!.column), '');
        return true;
      }
    }
    return false;
  }

  rewrite(e: Expr, fallback: Span): Expr {
    const hit = this.byKey.get(exprKey(e));
    if (hit) return colRef(hit);
    switch (e.kind) {
      case 'column': {
        if (this.opaque.has(e.id) || this.passIds.has(e.id) || !this.scope.defines(e.id) || this.dependent(e.id)) return e;
        this.violation(e.id, this.ctx.spans.get(e) ?? fallback);
        return errorExpr();
      }
      case 'literal':
      case 'param':
        return e;
      case 'call':
        return { ...e, args: e.args.map((a) => this.rewrite(a, fallback)) };
      case 'cast':
        return { ...e, expr: this.rewrite(e.expr, fallback) };
      case 'case':
        return {
          ...e,
          whens: e.whens.map((w) => ({ when: this.rewrite(w.when, fallback), then: this.rewrite(w.then, fallback) })),
          ...(e.else ? { else: this.rewrite(e.else, fallback) } : {}),
        };
      case 'subquery': {
        for (const id of e.correlated) {
          if (this.scope.defines(id) && !this.passIds.has(id) && !this.opaque.has(id) && !this.dependent(id)) {
            this.violation(id, fallback);
            return errorExpr();
          }
        }
        return e.operand ? { ...e, operand: this.rewrite(e.operand, fallback) } : e;
      }
    }
  }

  private violation(id: ColumnId, span: Span): void {
    if (this.reported) return;
    this.reported = true;
    const c = this.scopeColumn(id);
    const name = c ? (c.relation ? `${c.relation}.${c.name}` : c.name) : `#${id}`;
    this.ctx.error('grouping_error', `column "${name}" must appear in the GROUP BY clause or be used in an aggregate function`, span);
  }
}

interface GroupExpr {
  expr: Expr;
  name: string;
  span: Span;
}

/** GROUP BY items: positions and output aliases (when no input column has the name) name select items. */
function bindGroupBy(sel: A.Select, items: readonly OutputItem[], senv: ExprEnv): GroupExpr[] {
  const { ctx, scope } = senv;
  const aggIds = new Set([...(senv.aggs?.items ?? []).map((a) => a.column.id), ...(senv.windows?.items ?? []).map((w) => w.column.id)]);
  const groupExprs: GroupExpr[] = [];
  const genv: ExprEnv = { ctx, scope, query: senv.query, clause: 'GROUP BY' };
  for (const g of sel.groupBy) {
    const pos = positionOf(g);
    const name = bareName(g);
    let item: OutputItem | undefined;
    if (pos !== undefined) {
      item = items[pos - 1];
      if (!item) {
        ctx.error('invalid_column_reference', `GROUP BY position ${pos} is not in select list`, g.span);
        continue;
      }
    } else if (name !== undefined && !scope.visible.some((c) => c.name === name)) {
      item = items.find((i) => i.name === name && i.ast);
    }
    if (item) {
      if (containsAny(item.expr, aggIds)) {
        ctx.error('grouping_error', 'aggregate functions are not allowed in GROUP BY', item.span);
        continue;
      }
      groupExprs.push({ expr: item.expr, name: item.name, span: g.span });
      continue;
    }
    const e = bindExpr(genv, g);
    if (!isError(e)) groupExprs.push({ expr: e, name: g.kind === 'column-ref' ? figureName(g) : '?column?', span: g.span });
  }
  return groupExprs;
}

interface SortSpec {
  key: SortKey;
  /** The select item it names (by position or output name), if any. */
  item?: number;
  span: Span;
}

/** ORDER BY of a SELECT: positions and output names first (SQL-92 rules), then expressions over the input. */
function bindSelectOrderBy(orderBy: readonly A.OrderItem[], items: readonly OutputItem[], senv: ExprEnv): SortSpec[] {
  const { ctx } = senv;
  const sortSpecs: SortSpec[] = [];
  for (const o of orderBy) {
    const descending = o.direction === 'desc';
    const nullsFirst = o.nulls ? o.nulls === 'first' : descending;
    const pos = positionOf(o.expr);
    if (pos !== undefined) {
      if (pos < 1 || pos > items.length) {
        ctx.error('invalid_column_reference', `ORDER BY position ${pos} is not in select list`, o.expr.span);
        continue;
      }
      sortSpecs.push({ key: { expr: items[pos - 1]!.expr, descending, nullsFirst }, item: pos - 1, span: o.span });
      continue;
    }
    const name = bareName(o.expr);
    if (name !== undefined) {
      const matches = items.map((it, i) => ({ it, i })).filter(({ it }) => it.name === name);
      const distinctExprs = new Set(matches.map((m) => exprKey(m.it.expr)));
      if (distinctExprs.size > 1) {
        ctx.error('ambiguous_column', name, o.expr.span);
        continue;
      }
      if (matches.length) {
        sortSpecs.push({ key: { expr: matches[0]!.it.expr, descending, nullsFirst }, item: matches[0]!.i, span: o.span });
        continue;
      }
    }
    const [key] = bindSortKeys(senv, [o]);
    sortSpecs.push({ key: key!, span: o.span });
  }
  return sortSpecs;
}

/**
 * `SELECT srf(args) [AS name]` with no FROM is `SELECT name FROM srf(args) AS name`: one output
 * row per row of the set-returning function (PostgreSQL's ProjectSet over a single empty row).
 */
function setReturningSelect(sel: A.Select): A.Select | undefined {
  const item = sel.items.length === 1 ? sel.items[0]! : undefined;
  if (sel.from.length > 0 || !item || item.expr.kind !== 'func-call') return undefined;
  const call = item.expr;
  const name = call.name.parts[call.name.parts.length - 1]!;
  if (!TABLE_FUNCTIONS[name.name] || call.star || call.distinct || call.over || call.filter || call.orderBy.length > 0) return undefined;
  const alias: A.Ident = item.alias ?? name;
  const fn: A.FunctionTable = { kind: 'function-table', call, ordinality: false, alias: { kind: 'table-alias', name: alias, columns: [], span: call.span }, span: call.span };
  const ref: A.ColumnRefExpr = { kind: 'column-ref', name: { kind: 'qname', parts: [alias], span: call.span }, span: call.span };
  return { ...sel, from: [fn], items: [{ ...item, expr: ref, alias }] };
}

function bindSelect(selAst: A.Select, env: QueryEnv, orderBy: readonly A.OrderItem[], limitAst: A.Expr | undefined, offsetAst: A.Expr | undefined, keepUnknown: boolean): LogicalPlan {
  const { ctx } = env;
  const sel = setReturningSelect(selAst) ?? selAst;
  const scope = new Scope(env.outer);
  const from = bindFromList(sel.from, scope, env);
  let plan: LogicalPlan = from.plan ?? values([[]], []);
  refreshNullability(scope, plan);

  if (sel.where) {
    const wenv: ExprEnv = { ctx, scope, query: env, clause: 'WHERE' };
    const pred = requireBool(wenv, bindExpr(wenv, sel.where), 'WHERE', sel.where.span);
    if (!isError(pred)) plan = filter(plan, pred);
  }

  const aggs = new AggCollector();
  const windows = new WindowCollector();
  const namedWindows = new Map<string, A.WindowSpec>();
  for (const w of sel.windows) {
    if (namedWindows.has(w.name.name)) ctx.error('windowing_error', `window "${w.name.name}" is already defined`, w.name.span);
    namedWindows.set(w.name.name, w.spec);
  }
  const senv: ExprEnv = { ctx, scope, query: env, clause: 'SELECT', aggs, windows, namedWindows };
  scope.aggs = aggs;
  const items = bindSelectItems(sel.items, senv, sel.from.length > 0);
  scope.aggs = undefined;

  const groupExprs = bindGroupBy(sel, items, senv);

  scope.aggs = aggs;
  let having: Expr | undefined;
  if (sel.having) {
    const henv: ExprEnv = { ctx, scope, query: env, clause: 'HAVING', aggs, namedWindows };
    having = requireBool(henv, bindExpr(henv, sel.having), 'HAVING', sel.having.span);
  }

  const sortSpecs = bindSelectOrderBy(orderBy, items, senv);

  const distinctOn: { expr: Expr; span: Span }[] = [];
  for (const d of sel.distinctOn) {
    const pos = positionOf(d);
    if (pos !== undefined && items[pos - 1]) distinctOn.push({ expr: items[pos - 1]!.expr, span: d.span });
    else distinctOn.push({ expr: bindExpr(senv, d), span: d.span });
  }

  // Grouping: an Aggregate node, then every later expression rewritten over its output.
  const grouped = groupExprs.length > 0 || aggs.items.length > 0 || sel.having !== undefined;
  let windowItems: WindowItem[] = windows.items;
  if (grouped) {
    const opaque = new Set<ColumnId>([...aggs.items.map((a) => a.column.id), ...windows.items.map((w) => w.column.id)]);
    const g = new Grouping(ctx, scope, opaque);
    for (const ge of groupExprs) g.addGroup(ge.expr, ge.name);
    const groupRewrite = (e: Expr, span: Span): Expr => (isError(e) ? e : g.rewrite(e, span));
    for (const it of items) it.expr = groupRewrite(it.expr, it.span);
    if (having) having = groupRewrite(having, sel.having!.span);
    for (const s of sortSpecs) s.key = { ...s.key, expr: groupRewrite(s.key.expr, s.span) };
    for (const d of distinctOn) d.expr = groupRewrite(d.expr, d.span);
    windowItems = windows.items.map((w) => ({
      column: w.column,
      call: {
        ...w.call,
        args: w.call.args.map((a) => groupRewrite(a, sel.span)),
        partitionBy: w.call.partitionBy.map((p) => groupRewrite(p, sel.span)),
        orderBy: w.call.orderBy.map((k) => ({ ...k, expr: groupRewrite(k.expr, sel.span) })),
      },
    }));
    plan = aggregate(plan, g.groups, aggs.items);
    if (having && !isError(having)) plan = filter(plan, having);
  }
  if (windowItems.length) plan = window(plan, windowItems);

  // Projection: the select items, then hidden columns for sort and DISTINCT ON keys not among them.
  const reused = new Set<ColumnId>();
  const projItems: ProjectItem[] = items.map((it) => {
    let e = it.expr;
    if (!keepUnknown && (e.type.kind === 'unknown' || e.type.kind === 'null')) e = coerceTo(ctx, e, T.text, 'implicit', it.span) ?? e;
    // A plain column passes through under its own id (once; a repeat gets a fresh id).
    if (e.kind === 'column' && !reused.has(e.id)) {
      reused.add(e.id);
      return { column: { id: e.id, name: it.name, type: e.type, nullable: e.nullable }, expr: e };
    }
    return { column: ctx.column(it.name, e.type, e.nullable), expr: e };
  });
  const visibleCount = projItems.length;
  const refFor = (e: Expr, preferred?: number): Expr => {
    if (preferred !== undefined) return colRef(projItems[preferred]!.column);
    const key = exprKey(e);
    const found = projItems.find((p) => exprKey(p.expr) === key);
    if (found) return colRef(found.column);
    const column = ctx.column('?sort?', e.type, e.nullable);
    projItems.push({ column, expr: e });
    return colRef(column);
  };
  const sortKeys: SortKey[] = [];
  for (const s of sortSpecs) {
    if (isError(s.key.expr)) continue;
    const before = projItems.length;
    const ref = refFor(s.key.expr, s.item);
    if (sel.distinct && sel.distinctOn.length === 0 && projItems.length > before) {
      ctx.error('invalid_column_reference', 'for SELECT DISTINCT, ORDER BY expressions must appear in select list', s.span);
    }
    sortKeys.push({ ...s.key, expr: ref });
  }
  const onRefs = distinctOn.filter((d) => !isError(d.expr)).map((d) => refFor(d.expr));
  if (onRefs.length && sortKeys.length) {
    const n = Math.min(onRefs.length, sortKeys.length);
    for (let i = 0; i < n; i++) {
      const k = sortKeys[i]!.expr;
      if (!onRefs.some((r) => r.kind === 'column' && k.kind === 'column' && r.id === k.id)) {
        ctx.error('invalid_column_reference', 'SELECT DISTINCT ON expressions must match initial ORDER BY expressions', distinctOn[0]!.span);
        break;
      }
    }
  }

  plan = project(plan, projItems);
  if (sel.distinct && sel.distinctOn.length === 0) plan = distinct(plan);
  if (sortKeys.length) plan = sort(plan, sortKeys);
  if (onRefs.length) plan = distinct(plan, onRefs);
  plan = applyLimit(plan, limitAst, offsetAst, env);
  if (projItems.length > visibleCount) plan = project(plan, projItems.slice(0, visibleCount).map((p) => ({ column: p.column, expr: colRef(p.column) })));
  return plan;
}

function containsAny(e: Expr, ids: ReadonlySet<ColumnId>): boolean {
  switch (e.kind) {
    case 'column': return ids.has(e.id);
    case 'call': return e.args.some((a) => containsAny(a, ids));
    case 'cast': return containsAny(e.expr, ids);
    case 'case': return e.whens.some((w) => containsAny(w.when, ids) || containsAny(w.then, ids)) || (e.else ? containsAny(e.else, ids) : false);
    case 'subquery': return e.operand ? containsAny(e.operand, ids) : false;
    default: return false;
  }
}

// ─── LIMIT, VALUES, set operations, ORDER BY over outputs ───────────────────

function applyLimit(plan: LogicalPlan, limitAst: A.Expr | undefined, offsetAst: A.Expr | undefined, env: QueryEnv): LogicalPlan {
  const bindCount = (e: A.Expr | undefined, clause: 'LIMIT' | 'OFFSET'): Expr | undefined => {
    if (!e) return undefined;
    const eenv: ExprEnv = { ctx: env.ctx, scope: new Scope(), query: env, clause };
    const b = bindExpr(eenv, e);
    if (isError(b)) return undefined;
    if (b.kind === 'literal' && b.value === null) return undefined;
    const c = coerceTo(env.ctx, b, T.int64, 'assignment', e.span);
    if (!c) {
      env.ctx.error('datatype_mismatch', `argument of ${clause} must be type bigint, not type ${displayType(b.type)}`, e.span);
      return undefined;
    }
    return isError(c) ? undefined : c;
  };
  const count = bindCount(limitAst, 'LIMIT');
  const offset = bindCount(offsetAst, 'OFFSET');
  return count || offset ? limit(plan, count, offset) : plan;
}

function bindValues(v: A.ValuesBody, env: QueryEnv): LogicalPlan {
  const { ctx } = env;
  const eenv: ExprEnv = { ctx, scope: new Scope(env.outer), query: env, clause: 'VALUES' };
  const width = v.rows[0]?.length ?? 0;
  const rows: Expr[][] = [];
  for (const r of v.rows) {
    if (r.length !== width) {
      ctx.error('syntax_error', 'VALUES lists must all be the same length', r[0]?.span ?? v.span);
      return values([], []);
    }
    rows.push(r.map((e) => bindExpr(eenv, e)));
  }
  return valuesPlan(ctx, rows, v.rows.map((r) => r.map((e) => e.span)), 'VALUES', (i) => `column${i + 1}`);
}

/** Unifies each column of literal rows and builds a Values node with fresh columns. */
export function valuesPlan(ctx: BindContext, rows: Expr[][], spans: readonly (readonly Span[])[], what: string, nameOf: (i: number) => string): LogicalPlan {
  const width = rows[0]?.length ?? 0;
  const types: DataType[] = [];
  for (let c = 0; c < width; c++) {
    const col = rows.map((r) => r[c]!);
    const u = unify(ctx, col, rows.map((_, r) => spans[r]![c]!));
    if (!u.ok) {
      ctx.error('datatype_mismatch', `${what} types ${displayType(u.left)} and ${displayType(u.right)} cannot be matched`, spans[u.index]![c]!);
      types.push(T.error);
      continue;
    }
    const t = u.type.kind === 'unknown' || u.type.kind === 'null' ? T.text : u.type;
    types.push(t);
    u.exprs.forEach((e, r) => (rows[r]![c] = coerceTo(ctx, e, t, 'implicit', spans[r]![c]!) ?? e));
  }
  const schema = types.map((t, c) => ctx.column(nameOf(c), t, rows.some((r) => r[c]!.nullable)));
  return values(rows, schema);
}

function bindSetOp(s: A.SetOperation, env: QueryEnv): LogicalPlan {
  const { ctx } = env;
  const left = bindBody(s.left, env, true);
  const right = bindBody(s.right, env, true);
  const what = s.op.toUpperCase();
  if (left.schema.length !== right.schema.length) {
    ctx.error('syntax_error', `each ${what} query must have the same number of columns`, s.right.span);
    return left;
  }
  const types: DataType[] = [];
  for (let i = 0; i < left.schema.length; i++) {
    const l = left.schema[i]!;
    const r = right.schema[i]!;
    const u = unify(ctx, [colRef(l), colRef(r)], [s.left.span, s.right.span]);
    if (!u.ok) {
      ctx.error('datatype_mismatch', `${what} types ${displayType(l.type)} and ${displayType(r.type)} cannot be matched`, outputSpan(s.right, i));
      types.push(T.error);
    } else types.push(u.type);
  }
  const conform = (p: LogicalPlan): LogicalPlan => retypeOutputs(ctx, p, types, 'implicit', s.span);
  const schema = left.schema.map((c, i) => ctx.column(c.name, types[i]!, c.nullable || right.schema[i]!.nullable));
  return setOp(s.op, s.all, conform(left), conform(right), schema);
}

/**
 * Gives a plan's outputs the wanted types. Untyped outputs of a top Project (literals, parameters)
 * are coerced in place so they fold to constants; other mismatches get a casting Project.
 * Columns that cannot be coerced are left alone (the caller has reported the conflict).
 */
export function retypeOutputs(ctx: BindContext, plan: LogicalPlan, types: readonly DataType[], mode: 'implicit' | 'assignment', span: Span): LogicalPlan {
  // Assignment also enforces type modifiers (numeric(15,2) rounds, varchar(n) checks length).
  const fits = (c: Column, i: number): boolean => {
    const t = types[i]!;
    if (t.kind === 'error' || typeEquals(c.type, t)) return true;
    return sameBase(c.type, t) && (mode === 'implicit' || !(t.kind === 'decimal' && t.precision !== undefined) && !(t.kind === 'utf8' && t.maxLength !== undefined));
  };
  if (plan.schema.every(fits)) return plan;
  const untyped = (t: DataType): boolean => t.kind === 'unknown' || t.kind === 'null';
  let base = plan;
  if (plan.kind === 'project' && plan.items.some((it) => untyped(it.expr.type))) {
    base = project(
      plan.input,
      plan.items.map((it, i) => {
        if (!untyped(it.expr.type)) return it;
        const e = coerceTo(ctx, it.expr, types[i]!, mode, span) ?? it.expr;
        return { column: ctx.column(it.column.name, e.type, e.nullable), expr: e };
      }),
    );
    if (base.schema.every(fits)) return base;
  }
  return project(
    base,
    base.schema.map((c, i) => {
      if (fits(c, i)) return { column: c, expr: colRef(c) };
      const e = coerceTo(ctx, colRef(c), types[i]!, mode, span);
      return e ? { column: ctx.column(c.name, e.type, e.nullable), expr: e } : { column: c, expr: colRef(c) };
    }),
  );
}

/** The source span of output column `i` of a query body (its select item when it has one). */
export function outputSpan(b: A.QueryBody, i: number): Span {
  if (b.kind === 'select') return b.items[i]?.expr.span ?? b.span;
  if (b.kind === 'values') return b.rows[0]?.[i]?.span ?? b.span;
  if (b.kind === 'set-op') return outputSpan(b.left, i);
  return outputSpan(b.body, i);
}

/** ORDER BY over a set operation or VALUES: output names, positions, or expressions over output columns. */
function sortByOutput(plan: LogicalPlan, orderBy: readonly A.OrderItem[], env: QueryEnv): LogicalPlan {
  const scope = new Scope(env.outer);
  const rel: ScopeRelation = { alias: undefined, columns: plan.schema.map((c) => ({ name: c.name, column: c })) };
  scope.relations.push(rel);
  scope.visible.push(...rel.columns);
  const eenv: ExprEnv = { ctx: env.ctx, scope, query: env, clause: 'ORDER BY' };
  const keys: SortKey[] = [];
  for (const o of orderBy) {
    const descending = o.direction === 'desc';
    const nullsFirst = o.nulls ? o.nulls === 'first' : descending;
    const pos = positionOf(o.expr);
    if (pos !== undefined) {
      const c = plan.schema[pos - 1];
      if (!c) env.ctx.error('invalid_column_reference', `ORDER BY position ${pos} is not in select list`, o.expr.span);
      else keys.push({ expr: colRef(c), descending, nullsFirst });
      continue;
    }
    const e = bindExpr(eenv, o.expr);
    if (isError(e)) continue;
    if (e.kind !== 'column') {
      env.ctx.error('feature_not_supported', 'invalid UNION/INTERSECT/EXCEPT ORDER BY clause', o.expr.span, { detail: 'Only result column names can be used, not expressions or functions.' });
      continue;
    }
    keys.push({ expr: e, descending, nullsFirst });
  }
  return keys.length ? sort(plan, keys) : plan;
}
