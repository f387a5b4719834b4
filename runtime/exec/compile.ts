// Compiles an IR expression tree once per plan node into an evaluator working column-at-a-time.
//
// Hot operators (arithmetic, comparison, boolean logic, null tests, IN lists, LIKE with a constant
// pattern, numeric casts, COALESCE) run typed-array kernels; every other function goes through its
// row kernel (functions.ts) in one loop per batch. AND/OR and CASE evaluate later operands only on
// the rows that still need them, so `x <> 0 AND 10 / x > 1` never divides by zero.

import { type ColumnId, type Expr, type Subquery, exprColumns } from '../../compiler/ir/expr.ts';
import type { DataType } from '../../compiler/ir/types.ts';
import { castValue } from './cast.ts';
import { compareValues, valueKey } from './compare.ts';
import type { Evaluator, RunCtx } from './context.ts';
import { US_PER_DAY } from './datetime.ts';
import { fail } from './errors.ts';
import { type FnEnv, likeRegExp, rowFunction } from './functions.ts';
import { type Selector, dictWise, fuse, fuseFilter } from './fuse.ts';
import { andVec, arithVec, compareVec, decimalToFloat, distinctVec, isNullVec, negVec, notVec, orVec, selectTrue } from './kernels.ts';
import { outOfRange } from './text.ts';
import { rint } from './cast.ts';
import {
  type Chunk, type Vec, constVec, gather, gatherColumns, makeVec, nullVec, rescaleVec, toBig, valueAt, vecFromValues,
} from './vector.ts';
import { applyNumericTypmod } from './cast.ts';
import { MAX_EXACT, pow10, rescaleBig } from './decimal.ts';

/** Where each column id of the input lives in a chunk. */
export type Layout = ReadonlyMap<ColumnId, number>;

export const layoutOf = (schema: readonly { readonly id: ColumnId }[]): Layout => new Map(schema.map((c, i) => [c.id, i]));

const BOOL: DataType = { kind: 'bool' };
const ARITH = new Set(['+', '-', '*', '/', '%']);
const CMP = new Set(['=', '<>', '<', '<=', '>', '>=']);
const NUMERIC_KINDS = new Set(['int16', 'int32', 'int64', 'float32', 'float64', 'decimal']);

/**
 * Compiles `e` against an input layout. With `scratch`, the result vector of a fused root may be
 * a buffer the evaluator reuses on its next call: for consumers done with a batch's values before
 * they evaluate the next (a hash aggregate's arguments).
 */
export function compileExpr(e: Expr, layout: Layout, env: FnEnv, scratch = false): Evaluator {
  switch (e.kind) {
    case 'column': {
      const idx = layout.get(e.id);
      if (idx !== undefined) return (c) => c.columns[idx]!;
      const id = e.id;
      const t = e.type;
      return (c, rc) => {
        if (!rc.outer.has(id)) fail('internal_error', `column ${e.name}#${id} is not in the input`);
        return constVec(t, rc.outer.get(id), c.length);
      };
    }
    case 'literal':
      return constant(e.type, e.value);
    case 'param': {
      const i = e.index - 1;
      let cached: Vec | undefined;
      return (c, rc) => {
        if (cached === undefined || cached.length !== c.length) cached = constVec(e.type, rc.params[i] ?? null, c.length);
        return cached;
      };
    }
    case 'cast': {
      const general = compileCast(compileExpr(e.expr, layout, env), e.expr.type, e.type, e.implicit);
      return fuse(e, layout, general, scratch) ?? general;
    }
    case 'case':
      return compileCase(e, layout, env);
    case 'subquery':
      return compileSubquery(e, layout, env);
    case 'call': {
      const general = compileCall(e.fn, e.args, e.type, layout, env);
      return fuse(e, layout, general, scratch) ?? dictWise(e, layout, general) ?? general;
    }
  }
}

/** Compiles a filter predicate into a row selector (fused loops for its numeric comparisons). */
export function compileFilter(e: Expr, layout: Layout, env: FnEnv): Selector {
  const pred = compileExpr(e, layout, env);
  const whole: Selector = (c, rc) => selectTrue(pred(c, rc));
  return fuseFilter(e, layout, whole, (x) => compileExpr(x, layout, env)) ?? whole;
}

function constant(t: DataType, value: unknown): Evaluator {
  let cached: Vec | undefined;
  return (c) => {
    if (cached === undefined || cached.length !== c.length) cached = constVec(t, value, c.length);
    return cached;
  };
}

/** An evaluator with the input columns its expression reads (the only ones worth gathering for it). */
interface Part {
  readonly f: Evaluator;
  readonly cols: readonly number[];
}

/** Compiles `e` as a Part. */
function part(e: Expr, layout: Layout, env: FnEnv, f: Evaluator = compileExpr(e, layout, env)): Part {
  const cols: number[] = [];
  for (const id of exprColumns(e)) {
    const i = layout.get(id);
    if (i !== undefined) cols.push(i);
  }
  return { f, cols };
}

/**
 * Evaluates `p` only on rows `sel` of `c` and scatters the result back (others NULL). Only the
 * columns `p` reads are gathered: a CASE branch over a wide join output copies two columns, not all.
 */
function onRows(p: Part, c: Chunk, rc: RunCtx, sel: Uint32Array, n: number, t: DataType): Vec {
  if (n === c.length) return p.f(c, rc);
  const sub = p.f(gatherColumns(c, p.cols, sel, n), rc);
  return scatter(sub, sel, n, c.length, t);
}

/** Places rows of `v` at positions `sel` of a new vector of length `len` (other rows NULL). */
function scatter(v: Vec, sel: Uint32Array, n: number, len: number, t: DataType): Vec {
  const idx = new Int32Array(len).fill(-1);
  for (let i = 0; i < n; i++) idx[sel[i]!] = i;
  const g = gather(v, idx, len);
  return g.type === t ? g : { ...g, type: t };
}

function compileCall(fn: string, argExprs: readonly Expr[], rt: DataType, layout: Layout, env: FnEnv): Evaluator {
  const args = argExprs.map((a) => compileExpr(a, layout, env));
  const types = argExprs.map((a) => a.type);
  const numeric = types.every((t) => NUMERIC_KINDS.has(t.kind));
  if (ARITH.has(fn) && args.length === 2 && numeric && NUMERIC_KINDS.has(rt.kind)) {
    const [a, b] = args as [Evaluator, Evaluator];
    return (c, rc) => arithVec(fn, a(c, rc), b(c, rc), rt);
  }
  if (CMP.has(fn) && args.length === 2 && comparable(types[0]!, types[1]!)) {
    const [a, b] = args as [Evaluator, Evaluator];
    return (c, rc) => compareVec(fn, a(c, rc), b(c, rc));
  }
  if (fn === 'neg' && numeric && args.length === 1) {
    const a = args[0]!;
    return (c, rc) => negVec(a(c, rc));
  }
  switch (fn) {
    case 'and':
    case 'or':
      return compileLogic(fn, args.map((f, i) => part(argExprs[i]!, layout, env, f)), argExprs.map(cannotFail));
    case 'not': {
      const a = args[0]!;
      return (c, rc) => notVec(a(c, rc));
    }
    case 'is_null':
    case 'is_not_null': {
      const a = args[0]!;
      const neg = fn === 'is_not_null';
      return (c, rc) => isNullVec(a(c, rc), neg);
    }
    case 'is_distinct_from':
    case 'is_not_distinct_from': {
      if (!comparable(types[0]!, types[1]!)) break;
      const [a, b] = args as [Evaluator, Evaluator];
      const nd = fn === 'is_not_distinct_from';
      return (c, rc) => {
        const x = a(c, rc);
        const y = b(c, rc);
        return distinctVec(compareVec('=', x, y), x, y, nd);
      };
    }
    case 'in': {
      if (!types.slice(1).every((t) => comparable(types[0]!, t))) break;
      const lookup = inListLookup(argExprs);
      if (lookup) {
        const a = args[0]!;
        return (c, rc) => lookup(a(c, rc));
      }
      const [a, ...items] = args as [Evaluator, ...Evaluator[]];
      return (c, rc) => {
        const x = a(c, rc);
        let acc: Vec | undefined;
        for (const it of items) {
          const eq = compareVec('=', x, it(c, rc));
          acc = acc === undefined ? eq : orVec(acc, eq);
        }
        return acc ?? constVec(BOOL, false, c.length);
      };
    }
    case 'like':
    case 'ilike': {
      const pat = argExprs[1]!;
      const esc = argExprs[2];
      if (pat.kind === 'literal' && typeof pat.value === 'string' && (esc === undefined || esc.kind === 'literal') && types[0]!.kind !== 'binary') {
        const a = args[0]!;
        const test = likeTest(pat.value, fn === 'ilike', esc === undefined ? '\\' : String(esc.value ?? ''));
        return (c, rc) => {
          const x = a(c, rc);
          const d = x.data as unknown[];
          const out = new Uint8Array(x.length);
          for (let i = 0; i < x.length; i++) if (x.valid === null || x.valid[i] === 1) out[i] = test(d[i] as string) ? 1 : 0;
          return makeVec(BOOL, 'bool', out, x.valid);
        };
      }
      break;
    }
    case 'coalesce':
      return compileCoalesce(args.map((f, i) => part(argExprs[i]!, layout, env, f)), rt);
    default:
      break;
  }
  const row = rowFunction(fn, types, rt, env);
  if (!row) return () => fail('undefined_function', `${fn}(${types.map((t) => t.kind).join(', ')})`);
  return (c, rc) => {
    const vs = args.map((a) => a(c, rc));
    const n = c.length;
    const out = new Array<unknown>(n);
    const argv = new Array<unknown>(vs.length);
    outer: for (let i = 0; i < n; i++) {
      for (let j = 0; j < vs.length; j++) {
        const x = valueAt(vs[j]!, i);
        if (x === null && row.strict) {
          out[i] = null;
          continue outer;
        }
        argv[j] = x;
      }
      out[i] = row.fn(argv);
    }
    return vecFromValues(rt, out);
  };
}

const SET_KINDS = new Set(['int16', 'int32', 'int64', 'float32', 'float64', 'date', 'timestamp', 'utf8', 'unknown', 'uuid']);

/**
 * `x IN (literals…)` over numbers or text: one hash probe per row instead of a comparison per
 * item. A NULL item makes a miss NULL, as `x = NULL` would.
 */
function inListLookup(argExprs: readonly Expr[]): ((x: Vec) => Vec) | undefined {
  const [operand, ...items] = argExprs as [Expr, ...Expr[]];
  if (items.length < 4 || !SET_KINDS.has(operand.type.kind) || !items.every((i) => i.kind === 'literal' && SET_KINDS.has(i.type.kind))) return undefined;
  const numeric = operand.type.kind !== 'utf8' && operand.type.kind !== 'unknown' && operand.type.kind !== 'uuid';
  const set = new Set<number | string>();
  let hasNull = false;
  for (const it of items) {
    const v = (it as Expr & { kind: 'literal' }).value;
    if (v === null) hasNull = true;
    else if (numeric) {
      const num = Number(v as number | bigint);
      // Beyond 2^53 a double no longer identifies the value: leave such lists to comparisons.
      if (Math.abs(num) > MAX_EXACT) return undefined;
      set.add(num);
    } else set.add(String(v));
  }
  return (x) => {
    const n = x.length;
    const out = new Uint8Array(n);
    const valid = hasNull ? new Uint8Array(n) : x.valid;
    if (x.rep === 'obj' || x.rep === 'big') {
      for (let i = 0; i < n; i++) {
        if (x.valid !== null && x.valid[i] === 0) continue;
        const raw = (x.data as unknown[])[i];
        const num = numeric ? Number(raw as number | bigint) : 0;
        const hit = numeric ? Math.abs(num) <= MAX_EXACT && set.has(num) : set.has(raw as string);
        out[i] = hit ? 1 : 0;
        if (valid !== null && hasNull) valid[i] = hit ? 1 : 0;
      }
    } else {
      const d = x.data as Float64Array | Int32Array;
      for (let i = 0; i < n; i++) {
        if (x.valid !== null && x.valid[i] === 0) continue;
        const hit = set.has(d[i]!);
        out[i] = hit ? 1 : 0;
        if (valid !== null && hasNull) valid[i] = hit ? 1 : 0;
      }
    }
    return makeVec(BOOL, 'bool', out, valid);
  };
}

/** Types the vector comparison kernel handles directly (the binder unifies operand types). */
function comparable(a: DataType, b: DataType): boolean {
  if (NUMERIC_KINDS.has(a.kind) && NUMERIC_KINDS.has(b.kind)) return true;
  const textual = (k: string): boolean => k === 'utf8' || k === 'unknown';
  if (textual(a.kind) && textual(b.kind)) return true;
  return a.kind === b.kind && a.kind !== 'list' && a.kind !== 'struct' && a.kind !== 'null';
}

function likeTest(pattern: string, ilike: boolean, escape: string): (s: string) => boolean {
  if (!ilike && escape === '\\' && !pattern.includes('\\') && !pattern.includes('_')) {
    const parts = pattern.split('%');
    if (parts.length === 1) return (s) => s === pattern;
    if (parts.length === 2 && parts[1] === '') return (s) => s.startsWith(parts[0]!);
    if (parts.length === 2 && parts[0] === '') return (s) => s.endsWith(parts[1]!);
    if (parts.length === 3 && parts[0] === '' && parts[2] === '') return (s) => s.includes(parts[1]!);
  }
  const re = likeRegExp(pattern, ilike, escape);
  return (s) => re.test(s);
}

/**
 * Whether evaluating `e` can never raise an error: comparisons, null tests and boolean logic over
 * columns, literals and parameters. Such operands of AND/OR need no short-circuit protection.
 */
function cannotFail(e: Expr): boolean {
  switch (e.kind) {
    case 'column':
    case 'literal':
    case 'param':
      return true;
    case 'call':
      return (CMP.has(e.fn) || e.fn === 'in' || e.fn === 'and' || e.fn === 'or' || e.fn === 'not' || e.fn === 'is_null' || e.fn === 'is_not_null') && e.args.every(cannotFail);
    default:
      return false;
  }
}

function compileLogic(fn: 'and' | 'or', args: readonly Part[], safe: readonly boolean[]): Evaluator {
  const isAnd = fn === 'and';
  return (c, rc) => {
    let acc = args[0]!.f(c, rc);
    for (let k = 1; k < args.length; k++) {
      // An operand that cannot fail runs over the whole batch: cheaper than selecting rows.
      if (safe[k]) {
        const next = args[k]!.f(c, rc);
        acc = isAnd ? andVec(acc, next) : orVec(acc, next);
        continue;
      }
      // Rows already decided (false for AND, true for OR) do not evaluate the next operand.
      const d = acc.data as Uint8Array;
      const v = acc.valid;
      const sel = new Uint32Array(c.length);
      let n = 0;
      for (let i = 0; i < c.length; i++) {
        const decided = (v === null || v[i] === 1) && d[i] === (isAnd ? 0 : 1);
        if (!decided) sel[n++] = i;
      }
      if (n === 0) return acc;
      const next = onRows(args[k]!, c, rc, sel, n, BOOL);
      const nextFilled = n === c.length ? next : fillDecided(next, acc, isAnd);
      acc = isAnd ? andVec(acc, nextFilled) : orVec(acc, nextFilled);
    }
    return acc;
  };
}

/** Rows skipped by short-circuiting take the neutral value (true for AND, false for OR). */
function fillDecided(next: Vec, acc: Vec, isAnd: boolean): Vec {
  const n = next.length;
  const d = new Uint8Array(next.data as Uint8Array);
  const valid = next.valid === null ? null : new Uint8Array(next.valid);
  const ad = acc.data as Uint8Array;
  const av = acc.valid;
  for (let i = 0; i < n; i++) {
    if ((av === null || av[i] === 1) && ad[i] === (isAnd ? 0 : 1)) {
      d[i] = isAnd ? 1 : 0;
      if (valid !== null) valid[i] = 1;
    }
  }
  return makeVec(BOOL, 'bool', d, valid);
}

function compileCoalesce(args: readonly Part[], rt: DataType): Evaluator {
  return (c, rc) => {
    const n = c.length;
    let acc = args[0]!.f(c, rc);
    for (let k = 1; k < args.length && acc.valid !== null; k++) {
      const sel = new Uint32Array(n);
      let m = 0;
      for (let i = 0; i < n; i++) if (acc.valid[i] === 0) sel[m++] = i;
      if (m === 0) break;
      const next = onRows(args[k]!, c, rc, sel, m, rt);
      acc = mergeWhere(acc, next, rt);
    }
    return acc.type === rt ? acc : { ...acc, type: rt };
  };
}

/** Takes `a` where it is not null, `b` elsewhere. */
function mergeWhere(a: Vec, b: Vec, rt: DataType): Vec {
  return pick(rt, a.length, [a, b], (i) => (a.valid === null || a.valid[i] === 1 ? 0 : 1));
}

/** Builds a vector taking row i from `parts[which(i)]` (same-position rows). */
function pick(rt: DataType, n: number, parts: readonly Vec[], which: (i: number) => number): Vec {
  let ps = parts;
  if (rt.kind === 'decimal') {
    const s = Math.max(...parts.map((p) => p.scale));
    ps = parts.map((p) => rescaleVec(p.type.kind === 'decimal' ? p : { ...p, scale: 0, rep: p.rep === 'i32' ? 'f64' : p.rep, data: p.rep === 'i32' ? Float64Array.from(p.data as Int32Array) : p.data }, s));
    if (ps.some((p) => p.rep === 'big')) ps = ps.map((p) => toBig(p, s));
  }
  const rep = ps[0]!.rep;
  if (ps.some((p) => p.rep !== rep)) {
    const out = new Array<unknown>(n);
    for (let i = 0; i < n; i++) out[i] = valueAt(ps[which(i)]!, i);
    return vecFromValues(rt, out);
  }
  const valid = new Uint8Array(n);
  let anyNull = false;
  let data: Vec['data'];
  if (rep === 'obj' || rep === 'big') data = new Array<unknown>(n);
  else if (rep === 'i32') data = new Int32Array(n);
  else if (rep === 'f64') data = new Float64Array(n);
  else data = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const p = ps[which(i)]!;
    const ok = p.valid === null || p.valid[i] === 1;
    valid[i] = ok ? 1 : 0;
    if (!ok) anyNull = true;
    (data as unknown[])[i] = (p.data as unknown[])[i];
  }
  return { type: rt, rep, length: n, valid: anyNull ? valid : null, data, scale: ps[0]!.scale };
}

function compileCase(e: Expr & { kind: 'case' }, layout: Layout, env: FnEnv): Evaluator {
  const whens = e.whens.map((w) => ({ when: part(w.when, layout, env), then: part(w.then, layout, env) }));
  const otherwise = e.else ? part(e.else, layout, env) : undefined;
  const rt = e.type;
  return (c, rc) => {
    const n = c.length;
    const choice = new Int32Array(n).fill(whens.length);
    let remaining = new Uint32Array(n);
    for (let i = 0; i < n; i++) remaining[i] = i;
    let rn = n;
    const parts: Vec[] = [];
    for (let k = 0; k < whens.length && rn > 0; k++) {
      const cond = onRows(whens[k]!.when, c, rc, remaining, rn, BOOL);
      const hit = selectTrue(cond);
      const hitSel = new Uint32Array(hit.n);
      const next = new Uint32Array(rn);
      let nn = 0;
      let hn = 0;
      const cd = cond.data as Uint8Array;
      for (let j = 0; j < rn; j++) {
        const i = remaining[j]!;
        if (cd[i] === 1 && (cond.valid === null || cond.valid[i] === 1)) {
          hitSel[hn++] = i;
          choice[i] = k;
        } else next[nn++] = i;
      }
      parts[k] = hn > 0 ? onRows(whens[k]!.then, c, rc, hitSel, hn, rt) : nullVec(rt, n);
      remaining = next;
      rn = nn;
    }
    for (let k = parts.length; k < whens.length; k++) parts[k] = nullVec(rt, n);
    parts[whens.length] = otherwise && rn > 0 ? onRows(otherwise, c, rc, remaining, rn, rt) : nullVec(rt, n);
    return pick(rt, n, parts.map((p) => castTo(p, rt)), (i) => choice[i]!);
  };
}

/** Makes a branch result carry the CASE type (types agree after binding; decimals may differ in scale). */
const castTo = (v: Vec, rt: DataType): Vec => (v.type === rt ? v : { ...v, type: rt });

// ─── casts ─────────────────────────────────────────────────────────────────

const INT_RANGE: Record<string, readonly [number, number]> = { int16: [-32768, 32767], int32: [-2147483648, 2147483647], int64: [-9223372036854775808, 9223372036854775807] };

function compileCast(inner: Evaluator, from: DataType, to: DataType, implicit: boolean): Evaluator {
  const fk = from.kind;
  const tk = to.kind;
  if (fk === tk && tk !== 'decimal' && tk !== 'utf8' && tk !== 'list') return (c, rc) => retag(inner(c, rc), to);
  const intFrom = fk === 'int16' || fk === 'int32' || fk === 'int64';
  const intTo = tk === 'int16' || tk === 'int32' || tk === 'int64';
  if (intFrom && intTo) {
    return (c, rc) => {
      const v = inner(c, rc);
      if (v.rep === 'big') return genericCast(v, from, to, implicit);
      const [lo, hi] = INT_RANGE[tk]!;
      const s = v.data as Float64Array | Int32Array;
      for (let i = 0; i < v.length; i++) if ((s[i]! < lo || s[i]! > hi) && (v.valid === null || v.valid[i] === 1)) fail('numeric_value_out_of_range', outOfRange(to));
      if (tk === 'int64') return makeVec(to, 'f64', v.rep === 'f64' ? s : Float64Array.from(s), v.valid);
      return makeVec(to, 'i32', v.rep === 'i32' ? s : Int32Array.from(s), v.valid);
    };
  }
  if ((intFrom || fk === 'float32' || fk === 'float64') && (tk === 'float64' || tk === 'float32')) {
    return (c, rc) => {
      const v = inner(c, rc);
      if (v.rep === 'big') return genericCast(v, from, to, implicit);
      const d = Float64Array.from(v.data as Float64Array | Int32Array);
      if (tk === 'float32') for (let i = 0; i < d.length; i++) d[i] = Math.fround(d[i]!);
      return makeVec(to, 'f64', d, v.valid);
    };
  }
  if ((fk === 'float32' || fk === 'float64') && intTo) {
    return (c, rc) => {
      const v = inner(c, rc);
      const s = v.data as Float64Array;
      const [lo, hi] = INT_RANGE[tk]!;
      const out = tk === 'int64' ? new Float64Array(v.length) : new Int32Array(v.length);
      for (let i = 0; i < v.length; i++) {
        if (v.valid !== null && v.valid[i] === 0) continue;
        const r = rint(s[i]!);
        if (!(r >= lo && r <= hi) || (tk === 'int64' && Math.abs(r) > MAX_EXACT)) return genericCast(v, from, to, implicit);
        out[i] = r;
      }
      return makeVec(to, tk === 'int64' ? 'f64' : 'i32', out, v.valid);
    };
  }
  if (fk === 'decimal' && (tk === 'float64' || tk === 'float32')) {
    return (c, rc) => {
      const v = inner(c, rc);
      const d = decimalToFloat(v);
      if (tk === 'float32') for (let i = 0; i < d.length; i++) d[i] = Math.fround(d[i]!);
      return makeVec(to, 'f64', d, v.valid);
    };
  }
  if ((intFrom || fk === 'decimal') && tk === 'decimal') {
    const target = to.scale;
    const precision = to.precision;
    return (c, rc) => {
      const v = inner(c, rc);
      let dv: Vec = v.type.kind === 'decimal' ? v : v.rep === 'i32' ? { ...v, rep: 'f64', data: Float64Array.from(v.data as Int32Array), scale: 0 } : { ...v, scale: 0 };
      dv = { ...dv, type: to };
      if (target === undefined) return dv;
      if (dv.scale > target) return genericCast(v, from, to, implicit);
      const r = rescaleVec(dv, target);
      if (precision !== undefined) checkPrecision(r, to);
      return r;
    };
  }
  if (fk === 'date' && tk === 'timestamp') {
    return (c, rc) => {
      const v = inner(c, rc);
      const s = v.data as Int32Array;
      const out = new Float64Array(v.length);
      for (let i = 0; i < v.length; i++) out[i] = s[i]! * US_PER_DAY;
      return makeVec(to, 'f64', out, v.valid);
    };
  }
  if (fk === 'timestamp' && tk === 'date') {
    return (c, rc) => {
      const v = inner(c, rc);
      const s = v.data as Float64Array;
      const out = new Int32Array(v.length);
      for (let i = 0; i < v.length; i++) out[i] = Math.floor(s[i]! / US_PER_DAY);
      return makeVec(to, 'i32', out, v.valid);
    };
  }
  return (c, rc) => genericCast(inner(c, rc), from, to, implicit);
}

function checkPrecision(v: Vec, to: DataType): void {
  if (to.kind !== 'decimal' || to.precision === undefined) return;
  const lim = pow10(to.precision);
  if (v.rep === 'f64') {
    const d = v.data as Float64Array;
    for (let i = 0; i < d.length; i++) {
      if ((d[i]! >= lim || d[i]! <= -lim) && (v.valid === null || v.valid[i] === 1)) applyNumericTypmod(BigInt(d[i]!), v.scale, to);
    }
  } else if (v.rep === 'big') {
    const d = v.data as bigint[];
    for (let i = 0; i < d.length; i++) if (v.valid === null || v.valid[i] === 1) applyNumericTypmod(rescaleBig(d[i]!, v.scale, v.scale), v.scale, to);
  }
}

const retag = (v: Vec, t: DataType): Vec => (v.type === t ? v : { ...v, type: t });

function genericCast(v: Vec, from: DataType, to: DataType, implicit: boolean): Vec {
  const out = new Array<unknown>(v.length);
  for (let i = 0; i < v.length; i++) out[i] = castValue(valueAt(v, i), from, to, implicit);
  return vecFromValues(to, out);
}

// ─── subqueries ────────────────────────────────────────────────────────────

function compileSubquery(e: Subquery, layout: Layout, env: FnEnv): Evaluator {
  const operand = e.operand ? compileExpr(e.operand, layout, env) : undefined;
  const corr = e.correlated;
  const corrIdx = corr.map((id) => layout.get(id));
  const opType = e.operand?.type;
  return (c, rc) => {
    const n = c.length;
    const opVec = operand?.(c, rc);
    let cache = rc.subqueryCache.get(e.id);
    if (!cache) {
      cache = new Map();
      rc.subqueryCache.set(e.id, cache);
    }
    const resultFor = (row: number): SubResult => {
      let key = '';
      const binding = new Map(rc.outer);
      for (let j = 0; j < corr.length; j++) {
        const idx = corrIdx[j];
        const id = corr[j]!;
        const val = idx === undefined ? (rc.outer.get(id) ?? null) : valueAt(c.columns[idx]!, row);
        binding.set(id, val);
        key += (val === null ? 'N' : typeof val === 'object' ? JSON.stringify(val, (_k, x: unknown) => (typeof x === 'bigint' ? String(x) : x)) : String(val)) + '\u0001';
      }
      const hit = cache.get(key) as SubResult | undefined;
      if (hit) return hit;
      const maxRows = e.mode === 'exists' ? 1 : e.mode === 'scalar' ? 2 : undefined;
      const r = summarize(e, rc.runSubplan(e.id, binding, maxRows), opType);
      cache.set(key, r);
      return r;
    };
    const out = new Array<unknown>(n);
    const shared = corr.length === 0 ? resultFor(0) : undefined;
    for (let i = 0; i < n; i++) {
      const r = shared ?? resultFor(i);
      out[i] = r.apply(opVec ? valueAt(opVec, i) : null);
    }
    return vecFromValues(e.type, out);
  };
}

interface SubResult {
  apply(operand: unknown): unknown;
}

function summarize(e: Subquery, rows: Chunk, opType: DataType | undefined): SubResult {
  const col = rows.columns[0];
  switch (e.mode) {
    case 'exists': {
      const v = rows.length > 0;
      return { apply: () => v };
    }
    case 'scalar': {
      if (rows.length > 1) fail('cardinality_violation', 'more than one row returned by a subquery used as an expression');
      const v = rows.length === 0 || !col ? null : valueAt(col, 0);
      return { apply: () => v };
    }
    case 'array': {
      const vals: unknown[] = [];
      for (let i = 0; i < rows.length; i++) vals.push(valueAt(col!, i));
      return { apply: () => vals };
    }
    default: {
      const vals: unknown[] = [];
      for (let i = 0; i < rows.length; i++) vals.push(valueAt(col!, i));
      const op = e.mode === 'in' ? '=' : (e.op ?? '=');
      const all = e.mode === 'all';
      const t = opType ?? col?.type ?? { kind: 'null' };
      const elemType = col?.type ?? t;
      if (op === '=' && !all && vals.length > 8 && sameKeySpace(t, elemType)) {
        const set = new Set<string | number>();
        let hasNull = false;
        for (const v of vals) {
          if (v === null) hasNull = true;
          else set.add(valueKey(v, elemType));
        }
        return {
          apply: (x) => {
            if (vals.length === 0) return false;
            if (x === null) return null;
            if (set.has(valueKey(x, t))) return true;
            return hasNull ? null : false;
          },
        };
      }
      return { apply: (x) => quantified(op, all, x, vals, t, elemType) };
    }
  }
}

const sameKeySpace = (a: DataType, b: DataType): boolean => a.kind === b.kind || (a.kind === 'utf8' && b.kind === 'unknown');

/** ANY/ALL with SQL null semantics: a definite answer wins; otherwise NULL if any comparison was NULL. */
function quantified(op: string, all: boolean, x: unknown, vals: readonly unknown[], t: DataType, elemType: DataType): unknown {
  if (vals.length === 0) return all;
  let sawNull = false;
  for (const v of vals) {
    if (x === null || v === null) {
      sawNull = true;
      continue;
    }
    const c = compareValues(x, elemType.kind === t.kind ? v : castValue(v, elemType, t), t);
    let r: boolean;
    switch (op) {
      case '=': r = c === 0; break;
      case '<>': r = c !== 0; break;
      case '<': r = c < 0; break;
      case '<=': r = c <= 0; break;
      case '>': r = c > 0; break;
      default: r = c >= 0;
    }
    if (all && !r) return false;
    if (!all && r) return true;
  }
  return sawNull ? null : all;
}

/** Evaluates a constant expression (LIMIT/OFFSET counts, series bounds) to one IR value. */
export function evalScalar(e: Expr, rc: RunCtx, env: FnEnv): unknown {
  const f = compileExpr(e, new Map(), env);
  const one: Chunk = { columns: [], length: 1 };
  return valueAt(f(one, rc), 0);
}

