// Helpers shared by command implementations: typed lookups and Redis's number parsing and formatting.
import { hasKeyword, type KeyOp } from '../../../compiler/index.ts';
import { fail } from '../errors.ts';
import type { Keyspace } from '../keyspace.ts';
import { Deque, ZSet, type Hash, type MemberSet, type Value } from '../values.ts';

/** A named argument's single value (the matcher guarantees presence for required ones). */
export function arg(op: KeyOp, name: string): string {
  const v = op.args[name];
  return typeof v === 'string' ? v : '';
}

/** An optional named argument. */
export function optArg(op: KeyOp, name: string): string | undefined {
  const v = op.args[name];
  return typeof v === 'string' ? v : undefined;
}

/** Every occurrence of a repeated argument. */
export function args(op: KeyOp, name: string): readonly string[] {
  const v = op.args[name];
  return Array.isArray(v) ? v : typeof v === 'string' ? [v] : [];
}

/** Whether the call gave `keyword` (a call matched by position gave none: no named arguments are built). */
export function has(op: KeyOp, keyword: string): boolean {
  return hasKeyword(op, keyword);
}

const MAX = 9223372036854775807n;
const MIN = -9223372036854775808n;

/**
 * Whether `s` is an integer as Redis's string2ll reads it: an optional '-', then `0` alone or digits
 * not starting with 0 (no '+', no spaces, no leading zeros, and not `-0`), at most 20 characters.
 */
export function isIntegerText(s: string): boolean {
  const n = s.length;
  if (n === 0 || n > 20) return false;
  let i = s.charCodeAt(0) === 45 ? 1 : 0;
  if (i === n) return false;
  const first = s.charCodeAt(i);
  if (first === 48) return n === 1;
  if (first < 49 || first > 57) return false;
  for (i++; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

/** A 64-bit integer as Redis reads it (see isIntegerText); a number when safe. */
export function parseInteger(s: string): number {
  if (!isIntegerText(s)) fail('not_integer');
  // Up to 15 digits and a sign always fit a double exactly: counters, indexes and counts mostly do.
  if (s.length <= 16) {
    const neg = s.charCodeAt(0) === 45;
    let v = 0;
    for (let i = neg ? 1 : 0; i < s.length; i++) v = v * 10 + (s.charCodeAt(i) - 48);
    if (v <= Number.MAX_SAFE_INTEGER) return neg ? -v : v;
  }
  const n = Number(s);
  if (Number.isSafeInteger(n)) return n;
  const b = BigInt(s);
  if (b > MAX || b < MIN) fail('not_integer');
  return n;
}

/** Like parseInteger but exact beyond 2^53 (INCR on big counters). */
export function parseBig(s: string): bigint {
  if (!isIntegerText(s)) fail('not_integer');
  const b = BigInt(s);
  if (b > MAX || b < MIN) fail('not_integer');
  return b;
}

/** Whether a bigint fits int64. */
export function inInt64(b: bigint): boolean {
  return b <= MAX && b >= MIN;
}

const FLOAT = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** A double as Redis reads it (strtod's decimal and hexadecimal forms, inf/-inf); undefined when invalid. */
export function readFloat(s: string): number | undefined {
  // Short decimal integers (the usual score or increment) are read by hand: no regex, no lower-casing.
  const n = s.length;
  if (n > 0 && n <= 15) {
    const neg = s.charCodeAt(0) === 45;
    let i = neg ? 1 : 0;
    let v = 0;
    for (; i < n; i++) {
      const c = s.charCodeAt(i) - 48;
      if (c < 0 || c > 9) break;
      v = v * 10 + c;
    }
    if (i === n && n > (neg ? 1 : 0)) return neg ? -v : v;
  }
  const l = s.toLowerCase();
  if (l === 'inf' || l === '+inf' || l === 'infinity' || l === '+infinity') return Infinity;
  if (l === '-inf' || l === '-infinity') return -Infinity;
  if (FLOAT.test(s)) return Number(s);
  const h = hexFloat(s);
  return h === undefined ? undefined : hexToDouble(h);
}

/** C's hexadecimal floating constant as strtod reads it: `0x1p3`, `-0X1.8P-2`, `0x10`, `0x.8`. */
const HEX_FLOAT = /^([+-]?)0[xX]([0-9a-fA-F]*)(?:\.([0-9a-fA-F]*))?(?:[pP]([+-]?\d+))?$/;

/** A hexadecimal float's exact value: (-1)^neg × m × 2^e; undefined when the text is not one. */
function hexFloat(s: string): { neg: boolean; m: bigint; e: number } | undefined {
  const r = HEX_FLOAT.exec(s);
  if (!r) return undefined;
  const int = r[2]!;
  const frac = r[3] ?? '';
  if (int === '' && frac === '') return undefined;
  // Each hexadecimal digit after the point is 4 bits; exponents far out of any range saturate.
  const e = Math.max(-100_000, Math.min(100_000, Number(r[4] ?? '0'))) - 4 * frac.length;
  return { neg: r[1] === '-', m: BigInt('0x' + (int + frac || '0')), e };
}

/**
 * m × 2^e rounded to the nearest double (ties to even), as strtod does, subnormals included;
 * undefined where strtod reports ERANGE and Redis rejects the value: overflow, or a nonzero value
 * that rounds to zero.
 */
function hexToDouble(h: { neg: boolean; m: bigint; e: number }): number | undefined {
  let { m, e } = h;
  if (m === 0n) return h.neg ? -0 : 0;
  const top = bitLength(m) - 1 + e;
  if (top > 1023) return undefined;
  // The last bit a double keeps: 52 below the top one, never below 2^-1074.
  const last = Math.max(top - 52, -1074);
  if (e < last) {
    const drop = BigInt(last - e);
    const rest = m & ((1n << drop) - 1n);
    const half = 1n << (drop - 1n);
    m >>= drop;
    if (rest > half || (rest === half && (m & 1n) === 1n)) m++;
    e = last;
  }
  if (m === 0n) return undefined;
  const v = Number(m) * 2 ** e;
  if (v === Infinity) return undefined;
  return h.neg ? -v : v;
}

export function parseFloatArg(s: string): number {
  const v = readFloat(s);
  if (v === undefined || Number.isNaN(v)) fail('not_float');
  return v;
}

/**
 * Redis 7.0's text for a score (ZSCORE, ZINCRBY, WITHSCORES, ZSCAN): C's `%.17g` (17 significant
 * digits, trailing zeros dropped, an exponent below 1e-4 or from 1e17 on), `inf`/`-inf`, and `0` for
 * either zero.
 */
export function formatScore(d: number): string {
  if (d === Infinity) return 'inf';
  if (d === -Infinity) return '-inf';
  if (Number.isNaN(d)) return 'nan';
  if (d === 0) return '0';
  const [mantissa, exp] = d.toExponential(16).split('e') as [string, string];
  const e = Number(exp);
  if (e < -4 || e >= 17) return trimZeros(mantissa) + 'e' + (e < 0 ? '-' : '+') + String(Math.abs(e)).padStart(2, '0');
  return trimZeros(d.toFixed(16 - e));
}

/** Drops trailing zeros after a decimal point, and the point when nothing follows it. */
function trimZeros(s: string): string {
  if (!s.includes('.')) return s;
  let end = s.length;
  while (s.charCodeAt(end - 1) === 48) end--;
  if (s.charCodeAt(end - 1) === 46) end--;
  return s.slice(0, end);
}

/** Digits kept after the point by Redis's "human" long double text (`%.17Lf`). */
const HUMAN_DECIMALS = 17;
/** Decimal exponents beyond this are left to double arithmetic (exact sums of them would be huge). */
const MAX_DECIMAL_EXPONENT = 400;
const DECIMAL = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/;

/**
 * A decimal or hexadecimal text's exact value as num / den; undefined for other forms (inf) or
 * exponents so large that exact sums would be huge.
 */
function exactValue(s: string): { num: bigint; den: bigint } | undefined {
  const r = DECIMAL.exec(s);
  if (!r) {
    const h = hexFloat(s);
    if (!h || Math.abs(h.e) > 4 * MAX_DECIMAL_EXPONENT) return undefined;
    const num = h.neg ? -h.m : h.m;
    return h.e >= 0 ? { num: num << BigInt(h.e), den: 1n } : { num, den: 1n << BigInt(-h.e) };
  }
  const int = r[2]!;
  const frac = r[3] ?? '';
  if (int === '' && frac === '') return undefined;
  const e = Number(r[4] ?? '0') - frac.length;
  if (Math.abs(e) > MAX_DECIMAL_EXPONENT) return undefined;
  const m = BigInt(int + frac || '0');
  const num = r[1] === '-' ? -m : m;
  return e >= 0 ? { num: num * 10n ** BigInt(e), den: 1n } : { num, den: 10n ** BigInt(-e) };
}

/** A binary fraction num / 2^shift (shift ≥ 0): the exact value of a long double. */
interface Binary {
  readonly num: bigint;
  readonly shift: bigint;
}

function bitLength(n: bigint): number {
  return n === 0n ? 0 : (n < 0n ? -n : n).toString(2).length;
}

/** Rounds num / den (den > 0) to the nearest value with a 64-bit significand, as x87 long double holds it (ties to even). */
function toLongDouble(num: bigint, den: bigint): Binary {
  if (num === 0n) return { num: 0n, shift: 0n };
  const neg = num < 0n;
  const a = neg ? -num : num;
  // Scale so the quotient has 64 bits: a * 2^s / den in [2^63, 2^64).
  let s = 64 - (bitLength(a) - bitLength(den));
  let q = 0n;
  let r = 0n;
  let d = den;
  for (let tries = 0; tries < 3; tries++) {
    const n = s >= 0 ? a << BigInt(s) : a;
    d = s >= 0 ? den : den << BigInt(-s);
    q = n / d;
    r = n % d;
    if (q >= 1n << 64n) s--;
    else if (q < 1n << 63n) s++;
    else break;
  }
  if (2n * r > d || (2n * r === d && (q & 1n) === 1n)) q++;
  // value = q / 2^s; a negative s means a large integer value.
  const out = s >= 0 ? { num: q, shift: BigInt(s) } : { num: q << BigInt(-s), shift: 0n };
  return neg ? { num: -out.num, shift: out.shift } : out;
}

/**
 * INCRBYFLOAT and HINCRBYFLOAT's new value as Redis writes it: both texts read as long doubles
 * (strtold), added in long double, printed with `%.17Lf`, trailing zeros dropped, never an exponent,
 * `0` for minus zero (ld2string, LD_STR_HUMAN). Long double arithmetic is reproduced exactly on
 * decimal and hexadecimal texts (`0.1` + `0.2` prints `0.3` there, where doubles give
 * 0.30000000000000004); other forms (inf, huge exponents) fall back to the double sum.
 */
export function formatFloatSum(a: string, b: string, sum: number): string {
  const x = exactValue(a);
  const y = exactValue(b);
  if (x && y) {
    const lx = toLongDouble(x.num, x.den);
    const ly = toLongDouble(y.num, y.den);
    const shift = lx.shift > ly.shift ? lx.shift : ly.shift;
    const total = toLongDouble((lx.num << (shift - lx.shift)) + (ly.num << (shift - ly.shift)), 1n << shift);
    // %.17Lf: the exact binary value rounded to 17 decimals (ties to even).
    const n = total.num * 10n ** BigInt(HUMAN_DECIMALS);
    const den = 1n << total.shift;
    const neg = n < 0n;
    const abs = neg ? -n : n;
    let q = abs / den;
    const r = abs % den;
    if (2n * r > den || (2n * r === den && (q & 1n) === 1n)) q++;
    return decimalText(neg ? -q : q, HUMAN_DECIMALS);
  }
  if (Math.abs(sum) >= 1e21) return BigInt(sum).toString();
  const t = trimZeros(sum.toFixed(HUMAN_DECIMALS));
  return t === '-0' ? '0' : t;
}

/** m × 10^-scale (scale may be negative) in plain decimal notation, trailing zeros dropped. */
function decimalText(m: bigint, scale: number): string {
  if (scale <= 0) return (m * 10n ** BigInt(-scale)).toString();
  const neg = m < 0n;
  const digits = (neg ? -m : m).toString().padStart(scale + 1, '0');
  const text = trimZeros(digits.slice(0, digits.length - scale) + '.' + digits.slice(digits.length - scale));
  return neg && text !== '0' ? '-' + text : text;
}

/** The value at key when it is a string; WRONGTYPE otherwise. */
export function getString(ks: Keyspace, db: number, key: string): string | undefined {
  const v = ks.get(db, key);
  if (v !== undefined && typeof v !== 'string') fail('wrongtype');
  return v;
}

export function getList(ks: Keyspace, db: number, key: string): Deque | undefined {
  const v = ks.get(db, key);
  if (v !== undefined && !(v instanceof Deque)) fail('wrongtype');
  return v;
}

export function getHash(ks: Keyspace, db: number, key: string): Hash | undefined {
  const v = ks.get(db, key);
  if (v !== undefined && !(v instanceof Map)) fail('wrongtype');
  return v;
}

export function getSet(ks: Keyspace, db: number, key: string): MemberSet | undefined {
  const v = ks.get(db, key);
  if (v !== undefined && !(v instanceof Set)) fail('wrongtype');
  return v;
}

export function getZSet(ks: Keyspace, db: number, key: string): ZSet | undefined {
  const v = ks.get(db, key);
  if (v !== undefined && !(v instanceof ZSet)) fail('wrongtype');
  return v;
}

/** Resolves Redis's inclusive [start, stop] with negative indexes against a length; undefined when empty. */
export function rangeOf(start: number, stop: number, len: number): [number, number] | undefined {
  if (start < 0) start = len + start;
  if (stop < 0) stop = len + stop;
  if (start < 0) start = 0;
  if (stop >= len) stop = len - 1;
  if (start > stop || start >= len) return undefined;
  return [start, stop];
}

/** Deletes a key when its collection became empty (Redis never keeps empty aggregates). */
export function dropIfEmpty(ks: Keyspace, db: number, key: string, v: Value): void {
  const size = typeof v === 'string' ? 1 : v instanceof Deque ? v.length : v.size;
  if (size === 0) ks.delete(db, key);
  else ks.modified(db, key);
}
