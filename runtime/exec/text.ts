// PostgreSQL's text forms of every type: output (value → text) and input (text → value).

import type { DataType, Interval } from '../../compiler/ir/types.ts';
import { typeName } from '../../compiler/ir/types.ts';
import { fail } from './errors.ts';
import { formatDate, formatInterval, formatTimestamp, parseDate, parseInterval, parseTimestamp } from './datetime.ts';
import { formatScaled, parseDecimal } from './decimal.ts';

/** float8out/float4out: shortest exact digits, scientific when the exponent is < -4 or ≥ 15 (6 for real). */
export function formatFloat(x: number, digits = 15): string {
  if (Number.isNaN(x)) return 'NaN';
  if (x === Infinity) return 'Infinity';
  if (x === -Infinity) return '-Infinity';
  if (x === 0) return Object.is(x, -0) ? '-0' : '0';
  const exp = Math.floor(Math.log10(Math.abs(x)));
  const e = x.toExponential();
  const [mant, ex] = e.split('e') as [string, string];
  const realExp = Number(ex);
  void exp;
  if (realExp < -4 || realExp >= digits) {
    const sign = realExp < 0 ? '-' : '+';
    return `${mant}e${sign}${String(Math.abs(realExp)).padStart(2, '0')}`;
  }
  return String(x);
}

function formatFloat4(x: number): string {
  if (!Number.isFinite(x)) return formatFloat(x);
  const short = Number(Math.fround(x).toPrecision(9));
  for (let p = 1; p <= 9; p++) {
    const c = Number(x.toPrecision(p));
    if (Math.fround(c) === Math.fround(x)) return formatFloat(c, 6);
  }
  return formatFloat(short, 6);
}

function quoteArrayElem(s: string): string {
  if (s === '' || /[{},"\\\s]/.test(s) || s.toUpperCase() === 'NULL') return '"' + s.replace(/(["\\])/g, '\\$1') + '"';
  return s;
}

/** jsonb's text form: `{"a": 1, "b": [1, 2]}`; json keeps the compact form. */
export function jsonText(v: unknown, binary: boolean): string {
  if (!binary) return JSON.stringify(v);
  if (v === null || typeof v !== 'object') return JSON.stringify(v);
  if (Array.isArray(v)) return '[' + v.map((x) => jsonText(x, true)).join(', ') + ']';
  const o = v as Record<string, unknown>;
  return '{' + Object.keys(o).map((k) => JSON.stringify(k) + ': ' + jsonText(o[k], true)).join(', ') + '}';
}

/** PostgreSQL's output text of an IR value of type `t` (null stays null). */
export function textOf(v: unknown, t: DataType): string | null {
  if (v === null || v === undefined) return null;
  switch (t.kind) {
    case 'bool':
      return v ? 'true' : 'false';
    case 'int16':
    case 'int32':
    case 'int64':
      return String(v);
    case 'float64':
      return formatFloat(v as number);
    case 'float32':
      return formatFloat4(v as number);
    case 'decimal':
      return String(v);
    case 'date':
      return formatDate(v as number);
    case 'timestamp':
      return formatTimestamp(v as number, t.tz);
    case 'interval':
      return formatInterval(v as Interval);
    case 'json':
      return jsonText(v, t.binary);
    case 'binary': {
      const b = v as Uint8Array;
      let s = '\\x';
      for (const x of b) s += x.toString(16).padStart(2, '0');
      return s;
    }
    case 'list':
      return '{' + (v as unknown[]).map((x) => (x === null ? 'NULL' : quoteArrayElem(textOf(x, t.element)!))).join(',') + '}';
    case 'struct':
      return '(' + t.fields.map((f) => {
        const x = (v as Record<string, unknown>)[f.name];
        if (x === null || x === undefined) return '';
        const s = textOf(x, f.type)!;
        return /[(),"\\\s]/.test(s) || s === '' ? '"' + s.replace(/(["\\])/g, '$1$1') + '"' : s;
      }).join(',') + ')';
    case 'vector':
      return '[' + Array.from(v as Float32Array).join(',') + ']';
    default:
      return typeof v === 'string' ? v : JSON.stringify(v);
  }
}

const INT_RE = /^\s*[+-]?\d+\s*$/;
const RANGES = {
  int16: [-32768, 32767],
  int32: [-2147483648, 2147483647],
} as const;

/** The out-of-range message PostgreSQL gives for an integer type. */
export const outOfRange = (t: DataType): string => (t.kind === 'int16' ? 'smallint out of range' : t.kind === 'int32' ? 'integer out of range' : 'bigint out of range');

const UUID_RE = /^\{?([0-9a-f]{8})-?([0-9a-f]{4})-?([0-9a-f]{4})-?([0-9a-f]{4})-?([0-9a-f]{12})\}?$/i;

/** A vector of `t`'s dimension from numbers (numeric values or their text); anything else is an error. */
export function vectorOf(items: readonly unknown[], t: DataType & { kind: 'vector' }): Float32Array {
  if (items.length !== t.dimension) fail('invalid_parameter_value', `expected ${t.dimension} dimensions, not ${items.length}`);
  const out = new Float32Array(items.length);
  items.forEach((x, i) => {
    if (x === null || x === undefined) fail('invalid_parameter_value', 'a vector must not contain NULLs');
    const n = typeof x === 'number' || typeof x === 'bigint' || (typeof x === 'string' && x.trim() !== '') ? Number(x) : NaN;
    if (!Number.isFinite(n)) fail('invalid_parameter_value', `a vector must hold finite numbers, not ${JSON.stringify(typeof x === 'bigint' ? String(x) : x)}`);
    out[i] = n;
  });
  return out;
}

/** Parses PostgreSQL input text into an IR value of type `t`, with PostgreSQL's error messages. */
export function parseText(s: string, t: DataType): unknown {
  const bad = (): never => fail('invalid_text_representation', `invalid input syntax for type ${typeName(t)}: "${s}"`);
  switch (t.kind) {
    case 'bool': {
      const x = s.trim().toLowerCase();
      if (x === '') bad();
      if ('true'.startsWith(x) || 'yes'.startsWith(x) || x === 'on' || x === '1') return true;
      if ('false'.startsWith(x) || 'no'.startsWith(x) || x === 'off' || x === 'of' || x === '0') return false;
      return bad();
    }
    case 'int16':
    case 'int32': {
      if (!INT_RE.test(s)) bad();
      const n = Number(s);
      const [lo, hi] = RANGES[t.kind];
      if (n < lo || n > hi) fail('numeric_value_out_of_range', `value "${s}" is out of range for type ${typeName(t)}`);
      return n;
    }
    case 'int64': {
      if (!INT_RE.test(s)) bad();
      const n = BigInt(s.trim());
      if (n < -(2n ** 63n) || n >= 2n ** 63n) fail('numeric_value_out_of_range', `value "${s}" is out of range for type bigint`);
      return n;
    }
    case 'float32':
    case 'float64': {
      const x = s.trim().toLowerCase();
      if (x === 'nan') return NaN;
      if (x === 'infinity' || x === 'inf' || x === '+infinity' || x === '+inf') return Infinity;
      if (x === '-infinity' || x === '-inf') return -Infinity;
      if (!/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/.test(x)) bad();
      const n = Number(x);
      if (!Number.isFinite(n)) fail('numeric_value_out_of_range', `"${s}" is out of range for type ${typeName(t)}`);
      return t.kind === 'float32' ? Math.fround(n) : n;
    }
    case 'decimal': {
      const p = parseDecimal(s);
      if (!p) return fail('invalid_text_representation', `invalid input syntax for type numeric: "${s}"`);
      return formatScaled(p.value, Math.max(0, p.scale));
    }
    case 'date':
      return parseDate(s);
    case 'timestamp':
      return parseTimestamp(s, t.tz);
    case 'interval':
      return parseInterval(s);
    case 'uuid': {
      const m = UUID_RE.exec(s.trim());
      if (!m) bad();
      const g = m as RegExpExecArray;
      return `${g[1]}-${g[2]}-${g[3]}-${g[4]}-${g[5]}`.toLowerCase();
    }
    case 'json':
      try {
        return JSON.parse(s) as unknown;
      } catch {
        return fail('invalid_text_representation', `invalid input syntax for type ${t.binary ? 'json' : 'json'}`, { detail: `Token "${s}" is invalid.` });
      }
    case 'binary': {
      if (s.startsWith('\\x')) {
        const hex = s.slice(2);
        if (!/^([0-9a-f]{2})*$/i.test(hex)) bad();
        const out = new Uint8Array(hex.length / 2);
        for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16);
        return out;
      }
      return new TextEncoder().encode(s);
    }
    case 'utf8':
    case 'unknown':
      return s;
    case 'list':
      return parseArrayText(s, t.element);
    case 'vector': {
      // pgvector's text form, `[1,2,3]`.
      let items: unknown;
      try {
        items = JSON.parse(s) as unknown;
      } catch {
        return bad();
      }
      return Array.isArray(items) ? vectorOf(items, t) : bad();
    }
    default:
      return fail('feature_not_supported', `cannot cast text to ${typeName(t)}`);
  }
}

function parseArrayText(s: string, el: DataType): unknown[] {
  const x = s.trim();
  if (!x.startsWith('{') || !x.endsWith('}')) fail('invalid_text_representation', `malformed array literal: "${s}"`);
  const body = x.slice(1, -1);
  const out: unknown[] = [];
  if (body.trim() === '') return out;
  let i = 0;
  while (i <= body.length) {
    while (body[i] === ' ') i++;
    let item = '';
    let quoted = false;
    if (body[i] === '"') {
      quoted = true;
      i++;
      while (i < body.length && body[i] !== '"') {
        if (body[i] === '\\') i++;
        item += body[i];
        i++;
      }
      i++;
    } else {
      while (i < body.length && body[i] !== ',') item += body[i++];
      item = item.trim();
    }
    out.push(!quoted && item.toUpperCase() === 'NULL' ? null : parseText(item, el));
    while (i < body.length && body[i] !== ',') i++;
    i++;
  }
  return out;
}
