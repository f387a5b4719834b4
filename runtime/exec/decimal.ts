// Exact decimal arithmetic on scaled integers: a number while exact (|v| ≤ 2^53), a bigint beyond.
//
// A decimal column holds integers scaled by 10^scale with one scale per column chunk; the IR's
// canonical string form (`-12.50`) is produced only at the edges.

import { fail } from './errors.ts';

export const MAX_EXACT = Number.MAX_SAFE_INTEGER;

const POW10: number[] = [];
for (let i = 0, p = 1; i <= 22; i++, p *= 10) POW10.push(p);
const BIG_POW10: bigint[] = [];
for (let i = 0n, p = 1n; i <= 1000n; i++, p *= 10n) BIG_POW10.push(p);

export const pow10 = (n: number): number => POW10[n] ?? 10 ** n;
export const bigPow10 = (n: number): bigint => BIG_POW10[n] ?? 10n ** BigInt(n);

/** Digits after the point in a decimal text (`1.50` → 2, `-3` → 0, `1e3` handled by parseDecimal). */
export function textScale(s: string): number {
  const dot = s.indexOf('.');
  if (dot < 0) return 0;
  let end = s.length;
  const e = s.search(/[eE]/);
  if (e >= 0) end = e;
  return end - dot - 1;
}

const DECIMAL_RE = /^\s*([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?\s*$/;

/** Parses decimal text to a scaled bigint and its scale; undefined when not a number. */
export function parseDecimal(s: string): { value: bigint; scale: number } | undefined {
  const m = DECIMAL_RE.exec(s);
  if (!m) return undefined;
  const int = m[2] ?? '';
  const frac = m[3] ?? '';
  if (int === '' && frac === '') return undefined;
  let digits = int + frac;
  let scale = frac.length;
  const exp = m[4] ? Number(m[4]) : 0;
  if (exp > 0) {
    if (exp >= scale) {
      digits += '0'.repeat(exp - scale);
      scale = 0;
    } else scale -= exp;
  } else if (exp < 0) scale -= exp;
  let value = BigInt(digits === '' ? '0' : digits);
  if (m[1] === '-') value = -value;
  return { value, scale };
}

/** Fast path for the common canonical form: scaled integer as a number at `scale`, or undefined if inexact. */
export function parseScaledNumber(s: string, scale: number): number | undefined {
  let i = 0;
  const n = s.length;
  let neg = false;
  const c0 = s.charCodeAt(0);
  if (c0 === 45) {
    neg = true;
    i = 1;
  } else if (c0 === 43) i = 1;
  let v = 0;
  let fracDigits = -1;
  let any = false;
  for (; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      if (fracDigits >= 0) {
        if (fracDigits === scale) {
          if (c !== 48) return undefined;
          continue;
        }
        fracDigits++;
      }
      v = v * 10 + (c - 48);
      any = true;
    } else if (c === 46 && fracDigits < 0) fracDigits = 0;
    else return undefined;
  }
  if (!any) return undefined;
  const f = fracDigits < 0 ? 0 : fracDigits;
  if (f < scale) v *= pow10(scale - f);
  if (v > MAX_EXACT) return undefined;
  return neg ? -v : v;
}

/** Canonical text of a scaled integer (number or bigint) at `scale`. */
export function formatScaled(v: number | bigint, scale: number): string {
  if (typeof v === 'number') {
    if (scale === 0) return Object.is(v, -0) ? '0' : String(v);
    const neg = v < 0;
    const s = String(neg ? -v : v).padStart(scale + 1, '0');
    const out = s.slice(0, s.length - scale) + '.' + s.slice(s.length - scale);
    return neg ? '-' + out : out;
  }
  if (scale === 0) return v.toString();
  const neg = v < 0n;
  const s = (neg ? -v : v).toString().padStart(scale + 1, '0');
  const out = s.slice(0, s.length - scale) + '.' + s.slice(s.length - scale);
  return neg ? '-' + out : out;
}

/** Rescales a bigint to a new scale, rounding half away from zero (PostgreSQL's numeric rounding). */
export function rescaleBig(v: bigint, from: number, to: number): bigint {
  if (to >= from) return v * bigPow10(to - from);
  const d = bigPow10(from - to);
  const q = v / d;
  const r = v % d;
  const twice = (r < 0n ? -r : r) * 2n;
  if (twice >= d) return v < 0n ? q - 1n : q + 1n;
  return q;
}

/** Divides two scaled bigints into a result at `rscale`, rounding half away from zero. */
export function divBig(a: bigint, sa: number, b: bigint, sb: number, rscale: number): bigint {
  if (b === 0n) fail('division_by_zero');
  // a/10^sa ÷ b/10^sb = (a·10^(rscale+sb-sa+1) / b) / 10^(rscale+1) — one guard digit for rounding.
  const shift = rscale + sb - sa + 1;
  const num = shift >= 0 ? a * bigPow10(shift) : a / bigPow10(-shift);
  const q = num / b;
  const guard = q % 10n;
  const base = q / 10n;
  if (guard >= 5n) return base + 1n;
  if (guard <= -5n) return base - 1n;
  return base;
}

/**
 * PostgreSQL's select_div_scale: at least 16 significant digits, never fewer than either
 * operand's scale. Weights are measured in base-10000 digits as PostgreSQL does.
 */
export function divScale(a: bigint, sa: number, b: bigint, sb: number): number {
  const w1 = weightAndFirst(a, sa);
  const w2 = weightAndFirst(b, sb);
  let qweight = w1.weight - w2.weight;
  if (w1.first <= w2.first) qweight--;
  const rscale = 16 - qweight * 4;
  return Math.min(1000, Math.max(rscale, sa, sb, 0));
}

function weightAndFirst(v: bigint, scale: number): { weight: number; first: number } {
  const a = v < 0n ? -v : v;
  if (a === 0n) return { weight: 0, first: 0 };
  const s = a.toString();
  const id = s.length - scale;
  // Align digits into base-10000 groups anchored at the decimal point.
  const intGroups = id > 0 ? Math.ceil(id / 4) : 0;
  if (intGroups > 0) {
    const lead = id - (intGroups - 1) * 4;
    return { weight: intGroups - 1, first: Number(s.slice(0, lead)) };
  }
  // Purely fractional: find the first non-zero base-10000 group after the point.
  const frac = '0'.repeat(-id) + s;
  for (let g = 0; g * 4 < frac.length; g++) {
    const grp = Number(frac.slice(g * 4, g * 4 + 4).padEnd(4, '0'));
    if (grp !== 0) return { weight: -(g + 1), first: grp };
  }
  return { weight: 0, first: 0 };
}


/** Rounds a scaled bigint to `digits` after the point (negative digits round left of the point). */
export function roundBig(v: bigint, scale: number, digits: number): { value: bigint; scale: number } {
  if (digits >= scale) return { value: v * bigPow10(digits - scale), scale: digits };
  if (digits >= 0) return { value: rescaleBig(v, scale, digits), scale: digits };
  return { value: rescaleBig(v, scale, digits) * bigPow10(-digits), scale: 0 };
}

/** Truncates (toward zero) a scaled bigint to `digits` after the point. */
export function truncBig(v: bigint, scale: number, digits: number): { value: bigint; scale: number } {
  if (digits >= scale) return { value: v * bigPow10(digits - scale), scale: digits };
  if (digits >= 0) return { value: v / bigPow10(scale - digits), scale: digits };
  const d = bigPow10(scale - digits);
  return { value: (v / d) * bigPow10(-digits), scale: 0 };
}

/** Canonical numeric text from a JS number (float → numeric cast), PostgreSQL-style up to 15 digits. */
export function decimalFromFloat(x: number): { value: bigint; scale: number } {
  if (!Number.isFinite(x)) fail('feature_not_supported', `cannot convert ${x} to numeric`);
  const s = Number(x.toPrecision(15)).toString();
  const p = parseDecimal(s);
  if (!p) fail('invalid_text_representation', `invalid input syntax for type numeric: "${s}"`);
  return p;
}
