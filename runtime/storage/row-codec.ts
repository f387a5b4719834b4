// Row codec: stored row bytes ⇄ value arrays, directed by the table's physical column types.
//
// Layout: varint column count, a null bitmap (one bit per column), then each non-null value in
// column order: fixed-width little-endian numbers, varint-length-prefixed UTF-8/bytes for
// variable-width types, nested lists/structs recursively in the same scheme. The count lets rows
// written before an ADD COLUMN be read after it (missing trailing columns take their fill value).

import type { DataType, Interval } from '../../compiler/ir/types.ts';
import { arenaCopy } from './arena.ts';
import { KeyWriter } from './keys.ts';

/** The key encoder's growable buffer plus varints for lengths and counts. */
class RowWriter extends KeyWriter {
  varint(n: number): void {
    this.ensure(5);
    while (n >= 0x80) {
      this.buf[this.pos++] = (n & 0x7f) | 0x80;
      n >>>= 7;
    }
    this.buf[this.pos++] = n;
  }
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const w = new RowWriter(4096);

/** Encodes a row of `types.length` values; the result is a fresh copy safe to keep. */
export function encodeRow(types: readonly DataType[], values: readonly unknown[]): Uint8Array {
  w.pos = 0;
  writeTuple(types, values);
  return arenaCopy(w.buf, w.pos);
}

function writeTuple(types: readonly DataType[], values: readonly unknown[]): void {
  const n = types.length;
  w.varint(n);
  const bitmapAt = w.pos;
  const bitmapLen = (n + 7) >> 3;
  w.ensure(bitmapLen);
  w.buf.fill(0, bitmapAt, bitmapAt + bitmapLen);
  w.pos += bitmapLen;
  for (let i = 0; i < n; i++) {
    const v = values[i];
    if (v === null || v === undefined) {
      w.buf[bitmapAt + (i >> 3)]! |= 1 << (i & 7);
      continue;
    }
    writeValue(types[i]!, v);
  }
}

function writeValue(t: DataType, v: unknown): void {
  switch (t.kind) {
    case 'bool':
      w.ensure(1);
      w.buf[w.pos++] = v ? 1 : 0;
      return;
    case 'int16':
      w.ensure(2);
      w.view.setInt16(w.pos, v as number, true);
      w.pos += 2;
      return;
    case 'int32':
    case 'date':
      w.ensure(4);
      w.view.setInt32(w.pos, v as number, true);
      w.pos += 4;
      return;
    case 'int64':
      w.ensure(8);
      w.view.setBigInt64(w.pos, typeof v === 'bigint' ? v : BigInt(v as number), true);
      w.pos += 8;
      return;
    case 'float32':
      w.ensure(4);
      w.view.setFloat32(w.pos, v as number, true);
      w.pos += 4;
      return;
    case 'float64':
    case 'timestamp':
      w.ensure(8);
      w.view.setFloat64(w.pos, v as number, true);
      w.pos += 8;
      return;
    case 'uuid': {
      const hex = (v as string).replace(/-/g, '');
      w.ensure(16);
      for (let i = 0; i < 16; i++) w.buf[w.pos + i] = parseInt(hex.substr(i * 2, 2), 16);
      w.pos += 16;
      return;
    }
    case 'interval': {
      const iv = v as Interval;
      w.ensure(16);
      w.view.setInt32(w.pos, iv.months, true);
      w.view.setInt32(w.pos + 4, iv.days, true);
      w.view.setFloat64(w.pos + 8, iv.micros, true);
      w.pos += 16;
      return;
    }
    case 'binary': {
      const b = v as Uint8Array;
      w.varint(b.length);
      w.ensure(b.length);
      w.buf.set(b, w.pos);
      w.pos += b.length;
      return;
    }
    case 'vector': {
      const f = v as Float32Array;
      w.varint(f.length);
      w.ensure(f.length * 4);
      for (let i = 0; i < f.length; i++) w.view.setFloat32(w.pos + i * 4, f[i]!, true);
      w.pos += f.length * 4;
      return;
    }
    case 'list': {
      const a = v as readonly unknown[];
      const types = new Array<DataType>(a.length).fill(t.element);
      writeTuple(types, a);
      return;
    }
    case 'struct': {
      const o = v as Record<string, unknown>;
      writeTuple(
        t.fields.map((f) => f.type),
        t.fields.map((f) => o[f.name]),
      );
      return;
    }
    case 'json':
      writeString(JSON.stringify(v));
      return;
    default:
      writeString(typeof v === 'string' ? v : String(v));
  }
}

function writeString(s: string): void {
  const n = s.length;
  if (n < 128) {
    // Short ASCII strings (the common case) skip TextEncoder: one length byte, then the chars.
    w.ensure(1 + n);
    const start = w.pos + 1;
    let i = 0;
    for (; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c >= 0x80) break;
      w.buf[start + i] = c;
    }
    if (i === n) {
      w.buf[w.pos] = n;
      w.pos = start + n;
      return;
    }
  }
  w.ensure(5 + n * 3);
  const lenAt = w.pos;
  const res = encoder.encodeInto(s, w.buf.subarray(lenAt + 5));
  const len = res.written;
  w.varint(len);
  w.buf.copyWithin(w.pos, lenAt + 5, lenAt + 5 + len);
  w.pos += len;
}

// Numbers are read through one scratch buffer rather than a DataView over the row: rows arrive as
// fresh small Buffers, and touching `.buffer` on each one makes Bun materialize an ArrayBuffer.
const scratch = new ArrayBuffer(8);
const s8 = new Uint8Array(scratch);
const sF64 = new Float64Array(scratch);
const sF32 = new Float32Array(scratch);
const sI64 = new BigInt64Array(scratch);
if (new Uint8Array(new Uint16Array([1]).buffer)[0] !== 1) throw new Error('row codec assumes a little-endian host');

function load(buf: Uint8Array, pos: number, n: number): void {
  for (let i = 0; i < n; i++) s8[i] = buf[pos + i]!;
}

/** A cursor over row bytes (exported for the columnar decoder in columns.ts, which reuses one). */
export class RowReader {
  pos = 0;
  constructor(public buf: Uint8Array) {}
  varint(): number {
    let n = 0;
    let shift = 0;
    for (;;) {
      const b = this.buf[this.pos++]!;
      n |= (b & 0x7f) << shift;
      if (b < 0x80) return n >>> 0;
      shift += 7;
    }
  }
  i16(): number {
    const b = this.buf;
    const p = this.pos;
    this.pos += 2;
    return ((b[p]! | (b[p + 1]! << 8)) << 16) >> 16;
  }
  i32(): number {
    const b = this.buf;
    const p = this.pos;
    this.pos += 4;
    return b[p]! | (b[p + 1]! << 8) | (b[p + 2]! << 16) | (b[p + 3]! << 24);
  }
  f32(): number {
    load(this.buf, this.pos, 4);
    this.pos += 4;
    return sF32[0]!;
  }
  f64(): number {
    load(this.buf, this.pos, 8);
    this.pos += 8;
    return sF64[0]!;
  }
  i64(): bigint {
    load(this.buf, this.pos, 8);
    this.pos += 8;
    return sI64[0]!;
  }
}

/**
 * Decodes a row into an array of `types.length` values; columns beyond the stored count take
 * `fill[i]`. The input may be a volatile buffer: nothing returned aliases it.
 */
export function decodeRow(types: readonly DataType[], bytes: Uint8Array, fill?: readonly unknown[]): unknown[] {
  const r = new RowReader(bytes);
  const out = readTuple(r, types);
  for (let i = out.length; i < types.length; i++) out.push(fill?.[i] ?? null);
  return out;
}

function readTuple(r: RowReader, types: readonly DataType[]): unknown[] {
  const stored = r.varint();
  const bitmapAt = r.pos;
  r.pos += (stored + 7) >> 3;
  const n = Math.min(stored, types.length);
  const out = new Array<unknown>(n);
  for (let i = 0; i < n; i++) {
    out[i] = r.buf[bitmapAt + (i >> 3)]! & (1 << (i & 7)) ? null : readValue(r, types[i]!);
  }
  return out;
}

/** Reads one non-null value of type `t` at the reader's position and advances past it. */
export function readValue(r: RowReader, t: DataType): unknown {
  switch (t.kind) {
    case 'bool':
      return r.buf[r.pos++] === 1;
    case 'int16':
      return r.i16();
    case 'int32':
    case 'date':
      return r.i32();
    case 'int64':
      return r.i64();
    case 'float32':
      return r.f32();
    case 'float64':
    case 'timestamp':
      return r.f64();
    case 'uuid': {
      let s = '';
      for (let i = 0; i < 16; i++) {
        s += HEX[r.buf[r.pos + i]!]!;
        if (i === 3 || i === 5 || i === 7 || i === 9) s += '-';
      }
      r.pos += 16;
      return s;
    }
    case 'interval': {
      const months = r.i32();
      const days = r.i32();
      return { months, days, micros: r.f64() } satisfies Interval;
    }
    case 'binary': {
      const n = r.varint();
      const b = new Uint8Array(n);
      b.set(r.buf.subarray(r.pos, r.pos + n));
      r.pos += n;
      return b;
    }
    case 'vector': {
      const n = r.varint();
      const f = new Float32Array(n);
      for (let i = 0; i < n; i++) f[i] = r.f32();
      return f;
    }
    case 'list': {
      const n = peekCount(r);
      return readTuple(r, new Array<DataType>(n).fill(t.element));
    }
    case 'struct': {
      const vals = readTuple(
        r,
        t.fields.map((f) => f.type),
      );
      const o: Record<string, unknown> = {};
      t.fields.forEach((f, i) => (o[f.name] = vals[i] ?? null));
      return o;
    }
    case 'json':
      return JSON.parse(readString(r));
    default:
      return readString(r);
  }
}

function peekCount(r: RowReader): number {
  const at = r.pos;
  const n = r.varint();
  r.pos = at;
  return n;
}

function readString(r: RowReader): string {
  const n = r.varint();
  const start = r.pos;
  r.pos += n;
  // Char-by-char concatenation beats TextDecoder only for very short strings (measured under Bun).
  if (n <= 8) {
    const buf = r.buf;
    let out = '';
    let i = start;
    for (; i < start + n; i++) {
      const c = buf[i]!;
      if (c >= 0x80) break;
      out += String.fromCharCode(c);
    }
    if (i === start + n) return out;
  }
  return decoder.decode(r.buf.subarray(start, start + n));
}

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));
