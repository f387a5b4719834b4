// Lowers SQL expressions to typed IR expressions: names through scopes, types through the function registry.

import type { Span } from '../../diagnostics/index.ts';
import {
  call, caseExpr, cast, colRef, literal, param,
  type AggregateCall, type Expr, type Frame, type FrameBound, type SortKey, type WindowCall,
} from '../../ir/expr.ts';
import { project } from '../../ir/build.ts';
import { listOf, T, type DataType } from '../../ir/types.ts';
import { binaryOperator, COMMON_TYPE_FUNCTIONS, lookupFunction, unaryOperator } from '../../functions/registry.ts';
import { sameBase } from '../../functions/casts.ts';
import type { BindContext } from '../../bind/context.ts';
import { lookupColumn, markOuter, Scope, similarColumns } from '../../bind/scope.ts';
import type { AggCollector, WindowCollector } from '../../bind/collectors.ts';
import { applyOverloads, coerceTo, displayType, errorExpr, isError, objectNameLiteral, unify } from '../../bind/coerce.ts';
import { canonicalDecimal, parseInterval } from '../../bind/literals.ts';
import { resolveTypeName } from '../../bind/type-name.ts';
import type * as A from './ast.ts';
import { bindSubqueryPlan, type QueryEnv } from './lower-query.ts';

/** Where an expression sits: decides what it may contain and words the errors. */
export interface ExprEnv {
  readonly ctx: BindContext;
  readonly scope: Scope;
  readonly query: QueryEnv;
  /** The clause name PostgreSQL uses in "… are not allowed in X" messages. */
  readonly clause: string;
  readonly aggs?: AggCollector;
  readonly windows?: WindowCollector;
  readonly namedWindows?: ReadonlyMap<string, A.WindowSpec>;
  /** Inside an aggregate's arguments (nested aggregates are errors). */
  readonly inAggregate?: boolean;
  /** Inside a window call's arguments or definition (nested windows are errors). */
  readonly inWindow?: boolean;
  /** While binding an aggregate's arguments: the scopes their column references resolved in. */
  readonly refScopes?: Set<Scope>;
}

const SPECIAL_NAMES: Readonly<Record<string, string>> = {
  current_date: 'current_date',
  current_timestamp: 'current_timestamp',
  localtimestamp: 'localtimestamp',
  current_user: 'current_user',
  session_user: 'current_user',
  user: 'current_user',
  current_schema: 'current_schema',
  current_catalog: 'current_database',
};

/** PostgreSQL's own names of operators whose SQL spelling is a keyword, as its messages print them. */
const PG_OPERATOR_NAME: Readonly<Record<string, string>> = { like: '~~', ilike: '~~*' };

const OPERATOR_HINT = 'No operator matches the given name and argument types. You might need to add explicit type casts.';
const FUNCTION_HINT = 'No function matches the given name and argument types. You might need to add explicit type casts.';

const qname = (q: A.QName): string => q.parts.map((p) => p.name).join('.');

/** Coerces a condition to boolean, wording the error the way PostgreSQL does for `what` (WHERE, AND, CASE/WHEN…). */
export function requireBool(env: ExprEnv, e: Expr, what: string, span: Span): Expr {
  if (isError(e)) return e;
  const c = coerceTo(env.ctx, e, T.bool, 'implicit', span);
  if (!c) {
    env.ctx.error('datatype_mismatch', `argument of ${what} must be type boolean, not type ${displayType(e.type)}`, span);
    return errorExpr();
  }
  return c;
}

/** Binds a column reference, reporting unknown/ambiguous names at the reference. */
function bindColumnRef(env: ExprEnv, ref: A.ColumnRefExpr): Expr {
  const parts = ref.name.parts.map((p) => p.name);
  const found = lookupColumn(env.scope, parts);
  if (found.kind === 'found') {
    env.refScopes?.add(found.scope);
    const e = colRef(found.column);
    env.ctx.spans.set(e, ref.span);
    return e;
  }
  if (found.kind === 'no-column' && parts.length === 1 && SPECIAL_NAMES[parts[0]!]) {
    const fn = lookupFunction(SPECIAL_NAMES[parts[0]!]!)!;
    return call(fn.name, [], resultOfNullary(fn.signatures[0]!.result), false);
  }
  const written = parts.join('.');
  switch (found.kind) {
    case 'ambiguous':
      env.ctx.error('ambiguous_column', written, ref.span);
      break;
    case 'no-relation':
      env.ctx.error('missing_from_entry', found.relation, ref.name.parts[parts.length - 2]!.span);
      break;
    case 'no-column': {
      const similar = similarColumns(env.scope, parts[parts.length - 1]!, found.relation);
      const hint = similar.length ? { hint: `Perhaps you meant to reference the column ${similar.map((c) => `"${c}"`).join(' or the column ')}.` } : {};
      if (found.relation !== undefined) env.ctx.error('undefined_qualified_column', written, ref.span, hint);
      else env.ctx.error('undefined_column', parts[0]!, ref.span, hint);
      break;
    }
  }
  return errorExpr();
}

const resultOfNullary = (r: unknown): DataType => (typeof r === 'object' && r !== null ? (r as DataType) : T.text);

function bindLiteral(v: A.LiteralValue): Expr {
  switch (v.kind) {
    case 'null':
      return literal(null, T.null);
    case 'bool':
      return literal(v.value, T.bool);
    case 'integer': {
      const n = BigInt(v.text);
      if (n >= -2147483648n && n <= 2147483647n) return literal(Number(n), T.int32);
      if (n >= -9223372036854775808n && n <= 9223372036854775807n) return literal(n, T.int64);
      return literal(canonicalDecimal(v.text) ?? v.text, T.decimal);
    }
    case 'decimal':
    case 'float':
      return literal(canonicalDecimal(v.text) ?? v.text, T.decimal);
    case 'string':
      return literal(v.value, T.unknown);
  }
}

/** Negates a numeric literal at compile time so `-2147483648` stays an int32 and `-1.5` a numeric constant. */
function negateLiteral(operand: A.Expr): Expr | undefined {
  if (operand.kind !== 'literal') return undefined;
  const v = operand.value;
  if (v.kind === 'integer') return bindLiteral({ kind: 'integer', text: `-${v.text}` });
  if (v.kind === 'decimal' || v.kind === 'float') return bindLiteral({ kind: v.kind, text: `-${v.text}` });
  return undefined;
}

/** Resolves a binary operator over bound operands, reporting `operator does not exist` at `span`. */
export function bindOperator(env: ExprEnv, op: string, left: Expr, right: Expr, spans: readonly [Span, Span], span: Span): Expr {
  if (isError(left) || isError(right)) return errorExpr();
  const sigs = binaryOperator(op);
  const r = sigs ? applyOverloads(env.ctx, op, sigs, [left, right], spans) : undefined;
  if (r?.expr?.kind === 'call' && op === '||' && r.expr.type.kind === 'utf8') {
    // text || anynonarray: PostgreSQL converts the other operand with its output function; make that a visible cast.
    return call('||', r.expr.args.map((a) => (a.type.kind === 'utf8' ? a : cast(a, T.text, true))), T.text);
  }
  if (r?.expr) return r.expr;
  const sig = `${displayType(left.type)} ${PG_OPERATOR_NAME[op] ?? op} ${displayType(right.type)}`;
  if (r?.resolution.kind === 'ambiguous') env.ctx.error('ambiguous_operator', sig, span, { hint: 'Could not choose a best candidate operator. You might need to add explicit type casts.' });
  else env.ctx.error('undefined_operator', sig, span, { hint: OPERATOR_HINT });
  return errorExpr();
}

const UNARY_PLUS_TYPES = new Set<DataType['kind']>(['int16', 'int32', 'int64', 'float32', 'float64', 'decimal', 'interval']);

const and = (a: Expr, b: Expr): Expr => call('and', [a, b], T.bool);
const not = (a: Expr): Expr => call('not', [a], T.bool);

/** Binds one expression in `env`. Never throws for user errors: mistakes yield poison-typed expressions. */
export function bindExpr(env: ExprEnv, e: A.Expr): Expr {
  const { ctx } = env;
  switch (e.kind) {
    case 'column-ref':
      return bindColumnRef(env, e);
    case 'star':
      ctx.error('feature_not_supported', 'row expansion via "*" is not supported here', e.span);
      return errorExpr();
    case 'literal':
      return bindLiteral(e.value);
    case 'param': {
      ctx.touchParam(e.index);
      return param(e.index, ctx.paramType(e.index) ?? T.unknown);
    }
    case 'unary':
      return bindUnary(env, e);
    case 'binary':
      return bindBinary(env, e);
    case 'func-call':
      return bindFuncCall(env, e);
    case 'case':
      return bindCase(env, e);
    case 'cast':
      return bindCast(env, bindExpr(env, e.expr), e.type, e.expr.span, e.syntax === 'colons' ? operatorSpan(ctx, '::', e.expr.span, e.type.span, e.span) : e.span);
    case 'typed-literal': {
      // Invalid input is reported at the string, which follows the type name.
      const quote = ctx.source.slice(e.type.span.end, e.span.end).search(/[^\s]/);
      const valueSpan = quote >= 0 ? { start: e.type.span.end + quote, end: e.span.end } : e.span;
      return bindCast(env, literal(e.value, T.unknown), e.type, valueSpan, e.span);
    }
    case 'interval-literal': {
      const iv = parseInterval(e.value, e.unit);
      if (!iv) {
        ctx.error('invalid_datetime_format', `invalid input syntax for type interval: "${e.value}"`, e.span);
        return errorExpr();
      }
      return literal(iv, T.interval);
    }
    case 'extract': {
      const arg = bindExpr(env, e.expr);
      const fn = lookupFunction('extract')!;
      const r = applyOverloads(ctx, 'extract', fn.signatures, [literal(e.field, T.text), arg], [e.span, e.expr.span]);
      if (r.expr) return r.expr;
      if (!isError(arg)) ctx.error('undefined_function', `extract(unknown, ${displayType(arg.type)})`, e.span, { hint: FUNCTION_HINT });
      return errorExpr();
    }
    case 'subquery': {
      const sub = bindSubqueryPlan(env, e.query);
      if (sub.plan.schema.length !== 1) {
        ctx.error('syntax_error', 'subquery must return only one column', e.span);
        return errorExpr();
      }
      const col = sub.plan.schema[0]!;
      const type = e.array ? listOf(col.type) : col.type;
      return { kind: 'subquery', id: ctx.subqueryId(), mode: e.array ? 'array' : 'scalar', plan: sub.plan, correlated: sub.correlated, type, nullable: !e.array };
    }
    case 'exists': {
      const sub = bindSubqueryPlan(env, e.query);
      return { kind: 'subquery', id: ctx.subqueryId(), mode: 'exists', plan: sub.plan, correlated: sub.correlated, type: T.bool, nullable: false };
    }
    case 'in-subquery': {
      const r = bindQuantified(env, bindExpr(env, e.expr), '=', 'in', e.query, e.span, e.expr.span);
      return e.negated && !isError(r) ? not(r) : r;
    }
    case 'quantified':
      return bindQuantifiedExpr(env, e);
    case 'in-list':
      return bindInList(env, e);
    case 'between':
      return bindBetween(env, e);
    case 'like': {
      const left = bindExpr(env, e.expr);
      const pattern = bindExpr(env, e.pattern);
      const op = e.caseInsensitive ? 'ilike' : 'like';
      let r = bindOperator(env, op, left, pattern, [e.expr.span, e.pattern.span], operatorSpan(ctx, op, e.expr.span, e.pattern.span, e.span));
      if (e.escape && r.kind === 'call') {
        const esc = coerceTo(ctx, bindExpr(env, e.escape), T.text, 'implicit', e.escape.span) ?? errorExpr();
        r = call(r.fn, [...r.args, esc], T.bool);
      }
      return e.negated && !isError(r) ? not(r) : r;
    }
    case 'is':
      return bindIs(env, e);
    case 'array': {
      const elems = e.elements.map((x) => bindExpr(env, x));
      if (elems.some(isError)) return errorExpr();
      if (elems.length === 0) return literal([], listOf(T.text));
      const u = unify(ctx, elems, e.elements.map((x) => x.span));
      if (!u.ok) {
        ctx.error('datatype_mismatch', `ARRAY types ${displayType(u.left)} and ${displayType(u.right)} cannot be matched`, e.elements[u.index]!.span);
        return errorExpr();
      }
      if (u.exprs.every((x) => x.kind === 'literal')) return literal(u.exprs.map((x) => (x as { value: unknown }).value), listOf(u.type));
      return call('array', u.exprs, listOf(u.type), false);
    }
    case 'subscript': {
      const base = bindExpr(env, e.expr);
      if (isError(base)) return base;
      if (base.type.kind !== 'list') {
        ctx.error('datatype_mismatch', `cannot subscript type ${displayType(base.type)} because it does not support subscripting`, e.expr.span);
        return errorExpr();
      }
      const idx = coerceTo(ctx, bindExpr(env, e.index), T.int32, 'implicit', e.index.span);
      if (!idx) {
        ctx.error('datatype_mismatch', 'array subscript must have type integer', e.index.span);
        return errorExpr();
      }
      if (e.slice) {
        const hi = e.upper ? coerceTo(ctx, bindExpr(env, e.upper), T.int32, 'implicit', e.upper.span) : undefined;
        return call('slice', hi ? [base, idx, hi] : [base, idx], base.type, true);
      }
      return call('subscript', [base, idx], base.type.element, true);
    }
    case 'row': {
      const fields = e.fields.map((f) => bindExpr(env, f));
      if (fields.some(isError)) return errorExpr();
      const typed = fields.map((f, i) => coerceTo(ctx, f, f.type.kind === 'unknown' ? T.text : f.type, 'implicit', e.fields[i]!.span)!);
      return call('row', typed, { kind: 'struct', fields: typed.map((f, i) => ({ name: `f${i + 1}`, type: f.type })) }, false);
    }
  }
}

function bindUnary(env: ExprEnv, e: A.UnaryExpr): Expr {
  if (e.op === '-') {
    const folded = negateLiteral(e.operand);
    if (folded) return folded;
  }
  const operand = bindExpr(env, e.operand);
  if (isError(operand)) return operand;
  if (e.op === 'not') return not(requireBool(env, operand, 'NOT', e.operand.span));
  if (e.op === '+') {
    if (!UNARY_PLUS_TYPES.has(operand.type.kind)) {
      env.ctx.error('undefined_operator', `+ ${displayType(operand.type)}`, e.span, { hint: OPERATOR_HINT });
      return errorExpr();
    }
    return operand;
  }
  const name = e.op === '-' ? 'neg' : e.op;
  const sigs = unaryOperator(name)!;
  const r = applyOverloads(env.ctx, name, sigs, [operand], [e.operand.span]);
  if (r.expr) return r.expr;
  env.ctx.error('undefined_operator', `${e.op} ${displayType(operand.type)}`, e.span, { hint: OPERATOR_HINT });
  return errorExpr();
}

/**
 * The source range of an infix operator (PostgreSQL reports operator errors there): found in the
 * text between the operands, falling back to the whole expression.
 */
function operatorSpan(ctx: BindContext, word: string, left: Span, right: Span, whole: Span): Span {
  const gap = ctx.source.slice(left.end, right.start).toLowerCase();
  const at = gap.indexOf(word);
  return at < 0 ? whole : { start: left.end + at, end: left.end + at + word.length };
}

function bindBinary(env: ExprEnv, e: A.BinaryExpr): Expr {
  if (e.left.kind === 'row' && e.right.kind === 'row' && (e.op === '=' || e.op === '<>' || e.op === '!=')) return bindRowComparison(env, e, e.left, e.right);
  const left = bindExpr(env, e.left);
  const right = bindExpr(env, e.right);
  if (e.op === 'and' || e.op === 'or') {
    const word = e.op.toUpperCase();
    const l = requireBool(env, left, word, e.left.span);
    const r = requireBool(env, right, word, e.right.span);
    if (isError(l) || isError(r)) return errorExpr();
    return call(e.op, [l, r], T.bool);
  }
  const op = e.op === '!=' ? '<>' : e.op;
  const l = objectName(env, left, right, e.left.span);
  const r = objectName(env, right, left, e.right.span);
  return bindOperator(env, op, l, r, [e.left.span, e.right.span], operatorSpan(env.ctx, e.op, e.left.span, e.right.span, e.span));
}

/** An untyped string literal next to a reg* value takes that type, so `rel = 'pets'` reads a name (as in PostgreSQL). */
function objectName(env: ExprEnv, e: Expr, other: Expr, span: Span): Expr {
  if (e.kind !== 'literal' || e.type.kind !== 'unknown' || typeof e.value !== 'string') return e;
  return objectNameLiteral(env.ctx, e.value, other.type, span) ?? e;
}

/** `(a, b) = (c, d)` is `a = c AND b = d`; `<>` is `a <> c OR b <> d` (PostgreSQL's row-wise comparison). */
function bindRowComparison(env: ExprEnv, e: A.BinaryExpr, l: A.RowExpr, r: A.RowExpr): Expr {
  if (l.fields.length !== r.fields.length) {
    env.ctx.error('syntax_error', 'unequal number of entries in row expressions', e.span);
    return errorExpr();
  }
  const op = e.op === '=' ? '=' : '<>';
  const parts = l.fields.map((f, i) => {
    const g = r.fields[i]!;
    return bindOperator(env, op, bindExpr(env, f), bindExpr(env, g), [f.span, g.span], operatorSpan(env.ctx, e.op, l.span, r.span, e.span));
  });
  if (parts.some(isError)) return errorExpr();
  return parts.reduce((a, b) => call(op === '=' ? 'and' : 'or', [a, b], T.bool));
}

function bindCase(env: ExprEnv, e: A.CaseExpr): Expr {
  const operand = e.operand ? bindExpr(env, e.operand) : undefined;
  const whens: { when: Expr; then: Expr }[] = [];
  let failed = operand !== undefined && isError(operand);
  for (const w of e.whens) {
    const v = bindExpr(env, w.when);
    let cond: Expr;
    if (operand && e.operand) cond = bindOperator(env, '=', operand, v, [e.operand.span, w.when.span], w.when.span);
    else cond = requireBool(env, v, 'CASE/WHEN', w.when.span);
    failed ||= isError(cond);
    whens.push({ when: cond, then: bindExpr(env, w.then) });
  }
  const elseExpr = e.else ? bindExpr(env, e.else) : undefined;
  if (failed || whens.some((w) => isError(w.then)) || (elseExpr && isError(elseExpr))) return errorExpr();
  // PostgreSQL resolves the ELSE branch first, so it leads the common-type search and the message.
  const results = [...(elseExpr ? [elseExpr] : []), ...whens.map((w) => w.then)];
  const spans = [...(e.else ? [e.else.span] : []), ...e.whens.map((w) => w.then.span)];
  const u = unify(env.ctx, results, spans);
  if (!u.ok) {
    env.ctx.error('datatype_mismatch', `CASE types ${displayType(u.left)} and ${displayType(u.right)} cannot be matched`, spans[u.index]!);
    return errorExpr();
  }
  const offset = elseExpr ? 1 : 0;
  return caseExpr(
    whens.map((w, i) => ({ when: w.when, then: u.exprs[i + offset]! })),
    elseExpr ? u.exprs[0] : undefined,
    u.type,
  );
}

/** Resolves a type name, reporting `type "x" does not exist` at its span. */
export function bindTypeName(ctx: BindContext, t: A.TypeName): DataType | undefined {
  const r = resolveTypeName(t.name, t.modifiers, t.arrayDims);
  if (!r) {
    ctx.error('undefined_type', t.name, t.span);
    return undefined;
  }
  return r.type;
}

function bindCast(env: ExprEnv, inner: Expr, typeAst: A.TypeName, exprSpan: Span, castSpan: Span): Expr {
  const to = bindTypeName(env.ctx, typeAst);
  if (!to || isError(inner)) return errorExpr();
  const oidCast = to.kind === 'int32' && to.oid !== undefined && to.oid !== 'oid' ? to.oid : undefined;
  // `'name'::regclass`: the relation's OID, looked up now, as regclassin does (a numeric string is an OID already).
  if (oidCast === 'regclass' && typeAst.arrayDims === 0 && inner.kind === 'literal' && typeof inner.value === 'string' && (inner.type.kind === 'unknown' || inner.type.kind === 'utf8')) {
    return objectNameLiteral(env.ctx, inner.value, to, exprSpan)!;
  }
  // Text to a reg* type reads a name (regtypein and its siblings); the catalog of types and schemas is the engine's.
  if (oidCast && typeAst.arrayDims === 0 && (inner.type.kind === 'utf8' || (inner.type.kind === 'unknown' && inner.kind === 'literal'))) {
    return call(`${oidCast}in`, [inner.kind === 'literal' && inner.type.kind === 'unknown' ? literal(inner.value, T.text) : inner], to);
  }
  // A reg* value as text is the object's name (regclassout and its siblings), not the number.
  const from = inner.type;
  if (from.kind === 'int32' && from.oid !== undefined && from.oid !== 'oid' && to.kind === 'utf8') {
    return coerceTo(env.ctx, call(`${from.oid}out`, [inner], T.text), to, 'explicit', exprSpan) ?? errorExpr();
  }
  // Integers and OIDs convert freely; the result keeps the identity the cast names (oid, regclass, or none).
  if (to.kind === 'int32' && from.kind === 'int32' && from.oid !== to.oid) {
    return inner.kind === 'literal' ? literal(inner.value, to) : cast(inner, to, false);
  }
  const c = coerceTo(env.ctx, inner, to, 'explicit', exprSpan);
  if (c) return c;
  env.ctx.error('cannot_coerce', `cannot cast type ${displayType(inner.type)} to ${displayType(to)}`, castSpan);
  return errorExpr();
}

function bindIs(env: ExprEnv, e: A.IsExpr): Expr {
  const x = bindExpr(env, e.expr);
  if (isError(x)) return x;
  switch (e.test.kind) {
    case 'null':
      // An untyped literal becomes text; a parameter stays open for a later use to type it.
      return call(e.negated ? 'is_not_null' : 'is_null', [x.kind === 'literal' && x.type.kind === 'unknown' ? literal(x.value, T.text) : x], T.bool, false);
    case 'true':
    case 'false':
    case 'unknown': {
      const b = requireBool(env, x, `IS ${e.negated ? 'NOT ' : ''}${e.test.kind.toUpperCase()}`, e.expr.span);
      if (isError(b)) return b;
      if (e.test.kind === 'unknown') return call(e.negated ? 'is_not_null' : 'is_null', [b], T.bool, false);
      // x IS TRUE ≡ x IS NOT DISTINCT FROM true: never NULL, unlike x = true.
      return call(e.negated ? 'is_distinct_from' : 'is_not_distinct_from', [b, literal(e.test.kind === 'true', T.bool)], T.bool, false);
    }
    case 'distinct-from': {
      const other = bindExpr(env, e.test.other);
      const cmp = bindOperator(env, '=', x, other, [e.expr.span, e.test.other.span], e.span);
      if (cmp.kind !== 'call') return cmp;
      return call(e.negated ? 'is_not_distinct_from' : 'is_distinct_from', cmp.args, T.bool, false);
    }
  }
}

function bindInList(env: ExprEnv, e: A.InListExpr): Expr {
  const x = bindExpr(env, e.expr);
  const items = e.list.map((i) => bindExpr(env, i));
  if (isError(x) || items.some(isError)) return errorExpr();
  const spans = [e.expr.span, ...e.list.map((i) => i.span)];
  const u = unify(env.ctx, [x, ...items], spans);
  let r: Expr;
  if (u.ok) {
    r = call('in', u.exprs, T.bool);
  } else {
    // No common type: PostgreSQL falls back to x = a OR x = b …, resolving each comparison on its own.
    const parts = items.map((it, i) => bindOperator(env, '=', x, it, [e.expr.span, e.list[i]!.span], e.span));
    if (parts.some(isError)) return errorExpr();
    r = parts.reduce((a, b) => call('or', [a, b], T.bool));
  }
  return e.negated ? not(r) : r;
}

function bindBetween(env: ExprEnv, e: A.BetweenExpr): Expr {
  const x = bindExpr(env, e.expr);
  const low = bindExpr(env, e.low);
  const high = bindExpr(env, e.high);
  const ge = bindOperator(env, '>=', x, low, [e.expr.span, e.low.span], e.span);
  const le = bindOperator(env, '<=', x, high, [e.expr.span, e.high.span], e.span);
  if (isError(ge) || isError(le)) return errorExpr();
  let r = and(ge, le);
  if (e.symmetric) {
    const ge2 = bindOperator(env, '>=', x, high, [e.expr.span, e.high.span], e.span);
    const le2 = bindOperator(env, '<=', x, low, [e.expr.span, e.low.span], e.span);
    r = call('or', [r, and(ge2, le2)], T.bool);
  }
  return e.negated ? not(r) : r;
}

function bindQuantifiedExpr(env: ExprEnv, e: A.QuantifiedExpr): Expr {
  const x = bindExpr(env, e.expr);
  const op = e.op === '!=' ? '<>' : e.op;
  if (e.source.kind === 'query') return bindQuantified(env, x, op, e.quantifier, e.source.query, e.span, e.expr.span);
  const arr = bindExpr(env, e.source.expr);
  if (isError(x) || isError(arr)) return errorExpr();
  let arrTyped = arr;
  if (arr.type.kind === 'unknown' || arr.type.kind === 'null') {
    arrTyped = coerceTo(env.ctx, arr, listOf(x.type.kind === 'unknown' ? T.text : x.type), 'implicit', e.source.expr.span) ?? errorExpr();
  }
  if (arrTyped.type.kind !== 'list') {
    env.ctx.error('datatype_mismatch', `op ANY/ALL (array) requires array on right side`, e.source.expr.span);
    return errorExpr();
  }
  const elem = literal(null, arrTyped.type.element);
  const cmp = bindOperator(env, op, x, elem, [e.expr.span, e.source.expr.span], e.span);
  if (cmp.kind !== 'call') return cmp;
  const arrayArg = sameBase(cmp.args[1]!.type, arrTyped.type.element) ? arrTyped : coerceTo(env.ctx, arrTyped, listOf(cmp.args[1]!.type), 'implicit', e.source.expr.span) ?? arrTyped;
  // `x op ANY(array)`: the operator travels as a utf8 literal first argument, like extract's field.
  return call(e.quantifier, [literal(op, T.text), cmp.args[0]!, arrayArg], T.bool);
}

/** `x IN (subquery)`, `x op ANY|ALL (subquery)`: the comparison is typed like `x op <subquery column>`. */
function bindQuantified(env: ExprEnv, x: Expr, op: string, mode: 'in' | 'any' | 'all', q: A.Query, span: Span, xSpan: Span): Expr {
  const sub = bindSubqueryPlan(env, q);
  if (isError(x)) return errorExpr();
  if (sub.plan.schema.length !== 1) {
    env.ctx.error('syntax_error', sub.plan.schema.length > 1 ? 'subquery has too many columns' : 'subquery has too few columns', span);
    return errorExpr();
  }
  const col = sub.plan.schema[0]!;
  const probe = colRef(col);
  const cmp = bindOperator(env, op, x, probe, [xSpan, q.span], span);
  if (cmp.kind !== 'call') return cmp;
  let plan = sub.plan;
  const rightArg = cmp.args[1]!;
  if (!(rightArg.kind === 'column' && rightArg.id === col.id)) {
    const out = env.ctx.column(col.name, rightArg.type, col.nullable);
    plan = project(plan, [{ column: out, expr: rightArg }]);
  }
  return { kind: 'subquery', id: env.ctx.subqueryId(), mode, plan, operand: cmp.args[0]!, op, correlated: sub.correlated, type: T.bool, nullable: true };
}

function argSignature(args: readonly Expr[]): string {
  return args.map((a) => displayType(a.type)).join(', ');
}

function bindSortKeys(env: ExprEnv, items: readonly A.OrderItem[]): SortKey[] {
  return items.map((o) => {
    const expr = bindExpr(env, o.expr);
    const descending = o.direction === 'desc';
    return { expr: expr.type.kind === 'unknown' ? coerceTo(env.ctx, expr, T.text, 'implicit', o.expr.span)! : expr, descending, nullsFirst: o.nulls ? o.nulls === 'first' : descending };
  });
}

export { bindSortKeys };

function bindFuncCall(env: ExprEnv, e: A.FuncCallExpr): Expr {
  const { ctx } = env;
  const name = e.name.parts[e.name.parts.length - 1]!.name;
  const nameSpan = e.name.span;
  if (e.over) return bindWindowCall(env, e, name);
  if (COMMON_TYPE_FUNCTIONS.has(name)) return bindCommonTypeCall(env, e, name);
  const def = lookupFunction(name);
  if (def?.kind === 'aggregate') return bindAggregateCall(env, e, name);
  if (def?.kind === 'window') {
    ctx.error('wrong_object_type', `window function ${name} requires an OVER clause`, e.span);
    return errorExpr();
  }
  const args = e.args.map((a) => bindExpr(env, a));
  if (args.some(isError)) return errorExpr();
  if (!def) {
    ctx.error('undefined_function', `${qname(e.name)}(${argSignature(args)})`, nameSpan, { hint: FUNCTION_HINT });
    return errorExpr();
  }
  if (e.star || e.distinct || e.orderBy.length || e.filter) {
    const what = e.star ? '*' : e.distinct ? 'DISTINCT' : e.orderBy.length ? 'ORDER BY' : 'FILTER';
    ctx.error('wrong_object_type', `${what} specified, but ${name} is not an aggregate function`, e.span);
    return errorExpr();
  }
  const r = applyOverloads(ctx, name, def.signatures, args, e.args.map((a) => a.span));
  if (r.expr) return r.expr;
  if (r.resolution.kind === 'ambiguous') ctx.error('ambiguous_function', `${qname(e.name)}(${argSignature(args)})`, nameSpan, { hint: 'Could not choose a best candidate function. You might need to add explicit type casts.' });
  else ctx.error('undefined_function', `${qname(e.name)}(${argSignature(args)})`, nameSpan, { hint: FUNCTION_HINT });
  return errorExpr();
}

/** coalesce, nullif, greatest, least: typed by the common type of their arguments. */
function bindCommonTypeCall(env: ExprEnv, e: A.FuncCallExpr, name: string): Expr {
  const args = e.args.map((a) => bindExpr(env, a));
  if (args.some(isError)) return errorExpr();
  const spans = e.args.map((a) => a.span);
  if (name === 'nullif') {
    if (args.length !== 2) {
      env.ctx.error('undefined_function', `nullif(${argSignature(args)})`, e.name.span, { hint: FUNCTION_HINT });
      return errorExpr();
    }
    const cmp = bindOperator(env, '=', args[0]!, args[1]!, [spans[0]!, spans[1]!], e.span);
    if (cmp.kind !== 'call') return cmp;
    return call('nullif', cmp.args, cmp.args[0]!.type, true);
  }
  if (args.length === 0) {
    env.ctx.error('syntax_error', `syntax error at or near ")"`, e.span);
    return errorExpr();
  }
  const u = unify(env.ctx, args, spans);
  if (!u.ok) {
    env.ctx.error('datatype_mismatch', `${name.toUpperCase()} types ${displayType(u.left)} and ${displayType(u.right)} cannot be matched`, spans[u.index]!);
    return errorExpr();
  }
  const nullable = name === 'coalesce' ? u.exprs.every((a) => a.nullable) : u.exprs.some((a) => a.nullable);
  return call(name, u.exprs, u.type, nullable);
}

/**
 * The query level an aggregate belongs to: PostgreSQL's rule is the innermost level whose columns
 * its arguments reference (the current level when they reference none).
 */
function aggregateHome(scope: Scope, refs: ReadonlySet<Scope>): Scope {
  for (let s: Scope | undefined = scope; s; s = s.parent) if (refs.has(s)) return s;
  return scope;
}

function bindAggregateCall(env: ExprEnv, e: A.FuncCallExpr, name: string): Expr {
  const { ctx } = env;
  if (env.inAggregate) {
    ctx.error('grouping_error', 'aggregate function calls cannot be nested', e.span);
    return errorExpr();
  }
  const refScopes = new Set<Scope>();
  const chain: Scope[] = [];
  for (let s: Scope | undefined = env.scope; s; s = s.parent) chain.push(s);
  const before = chain.map((s) => new Set(s.outerRefs));
  const inner: ExprEnv = { ...env, aggs: undefined, windows: undefined, inAggregate: true, refScopes };
  const args = e.args.map((a) => bindExpr(inner, a));
  const filter = e.filter ? requireBool(inner, bindExpr(inner, e.filter), 'FILTER', e.filter.span) : undefined;
  const orderBy = bindSortKeys(inner, e.orderBy);
  const home = aggregateHome(env.scope, refScopes);
  const collector = home === env.scope ? env.aggs : home.aggs;
  if (!collector) {
    ctx.error('grouping_error', `aggregate functions are not allowed in ${env.clause}`, e.span);
    return errorExpr();
  }
  if (args.some(isError) || (filter && isError(filter))) return errorExpr();
  if (e.star && name !== 'count') {
    ctx.error('wrong_object_type', `${name}(*) must be used to call a parameterless aggregate function`, e.span);
    return errorExpr();
  }
  const def = lookupFunction(name)!;
  const r = applyOverloads(ctx, name, def.signatures, args, e.args.map((a) => a.span));
  if (!r.expr || r.expr.kind !== 'call') {
    if (!r.expr) ctx.error('undefined_function', `${qname(e.name)}(${argSignature(args)})`, e.name.span, { hint: FUNCTION_HINT });
    return errorExpr();
  }
  const agg: AggregateCall = {
    fn: name,
    args: r.expr.args,
    distinct: e.distinct,
    ...(filter ? { filter } : {}),
    orderBy,
    type: r.expr.type,
    nullable: !(r.resolution.kind === 'ok' && r.resolution.resolved.signature.notNull),
  };
  const ref = collector.add(ctx, name, agg);
  if (home !== env.scope) {
    // An outer-level aggregate is evaluated out there: its arguments are no correlation of ours,
    // its result is.
    chain.forEach((s, i) => {
      for (const id of s.outerRefs) if (!before[i]!.has(id)) s.outerRefs.delete(id);
    });
    markOuter(env.scope, home, ref.id);
  }
  return ref;
}

const DEFAULT_FRAME: Frame = { units: 'range', start: { kind: 'unbounded-preceding' }, end: { kind: 'current-row' } };

function bindWindowCall(env: ExprEnv, e: A.FuncCallExpr, name: string): Expr {
  const { ctx } = env;
  if (env.inAggregate) {
    ctx.error('grouping_error', 'aggregate function calls cannot contain window function calls', e.span);
    return errorExpr();
  }
  if (env.inWindow) {
    ctx.error('windowing_error', 'window function calls cannot be nested', e.span);
    return errorExpr();
  }
  if (!env.windows) {
    ctx.error('windowing_error', `window functions are not allowed in ${env.clause}`, e.span);
    return errorExpr();
  }
  const def = lookupFunction(name);
  const inner: ExprEnv = { ...env, windows: undefined, inWindow: true };
  const args = e.args.map((a) => bindExpr(inner, a));
  if (args.some(isError)) return errorExpr();
  if (!def || def.kind === 'scalar') {
    if (!def) ctx.error('undefined_function', `${qname(e.name)}(${argSignature(args)})`, e.name.span, { hint: FUNCTION_HINT });
    else ctx.error('wrong_object_type', `OVER specified, but ${name} is not a window function nor an aggregate function`, e.span);
    return errorExpr();
  }
  const r = applyOverloads(ctx, name, def.signatures, args, e.args.map((a) => a.span));
  if (!r.expr || r.expr.kind !== 'call') {
    if (!r.expr) ctx.error('undefined_function', `${qname(e.name)}(${argSignature(args)})`, e.name.span, { hint: FUNCTION_HINT });
    return errorExpr();
  }
  const spec = resolveWindowSpec(env, e.over!);
  if (!spec) return errorExpr();
  const partitionBy = spec.partitionBy.map((p) => bindExpr(inner, p));
  const orderBy = bindSortKeys(inner, spec.orderBy);
  const filter = e.filter ? requireBool(inner, bindExpr(inner, e.filter), 'FILTER', e.filter.span) : undefined;
  const frame = spec.frame ? bindFrame(inner, spec.frame, orderBy) : DEFAULT_FRAME;
  if (partitionBy.some(isError) || orderBy.some((k) => isError(k.expr)) || !frame) return errorExpr();
  const notNull = r.resolution.kind === 'ok' && !!r.resolution.resolved.signature.notNull;
  const w: WindowCall = {
    fn: name,
    args: r.expr.args,
    distinct: e.distinct,
    ...(filter ? { filter } : {}),
    partitionBy,
    orderBy,
    frame,
    type: r.expr.type,
    nullable: !notNull,
  };
  return env.windows.add(ctx, name, w);
}

/** Merges `OVER (w ORDER BY …)` with the named window it refines. */
function resolveWindowSpec(env: ExprEnv, spec: A.WindowSpec): A.WindowSpec | undefined {
  if (!spec.base) return spec;
  const base = env.namedWindows?.get(spec.base.name);
  if (!base) {
    env.ctx.error('undefined_object', `window "${spec.base.name}" does not exist`, spec.base.span);
    return undefined;
  }
  const resolved = resolveWindowSpec(env, base);
  if (!resolved) return undefined;
  if (spec.partitionBy.length) {
    env.ctx.error('windowing_error', `cannot override PARTITION BY clause of window "${spec.base.name}"`, spec.span);
    return undefined;
  }
  if (spec.orderBy.length && resolved.orderBy.length) {
    env.ctx.error('windowing_error', `cannot override ORDER BY clause of window "${spec.base.name}"`, spec.span);
    return undefined;
  }
  return {
    kind: 'window-spec',
    span: spec.span,
    partitionBy: resolved.partitionBy,
    orderBy: spec.orderBy.length ? spec.orderBy : resolved.orderBy,
    ...(spec.frame ? { frame: spec.frame } : resolved.frame ? { frame: resolved.frame } : {}),
  };
}

function bindFrame(env: ExprEnv, f: A.WindowFrame, orderBy: readonly SortKey[]): Frame | undefined {
  const bound = (b: A.FrameBound): FrameBound | undefined => {
    if (b.kind !== 'preceding' && b.kind !== 'following') return b;
    const off = bindExpr(env, b.offset);
    let want: DataType = T.int64;
    if (f.units === 'range') {
      if (orderBy.length !== 1) {
        env.ctx.error('windowing_error', 'RANGE with offset PRECEDING/FOLLOWING requires exactly one ORDER BY column', f.span);
        return undefined;
      }
      const k = orderBy[0]!.expr.type;
      want = k.kind === 'date' || k.kind === 'timestamp' ? T.interval : k;
    }
    const c = coerceTo(env.ctx, off, want, 'implicit', b.offset.span);
    if (!c) {
      env.ctx.error('datatype_mismatch', `argument of ${f.units.toUpperCase()} must be type ${displayType(want)}, not type ${displayType(off.type)}`, b.offset.span);
      return undefined;
    }
    return { kind: b.kind, offset: c };
  };
  const start = bound(f.start);
  const end = f.end ? bound(f.end) : { kind: 'current-row' as const };
  if (!start || !end) return undefined;
  if (start.kind === 'unbounded-following') {
    env.ctx.error('windowing_error', 'frame start cannot be UNBOUNDED FOLLOWING', f.span);
    return undefined;
  }
  if (end.kind === 'unbounded-preceding') {
    env.ctx.error('windowing_error', 'frame end cannot be UNBOUNDED PRECEDING', f.span);
    return undefined;
  }
  return { units: f.units, start, end };
}
