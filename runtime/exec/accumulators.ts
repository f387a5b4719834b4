// Aggregate state: row-level accumulators for every aggregate (used by windows and the generic
// path) and vectorized per-group accumulators for count/sum/avg/min/max over numeric columns.

import type { DataType } from '../../compiler/ir/types.ts';
import { toJsonValue } from './cast.ts';
import { compareValues } from './compare.ts';
import { decimalFromFloat, divBig, divScale, formatScaled, parseDecimal, pow10, rescaleBig } from './decimal.ts';
import { fail } from './errors.ts';
import { giveBack, scratchFloat64, scratchUint8 } from './scratch.ts';
import type { Interval } from '../../compiler/ir/types.ts';
import { textOf } from './text.ts';
import { type Vec, makeVec, toBig, valueAt } from './vector.ts';

/** Row-at-a-time aggregate state. `args` holds IR values (already FILTERed). */
export interface RowAcc {
  add(args: readonly unknown[]): void;
  result(): unknown;
}

export type RowAccFactory = () => RowAcc;

const I64_MIN = -(2n ** 63n);
const I64_MAX = 2n ** 63n - 1n;

/** Exact sum of IR numbers/bigints/decimal strings as a scaled bigint. */
class ExactSum {
  value = 0n;
  scale = 0;
  count = 0;
  add(v: unknown, t: DataType): void {
    this.count++;
    if (t.kind === 'decimal') {
      const p = parseDecimal(String(v))!;
      if (p.scale > this.scale) {
        this.value = rescaleBig(this.value, this.scale, p.scale);
        this.scale = p.scale;
      }
      this.value += rescaleBig(p.value, p.scale, this.scale);
    } else this.value += rescaleBig(BigInt(v as number | bigint), 0, this.scale);
  }
}

/** sum(): the registry's result type decides int64 / numeric / float / interval. */
export function sumResult(value: bigint, scale: number, rt: DataType): unknown {
  if (rt.kind === 'int64') {
    if (value < I64_MIN || value > I64_MAX) fail('numeric_value_out_of_range', 'bigint out of range');
    return value;
  }
  return formatScaled(value, scale);
}

/** avg() of exact inputs: numeric division with PostgreSQL's result scale. */
export function avgResult(value: bigint, scale: number, count: number): string {
  const c = BigInt(count);
  const rs = divScale(value, scale, c, 0);
  return formatScaled(divBig(value, scale, c, 0, rs), rs);
}

const isExact = (t: DataType): boolean => t.kind === 'int16' || t.kind === 'int32' || t.kind === 'int64' || t.kind === 'decimal';

function floatOut(x: number, rt: DataType): unknown {
  if (rt.kind === 'decimal') {
    const p = decimalFromFloat(x);
    return formatScaled(p.value, p.scale);
  }
  return x;
}

/** A row accumulator factory for aggregate `fn` over arguments of `argTypes` with result type `rt`. */
export function rowAccumulator(fn: string, argTypes: readonly DataType[], rt: DataType): RowAccFactory {
  const t0 = argTypes[0] ?? { kind: 'null' };
  switch (fn) {
    case 'count':
      return () => {
        let n = 0;
        return {
          add: (a) => {
            if (a.every((x) => x !== null)) n++;
          },
          result: () => BigInt(n),
        };
      };
    case 'sum':
    case 'avg':
      if (t0.kind === 'interval') {
        return () => {
          let m = 0;
          let d = 0;
          let us = 0;
          let n = 0;
          return {
            add: (a) => {
              const iv = a[0] as Interval | null;
              if (iv === null) return;
              m += iv.months;
              d += iv.days;
              us += iv.micros;
              n++;
            },
            result: () => (n === 0 ? null : fn === 'sum' ? { months: m, days: d, micros: us } : { months: Math.trunc(m / n), days: Math.trunc(d / n), micros: Math.round(us / n) }),
          };
        };
      }
      if (isExact(t0)) {
        return () => {
          const s = new ExactSum();
          return {
            add: (a) => {
              if (a[0] !== null) s.add(a[0], t0);
            },
            result: () => (s.count === 0 ? null : fn === 'sum' ? sumResult(s.value, s.scale, rt) : avgResult(s.value, s.scale, s.count)),
          };
        };
      }
      return () => {
        let sum = 0;
        let n = 0;
        return {
          add: (a) => {
            if (a[0] === null) return;
            sum += Number(a[0]);
            n++;
          },
          result: () => (n === 0 ? null : floatOut(fn === 'sum' ? sum : sum / n, rt)),
        };
      };
    case 'min':
    case 'max': {
      const dir = fn === 'min' ? -1 : 1;
      return () => {
        let best: unknown = null;
        return {
          add: (a) => {
            const x = a[0];
            if (x !== null && (best === null || compareValues(x, best, t0) * dir > 0)) best = x;
          },
          result: () => best,
        };
      };
    }
    case 'any_value':
      return () => {
        let v: unknown = null;
        return {
          add: (a) => {
            if (v === null) v = a[0] ?? null;
          },
          result: () => v,
        };
      };
    case 'bool_and':
    case 'every':
    case 'bool_or': {
      const isAnd = fn !== 'bool_or';
      return () => {
        let r: boolean | null = null;
        return {
          add: (a) => {
            if (a[0] === null) return;
            r = r === null ? (a[0] as boolean) : isAnd ? r && (a[0] as boolean) : r || (a[0] as boolean);
          },
          result: () => r,
        };
      };
    }
    case 'string_agg':
      return () => {
        let s: string | null = null;
        return {
          add: (a) => {
            if (a[0] === null) return;
            const v = textOf(a[0], t0)!;
            s = s === null ? v : s + (a[1] === null ? '' : String(a[1])) + v;
          },
          result: () => s,
        };
      };
    case 'array_agg':
      return () => {
        const out: unknown[] = [];
        return { add: (a) => void out.push(a[0]), result: () => (out.length === 0 ? null : out) };
      };
    case 'json_agg':
    case 'jsonb_agg':
      return () => {
        const out: unknown[] = [];
        return { add: (a) => void out.push(toJsonValue(a[0], t0)), result: () => (out.length === 0 ? null : out) };
      };
    case 'json_object_agg':
    case 'jsonb_object_agg':
      return () => {
        let o: Record<string, unknown> | null = null;
        return {
          add: (a) => {
            if (a[0] === null) fail('invalid_parameter_value', 'field name must not be null');
            o ??= {};
            o[textOf(a[0], t0)!] = toJsonValue(a[1], argTypes[1]!);
          },
          result: () => o,
        };
      };
    case 'stddev':
    case 'stddev_samp':
    case 'stddev_pop':
    case 'variance':
    case 'var_samp':
    case 'var_pop': {
      const pop = fn.endsWith('_pop');
      const root = fn.startsWith('stddev');
      return () => {
        let n = 0;
        let mean = 0;
        let m2 = 0;
        return {
          add: (a) => {
            if (a[0] === null) return;
            const x = Number(a[0]);
            n++;
            const d = x - mean;
            mean += d / n;
            m2 += d * (x - mean);
          },
          result: () => {
            if (n === 0 || (!pop && n === 1)) return null;
            const v = m2 / (pop ? n : n - 1);
            return floatOut(root ? Math.sqrt(v) : v, rt);
          },
        };
      };
    }
    default:
      return fail('undefined_function', `${fn}(${argTypes.map((t) => t.kind).join(', ')})`);
  }
}

// ─── vectorized per-group accumulators ──────────────────────────────────────

/** Per-group state updated a whole batch at a time; `ids[i] < 0` skips row i. */
export interface GroupAcc {
  update(ids: Int32Array, args: readonly Vec[], groups: number): void;
  result(g: number): unknown;
  /** The results of groups [from, to) as a vector, when it can be built without IR values. */
  vector?(from: number, to: number): Vec | undefined;
  /** Hands the per-group arrays back (no result is asked for afterwards). */
  release(): void;
}

/**
 * `a` with room for `n` groups, new entries zero. Per-group arrays never leave their accumulator
 * (results are copies), so they live in scratch arrays (see scratch.ts) and the outgrown one goes
 * back at once.
 */
function grow(a: Float64Array<ArrayBuffer>, n: number): Float64Array<ArrayBuffer> {
  if (a.length >= n) return a;
  const b = scratchFloat64(Math.max(n, a.length * 2, 16));
  b.set(a);
  b.fill(0, a.length);
  giveBack(a);
  return b;
}

function growU8(a: Uint8Array<ArrayBuffer>, n: number): Uint8Array<ArrayBuffer> {
  if (a.length >= n) return a;
  const b = scratchUint8(Math.max(n, a.length * 2, 16));
  b.set(a);
  b.fill(0, a.length);
  giveBack(a);
  return b;
}

class CountAcc implements GroupAcc {
  private c = new Float64Array(16);
  constructor(private readonly star: boolean) {}
  update(ids: Int32Array, args: readonly Vec[], groups: number): void {
    this.c = grow(this.c, groups);
    const c = this.c;
    const valid = this.star ? null : args[0]!.valid;
    if (valid === null) {
      for (let i = 0; i < ids.length; i++) {
        const g = ids[i]!;
        if (g >= 0) c[g]!++;
      }
    } else
      for (let i = 0; i < ids.length; i++) {
        const g = ids[i]!;
        if (g >= 0 && valid[i] === 1) c[g]!++;
      }
  }
  result(g: number): unknown {
    return BigInt(this.c[g] ?? 0);
  }
  release(): void {
    giveBack(this.c);
  }
}

const CARRY_AT = 2 ** 52;

/**
 * Exact sum of integers or scaled decimals: a float64 partial per group that stays below 2^52
 * (so every addition of an exact input is exact), spilled into a bigint carry when it grows.
 */
class ExactSumAcc implements GroupAcc {
  private s = new Float64Array(16);
  private n = new Float64Array(16);
  private carry: bigint[] = [];
  private scale = -1;
  constructor(
    private readonly avg: boolean,
    private readonly rt: DataType,
  ) {}
  private rescaleTo(scale: number): void {
    if (this.scale >= 0) {
      const m = pow10(scale - this.scale);
      const bm = BigInt(m);
      for (let g = 0; g < this.s.length; g++) {
        const c = this.carry[g];
        const x = this.s[g]! * m;
        if (Math.abs(x) >= CARRY_AT) {
          this.carry[g] = (c ?? 0n) * bm + BigInt(this.s[g]!) * bm;
          this.s[g] = 0;
        } else {
          this.s[g] = x;
          if (c !== undefined) this.carry[g] = c * bm;
        }
      }
    }
    this.scale = scale;
  }
  update(ids: Int32Array, args: readonly Vec[], groups: number): void {
    const v = args[0]!;
    this.s = grow(this.s, groups);
    this.n = grow(this.n, groups);
    if (this.scale < v.scale) this.rescaleTo(v.scale);
    const valid = v.valid;
    const s = this.s;
    const n = this.n;
    if (v.rep === 'big' || v.scale !== this.scale) {
      const b = toBig(v, this.scale).data as bigint[];
      for (let i = 0; i < ids.length; i++) {
        const g = ids[i]!;
        if (g < 0 || (valid !== null && valid[i] === 0)) continue;
        this.carry[g] = (this.carry[g] ?? 0n) + b[i]!;
        n[g]!++;
      }
      return;
    }
    const d = v.data as Float64Array | Int32Array;
    for (let i = 0; i < ids.length; i++) {
      const g = ids[i]!;
      if (g < 0 || (valid !== null && valid[i] === 0)) continue;
      const y = d[i]!;
      n[g]!++;
      if (y >= CARRY_AT || y <= -CARRY_AT) {
        this.carry[g] = (this.carry[g] ?? 0n) + BigInt(y);
        continue;
      }
      const x = s[g]! + y;
      if (x >= CARRY_AT || x <= -CARRY_AT) {
        this.carry[g] = (this.carry[g] ?? 0n) + BigInt(x);
        s[g] = 0;
      } else s[g] = x;
    }
  }
  vector(from: number, to: number): Vec | undefined {
    // A decimal sum whose partials never spilled is its scaled total already.
    const rt = this.rt;
    if (this.avg || rt.kind !== 'decimal' || this.scale < 0 || (rt.scale !== undefined && rt.scale !== this.scale)) return undefined;
    const n = to - from;
    const data = new Float64Array(n);
    let valid: Uint8Array | null = null;
    for (let g = from; g < to; g++) {
      if (this.carry[g] !== undefined) return undefined;
      if ((this.n[g] ?? 0) === 0) {
        valid ??= new Uint8Array(n).fill(1);
        valid[g - from] = 0;
      } else data[g - from] = this.s[g]!;
    }
    return makeVec(rt, 'f64', data, valid, this.scale);
  }
  result(g: number): unknown {
    const count = this.n[g] ?? 0;
    if (count === 0) return null;
    const total = (this.carry[g] ?? 0n) + BigInt(this.s[g]!);
    const scale = Math.max(this.scale, 0);
    return this.avg ? avgResult(total, scale, count) : sumResult(total, scale, this.rt);
  }
  release(): void {
    giveBack(this.s);
    giveBack(this.n);
  }
}

class FloatSumAcc implements GroupAcc {
  private s = new Float64Array(16);
  private n = new Float64Array(16);
  constructor(
    private readonly avg: boolean,
    private readonly rt: DataType,
  ) {}
  update(ids: Int32Array, args: readonly Vec[], groups: number): void {
    const v = args[0]!;
    this.s = grow(this.s, groups);
    this.n = grow(this.n, groups);
    const d = v.data as Float64Array;
    const valid = v.valid;
    for (let i = 0; i < ids.length; i++) {
      const g = ids[i]!;
      if (g < 0 || (valid !== null && valid[i] === 0)) continue;
      this.s[g]! += d[i]!;
      this.n[g]!++;
    }
  }
  result(g: number): unknown {
    const n = this.n[g] ?? 0;
    if (n === 0) return null;
    const x = this.avg ? this.s[g]! / n : this.s[g]!;
    return this.rt.kind === 'float32' ? Math.fround(x) : x;
  }
  release(): void {
    giveBack(this.s);
    giveBack(this.n);
  }
}

class MinMaxAcc implements GroupAcc {
  private best = new Float64Array(16);
  private has = new Uint8Array(16);
  constructor(
    private readonly max: boolean,
    private readonly t: DataType,
  ) {}
  update(ids: Int32Array, args: readonly Vec[], groups: number): void {
    const v = args[0]!;
    this.best = grow(this.best, groups);
    this.has = growU8(this.has, groups);
    const d = v.data as Float64Array | Int32Array;
    const valid = v.valid;
    const best = this.best;
    const has = this.has;
    const max = this.max;
    for (let i = 0; i < ids.length; i++) {
      const g = ids[i]!;
      if (g < 0 || (valid !== null && valid[i] === 0)) continue;
      const x = d[i]!;
      if (has[g] === 0 || (max ? x > best[g]! : x < best[g]!) || (x !== x && max)) {
        best[g] = x;
        has[g] = 1;
      }
    }
  }
  result(g: number): unknown {
    if (this.has[g] !== 1) return null;
    const x = this.best[g]!;
    switch (this.t.kind) {
      case 'bool':
        return x === 1;
      default:
        return x;
    }
  }
  release(): void {
    giveBack(this.best);
    giveBack(this.has);
  }
}

/**
 * The first non-NULL value per group (any_value): one read per group, not per row, once it is set.
 * While the input arrives as numbers of one representation and scale (keys, dates, decimals),
 * they stay numbers and the result is a vector: no IR value (a decimal's text) per group.
 */
class AnyValueAcc implements GroupAcc {
  private values: unknown[] = [];
  private has = new Uint8Array(16);
  private nums: Float64Array<ArrayBuffer> | null = new Float64Array(16);
  /** The numeric input's shape, fixed by the first batch; undefined before it. */
  private shape: { readonly type: DataType; readonly rep: 'i32' | 'f64'; readonly scale: number } | undefined;
  update(ids: Int32Array, args: readonly Vec[], groups: number): void {
    const v = args[0]!;
    this.has = growU8(this.has, groups);
    const has = this.has;
    const valid = v.valid;
    if (this.nums !== null) {
      if (this.shape === undefined && (v.rep === 'i32' || v.rep === 'f64')) this.shape = { type: v.type, rep: v.rep, scale: v.scale };
      if (this.shape === undefined || v.rep !== this.shape.rep || v.scale !== this.shape.scale) this.toValues();
    }
    if (this.nums !== null) {
      const nums = (this.nums = grow(this.nums, groups));
      const d = v.data as Float64Array | Int32Array;
      for (let i = 0; i < ids.length; i++) {
        const g = ids[i]!;
        if (g < 0 || has[g] === 1 || (valid !== null && valid[i] === 0)) continue;
        has[g] = 1;
        nums[g] = d[i]!;
      }
      return;
    }
    for (let i = 0; i < ids.length; i++) {
      const g = ids[i]!;
      if (g < 0 || has[g] === 1 || (valid !== null && valid[i] === 0)) continue;
      has[g] = 1;
      this.values[g] = valueAt(v, i);
    }
  }
  /** Leaves the numeric mode: the values so far become IR values. */
  private toValues(): void {
    const nums = this.nums!;
    this.nums = null;
    if (this.shape === undefined) return;
    const all = this.numbers(0, nums.length, nums);
    for (let g = 0; g < nums.length; g++) if (this.has[g] === 1) this.values[g] = valueAt(all, g);
  }
  private numbers(from: number, to: number, nums: Float64Array): Vec {
    const { type, rep, scale } = this.shape!;
    const data = rep === 'i32' ? Int32Array.from(nums.subarray(from, to)) : nums.slice(from, to);
    let valid: Uint8Array | null = null;
    for (let g = from; g < to; g++) {
      if (this.has[g] === 1) continue;
      valid ??= new Uint8Array(to - from).fill(1);
      valid[g - from] = 0;
    }
    return makeVec(type, rep, data, valid, scale);
  }
  vector(from: number, to: number): Vec | undefined {
    if (this.nums === null || this.shape === undefined) return undefined;
    this.has = growU8(this.has, to);
    this.nums = grow(this.nums, to);
    return this.numbers(from, to, this.nums);
  }
  result(g: number): unknown {
    if (this.has[g] !== 1) return null;
    if (this.nums === null) return this.values[g];
    return valueAt(this.numbers(g, g + 1, this.nums), 0);
  }
  release(): void {
    giveBack(this.has);
    giveBack(this.nums);
  }
}

/** A vectorized accumulator when one applies to this aggregate and input representation, else undefined. */
export function groupAccumulator(fn: string, argTypes: readonly DataType[], rt: DataType): GroupAcc | undefined {
  if (fn === 'any_value') return new AnyValueAcc();
  const t = argTypes[0];
  if (fn === 'count') return argTypes.length <= 1 ? new CountAcc(argTypes.length === 0) : undefined;
  if (!t) return undefined;
  const k = t.kind;
  if (fn === 'sum' || fn === 'avg') {
    if (k === 'int16' || k === 'int32' || k === 'int64' || k === 'decimal') return new ExactSumAcc(fn === 'avg', rt);
    if (k === 'float32' || k === 'float64') return new FloatSumAcc(fn === 'avg', rt);
    return undefined;
  }
  if ((fn === 'min' || fn === 'max') && (k === 'int16' || k === 'int32' || k === 'float32' || k === 'float64' || k === 'date' || k === 'timestamp')) {
    return new MinMaxAcc(fn === 'max', t);
  }
  return undefined;
}
