// Row-at-a-time scalar kernels keyed by registry name: the generic path for every function the
// vectorized kernels (kernels.ts) do not specialize.

import type { DataType, Interval, OidKind } from '../../compiler/ir/types.ts';
import { typeName } from '../../compiler/ir/types.ts';
import { toJsonValue } from './cast.ts';
import { compareValues } from './compare.ts';
import {
  US_PER_DAY, addInterval, age, dateTrunc, daysFromCivil, extractField, extractFromInterval, multiplyInterval,
  subtractTimestamps, toChar,
} from './datetime.ts';
import { bigPow10, decimalFromFloat, divBig, divScale, formatScaled, parseDecimal, rescaleBig, roundBig, truncBig } from './decimal.ts';
import { fail } from './errors.ts';
import { outOfRange, textOf } from './text.ts';

/** A compiled row kernel: `strict` ones return NULL for any NULL argument without being called. */
export interface RowFn {
  readonly strict: boolean;
  readonly fn: (args: unknown[]) => unknown;
}

/** What PostgreSQL's session and system-information functions report; the engine provides it per session. */
export interface SystemFacts {
  readonly user: string;
  readonly database: string;
  readonly pid: number;
  /** A setting's value; throws 42704 for an unknown name. */
  setting(name: string): string;
  /** Changes a setting for the session and returns its new value. */
  setSetting(name: string, value: string): string;
  /** format_type(): the SQL name of a type OID with its modifier, NULL for an unknown OID. */
  formatType(oid: number, typmod: number): string | null;
  /** pg_get_indexdef / pg_get_constraintdef of an index or constraint OID. */
  definition(oid: number): string | null;
  /** reg* output (regclassout and its siblings): the name of the object with this OID, the number when none has it, `-` for 0. */
  objectName(kind: OidKind, oid: number): string;
  /** reg* input (regclassin and its siblings): the OID a name (or a number, the OID itself) denotes; throws when nothing has the name. */
  objectId(kind: OidKind, name: string): number;
}

/** Facts fixed for one statement that kernels may read. */
export interface FnEnv {
  /** Statement timestamp, µs since epoch. */
  readonly now: number;
  /** Session facts; absent when running outside a session (offline tools), where defaults apply. */
  readonly system?: SystemFacts;
  /** Draws from a sequence (storage's `nextval`). */
  nextval(sequence: string): bigint;
  /** The value nextval last returned for a sequence in this statement. */
  currval(sequence: string): bigint;
}

type Factory = (argTypes: readonly DataType[], rt: DataType, env: FnEnv) => RowFn;

const strict = (fn: (a: unknown[]) => unknown): RowFn => ({ strict: true, fn });
const lax = (fn: (a: unknown[]) => unknown): RowFn => ({ strict: false, fn });

const chars = (s: string): string[] => Array.from(s);
const str = (v: unknown): string => v as string;
const int = (v: unknown): number => Number(v);

// ─── numeric helpers on IR values ──────────────────────────────────────────

const dec = (v: unknown): { value: bigint; scale: number } => parseDecimal(String(v))!;

const INT_LIMITS: Record<string, readonly [bigint, bigint]> = {
  int16: [-32768n, 32767n],
  int32: [-2147483648n, 2147483647n],
  int64: [-(2n ** 63n), 2n ** 63n - 1n],
};

function checkInt(b: bigint, t: DataType): number | bigint {
  const lim = INT_LIMITS[t.kind]!;
  if (b < lim[0] || b > lim[1]) fail('numeric_value_out_of_range', outOfRange(t));
  return t.kind === 'int64' ? b : Number(b);
}

/** Binary arithmetic on IR values of the result type `t` (used by non-vectorized paths). */
export function arith(op: string, a: unknown, b: unknown, t: DataType): unknown {
  switch (t.kind) {
    case 'int16':
    case 'int32':
    case 'int64': {
      const x = BigInt(a as number | bigint);
      const y = BigInt(b as number | bigint);
      switch (op) {
        case '+': return checkInt(x + y, t);
        case '-': return checkInt(x - y, t);
        case '*': return checkInt(x * y, t);
        case '/':
          if (y === 0n) fail('division_by_zero');
          return checkInt(x / y, t);
        case '%':
          if (y === 0n) fail('division_by_zero');
          return checkInt(x % y, t);
      }
      break;
    }
    case 'float32':
    case 'float64': {
      const x = Number(a);
      const y = Number(b);
      let r: number;
      switch (op) {
        case '+': r = x + y; break;
        case '-': r = x - y; break;
        case '*': r = x * y; break;
        case '/':
          if (y === 0) fail('division_by_zero');
          r = x / y;
          break;
        case '%': r = x % y; break;
        case '^': r = floatPower(x, y); break;
        default: r = NaN;
      }
      if (!Number.isFinite(r) && Number.isFinite(x) && Number.isFinite(y)) fail('numeric_value_out_of_range', 'value out of range: overflow');
      return t.kind === 'float32' ? Math.fround(r) : r;
    }
    case 'decimal': {
      const x = dec(a);
      const y = dec(b);
      switch (op) {
        case '+':
        case '-': {
          const s = Math.max(x.scale, y.scale);
          const p = rescaleBig(x.value, x.scale, s);
          const q = rescaleBig(y.value, y.scale, s);
          return formatScaled(op === '+' ? p + q : p - q, s);
        }
        case '*':
          return formatScaled(x.value * y.value, x.scale + y.scale);
        case '/': {
          if (y.value === 0n) fail('division_by_zero');
          const rs = divScale(x.value, x.scale, y.value, y.scale);
          return formatScaled(divBig(x.value, x.scale, y.value, y.scale, rs), rs);
        }
        case '%': {
          if (y.value === 0n) fail('division_by_zero');
          const s = Math.max(x.scale, y.scale);
          return formatScaled(rescaleBig(x.value, x.scale, s) % rescaleBig(y.value, y.scale, s), s);
        }
        case '^':
          return decimalPower(x, y);
      }
      break;
    }
    default:
      break;
  }
  return fail('internal_error', `no arithmetic ${op} for ${t.kind}`);
}

function floatPower(x: number, y: number): number {
  if (x === 0 && y < 0) fail('invalid_argument_for_power', 'zero raised to a negative power is undefined');
  if (x < 0 && !Number.isInteger(y)) fail('invalid_argument_for_power', 'a negative number raised to a non-integer power yields a complex result');
  return Math.pow(x, y);
}

function decimalPower(x: { value: bigint; scale: number }, y: { value: bigint; scale: number }): string {
  const bx = Number(x.value) / 10 ** x.scale;
  const by = Number(y.value) / 10 ** y.scale;
  if (y.scale === 0 || y.value % bigPow10(y.scale) === 0n) {
    const e = y.value / bigPow10(y.scale);
    if (e >= 0n && e <= 1000n) {
      const v = x.value ** e;
      return formatScaled(v, x.scale * Number(e)).replace(/(\.\d{16})\d+$/, '$1');
    }
  }
  const r = floatPower(bx, by);
  const p = decimalFromFloat(r);
  const s = Math.max(16, p.scale);
  return formatScaled(rescaleBig(p.value, p.scale, s), s);
}

function roundValue(v: unknown, digits: number, t: DataType, trunc: boolean): unknown {
  if (t.kind === 'decimal') {
    const x = dec(v);
    const r = trunc ? truncBig(x.value, x.scale, digits) : roundBig(x.value, x.scale, digits);
    return formatScaled(r.value, r.scale);
  }
  const x = Number(v);
  const m = 10 ** digits;
  if (trunc) return Math.trunc(x * m) / m;
  // float8 round() rounds half to even (rint), as PostgreSQL does.
  if (digits === 0) {
    const r = Math.round(x);
    return Math.abs(x - Math.trunc(x)) === 0.5 && r % 2 !== 0 ? r - 1 : r;
  }
  return Math.round(x * m) / m;
}

function decimalUnary(v: unknown, f: (value: bigint, scale: number) => bigint): string {
  const x = dec(v);
  return formatScaled(f(x.value, x.scale), 0);
}

// ─── LIKE ──────────────────────────────────────────────────────────────────

/** Translates a LIKE pattern (with its escape character) to an anchored RegExp. */
export function likeRegExp(pattern: string, ilike: boolean, escape = '\\'): RegExp {
  let re = '^';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (escape !== '' && c === escape) {
      i++;
      if (i >= pattern.length) fail('invalid_escape_sequence', 'LIKE pattern must not end with escape character');
      re += pattern[i]!.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
    } else if (c === '%') re += '[\\s\\S]*';
    else if (c === '_') re += '[\\s\\S]';
    else re += c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  }
  return new RegExp(re + '$', ilike ? 'isu' : 'su');
}

/** A LIKE matcher that caches the compiled pattern across rows. */
export function likeMatcher(ilike: boolean): (s: string, p: string, esc?: string) => boolean {
  let lastP: string | undefined;
  let lastE: string | undefined;
  let re: RegExp = /^$/;
  return (s, p, esc = '\\') => {
    if (p !== lastP || esc !== lastE) {
      re = likeRegExp(p, ilike, esc);
      lastP = p;
      lastE = esc;
    }
    return re.test(s);
  };
}

function pgRegExp(pattern: string, flags: string): RegExp {
  let f = 'u';
  if (flags.includes('g')) f += 'g';
  if (flags.includes('i')) f += 'i';
  try {
    return new RegExp(pattern, f);
  } catch (e) {
    return fail('invalid_regular_expression', `invalid regular expression: ${(e as Error).message}`);
  }
}

/** PostgreSQL's replacement text: \1..\9 are groups, \& the whole match. */
const pgReplacement = (r: string): string => r.replace(/\$/g, '$$$$').replace(/\\(\d)/g, '$$$1').replace(/\\&/g, '$$&').replace(/\\\\/g, '\\');

// ─── JSON ──────────────────────────────────────────────────────────────────

function jsonGet(v: unknown, key: unknown): unknown {
  if (v === null || typeof v !== 'object') return undefined;
  if (Array.isArray(v)) {
    if (typeof key !== 'number') return undefined;
    const i = key < 0 ? v.length + key : key;
    return v[i];
  }
  if (typeof key !== 'string') return undefined;
  return Object.prototype.hasOwnProperty.call(v, key) ? (v as Record<string, unknown>)[key] : undefined;
}

function jsonPath(v: unknown, path: readonly unknown[]): unknown {
  let cur: unknown = v;
  for (const p of path) {
    if (p === null) return undefined;
    const k = Array.isArray(cur) && /^-?\d+$/.test(String(p)) ? Number(p) : String(p);
    cur = jsonGet(cur, k);
    if (cur === undefined) return undefined;
  }
  return cur;
}

const jsonAsText = (v: unknown): string | null => (v === undefined || v === null ? null : typeof v === 'string' ? v : JSON.stringify(v));

function jsonContains(a: unknown, b: unknown): boolean {
  if (Array.isArray(a)) {
    if (!Array.isArray(b)) return a.some((x) => jsonContains(x, b) && typeof x !== 'object');
    return b.every((y) => a.some((x) => jsonContains(x, y)));
  }
  if (a !== null && typeof a === 'object') {
    if (b === null || typeof b !== 'object' || Array.isArray(b)) return false;
    return Object.entries(b as Record<string, unknown>).every(([k, y]) => Object.prototype.hasOwnProperty.call(a, k) && jsonContains((a as Record<string, unknown>)[k], y));
  }
  return a === b;
}

function buildObject(args: unknown[], types: readonly DataType[]): Record<string, unknown> {
  if (args.length % 2 !== 0) fail('invalid_parameter_value', 'argument list must have even number of elements');
  const o: Record<string, unknown> = {};
  for (let i = 0; i < args.length; i += 2) {
    if (args[i] === null) fail('invalid_parameter_value', 'argument 1: key must not be null');
    o[textOf(args[i], types[i]!)!] = toJsonValue(args[i + 1], types[i + 1]!);
  }
  return o;
}

// ─── dates ─────────────────────────────────────────────────────────────────

/** The start of the bucket of width `width` (fixed length: no months) holding `us`, buckets counted from `origin`. */
function timeBucket(width: Interval, us: number, origin: number): number {
  if (width.months !== 0) fail('invalid_parameter_value', 'time_bucket width must not contain months or years');
  const step = width.days * US_PER_DAY + width.micros;
  if (step <= 0) fail('invalid_parameter_value', 'time_bucket width must be positive');
  return origin + Math.floor((us - origin) / step) * step;
}

/** A vector's components: from a vector value, a numeric array or a JSON array of numbers. */
function vectorOf(v: unknown): number[] {
  const items = v instanceof Float32Array ? Array.from(v) : Array.isArray(v) ? v : undefined;
  const out = items?.map((x) => (typeof x === 'number' || typeof x === 'bigint' || (typeof x === 'string' && x.trim() !== '') ? Number(x) : NaN));
  if (!out || out.some((x) => Number.isNaN(x))) fail('invalid_parameter_value', 'a vector must be an array of numbers without NULLs');
  return out;
}

/** Sums `f` over the components of two vectors of the same dimension. */
function pairwise(a: unknown, b: unknown, f: (x: number, y: number) => number): number {
  const x = vectorOf(a);
  const y = vectorOf(b);
  if (x.length !== y.length) fail('invalid_parameter_value', `different vector dimensions ${x.length} and ${y.length}`);
  let s = 0;
  for (let i = 0; i < x.length; i++) s += f(x[i]!, y[i]!);
  return s;
}

function cosine(a: unknown, b: unknown): number {
  const dot = pairwise(a, b, (x, y) => x * y);
  const norms = Math.sqrt(pairwise(a, a, (x) => x * x)) * Math.sqrt(pairwise(b, b, (_x, y) => y * y));
  return norms === 0 ? NaN : dot / norms;
}

const asTimestamp = (v: unknown, t: DataType): number => (t.kind === 'date' ? (v as number) * US_PER_DAY : (v as number));

function datePart(field: string, v: unknown, t: DataType): number {
  if (t.kind === 'interval') return extractFromInterval(field, v as Interval);
  return extractField(field, asTimestamp(v, t), t.kind === 'date');
}

function numberResult(x: number, rt: DataType): unknown {
  if (rt.kind === 'decimal') {
    if (Number.isInteger(x)) return String(x);
    const p = decimalFromFloat(x);
    return formatScaled(p.value, p.scale);
  }
  return x;
}

/**
 * extract() returns numeric since PostgreSQL 14: seconds and epochs of timestamps keep six
 * fractional digits (`12.500000`), milliseconds three, other fields are whole numbers.
 */
function extractNumeric(field: string, v: unknown, t: DataType, rt: DataType): unknown {
  const f = field.toLowerCase();
  if (rt.kind === 'decimal' && (t.kind === 'timestamp' || t.kind === 'interval')) {
    const us = t.kind === 'timestamp' ? (v as number) : (v as Interval).micros;
    const inMinute = ((us % 60_000_000) + 60_000_000) % 60_000_000;
    if (f === 'second' || f === 'seconds') return formatScaled(BigInt(t.kind === 'timestamp' ? inMinute : us % 60_000_000), 6);
    if (f === 'millisecond' || f === 'milliseconds') return formatScaled(BigInt(t.kind === 'timestamp' ? inMinute : us % 60_000_000), 3);
    if (f === 'epoch' && t.kind === 'timestamp') return formatScaled(BigInt(us), 6);
  }
  return numberResult(datePart(field, v, t), rt);
}

/**
 * to_char(number, template) for the common template patterns: 9 (digit, blank when leading),
 * 0 (digit, zero when leading), . or D (point), , or G (group separator), S / MI (sign), FM (no
 * padding, no trailing zeros). Too many integer digits print as #, as in PostgreSQL.
 */
function toCharNumber(value: string, template: string): string {
  const fm = template.includes('FM');
  const fmt = template.replace(/FM/g, '');
  const point = fmt.search(/[.D]/);
  const intPart = point < 0 ? fmt : fmt.slice(0, point);
  const fracPart = point < 0 ? '' : fmt.slice(point + 1);
  const intPositions = (intPart.match(/[90]/g) ?? []).length;
  const fracPositions = (fracPart.match(/[90]/g) ?? []).length;
  const p = parseDecimal(value);
  if (!p) return value;
  const rounded = rescaleBig(p.value, p.scale, fracPositions);
  const neg = rounded < 0n;
  const digits = (neg ? -rounded : rounded).toString().padStart(fracPositions + 1, '0');
  let intDigits = digits.slice(0, digits.length - fracPositions);
  const fracDigits = digits.slice(digits.length - fracPositions);
  const overflow = intDigits.length > intPositions && !(intDigits === '0' && intPositions === 0);
  if (intDigits === '0' && !/0/.test(intPart) && fracPositions > 0) intDigits = '';
  let out = '';
  let pos = 0;
  let started = false;
  const lead = intPositions - intDigits.length;
  for (const ch of intPart) {
    if (ch === '9' || ch === '0') {
      const d = overflow ? '#' : pos < lead ? (ch === '0' || started ? '0' : '') : intDigits[pos - lead]!;
      if (d === '') out += fm ? '' : ' ';
      else {
        started = true;
        out += d;
      }
      pos++;
    } else if (ch === ',' || ch === 'G') out += started ? ',' : fm ? '' : ' ';
    else if (ch !== 'S' && ch !== 'M' && ch !== 'I') out += ch;
  }
  // The sign goes right before the first digit (a blank for positive numbers unless FM).
  const sign = neg ? '-' : fm ? '' : ' ';
  const firstDigit = out.search(/[^ ]/);
  out = firstDigit < 0 ? out + sign : out.slice(0, firstDigit) + sign + out.slice(firstDigit);
  if (point >= 0) {
    let frac = '';
    let i = 0;
    for (const ch of fracPart) {
      if (ch === '9' || ch === '0') frac += overflow ? '#' : fracDigits[i++]!;
      else frac += ch;
    }
    if (fm) frac = frac.replace(/0+$/, '');
    out += '.' + frac;
  }
  return out;
}

// ─── the table ─────────────────────────────────────────────────────────────

const trimChars = (s: string, set: string, left: boolean, right: boolean): string => {
  const cs = chars(s);
  const drop = new Set(chars(set));
  let a = 0;
  let b = cs.length;
  if (left) while (a < b && drop.has(cs[a]!)) a++;
  if (right) while (b > a && drop.has(cs[b - 1]!)) b--;
  return cs.slice(a, b).join('');
};

function substring(s: string, from: number, len?: number): string {
  const cs = chars(s);
  if (len !== undefined && len < 0) fail('invalid_parameter_value', 'negative substring length not allowed');
  const start = from - 1;
  const end = len === undefined ? cs.length : start + len;
  return cs.slice(Math.max(0, start), Math.max(0, end)).join('');
}

function pad(s: string, len: number, fill: string, left: boolean): string {
  const cs = chars(s);
  if (len <= cs.length) return cs.slice(0, Math.max(0, len)).join('');
  const f = chars(fill);
  if (f.length === 0) return s;
  const padding: string[] = [];
  for (let i = 0; padding.length < len - cs.length; i++) padding.push(f[i % f.length]!);
  return left ? padding.join('') + s : s + padding.join('');
}

/**
 * regclassin/regclassout and their siblings for types, functions and schemas; the session's
 * catalog answers. Without a session (offline tools) only numbers, the OIDs themselves, are read.
 */
function regFunctions(): Record<string, Factory> {
  const out: Record<string, Factory> = {};
  for (const kind of ['regclass', 'regtype', 'regproc', 'regnamespace'] as const) {
    out[`${kind}in`] = (_t, _rt, env) => strict((a) => (env.system ? env.system.objectId(kind, str(a[0])) : parseOid(str(a[0]))));
    out[`${kind}out`] = (_t, _rt, env) => strict((a) => (env.system ? env.system.objectName(kind, int(a[0])) : String(a[0])));
  }
  return out;
}

function parseOid(s: string): number {
  if (!/^\s*\d+\s*$/.test(s)) fail('invalid_text_representation', `invalid input syntax for type oid: "${s}"`);
  return Number(s);
}

const FACTORIES: Record<string, Factory> = {
  lower: () => strict((a) => str(a[0]).toLowerCase()),
  upper: () => strict((a) => str(a[0]).toUpperCase()),
  initcap: () => strict((a) => str(a[0]).toLowerCase().replace(/(^|[^a-z0-9])([a-z])/g, (_m, p: string, c: string) => p + c.toUpperCase())),
  length: (t) => strict((a) => (t[0]!.kind === 'binary' ? (a[0] as Uint8Array).length : chars(str(a[0])).length)),
  char_length: () => strict((a) => chars(str(a[0])).length),
  octet_length: (t) => strict((a) => (t[0]!.kind === 'binary' ? (a[0] as Uint8Array).length : new TextEncoder().encode(str(a[0])).length)),
  substring: (t) =>
    t[1]!.kind === 'utf8' || t[1]!.kind === 'unknown'
      ? strict((a) => {
          const m = pgRegExp(str(a[1]), '').exec(str(a[0]));
          if (!m) return null;
          return m.length > 1 ? (m[1] ?? null) : m[0];
        })
      : strict((a) => substring(str(a[0]), int(a[1]), a.length > 2 ? int(a[2]) : undefined)),
  substr: () => strict((a) => substring(str(a[0]), int(a[1]), a.length > 2 ? int(a[2]) : undefined)),
  position: () => strict((a) => {
    const i = str(a[1]).indexOf(str(a[0]));
    return i < 0 ? 0 : chars(str(a[1]).slice(0, i)).length + 1;
  }),
  strpos: () => strict((a) => {
    const i = str(a[0]).indexOf(str(a[1]));
    return i < 0 ? 0 : chars(str(a[0]).slice(0, i)).length + 1;
  }),
  trim: () => strict((a) => trimChars(str(a[0]), a.length > 1 ? str(a[1]) : ' ', true, true)),
  btrim: () => strict((a) => trimChars(str(a[0]), a.length > 1 ? str(a[1]) : ' ', true, true)),
  ltrim: () => strict((a) => trimChars(str(a[0]), a.length > 1 ? str(a[1]) : ' ', true, false)),
  rtrim: () => strict((a) => trimChars(str(a[0]), a.length > 1 ? str(a[1]) : ' ', false, true)),
  replace: () => strict((a) => (str(a[1]) === '' ? str(a[0]) : str(a[0]).split(str(a[1])).join(str(a[2])))),
  translate: () => strict((a) => {
    const from = chars(str(a[1]));
    const to = chars(str(a[2]));
    return chars(str(a[0])).map((c) => {
      const i = from.indexOf(c);
      return i < 0 ? c : (to[i] ?? '');
    }).join('');
  }),
  concat: (t) => lax((a) => a.map((x, i) => (x === null ? '' : textOf(x, t[i]!))).join('')),
  concat_ws: (t) => lax((a) => {
    if (a[0] === null) return null;
    const parts: string[] = [];
    for (let i = 1; i < a.length; i++) if (a[i] !== null) parts.push(textOf(a[i], t[i]!)!);
    return parts.join(str(a[0]));
  }),
  '||': (t, rt) => {
    if (rt.kind === 'list') {
      return strict((a) => {
        const x = t[0]!.kind === 'list' ? (a[0] as unknown[]) : [a[0]];
        const y = t[1]!.kind === 'list' ? (a[1] as unknown[]) : [a[1]];
        return [...x, ...y];
      });
    }
    if (rt.kind === 'json') return strict((a) => {
      const x = a[0];
      const y = a[1];
      if (Array.isArray(x) || Array.isArray(y)) return [...(Array.isArray(x) ? x : [x]), ...(Array.isArray(y) ? y : [y])];
      return { ...(x as object), ...(y as object) };
    });
    if (rt.kind === 'binary') return strict((a) => {
      const x = a[0] as Uint8Array;
      const y = a[1] as Uint8Array;
      const out = new Uint8Array(x.length + y.length);
      out.set(x);
      out.set(y, x.length);
      return out;
    });
    return strict((a) => textOf(a[0], t[0]!)! + textOf(a[1], t[1]!)!);
  },
  split_part: () => strict((a) => {
    const n = int(a[2]);
    if (n === 0) fail('invalid_parameter_value', 'field position must not be zero');
    const parts = str(a[1]) === '' ? [str(a[0])] : str(a[0]).split(str(a[1]));
    const i = n > 0 ? n - 1 : parts.length + n;
    return parts[i] ?? '';
  }),
  regexp_replace: () => strict((a) => str(a[0]).replace(pgRegExp(str(a[1]), a.length > 3 ? str(a[3]) : ''), pgReplacement(str(a[2])))),
  regexp_match: () => strict((a) => {
    const m = pgRegExp(str(a[1]), '').exec(str(a[0]));
    if (!m) return null;
    return m.length > 1 ? m.slice(1).map((x) => x ?? null) : [m[0]];
  }),
  left: () => strict((a) => {
    const cs = chars(str(a[0]));
    const n = int(a[1]);
    return (n >= 0 ? cs.slice(0, n) : cs.slice(0, Math.max(0, cs.length + n))).join('');
  }),
  right: () => strict((a) => {
    const cs = chars(str(a[0]));
    const n = int(a[1]);
    return (n >= 0 ? cs.slice(Math.max(0, cs.length - n)) : cs.slice(Math.min(cs.length, -n))).join('');
  }),
  lpad: () => strict((a) => pad(str(a[0]), int(a[1]), a.length > 2 ? str(a[2]) : ' ', true)),
  rpad: () => strict((a) => pad(str(a[0]), int(a[1]), a.length > 2 ? str(a[2]) : ' ', false)),
  repeat: () => strict((a) => str(a[0]).repeat(Math.max(0, int(a[1])))),
  reverse: () => strict((a) => chars(str(a[0])).reverse().join('')),
  starts_with: () => strict((a) => str(a[0]).startsWith(str(a[1]))),
  chr: () => strict((a) => {
    const n = int(a[0]);
    if (n === 0) fail('invalid_parameter_value', 'null character not permitted');
    return String.fromCodePoint(n);
  }),
  ascii: () => strict((a) => (str(a[0]) === '' ? 0 : str(a[0]).codePointAt(0)!)),
  to_hex: () => strict((a) => {
    const b = BigInt(a[0] as number | bigint);
    return (b < 0n ? (1n << (typeof a[0] === 'bigint' ? 64n : 32n)) + b : b).toString(16);
  }),
  md5: () => strict((a) => new Bun.CryptoHasher('md5').update(str(a[0])).digest('hex')),
  like: () => {
    const m = likeMatcher(false);
    return strict((a) => m(str(a[0]), str(a[1]), a.length > 2 ? str(a[2]) : '\\'));
  },
  ilike: () => {
    const m = likeMatcher(true);
    return strict((a) => m(str(a[0]), str(a[1]), a.length > 2 ? str(a[2]) : '\\'));
  },

  abs: (t) => strict((a) => {
    const k = t[0]!.kind;
    if (k === 'decimal') return String(a[0]).replace(/^-/, '');
    if (k === 'int64') {
      const b = a[0] as bigint;
      return checkInt(b < 0n ? -b : b, t[0]!);
    }
    const r = Math.abs(a[0] as number);
    if ((k === 'int32' || k === 'int16') && r === -Number(INT_LIMITS[k]![0])) fail('numeric_value_out_of_range', outOfRange(t[0]!));
    return r;
  }),
  round: (t) => strict((a) => roundValue(a[0], a.length > 1 ? int(a[1]) : 0, t[0]!, false)),
  trunc: (t) => strict((a) => roundValue(a[0], a.length > 1 ? int(a[1]) : 0, t[0]!, true)),
  ceil: (t) => strict((a) => (t[0]!.kind === 'decimal' ? decimalUnary(a[0], (v, s) => { const d = bigPow10(s); const q = v / d; return v > 0n && v % d !== 0n ? q + 1n : q; }) : Math.ceil(a[0] as number))),
  floor: (t) => strict((a) => (t[0]!.kind === 'decimal' ? decimalUnary(a[0], (v, s) => { const d = bigPow10(s); const q = v / d; return v < 0n && v % d !== 0n ? q - 1n : q; }) : Math.floor(a[0] as number))),
  sign: (t) => strict((a) => {
    if (t[0]!.kind === 'decimal') {
      const v = dec(a[0]).value;
      return v > 0n ? '1' : v < 0n ? '-1' : '0';
    }
    return Math.sign(Number(a[0]));
  }),
  power: (t, rt) => strict((a) => arith('^', a[0], a[1], rt.kind === 'decimal' ? rt : t[0]!)),
  sqrt: (_t, rt) => strict((a) => {
    const x = Number(a[0]);
    if (x < 0) fail('invalid_argument_for_power', 'cannot take square root of a negative number');
    return numberResult(Math.sqrt(x), rt);
  }),
  cbrt: () => strict((a) => Math.cbrt(Number(a[0]))),
  exp: (_t, rt) => strict((a) => numberResult(Math.exp(Number(a[0])), rt)),
  ln: (_t, rt) => strict((a) => {
    const x = Number(a[0]);
    if (x <= 0) fail('invalid_argument_for_log', x === 0 ? 'cannot take logarithm of zero' : 'cannot take logarithm of a negative number');
    return numberResult(Math.log(x), rt);
  }),
  log: (_t, rt) => strict((a) => {
    const x = Number(a[a.length - 1]);
    if (x <= 0) fail('invalid_argument_for_log', x === 0 ? 'cannot take logarithm of zero' : 'cannot take logarithm of a negative number');
    return numberResult(a.length > 1 ? Math.log(x) / Math.log(Number(a[0])) : Math.log10(x), rt);
  }),
  log10: (_t, rt) => strict((a) => numberResult(Math.log10(Number(a[0])), rt)),
  mod: (t) => strict((a) => arith('%', a[0], a[1], t[0]!)),
  div: () => strict((a) => {
    const x = dec(a[0]);
    const y = dec(a[1]);
    if (y.value === 0n) fail('division_by_zero');
    const s = Math.max(x.scale, y.scale);
    return formatScaled(rescaleBig(x.value, x.scale, s) / rescaleBig(y.value, y.scale, s), 0);
  }),
  pi: () => lax(() => Math.PI),
  random: () => lax(() => Math.random()),
  gen_random_uuid: () => lax(() => crypto.randomUUID()),
  now: (_t, _rt, env) => lax(() => env.now),
  current_timestamp: (_t, _rt, env) => lax(() => env.now),
  localtimestamp: (_t, _rt, env) => lax(() => env.now),
  clock_timestamp: () => lax(() => Date.now() * 1000),
  current_date: (_t, _rt, env) => lax(() => Math.floor(env.now / US_PER_DAY)),
  date_trunc: (t) => strict((a) => {
    if (t[1]!.kind === 'interval') {
      const iv = a[1] as Interval;
      const f = str(a[0]).toLowerCase();
      const order = ['microseconds', 'milliseconds', 'second', 'minute', 'hour', 'day', 'month', 'year'];
      const idx = order.indexOf(f.replace(/s$/, '') === 'microsecond' ? 'microseconds' : f.replace(/s$/, ''));
      const unit = [1, 1000, 1_000_000, 60_000_000, 3_600_000_000][Math.min(idx, 4)] ?? 1;
      if (idx >= 6) return { months: idx === 7 ? Math.trunc(iv.months / 12) * 12 : iv.months, days: 0, micros: 0 };
      if (idx === 5) return { months: iv.months, days: iv.days, micros: 0 };
      return { months: iv.months, days: iv.days, micros: Math.trunc(iv.micros / unit) * unit };
    }
    return dateTrunc(str(a[0]), asTimestamp(a[1], t[1]!));
  }),
  extract: (t, rt) => strict((a) => extractNumeric(str(a[0]), a[1], t[1]!, rt)),
  date_part: (t, rt) => strict((a) => numberResult(datePart(str(a[0]), a[1], t[1]!), rt)),
  age: (t, _rt, env) => strict((a) => (a.length === 1 ? age(Math.floor(env.now / US_PER_DAY) * US_PER_DAY, asTimestamp(a[0], t[0]!)) : age(asTimestamp(a[0], t[0]!), asTimestamp(a[1], t[1]!)))),
  make_date: () => strict((a) => daysFromCivil(int(a[0]), int(a[1]), int(a[2]))),
  make_interval: () => strict((a) => ({ months: int(a[0]) * 12 + int(a[1]), days: int(a[2]) * 7 + int(a[3]), micros: Math.round((int(a[4]) * 3600 + int(a[5]) * 60 + Number(a[6])) * 1e6) })),
  to_char: (t) => strict((a) => {
    const k = t[0]!.kind;
    if (k === 'timestamp' || k === 'date') return toChar(asTimestamp(a[0], t[0]!), str(a[1]));
    if (k === 'interval') return textOf(a[0], t[0]!);
    return toCharNumber(k === 'float32' || k === 'float64' ? String(a[0]) : textOf(a[0], t[0]!)!, str(a[1]));
  }),
  to_timestamp: () => strict((a) => Math.round(Number(a[0]) * 1e6)),
  to_json: (t) => strict((a) => toJsonValue(a[0], t[0]!)),
  to_jsonb: (t) => strict((a) => toJsonValue(a[0], t[0]!)),
  json_build_object: (t) => lax((a) => buildObject(a, t)),
  jsonb_build_object: (t) => lax((a) => buildObject(a, t)),
  json_build_array: (t) => lax((a) => a.map((x, i) => toJsonValue(x, t[i]!))),
  jsonb_build_array: (t) => lax((a) => a.map((x, i) => toJsonValue(x, t[i]!))),
  json_typeof: () => strict((a) => jsonTypeof(a[0])),
  jsonb_typeof: () => strict((a) => jsonTypeof(a[0])),
  jsonb_array_length: () => strict((a) => jsonArrayLength(a[0])),
  json_array_length: () => strict((a) => jsonArrayLength(a[0])),
  '->': () => strict((a) => jsonGet(a[0], a[1]) ?? null),
  '->>': () => strict((a) => jsonAsText(jsonGet(a[0], a[1]))),
  '#>': () => strict((a) => jsonPath(a[0], a[1] as unknown[]) ?? null),
  '#>>': () => strict((a) => jsonAsText(jsonPath(a[0], a[1] as unknown[]))),
  jsonb_extract_path: () => strict((a) => jsonPath(a[0], a.slice(1)) ?? null),
  object_keys: () => strict((a) => Object.keys(jsonObject(a[0]))),
  object_values: () => strict((a) => Object.values(jsonObject(a[0]))),
  object_entries: () => strict((a) => Object.entries(jsonObject(a[0]))),
  object_len: () => strict((a) => Object.keys(jsonObject(a[0])).length),
  jsonb_extract_path_text: () => strict((a) => jsonAsText(jsonPath(a[0], a.slice(1)))),
  '@>': (t) => strict((a) => (t[0]!.kind === 'list' ? (a[1] as unknown[]).every((y) => (a[0] as unknown[]).some((x) => x !== null && y !== null && compareValues(x, y, (t[0] as { element: DataType }).element) === 0)) : jsonContains(a[0], a[1]))),
  '<@': (t) => strict((a) => (t[0]!.kind === 'list' ? (a[0] as unknown[]).every((y) => (a[1] as unknown[]).some((x) => x !== null && y !== null && compareValues(x, y, (t[0] as { element: DataType }).element) === 0)) : jsonContains(a[1], a[0]))),
  '?': () => strict((a) => {
    const v = a[0];
    if (Array.isArray(v)) return v.includes(a[1]);
    return v !== null && typeof v === 'object' && Object.prototype.hasOwnProperty.call(v, str(a[1]));
  }),
  array_length: () => strict((a) => ((a[0] as unknown[]).length === 0 || int(a[1]) !== 1 ? null : (a[0] as unknown[]).length)),
  cardinality: () => strict((a) => (a[0] as unknown[]).length),
  array_append: () => lax((a) => [...((a[0] as unknown[] | null) ?? []), a[1]]),
  array_prepend: () => lax((a) => [a[0], ...((a[1] as unknown[] | null) ?? [])]),
  array_cat: () => lax((a) => (a[0] === null ? a[1] : a[1] === null ? a[0] : [...(a[0] as unknown[]), ...(a[1] as unknown[])])),
  array_position: (t) => strict((a) => {
    const i = (a[0] as unknown[]).findIndex((x) => x !== null && compareValues(x, a[1], t[1]!) === 0);
    return i < 0 ? null : i + 1;
  }),
  array_to_string: (t) => strict((a) => (a[0] as unknown[]).filter((x) => x !== null).map((x) => textOf(x, (t[0] as { element: DataType }).element)).join(str(a[1]))),
  string_to_array: () => strict((a) => str(a[0]).split(str(a[1]))),
  time_bucket: () => strict((a) => timeBucket(a[0] as Interval, a[1] as number, a.length > 2 ? (a[2] as number) : 0)),
  cosine_distance: () => strict((a) => 1 - cosine(a[0], a[1])),
  cosine_similarity: () => strict((a) => cosine(a[0], a[1])),
  l2_distance: () => strict((a) => Math.sqrt(pairwise(a[0], a[1], (x, y) => (x - y) ** 2))),
  l1_distance: () => strict((a) => pairwise(a[0], a[1], (x, y) => Math.abs(x - y))),
  inner_product: () => strict((a) => pairwise(a[0], a[1], (x, y) => x * y)),
  negative_inner_product: () => strict((a) => -pairwise(a[0], a[1], (x, y) => x * y)),
  vector_dims: () => strict((a) => vectorOf(a[0]).length),
  vector_norm: () => strict((a) => Math.sqrt(vectorOf(a[0]).reduce((s, x) => s + x * x, 0))),
  nextval: (_t, _rt, env) => strict((a) => env.nextval(str(a[0]))),
  currval: (_t, _rt, env) => strict((a) => env.currval(str(a[0]))),
  pg_typeof: (t) => lax(() => typeName(t[0]!)),
  version: () => lax(() => 'PostgreSQL 16.0 (Orbit)'),
  current_schema: () => lax(() => 'public'),
  current_user: (_t, _rt, env) => lax(() => env.system?.user ?? 'orbit'),
  current_database: (_t, _rt, env) => lax(() => env.system?.database ?? 'orbit'),
  pg_backend_pid: (_t, _rt, env) => lax(() => env.system?.pid ?? 0),
  current_setting: (t, _rt, env) =>
    strict((a) => {
      if (!env.system) return fail('feature_not_supported', 'current_setting() needs a session');
      // current_setting(name, missing_ok): an unknown setting gives NULL instead of an error.
      if (t.length === 2 && a[1] === true) {
        try {
          return env.system.setting(str(a[0]));
        } catch {
          return null;
        }
      }
      return env.system.setting(str(a[0]));
    }),
  set_config: (_t, _rt, env) => lax((a) => (env.system ? env.system.setSetting(str(a[0]), a[1] === null ? '' : str(a[1])) : fail('feature_not_supported', 'set_config() needs a session'))),
  pg_table_is_visible: () => strict(() => true),
  pg_type_is_visible: () => strict(() => true),
  pg_get_userbyid: (_t, _rt, env) => strict(() => env.system?.user ?? 'orbit'),
  pg_encoding_to_char: () => strict((a) => (int(a[0]) === 6 ? 'UTF8' : '')),
  format_type: (_t, _rt, env) => lax((a) => (a[0] === null ? null : (env.system?.formatType(int(a[0]), a[1] === null ? -1 : int(a[1])) ?? null))),
  // Stored expressions are kept as SQL text, so "decompiling" one is the identity.
  pg_get_expr: () => strict((a) => a[0]),
  pg_get_indexdef: (_t, _rt, env) => strict((a) => env.system?.definition(int(a[0])) ?? null),
  pg_get_constraintdef: (_t, _rt, env) => strict((a) => env.system?.definition(int(a[0])) ?? null),
  pg_get_statisticsobjdef_columns: () => strict(() => null),
  // Foreign keys are checked without triggers, so no OID names a trigger.
  pg_get_triggerdef: () => strict(() => null),
  ...regFunctions(),
  pg_relation_is_publishable: () => strict(() => false),
  // One-dimensional arrays with PostgreSQL's default lower bound of 1.
  array_upper: () => strict((a) => (int(a[1]) === 1 && (a[0] as unknown[]).length > 0 ? (a[0] as unknown[]).length : null)),
  array_lower: () => strict((a) => (int(a[1]) === 1 && (a[0] as unknown[]).length > 0 ? 1 : null)),
  // `x op ANY|ALL (array)`: the binder passes the operator's spelling first.
  any: (t) => lax((a) => quantify(a, (t[2] as { element: DataType }).element, false)),
  all: (t) => lax((a) => quantify(a, (t[2] as { element: DataType }).element, true)),
  obj_description: () => lax(() => null),
  col_description: () => lax(() => null),
  shobj_description: () => lax(() => null),
  // One user owns everything: every privilege check passes.
  has_table_privilege: () => lax(() => true),
  has_schema_privilege: () => lax(() => true),
  has_database_privilege: () => lax(() => true),
  '!~': () => regexMatch('', true),
  '~*': () => regexMatch('i', false),
  '!~*': () => regexMatch('i', true),
  coalesce: () => lax((a) => {
    for (const x of a) if (x !== null) return x;
    return null;
  }),
  nullif: (t) => lax((a) => (a[0] !== null && a[1] !== null && compareValues(a[0], a[1], t[0]!) === 0 ? null : a[0])),
  greatest: (t) => lax((a) => extreme(a, t[0]!, 1)),
  least: (t) => lax((a) => extreme(a, t[0]!, -1)),
  is_null: () => lax((a) => a[0] === null),
  is_not_null: () => lax((a) => a[0] !== null),
  is_distinct_from: (t) => lax((a) => !notDistinct(a[0], a[1], t[0]!)),
  is_not_distinct_from: (t) => lax((a) => notDistinct(a[0], a[1], t[0]!)),
  neg: (t) => strict((a) => {
    const k = t[0]!.kind;
    if (k === 'interval') {
      const iv = a[0] as Interval;
      return { months: -iv.months, days: -iv.days, micros: -iv.micros };
    }
    if (k === 'decimal') return arith('-', '0', a[0], t[0]!);
    if (k === 'float32' || k === 'float64') return -(a[0] as number);
    return arith('-', k === 'int64' ? 0n : 0, a[0], t[0]!);
  }),
  not: () => strict((a) => !a[0]),
  // Unary `~` is bitwise NOT; binary `~` (text, text) is a regular-expression match.
  '~': (t) => (t.length === 2 ? regexMatch('', false) : strict((a) => (t[0]!.kind === 'int64' ? ~(a[0] as bigint) : ~(a[0] as number)))),
  '&': (t) => strict((a) => (t[0]!.kind === 'int64' ? (a[0] as bigint) & (a[1] as bigint) : (a[0] as number) & (a[1] as number))),
  '|': (t) => strict((a) => (t[0]!.kind === 'int64' ? (a[0] as bigint) | (a[1] as bigint) : (a[0] as number) | (a[1] as number))),
  '#': (t) => strict((a) => (t[0]!.kind === 'int64' ? (a[0] as bigint) ^ (a[1] as bigint) : (a[0] as number) ^ (a[1] as number))),
  '<<': (t) => strict((a) => (t[0]!.kind === 'int64' ? BigInt.asIntN(64, (a[0] as bigint) << BigInt(a[1] as number)) : (a[0] as number) << (a[1] as number))),
  '>>': (t) => strict((a) => (t[0]!.kind === 'int64' ? (a[0] as bigint) >> BigInt(a[1] as number) : (a[0] as number) >> (a[1] as number))),
};

FACTORIES.ceiling = FACTORIES.ceil!;
FACTORIES.pow = FACTORIES.power!;

function jsonTypeof(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'object') return 'object';
  return typeof v === 'number' ? 'number' : typeof v === 'boolean' ? 'boolean' : 'string';
}

/** A JSON value that must be an object (the object_* functions). */
function jsonObject(v: unknown): Record<string, unknown> {
  const t = jsonTypeof(v);
  if (t !== 'object') fail('invalid_parameter_value', `expected a JSON object, not ${t === 'array' || t === 'object' ? 'an' : 'a'} ${t}`);
  return v as Record<string, unknown>;
}

function jsonArrayLength(v: unknown): number {
  if (!Array.isArray(v)) fail('invalid_parameter_value', 'cannot get array length of a non-array');
  return (v as unknown[]).length;
}

function extreme(a: unknown[], t: DataType, dir: 1 | -1): unknown {
  let best: unknown = null;
  for (const x of a) if (x !== null && (best === null || compareValues(x, best, t) * dir > 0)) best = x;
  return best;
}

export function notDistinct(a: unknown, b: unknown, t: DataType): boolean {
  if (a === null || b === null) return a === b;
  return compareValues(a, b, t) === 0;
}

/** Date/time arithmetic on IR values, selected by argument types (timestamp ± interval, date ± int, …). */
export function temporalArith(op: string, ta: DataType, tb: DataType, rt: DataType): RowFn | undefined {
  const k = `${ta.kind}${op}${tb.kind}`;
  switch (k) {
    case 'date+int32': return strict((a) => (a[0] as number) + (a[1] as number));
    case 'int32+date': return strict((a) => (a[0] as number) + (a[1] as number));
    case 'date-int32': return strict((a) => (a[0] as number) - (a[1] as number));
    case 'date-date': return strict((a) => (a[0] as number) - (a[1] as number));
    case 'date+interval': return strict((a) => addInterval((a[0] as number) * US_PER_DAY, a[1] as Interval, 1));
    case 'interval+date': return strict((a) => addInterval((a[1] as number) * US_PER_DAY, a[0] as Interval, 1));
    case 'date-interval': return strict((a) => addInterval((a[0] as number) * US_PER_DAY, a[1] as Interval, -1));
    case 'timestamp+interval': return strict((a) => addInterval(a[0] as number, a[1] as Interval, 1));
    case 'interval+timestamp': return strict((a) => addInterval(a[1] as number, a[0] as Interval, 1));
    case 'timestamp-interval': return strict((a) => addInterval(a[0] as number, a[1] as Interval, -1));
    case 'timestamp-timestamp': return strict((a) => subtractTimestamps(a[0] as number, a[1] as number));
    case 'interval+interval':
    case 'interval-interval': {
      const s = op === '+' ? 1 : -1;
      return strict((a) => {
        const x = a[0] as Interval;
        const y = a[1] as Interval;
        return { months: x.months + s * y.months, days: x.days + s * y.days, micros: x.micros + s * y.micros };
      });
    }
    case 'interval*float64': return strict((a) => multiplyInterval(a[0] as Interval, a[1] as number));
    case 'float64*interval': return strict((a) => multiplyInterval(a[1] as Interval, a[0] as number));
    case 'interval/float64': return strict((a) => {
      if ((a[1] as number) === 0) fail('division_by_zero');
      return multiplyInterval(a[0] as Interval, 1 / (a[1] as number));
    });
    default:
      void rt;
      return undefined;
  }
}

/** Three-valued `x op ANY|ALL (array)` over the array's elements. */
function quantify(a: unknown[], element: DataType, all: boolean): boolean | null {
  const [op, x, arr] = a as [string, unknown, unknown[] | null];
  if (arr === null) return null;
  let sawNull = false;
  for (const e of arr) {
    if (x === null || e === null) {
      sawNull = true;
      continue;
    }
    const c = compareValues(x, e, element);
    const r = op === '=' ? c === 0 : op === '<>' ? c !== 0 : op === '<' ? c < 0 : op === '<=' ? c <= 0 : op === '>' ? c > 0 : c >= 0;
    if (r !== all) return r;
  }
  return sawNull ? null : all;
}

/**
 * POSIX regular-expression match (`~` and friends). JavaScript's syntax agrees with PostgreSQL's
 * advanced regular expressions for the patterns clients use; each pattern compiles once per kernel.
 */
function regexMatch(flags: string, negate: boolean): RowFn {
  const cache = new Map<string, RegExp>();
  return strict((a) => {
    const pattern = str(a[1]);
    let re = cache.get(pattern);
    if (!re) {
      try {
        re = new RegExp(pattern, `u${flags}`);
      } catch (e) {
        return fail('invalid_regular_expression', `invalid regular expression: ${(e as Error).message}`);
      }
      cache.set(pattern, re);
    }
    return re.test(str(a[0])) !== negate;
  });
}

/** The row kernel of function `name` for the given argument and result types, or undefined if unknown. */
export function rowFunction(name: string, argTypes: readonly DataType[], rt: DataType, env: FnEnv): RowFn | undefined {
  if (argTypes.length === 2 && (name === '+' || name === '-' || name === '*' || name === '/')) {
    const t = temporalArith(name, argTypes[0]!, argTypes[1]!, rt);
    if (t) return t;
  }
  if (name === '+' || name === '-' || name === '*' || name === '/' || name === '%' || name === '^') return strict((a) => arith(name, a[0], a[1], rt));
  const f = FACTORIES[name];
  return f ? f(argTypes, rt, env) : undefined;
}
