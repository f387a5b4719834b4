// Vectorized kernels over typed arrays: arithmetic with PostgreSQL's overflow and division errors,
// comparisons, three-valued boolean logic. Each loop runs once per batch with no per-row allocation.

import type { DataType, Interval } from '../../compiler/ir/types.ts';
import { compareValues } from './compare.ts';
import { MAX_EXACT, divBig, divScale } from './decimal.ts';
import { fail } from './errors.ts';
import { outOfRange } from './text.ts';
import { type Vec, makeVec, rescaleVec, toBig, valueAt } from './vector.ts';
import { compareIntervals } from './datetime.ts';

/** Rows valid in both inputs (null = all valid). */
export function andValid(a: Uint8Array | null, b: Uint8Array | null, n: number): Uint8Array | null {
  if (a === null) return b;
  if (b === null) return a;
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = a[i]! & b[i]!;
  return out;
}

/** The values of an integer/float/decimal vector as a Float64Array (i32 widened; f64 as is). */
function asF64(v: Vec): Float64Array {
  if (v.rep === 'f64') return v.data as Float64Array;
  if (v.rep === 'i32') return Float64Array.from(v.data as Int32Array);
  if (v.rep === 'bool') return Float64Array.from(v.data as Uint8Array);
  return fail('internal_error', `asF64 on ${v.rep}`);
}

const isNumRep = (v: Vec): boolean => v.rep === 'i32' || v.rep === 'f64';

/** A decimal view (scaled integers) of an integer or decimal vector. */
function asDecimal(v: Vec): Vec {
  if (v.type.kind === 'decimal') return v;
  if (v.rep === 'big') return { ...v, scale: 0 };
  if (v.type.kind === 'float32' || v.type.kind === 'float64') return fail('internal_error', 'float operand in decimal arithmetic');
  return { ...v, rep: 'f64', data: asF64(v), scale: 0 };
}

const INT32: readonly [number, number] = [-2147483648, 2147483647];
const INT16: readonly [number, number] = [-32768, 32767];
const I64_MIN = -(2n ** 63n);
const I64_MAX = 2n ** 63n - 1n;

function intArith(op: string, a: Vec, b: Vec, rt: DataType, valid: Uint8Array | null): Vec {
  const n = a.length;
  const [lo, hi] = rt.kind === 'int16' ? INT16 : INT32;
  const x = a.rep === 'i32' ? (a.data as Int32Array) : asF64(a);
  const y = b.rep === 'i32' ? (b.data as Int32Array) : asF64(b);
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    if (valid !== null && valid[i] === 0) continue;
    const p = x[i]!;
    const q = y[i]!;
    let r: number;
    switch (op) {
      case '+': r = p + q; break;
      case '-': r = p - q; break;
      case '*': r = p * q; break;
      case '/':
        if (q === 0) fail('division_by_zero');
        r = Math.trunc(p / q);
        break;
      default:
        if (q === 0) fail('division_by_zero');
        r = p % q;
    }
    if (r < lo || r > hi) fail('numeric_value_out_of_range', outOfRange(rt));
    out[i] = r;
  }
  return makeVec(rt, 'i32', out, valid);
}

function bigArith(op: string, a: Vec, b: Vec, rt: DataType, valid: Uint8Array | null, scale: number): Vec {
  const n = a.length;
  const x = toBig(a).data as bigint[];
  const y = toBig(b).data as bigint[];
  const out = new Array<bigint>(n);
  const isInt = rt.kind === 'int64';
  for (let i = 0; i < n; i++) {
    if (valid !== null && valid[i] === 0) {
      out[i] = 0n;
      continue;
    }
    const p = x[i]!;
    const q = y[i]!;
    let r: bigint;
    switch (op) {
      case '+': r = p + q; break;
      case '-': r = p - q; break;
      case '*': r = p * q; break;
      case '/':
        if (q === 0n) fail('division_by_zero');
        r = p / q;
        break;
      default:
        if (q === 0n) fail('division_by_zero');
        r = p % q;
    }
    if (isInt && (r < I64_MIN || r > I64_MAX)) fail('numeric_value_out_of_range', 'bigint out of range');
    out[i] = r;
  }
  return makeVec(rt, 'big', out, valid, scale);
}

/** f64 loop for exact integer arithmetic (int64 or scaled decimals); undefined when a result leaves the exact range. */
function exactArith(op: string, x: Float64Array, y: Float64Array, n: number, valid: Uint8Array | null): Float64Array | undefined {
  const out = new Float64Array(n);
  let inexact = false;
  switch (op) {
    case '+':
      for (let i = 0; i < n; i++) out[i] = x[i]! + y[i]!;
      break;
    case '-':
      for (let i = 0; i < n; i++) out[i] = x[i]! - y[i]!;
      break;
    case '*':
      for (let i = 0; i < n; i++) out[i] = x[i]! * y[i]!;
      break;
    case '/':
      for (let i = 0; i < n; i++) {
        const q = y[i]!;
        if (q === 0) {
          if (valid === null || valid[i] === 1) fail('division_by_zero');
          continue;
        }
        out[i] = Math.trunc(x[i]! / q);
      }
      break;
    default:
      for (let i = 0; i < n; i++) {
        const q = y[i]!;
        if (q === 0) {
          if (valid === null || valid[i] === 1) fail('division_by_zero');
          continue;
        }
        out[i] = x[i]! % q;
      }
  }
  for (let i = 0; i < n; i++) {
    const r = out[i]!;
    if (r > MAX_EXACT || r < -MAX_EXACT) {
      if (valid === null || valid[i] === 1) {
        inexact = true;
        break;
      }
      out[i] = 0;
    }
  }
  return inexact ? undefined : out;
}

function floatArith(op: string, a: Vec, b: Vec, rt: DataType, valid: Uint8Array | null): Vec {
  const n = a.length;
  const x = a.type.kind === 'decimal' ? decimalToFloat(a) : asF64(a);
  const y = b.type.kind === 'decimal' ? decimalToFloat(b) : asF64(b);
  const out = new Float64Array(n);
  switch (op) {
    case '+':
      for (let i = 0; i < n; i++) out[i] = x[i]! + y[i]!;
      break;
    case '-':
      for (let i = 0; i < n; i++) out[i] = x[i]! - y[i]!;
      break;
    case '*':
      for (let i = 0; i < n; i++) out[i] = x[i]! * y[i]!;
      break;
    case '/':
      for (let i = 0; i < n; i++) {
        if (y[i] === 0 && (valid === null || valid[i] === 1)) fail('division_by_zero');
        out[i] = x[i]! / y[i]!;
      }
      break;
    default:
      for (let i = 0; i < n; i++) out[i] = x[i]! % y[i]!;
  }
  for (let i = 0; i < n; i++) {
    const r = out[i]!;
    if ((r === Infinity || r === -Infinity) && Number.isFinite(x[i]!) && Number.isFinite(y[i]!) && (valid === null || valid[i] === 1)) {
      fail('numeric_value_out_of_range', 'value out of range: overflow');
    }
  }
  if (rt.kind === 'float32') for (let i = 0; i < n; i++) out[i] = Math.fround(out[i]!);
  return makeVec(rt, 'f64', out, valid);
}

/** Float64 values of a decimal vector (decimal → float conversion). */
export function decimalToFloat(v: Vec): Float64Array {
  const n = v.length;
  const out = new Float64Array(n);
  if (v.rep === 'f64') {
    const d = v.data as Float64Array;
    const m = 10 ** v.scale;
    for (let i = 0; i < n; i++) out[i] = d[i]! / m;
  } else if (v.rep === 'big') {
    // Number(x) / 10^s rounds twice (1017.0000000000001 for 1017 at scale 20); the decimal
    // string rounds once, to the nearest double, as PostgreSQL's numeric → float8 does.
    const d = v.data as bigint[];
    for (let i = 0; i < n; i++) out[i] = Number(`${d[i]!}e-${v.scale}`);
  } else return asF64(v);
  return out;
}

function decimalDivide(a: Vec, b: Vec, rt: DataType, valid: Uint8Array | null): Vec {
  const n = a.length;
  const x = toBig(a).data as bigint[];
  const y = toBig(b).data as bigint[];
  let rs = 0;
  for (let i = 0; i < n; i++) {
    if (valid !== null && valid[i] === 0) continue;
    if (y[i] === 0n) fail('division_by_zero');
    const s = divScale(x[i]!, a.scale, y[i]!, b.scale);
    if (s > rs) rs = s;
  }
  const out = new Array<bigint>(n);
  for (let i = 0; i < n; i++) out[i] = valid !== null && valid[i] === 0 ? 0n : divBig(x[i]!, a.scale, y[i]!, b.scale, rs);
  return narrowBig(makeVec(rt, 'big', out, valid, rs));
}

/** Moves a `big` vector back to f64 when every value is exact there. */
export function narrowBig(v: Vec): Vec {
  if (v.rep !== 'big') return v;
  const d = v.data as bigint[];
  const out = new Float64Array(v.length);
  const lim = BigInt(MAX_EXACT);
  for (let i = 0; i < d.length; i++) {
    const x = d[i]!;
    if (x > lim || x < -lim) return v;
    out[i] = Number(x);
  }
  return { ...v, rep: 'f64', data: out };
}

/** `a op b` for numeric result type `rt` (op one of + - * / %). */
export function arithVec(op: string, a: Vec, b: Vec, rt: DataType): Vec {
  const n = a.length;
  const valid = andValid(a.valid, b.valid, n);
  switch (rt.kind) {
    case 'int16':
    case 'int32':
      return intArith(op, a, b, rt, valid);
    case 'int64': {
      if (isNumRep(a) && isNumRep(b)) {
        const r = exactArith(op, asF64(a), asF64(b), n, valid);
        if (r) return makeVec(rt, 'f64', r, valid);
      }
      return narrowBig(bigArith(op, a, b, rt, valid, 0));
    }
    case 'float32':
    case 'float64':
      return floatArith(op, a, b, rt, valid);
    case 'decimal': {
      let x = asDecimal(a);
      let y = asDecimal(b);
      if (op === '/') return decimalDivide(x, y, rt, valid);
      let scale: number;
      if (op === '*') scale = x.scale + y.scale;
      else {
        scale = Math.max(x.scale, y.scale);
        x = rescaleVec(x, scale);
        y = rescaleVec(y, scale);
      }
      if (x.rep === 'f64' && y.rep === 'f64') {
        const r = exactArith(op, x.data as Float64Array, y.data as Float64Array, n, valid);
        if (r) return makeVec(rt, 'f64', r, valid, scale);
      }
      return narrowBig(bigArith(op, toBig(x), toBig(y), rt, valid, scale));
    }
    default:
      return fail('internal_error', `arithmetic on ${rt.kind}`);
  }
}

/** Unary minus on numeric vectors. */
export function negVec(a: Vec): Vec {
  const n = a.length;
  const t = a.type;
  if (a.rep === 'i32') {
    const s = a.data as Int32Array;
    const out = new Int32Array(n);
    const lo = t.kind === 'int16' ? INT16[0] : INT32[0];
    for (let i = 0; i < n; i++) {
      if (s[i] === lo && (a.valid === null || a.valid[i] === 1)) fail('numeric_value_out_of_range', outOfRange(t));
      out[i] = -s[i]!;
    }
    return makeVec(t, 'i32', out, a.valid);
  }
  if (a.rep === 'f64') {
    const s = a.data as Float64Array;
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) out[i] = -s[i]!;
    return makeVec(t, 'f64', out, a.valid, a.scale);
  }
  if (a.rep === 'big') {
    const s = a.data as bigint[];
    const out = s.map((x) => -x);
    if (t.kind === 'int64') for (let i = 0; i < n; i++) if (out[i]! > I64_MAX && (a.valid === null || a.valid[i] === 1)) fail('numeric_value_out_of_range', 'bigint out of range');
    return makeVec(t, 'big', out, a.valid, a.scale);
  }
  return fail('internal_error', `neg on ${a.rep}`);
}

// ─── comparisons ───────────────────────────────────────────────────────────

const CMP_CODES: Record<string, number> = { '=': 0, '<>': 1, '<': 2, '<=': 3, '>': 4, '>=': 5 };

function cmpLoop(code: number, x: ArrayLike<number>, y: ArrayLike<number>, out: Uint8Array, n: number): void {
  switch (code) {
    case 0: for (let i = 0; i < n; i++) out[i] = x[i] === y[i] ? 1 : 0; break;
    case 1: for (let i = 0; i < n; i++) out[i] = x[i] !== y[i] ? 1 : 0; break;
    case 2: for (let i = 0; i < n; i++) out[i] = x[i]! < y[i]! ? 1 : 0; break;
    case 3: for (let i = 0; i < n; i++) out[i] = x[i]! <= y[i]! ? 1 : 0; break;
    case 4: for (let i = 0; i < n; i++) out[i] = x[i]! > y[i]! ? 1 : 0; break;
    default: for (let i = 0; i < n; i++) out[i] = x[i]! >= y[i]! ? 1 : 0;
  }
}

const fromOrder = (code: number, c: number): number => {
  switch (code) {
    case 0: return c === 0 ? 1 : 0;
    case 1: return c !== 0 ? 1 : 0;
    case 2: return c < 0 ? 1 : 0;
    case 3: return c <= 0 ? 1 : 0;
    case 4: return c > 0 ? 1 : 0;
    default: return c >= 0 ? 1 : 0;
  }
};

const BOOL: DataType = { kind: 'bool' };

function hasNaN(v: Vec): boolean {
  if (v.rep !== 'f64' || (v.type.kind !== 'float64' && v.type.kind !== 'float32')) return false;
  const d = v.data as Float64Array;
  for (let i = 0; i < d.length; i++) if (d[i] !== d[i]) return true;
  return false;
}

/** `a op b` (op one of = <> < <= > >=) as a bool vector with SQL null propagation. */
export function compareVec(op: string, a: Vec, b: Vec): Vec {
  const code = CMP_CODES[op]!;
  const n = a.length;
  const valid = andValid(a.valid, b.valid, n);
  const out = new Uint8Array(n);
  let x = a;
  let y = b;
  if (x.type.kind === 'decimal' || y.type.kind === 'decimal') {
    if (x.type.kind !== 'decimal' || y.type.kind !== 'decimal') {
      if (x.type.kind === 'float64' || y.type.kind === 'float64' || x.type.kind === 'float32' || y.type.kind === 'float32') {
        const fx = x.type.kind === 'decimal' ? decimalToFloat(x) : asF64(x);
        const fy = y.type.kind === 'decimal' ? decimalToFloat(y) : asF64(y);
        cmpLoop(code, fx, fy, out, n);
        return makeVec(BOOL, 'bool', out, valid);
      }
      x = asDecimal(x);
      y = asDecimal(y);
    }
    const s = Math.max(x.scale, y.scale);
    x = rescaleVec(x, s);
    y = rescaleVec(y, s);
  }
  if (x.rep === 'big' || y.rep === 'big') {
    const p = toBig(x).data as bigint[];
    const q = toBig(y).data as bigint[];
    for (let i = 0; i < n; i++) out[i] = fromOrder(code, p[i]! < q[i]! ? -1 : p[i]! > q[i]! ? 1 : 0);
    return makeVec(BOOL, 'bool', out, valid);
  }
  if ((x.rep === 'i32' || x.rep === 'f64' || x.rep === 'bool') && (y.rep === 'i32' || y.rep === 'f64' || y.rep === 'bool')) {
    if (hasNaN(x) || hasNaN(y)) {
      for (let i = 0; i < n; i++) out[i] = fromOrder(code, compareValues((x.data as Float64Array)[i], (y.data as Float64Array)[i], x.type));
    } else cmpLoop(code, x.data as Float64Array, y.data as Float64Array, out, n);
    return makeVec(BOOL, 'bool', out, valid);
  }
  const p = x.data as unknown[];
  const q = y.data as unknown[];
  const k = x.type.kind;
  if (k === 'utf8' || k === 'unknown' || k === 'uuid') {
    for (let i = 0; i < n; i++) {
      const s = p[i] as string;
      const t = q[i] as string;
      out[i] = fromOrder(code, s < t ? -1 : s > t ? 1 : 0);
    }
  } else if (k === 'interval') {
    for (let i = 0; i < n; i++) if (valid === null || valid[i] === 1) out[i] = fromOrder(code, compareIntervals(p[i] as Interval, q[i] as Interval));
  } else {
    for (let i = 0; i < n; i++) if (valid === null || valid[i] === 1) out[i] = fromOrder(code, compareValues(valueAt(x, i), valueAt(y, i), x.type));
  }
  return makeVec(BOOL, 'bool', out, valid);
}

// ─── three-valued logic ────────────────────────────────────────────────────

/** SQL AND: false wins over null, null over true. */
export function andVec(a: Vec, b: Vec): Vec {
  const n = a.length;
  const x = a.data as Uint8Array;
  const y = b.data as Uint8Array;
  const out = new Uint8Array(n);
  if (a.valid === null && b.valid === null) {
    for (let i = 0; i < n; i++) out[i] = x[i]! & y[i]!;
    return makeVec(BOOL, 'bool', out, null);
  }
  const valid = new Uint8Array(n);
  const va = a.valid;
  const vb = b.valid;
  for (let i = 0; i < n; i++) {
    const av = va === null ? 1 : va[i]!;
    const bv = vb === null ? 1 : vb[i]!;
    const af = av === 1 && x[i] === 0;
    const bf = bv === 1 && y[i] === 0;
    if (af || bf) valid[i] = 1;
    else if (av === 1 && bv === 1) {
      valid[i] = 1;
      out[i] = 1;
    }
  }
  return makeVec(BOOL, 'bool', out, valid);
}

/** SQL OR: true wins over null, null over false. */
export function orVec(a: Vec, b: Vec): Vec {
  const n = a.length;
  const x = a.data as Uint8Array;
  const y = b.data as Uint8Array;
  const out = new Uint8Array(n);
  if (a.valid === null && b.valid === null) {
    for (let i = 0; i < n; i++) out[i] = x[i]! | y[i]!;
    return makeVec(BOOL, 'bool', out, null);
  }
  const valid = new Uint8Array(n);
  const va = a.valid;
  const vb = b.valid;
  for (let i = 0; i < n; i++) {
    const av = va === null ? 1 : va[i]!;
    const bv = vb === null ? 1 : vb[i]!;
    if ((av === 1 && x[i] === 1) || (bv === 1 && y[i] === 1)) {
      valid[i] = 1;
      out[i] = 1;
    } else if (av === 1 && bv === 1) valid[i] = 1;
  }
  return makeVec(BOOL, 'bool', out, valid);
}

export function notVec(a: Vec): Vec {
  const x = a.data as Uint8Array;
  const out = new Uint8Array(a.length);
  for (let i = 0; i < out.length; i++) out[i] = x[i]! ^ 1;
  return makeVec(BOOL, 'bool', out, a.valid);
}

export function isNullVec(a: Vec, negate: boolean): Vec {
  const out = new Uint8Array(a.length);
  if (a.valid === null) out.fill(negate ? 1 : 0);
  else for (let i = 0; i < out.length; i++) out[i] = negate ? a.valid[i]! : a.valid[i]! ^ 1;
  return makeVec(BOOL, 'bool', out, null);
}

/** IS [NOT] DISTINCT FROM from an equality vector and both inputs' validity. */
export function distinctVec(eq: Vec, a: Vec, b: Vec, notDistinct: boolean): Vec {
  const n = a.length;
  const out = new Uint8Array(n);
  const e = eq.data as Uint8Array;
  for (let i = 0; i < n; i++) {
    const an = a.valid !== null && a.valid[i] === 0;
    const bn = b.valid !== null && b.valid[i] === 0;
    const same = an || bn ? an && bn : e[i] === 1;
    out[i] = same === notDistinct ? 1 : 0;
  }
  return makeVec(BOOL, 'bool', out, null);
}

/** Rows where a predicate vector is true (not false, not null), as ascending indices. */
export function selectTrue(p: Vec): { sel: Uint32Array; n: number } {
  const d = p.data as Uint8Array;
  const v = p.valid;
  const sel = new Uint32Array(p.length);
  let n = 0;
  if (v === null) {
    for (let i = 0; i < d.length; i++) if (d[i] === 1) sel[n++] = i;
  } else for (let i = 0; i < d.length; i++) if (d[i] === 1 && v[i] === 1) sel[n++] = i;
  return { sel, n };
}

