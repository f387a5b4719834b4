// Compile-time conversion of literal text to IR runtime values (PostgreSQL input syntax for each type).

import { dateFromText, intervalFromText, timestampFromText } from '../ir/datetime.ts';
import type { DataType, Interval } from '../ir/types.ts';

/** A converted value, or why the text is not valid input for the type. */
export type Converted = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly error: 'syntax' | 'range' | 'datetime' };

const ok = (value: unknown): Converted => ({ ok: true, value });
const bad = (error: 'syntax' | 'range' | 'datetime'): Converted => ({ ok: false, error });

const INT_LIMITS = { int16: [-32768n, 32767n], int32: [-2147483648n, 2147483647n], int64: [-9223372036854775808n, 9223372036854775807n] } as const;

/** A date from text (PostgreSQL's input syntax), or undefined when it is not one. */
export function parseDate(text: string): number | undefined {
  const r = dateFromText(text);
  return typeof r === 'number' ? r : undefined;
}

/** A timestamp from text; an offset counts only `with time zone`, as PostgreSQL reads it. */
export function parseTimestamp(text: string, tz = false): number | undefined {
  const r = timestampFromText(text, tz);
  return typeof r === 'number' ? r : undefined;
}

/** PostgreSQL interval input (see `intervalFromText`); `qualifier` is the unit of a bare number. */
export const parseInterval = (text: string, qualifier?: string): Interval | undefined => intervalFromText(text, qualifier);

/** Canonical decimal text (`-12.50`, `0.5`, exponent expanded), or undefined if not a number. */
export function canonicalDecimal(text: string): string | undefined {
  const m = /^\s*([+-])?(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?\s*$/.exec(text);
  if (!m || (m[2] === '' && (m[3] ?? '') === '')) return undefined;
  const neg = m[1] === '-';
  let int = m[2] ?? '';
  let frac = m[3] ?? '';
  const exp = m[4] ? Number(m[4]) : 0;
  if (exp > 0) {
    const take = frac.slice(0, exp).padEnd(exp, '0');
    int += take;
    frac = frac.slice(exp);
  } else if (exp < 0) {
    const k = -exp;
    const padded = int.padStart(k + 1, '0');
    frac = padded.slice(padded.length - k) + frac;
    int = padded.slice(0, padded.length - k);
  }
  int = int.replace(/^0+(?=\d)/, '') || '0';
  const body = frac ? `${int}.${frac}` : int;
  return neg && /[1-9]/.test(body) ? `-${body}` : body;
}

/** Converts literal text to a value of `type`; undefined when the type has no compile-time conversion. */
export function convertText(text: string, type: DataType): Converted | undefined {
  switch (type.kind) {
    case 'utf8':
      return ok(text);
    case 'bool': {
      const t = text.trim().toLowerCase();
      if (['t', 'true', 'y', 'yes', 'on', '1'].includes(t)) return ok(true);
      if (['f', 'false', 'n', 'no', 'off', '0'].includes(t)) return ok(false);
      return bad('syntax');
    }
    case 'int16':
    case 'int32':
    case 'int64': {
      if (!/^\s*[+-]?\d+\s*$/.test(text)) return bad('syntax');
      const v = BigInt(text.trim());
      const [lo, hi] = INT_LIMITS[type.kind];
      if (v < lo || v > hi) return bad('range');
      return ok(type.kind === 'int64' ? v : Number(v));
    }
    case 'float32':
    case 'float64': {
      const t = text.trim().toLowerCase();
      if (t === 'nan') return ok(NaN);
      if (t === 'infinity' || t === '+infinity' || t === 'inf') return ok(Infinity);
      if (t === '-infinity' || t === '-inf') return ok(-Infinity);
      if (!/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/.test(t)) return bad('syntax');
      const v = Number(t);
      return ok(type.kind === 'float32' ? Math.fround(v) : v);
    }
    case 'decimal': {
      const d = canonicalDecimal(text);
      return d === undefined ? bad('syntax') : ok(type.scale !== undefined ? roundDecimal(d, type.scale) : d);
    }
    case 'date': {
      const d = parseDate(text);
      return d === undefined ? bad('datetime') : ok(d);
    }
    case 'timestamp': {
      const t = parseTimestamp(text, type.tz);
      return t === undefined ? bad('datetime') : ok(t);
    }
    case 'interval': {
      const i = parseInterval(text);
      return i === undefined ? bad('datetime') : ok(i);
    }
    case 'uuid': {
      const u = text.trim().toLowerCase().replace(/^\{|\}$/g, '');
      const compact = u.replace(/-/g, '');
      if (!/^[0-9a-f]{32}$/.test(compact)) return bad('syntax');
      return ok(`${compact.slice(0, 8)}-${compact.slice(8, 12)}-${compact.slice(12, 16)}-${compact.slice(16, 20)}-${compact.slice(20)}`);
    }
    case 'json':
      try {
        return ok(JSON.parse(text));
      } catch {
        return bad('syntax');
      }
    case 'binary': {
      if (text.startsWith('\\x')) {
        const hex = text.slice(2);
        if (!/^([0-9a-fA-F]{2})*$/.test(hex)) return bad('syntax');
        const out = new Uint8Array(hex.length / 2);
        for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16);
        return ok(out);
      }
      return ok(new TextEncoder().encode(text));
    }
    case 'list': {
      const items = parseArrayText(text);
      if (!items) return bad('syntax');
      const out: unknown[] = [];
      for (const item of items) {
        if (item === null) {
          out.push(null);
          continue;
        }
        const c = convertText(item, type.element);
        if (!c) return undefined;
        if (!c.ok) return c;
        out.push(c.value);
      }
      return ok(out);
    }
    default:
      return undefined;
  }
}

/** Splits a one-dimensional array literal `{a,"b c",NULL}` into element texts (null for unquoted NULL). */
export function parseArrayText(text: string): (string | null)[] | undefined {
  const s = text.trim();
  if (!s.startsWith('{') || !s.endsWith('}')) return undefined;
  const body = s.slice(1, -1);
  if (body.trim() === '') return [];
  const out: (string | null)[] = [];
  let i = 0;
  while (i <= body.length) {
    while (body[i] === ' ') i++;
    if (body[i] === '"') {
      let v = '';
      i++;
      while (i < body.length && body[i] !== '"') {
        if (body[i] === '\\') i++;
        v += body[i] ?? '';
        i++;
      }
      if (body[i] !== '"') return undefined;
      i++;
      out.push(v);
    } else {
      let j = i;
      while (j < body.length && body[j] !== ',') j++;
      const raw = body.slice(i, j).trim();
      if (raw === '' || raw.includes('{') || raw.includes('"')) return undefined;
      out.push(raw.toUpperCase() === 'NULL' ? null : raw);
      i = j;
    }
    while (body[i] === ' ') i++;
    if (i >= body.length) break;
    if (body[i] !== ',') return undefined;
    i++;
  }
  return out;
}

/** Rounds canonical decimal text half away from zero to `scale` digits, as numeric(p,s) input does. */
export function roundDecimal(text: string, scale: number): string {
  const neg = text.startsWith('-');
  const [int, frac = ''] = (neg ? text.slice(1) : text).split('.');
  if (frac.length <= scale) return `${neg ? '-' : ''}${int}${scale ? '.' + frac.padEnd(scale, '0') : ''}`;
  const digits = BigInt(int! + frac.slice(0, scale)) + (Number(frac[scale]) >= 5 ? 1n : 0n);
  const s = digits.toString().padStart(scale + 1, '0');
  const body = scale ? `${s.slice(0, s.length - scale)}.${s.slice(s.length - scale)}` : s;
  return neg && /[1-9]/.test(body) ? `-${body}` : body;
}
