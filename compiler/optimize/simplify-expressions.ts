// Rule simplify-expressions: boolean identities, negation push-in, duplicate and common-factor conjuncts, date-vs-timestamp comparisons; drops always-true filters.

import { call, literal, type Expr } from '../ir/expr.ts';
import type { LogicalPlan } from '../ir/plan.ts';
import { join } from '../ir/build.ts';
import { T } from '../ir/types.ts';
import { rewriteBottomUp, type Rule } from './rule.ts';
import { conjoin, conjuncts, disjoin, disjuncts, exprKey, isVolatile, mapExpr, mapNodeExprs } from './util.ts';

const NEGATE: Record<string, string> = { '=': '<>', '<>': '=', '<': '>=', '>=': '<', '>': '<=', '<=': '>', is_null: 'is_not_null', is_not_null: 'is_null' };

const DAY_MICROS = 86_400_000_000;
const isTrue = (e: Expr): boolean => e.kind === 'literal' && e.value === true;
const isFalse = (e: Expr): boolean => e.kind === 'literal' && e.value === false;

/** Removes duplicate operands of an AND/OR (keeping the first); two calls of random() are not duplicates. */
function dedupe(es: readonly Expr[]): Expr[] {
  const seen = new Set<string>();
  const out: Expr[] = [];
  for (const e of es) {
    const k = exprKey(e);
    if (!seen.has(k)) {
      seen.add(k);
      out.push(e);
    } else if (isVolatile(e)) {
      // Same text as an earlier operand, but each call of a volatile function is its own value.
      out.push(e);
    }
  }
  return out;
}

/** `(a AND b) OR (a AND c)` → `a AND (b OR c)`: exposes join keys hidden in disjunctions (TPC-H Q19). */
function factorOr(e: Expr): Expr {
  const arms = disjuncts(e).map(conjuncts);
  if (arms.length < 2) return e;
  const keys = arms.map((a) => new Set(a.map(exprKey)));
  const common = arms[0]!.filter((c) => !isVolatile(c) && keys.every((k) => k.has(exprKey(c))));
  if (common.length === 0) return e;
  const commonKeys = new Set(common.map(exprKey));
  const rests = arms.map((a) => a.filter((c) => !commonKeys.has(exprKey(c))));
  // An arm made only of the common factor makes the whole disjunction true once the factor holds.
  if (rests.some((r) => r.length === 0)) return conjoin(common)!;
  return conjoin([...common, disjoin(rests.map((r) => conjoin(r)!))])!;
}

/** A date column compared with a midnight timestamp constant compares as dates (keeps ranges and indexes usable). */
function dateComparison(e: Expr): Expr {
  if (e.kind !== 'call' || !(e.fn in NEGATE) || e.args.length !== 2) return e;
  const [a, b] = e.args as [Expr, Expr];
  const fix = (x: Expr): Expr | undefined => {
    if (x.kind === 'cast' && x.expr.type.kind === 'date' && x.type.kind === 'timestamp' && !x.type.tz) return x.expr;
    return undefined;
  };
  const midnight = (x: Expr): Expr | undefined =>
    x.kind === 'literal' && x.type.kind === 'timestamp' && !x.type.tz && typeof x.value === 'number' && x.value % DAY_MICROS === 0 ? literal(x.value / DAY_MICROS, T.date) : undefined;
  const ca = fix(a);
  const lb = midnight(b);
  if (ca && lb) return call(e.fn, [ca, lb], e.type, e.nullable);
  const cb = fix(b);
  const la = midnight(a);
  if (cb && la) return call(e.fn, [la, cb], e.type, e.nullable);
  return e;
}

/** Simplifies one expression node whose children are already simplified. */
export function simplifyExpr(e: Expr): Expr {
  if (e.kind !== 'call') return e;
  switch (e.fn) {
    case 'and': {
      const all = conjuncts(e);
      const parts = all.filter((x) => !isTrue(x));
      if (parts.some(isFalse)) return literal(false, T.bool);
      const uniq = dedupe(parts);
      if (uniq.length === 0) return literal(true, T.bool);
      if (uniq.length === all.length) return e;
      return conjoin(uniq)!;
    }
    case 'or': {
      const all = disjuncts(e);
      const parts = all.filter((x) => !isFalse(x));
      if (parts.some(isTrue)) return literal(true, T.bool);
      const uniq = dedupe(parts);
      if (uniq.length === 0) return literal(false, T.bool);
      const base = uniq.length === all.length ? e : disjoin(uniq);
      return factorOr(base);
    }
    case 'not': {
      const a = e.args[0]!;
      if (a.kind === 'call' && a.fn === 'not') return a.args[0]!;
      if (a.kind === 'call' && NEGATE[a.fn] && (a.fn.startsWith('is_') || a.args.length === 2)) return call(NEGATE[a.fn]!, a.args, a.type, a.nullable);
      return e;
    }
    case 'in':
      return e.args.length === 2 ? call('=', e.args, e.type, e.nullable) : e;
    default:
      return dateComparison(e);
  }
}

function simplifyNode(p: LogicalPlan): LogicalPlan | undefined {
  const next = mapNodeExprs(p, (e) => mapExpr(e, simplifyExpr));
  if (next.kind === 'filter' && isTrue(next.predicate)) return next.input;
  if (next.kind === 'join' && next.condition && isTrue(next.condition)) return join(next.joinType === 'inner' ? 'cross' : next.joinType, next.left, next.right);
  return next === p ? undefined : next;
}

/** Rule simplify-expressions. */
export const simplifyExpressions: Rule = {
  name: 'simplify-expressions',
  apply: (plan) => rewriteBottomUp(plan, simplifyNode),
};
