// IR values ⇄ PostgreSQL wire formats: type OIDs and typmods, text and binary output, binary parameter input.
import type { DataType, Interval } from '../../compiler/index.ts';
import { formatValue, typeOid } from '../../runtime/index.ts';
import { ByteReader, ByteWriter, utf8 } from '../kit/bytes.ts';
import { ProtocolViolation } from './codec.ts';

// Type OIDs are the engine's (its pg_type view reports the same ones); the protocol re-exports them.
export { typeModifier, typeOfOid, typeOid, typeSize } from '../../runtime/index.ts';

/** Microseconds and days between the Unix epoch and PostgreSQL's (2000-01-01). */
const PG_EPOCH_MICROS = 946_684_800_000_000n;
const PG_EPOCH_DAYS = 10_957;

/** Writes one value as a DataRow field: int32 length then bytes, -1 for NULL. */
export function writeField(w: ByteWriter, v: unknown, t: DataType, binary: boolean): void {
  if (v === null || v === undefined) {
    w.i32(-1);
    return;
  }
  const at = w.length;
  w.i32(0);
  if (binary) writeBinary(w, v, t);
  else w.text(formatValue(v, t) ?? '');
  w.patch32(at, w.length - at - 4);
}

/** The binary send format of each type (PostgreSQL's *send functions). */
function writeBinary(w: ByteWriter, v: unknown, t: DataType): void {
  switch (t.kind) {
    case 'bool': w.u8(v ? 1 : 0); return;
    case 'int16': w.i16(v as number); return;
    case 'int32': w.i32(v as number); return;
    case 'int64': w.i64(BigInt(v as bigint | number)); return;
    case 'float32': w.f32(v as number); return;
    case 'float64': w.f64(v as number); return;
    case 'binary': w.bytes(v as Uint8Array); return;
    case 'date': w.i32((v as number) - PG_EPOCH_DAYS); return;
    case 'timestamp': w.i64(BigInt(Math.round(v as number)) - PG_EPOCH_MICROS); return;
    case 'uuid': w.bytes(uuidBytes(v as string)); return;
    case 'interval': {
      const iv = v as Interval;
      w.i64(BigInt(Math.round(iv.micros))).i32(iv.days).i32(iv.months);
      return;
    }
    case 'decimal': writeNumeric(w, v as string); return;
    case 'json':
      if (t.binary) w.u8(1);
      w.text(formatValue(v, t) ?? '');
      return;
    case 'list': writeArray(w, v as readonly unknown[], t.element); return;
    default: w.text(formatValue(v, t) ?? '');
  }
}

/** array_send for one-dimensional arrays with lower bound 1. */
function writeArray(w: ByteWriter, items: readonly unknown[], element: DataType): void {
  const hasNull = items.some((x) => x === null || x === undefined);
  w.i32(1).i32(hasNull ? 1 : 0).i32(typeOid(element)).i32(items.length).i32(1);
  for (const x of items) writeField(w, x, element, true);
}

function uuidBytes(s: string): Uint8Array {
  const hex = s.replace(/-/g, '');
  const out = new Uint8Array(16);
  for (let i = 0; i < 16; i++) out[i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return out;
}

/** numeric_send: base-10000 digits with weight, sign and display scale. */
function writeNumeric(w: ByteWriter, s: string): void {
  if (s === 'NaN') {
    w.i16(0).i16(0).i16(0xc000 - 0x10000).i16(0);
    return;
  }
  const neg = s.startsWith('-');
  const abs = neg || s.startsWith('+') ? s.slice(1) : s;
  const [intPart = '0', frac = ''] = abs.split('.');
  const dscale = frac.length;
  // Pad the integer part on the left and the fraction on the right to whole base-10000 groups.
  const ip = intPart.replace(/^0+/, '');
  const intPadded = ip.padStart(Math.ceil(ip.length / 4) * 4, '0');
  const fracPadded = frac.padEnd(Math.ceil(frac.length / 4) * 4, '0');
  const digits: number[] = [];
  for (let i = 0; i < intPadded.length; i += 4) digits.push(Number(intPadded.slice(i, i + 4)));
  for (let i = 0; i < fracPadded.length; i += 4) digits.push(Number(fracPadded.slice(i, i + 4)));
  let weight = intPadded.length / 4 - 1;
  while (digits.length > 0 && digits[0] === 0) {
    digits.shift();
    weight--;
  }
  while (digits.length > 0 && digits[digits.length - 1] === 0) digits.pop();
  if (digits.length === 0) weight = 0;
  w.i16(digits.length).i16(weight).i16(neg && digits.length > 0 ? 0x4000 : 0).i16(dscale);
  for (const d of digits) w.i16(d);
}

function readNumeric(r: ByteReader): string {
  const n = r.i16();
  const weight = r.i16();
  const sign = r.i16() & 0xffff;
  const dscale = r.i16();
  if (sign === 0xc000) return 'NaN';
  if (n < 0 || dscale < 0 || (sign !== 0 && sign !== 0x4000)) throw new ProtocolViolation('invalid external "numeric" value', '22P03');
  const digits: number[] = [];
  for (let i = 0; i < n; i++) {
    const d = r.i16();
    if (d < 0 || d > 9999) throw new ProtocolViolation('invalid digit in external "numeric" value', '22P03');
    digits.push(d);
  }
  let intPart = '';
  for (let i = 0; i <= weight; i++) intPart += (digits[i] ?? 0).toString().padStart(4, '0');
  let frac = '';
  for (let i = weight + 1; frac.length < dscale; i++) frac += i < 0 ? '0000' : (digits[i] ?? 0).toString().padStart(4, '0');
  intPart = intPart.replace(/^0+/, '') || '0';
  const body = dscale > 0 ? `${intPart}.${frac.slice(0, dscale)}` : intPart;
  return sign === 0x4000 ? `-${body}` : body;
}

/**
 * A binary-format parameter → the IR value of `t` (PostgreSQL's *recv functions). A text-format
 * parameter stays a string: the engine parses it with the type's text input.
 */
export function decodeBinaryParam(bytes: Uint8Array, t: DataType): unknown {
  const r = new ByteReader(bytes);
  const v = readBinary(r, t, bytes);
  if (r.remaining !== 0) throw new ProtocolViolation(`incorrect binary data format in bind parameter`, '22P03');
  return v;
}

function readBinary(r: ByteReader, t: DataType, whole: Uint8Array): unknown {
  const view = new DataView(whole.buffer, whole.byteOffset, whole.byteLength);
  const need = (n: number): void => {
    if (r.remaining < n) throw new ProtocolViolation('insufficient data left in message', '08P01');
  };
  switch (t.kind) {
    case 'bool': return r.u8() !== 0;
    case 'int16': return r.i16();
    case 'int32': return r.i32();
    case 'int64': {
      need(8);
      const v = view.getBigInt64(r.pos);
      r.pos += 8;
      return v;
    }
    case 'float32': {
      need(4);
      const v = view.getFloat32(r.pos);
      r.pos += 4;
      return v;
    }
    case 'float64': {
      need(8);
      const v = view.getFloat64(r.pos);
      r.pos += 8;
      return v;
    }
    case 'date': return r.i32() + PG_EPOCH_DAYS;
    case 'timestamp': {
      need(8);
      const v = view.getBigInt64(r.pos) + PG_EPOCH_MICROS;
      r.pos += 8;
      return Number(v);
    }
    case 'interval': {
      need(8);
      const micros = Number(view.getBigInt64(r.pos));
      r.pos += 8;
      const days = r.i32();
      return { micros, days, months: r.i32() } satisfies Interval;
    }
    case 'uuid': {
      const b = r.bytes(16);
      const hex = [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
      return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
    }
    case 'binary': return r.bytes(r.remaining).slice();
    case 'decimal': return readNumeric(r);
    case 'json': {
      if (t.binary && r.u8() !== 1) throw new ProtocolViolation('unsupported jsonb version number', '22P03');
      return utf8.decode(r.bytes(r.remaining));
    }
    case 'list': {
      const ndim = r.i32();
      r.i32();
      r.i32();
      if (ndim === 0) return [];
      if (ndim !== 1) throw new ProtocolViolation('only one-dimensional array parameters are supported', '0A000');
      const n = r.i32();
      r.i32();
      if (n < 0) throw new ProtocolViolation('invalid array length', '22P03');
      const out: unknown[] = [];
      for (let i = 0; i < n; i++) {
        const len = r.i32();
        if (len === -1) out.push(null);
        else {
          const item = r.bytes(len);
          out.push(decodeBinaryParam(item, t.element));
        }
      }
      return out;
    }
    default: return utf8.decode(r.bytes(r.remaining));
  }
}
