// Order-preserving binary key encoding: memcmp order of encoded keys equals SQL order of the values.
//
// Every component starts with a tag byte: 0x00 for NULL (NULLs sort first), 0x01 for a value.
// Payloads are self-delimiting, so a composite key is the concatenation of its components and
// compares in tuple order. Equal SQL values encode to equal bytes (so unique indexes see
// -0 = 0, 1.50 = 1.5 and '1 month' = '30 days' as duplicates, as PostgreSQL does); decoding
// returns the canonical member of each such class.

import type { DataType, Interval } from '../../compiler/ir/types.ts';
import { arenaCopy } from './arena.ts';

const NULL_TAG = 0x00;
const VALUE_TAG = 0x01;

/** A growable byte buffer reused across encodes; `finish()` copies out the result. */
export class KeyWriter {
  buf: Uint8Array;
  view: DataView;
  pos = 0;
  constructor(size = 256) {
    this.buf = new Uint8Array(size);
    this.view = new DataView(this.buf.buffer);
  }
  reset(): this {
    this.pos = 0;
    return this;
  }
  ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }
  byte(b: number): void {
    this.ensure(1);
    this.buf[this.pos++] = b;
  }
  bytes(b: Uint8Array): void {
    this.ensure(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
  }
  u32(v: number): void {
    this.ensure(4);
    this.view.setUint32(this.pos, v);
    this.pos += 4;
  }
  finish(): Uint8Array {
    return arenaCopy(this.buf, this.pos);
  }
}

const shared = new KeyWriter(1024);

/** Encodes a tuple of values of the given types, after an optional prefix (a relation id). */
export function encodeKey(types: readonly DataType[], values: readonly unknown[], prefix?: Uint8Array): Uint8Array {
  const w = shared.reset();
  if (prefix) w.bytes(prefix);
  for (let i = 0; i < values.length; i++) writeComponent(w, types[i]!, values[i]);
  return w.finish();
}

/** Appends one tagged component (NULL or a value of type `t`). */
export function writeComponent(w: KeyWriter, t: DataType, v: unknown): void {
  if (v === null || v === undefined) {
    w.byte(NULL_TAG);
    return;
  }
  w.byte(VALUE_TAG);
  writeValue(w, t, v);
}

function writeValue(w: KeyWriter, t: DataType, v: unknown): void {
  switch (t.kind) {
    case 'bool':
      w.byte(v ? 1 : 0);
      return;
    case 'int16':
      w.ensure(2);
      w.view.setUint16(w.pos, (Number(v) + 0x8000) & 0xffff);
      w.pos += 2;
      return;
    case 'int32':
    case 'date':
      w.ensure(4);
      w.view.setUint32(w.pos, (Number(v) ^ 0x80000000) >>> 0);
      w.pos += 4;
      return;
    case 'int64':
      w.ensure(8);
      w.view.setBigInt64(w.pos, typeof v === 'bigint' ? v : BigInt(v as number));
      w.buf[w.pos]! ^= 0x80;
      w.pos += 8;
      return;
    case 'float32':
    case 'float64':
    case 'timestamp':
      writeFloat(w, Number(v));
      return;
    case 'decimal':
      writeDecimal(w, String(v));
      return;
    case 'utf8':
    case 'unknown':
      writeString(w, v as string);
      return;
    case 'binary':
      writeEscaped(w, v as Uint8Array, 0, (v as Uint8Array).length);
      return;
    case 'uuid':
      writeUuid(w, v as string);
      return;
    case 'interval': {
      const iv = v as Interval;
      writeFloat(w, (iv.months * 30 + iv.days) * DAY_MICROS + iv.micros);
      return;
    }
    case 'json':
      writeString(w, canonicalJson(v));
      return;
    case 'list':
      for (const e of v as readonly unknown[]) {
        w.byte(0x01);
        writeComponent(w, t.element, e);
      }
      w.byte(0x00);
      return;
    case 'struct': {
      const o = v as Record<string, unknown>;
      for (const f of t.fields) writeComponent(w, f.type, o[f.name]);
      return;
    }
    case 'vector':
      for (const x of v as Float32Array) writeFloat(w, x);
      return;
    default:
      throw new TypeError(`type ${t.kind} cannot be part of a key`);
  }
}

const DAY_MICROS = 86_400_000_000;

/** IEEE-754 bits made memcmp-ordered: NaN (canonical) after +Infinity, -0 folded into 0. */
function writeFloat(w: KeyWriter, x: number): void {
  w.ensure(8);
  const p = w.pos;
  if (Number.isNaN(x)) {
    w.view.setUint32(p, 0xfff80000);
    w.view.setUint32(p + 4, 0);
  } else {
    w.view.setFloat64(p, x === 0 ? 0 : x);
    if (w.buf[p]! & 0x80) for (let i = 0; i < 8; i++) w.buf[p + i] = ~w.buf[p + i]! & 0xff;
    else w.buf[p]! ^= 0x80;
  }
  w.pos += 8;
}

/**
 * Strings: UTF-8 (so memcmp is code point order = C collation) with 0x00 escaped as 0x00 0xFF
 * and the end marked by 0x00 0x01, which sorts below every continuation.
 */
function writeString(w: KeyWriter, s: string): void {
  w.ensure(s.length * 4 + 2);
  const buf = w.buf;
  let p = w.pos;
  for (let i = 0; i < s.length; i++) {
    let c = s.charCodeAt(i);
    if (c < 0x80) {
      if (c === 0) {
        buf[p++] = 0;
        buf[p++] = 0xff;
      } else buf[p++] = c;
      continue;
    }
    if (c < 0x800) {
      buf[p++] = 0xc0 | (c >> 6);
      buf[p++] = 0x80 | (c & 0x3f);
      continue;
    }
    if (c >= 0xd800 && c < 0xdc00 && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d < 0xe000) {
        c = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
        i++;
        buf[p++] = 0xf0 | (c >> 18);
        buf[p++] = 0x80 | ((c >> 12) & 0x3f);
        buf[p++] = 0x80 | ((c >> 6) & 0x3f);
        buf[p++] = 0x80 | (c & 0x3f);
        continue;
      }
    }
    if (c >= 0xd800 && c < 0xe000) c = 0xfffd;
    buf[p++] = 0xe0 | (c >> 12);
    buf[p++] = 0x80 | ((c >> 6) & 0x3f);
    buf[p++] = 0x80 | (c & 0x3f);
  }
  buf[p++] = 0;
  buf[p++] = 1;
  w.pos = p;
}

function writeEscaped(w: KeyWriter, b: Uint8Array, start: number, end: number): void {
  w.ensure((end - start) * 2 + 2);
  const buf = w.buf;
  let p = w.pos;
  for (let i = start; i < end; i++) {
    const c = b[i]!;
    buf[p++] = c;
    if (c === 0) buf[p++] = 0xff;
  }
  buf[p++] = 0;
  buf[p++] = 1;
  w.pos = p;
}

function writeUuid(w: KeyWriter, s: string): void {
  const hex = s.replace(/-/g, '');
  if (hex.length !== 32) throw new TypeError(`invalid uuid ${s}`);
  w.ensure(16);
  for (let i = 0; i < 16; i++) w.buf[w.pos + i] = parseInt(hex.substr(i * 2, 2), 16);
  w.pos += 16;
}

/** Decimal classes in key order. */
const DEC_NEG_INF = 0x01;
const DEC_NEG = 0x02;
const DEC_ZERO = 0x03;
const DEC_POS = 0x04;
const DEC_POS_INF = 0x05;
const DEC_NAN = 0x06;

/** A decimal string split into sign, significant digits (no leading/trailing zeros) and exponent. */
interface DecimalParts {
  readonly negative: boolean;
  readonly digits: string;
  /** Position of the decimal point relative to the first significant digit (123.4 → 3, 0.01 → -1). */
  readonly exponent: number;
}

function parseDecimal(s: string): DecimalParts | 'zero' {
  const m = /^\s*([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?\s*$/.exec(s);
  if (!m || (m[2] === '' && (m[3] ?? '') === '')) throw new TypeError(`invalid numeric ${s}`);
  const intPart = m[2]!;
  let digits = intPart + (m[3] ?? '');
  let exponent = intPart.length + (m[4] ? parseInt(m[4], 10) : 0);
  let lead = 0;
  while (lead < digits.length && digits.charCodeAt(lead) === 48) lead++;
  digits = digits.slice(lead);
  exponent -= lead;
  let end = digits.length;
  while (end > 0 && digits.charCodeAt(end - 1) === 48) end--;
  digits = digits.slice(0, end);
  if (digits === '') return 'zero';
  return { negative: m[1] === '-', digits, exponent };
}

/**
 * Decimals: class byte, then exponent (order-preserving int32) and digit pairs (each byte
 * 1 + 10·d1 + d2, terminated by 0x00); negatives invert exponent and digit bytes so that a
 * larger magnitude sorts first.
 */
function writeDecimal(w: KeyWriter, s: string): void {
  const special = s.trim().toLowerCase();
  if (special === 'nan') return w.byte(DEC_NAN);
  if (special === 'infinity' || special === '+infinity' || special === 'inf') return w.byte(DEC_POS_INF);
  if (special === '-infinity' || special === '-inf') return w.byte(DEC_NEG_INF);
  const d = parseDecimal(s);
  if (d === 'zero') return w.byte(DEC_ZERO);
  const flip = d.negative ? 0xff : 0;
  w.byte(d.negative ? DEC_NEG : DEC_POS);
  w.ensure(4 + (d.digits.length >> 1) + 2);
  w.view.setUint32(w.pos, ((d.exponent ^ 0x80000000) >>> 0) ^ (d.negative ? 0xffffffff : 0));
  w.pos += 4;
  for (let i = 0; i < d.digits.length; i += 2) {
    const hi = d.digits.charCodeAt(i) - 48;
    const lo = i + 1 < d.digits.length ? d.digits.charCodeAt(i + 1) - 48 : 0;
    w.buf[w.pos++] = (1 + hi * 10 + lo) ^ flip;
  }
  w.buf[w.pos++] = flip;
}

/** JSON with object keys sorted, so equal documents encode equally. */
function canonicalJson(v: unknown): string {
  return JSON.stringify(v, (_k, x: unknown) => {
    if (x === null || typeof x !== 'object' || Array.isArray(x)) return x;
    const o = x as Record<string, unknown>;
    return Object.fromEntries(Object.keys(o).sort().map((k) => [k, o[k]]));
  });
}

// ─── Decoding ────────────────────────────────────────────────────────────────

/** A cursor over encoded key bytes. */
export class KeyReader {
  readonly view: DataView;
  constructor(
    readonly buf: Uint8Array,
    public pos = 0,
  ) {
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }
}

/** Decodes a tuple of `types.length` components starting at `offset` (after any prefix). */
export function decodeKey(types: readonly DataType[], bytes: Uint8Array, offset = 0): unknown[] {
  const r = new KeyReader(bytes, offset);
  return types.map((t) => readComponent(r, t));
}

export function readComponent(r: KeyReader, t: DataType): unknown {
  const tag = r.buf[r.pos++];
  if (tag === NULL_TAG) return null;
  return readValue(r, t);
}

function readValue(r: KeyReader, t: DataType): unknown {
  switch (t.kind) {
    case 'bool':
      return r.buf[r.pos++] === 1;
    case 'int16': {
      const v = r.view.getUint16(r.pos) - 0x8000;
      r.pos += 2;
      return v;
    }
    case 'int32':
    case 'date': {
      const v = (r.view.getUint32(r.pos) ^ 0x80000000) | 0;
      r.pos += 4;
      return v;
    }
    case 'int64': {
      const hi = (r.view.getUint32(r.pos) ^ 0x80000000) | 0;
      const lo = r.view.getUint32(r.pos + 4);
      r.pos += 8;
      return (BigInt(hi) << 32n) | BigInt(lo);
    }
    case 'float32':
    case 'float64':
    case 'timestamp':
      return readFloat(r);
    case 'decimal':
      return readDecimal(r);
    case 'utf8':
    case 'unknown':
      return utf8.decode(readEscaped(r));
    case 'binary':
      return readEscaped(r);
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
      const total = readFloat(r);
      const days = Math.trunc(total / DAY_MICROS);
      return { months: 0, days, micros: total - days * DAY_MICROS } satisfies Interval;
    }
    case 'json':
      return JSON.parse(utf8.decode(readEscaped(r)));
    case 'list': {
      const out: unknown[] = [];
      while (r.buf[r.pos++] === 0x01) out.push(readComponent(r, t.element));
      return out;
    }
    case 'struct': {
      const o: Record<string, unknown> = {};
      for (const f of t.fields) o[f.name] = readComponent(r, f.type);
      return o;
    }
    case 'vector': {
      const v = new Float32Array(t.dimension);
      for (let i = 0; i < t.dimension; i++) v[i] = readFloat(r);
      return v;
    }
    default:
      throw new TypeError(`type ${t.kind} cannot be part of a key`);
  }
}

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));
const utf8 = new TextDecoder();

function readFloat(r: KeyReader): number {
  const b = new Uint8Array(8);
  b.set(r.buf.subarray(r.pos, r.pos + 8));
  r.pos += 8;
  if (b[0]! & 0x80) b[0]! ^= 0x80;
  else for (let i = 0; i < 8; i++) b[i] = ~b[i]! & 0xff;
  return new DataView(b.buffer).getFloat64(0);
}

function readEscaped(r: KeyReader): Uint8Array {
  const out: number[] = [];
  const buf = r.buf;
  for (;;) {
    const c = buf[r.pos++]!;
    if (c !== 0) {
      out.push(c);
      continue;
    }
    const next = buf[r.pos++];
    if (next === 0x01) break;
    out.push(0);
  }
  return Uint8Array.from(out);
}

function readDecimal(r: KeyReader): string {
  const cls = r.buf[r.pos++];
  if (cls === DEC_ZERO) return '0';
  if (cls === DEC_NAN) return 'NaN';
  if (cls === DEC_POS_INF) return 'Infinity';
  if (cls === DEC_NEG_INF) return '-Infinity';
  const negative = cls === DEC_NEG;
  const flip = negative ? 0xff : 0;
  const exponent = ((r.view.getUint32(r.pos) ^ (negative ? 0xffffffff : 0)) ^ 0x80000000) | 0;
  r.pos += 4;
  let digits = '';
  for (;;) {
    const b = r.buf[r.pos++]! ^ flip;
    if (b === 0) break;
    const pair = b - 1;
    digits += String.fromCharCode(48 + Math.floor(pair / 10), 48 + (pair % 10));
  }
  if (digits.endsWith('0')) digits = digits.slice(0, -1);
  let text: string;
  if (exponent <= 0) text = `0.${'0'.repeat(-exponent)}${digits}`;
  else if (exponent >= digits.length) text = digits + '0'.repeat(exponent - digits.length);
  else text = `${digits.slice(0, exponent)}.${digits.slice(exponent)}`;
  return negative ? `-${text}` : text;
}

/** The canonical form a decimal takes after a key round trip (trailing fractional zeros dropped). */
export function canonicalDecimal(s: string): string {
  const w = new KeyWriter(64);
  writeDecimal(w, s);
  return readDecimal(new KeyReader(w.finish()));
}

// ─── Byte helpers ────────────────────────────────────────────────────────────

/** memcmp order, shorter first on a common prefix (LMDB's default key order). */
export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = a.length < b.length ? a.length : b.length;
  for (let i = 0; i < n; i++) {
    const d = a[i]! - b[i]!;
    if (d !== 0) return d;
  }
  return a.length - b.length;
}

/** The smallest key greater than every key starting with `prefix` (undefined if none exists). */
export function prefixEnd(prefix: Uint8Array): Uint8Array | undefined {
  const out = prefix.slice();
  for (let i = out.length - 1; i >= 0; i--) {
    if (out[i] !== 0xff) {
      out[i]!++;
      return out.subarray(0, i + 1);
    }
  }
  return undefined;
}

/** Four-byte big-endian relation/index id, the first component of every stored key. */
export function idPrefix(id: number): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, id);
  return b;
}

/** Keys as Map keys: a latin1 string of the bytes. */
export function keyString(k: Uint8Array): string {
  if (k.length <= 512) return String.fromCharCode.apply(null, k as unknown as number[]);
  let s = '';
  for (let i = 0; i < k.length; i += 512) s += String.fromCharCode.apply(null, k.subarray(i, i + 512) as unknown as number[]);
  return s;
}
