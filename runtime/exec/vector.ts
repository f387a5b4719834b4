// Columnar vectors and chunks: the typed-array layout every operator and kernel works on.
//
// Representations (`rep`), chosen by type:
// - `i32`  Int32Array: int16, int32, date (days)
// - `f64`  Float64Array: float32, float64, timestamp (µs), int64 while every value is exact
//          (|v| ≤ 2^53), decimal as integers scaled by 10^scale while exact
// - `big`  bigint[]: int64 and decimal values beyond 2^53 (decimal still scaled by 10^scale)
// - `bool` Uint8Array of 0/1
// - `obj`  unknown[] holding IR values (utf8, json, interval, uuid, binary, list, struct, …)
// `valid` is a byte per row (1 = not null) or null when no row is null. Vectors are immutable
// once built: kernels always allocate their output.

import type { DataType } from '../../compiler/ir/types.ts';
import { MAX_EXACT, formatScaled, parseDecimal, parseScaledNumber, pow10, bigPow10, rescaleBig, textScale } from './decimal.ts';
import { fail } from './errors.ts';
import { giveBack, scratchFloat64, scratchInt32, scratchUint8 } from './scratch.ts';

export type Rep = 'i32' | 'f64' | 'big' | 'bool' | 'obj';
export type VecData = Int32Array | Float64Array | Uint8Array | unknown[];

export interface Vec {
  readonly type: DataType;
  readonly rep: Rep;
  readonly length: number;
  readonly valid: Uint8Array | null;
  readonly data: VecData;
  /** Decimal scale (digits after the point) of every value; 0 for other types. */
  readonly scale: number;
  /**
   * For text straight from storage with few distinct values: `values[codes[i]]` is `data[i]`
   * (codes of NULL rows are -1; `values` is append-only and shared across a scan's chunks).
   * Kernels may ignore it; `gather` keeps it; whoever computes new values drops it.
   */
  readonly dict?: { readonly codes: Int32Array; readonly values: readonly string[] };
}

/** A batch of rows as columns in the producing node's schema order. */
export interface Chunk {
  readonly columns: readonly Vec[];
  readonly length: number;
}

/** The preferred representation of a type (`big` is reached only on overflow). */
export function repOf(t: DataType): Rep {
  switch (t.kind) {
    case 'bool':
      return 'bool';
    case 'int16':
    case 'int32':
    case 'date':
      return 'i32';
    case 'int64':
    case 'float32':
    case 'float64':
    case 'timestamp':
    case 'decimal':
      return 'f64';
    default:
      return 'obj';
  }
}

export function makeVec(type: DataType, rep: Rep, data: VecData, valid: Uint8Array | null, scale = 0): Vec {
  return { type, rep, length: data.length, valid, data, scale };
}

/**
 * Whether row `i` is null in any of `vs` (a plain loop: called per row, where a closure would
 * allocate a scope each call).
 */
export function anyNullAt(vs: readonly { readonly valid: Uint8Array | null }[], i: number): boolean {
  for (let j = 0; j < vs.length; j++) {
    const v = vs[j]!.valid;
    if (v !== null && v[i] === 0) return true;
  }
  return false;
}

/** The IR value at row `i` (the conventions of `DataType`), null for SQL NULL. */
export function valueAt(v: Vec, i: number): unknown {
  if (v.valid !== null && v.valid[i] === 0) return null;
  switch (v.rep) {
    case 'i32':
      return (v.data as Int32Array)[i]!;
    case 'bool':
      return (v.data as Uint8Array)[i] === 1;
    case 'f64': {
      const x = (v.data as Float64Array)[i]!;
      if (v.type.kind === 'int64') return BigInt(x);
      if (v.type.kind === 'decimal') return formatScaled(x, v.scale);
      return x;
    }
    case 'big': {
      const x = (v.data as bigint[])[i]!;
      return v.type.kind === 'decimal' ? formatScaled(x, v.scale) : x;
    }
    case 'obj':
      return (v.data as unknown[])[i];
  }
}

/** Row values as plain JS numbers where possible (int64 as number when exact), for internal kernels. */
export function numberAt(v: Vec, i: number): number {
  switch (v.rep) {
    case 'i32':
      return (v.data as Int32Array)[i]!;
    case 'f64':
      return v.scale === 0 ? (v.data as Float64Array)[i]! : (v.data as Float64Array)[i]! / pow10(v.scale);
    case 'big':
      return Number((v.data as bigint[])[i]!) / pow10(v.scale);
    case 'bool':
      return (v.data as Uint8Array)[i]!;
    case 'obj':
      return Number((v.data as unknown[])[i]);
  }
}

/** Scaled bigint of a decimal/int row (for exact kernels). */
export function bigAt(v: Vec, i: number): bigint {
  switch (v.rep) {
    case 'big':
      return (v.data as bigint[])[i]!;
    case 'f64':
    case 'i32':
      return BigInt((v.data as Float64Array | Int32Array)[i]!);
    case 'bool':
      return BigInt((v.data as Uint8Array)[i]!);
    case 'obj': {
      const p = parseDecimal(String((v.data as unknown[])[i]));
      return p ? p.value : 0n;
    }
  }
}

function validityOf(values: readonly unknown[]): Uint8Array | null {
  let valid: Uint8Array | null = null;
  for (let i = 0; i < values.length; i++) {
    if (values[i] === null || values[i] === undefined) {
      if (valid === null) valid = new Uint8Array(values.length).fill(1);
      valid[i] = 0;
    }
  }
  return valid;
}

/** Builds a vector from IR values (null/undefined = NULL). */
export function vecFromValues(type: DataType, values: readonly unknown[]): Vec {
  const n = values.length;
  const valid = validityOf(values);
  switch (repOf(type)) {
    case 'bool': {
      const d = new Uint8Array(n);
      for (let i = 0; i < n; i++) d[i] = values[i] === true ? 1 : 0;
      return makeVec(type, 'bool', d, valid);
    }
    case 'i32': {
      const d = new Int32Array(n);
      for (let i = 0; i < n; i++) {
        const x = values[i];
        if (x !== null && x !== undefined) d[i] = Number(x);
      }
      return makeVec(type, 'i32', d, valid);
    }
    case 'f64': {
      if (type.kind === 'decimal') return decimalFromValues(type, values, valid);
      const d = new Float64Array(n);
      if (type.kind === 'int64') {
        for (let i = 0; i < n; i++) {
          const x = values[i];
          if (x === null || x === undefined) continue;
          const num = Number(x);
          if (num > MAX_EXACT || num < -MAX_EXACT) {
            const big: bigint[] = new Array<bigint>(n).fill(0n);
            for (let j = 0; j < n; j++) {
              const y = values[j];
              if (y !== null && y !== undefined) big[j] = typeof y === 'bigint' ? y : BigInt(y as number);
            }
            return makeVec(type, 'big', big, valid);
          }
          d[i] = num;
        }
        return makeVec(type, 'f64', d, valid);
      }
      for (let i = 0; i < n; i++) {
        const x = values[i];
        if (x !== null && x !== undefined) d[i] = Number(x);
      }
      return makeVec(type, 'f64', d, valid);
    }
    default: {
      const d = new Array<unknown>(n);
      for (let i = 0; i < n; i++) d[i] = values[i] ?? null;
      return makeVec(type, 'obj', d, valid);
    }
  }
}

function decimalFromValues(type: DataType & { kind: 'decimal' }, values: readonly unknown[], valid: Uint8Array | null): Vec {
  const n = values.length;
  let scale = type.scale ?? -1;
  if (scale < 0) {
    scale = 0;
    for (let i = 0; i < n; i++) {
      const x = values[i];
      if (x === null || x === undefined) continue;
      const s = textScale(String(x));
      if (s > scale) scale = s;
    }
  }
  const d = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const x = values[i];
    if (x === null || x === undefined) continue;
    const str = typeof x === 'string' ? x : String(x);
    const num = parseScaledNumber(str, scale);
    if (num === undefined) return decimalBigFromValues(type, values, valid, scale);
    d[i] = num;
  }
  return makeVec(type, 'f64', d, valid, scale);
}

function decimalBigFromValues(type: DataType, values: readonly unknown[], valid: Uint8Array | null, scale: number): Vec {
  const n = values.length;
  const d: bigint[] = new Array<bigint>(n).fill(0n);
  for (let i = 0; i < n; i++) {
    const x = values[i];
    if (x === null || x === undefined) continue;
    const p = parseDecimal(String(x));
    if (!p) fail('invalid_text_representation', `invalid input syntax for type numeric: "${String(x)}"`);
    d[i] = rescaleBig(p.value, p.scale, scale);
  }
  return makeVec(type, 'big', d, valid, scale);
}

/** A vector of `n` copies of one IR value. */
export function constVec(type: DataType, value: unknown, n: number): Vec {
  if (value === null || value === undefined) return nullVec(type, n);
  const one = vecFromValues(type, [value]);
  switch (one.rep) {
    case 'i32':
      return makeVec(type, 'i32', new Int32Array(n).fill((one.data as Int32Array)[0]!), null);
    case 'f64':
      return makeVec(type, 'f64', new Float64Array(n).fill((one.data as Float64Array)[0]!), null, one.scale);
    case 'bool':
      return makeVec(type, 'bool', new Uint8Array(n).fill((one.data as Uint8Array)[0]!), null);
    case 'big':
      return makeVec(type, 'big', new Array<bigint>(n).fill((one.data as bigint[])[0]!), null, one.scale);
    case 'obj':
      return makeVec(type, 'obj', new Array<unknown>(n).fill(value), null);
  }
}

export function nullVec(type: DataType, n: number): Vec {
  const valid = new Uint8Array(n);
  switch (repOf(type)) {
    case 'i32':
      return makeVec(type, 'i32', new Int32Array(n), valid);
    case 'f64':
      return makeVec(type, 'f64', new Float64Array(n), valid, type.kind === 'decimal' ? (type.scale ?? 0) : 0);
    case 'bool':
      return makeVec(type, 'bool', new Uint8Array(n), valid);
    default:
      return makeVec(type, 'obj', new Array<unknown>(n).fill(null), valid);
  }
}

/**
 * Stands in for a column nobody downstream reads (a filter's unread inputs, a join's uncopied
 * outputs): gathering, slicing or concatenating it gives it back as is.
 */
export const UNREAD: Vec = { type: { kind: 'null' }, rep: 'obj', length: 0, valid: null, data: [], scale: 0 };

/**
 * Reusable output arrays of one column, for an operator whose output chunks are transient (see
 * transient.ts): each gather overwrites the previous one's arrays. Typed arrays come from the
 * scratch pool and go back on `release`.
 */
export class GatherSlot {
  private i32: Int32Array | null = null;
  private f64: Float64Array | null = null;
  private u8: Uint8Array | null = null;
  private valid: Uint8Array | null = null;
  private codes: Int32Array | null = null;
  private obj: unknown[] | null = null;

  int32(n: number): Int32Array {
    return (this.i32 = roomFor(this.i32, n, scratchInt32)).subarray(0, n);
  }
  codes32(n: number): Int32Array {
    return (this.codes = roomFor(this.codes, n, scratchInt32)).subarray(0, n);
  }
  float64(n: number): Float64Array {
    return (this.f64 = roomFor(this.f64, n, scratchFloat64)).subarray(0, n);
  }
  uint8(n: number): Uint8Array {
    return (this.u8 = roomFor(this.u8, n, scratchUint8)).subarray(0, n);
  }
  validity(n: number): Uint8Array {
    return (this.valid = roomFor(this.valid, n, scratchUint8)).subarray(0, n);
  }
  objects(n: number): unknown[] {
    const a = (this.obj ??= []);
    a.length = n;
    return a;
  }
  release(): void {
    giveBack(this.i32);
    giveBack(this.f64);
    giveBack(this.u8);
    giveBack(this.valid);
    giveBack(this.codes);
    this.i32 = this.f64 = this.u8 = this.valid = this.codes = null;
    this.obj = null;
  }
}

/** `cur` when it holds `n` entries, else a larger scratch array in its place (`cur` handed back). */
function roomFor<T extends ArrayBufferView & { readonly length: number }>(cur: T | null, n: number, make: (n: number) => T): T {
  if (cur !== null && cur.length >= n) return cur;
  giveBack(cur);
  return make(Math.max(n, SLOT_MIN));
}

/** Reusable arrays start at this many entries (a batch's worth), so they grow rarely. */
const SLOT_MIN = 16384;

/**
 * Rows of `v` at `idx` (a row index per output row; -1 gives NULL), in one pass. `nonNegative`:
 * the caller knows `idx` holds no -1 (saves a scan per column). With `slot`, the result lives in
 * the slot's arrays (see GatherSlot): valid only until the slot's next gather.
 */
export function gather(v: Vec, idx: Int32Array | Uint32Array, n = idx.length, nonNegative = false, slot: GatherSlot | null = null): Vec {
  if (v === UNREAD) return v;
  let valid: Uint8Array | null = null;
  const src = v.valid;
  if (src !== null || (!nonNegative && hasNegative(idx, n))) {
    valid = slot === null ? new Uint8Array(n) : slot.validity(n);
    for (let i = 0; i < n; i++) {
      const j = idx[i]!;
      valid[i] = j < 0 ? 0 : src === null ? 1 : src[j]!;
    }
  }
  // Reused arrays hold old values: a NULL row's slot is written too (zero, as in a fresh array).
  let data: VecData;
  switch (v.rep) {
    case 'i32': {
      const s = v.data as Int32Array;
      const d = slot === null ? new Int32Array(n) : slot.int32(n);
      for (let i = 0; i < n; i++) {
        const j = idx[i]!;
        d[i] = j >= 0 ? s[j]! : 0;
      }
      data = d;
      break;
    }
    case 'f64': {
      const s = v.data as Float64Array;
      const d = slot === null ? new Float64Array(n) : slot.float64(n);
      for (let i = 0; i < n; i++) {
        const j = idx[i]!;
        d[i] = j >= 0 ? s[j]! : 0;
      }
      data = d;
      break;
    }
    case 'bool': {
      const s = v.data as Uint8Array;
      const d = slot === null ? new Uint8Array(n) : slot.uint8(n);
      for (let i = 0; i < n; i++) {
        const j = idx[i]!;
        d[i] = j >= 0 ? s[j]! : 0;
      }
      data = d;
      break;
    }
    case 'big': {
      const s = v.data as bigint[];
      const d = new Array<bigint>(n);
      for (let i = 0; i < n; i++) {
        const j = idx[i]!;
        d[i] = j >= 0 ? s[j]! : 0n;
      }
      data = d;
      break;
    }
    case 'obj': {
      const s = v.data as unknown[];
      const d = slot === null ? new Array<unknown>(n) : slot.objects(n);
      for (let i = 0; i < n; i++) {
        const j = idx[i]!;
        d[i] = j >= 0 ? s[j] : null;
      }
      data = d;
      // Dictionary codes travel with the rows they describe (NULL rows: -1).
      if (v.dict !== undefined) {
        const from = v.dict.codes;
        const codes = slot === null ? new Int32Array(n) : slot.codes32(n);
        for (let i = 0; i < n; i++) {
          const j = idx[i]!;
          codes[i] = j >= 0 ? from[j]! : -1;
        }
        return { type: v.type, rep: v.rep, length: n, valid, data, scale: v.scale, dict: { codes, values: v.dict.values } };
      }
      break;
    }
  }
  return { type: v.type, rep: v.rep, length: n, valid, data, scale: v.scale };
}

function hasNegative(idx: Int32Array | Uint32Array, n: number): boolean {
  if (idx instanceof Uint32Array) return false;
  for (let i = 0; i < n; i++) if (idx[i]! < 0) return true;
  return false;
}

/** The first `n` rows starting at `start` (copies typed data by view, never mutated). */
export function sliceVec(v: Vec, start: number, end: number): Vec {
  if (v === UNREAD) return v;
  const data = v.rep === 'obj' || v.rep === 'big' ? (v.data as unknown[]).slice(start, end) : (v.data as Float64Array).subarray(start, end);
  return { type: v.type, rep: v.rep, length: end - start, valid: v.valid === null ? null : v.valid.subarray(start, end), data, scale: v.scale };
}

export function sliceChunk(c: Chunk, start: number, end: number): Chunk {
  if (start === 0 && end === c.length) return c;
  return { columns: c.columns.map((v) => sliceVec(v, start, end)), length: end - start };
}

/** Rows `idx[0..n)` of every column (`slots`: one per column, see GatherSlot; null: new arrays). */
export function gatherChunk(c: Chunk, idx: Int32Array | Uint32Array, n = idx.length, slots: readonly GatherSlot[] | null = null): Chunk {
  return { columns: c.columns.map((v, j) => gather(v, idx, n, false, slots === null ? null : slots[j]!)), length: n };
}

/** Rows `idx[0..n)` of only the columns `read` of `c` (the others UNREAD): what one expression needs. */
export function gatherColumns(c: Chunk, read: readonly number[], idx: Int32Array | Uint32Array, n: number, nonNegative = false): Chunk {
  const columns = new Array<Vec>(c.columns.length).fill(UNREAD);
  for (const i of read) columns[i] = gather(c.columns[i]!, idx, n, nonNegative);
  return { columns, length: n };
}

/** Converts a decimal or int64 vector to the `big` representation (at `scale` for decimals). */
export function toBig(v: Vec, scale = v.scale): Vec {
  const n = v.length;
  const d = new Array<bigint>(n);
  if (v.rep === 'big') {
    const s = v.data as bigint[];
    if (scale === v.scale) return v;
    for (let i = 0; i < n; i++) d[i] = rescaleBig(s[i]!, v.scale, scale);
  } else if (v.rep === 'f64' || v.rep === 'i32') {
    const s = v.data as Float64Array;
    const mul = bigPow10(Math.max(0, scale - v.scale));
    for (let i = 0; i < n; i++) {
      const x = BigInt(s[i]!);
      d[i] = scale >= v.scale ? x * mul : rescaleBig(x, v.scale, scale);
    }
  } else {
    for (let i = 0; i < n; i++) d[i] = bigAt(v, i);
  }
  return { type: v.type, rep: 'big', length: n, valid: v.valid, data: d, scale };
}

/** Rescales a decimal vector to `scale` (rounding half away from zero), staying in f64 when exact. */
export function rescaleVec(v: Vec, scale: number): Vec {
  if (v.scale === scale) return v;
  if (v.rep === 'f64' && scale > v.scale) {
    const s = v.data as Float64Array;
    const m = pow10(scale - v.scale);
    const d = new Float64Array(v.length);
    let ok = true;
    for (let i = 0; i < s.length; i++) {
      const x = s[i]! * m;
      if (x > MAX_EXACT || x < -MAX_EXACT) {
        ok = false;
        break;
      }
      d[i] = x;
    }
    if (ok) return { ...v, data: d, scale };
  }
  return toBig(v, scale);
}

/**
 * One column of a chunk stream copied into arrays of its own as the chunks arrive (see
 * `collect`): typed arrays borrowed from the scratch pool and doubled as they fill. A column whose
 * representation or decimal scale changes between chunks keeps copies and concatenates them.
 */
export class ColumnCollector {
  private n = 0;
  private first: Vec | null = null;
  private typed: Int32Array | Float64Array | Uint8Array | null = null;
  private valid: Uint8Array | null = null;
  private objs: unknown[] | null = null;
  private parts: Vec[] | null = null;

  add(v: Vec): void {
    const len = v.length;
    if (v === UNREAD) {
      this.first ??= v;
      return;
    }
    if (len === 0) return;
    const f = (this.first ??= v);
    if (this.parts === null && (v.rep !== f.rep || v.scale !== f.scale)) this.parts = this.n === 0 ? [] : [this.settle(null)];
    if (this.parts !== null) {
      this.parts.push(copyVec(v));
      this.n += len;
      return;
    }
    const at = this.n;
    const need = at + len;
    if (v.rep === 'obj' || v.rep === 'big') {
      const o = (this.objs ??= []);
      const s = v.data as unknown[];
      for (let i = 0; i < len; i++) o.push(s[i]);
    } else {
      let t = this.typed;
      if (t === null || t.length < need) {
        const cap = Math.max(SLOT_MIN, need, t === null ? 0 : t.length * 2);
        const grown = v.rep === 'i32' ? scratchInt32(cap) : v.rep === 'f64' ? scratchFloat64(cap) : scratchUint8(cap);
        if (t !== null) grown.set(t.subarray(0, at) as never);
        giveBack(t);
        this.typed = t = grown;
      }
      const s = v.data as Int32Array;
      t.set(s.length === len ? s : s.subarray(0, len), at);
    }
    if (v.valid !== null || this.valid !== null) {
      let m = this.valid;
      if (m === null || m.length < need) {
        const cap = Math.max(SLOT_MIN, need, m === null ? 0 : m.length * 2);
        const grown = scratchUint8(cap);
        if (m !== null) grown.set(m.subarray(0, at));
        else grown.fill(1, 0, at);
        giveBack(m);
        this.valid = m = grown;
      }
      if (v.valid === null) m.fill(1, at, need);
      else m.set(v.valid.length === len ? v.valid : v.valid.subarray(0, len), at);
    }
    this.n = need;
  }

  /**
   * The column collected so far as one vector; its typed arrays (borrowed) are added to
   * `borrowed` for the caller to hand back. Null `borrowed`: a copy in fresh arrays instead.
   */
  private settle(borrowed: ArrayBufferView[] | null): Vec {
    const f = this.first!;
    const n = this.n;
    let data: VecData;
    let valid: Uint8Array | null = null;
    if (this.objs !== null) data = this.objs;
    else data = borrowed === null ? this.typed!.slice(0, n) : this.typed!.subarray(0, n);
    if (this.valid !== null) valid = borrowed === null ? this.valid.slice(0, n) : this.valid.subarray(0, n);
    if (borrowed === null) {
      giveBack(this.typed);
      giveBack(this.valid);
    } else {
      if (this.typed !== null) borrowed.push(this.typed);
      if (this.valid !== null) borrowed.push(this.valid);
    }
    this.typed = this.valid = null;
    this.objs = null;
    return { type: f.type, rep: f.rep, length: n, valid, data, scale: f.scale };
  }

  /** The whole column (see `settle`); `type` is the column's declared type. */
  finish(type: DataType, borrowed: ArrayBufferView[]): Vec {
    if (this.parts !== null) return concatVecs(type, this.parts);
    if (this.first === UNREAD) return UNREAD;
    if (this.first === null || this.n === 0) return vecFromValues(type, []);
    return this.settle(borrowed);
  }
}

/** A copy of `v` in arrays of its own (its dictionary dropped, as concatenation drops it). */
function copyVec(v: Vec): Vec {
  const len = v.length;
  const data = v.rep === 'obj' || v.rep === 'big' ? (v.data as unknown[]).slice(0, len) : (v.data as Float64Array).slice(0, len);
  return { type: v.type, rep: v.rep, length: len, valid: v.valid === null ? null : v.valid.slice(0, len), data, scale: v.scale };
}

/** Concatenates vectors of one type (decimal scales unified upward; `big` if any is big). */
export function concatVecs(type: DataType, vs: readonly Vec[]): Vec {
  if (vs.length === 1) return vs[0]!;
  if (vs.length > 0 && vs[0] === UNREAD) return UNREAD;
  let n = 0;
  let anyNull = false;
  let scale = 0;
  let rep: Rep = vs.length > 0 ? vs[0]!.rep : repOf(type);
  for (const v of vs) {
    n += v.length;
    if (v.valid !== null) anyNull = true;
    if (v.scale > scale) scale = v.scale;
    if (v.rep === 'big') rep = 'big';
  }
  if (vs.length === 0) return vecFromValues(type, []);
  const parts = type.kind === 'decimal' || rep === 'big' ? vs.map((v) => (rep === 'big' ? toBig(v, scale) : rescaleVec(v, scale))) : vs;
  if (parts.some((p) => p.rep === 'big')) rep = 'big';
  const fin = rep === 'big' ? parts.map((p) => toBig(p, scale)) : parts;
  const valid = anyNull ? new Uint8Array(n) : null;
  let data: VecData;
  switch (rep) {
    case 'i32':
      data = new Int32Array(n);
      break;
    case 'f64':
      data = new Float64Array(n);
      break;
    case 'bool':
      data = new Uint8Array(n);
      break;
    default:
      data = new Array<unknown>(n);
  }
  let off = 0;
  for (const p of fin) {
    if (rep === 'obj' || rep === 'big') {
      const s = p.data as unknown[];
      const d = data as unknown[];
      for (let i = 0; i < p.length; i++) d[off + i] = s[i];
    } else (data as Float64Array).set(p.data as Float64Array, off);
    if (valid !== null) {
      if (p.valid === null) valid.fill(1, off, off + p.length);
      else valid.set(p.valid, off);
    }
    off += p.length;
  }
  return { type, rep, length: n, valid, data, scale };
}

export function concatChunks(schemaTypes: readonly DataType[], cs: readonly Chunk[]): Chunk {
  if (cs.length === 1) return cs[0]!;
  let n = 0;
  for (const c of cs) n += c.length;
  return { columns: schemaTypes.map((t, i) => concatVecs(t, cs.map((c) => c.columns[i]!))), length: n };
}

export function emptyChunk(types: readonly DataType[]): Chunk {
  return { columns: types.map((t) => vecFromValues(t, [])), length: 0 };
}

/** Rows of a chunk as arrays of IR values (tests, RETURNING, generic paths). */
export function chunkRows(c: Chunk): unknown[][] {
  const out: unknown[][] = [];
  for (let i = 0; i < c.length; i++) out.push(c.columns.map((v) => valueAt(v, i)));
  return out;
}

/** A chunk from rows of IR values. */
export function chunkFromRows(types: readonly DataType[], rows: readonly (readonly unknown[])[]): Chunk {
  return { columns: types.map((t, j) => vecFromValues(t, rows.map((r) => r[j]))), length: rows.length };
}
