// Lowers INSERT, UPDATE and DELETE (with ON CONFLICT, FROM/USING, DEFAULT and RETURNING) to write plans.

import type { Span } from '../../diagnostics/index.ts';
import { call, colRef, literal, type Expr } from '../../ir/expr.ts';
import { del, filter, insert, join, scan, update as updateNode, values } from '../../ir/build.ts';
import type { Insert, LogicalPlan, ProjectItem, Returning, ScanColumn } from '../../ir/plan.ts';
import { T } from '../../ir/types.ts';
import type { ColumnInfo, TableInfo } from '../../catalog/index.ts';
import type { BindContext } from '../../bind/context.ts';
import { Scope, type ScopeRelation } from '../../bind/scope.ts';
import { coerceTo, displayType, errorExpr, isError } from '../../bind/coerce.ts';
import type * as A from './ast.ts';
import { bindExpr, requireBool, type ExprEnv } from './lower-expr.ts';
import { bindFromList, bindQuery, bindSelectItems, bindWith, outputSpan, retypeOutputs, scanColumns, tableRelation, type QueryEnv } from './lower-query.ts';
import { parseExpression } from './lower-parse.ts';
import { bindWriteConstraints } from './lower-constraints.ts';

const ASSIGN_HINT = 'You will need to rewrite or cast the expression.';

/** Finds the target table of a write, reporting a missing relation or a view. */
function targetTable(ctx: BindContext, name: A.QName, verb: string): TableInfo | undefined {
  const parts = name.parts.map((p) => p.name);
  const rel = ctx.catalog.getRelation(parts.length > 1 ? parts[parts.length - 2] : undefined, parts[parts.length - 1]!);
  if (!rel) {
    ctx.error('undefined_table', parts.join('.'), name.span);
    return undefined;
  }
  if (rel.kind === 'view') {
    ctx.error('wrong_object_type', `cannot ${verb} view "${rel.name}"`, name.span);
    return undefined;
  }
  return rel;
}

function findColumn(ctx: BindContext, table: TableInfo, id: A.Ident): ColumnInfo | undefined {
  const c = table.columns.find((col) => col.name === id.name);
  if (!c) ctx.error('undefined_target_column', `column "${id.name}" of relation "${table.name}" does not exist`, id.span);
  return c;
}

/** The DEFAULT of a column: its stored expression, `nextval` of its sequence, or NULL. */
export function defaultExpr(ctx: BindContext, col: ColumnInfo): Expr | undefined {
  if (col.defaultSql !== undefined) {
    const ast = parseExpression(col.defaultSql);
    if (!ast) return undefined;
    const bound = ctx.quietly(() => {
      const env: ExprEnv = { ctx, scope: new Scope(), query: { ctx }, clause: 'DEFAULT expressions' };
      return coerceTo(ctx, bindExpr(env, ast), col.type, 'assignment', ast.span);
    });
    return bound.failed || !bound.result || isError(bound.result) ? undefined : bound.result;
  }
  if (col.sequence !== undefined) {
    const next = call('nextval', [literal(col.sequence, T.text)], T.int64, false);
    return coerceTo(ctx, next, col.type, 'assignment', { start: 0, end: 0 });
  }
  return undefined;
}

/** Coerces a value to a target column in assignment context, with PostgreSQL's wording on failure. */
function assign(ctx: BindContext, e: Expr, col: ColumnInfo, span: Span): Expr {
  if (isError(e)) return e;
  const c = coerceTo(ctx, e, col.type, 'assignment', span);
  if (!c) {
    ctx.error('datatype_mismatch', `column "${col.name}" is of type ${displayType(col.type)} but expression is of type ${displayType(e.type)}`, span, { hint: ASSIGN_HINT });
    return errorExpr();
  }
  return c;
}

/** RETURNING items over a scope; plain column references keep their ids. */
function bindReturning(r: A.ReturningClause | undefined, scope: Scope, env: QueryEnv): Returning | undefined {
  if (!r) return undefined;
  const { ctx } = env;
  const items = bindSelectItems(r.items, { ctx, scope, query: env, clause: 'RETURNING' }, true);
  const seen = new Set<number>();
  const out: ProjectItem[] = items.map((it) => {
    let e = it.expr;
    if (e.type.kind === 'unknown' || e.type.kind === 'null') e = coerceTo(ctx, e, T.text, 'implicit', it.span) ?? e;
    if (e.kind === 'column' && !seen.has(e.id)) {
      seen.add(e.id);
      return { column: { id: e.id, name: it.name, type: e.type, nullable: e.nullable }, expr: e };
    }
    return { column: ctx.column(it.name, e.type, e.nullable), expr: e };
  });
  return { items: out };
}

function targetScope(rel: ScopeRelation, outer?: Scope): Scope {
  const s = new Scope(outer);
  s.relations.push(rel);
  s.visible.push(...rel.columns);
  return s;
}

type DefaultMarker = { readonly kind: 'default'; readonly span: Span };
const isDefault = (e: A.Expr | DefaultMarker): e is DefaultMarker => e.kind === 'default';

export function bindInsert(s: A.InsertStatement, outer: QueryEnv): LogicalPlan | undefined {
  const env = s.with ? bindWith(s.with, outer) : outer;
  const { ctx } = env;
  const table = targetTable(ctx, s.table, 'insert into');
  if (!table) return undefined;
  const alias = s.alias?.name ?? table.name;

  const explicit = s.columns.length > 0;
  const targets: ColumnInfo[] = [];
  for (const id of s.columns) {
    const c = findColumn(ctx, table, id);
    if (!c) return undefined;
    if (targets.includes(c)) {
      ctx.error('duplicate_column', id.name, id.span);
      return undefined;
    }
    targets.push(c);
  }
  if (!explicit) targets.push(...table.columns);

  let source: LogicalPlan;
  let used: ColumnInfo[];
  const src = s.source;
  if (src.kind === 'default-values') {
    source = values([[]], []);
    used = [];
  } else if (src.kind === 'values') {
    const width = src.rows[0]?.length ?? 0;
    const venv: ExprEnv = { ctx, scope: new Scope(), query: env, clause: 'VALUES' };
    const rows: Expr[][] = [];
    for (const row of src.rows) {
      if (row.length > targets.length) {
        ctx.error('syntax_error', 'INSERT has more expressions than target columns', row[targets.length]!.span);
        return undefined;
      }
      if (row.length < targets.length && explicit) {
        ctx.error('syntax_error', 'INSERT has more target columns than expressions', s.columns[row.length]!.span);
        return undefined;
      }
      if (row.length !== width) {
        ctx.error('syntax_error', 'VALUES lists must all be the same length', row[0]?.span ?? s.span);
        return undefined;
      }
      rows.push(
        row.map((cell, i) => {
          const col = targets[i]!;
          if (isDefault(cell)) return defaultExpr(ctx, col) ?? literal(null, col.type);
          return assign(ctx, bindExpr(venv, cell), col, cell.span);
        }),
      );
    }
    used = targets.slice(0, width);
    source = values(rows, used.map((c, i) => ctx.column(c.name, c.type, rows.some((r) => r[i]!.nullable))));
  } else {
    const q = bindQuery(src.query, env, true);
    if (q.schema.length > targets.length) {
      ctx.error('syntax_error', 'INSERT has more expressions than target columns', outputSpan(src.query.body, targets.length));
      return undefined;
    }
    if (q.schema.length < targets.length && explicit) {
      ctx.error('syntax_error', 'INSERT has more target columns than expressions', s.columns[q.schema.length]!.span);
      return undefined;
    }
    used = targets.slice(0, q.schema.length);
    for (const [i, c] of q.schema.entries()) {
      if (c.type.kind !== 'unknown' && c.type.kind !== 'null') assign(ctx, colRef(c), used[i]!, outputSpan(src.query.body, i));
    }
    if (ctx.hasErrors) return undefined;
    source = retypeOutputs(ctx, q, used.map((c) => c.type), 'assignment', src.query.span);
  }

  const defaults: Insert['defaults'][number][] = [];
  for (const c of table.columns) {
    if (used.includes(c)) continue;
    const d = defaultExpr(ctx, c);
    if (d) defaults.push({ ordinal: c.ordinal, expr: d });
  }

  const rowColumns = scanColumns(ctx, table, alias, false);
  const rowRel = tableRelation(table, undefined, rowColumns);
  const rowScope = targetScope({ ...rowRel, alias });
  const onConflict = s.onConflict ? bindOnConflict(s.onConflict, table, alias, env) : undefined;
  if (s.onConflict && !onConflict) return undefined;
  const returning = bindReturning(s.returning, rowScope, env);
  const upsertOrdinals = onConflict?.action.kind === 'update' ? onConflict.action.assignments.map((a) => a.ordinal) : [];
  const constraints = bindWriteConstraints(ctx, table, rowColumns, { kind: 'insert', upsertOrdinals }, s.span);
  return insert({
    table,
    targetOrdinals: used.map((c) => c.ordinal),
    defaults,
    source,
    ...(onConflict ? { onConflict } : {}),
    rowColumns,
    ...(returning ? { returning } : {}),
    ...(constraints ? { constraints } : {}),
  });
}

function bindOnConflict(oc: A.OnConflict, table: TableInfo, alias: string, env: QueryEnv): Insert['onConflict'] | undefined {
  const { ctx } = env;
  let keyOrdinals: number[];
  if (oc.constraint) {
    const idx = table.indexes.find((i) => i.name === oc.constraint!.name && (i.unique || i.primary));
    if (!idx) {
      ctx.error('undefined_object', `constraint "${oc.constraint.name}" for table "${table.name}" does not exist`, oc.constraint.span);
      return undefined;
    }
    keyOrdinals = idx.columns.map((n) => table.columns.find((c) => c.name === n)!.ordinal);
  } else if (oc.target.length) {
    const cols: ColumnInfo[] = [];
    for (const id of oc.target) {
      const c = table.columns.find((col) => col.name === id.name);
      if (!c) {
        ctx.error('undefined_column', id.name, id.span);
        return undefined;
      }
      cols.push(c);
    }
    const names = new Set(cols.map((c) => c.name));
    const keys = [...(table.primaryKey.length ? [table.primaryKey] : []), ...table.indexes.filter((i) => i.unique || i.primary).map((i) => i.columns)];
    const match = keys.find((k) => k.length === names.size && k.every((n) => names.has(n)));
    if (!match) {
      ctx.error('invalid_column_reference', 'there is no unique or exclusion constraint matching the ON CONFLICT specification', oc.span);
      return undefined;
    }
    keyOrdinals = match.map((n) => table.columns.find((c) => c.name === n)!.ordinal);
  } else {
    if (oc.action.kind === 'update') {
      ctx.error('syntax_error', 'ON CONFLICT DO UPDATE requires inference specification or constraint name', oc.span, {
        hint: 'For example, ON CONFLICT (column_name).',
      });
      return undefined;
    }
    keyOrdinals = table.primaryKey.map((n) => table.columns.find((c) => c.name === n)!.ordinal);
  }
  if (oc.action.kind === 'nothing') return { keyOrdinals, action: { kind: 'nothing' } };

  const existing = scanColumns(ctx, table, alias, false);
  const excluded = scanColumns(ctx, table, 'excluded', false);
  const scope = new Scope();
  const existingRel = { ...tableRelation(table, undefined, existing), alias };
  const excludedRel = { ...tableRelation(table, undefined, excluded), alias: 'excluded' };
  scope.relations.push(existingRel, excludedRel);
  scope.visible.push(...existingRel.columns, ...excludedRel.columns);
  const eenv: ExprEnv = { ctx, scope, query: env, clause: 'ON CONFLICT DO UPDATE' };
  const assignments = bindAssignments(oc.action.assignments, table, eenv);
  if (!assignments) return undefined;
  const where = oc.action.where ? requireBool(eenv, bindExpr(eenv, oc.action.where), 'WHERE', oc.action.where.span) : undefined;
  return { keyOrdinals, action: { kind: 'update', existing, excluded, assignments, ...(where ? { where } : {}) } };
}

function bindAssignments(list: readonly A.Assignment[], table: TableInfo, env: ExprEnv): { ordinal: number; expr: Expr }[] | undefined {
  const { ctx } = env;
  const out: { ordinal: number; expr: Expr }[] = [];
  for (const a of list) {
    const col = findColumn(ctx, table, a.column);
    if (!col) return undefined;
    if (out.some((o) => o.ordinal === col.ordinal)) {
      ctx.error('syntax_error', `multiple assignments to same column "${col.name}"`, a.column.span);
      return undefined;
    }
    const v = a.value;
    const expr = v.kind === 'default' ? (defaultExpr(ctx, col) ?? literal(null, col.type)) : assign(ctx, bindExpr(env, v), col, v.span);
    out.push({ ordinal: col.ordinal, expr });
  }
  return out;
}

/** The shared front of UPDATE and DELETE: target scan with row id, joined with FROM/USING items, filtered by WHERE. */
function bindTarget(
  env: QueryEnv,
  tableName: A.QName,
  aliasId: A.Ident | undefined,
  from: readonly A.FromItem[],
  where: A.Expr | undefined,
  verb: string,
): { table: TableInfo; scope: Scope; plan: LogicalPlan; rowColumns: ScanColumn[]; rowId: number } | undefined {
  const { ctx } = env;
  const table = targetTable(ctx, tableName, verb);
  if (!table) return undefined;
  const alias = aliasId?.name ?? table.name;
  const cols = scanColumns(ctx, table, alias, true);
  const rowColumns = cols.filter((c) => c.ordinal >= 0);
  const rowId = cols.find((c) => c.ordinal === -1)!.id;
  const scope = new Scope(env.outer);
  const rel = tableRelation(table, aliasId ? { kind: 'table-alias', name: aliasId, columns: [], span: aliasId.span } : undefined, cols);
  scope.relations.push(rel);
  scope.visible.push(...rel.columns);
  let plan: LogicalPlan = scan(table, alias, cols);
  const fromBound = bindFromList(from, scope, env);
  if (!fromBound.ok) return undefined;
  if (fromBound.plan) plan = join('cross', plan, fromBound.plan);
  if (where) {
    const wenv: ExprEnv = { ctx, scope, query: env, clause: 'WHERE' };
    const pred = requireBool(wenv, bindExpr(wenv, where), 'WHERE', where.span);
    if (isError(pred)) return undefined;
    plan = filter(plan, pred);
  }
  return { table, scope, plan, rowColumns, rowId };
}

export function bindUpdate(s: A.UpdateStatement, outer: QueryEnv): LogicalPlan | undefined {
  const env = s.with ? bindWith(s.with, outer) : outer;
  const t = bindTarget(env, s.table, s.alias, s.from, s.where, 'update');
  if (!t) return undefined;
  const assignments = bindAssignments(s.assignments, t.table, { ctx: env.ctx, scope: t.scope, query: env, clause: 'UPDATE' });
  if (!assignments) return undefined;
  const returning = bindReturning(s.returning, t.scope, env);
  const constraints = bindWriteConstraints(env.ctx, t.table, t.rowColumns, { kind: 'update', ordinals: assignments.map((a) => a.ordinal) }, s.span);
  return updateNode({ table: t.table, input: t.plan, rowColumns: t.rowColumns, rowId: t.rowId, assignments, ...(returning ? { returning } : {}), ...(constraints ? { constraints } : {}) });
}

export function bindDelete(s: A.DeleteStatement, outer: QueryEnv): LogicalPlan | undefined {
  const env = s.with ? bindWith(s.with, outer) : outer;
  const t = bindTarget(env, s.table, s.alias, s.using, s.where, 'delete from');
  if (!t) return undefined;
  const returning = bindReturning(s.returning, t.scope, env);
  const constraints = bindWriteConstraints(env.ctx, t.table, t.rowColumns, { kind: 'delete' }, s.span);
  return del({ table: t.table, input: t.plan, rowColumns: t.rowColumns, rowId: t.rowId, ...(returning ? { returning } : {}), ...(constraints ? { constraints } : {}) });
}
