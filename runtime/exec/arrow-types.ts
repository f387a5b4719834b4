// The one mapping between IR data types and Apache Arrow types, and chunk ⇄ RecordBatch conversion.
//
// | IR                    | Arrow                                  |
// |-----------------------|----------------------------------------|
// | bool                  | Bool                                   |
// | int16 / int32 / int64 | Int16 / Int32 / Int64                  |
// | float32 / float64     | Float32 / Float64                      |
// | decimal(p,s)          | Decimal128(s, p)                       |
// | decimal (no typmod)   | Utf8 canonical text (scale varies per value, as in PostgreSQL) |
// | utf8 / unknown / uuid | Utf8                                   |
// | binary                | Binary                                 |
// | date                  | DateDay                                |
// | timestamp[tz]         | TimestampMicrosecond (timezone "UTC" when tz) |
// | interval              | IntervalMonthDayNano                   |
// | json, list, struct, vector, node, edge, path | Utf8 JSON text  |
// | null                  | Null                                   |
// Every field carries metadata `orbit.type` (the IR type as JSON) so readers recover IR values
// exactly (`batchRows`).

import * as arrow from 'apache-arrow';
import type { Schema } from '../../compiler/ir/expr.ts';
import type { DataType, Interval } from '../../compiler/ir/types.ts';
import { formatScaled, parseDecimal, rescaleBig } from './decimal.ts';
import { type Chunk, type Vec, valueAt } from './vector.ts';

/** The Arrow type an IR type is carried as. */
export function arrowType(t: DataType): arrow.DataType {
  switch (t.kind) {
    case 'bool': return new arrow.Bool();
    case 'int16': return new arrow.Int16();
    case 'int32': return new arrow.Int32();
    case 'int64': return new arrow.Int64();
    case 'float32': return new arrow.Float32();
    case 'float64': return new arrow.Float64();
    case 'decimal': return t.scale !== undefined && t.precision !== undefined ? new arrow.Decimal(t.scale, t.precision, 128) : new arrow.Utf8();
    case 'binary': return new arrow.Binary();
    case 'date': return new arrow.DateDay();
    case 'timestamp': return new arrow.TimestampMicrosecond(t.tz ? 'UTC' : null);
    case 'interval': return new arrow.IntervalMonthDayNano();
    case 'null': return new arrow.Null();
    default: return new arrow.Utf8();
  }
}

export function arrowSchema(schema: Schema): arrow.Schema {
  return new arrow.Schema(schema.map((c) => new arrow.Field(c.name, arrowType(c.type), c.nullable, new Map([['orbit.type', JSON.stringify(c.type)]]))));
}

function bitmap(v: Vec): { bitmap: Uint8Array | undefined; nulls: number } {
  if (v.valid === null) return { bitmap: undefined, nulls: 0 };
  const n = v.length;
  const bm = new Uint8Array((n + 7) >> 3);
  let nulls = 0;
  for (let i = 0; i < n; i++) {
    if (v.valid[i] === 1) bm[i >> 3]! |= 1 << (i & 7);
    else nulls++;
  }
  return { bitmap: nulls === 0 ? undefined : bm, nulls };
}

const encoder = new TextEncoder();

function utf8Data(type: arrow.Utf8 | arrow.Binary, v: Vec, text: (i: number) => string | Uint8Array): arrow.Data {
  const n = v.length;
  const offsets = new Int32Array(n + 1);
  let buf = new Uint8Array(Math.max(64, n * 8));
  let pos = 0;
  for (let i = 0; i < n; i++) {
    if (v.valid === null || v.valid[i] === 1) {
      const s = text(i);
      const need = typeof s === 'string' ? s.length * 3 : s.length;
      if (pos + need > buf.length) {
        const b = new Uint8Array(Math.max(buf.length * 2, pos + need));
        b.set(buf.subarray(0, pos));
        buf = b;
      }
      if (typeof s === 'string') pos += encoder.encodeInto(s, buf.subarray(pos)).written;
      else {
        buf.set(s, pos);
        pos += s.length;
      }
    }
    offsets[i + 1] = pos;
  }
  const { bitmap: nullBitmap, nulls } = bitmap(v);
  const props = { length: n, nullCount: nulls, nullBitmap, valueOffsets: offsets, data: buf.subarray(0, pos) };
  return type instanceof arrow.Binary ? arrow.makeData({ ...props, type }) : arrow.makeData({ ...props, type });
}

const jsonReplacer = (_k: string, x: unknown): unknown => (typeof x === 'bigint' ? Number(x) : x instanceof Float32Array ? Array.from(x) : x);

/** Arrow data for one vector of IR type `t`. */
export function vecToArrow(v: Vec, t: DataType): arrow.Data {
  const type = arrowType(t);
  const n = v.length;
  const { bitmap: nullBitmap, nulls } = bitmap(v);
  const base = { length: n, nullCount: nulls, nullBitmap };
  switch (t.kind) {
    case 'bool': {
      const d = v.data as Uint8Array;
      const bits = new Uint8Array((n + 7) >> 3);
      for (let i = 0; i < n; i++) if (d[i] === 1) bits[i >> 3]! |= 1 << (i & 7);
      return arrow.makeData({ ...base, type: type as arrow.Bool, data: bits });
    }
    case 'int16':
      return arrow.makeData({ ...base, type: type as arrow.Int16, data: Int16Array.from(v.data as Int32Array) });
    case 'int32':
      return arrow.makeData({ ...base, type: type as arrow.Int32, data: v.data as Int32Array });
    case 'date':
      return arrow.makeData({ ...base, type: type as arrow.DateDay, data: v.data as Int32Array });
    case 'int64':
    case 'timestamp': {
      const out = new BigInt64Array(n);
      if (v.rep === 'big') {
        const d = v.data as bigint[];
        for (let i = 0; i < n; i++) out[i] = d[i]!;
      } else {
        const d = v.data as Float64Array;
        for (let i = 0; i < n; i++) out[i] = BigInt(d[i]!);
      }
      return arrow.makeData({ ...base, type: type as arrow.Int64, data: out });
    }
    case 'float32':
      return arrow.makeData({ ...base, type: type as arrow.Float32, data: Float32Array.from(v.data as Float64Array) });
    case 'float64':
      return arrow.makeData({ ...base, type: type as arrow.Float64, data: v.data as Float64Array });
    case 'decimal': {
      if (!(type instanceof arrow.Decimal)) return utf8Data(type as arrow.Utf8, v, (i) => valueAt(v, i) as string);
      const words = new Uint32Array(n * 4);
      const scale = type.scale;
      for (let i = 0; i < n; i++) {
        if (v.valid !== null && v.valid[i] === 0) continue;
        const p = parseDecimal(valueAt(v, i) as string)!;
        let x = BigInt.asUintN(128, rescaleBig(p.value, p.scale, scale));
        for (let w = 0; w < 4; w++) {
          words[i * 4 + w] = Number(x & 0xffffffffn);
          x >>= 32n;
        }
      }
      return arrow.makeData({ ...base, type: type as arrow.Decimal, data: words });
    }
    case 'interval': {
      const words = new Int32Array(n * 4);
      const d = v.data as (Interval | null)[];
      for (let i = 0; i < n; i++) {
        const iv = d[i];
        if (!iv) continue;
        words[i * 4] = iv.months;
        words[i * 4 + 1] = iv.days;
        const nanos = BigInt.asUintN(64, BigInt(iv.micros) * 1000n);
        words[i * 4 + 2] = Number(nanos & 0xffffffffn) | 0;
        words[i * 4 + 3] = Number(nanos >> 32n) | 0;
      }
      return arrow.makeData({ ...base, type: type as arrow.IntervalMonthDayNano, data: words });
    }
    case 'binary':
      return utf8Data(type as arrow.Binary, v, (i) => (v.data as Uint8Array[])[i]!);
    case 'utf8':
    case 'unknown':
    case 'uuid':
      return utf8Data(type as arrow.Utf8, v, (i) => (v.data as string[])[i]!);
    case 'null':
      return arrow.makeData({ type: type as arrow.Null, length: n, nullCount: n });
    default:
      return utf8Data(type as arrow.Utf8, v, (i) => JSON.stringify(valueAt(v, i), jsonReplacer));
  }
}

/** A RecordBatch of a chunk under the plan's schema. */
export function chunkToBatch(schema: Schema, arrowSch: arrow.Schema, c: Chunk): arrow.RecordBatch {
  const children = schema.map((col, j) => vecToArrow(c.columns[j]!, col.type));
  const struct = arrow.makeData({ type: new arrow.Struct(arrowSch.fields), length: c.length, nullCount: 0, children });
  const batch = new arrow.RecordBatch(arrowSch, struct);
  // The constructor re-derives the schema with Schema.assign, which merges fields of the same
  // name; SQL results may repeat a name (`SELECT a.id, b.id`), so keep our schema as built.
  Object.defineProperty(batch, 'schema', { value: arrowSch, enumerable: true });
  return batch;
}

/** The IR type a field was written with. */
export function fieldType(f: arrow.Field): DataType {
  const meta = f.metadata.get('orbit.type');
  return meta ? (JSON.parse(meta) as DataType) : { kind: 'utf8' };
}

/** Reads one cell back as an IR value (the conventions of `DataType`). */
export function cellValue(batch: arrow.RecordBatch, col: number, row: number): unknown {
  const vec = batch.getChildAt(col)!;
  if (!vec.isValid(row)) return null;
  const t = fieldType(batch.schema.fields[col]!);
  const data = vec.data[0]!;
  switch (t.kind) {
    case 'int64':
      return (data.values as BigInt64Array)[row]!;
    case 'timestamp':
      return Number((data.values as BigInt64Array)[row]!);
    case 'date':
      return (data.values as Int32Array)[row]!;
    case 'decimal': {
      if (!(data.type instanceof arrow.Decimal)) return vec.get(row) as string;
      const w = data.values as Uint32Array;
      let x = 0n;
      for (let k = 3; k >= 0; k--) x = (x << 32n) | BigInt(w[row * 4 + k]!);
      return formatScaled(BigInt.asIntN(128, x), data.type.scale);
    }
    case 'interval': {
      const w = data.values as Int32Array;
      const nanos = BigInt.asIntN(64, (BigInt(w[row * 4 + 3]!) << 32n) | BigInt(w[row * 4 + 2]! >>> 0));
      return { months: w[row * 4]!, days: w[row * 4 + 1]!, micros: Number(nanos / 1000n) };
    }
    case 'float32':
    case 'float64':
    case 'int16':
    case 'int32':
    case 'bool':
      return vec.get(row) as unknown;
    case 'binary':
      return vec.get(row) as Uint8Array;
    case 'utf8':
    case 'unknown':
    case 'uuid':
      return vec.get(row) as string;
    case 'null':
      return null;
    default:
      return JSON.parse(vec.get(row) as string) as unknown;
  }
}

/** All rows of a batch as arrays of IR values. */
export function batchRows(batch: arrow.RecordBatch): unknown[][] {
  const out: unknown[][] = [];
  const w = batch.numCols;
  for (let i = 0; i < batch.numRows; i++) {
    const row = new Array<unknown>(w);
    for (let j = 0; j < w; j++) row[j] = cellValue(batch, j, i);
    out.push(row);
  }
  return out;
}
