// Lowers DDL (CREATE/DROP TABLE, INDEX, VIEW, ALTER TABLE) to bound statements, checked against the catalog.

import type { ColumnDefinition, BoundStatement } from '../../ir/plan.ts';
import type { ForeignKeyInfo, TableInfo } from '../../catalog/index.ts';
import { exprColumns, type Expr } from '../../ir/expr.ts';
import type { BindContext } from '../../bind/context.ts';
import { Scope } from '../../bind/scope.ts';
import { coerceTo, displayType, isError } from '../../bind/coerce.ts';
import { resolveTypeName } from '../../bind/type-name.ts';
import type * as A from './ast.ts';
import { bindExpr, requireBool, type ExprEnv } from './lower-expr.ts';
import { bindQuery } from './lower-query.ts';
import { checksWithout, referencedIndex, renameInChecks } from './lower-constraints.ts';

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
  const foreignKeys: PendingForeignKey[] = [];
  const pendingChecks: { name?: string; expr: A.Expr }[] = [];
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
    for (const chk of b.checks) pendingChecks.push({ expr: chk });
    if (b.references) foreignKeys.push({ columns: [b.column.name], ref: b.references, refColumns: b.references.columns, span: b.references.span });
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
        pendingChecks.push({ ...(c.name ? { name: c.name.name } : {}), expr: c.expr });
        break;
      case 'foreign-key': {
        const cols = known(c.columns);
        if (!cols) ok = false;
        else foreignKeys.push({ ...(c.name ? { name: c.name.name } : {}), columns: cols, ref: c, refColumns: c.refColumns, span: c.span });
        break;
      }
    }
  }
  const finalColumns = columns.map((c) => (primaryKey.includes(c.name) ? { ...c, nullable: false } : c));
  const checks = checkConstraints(ctx, name, finalColumns, pendingChecks);
  const fks = foreignKeyConstraints(ctx, { name, columns: finalColumns, primaryKey, uniques }, foreignKeys);
  if (!fks) ok = false;
  let asQuery;
  if (s.asQuery) {
    asQuery = bindQuery(s.asQuery, { ctx });
    if (!columns.length) for (const c of asQuery.schema) finalColumns.push({ name: c.name, type: c.type.kind === 'unknown' ? { kind: 'utf8' } : c.type, nullable: true });
  }
  if (!ok) return undefined;
  return { kind: 'create-table', schema, name, ifNotExists: s.ifNotExists, columns: finalColumns, primaryKey, uniques, foreignKeys: fks ?? [], checks, ...(asQuery ? { asQuery } : {}) };
}

/**
 * PostgreSQL's ChooseConstraintName: `<table>_<column>_<label>` (or `<table>_<label>` without a
 * column), with 1, 2, … appended until the name is not taken.
 */
function chooseConstraintName(table: string, column: string | undefined, label: string, taken: Set<string>): string {
  const base = column === undefined ? `${table}_${label}` : `${table}_${column}_${label}`;
  let name = base;
  for (let n = 1; taken.has(name); n++) name = `${base}${n}`;
  taken.add(name);
  return name;
}

/**
 * CHECK constraints must be boolean expressions over the table's own columns. An unnamed one is
 * named after its column when it reads exactly one (PostgreSQL names by the columns the
 * expression reads, not by where the constraint was written).
 */
function checkConstraints(ctx: BindContext, table: string, columns: readonly ColumnDefinition[], pending: readonly { name?: string; expr: A.Expr }[]): { name: string; sql: string }[] {
  if (!pending.length) return [];
  const scope = new Scope();
  const cols = columns.map((c) => ({ name: c.name, column: ctx.column(c.name, c.type, c.nullable, table) }));
  scope.relations.push({ alias: table, columns: cols });
  scope.visible.push(...cols);
  const env: ExprEnv = { ctx, scope, query: { ctx }, clause: 'check constraints' };
  const taken = new Set(pending.flatMap((p) => (p.name === undefined ? [] : [p.name])));
  return pending.map((p) => {
    const e = requireBool(env, bindExpr(env, p.expr), 'CHECK', p.expr.span);
    // Rows are checked alone and the stored text is re-bound at every write: no subqueries, no parameters.
    const found = firstOf(e, (x) => x.kind === 'subquery' || x.kind === 'param');
    if (found?.kind === 'subquery') ctx.error('feature_not_supported', 'cannot use subquery in check constraint', p.expr.span);
    else if (found?.kind === 'param') ctx.error('undefined_parameter', String(found.index), p.expr.span);
    const read = [...exprColumns(e)].map((id) => cols.find((c) => c.column.id === id)?.name).filter((n): n is string => n !== undefined);
    const name = p.name ?? chooseConstraintName(table, read.length === 1 ? read[0] : undefined, 'check', taken);
    return { name, sql: sourceText(ctx, p.expr.span) };
  });
}

/** The first node of `e` (pre-order, not inside subquery plans) that satisfies `test`. */
function firstOf(e: Expr, test: (x: Expr) => boolean): Expr | undefined {
  if (test(e)) return e;
  const kids: readonly Expr[] =
    e.kind === 'call' ? e.args
    : e.kind === 'case' ? [...e.whens.flatMap((w) => [w.when, w.then]), ...(e.else ? [e.else] : [])]
    : e.kind === 'cast' ? [e.expr]
    : e.kind === 'subquery' && e.operand ? [e.operand]
    : [];
  for (const k of kids) {
    const f = firstOf(k, test);
    if (f) return f;
  }
  return undefined;
}

/** A foreign key as written in CREATE TABLE, before its target is checked. */
interface PendingForeignKey {
  readonly name?: string;
  readonly columns: readonly string[];
  readonly ref: { readonly table: A.QName; readonly onDelete?: A.ReferentialAction; readonly onUpdate?: A.ReferentialAction };
  readonly refColumns: readonly A.Ident[];
  readonly span: A.Node['span'];
}

/**
 * Foreign keys must reference existing columns that a primary key or unique constraint covers
 * exactly (a key referencing its own table sees the keys being created). Undefined on error.
 */
function foreignKeyConstraints(
  ctx: BindContext,
  self: { name: string; columns: readonly { name: string }[]; primaryKey: readonly string[]; uniques: readonly { columns: readonly string[] }[] },
  pending: readonly PendingForeignKey[],
  existing: readonly string[] = [],
): ForeignKeyInfo[] | undefined {
  const taken = new Set([...existing, ...pending.flatMap((p) => (p.name === undefined ? [] : [p.name]))]);
  const out: ForeignKeyInfo[] = [];
  for (const p of pending) {
    const { schema, name: refName } = splitName(ctx, p.ref.table);
    let refColumnNames: readonly string[];
    let keys: (readonly string[])[];
    let hasColumn: (n: string) => boolean;
    if (refName === self.name) {
      refColumnNames = p.refColumns.length ? p.refColumns.map((c) => c.name) : self.primaryKey;
      keys = [self.primaryKey, ...self.uniques.map((u) => u.columns)].filter((k) => k.length > 0);
      hasColumn = (n) => self.columns.some((c) => c.name === n);
    } else {
      const rel = ctx.catalog.getRelation(schema, refName);
      if (!rel || rel.kind !== 'table') {
        ctx.error('undefined_table', refName, p.ref.table.span);
        return undefined;
      }
      refColumnNames = p.refColumns.length ? p.refColumns.map((c) => c.name) : rel.primaryKey;
      keys = rel.indexes.filter((i) => i.primary || i.unique).map((i) => i.columns);
      hasColumn = (n) => rel.columns.some((c) => c.name === n);
    }
    for (const c of p.refColumns) {
      if (!hasColumn(c.name)) {
        ctx.error('undefined_target_column', `column "${c.name}" referenced in foreign key constraint does not exist`, c.span);
        return undefined;
      }
    }
    if (!refColumnNames.length) {
      ctx.error('undefined_object', `there is no primary key for referenced table "${refName}"`, p.ref.table.span);
      return undefined;
    }
    if (refColumnNames.length !== p.columns.length) {
      ctx.error('invalid_foreign_key', 'number of referencing and referenced columns for foreign key disagree', p.span);
      return undefined;
    }
    const set = new Set(refColumnNames);
    if (!keys.some((k) => k.length === set.size && k.every((c) => set.has(c)))) {
      ctx.error('invalid_foreign_key', `there is no unique constraint matching given keys for referenced table "${refName}"`, p.ref.table.span);
      return undefined;
    }
    if (p.ref.onDelete === 'set default' || p.ref.onUpdate === 'set default') {
      ctx.error('feature_not_supported', 'foreign key action SET DEFAULT is not supported', p.span);
      return undefined;
    }
    out.push({
      name: p.name ?? chooseConstraintName(self.name, p.columns.join('_'), 'fkey', taken),
      columns: p.columns,
      refTable: refName,
      refColumns: refColumnNames,
      ...(p.ref.onDelete && p.ref.onDelete !== 'no action' ? { onDelete: p.ref.onDelete } : {}),
      ...(p.ref.onUpdate && p.ref.onUpdate !== 'no action' ? { onUpdate: p.ref.onUpdate } : {}),
    });
  }
  return out;
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
      const owner = ctx.catalog.listRelations().find((r): r is TableInfo => r.kind === 'table' && r.indexes.some((ix) => ix.name === name));
      if (!owner && !s.ifExists) {
        ctx.error('undefined_object', `index "${name}" does not exist`, q.span);
        ok = false;
      }
      // A foreign key finds its parent rows through the unique index it references.
      const deps = owner
        ? ctx.catalog
            .listRelations()
            .flatMap((r) => (r.kind === 'table' && r.schema === owner.schema ? r.foreignKeys.filter((fk) => fk.refTable === owner.name && referencedIndex(owner, fk.refColumns)?.name === name).map((fk) => `constraint ${fk.name} on table ${r.name} depends on index ${name}`) : []))
        : [];
      if (deps.length && !s.cascade) {
        ctx.error('dependent_objects_still_exist', `cannot drop index ${name} because other objects depend on it`, q.span, { detail: deps.join('\n'), hint: 'Use DROP ... CASCADE to drop the dependent objects too.' });
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
      return;
    }
    if (rel.kind === 'table' && !s.cascade) {
      // Foreign keys of tables this statement keeps still need the table (CASCADE drops those keys).
      const dropped = new Set(names.map((n) => n.name));
      const deps = ctx.catalog
        .listRelations()
        .flatMap((r) => (r.kind === 'table' && r.schema === rel.schema && !dropped.has(r.name) ? r.foreignKeys.filter((fk) => fk.refTable === rel.name).map((fk) => `constraint ${fk.name} on table ${r.name} depends on table ${rel.name}`) : []));
      if (deps.length) {
        ctx.error('dependent_objects_still_exist', `cannot drop table ${rel.name} because other objects depend on it`, q.span, { detail: deps.join('\n'), hint: 'Use DROP ... CASCADE to drop the dependent objects too.' });
        ok = false;
      }
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
      // Existing rows are not validated here: a CHECK, or a key with a non-NULL default, could not be kept.
      if (b.checks.length) {
        ctx.error('feature_not_supported', 'CHECK constraints in ADD COLUMN are not supported', b.checks[0]!.span);
        return undefined;
      }
      let foreignKey: ForeignKeyInfo | undefined;
      if (b.references) {
        if (b.column.defaultSql !== undefined || b.column.serial) {
          ctx.error('feature_not_supported', 'REFERENCES on an added column with a DEFAULT is not supported', b.references.span);
          return undefined;
        }
        const self = { name: rel.name, columns: [...rel.columns, b.column], primaryKey: rel.primaryKey, uniques: rel.indexes.filter((i) => i.unique && !i.primary) };
        const fks = foreignKeyConstraints(ctx, self, [{ columns: [b.column.name], ref: b.references, refColumns: b.references.columns, span: b.references.span }], rel.foreignKeys.map((f) => f.name));
        if (!fks) return undefined;
        foreignKey = fks[0];
      }
      return { ...base, action: { kind: 'add-column', column: b.column, ifNotExists: a.ifNotExists, ...(foreignKey ? { foreignKey } : {}) } };
    }
    case 'drop-column':
      if (!has(a.name.name) && !a.ifExists) {
        ctx.error('undefined_target_column', `column "${a.name.name}" of relation "${rel.name}" does not exist`, a.name.span);
        return undefined;
      }
      {
        const col = a.name.name;
        if (!a.cascade) {
          const deps = ctx.catalog
            .listRelations()
            .flatMap((r) => (r.kind === 'table' && r.schema === rel.schema && r.name !== rel.name ? r.foreignKeys.filter((fk) => fk.refTable === rel.name && fk.refColumns.includes(col)).map((fk) => ({ fk, child: r.name })) : []))
            .map(({ fk, child }) => `constraint ${fk.name} on table ${child} depends on index ${referencedIndex(rel, fk.refColumns)?.name ?? `${rel.name}_pkey`}`);
          if (deps.length) {
            ctx.error('dependent_objects_still_exist', `cannot drop column ${col} of table ${rel.name} because other objects depend on it`, a.name.span, { detail: deps.join('\n'), hint: 'Use DROP ... CASCADE to drop the dependent objects too.' });
            return undefined;
          }
        }
        const checks = checksWithout(rel.checks, col);
        return { ...base, action: { kind: 'drop-column', column: col, ifExists: a.ifExists, ...(checks.length !== rel.checks.length ? { checks } : {}) } };
      }
    case 'rename-column':
      if (!has(a.from.name)) {
        ctx.error('undefined_column', a.from.name, a.from.span);
        return undefined;
      }
      if (has(a.to.name)) {
        ctx.error('duplicate_column', a.to.name, a.to.span);
        return undefined;
      }
      return { ...base, action: { kind: 'rename-column', from: a.from.name, to: a.to.name, ...(rel.checks.length ? { checks: renameInChecks(rel.checks, a.from.name, a.to.name) } : {}) } };
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
