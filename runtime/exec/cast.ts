// Value-level casts between IR types with PostgreSQL's rounding, range checks and text forms.

import type { DataType } from '../../compiler/ir/types.ts';
import { T, typeName } from '../../compiler/ir/types.ts';
import { fail } from './errors.ts';
import { US_PER_DAY } from './datetime.ts';
import { bigPow10, decimalFromFloat, formatScaled, parseDecimal, rescaleBig } from './decimal.ts';
import { outOfRange, parseText, textOf, vectorOf } from './text.ts';

const INT_BOUNDS: Record<string, readonly [number, number]> = {
  int16: [-32768, 32767],
  int32: [-2147483648, 2147483647],
};

/** Round half to even, as float8 → integer casts do (rint). */
export function rint(x: number): number {
  const r = Math.round(x);
  return Math.abs(x - Math.trunc(x)) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

function toIntTarget(x: number | bigint, to: DataType): number | bigint {
  if (to.kind === 'int64') {
    const b = typeof x === 'bigint' ? x : BigInt(x);
    if (b < -(2n ** 63n) || b >= 2n ** 63n) fail('numeric_value_out_of_range', 'bigint out of range');
    return b;
  }
  const n = Number(x);
  const [lo, hi] = INT_BOUNDS[to.kind]!;
  if (!(n >= lo && n <= hi)) fail('numeric_value_out_of_range', outOfRange(to));
  return n;
}

/** Applies a numeric(p,s) type modifier to a scaled value: rounding to s, then the precision check. */
export function applyNumericTypmod(value: bigint, scale: number, to: DataType): string {
  if (to.kind !== 'decimal' || to.precision === undefined) return formatScaled(value, Math.max(scale, 0));
  const s = to.scale ?? 0;
  const v = rescaleBig(value, scale, s);
  const limit = bigPow10(to.precision);
  if ((v < 0n ? -v : v) >= limit) {
    fail('numeric_value_out_of_range', 'numeric field overflow', {
      detail: `A field with precision ${to.precision}, scale ${s} must round to an absolute value less than ${to.precision - s === 0 ? '1' : `10^${to.precision - s}`}.`,
    });
  }
  return formatScaled(v, s);
}

function applyLength(s: string, to: DataType, implicit: boolean): string {
  if (to.kind !== 'utf8' || to.maxLength === undefined) return s;
  const chars = [...s];
  if (chars.length > to.maxLength) {
    if (implicit && chars.slice(to.maxLength).some((c) => c !== ' ')) {
      fail('string_data_right_truncation', `value too long for type ${typeName(to)}`);
    }
    return chars.slice(0, to.maxLength).join('');
  }
  if (to.fixed && chars.length < to.maxLength) return s + ' '.repeat(to.maxLength - chars.length);
  return s;
}

const isText = (t: DataType): boolean => t.kind === 'utf8' || t.kind === 'unknown';

/** Casts a non-null IR value from `from` to `to`; `implicit` marks assignment casts (length errors instead of truncation). */
export function castValue(v: unknown, from: DataType, to: DataType, implicit = false): unknown {
  if (v === null || v === undefined) return null;
  if (isText(to)) {
    const s = isText(from) ? String(v) : textOf(v, from)!;
    return applyLength(s, to, implicit);
  }
  if (isText(from) || from.kind === 'null') {
    const parsed = parseText(String(v), to);
    if (to.kind === 'decimal' && to.precision !== undefined) {
      const p = parseDecimal(parsed as string)!;
      return applyNumericTypmod(p.value, p.scale, to);
    }
    return parsed;
  }
  switch (to.kind) {
    case 'int16':
    case 'int32':
    case 'int64': {
      if (from.kind === 'bool') return to.kind === 'int64' ? (v ? 1n : 0n) : v ? 1 : 0;
      if (from.kind === 'float32' || from.kind === 'float64') {
        const x = v as number;
        if (!Number.isFinite(x)) fail('numeric_value_out_of_range', outOfRange(to));
        const r = rint(x);
        return toIntTarget(to.kind === 'int64' ? BigInt(r) : r, to);
      }
      if (from.kind === 'decimal') {
        const p = parseDecimal(String(v))!;
        return toIntTarget(rescaleBig(p.value, p.scale, 0), to);
      }
      return toIntTarget(v as number | bigint, to);
    }
    case 'float32':
    case 'float64': {
      const n = Number(v as number | bigint | string);
      return to.kind === 'float32' ? Math.fround(n) : n;
    }
    case 'decimal': {
      if (from.kind === 'float32' || from.kind === 'float64') {
        const x = v as number;
        if (Number.isNaN(x)) return 'NaN';
        const p = decimalFromFloat(x);
        return applyNumericTypmod(p.value, p.scale, to);
      }
      if (from.kind === 'decimal') {
        const p = parseDecimal(String(v))!;
        return applyNumericTypmod(p.value, p.scale, to);
      }
      const b = typeof v === 'bigint' ? v : BigInt(v as number);
      return applyNumericTypmod(b, 0, to);
    }
    case 'bool':
      if (from.kind === 'int32' || from.kind === 'int16' || from.kind === 'int64') return Number(v) !== 0;
      break;
    case 'date':
      if (from.kind === 'timestamp') return Math.floor((v as number) / US_PER_DAY);
      if (from.kind === 'date') return v;
      break;
    case 'timestamp':
      if (from.kind === 'date') return (v as number) * US_PER_DAY;
      if (from.kind === 'timestamp') return v;
      break;
    case 'json':
      if (from.kind === 'json') return v;
      return toJsonValue(v, from);
    case 'list':
      if (from.kind === 'list') return (v as unknown[]).map((x) => castValue(x, from.element, to.element, implicit));
      if (from.kind === 'vector') return Array.from(v as Float32Array, (x) => castValue(x, T.float32, to.element, implicit));
      break;
    case 'vector':
      if (from.kind === 'list' || (from.kind === 'json' && Array.isArray(v))) return vectorOf(v as unknown[], to);
      if (from.kind === 'json') return fail('invalid_parameter_value', 'only a JSON array of numbers casts to a vector');
      if (from.kind === 'vector') return vectorOf(Array.from(v as Float32Array), to);
      break;
    case 'interval':
    case 'uuid':
    case 'binary':
      if (from.kind === to.kind) return v;
      break;
    default:
      if (from.kind === to.kind) return v;
  }
  return fail('feature_not_supported', `cannot cast type ${typeName(from)} to ${typeName(to)}`);
}

/** to_json's conversion of an IR value (numbers stay numbers, dates become ISO text). */
export function toJsonValue(v: unknown, t: DataType): unknown {
  if (v === null || v === undefined) return null;
  switch (t.kind) {
    case 'json':
      return v;
    case 'int64':
      return Number(v as bigint);
    case 'decimal':
      return Number(v as string);
    case 'float32':
    case 'float64':
      return Number.isFinite(v as number) ? v : textOf(v, t);
    case 'date':
      return textOf(v, t);
    case 'timestamp': {
      const s = textOf(v, t)!;
      return t.tz ? s.replace(' ', 'T').replace(/\+00$/, '+00:00') : s.replace(' ', 'T');
    }
    case 'list':
      return (v as unknown[]).map((x) => toJsonValue(x, t.element));
    case 'struct': {
      const o: Record<string, unknown> = {};
      for (const f of t.fields) o[f.name] = toJsonValue((v as Record<string, unknown>)[f.name] ?? null, f.type);
      return o;
    }
    case 'bool':
    case 'int16':
    case 'int32':
    case 'utf8':
    case 'unknown':
      return v;
    default:
      return textOf(v, t);
  }
}
