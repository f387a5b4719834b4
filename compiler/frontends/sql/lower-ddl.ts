// Lowers DDL (CREATE/DROP TABLE, INDEX, VIEW, ALTER TABLE) to bound statements, checked against the catalog.

import type { ColumnDefinition, BoundStatement } from '../../ir/plan.ts';
import type { TableInfo } from '../../catalog/index.ts';
import type { BindContext } from '../../bind/context.ts';
import { Scope } from '../../bind/scope.ts';
import { coerceTo, displayType, isError } from '../../bind/coerce.ts';
import { resolveTypeName } from '../../bind/type-name.ts';
import type * as A from './ast.ts';
import { bindExpr, requireBool, type ExprEnv } from './lower-expr.ts';
import { bindQuery } from './lower-query.ts';

type CreateTable = Extract<BoundStatement, { kind: 'create-table' }>;

const defaultSchema = (ctx: BindContext): string => ctx.catalog.searchPath[0] ?? 'public';

function splitName(ctx: BindContext, q: A.QName): { schema: string; name: string } {
  const parts = q.parts.map((p) => p.name);
  return { schema: parts.length > 1 ? parts[parts.length - 2]! : defaultSchema(ctx), name: parts[parts.length - 1]! };
}

const sourceText = (ctx: BindContext, span: { start: number; end: number }): string => ctx.source.slice(span.start, span.end);

/** Checks a DEFAULT or CHECK expression binds without column references (defaults) or over the new table's columns (checks). */
function checkDefault(ctx: BindContext, expr: A.Expr, col: ColumnDefinition): void {
  const env: ExprEnv = { ctx, scope: new Scope(), query: { ctx }, clause: 'DEFAULT expressions' };
  const e = bindExpr(env, expr);
  if (isError(e)) return;
  if (!coerceTo(ctx, e, col.type, 'assignment', expr.span)) {
    ctx.error('datatype_mismatch', `column "${col.name}" is of type ${displayType(col.type)} but default expression is of type ${displayType(e.type)}`, expr.span, {
      hint: 'You will need to rewrite or cast the expression.',
    });
  }
}

/** Resolves a column definition; undefined (with a diagnostic) for an unknown type. */
export function bindColumnDef(ctx: BindContext, def: A.ColumnDef): { column: ColumnDefinition; primary: boolean; unique: boolean; references?: A.ColumnConstraint & { kind: 'references' }; checks: A.Expr[] } | undefined {
  const t = resolveTypeName(def.type.name, def.type.modifiers, def.type.arrayDims);
  if (!t) {
    ctx.error('undefined_type', def.type.name, def.type.span);
    return undefined;
  }
  let nullable = true;
  let primary = false;
  let unique = false;
  let defaultSql: string | undefined;
  let defaultAst: A.Expr | undefined;
  let references: (A.ColumnConstraint & { kind: 'references' }) | undefined;
  const checks: A.Expr[] = [];
  for (const c of def.constraints) {
    switch (c.kind) {
      case 'not-null': nullable = false; break;
      case 'null': nullable = true; break;
      case 'primary-key': primary = true; nullable = false; break;
      case 'unique': unique = true; break;
      case 'default': defaultSql = sourceText(ctx, c.expr.span); defaultAst = c.expr; break;
      case 'check': checks.push(c.expr); break;
      case 'references': references = c; break;
    }
  }
  const column: ColumnDefinition = {
    name: def.name.name,
    type: t.type,
    nullable: nullable && !t.serial,
    ...(defaultSql !== undefined ? { defaultSql } : {}),
    ...(t.serial ? { serial: true } : {}),
  };
  if (defaultAst) checkDefault(ctx, defaultAst, column);
  return { column, primary, unique, ...(references ? { references } : {}), checks };
}

function bindCreateTable(s: A.CreateTableStatement, ctx: BindContext): CreateTable | undefined {
  const { schema, name } = splitName(ctx, s.name);
  if (ctx.catalog.getRelation(schema, name) && !s.ifNotExists) {
    ctx.error('duplicate_table', name, s.name.span);
    return undefined;
  }
  const columns: ColumnDefinition[] = [];
  let primaryKey: string[] = [];
  let pkSpan: A.Node['span'] | undefined;
  const uniques: CreateTable['uniques'][number][] = [];
  const foreignKeys: CreateTable['foreignKeys'][number][] = [];
  const checks: { name: string; sql: string }[] = [];
  const checkExprs: A.Expr[] = [];
  const setPk = (cols: string[], span: A.Node['span']): boolean => {
    if (pkSpan) {
      ctx.error('invalid_table_definition', `multiple primary keys for table "${name}" are not allowed`, span);
      return false;
    }
    pkSpan = span;
    primaryKey = cols;
    return true;
  };
  let ok = true;
  for (const def of s.columns) {
    if (columns.some((c) => c.name === def.name.name)) {
      ctx.error('duplicate_column', def.name.name, def.name.span);
      ok = false;
      continue;
    }
    const b = bindColumnDef(ctx, def);
    if (!b) {
      ok = false;
      continue;
    }
    columns.push(b.column);
    if (b.primary) ok = setPk([b.column.name], def.span) && ok;
    if (b.unique) uniques.push({ name: `${name}_${b.column.name}_key`, columns: [b.column.name] });
    for (const [i, chk] of b.checks.entries()) {
      checks.push({ name: `${name}_${b.column.name}_check${i ? i : ''}`, sql: sourceText(ctx, chk.span) });
      checkExprs.push(chk);
    }
    if (b.references) foreignKeys.push({ name: `${name}_${b.column.name}_fkey`, columns: [b.column.name], ...refTarget(ctx, b.references.table, b.references.columns, name) });
  }
  const known = (ids: readonly A.Ident[]): string[] | undefined => {
    for (const id of ids) {
      if (!columns.some((c) => c.name === id.name)) {
        ctx.error('undefined_target_column', `column "${id.name}" named in key does not exist`, id.span);
        return undefined;
      }
    }
    return ids.map((i) => i.name);
  };
  for (const c of s.constraints) {
    switch (c.kind) {
      case 'primary-key': {
        const cols = known(c.columns);
        if (!cols) ok = false;
        else ok = setPk(cols, c.span) && ok;
        break;
      }
      case 'unique': {
        const cols = known(c.columns);
        if (!cols) ok = false;
        else uniques.push({ name: c.name?.name ?? `${name}_${cols.join('_')}_key`, columns: cols });
        break;
      }
      case 'check':
        checks.push({ name: c.name?.name ?? `${name}_check${checks.length ? checks.length : ''}`, sql: sourceText(ctx, c.expr.span) });
        checkExprs.push(c.expr);
        break;
      case 'foreign-key': {
        const cols = known(c.columns);
        if (!cols) ok = false;
        else foreignKeys.push({ name: c.name?.name ?? `${name}_${cols.join('_')}_fkey`, columns: cols, ...refTarget(ctx, c.table, c.refColumns, name) });
        break;
      }
    }
  }
  const finalColumns = columns.map((c) => (primaryKey.includes(c.name) ? { ...c, nullable: false } : c));
  checkConstraints(ctx, name, finalColumns, checkExprs);
  let asQuery;
  if (s.asQuery) {
    asQuery = bindQuery(s.asQuery, { ctx });
    if (!columns.length) for (const c of asQuery.schema) finalColumns.push({ name: c.name, type: c.type.kind === 'unknown' ? { kind: 'utf8' } : c.type, nullable: true });
  }
  if (!ok) return undefined;
  return { kind: 'create-table', schema, name, ifNotExists: s.ifNotExists, columns: finalColumns, primaryKey, uniques, foreignKeys, checks, ...(asQuery ? { asQuery } : {}) };
}

/** CHECK constraints must be boolean expressions over the table's own columns. */
function checkConstraints(ctx: BindContext, table: string, columns: readonly ColumnDefinition[], exprs: readonly A.Expr[]): void {
  if (!exprs.length) return;
  const scope = new Scope();
  const cols = columns.map((c) => ({ name: c.name, column: ctx.column(c.name, c.type, c.nullable, table) }));
  scope.relations.push({ alias: table, columns: cols });
  scope.visible.push(...cols);
  const env: ExprEnv = { ctx, scope, query: { ctx }, clause: 'check constraints' };
  for (const e of exprs) requireBool(env, bindExpr(env, e), 'CHECK', e.span);
}

function refTarget(ctx: BindContext, table: A.QName, cols: readonly A.Ident[], self: string): { refTable: string; refColumns: string[] } {
  const { schema, name } = splitName(ctx, table);
  const rel = name === self ? undefined : ctx.catalog.getRelation(schema, name);
  if (name !== self && (!rel || rel.kind !== 'table')) {
    ctx.error('undefined_table', name, table.span);
  } else if (rel && rel.kind === 'table') {
    for (const c of cols) if (!rel.columns.some((rc) => rc.name === c.name)) ctx.error('undefined_target_column', `column "${c.name}" referenced in foreign key constraint does not exist`, c.span);
    if (!cols.length) return { refTable: name, refColumns: [...rel.primaryKey] };
  }
  return { refTable: name, refColumns: cols.map((c) => c.name) };
}

function findTable(ctx: BindContext, q: A.QName): TableInfo | undefined {
  const { schema, name } = splitName(ctx, q);
  const rel = ctx.catalog.getRelation(q.parts.length > 1 ? schema : undefined, name);
  if (!rel) {
    ctx.error('undefined_table', name, q.span);
    return undefined;
  }
  if (rel.kind !== 'table') {
    ctx.error('wrong_object_type', `"${name}" is not a table`, q.span);
    return undefined;
  }
  return rel;
}

function bindDrop(s: A.DropStatement, ctx: BindContext): BoundStatement | undefined {
  const names = s.names.map((q) => splitName(ctx, q));
  let ok = true;
  s.names.forEach((q, i) => {
    const { name } = names[i]!;
    const explicitSchema = q.parts.length > 1 ? names[i]!.schema : undefined;
    if (s.objectKind === 'index') {
      const exists = ctx.catalog.listRelations().some((r) => r.kind === 'table' && r.indexes.some((ix) => ix.name === name));
      if (!exists && !s.ifExists) {
        ctx.error('undefined_object', `index "${name}" does not exist`, q.span);
        ok = false;
      }
      return;
    }
    const rel = ctx.catalog.getRelation(explicitSchema, name);
    if (!rel) {
      if (!s.ifExists) {
        ctx.error('undefined_table', name, q.span);
        ok = false;
      }
      return;
    }
    if (rel.kind !== s.objectKind) {
      ctx.error('wrong_object_type', `"${name}" is not a ${s.objectKind}`, q.span, { hint: `Use DROP ${rel.kind.toUpperCase()} to remove a ${rel.kind}.` });
      ok = false;
    }
  });
  return ok ? { kind: 'drop', objectKind: s.objectKind, names, ifExists: s.ifExists, cascade: s.cascade } : undefined;
}

function bindCreateIndex(s: A.CreateIndexStatement, ctx: BindContext): BoundStatement | undefined {
  const table = findTable(ctx, s.table);
  if (!table) return undefined;
  const columns: string[] = [];
  for (const item of s.columns) {
    const e = item.expr;
    if (e.kind !== 'column-ref' || e.name.parts.length !== 1) {
      ctx.error('feature_not_supported', 'index expressions are not supported', e.span);
      return undefined;
    }
    const n = e.name.parts[0]!.name;
    if (!table.columns.some((c) => c.name === n)) {
      ctx.error('undefined_column', n, e.span);
      return undefined;
    }
    columns.push(n);
  }
  const name = s.name?.name ?? `${table.name}_${columns.join('_')}_idx`;
  const clash = ctx.catalog.listRelations().some((r) => r.name === name || (r.kind === 'table' && r.indexes.some((i) => i.name === name)));
  if (clash && !s.ifNotExists) {
    ctx.error('duplicate_table', name, s.name?.span ?? s.span);
    return undefined;
  }
  return { kind: 'create-index', schema: table.schema, name, table: table.name, columns, unique: s.unique, ifNotExists: s.ifNotExists };
}

function bindCreateView(s: A.CreateViewStatement, ctx: BindContext): BoundStatement | undefined {
  const { schema, name } = splitName(ctx, s.name);
  const existing = ctx.catalog.getRelation(schema, name);
  if (existing && !s.orReplace) {
    ctx.error('duplicate_table', name, s.name.span);
    return undefined;
  }
  if (existing && existing.kind !== 'view') {
    ctx.error('wrong_object_type', `"${name}" is not a view`, s.name.span);
    return undefined;
  }
  const plan = bindQuery(s.query, { ctx });
  if (s.columns.length > plan.schema.length) {
    ctx.error('syntax_error', 'CREATE VIEW specifies more column names than columns', s.columns[plan.schema.length]!.span);
    return undefined;
  }
  const columns = plan.schema.map((c, i) => ({ ...c, name: s.columns[i]?.name ?? c.name }));
  const dup = columns.find((c, i) => columns.findIndex((o) => o.name === c.name) !== i);
  if (dup) {
    ctx.error('duplicate_column', dup.name, s.span);
    return undefined;
  }
  return { kind: 'create-view', schema, name, orReplace: s.orReplace, sql: s.queryText, columnNames: s.columns.map((c) => c.name), columns };
}

function bindAlterTable(s: A.AlterTableStatement, ctx: BindContext): BoundStatement | undefined {
  const { schema, name } = splitName(ctx, s.name);
  const rel = ctx.catalog.getRelation(s.name.parts.length > 1 ? schema : undefined, name);
  if (!rel) {
    if (!s.ifExists) ctx.error('undefined_table', name, s.name.span);
    return undefined;
  }
  if (rel.kind !== 'table') {
    ctx.error('wrong_object_type', `"${name}" is not a table`, s.name.span);
    return undefined;
  }
  if (s.actions.length !== 1) {
    ctx.error('feature_not_supported', 'ALTER TABLE with more than one action is not supported', s.actions[1]?.span ?? s.span);
    return undefined;
  }
  const a = s.actions[0]!;
  const has = (n: string): boolean => rel.columns.some((c) => c.name === n);
  const base = { kind: 'alter-table' as const, schema: rel.schema, name: rel.name };
  switch (a.kind) {
    case 'add-column': {
      if (has(a.column.name.name) && !a.ifNotExists) {
        ctx.error('duplicate_column', a.column.name.name, a.column.name.span);
        return undefined;
      }
      const b = bindColumnDef(ctx, a.column);
      if (!b) return undefined;
      return { ...base, action: { kind: 'add-column', column: b.column, ifNotExists: a.ifNotExists } };
    }
    case 'drop-column':
      if (!has(a.name.name) && !a.ifExists) {
        ctx.error('undefined_target_column', `column "${a.name.name}" of relation "${rel.name}" does not exist`, a.name.span);
        return undefined;
      }
      return { ...base, action: { kind: 'drop-column', column: a.name.name, ifExists: a.ifExists } };
    case 'rename-column':
      if (!has(a.from.name)) {
        ctx.error('undefined_column', a.from.name, a.from.span);
        return undefined;
      }
      if (has(a.to.name)) {
        ctx.error('duplicate_column', a.to.name, a.to.span);
        return undefined;
      }
      return { ...base, action: { kind: 'rename-column', from: a.from.name, to: a.to.name } };
    case 'rename-table':
      if (ctx.catalog.getRelation(rel.schema, a.to.name)) {
        ctx.error('duplicate_table', a.to.name, a.to.span);
        return undefined;
      }
      return { ...base, action: { kind: 'rename-table', to: a.to.name } };
  }
}

/** DDL statements; undefined when the statement has errors (already reported). */
export function bindDdl(s: A.CreateTableStatement | A.DropStatement | A.CreateIndexStatement | A.CreateViewStatement | A.AlterTableStatement, ctx: BindContext): BoundStatement | undefined {
  switch (s.kind) {
    case 'create-table': return bindCreateTable(s, ctx);
    case 'drop': return bindDrop(s, ctx);
    case 'create-index': return bindCreateIndex(s, ctx);
    case 'create-view': return bindCreateView(s, ctx);
    case 'alter-table': return bindAlterTable(s, ctx);
  }
}
