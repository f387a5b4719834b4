// Binds the CHECK and FOREIGN KEY constraints a write enforces into data on the write node.

import type { Span } from '../../diagnostics/index.ts';
import type { CheckConstraint, ForeignKeyConstraint, ScanColumn, WriteConstraints } from '../../ir/plan.ts';
import type { CheckInfo, ForeignKeyInfo, IndexInfo, TableInfo } from '../../catalog/index.ts';
import type { BindContext } from '../../bind/context.ts';
import { Scope } from '../../bind/scope.ts';
import { isError } from '../../bind/coerce.ts';
import { bindExpr, requireBool, type ExprEnv } from './lower-expr.ts';
import { tableRelation } from './lower-query.ts';
import { parseExpression } from './lower-parse.ts';
import { identifierText } from './format.ts';
import type * as A from './ast.ts';

/** Which rows a write adds or changes, so only the constraints it can break are carried. */
export type WriteShape =
  | { readonly kind: 'insert'; /** Ordinals an ON CONFLICT DO UPDATE assigns (may change referenced keys). */ readonly upsertOrdinals: readonly number[] }
  | { readonly kind: 'update'; readonly ordinals: readonly number[] }
  | { readonly kind: 'delete' };

const ordinalsOf = (t: TableInfo, names: readonly string[]): number[] => names.map((n) => t.columns.find((c) => c.name === n)?.ordinal ?? -1);

/** The primary key or unique index on exactly `names` (in any order), which a foreign key must reference. */
export function referencedIndex(t: TableInfo, names: readonly string[]): IndexInfo | undefined {
  const set = new Set(names);
  return t.indexes.find((i) => (i.primary || i.unique) && i.columns.length === set.size && i.columns.every((c) => set.has(c)));
}

/** Tables whose foreign keys reference `t`, with those keys. */
function referencing(ctx: BindContext, t: TableInfo): { child: TableInfo; fk: ForeignKeyInfo }[] {
  const out: { child: TableInfo; fk: ForeignKeyInfo }[] = [];
  for (const r of ctx.catalog.listRelations()) {
    if (r.kind !== 'table' || r.schema !== t.schema) continue;
    for (const fk of r.foreignKeys) if (fk.refTable === t.name) out.push({ child: r, fk });
  }
  return out;
}

/** Resolves a catalog foreign key of `child` into what the executor needs; undefined if its parent is gone. */
function resolveForeignKey(ctx: BindContext, child: TableInfo, fk: ForeignKeyInfo): ForeignKeyConstraint | undefined {
  const parentRel = fk.refTable === child.name ? child : ctx.catalog.getRelation(child.schema, fk.refTable);
  if (!parentRel || parentRel.kind !== 'table') return undefined;
  const parentIndex = referencedIndex(parentRel, fk.refColumns);
  if (!parentIndex) return undefined;
  // Any index whose leading columns are the key finds referencing rows (the primary key's too).
  const childIndex = child.indexes.find((i) => i.columns.length >= fk.columns.length && fk.columns.every((c, k) => i.columns[k] === c));
  return {
    name: fk.name,
    child,
    childOrdinals: ordinalsOf(child, fk.columns),
    ...(childIndex ? { childIndex: childIndex.name } : {}),
    parent: parentRel,
    parentOrdinals: ordinalsOf(parentRel, fk.refColumns),
    parentIndex,
    onDelete: fk.onDelete ?? 'no action',
    onUpdate: fk.onUpdate ?? 'no action',
  };
}

/** Binds a table's CHECK expressions over the written row's columns, sorted by name as PostgreSQL evaluates them. */
function bindChecks(ctx: BindContext, table: TableInfo, rowColumns: readonly ScanColumn[], span: Span): CheckConstraint[] | undefined {
  const sorted = [...table.checks].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const out: CheckConstraint[] = [];
  const scope = new Scope();
  const rel = tableRelation(table, undefined, rowColumns);
  scope.relations.push(rel);
  scope.visible.push(...rel.columns);
  for (const c of sorted) {
    const ast = parseExpression(c.sql);
    const bound = ast
      ? ctx.quietly(() => {
          const env: ExprEnv = { ctx, scope, query: { ctx }, clause: 'check constraints' };
          return requireBool(env, bindExpr(env, ast), 'CHECK', ast.span);
        })
      : undefined;
    if (!bound || bound.failed || isError(bound.result)) {
      ctx.error('internal_error', `check constraint "${c.name}" of relation "${table.name}" cannot be evaluated${bound?.firstError ? `: ${bound.firstError}` : ''}`, span);
      return undefined;
    }
    out.push({ name: c.name, expr: bound.result });
  }
  return out;
}

/** Whether an action of the key deletes or changes referencing rows (which then need their own checks). */
const writesChildren = (f: ForeignKeyConstraint): boolean => !['no action', 'restrict'].includes(f.onDelete) || !['no action', 'restrict'].includes(f.onUpdate);

/**
 * Foreign keys referencing rows of `table` that leave or change key, by table id: `root` for the
 * written table, then every key of each table a cascading action writes, transitively.
 */
function referencedByClosure(ctx: BindContext, table: TableInfo, root: readonly ForeignKeyConstraint[]): Record<number, ForeignKeyConstraint[]> {
  const out: Record<number, ForeignKeyConstraint[]> = {};
  if (root.length) out[table.id] = [...root];
  const queue = root.filter(writesChildren).map((f) => f.child);
  while (queue.length) {
    const t = queue.shift()!;
    if (t.id === table.id || out[t.id]) continue;
    const fks = referencing(ctx, t).map((r) => resolveForeignKey(ctx, r.child, r.fk)).filter((f): f is ForeignKeyConstraint => f !== undefined);
    out[t.id] = fks;
    for (const f of fks) if (writesChildren(f)) queue.push(f.child);
  }
  return out;
}

/**
 * The constraints a write of `shape` to `table` must enforce, or undefined when there are none
 * (so plans of unconstrained tables stay as they were). Check expressions read `rowColumns`.
 */
export function bindWriteConstraints(ctx: BindContext, table: TableInfo, rowColumns: readonly ScanColumn[], shape: WriteShape, span: Span): WriteConstraints | undefined {
  const checks = shape.kind === 'delete' || table.checks.length === 0 ? [] : bindChecks(ctx, table, rowColumns, span);
  if (!checks) return undefined;
  const sets = (names: readonly string[], ordinals: readonly number[]): boolean => ordinalsOf(table, names).some((o) => ordinals.includes(o));
  const own = table.foreignKeys.filter((fk) => shape.kind === 'insert' || (shape.kind === 'update' && sets(fk.columns, shape.ordinals)));
  const references = own.map((fk) => resolveForeignKey(ctx, table, fk)).filter((f): f is ForeignKeyConstraint => f !== undefined);
  const changed = shape.kind === 'insert' ? shape.upsertOrdinals : shape.kind === 'update' ? shape.ordinals : undefined;
  const incoming = referencing(ctx, table)
    .filter((r) => changed === undefined || sets(r.fk.refColumns, changed))
    .map((r) => resolveForeignKey(ctx, r.child, r.fk))
    .filter((f): f is ForeignKeyConstraint => f !== undefined);
  if (!checks.length && !references.length && !incoming.length) return undefined;
  return { checks, references, referencedBy: referencedByClosure(ctx, table, incoming) };
}

/** Column references in a stored CHECK expression: the name and where it is written in `sql`. */
function checkColumnRefs(sql: string): { name: string; start: number; end: number }[] | undefined {
  const ast = parseExpression(sql);
  if (!ast) return undefined;
  // parseExpression parses `SELECT <sql>`: spans are shifted by the prefix.
  const shift = 'SELECT '.length;
  const out: { name: string; start: number; end: number }[] = [];
  const walk = (n: unknown): void => {
    if (!n || typeof n !== 'object') return;
    if (Array.isArray(n)) {
      for (const x of n) walk(x);
      return;
    }
    const node = n as { kind?: unknown };
    if (node.kind === 'column-ref') {
      const last = (n as A.ColumnRefExpr).name.parts.at(-1)!;
      out.push({ name: last.name, start: last.span.start - shift, end: last.span.end - shift });
      return;
    }
    for (const v of Object.values(n)) if (v && typeof v === 'object') walk(v);
  };
  walk(ast);
  return out;
}

/** The table's CHECK constraints with column `from` renamed to `to` in their expressions. */
export function renameInChecks(checks: readonly CheckInfo[], from: string, to: string): CheckInfo[] {
  return checks.map((c) => {
    const refs = (checkColumnRefs(c.sql) ?? []).filter((r) => r.name === from).sort((a, b) => b.start - a.start);
    let sql = c.sql;
    for (const r of refs) sql = sql.slice(0, r.start) + identifierText(to) + sql.slice(r.end);
    return { name: c.name, sql };
  });
}

/** The table's CHECK constraints that do not read `column` (PostgreSQL drops the others with the column). */
export function checksWithout(checks: readonly CheckInfo[], column: string): CheckInfo[] {
  return checks.filter((c) => !(checkColumnRefs(c.sql) ?? []).some((r) => r.name === column));
}
