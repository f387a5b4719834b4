// Columnar batches of stored rows and the decoder that builds them straight from row bytes.
//
// `ColumnData` has exactly the shape of the executor's `Vec` (runtime/exec/vector.ts), so a
// column is used as a vector without copying. Representations follow vector.ts:
// - `i32`  Int32Array: int16, int32, date (days)
// - `f64`  Float64Array: float32, float64, timestamp (µs); int64 while every value is exact
//          (|v| ≤ 2^53); decimal as integers scaled by 10^scale (one scale per column) while exact
// - `big`  bigint[]: int64 and decimal beyond 2^53 (decimal still scaled by 10^scale)
// - `bool` Uint8Array of 0/1
// - `obj`  unknown[] of IR values (utf8, json, interval, uuid, binary, list, struct, …)
// `valid` is a byte per row (1 = not null), or null when no row is null.
//
// The decoder reads the row codec's layout (row-codec.ts) directly: it skips unwanted columns by
// width, parses decimal text into scaled integers without building strings, and reuses the string
// of a short text value seen recently (low-cardinality columns then share one string per value).

import type { DataType } from '../../compiler/ir/types.ts';
import { arenaCopy } from './arena.ts';
import type { PhysicalColumn } from './catalog.ts';
import { RowReader, readValue } from './row-codec.ts';

export type ColumnRep = 'i32' | 'f64' | 'big' | 'bool' | 'obj';

/** One column of a batch; structurally the executor's `Vec`. Never mutated once built. */
export interface ColumnData {
  readonly type: DataType;
  readonly rep: ColumnRep;
  readonly length: number;
  readonly valid: Uint8Array | null;
  readonly data: Int32Array | Float64Array | Uint8Array | unknown[];
  /** Decimal scale (digits after the point) of every value; 0 for other types. */
  readonly scale: number;
  /** Text columns with few distinct values also carry them dictionary-encoded (see `TextDict`). */
  readonly dict?: TextDict;
}

/**
 * Dictionary codes of a text column: `values[codes[i]]` is row i's text (codes of NULL rows are
 * -1). `values` is shared by every chunk of one decoding pass and only ever appended to, so a
 * consumer may key work on its identity.
 */
export interface TextDict {
  readonly codes: Int32Array;
  readonly values: readonly string[];
}

/** Rows `[i, i + length)` of a scan as columns, in the order the caller asked for them. */
export interface ColumnBatch {
  readonly length: number;
  readonly columns: readonly ColumnData[];
}

/** Slot number that stands for the row key (the scan's ordinal -1) instead of a stored column. */
export const KEY_SLOT = -1;
/** Type reported for the row-key column: opaque bytes the executor passes back to writes. */
const KEY_TYPE: DataType = { kind: 'binary' };

const MAX_EXACT = Number.MAX_SAFE_INTEGER;
const POW10 = Array.from({ length: 23 }, (_, i) => 10 ** i);
const TWO32 = 4294967296;

const decoder = new TextDecoder();
const scratch = new ArrayBuffer(8);
const s8 = new Uint8Array(scratch);
const sF64 = new Float64Array(scratch);
const sF32 = new Float32Array(scratch);

/** Accumulates one column of a chunk. */
interface Builder {
  readonly length: number;
  pushNull(): void;
  /** Appends the value encoded at `pos` and returns the position after it. */
  pushBytes(buf: Uint8Array, pos: number): number;
  /** Appends an IR value (fill values of columns added after a row was written). */
  pushValue(v: unknown): void;
  /** The column so far; the builder starts over empty. */
  finish(): ColumnData;
}

function readVarint(buf: Uint8Array, pos: number): number {
  let n = 0;
  let shift = 0;
  for (;;) {
    const b = buf[pos++]!;
    n |= (b & 0x7f) << shift;
    if (b < 0x80) return n >>> 0;
    shift += 7;
  }
}

function varintEnd(buf: Uint8Array, pos: number): number {
  while (buf[pos]! >= 0x80) pos++;
  return pos + 1;
}

/** Null bookkeeping shared by every builder: validity is allocated on the first null. */
abstract class Base implements Builder {
  n = 0;
  valid: Uint8Array | null = null;
  constructor(
    readonly type: DataType,
    protected cap: number,
  ) {}
  get length(): number {
    return this.n;
  }
  pushNull(): void {
    if (this.valid === null) {
      this.valid = new Uint8Array(this.cap);
      this.valid.fill(1, 0, this.n);
    }
    this.grow();
    this.valid[this.n] = 0;
    this.placeholder();
    this.n++;
  }
  /** Call before writing slot `n` of a non-null value. */
  protected mark(): void {
    this.grow();
    if (this.valid !== null) this.valid[this.n] = 1;
  }
  private grow(): void {
    if (this.n < this.cap) return;
    this.cap = Math.max(16, this.cap * 2);
    if (this.valid !== null) {
      const v = new Uint8Array(this.cap);
      v.set(this.valid);
      this.valid = v;
    }
    this.resize(this.cap);
  }
  protected takeValid(): Uint8Array | null {
    const v = this.valid === null ? null : this.valid.length === this.n ? this.valid : this.valid.slice(0, this.n);
    this.valid = null;
    return v;
  }
  protected column(rep: ColumnRep, data: ColumnData['data'], scale = 0): ColumnData {
    const c: ColumnData = { type: this.type, rep, length: this.n, valid: this.takeValid(), data, scale };
    this.n = 0;
    return c;
  }
  protected abstract resize(cap: number): void;
  protected abstract placeholder(): void;
  abstract pushBytes(buf: Uint8Array, pos: number): number;
  abstract pushValue(v: unknown): void;
  abstract finish(): ColumnData;
}

function trim<T extends Int32Array | Float64Array | Uint8Array>(a: T, n: number): T {
  return (a.length === n ? a : a.slice(0, n)) as T;
}

class I32Builder extends Base {
  data: Int32Array;
  constructor(
    type: DataType,
    cap: number,
    private readonly width: 2 | 4,
  ) {
    super(type, cap);
    this.data = new Int32Array(cap);
  }
  protected resize(cap: number): void {
    const d = new Int32Array(cap);
    d.set(this.data);
    this.data = d;
  }
  protected placeholder(): void {}
  pushBytes(buf: Uint8Array, p: number): number {
    this.mark();
    if (this.width === 2) {
      this.data[this.n++] = ((buf[p]! | (buf[p + 1]! << 8)) << 16) >> 16;
      return p + 2;
    }
    this.data[this.n++] = buf[p]! | (buf[p + 1]! << 8) | (buf[p + 2]! << 16) | (buf[p + 3]! << 24);
    return p + 4;
  }
  pushValue(v: unknown): void {
    if (v === null || v === undefined) return this.pushNull();
    this.mark();
    this.data[this.n++] = Number(v);
  }
  finish(): ColumnData {
    const d = trim(this.data, this.n);
    const c = this.column('i32', d);
    this.data = new Int32Array(this.cap);
    return c;
  }
}

class F64Builder extends Base {
  data: Float64Array;
  constructor(
    type: DataType,
    cap: number,
    private readonly width: 4 | 8,
  ) {
    super(type, cap);
    this.data = new Float64Array(cap);
  }
  protected resize(cap: number): void {
    const d = new Float64Array(cap);
    d.set(this.data);
    this.data = d;
  }
  protected placeholder(): void {}
  pushBytes(buf: Uint8Array, p: number): number {
    this.mark();
    if (this.width === 4) {
      s8[0] = buf[p]!;
      s8[1] = buf[p + 1]!;
      s8[2] = buf[p + 2]!;
      s8[3] = buf[p + 3]!;
      this.data[this.n++] = sF32[0]!;
      return p + 4;
    }
    for (let i = 0; i < 8; i++) s8[i] = buf[p + i]!;
    this.data[this.n++] = sF64[0]!;
    return p + 8;
  }
  pushValue(v: unknown): void {
    if (v === null || v === undefined) return this.pushNull();
    this.mark();
    this.data[this.n++] = this.width === 4 ? Math.fround(Number(v)) : Number(v);
  }
  finish(): ColumnData {
    const d = trim(this.data, this.n);
    const c = this.column('f64', d);
    this.data = new Float64Array(this.cap);
    return c;
  }
}

/**
 * int64 and decimal: exact numbers in a Float64Array until a value is not exactly representable,
 * then bigints for the rest of the chunk (earlier values converted).
 */
abstract class ScaledBuilder extends Base {
  data: Float64Array;
  big: bigint[] | null = null;
  constructor(type: DataType, cap: number) {
    super(type, cap);
    this.data = new Float64Array(cap);
  }
  protected resize(cap: number): void {
    if (this.big !== null) return;
    const d = new Float64Array(cap);
    d.set(this.data);
    this.data = d;
  }
  protected placeholder(): void {
    if (this.big !== null) this.big.push(0n);
  }
  protected pushNumber(x: number): void {
    this.mark();
    if (this.big !== null) this.big.push(BigInt(x));
    else this.data[this.n] = x;
    this.n++;
  }
  protected pushBig(x: bigint): void {
    this.mark();
    if (this.big === null) {
      const big = new Array<bigint>(this.n);
      for (let i = 0; i < this.n; i++) big[i] = BigInt(this.data[i]!);
      this.big = big;
    }
    this.big.push(x);
    this.n++;
  }
  protected done(scale: number): ColumnData {
    let c: ColumnData;
    if (this.big !== null) {
      c = this.column('big', this.big, scale);
      this.big = null;
    } else {
      const d = trim(this.data, this.n);
      c = this.column('f64', d, scale);
    }
    this.data = new Float64Array(this.cap);
    return c;
  }
}

class I64Builder extends ScaledBuilder {
  pushBytes(buf: Uint8Array, p: number): number {
    const lo = (buf[p]! | (buf[p + 1]! << 8) | (buf[p + 2]! << 16) | (buf[p + 3]! << 24)) >>> 0;
    const hi = buf[p + 4]! | (buf[p + 5]! << 8) | (buf[p + 6]! << 16) | (buf[p + 7]! << 24);
    // Exact as a double when |v| ≤ 2^53 - 1, i.e. the high word lies in [-2^21, 2^21).
    if (hi >= -0x200000 && hi < 0x200000 && !(hi === -0x200000 && lo === 0)) this.pushNumber(hi * TWO32 + lo);
    else this.pushBig((BigInt(hi) << 32n) | BigInt(lo));
    return p + 8;
  }
  pushValue(v: unknown): void {
    if (v === null || v === undefined) return this.pushNull();
    const b = typeof v === 'bigint' ? v : BigInt(v as number);
    if (b <= BigInt(MAX_EXACT) && b >= -BigInt(MAX_EXACT)) this.pushNumber(Number(b));
    else this.pushBig(b);
  }
  finish(): ColumnData {
    return this.done(0);
  }
}

/** Scaled bigint of decimal text at `scale` (rounding half away from zero); undefined if not a number. */
function bigScaled(s: string, scale: number): bigint | undefined {
  const m = /^\s*([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?\s*$/.exec(s);
  if (!m || (m[2] === '' && (m[3] ?? '') === '')) return undefined;
  const frac = m[3] ?? '';
  let value = BigInt((m[2] ?? '') + frac || '0');
  let from = frac.length - (m[4] ? Number(m[4]) : 0);
  if (from < 0) {
    value *= 10n ** BigInt(-from);
    from = 0;
  }
  if (from <= scale) value *= 10n ** BigInt(scale - from);
  else {
    const d = 10n ** BigInt(from - scale);
    const q = value / d;
    value = (value % d) * 2n >= d ? q + 1n : q;
  }
  return m[1] === '-' ? -value : value;
}

/** Digits after the point of decimal text (for columns declared without a scale). */
function textScale(s: string): number {
  const dot = s.indexOf('.');
  if (dot < 0) return 0;
  const e = s.search(/[eE]/);
  return (e < 0 ? s.length : e) - dot - 1;
}

/** Decimal with a declared scale: digits are parsed from the row bytes into a scaled integer. */
class DecimalBuilder extends ScaledBuilder {
  /** Values that are not numbers at all (`NaN`): the chunk falls back to IR strings. */
  private text: unknown[] | null = null;
  constructor(
    type: DataType,
    cap: number,
    private readonly scale: number,
  ) {
    super(type, cap);
  }
  protected override placeholder(): void {
    super.placeholder();
    if (this.text !== null) this.text.push(null);
  }
  pushBytes(buf: Uint8Array, p: number): number {
    const len = buf[p]! < 0x80 ? buf[p]! : readVarint(buf, p);
    const start = buf[p]! < 0x80 ? p + 1 : varintEnd(buf, p);
    const end = start + len;
    if (this.text === null) {
      let i = start;
      let neg = false;
      if (buf[i] === 45) {
        neg = true;
        i++;
      }
      let v = 0;
      let frac = -1;
      let ok = i < end;
      for (; i < end; i++) {
        const c = buf[i]!;
        if (c >= 48 && c <= 57) {
          if (frac >= 0) {
            if (frac === this.scale) {
              ok = false;
              break;
            }
            frac++;
          }
          v = v * 10 + (c - 48);
        } else if (c === 46 && frac < 0) frac = 0;
        else {
          ok = false;
          break;
        }
      }
      if (ok) {
        const f = frac < 0 ? 0 : frac;
        if (f < this.scale) v *= POW10[this.scale - f]!;
        if (v <= MAX_EXACT) {
          this.pushNumber(neg ? -v : v);
          return end;
        }
      }
    }
    this.pushValue(decoder.decode(buf.subarray(start, end)));
    return end;
  }
  pushValue(v: unknown): void {
    if (v === null || v === undefined) return this.pushNull();
    const s = typeof v === 'string' ? v : String(v);
    const b = this.text === null ? bigScaled(s, this.scale) : undefined;
    if (b === undefined) {
      this.toText();
      this.mark();
      this.text!.push(s);
      this.n++;
      return;
    }
    if (b <= BigInt(MAX_EXACT) && b >= -BigInt(MAX_EXACT)) this.pushNumber(Number(b));
    else this.pushBig(b);
  }
  private toText(): void {
    if (this.text !== null) return;
    const t = new Array<unknown>(this.n);
    for (let i = 0; i < this.n; i++) t[i] = this.valid !== null && this.valid[i] === 0 ? null : formatScaled(this.big !== null ? this.big[i]! : BigInt(this.data[i]!), this.scale);
    this.text = t;
  }
  finish(): ColumnData {
    if (this.text !== null) {
      const t = this.text;
      this.text = null;
      this.big = null;
      const c = this.column('obj', t);
      this.data = new Float64Array(this.cap);
      return c;
    }
    return this.done(this.scale);
  }
}

function formatScaled(v: bigint, scale: number): string {
  if (scale === 0) return v.toString();
  const neg = v < 0n;
  const s = (neg ? -v : v).toString().padStart(scale + 1, '0');
  return `${neg ? '-' : ''}${s.slice(0, s.length - scale)}.${s.slice(s.length - scale)}`;
}

/** Decimal without a declared scale: the chunk's scale is the largest seen, so values wait as text. */
class FreeDecimalBuilder extends Base {
  private vals: (string | null)[] = [];
  protected resize(_cap: number): void {}
  protected placeholder(): void {
    this.vals.push(null);
  }
  pushBytes(buf: Uint8Array, p: number): number {
    const len = readVarint(buf, p);
    const start = varintEnd(buf, p);
    this.pushValue(readAscii(buf, start, len));
    return start + len;
  }
  pushValue(v: unknown): void {
    if (v === null || v === undefined) return this.pushNull();
    this.mark();
    this.vals.push(typeof v === 'string' ? v : String(v));
    this.n++;
  }
  finish(): ColumnData {
    const vals = this.vals;
    this.vals = [];
    let scale = 0;
    for (const s of vals) if (s !== null && textScale(s) > scale) scale = textScale(s);
    const b = new DecimalBuilder(this.type, vals.length, scale);
    for (const s of vals) b.pushValue(s);
    const c = b.finish();
    this.n = 0;
    this.valid = null;
    return c;
  }
}

class BoolBuilder extends Base {
  data: Uint8Array;
  constructor(type: DataType, cap: number) {
    super(type, cap);
    this.data = new Uint8Array(cap);
  }
  protected resize(cap: number): void {
    const d = new Uint8Array(cap);
    d.set(this.data);
    this.data = d;
  }
  protected placeholder(): void {}
  pushBytes(buf: Uint8Array, p: number): number {
    this.mark();
    this.data[this.n++] = buf[p] === 1 ? 1 : 0;
    return p + 1;
  }
  pushValue(v: unknown): void {
    if (v === null || v === undefined) return this.pushNull();
    this.mark();
    this.data[this.n++] = v ? 1 : 0;
  }
  finish(): ColumnData {
    const d = trim(this.data, this.n);
    const c = this.column('bool', d);
    this.data = new Uint8Array(this.cap);
    return c;
  }
}

/** Short ASCII strings are looked up in a direct-mapped cache before a new string is made. */
const INTERN_MAX = 24;
const INTERN_SLOTS = 1024;

function readAscii(buf: Uint8Array, start: number, len: number): string {
  // Char-by-char concatenation beats TextDecoder only for very short strings (measured under Bun).
  if (len <= 8) {
    let out = '';
    let i = start;
    for (; i < start + len; i++) {
      const c = buf[i]!;
      if (c >= 0x80) break;
      out += String.fromCharCode(c);
    }
    if (i === start + len) return out;
  }
  return decoder.decode(buf.subarray(start, start + len));
}

abstract class ObjBuilder extends Base {
  data: unknown[] = [];
  protected resize(_cap: number): void {}
  protected placeholder(): void {
    this.data.push(null);
  }
  pushValue(v: unknown): void {
    if (v === null || v === undefined) return this.pushNull();
    this.mark();
    this.data.push(v);
    this.n++;
  }
  finish(): ColumnData {
    const d = this.data;
    this.data = [];
    return this.column('obj', d);
  }
}

/** Distinct values a text column may have and still be dictionary-encoded. */
const DICT_MAX = 1024;

class TextBuilder extends ObjBuilder {
  private readonly interned = new Array<string | undefined>(INTERN_SLOTS);
  /** This pass's distinct values while they stay few (null once there are too many). */
  private dict: string[] | null = [];
  private readonly dictIndex = new Map<string, number>();
  private codes: Int32Array | null = new Int32Array(this.cap);
  protected override resize(cap: number): void {
    if (this.codes === null) return;
    const c = new Int32Array(cap);
    c.set(this.codes.subarray(0, Math.min(this.codes.length, cap)));
    this.codes = c;
  }
  protected override placeholder(): void {
    super.placeholder();
    if (this.codes !== null) this.codes[this.n] = -1;
  }
  /** Records the code of `s` for row `n` (call after `mark()`). */
  private encode(s: string): void {
    if (this.dict === null) return;
    let c = this.dictIndex.get(s);
    if (c === undefined) {
      if (this.dict.length >= DICT_MAX) {
        this.dict = null;
        this.codes = null;
        return;
      }
      c = this.dict.length;
      this.dict.push(s);
      this.dictIndex.set(s, c);
    }
    this.codes![this.n] = c;
  }
  override pushValue(v: unknown): void {
    if (v === null || v === undefined) return this.pushNull();
    this.mark();
    this.encode(v as string);
    this.data.push(v);
    this.n++;
  }
  override finish(): ColumnData {
    const codes = this.codes;
    const n = this.n;
    const c = super.finish();
    if (codes === null || this.dict === null) return c;
    this.codes = new Int32Array(Math.max(16, this.cap));
    return { ...c, dict: { codes: codes.length === n ? codes : codes.slice(0, n), values: this.dict } };
  }
  pushBytes(buf: Uint8Array, p: number): number {
    const len = buf[p]! < 0x80 ? buf[p]! : readVarint(buf, p);
    const start = buf[p]! < 0x80 ? p + 1 : varintEnd(buf, p);
    let s: string | undefined;
    if (len <= INTERN_MAX) {
      let h = len;
      for (let i = start; i < start + len; i++) h = (h * 31 + buf[i]!) | 0;
      const slot = (h ^ (h >>> 10)) & (INTERN_SLOTS - 1);
      const hit = this.interned[slot];
      if (hit !== undefined && hit.length === len) {
        let i = 0;
        while (i < len && hit.charCodeAt(i) === buf[start + i]) i++;
        if (i === len) s = hit;
      }
      if (s === undefined) {
        s = readAscii(buf, start, len);
        // Non-ASCII text has a different length in chars than in bytes: never matches, never cached.
        if (s.length === len) this.interned[slot] = s;
      }
    } else {
      s = readAscii(buf, start, len);
    }
    this.mark();
    this.encode(s);
    this.data.push(s);
    this.n++;
    return start + len;
  }
}

/** Any other type: the row codec's own value reader. */
class GenericBuilder extends ObjBuilder {
  pushBytes(buf: Uint8Array, p: number): number {
    const r = new RowReader(buf);
    r.pos = p;
    const v = readValue(r, this.type);
    this.mark();
    this.data.push(v);
    this.n++;
    return r.pos;
  }
}

class KeyBuilder extends ObjBuilder {
  pushBytes(): number {
    throw new Error('row keys are pushed with pushKey');
  }
  pushKey(buf: Uint8Array, start: number, end: number): void {
    this.mark();
    this.data.push(arenaCopy(buf.subarray(start, end), end - start));
    this.n++;
  }
}

function builderFor(type: DataType, cap: number): Builder {
  switch (type.kind) {
    case 'int16':
      return new I32Builder(type, cap, 2);
    case 'int32':
    case 'date':
      return new I32Builder(type, cap, 4);
    case 'float32':
      return new F64Builder(type, cap, 4);
    case 'float64':
    case 'timestamp':
      return new F64Builder(type, cap, 8);
    case 'int64':
      return new I64Builder(type, cap);
    case 'decimal':
      return type.scale === undefined ? new FreeDecimalBuilder(type, cap) : new DecimalBuilder(type, cap, type.scale);
    case 'bool':
      return new BoolBuilder(type, cap);
    case 'utf8':
      return new TextBuilder(type, cap);
    default:
      return new GenericBuilder(type, cap);
  }
}

/** Bytes a stored value of `type` occupies when fixed-width; -1 when length-prefixed; -2 nested. */
function fixedWidth(type: DataType): number {
  switch (type.kind) {
    case 'bool':
      return 1;
    case 'int16':
      return 2;
    case 'int32':
    case 'date':
    case 'float32':
      return 4;
    case 'int64':
    case 'float64':
    case 'timestamp':
      return 8;
    case 'uuid':
    case 'interval':
      return 16;
    case 'vector':
    case 'list':
    case 'struct':
      return -2;
    default:
      return -1;
  }
}

/**
 * Decodes chosen physical columns of stored rows into column chunks. `slots` are physical column
 * slots in output order (`KEY_SLOT` for the row key); a slot may repeat.
 */
export class ColumnDecoder {
  private readonly builders: Builder[] = [];
  /** Per physical slot up to the last wanted one: its builder index, or -1 to skip. */
  private readonly target: Int32Array;
  private readonly widths: Int32Array;
  private readonly types: readonly DataType[];
  private readonly fills: readonly unknown[];
  private readonly out: Int32Array;
  private readonly keyBuilder: KeyBuilder | undefined;
  private readonly reader = new RowReader(new Uint8Array(0));
  rows = 0;

  constructor(physical: readonly PhysicalColumn[], readonly slots: readonly number[], capacity: number) {
    const distinct = [...new Set(slots)];
    let last = -1;
    for (const s of distinct) if (s > last) last = s;
    this.target = new Int32Array(last + 1).fill(-1);
    this.widths = new Int32Array(last + 1);
    this.types = physical.map((p) => p.type);
    this.fills = physical.map((p) => p.fill);
    for (let s = 0; s <= last; s++) this.widths[s] = fixedWidth(physical[s]!.type);
    for (const s of distinct) {
      if (s === KEY_SLOT) {
        this.keyBuilder = new KeyBuilder(KEY_TYPE, capacity);
        this.builders.push(this.keyBuilder);
      } else {
        this.target[s] = this.builders.length;
        this.builders.push(builderFor(physical[s]!.type, capacity));
      }
    }
    this.out = Int32Array.from(slots, (s) => distinct.indexOf(s));
  }

  /** Whether `key` must be called for each row. */
  get wantsKey(): boolean {
    return this.keyBuilder !== undefined;
  }

  /** Appends the row key of the next row (call before or after `row`, once per row). */
  key(buf: Uint8Array, start: number, end: number): void {
    this.keyBuilder!.pushKey(buf, start, end);
  }

  /** Appends the wanted columns of the stored row at the start of `buf` (which may be reused afterwards). */
  row(buf: Uint8Array): void {
    let pos = 0;
    let stored = buf[0]!;
    if (stored >= 0x80) {
      stored = readVarint(buf, 0);
      pos = varintEnd(buf, 0);
    } else pos = 1;
    const bitmap = pos;
    pos += (stored + 7) >> 3;
    const target = this.target;
    const last = target.length;
    const n = stored < last ? stored : last;
    for (let s = 0; s < n; s++) {
      const b = target[s]!;
      if (buf[bitmap + (s >> 3)]! & (1 << (s & 7))) {
        if (b >= 0) this.builders[b]!.pushNull();
        continue;
      }
      if (b >= 0) {
        pos = this.builders[b]!.pushBytes(buf, pos);
        continue;
      }
      const w = this.widths[s]!;
      if (w > 0) pos += w;
      else if (w === -1) pos = buf[pos]! < 0x80 ? pos + 1 + buf[pos]! : varintEnd(buf, pos) + readVarint(buf, pos);
      else pos = this.skipNested(buf, pos, s);
    }
    // Columns added after this row was written read as their fill value.
    for (let s = n; s < last; s++) {
      const b = target[s]!;
      if (b >= 0) this.builders[b]!.pushValue(this.fills[s]);
    }
    this.rows++;
  }

  private skipNested(buf: Uint8Array, pos: number, slot: number): number {
    const r = this.reader;
    r.buf = buf;
    r.pos = pos;
    readValue(this.reader, this.types[slot]!);
    return r.pos;
  }

  /** The rows so far as columns in `slots` order; the decoder starts over empty. */
  finish(): ColumnData[] {
    const cols = this.builders.map((b) => b.finish());
    this.rows = 0;
    return Array.from(this.out, (i) => cols[i]!);
  }

}

/** Rows `[start, end)` of a column (typed data by view, never copied). */
export function sliceColumn(c: ColumnData, start: number, end: number): ColumnData {
  const data = Array.isArray(c.data) ? c.data.slice(start, end) : c.data.subarray(start, end);
  const out: ColumnData = { type: c.type, rep: c.rep, length: end - start, valid: c.valid === null ? null : c.valid.subarray(start, end), data, scale: c.scale };
  return c.dict ? { ...out, dict: { codes: c.dict.codes.subarray(start, end), values: c.dict.values } } : out;
}

/** Cuts one chunk into batches of at most `size` rows. */
export function* sliceBatches(columns: readonly ColumnData[], length: number, size: number): Generator<ColumnBatch> {
  if (length <= size) {
    if (length > 0) yield { length, columns };
    return;
  }
  for (let at = 0; at < length; at += size) {
    const end = Math.min(length, at + size);
    yield { length: end - at, columns: columns.map((c) => sliceColumn(c, at, end)) };
  }
}
