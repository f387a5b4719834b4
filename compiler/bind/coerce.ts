// Coercion services: turning an expression into a wanted type (folding literals), and typing calls through the registry.

import type { Span } from '../diagnostics/index.ts';
import { call, cast, literal, param, type Expr, type Literal } from '../ir/expr.ts';
import { T, typeEquals, typeName, type DataType } from '../ir/types.ts';
import { canAssignCast, canExplicitCast, canImplicitCast, dropTypmods, numericRank, sameBase, selectCommonType } from '../functions/casts.ts';
import { resolveOverload, type Resolution } from '../functions/resolve.ts';
import type { Signature } from '../functions/registry.ts';
import type { BindContext } from './context.ts';
import { canonicalDecimal, convertText, roundDecimal } from './literals.ts';

export type CoerceMode = 'implicit' | 'assignment' | 'explicit';

/** A poison expression: its type stops further diagnostics about the same mistake. */
export const errorExpr = (): Expr => literal(null, { kind: 'error' });

export const isError = (e: Expr): boolean => e.type.kind === 'error';

/** How PostgreSQL names a type in messages; the type of an untyped literal prints as `unknown`. */
export const displayType = (t: DataType): string => typeName(t);

function literalError(ctx: BindContext, text: string, to: DataType, kind: 'syntax' | 'range' | 'datetime', span: Span): void {
  const name = displayType(to);
  if (kind === 'range') ctx.error('numeric_value_out_of_range', `value "${text}" is out of range for type ${name}`, span);
  else if (kind === 'datetime') ctx.error('invalid_datetime_format', `invalid input syntax for type ${name}: "${text}"`, span);
  else ctx.error('invalid_text_representation', `invalid input syntax for type ${name}: "${text}"`, span);
}

/** Converts a numeric literal to another numeric type at compile time; undefined when it must stay a run-time cast. */
function foldNumeric(lit: Literal, to: DataType): Literal | undefined {
  const v = lit.value;
  const from = lit.type;
  if (v === null) return literal(null, to);
  const isInt = from.kind === 'int16' || from.kind === 'int32' || from.kind === 'int64';
  switch (to.kind) {
    case 'decimal': {
      const text = isInt ? String(v) : from.kind === 'decimal' ? (v as string) : Number.isFinite(v as number) ? canonicalDecimal(String(v)) : undefined;
      if (text === undefined) return undefined;
      return literal(to.scale !== undefined ? roundDecimal(text, to.scale) : text, to);
    }
    case 'float32':
    case 'float64': {
      const n = Number(v);
      return literal(to.kind === 'float32' ? Math.fround(n) : n, to);
    }
    case 'int64':
      return isInt ? literal(BigInt(v as number | bigint), to) : undefined;
    case 'int32':
    case 'int16': {
      if (!isInt) return undefined;
      const n = Number(v);
      const limit = to.kind === 'int32' ? 2147483647 : 32767;
      return n >= -limit - 1 && n <= limit ? literal(n, to) : undefined;
    }
    default:
      return undefined;
  }
}

/**
 * Coerces `e` to `to` in the given cast context. Unknown literals are converted at compile time
 * (reporting invalid input at `span`), unknown parameters take the type, numeric literals are
 * folded. Returns undefined when no cast of that context exists; the caller words the error.
 */
export function coerceTo(ctx: BindContext, e: Expr, to: DataType, mode: CoerceMode, span: Span): Expr | undefined {
  if (isError(e) || to.kind === 'error') return e;
  if (e.kind === 'param' && e.type.kind === 'unknown') {
    // Parameters are typed without modifiers (as PostgreSQL describes them); numeric(15,2) or
    // varchar(n) targets then apply theirs through a cast.
    const base = dropTypmods(to);
    ctx.fixParam(e.index, base);
    const p = param(e.index, base);
    return mode === 'implicit' || typeEquals(base, to) ? p : cast(p, to, mode !== 'explicit');
  }
  if (e.kind === 'literal' && e.type.kind === 'null') return literal(null, to);
  if (e.kind === 'literal' && e.type.kind === 'unknown') {
    const text = e.value as string;
    const named = objectNameLiteral(ctx, text, to, span);
    if (named) return named;
    const converted = convertText(text, to);
    if (!converted) return cast(e, to, mode !== 'explicit');
    if (!converted.ok) {
      literalError(ctx, text, to, converted.error, span);
      return errorExpr();
    }
    return to.kind === 'utf8' ? fitString(ctx, text, to, mode, span) : literal(converted.value, to);
  }
  if (e.type.kind === 'unknown' || e.type.kind === 'null') return cast(e, to, mode !== 'explicit');
  if (sameBase(e.type, to)) {
    if (mode === 'implicit' || typeEquals(e.type, to) || !hasTypmod(to)) return e;
    if (e.kind === 'literal' && to.kind === 'decimal' && to.scale !== undefined && e.value !== null) return literal(roundDecimal(e.value as string, to.scale), to);
    if (e.kind === 'literal' && to.kind === 'utf8' && typeof e.value === 'string') return fitString(ctx, e.value, to, mode, span);
    return cast(e, to, mode !== 'explicit');
  }
  const allowed = mode === 'implicit' ? canImplicitCast(e.type, to) : mode === 'assignment' ? canAssignCast(e.type, to) : canExplicitCast(e.type, to);
  if (!allowed) return undefined;
  if (e.kind === 'literal' && numericRank(e.type) !== undefined && numericRank(to) !== undefined) {
    const folded = foldNumeric(e, to);
    if (folded) return folded;
  }
  return cast(e, to, mode !== 'explicit');
}

/**
 * A string constant for a reg* type (regclass, regtype, regproc, regnamespace) names an object, as
 * regclassin and its siblings read it: a relation is looked up now (42P01 at `span`), the others by
 * `<type>in` at run time (the engine's catalog of types and schemas). A number is the OID itself.
 * Undefined for other types and for numbers.
 */
export function objectNameLiteral(ctx: BindContext, text: string, to: DataType, span: Span): Expr | undefined {
  if (to.kind !== 'int32' || to.oid === undefined || to.oid === 'oid') return undefined;
  if (/^\d+$/.test(text)) return to.oid === 'regclass' ? literal(Number(text), to) : undefined;
  if (to.oid !== 'regclass') return call(`${to.oid}in`, [literal(text, T.text)], to);
  const parts = text.split('.').map((p) => (p.startsWith('"') && p.endsWith('"') ? p.slice(1, -1).replaceAll('""', '"') : p.toLowerCase()));
  const rel = ctx.catalog.getRelation(parts.length > 1 ? parts[0] : undefined, parts[parts.length - 1]!);
  if (!rel) {
    ctx.error('undefined_table', text, span);
    return errorExpr();
  }
  return literal(rel.id, to);
}

/**
 * A string constant for varchar(n)/char(n): too long is an error in assignment (trailing spaces
 * excepted, as PostgreSQL allows) and a truncation in an explicit cast.
 */
function fitString(ctx: BindContext, text: string, to: DataType & { kind: 'utf8' }, mode: CoerceMode, span: Span): Expr {
  const n = to.maxLength;
  if (n === undefined || text.length <= n) return literal(text, to);
  if (mode === 'explicit' || text.slice(n).trim() === '') return literal(text.slice(0, n), to);
  ctx.error('string_data_right_truncation', displayType(to), span);
  return errorExpr();
}

const hasTypmod = (t: DataType): boolean => (t.kind === 'decimal' && t.precision !== undefined) || (t.kind === 'utf8' && t.maxLength !== undefined);

/** Resolves and types a call against overloads, coercing the arguments; undefined when no overload applies. */
export function applyOverloads(
  ctx: BindContext,
  fn: string,
  signatures: readonly Signature[],
  args: readonly Expr[],
  spans: readonly Span[],
): { expr: Expr; resolution: Resolution } | { expr: undefined; resolution: Resolution } {
  const resolution = resolveOverload(signatures, args.map((a) => a.type));
  if (resolution.kind !== 'ok') return { expr: undefined, resolution };
  const { argTypes, result, signature } = resolution.resolved;
  const coerced = args.map((a, i) => coerceTo(ctx, a, argTypes[i]!, 'implicit', spans[i]!) ?? a);
  if (coerced.some(isError)) return { expr: errorExpr(), resolution };
  return { expr: call(fn, coerced, result, signature.notNull ? false : undefined), resolution };
}

/**
 * Coerces a list of expressions to their common type (CASE, VALUES, IN, COALESCE, UNION).
 * Returns the conflicting position when two types cannot be matched.
 */
export function unify(
  ctx: BindContext,
  exprs: readonly Expr[],
  spans: readonly Span[],
): { ok: true; type: DataType; exprs: Expr[] } | { ok: false; index: number; left: DataType; right: DataType } {
  const common = selectCommonType(exprs.map((e) => e.type));
  if (!('type' in common)) return { ok: false, index: common.conflict, left: common.with, right: exprs[common.conflict]!.type };
  const type = common.type;
  if (type.kind === 'error') return { ok: true, type, exprs: exprs.map(() => errorExpr()) };
  const out: Expr[] = [];
  for (let i = 0; i < exprs.length; i++) {
    const c = coerceTo(ctx, exprs[i]!, type, 'implicit', spans[i]!);
    if (!c) return { ok: false, index: i, left: type, right: exprs[i]!.type };
    out.push(c);
  }
  return { ok: true, type, exprs: out };
}
