// Shared expression and plan helpers for optimizer rules: conjuncts, substitution, tree rewriting.

import { CompilerBug } from '../diagnostics/index.ts';
import { withChildren } from '../ir/build.ts';
import { call, exprColumns, type ColumnId, type Expr, type Schema } from '../ir/expr.ts';
import { children, type LogicalPlan } from '../ir/plan.ts';
import { forEachNodeExpr, printExpr, printType } from '../ir/print.ts';
import { T } from '../ir/types.ts';

/** The conjuncts of a predicate (`a AND (b AND c)` → [a, b, c]). */
export function conjuncts(e: Expr | undefined): Expr[] {
  const out: Expr[] = [];
  if (e) flatten(e, 'and', out);
  return out;
}

/** The disjuncts of a predicate. */
export function disjuncts(e: Expr): Expr[] {
  const out: Expr[] = [];
  flatten(e, 'or', out);
  return out;
}

/** Appends the operands of nested `fn` calls, left to right, into one array (no array per level). */
function flatten(e: Expr, fn: 'and' | 'or', out: Expr[]): void {
  if (e.kind === 'call' && e.fn === fn) for (const a of e.args) flatten(a, fn, out);
  else out.push(e);
}

/** Joins predicates with binary AND, left-deep; undefined for none. */
export function conjoin(es: readonly Expr[]): Expr | undefined {
  if (es.length === 0) return undefined;
  return es.reduce((acc, e) => call('and', [acc, e], T.bool));
}

/** Joins predicates with binary OR. */
export function disjoin(es: readonly Expr[]): Expr {
  return es.reduce((acc, e) => call('or', [acc, e], T.bool));
}

const keyMemo = new WeakMap<Expr, string>();

/** Structural identity of an expression (ids and typed literal values), for dedup and comparisons; memoized since expressions are immutable. */
export function exprKey(e: Expr): string {
  let k = keyMemo.get(e);
  if (k === undefined) {
    k = printExpr(e);
    keyMemo.set(e, k);
  }
  return k;
}

const idsMemo = new WeakMap<Schema, ReadonlySet<ColumnId>>();

/** The column ids of a schema (memoized per schema array: nodes share them and rules ask often). */
export function ids(s: Schema): ReadonlySet<ColumnId> {
  let set = idsMemo.get(s);
  if (!set) {
    set = new Set(s.map((c) => c.id));
    idsMemo.set(s, set);
  }
  return set;
}

export function intersects(a: ReadonlySet<ColumnId>, b: ReadonlySet<ColumnId>): boolean {
  for (const x of a) if (b.has(x)) return true;
  return false;
}

/** Bottom-up expression rewrite; returns the same object when `f` changed nothing. Does not enter subquery plans. */
export function mapExpr(e: Expr, f: (e: Expr) => Expr): Expr {
  let next: Expr = e;
  switch (e.kind) {
    case 'call': {
      const args = mapArray(e.args, (a) => mapExpr(a, f));
      if (args !== e.args) next = { ...e, args };
      break;
    }
    case 'case': {
      let changed = false;
      const whens = e.whens.map((w) => {
        const when = mapExpr(w.when, f);
        const then = mapExpr(w.then, f);
        if (when !== w.when || then !== w.then) changed = true;
        return when === w.when && then === w.then ? w : { when, then };
      });
      const els = e.else ? mapExpr(e.else, f) : undefined;
      if (changed || els !== e.else) next = { ...e, whens: changed ? whens : e.whens, ...(els ? { else: els } : {}) };
      break;
    }
    case 'cast': {
      const inner = mapExpr(e.expr, f);
      if (inner !== e.expr) next = { ...e, expr: inner };
      break;
    }
    case 'subquery': {
      if (e.operand) {
        const operand = mapExpr(e.operand, f);
        if (operand !== e.operand) next = { ...e, operand };
      }
      break;
    }
    default:
      break;
  }
  return f(next);
}

/** Maps an array, returning the same array when no element changed. */
export function mapArray<T>(xs: readonly T[], f: (x: T) => T): readonly T[] {
  let out: T[] | undefined;
  for (let i = 0; i < xs.length; i++) {
    const y = f(xs[i]!);
    if (y !== xs[i] && !out) out = xs.slice(0, i);
    if (out) out.push(y);
  }
  return out ?? xs;
}

/** Volatile functions must run exactly where and as often as the query says. */
const VOLATILE = new Set(['random', 'now', 'clock_timestamp', 'nextval', 'gen_random_uuid', 'setval']);

const volatileMemo = new WeakMap<Expr, boolean>();

/** Whether the expression calls a volatile function; memoized, since rules ask of every conjunct on every pass. */
export function isVolatile(e: Expr): boolean {
  let v = volatileMemo.get(e);
  if (v === undefined) {
    v = false;
    mapExpr(e, (x) => {
      if (x.kind === 'call' && VOLATILE.has(x.fn)) v = true;
      return x;
    });
    volatileMemo.set(e, v);
  }
  return v;
}

/** Replaces column references by the mapped expressions (ids not in the map are kept). */
export function substitute(e: Expr, map: ReadonlyMap<ColumnId, Expr>): Expr {
  if (map.size === 0) return e;
  return mapExpr(e, (x) => {
    if (x.kind === 'column') return map.get(x.id) ?? x;
    if (x.kind === 'subquery' && x.correlated.some((c) => map.has(c))) {
      // A correlated subquery reads outer ids inside its plan; renaming them there too keeps it valid.
      const renames = new Map<ColumnId, Expr>();
      for (const c of x.correlated) {
        const to = map.get(c);
        if (to) renames.set(c, to);
      }
      const correlated = [...new Set(x.correlated.flatMap((c) => {
        const to = renames.get(c);
        return to ? [...exprColumns(to)] : [c];
      }))];
      return { ...x, plan: substitutePlan(x.plan, renames), correlated };
    }
    return x;
  });
}

/** Substitutes column references in every expression of a plan (used for outer references of subqueries). */
export function substitutePlan(p: LogicalPlan, map: ReadonlyMap<ColumnId, Expr>): LogicalPlan {
  return mapPlanExprs(p, (e) => substitute(e, map), true);
}

/** Rebuilds a node with new children only when one changed. */
export function replaceChildren(p: LogicalPlan, kids: readonly LogicalPlan[]): LogicalPlan {
  const old = children(p);
  for (let i = 0; i < kids.length; i++) if (kids[i] !== old[i]) return withChildren(p, kids);
  return p;
}

/** Bottom-up plan rewrite (children first); `f` returns the node itself when it keeps it. */
export function transformUp(p: LogicalPlan, f: (p: LogicalPlan) => LogicalPlan): LogicalPlan {
  const kids = children(p);
  const next = kids.length ? replaceChildren(p, kids.map((k) => transformUp(k, f))) : p;
  return f(next);
}

/** Applies `f` to every expression held directly by nodes of the plan (optionally inside subquery plans too). */
export function mapPlanExprs(p: LogicalPlan, f: (e: Expr) => Expr, intoSubqueries = false): LogicalPlan {
  return transformUp(p, (n) => mapNodeExprs(n, (e) => {
    const inner = intoSubqueries ? mapSubqueryPlans(e, (sp) => mapPlanExprs(sp, f, true)) : e;
    return f(inner);
  }));
}

/** Rewrites the plans of the subquery expressions inside `e`. */
export function mapSubqueryPlans(e: Expr, f: (p: LogicalPlan) => LogicalPlan): Expr {
  return mapExpr(e, (x) => {
    if (x.kind !== 'subquery') return x;
    const plan = f(x.plan);
    return plan === x.plan ? x : { ...x, plan };
  });
}

/** Rebuilds one node with each of its own expressions mapped by `f`; same node when nothing changed. */
export function mapNodeExprs(p: LogicalPlan, f: (e: Expr) => Expr): LogicalPlan {
  switch (p.kind) {
    case 'filter': {
      const predicate = f(p.predicate);
      return predicate === p.predicate ? p : { ...p, predicate };
    }
    case 'project': {
      let changed = false;
      const items = p.items.map((i) => {
        const expr = f(i.expr);
        if (expr === i.expr) return i;
        changed = true;
        return { ...i, expr };
      });
      return changed ? { ...p, items } : p;
    }
    case 'join': {
      if (!p.condition) return p;
      const condition = f(p.condition);
      return condition === p.condition ? p : { ...p, condition };
    }
    case 'aggregate': {
      let changed = false;
      const groups = p.groups.map((g) => {
        const expr = f(g.expr);
        if (expr === g.expr) return g;
        changed = true;
        return { ...g, expr };
      });
      const aggregates = p.aggregates.map((a) => {
        const args = mapArray(a.call.args, f);
        const filter = a.call.filter ? f(a.call.filter) : undefined;
        const orderBy = mapArray(a.call.orderBy, (k) => {
          const expr = f(k.expr);
          return expr === k.expr ? k : { ...k, expr };
        });
        if (args === a.call.args && filter === a.call.filter && orderBy === a.call.orderBy) return a;
        changed = true;
        return { ...a, call: { ...a.call, args, orderBy, ...(filter ? { filter } : {}) } };
      });
      return changed ? { ...p, groups, aggregates } : p;
    }
    case 'window': {
      let changed = false;
      const windows = p.windows.map((w) => {
        const args = mapArray(w.call.args, f);
        const partitionBy = mapArray(w.call.partitionBy, f);
        const orderBy = mapArray(w.call.orderBy, (k) => {
          const expr = f(k.expr);
          return expr === k.expr ? k : { ...k, expr };
        });
        const filter = w.call.filter ? f(w.call.filter) : undefined;
        if (args === w.call.args && partitionBy === w.call.partitionBy && orderBy === w.call.orderBy && filter === w.call.filter) return w;
        changed = true;
        return { ...w, call: { ...w.call, args, partitionBy, orderBy, ...(filter ? { filter } : {}) } };
      });
      return changed ? { ...p, windows } : p;
    }
    case 'sort': {
      const keys = mapArray(p.keys, (k) => {
        const expr = f(k.expr);
        return expr === k.expr ? k : { ...k, expr };
      });
      return keys === p.keys ? p : { ...p, keys };
    }
    case 'values': {
      const rows = mapArray(p.rows, (r) => mapArray(r, f));
      return rows === p.rows ? p : { ...p, rows };
    }
    case 'table-function': {
      const args = mapArray(p.args, f);
      return args === p.args ? p : { ...p, args };
    }
    case 'expand': {
      const start = f(p.start);
      const where = p.where && f(p.where);
      return start === p.start && where === p.where ? p : { ...p, start, ...(where ? { where } : {}) };
    }
    case 'distinct': {
      if (!p.on) return p;
      const on = mapArray(p.on, f);
      return on === p.on ? p : { ...p, on };
    }
    case 'limit':
    case 'scan':
    case 'set-op':
    case 'recursive-cte':
    case 'work-table':
    case 'insert':
    case 'update':
    case 'delete':
    case 'gap-fill':
    case 'live':
      return p;
  }
}

/** The largest column id used anywhere in the plan (schemas, expressions, subqueries). */
export function maxColumnId(p: LogicalPlan): number {
  let max = 0;
  const expr = (e: Expr): void => {
    switch (e.kind) {
      case 'column':
        if (e.id > max) max = e.id;
        break;
      case 'call':
        for (const a of e.args) expr(a);
        break;
      case 'case':
        for (const w of e.whens) {
          expr(w.when);
          expr(w.then);
        }
        if (e.else) expr(e.else);
        break;
      case 'cast':
        expr(e.expr);
        break;
      case 'subquery':
        if (e.operand) expr(e.operand);
        for (const c of e.correlated) if (c > max) max = c;
        walk(e.plan);
        break;
      default:
        break;
    }
  };
  const walk = (n: LogicalPlan): void => {
    for (const c of n.schema) if (c.id > max) max = c.id;
    forEachNodeExpr(n, expr);
    if (n.kind === 'insert' || n.kind === 'update' || n.kind === 'delete') {
      for (const c of n.rowColumns) if (c.id > max) max = c.id;
    }
    for (const k of children(n)) walk(k);
  };
  walk(p);
  return max;
}

/** True when evaluating `e` can yield NULL only if one of `cols` is NULL, and is NULL/false when any is (a strict, null-rejecting test). */
export function rejectsNulls(e: Expr, cols: ReadonlySet<ColumnId>): boolean {
  switch (e.kind) {
    case 'call':
      switch (e.fn) {
        case 'and':
          return e.args.some((a) => rejectsNulls(a, cols));
        case 'or':
          return e.args.every((a) => rejectsNulls(a, cols));
        case 'is_not_null':
          return strictOn(e.args[0]!, cols);
        case '=': case '<>': case '<': case '<=': case '>': case '>=': case 'like': case 'ilike':
          return e.args.some((a) => strictOn(a, cols));
        case 'in':
          return strictOn(e.args[0]!, cols);
        case 'not':
          return rejectsNullsNegated(e.args[0]!, cols);
        default:
          return false;
      }
    default:
      return false;
  }
}

/** NOT e rejects nulls when e is a comparison strict on the columns (NOT NULL is NULL). */
function rejectsNullsNegated(e: Expr, cols: ReadonlySet<ColumnId>): boolean {
  if (e.kind !== 'call') return false;
  switch (e.fn) {
    case '=': case '<>': case '<': case '<=': case '>': case '>=': case 'like': case 'ilike':
      return e.args.some((a) => strictOn(a, cols));
    case 'is_null':
      return strictOn(e.args[0]!, cols);
    default:
      return false;
  }
}

const STRICT_FNS = new Set(['+', '-', '*', '/', '%', '^', 'neg', '||', 'lower', 'upper', 'substring', 'abs', 'extract', 'date_trunc', 'length', 'trim', 'round']);

/** True when `e` is NULL whenever some column of `cols` it reads is NULL. */
export function strictOn(e: Expr, cols: ReadonlySet<ColumnId>): boolean {
  switch (e.kind) {
    case 'column':
      return cols.has(e.id);
    case 'cast':
      return strictOn(e.expr, cols);
    case 'call':
      return STRICT_FNS.has(e.fn) && e.args.some((a) => strictOn(a, cols));
    default:
      return false;
  }
}

/** Asserts a rule kept the output columns (ids, names, types; nullability may only narrow). */
export function checkSameSchema(rule: string, before: Schema, after: Schema): void {
  const same =
    before.length === after.length &&
    before.every((c, i) => {
      const d = after[i]!;
      return c.id === d.id && c.name === d.name && printType(c.type) === printType(d.type) && (c.nullable || !d.nullable);
    });
  if (!same) {
    const show = (s: Schema): string => s.map((c) => `${c.name}#${c.id}:${printType(c.type)}${c.nullable ? '?' : ''}`).join(' ');
    throw new CompilerBug(`optimizer rule ${rule} changed the output schema: [${show(before)}] → [${show(after)}]`);
  }
}
