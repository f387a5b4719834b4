// Ordering and equality of IR values by type (sorting, min/max, grouping keys of non-numeric types).

import type { DataType, Interval } from '../../compiler/ir/types.ts';
import { compareIntervals } from './datetime.ts';
import { parseDecimal, rescaleBig } from './decimal.ts';
import { jsonText } from './text.ts';

function compareDecimalText(a: string, b: string): number {
  const x = parseDecimal(a)!;
  const y = parseDecimal(b)!;
  const s = Math.max(x.scale, y.scale);
  const p = rescaleBig(x.value, x.scale, s);
  const q = rescaleBig(y.value, y.scale, s);
  return p < q ? -1 : p > q ? 1 : 0;
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return a.length - b.length;
}

/** Total order of two non-null IR values of type `t` (NaN sorts above every number, as in PostgreSQL). */
export function compareValues(a: unknown, b: unknown, t: DataType): number {
  switch (t.kind) {
    case 'decimal':
      return compareDecimalText(String(a), String(b));
    case 'interval':
      return compareIntervals(a as Interval, b as Interval);
    case 'binary':
      return compareBytes(a as Uint8Array, b as Uint8Array);
    case 'json': {
      const x = jsonText(a, true);
      const y = jsonText(b, true);
      return x < y ? -1 : x > y ? 1 : 0;
    }
    case 'list': {
      const x = a as unknown[];
      const y = b as unknown[];
      const n = Math.min(x.length, y.length);
      for (let i = 0; i < n; i++) {
        const p = x[i];
        const q = y[i];
        if (p === null || q === null) {
          if (p !== q) return p === null ? 1 : -1;
          continue;
        }
        const c = compareValues(p, q, t.element);
        if (c !== 0) return c;
      }
      return x.length - y.length;
    }
    case 'struct': {
      for (const f of t.fields) {
        const p = (a as Record<string, unknown>)[f.name] ?? null;
        const q = (b as Record<string, unknown>)[f.name] ?? null;
        if (p === null || q === null) {
          if (p !== q) return p === null ? 1 : -1;
          continue;
        }
        const c = compareValues(p, q, f.type);
        if (c !== 0) return c;
      }
      return 0;
    }
    case 'bool':
      return (a ? 1 : 0) - (b ? 1 : 0);
    case 'float32':
    case 'float64': {
      const x = a as number;
      const y = b as number;
      if (Number.isNaN(x)) return Number.isNaN(y) ? 0 : 1;
      if (Number.isNaN(y)) return -1;
      return x < y ? -1 : x > y ? 1 : 0;
    }
    default: {
      const x = a as number | bigint | string;
      const y = b as number | bigint | string;
      return x < y ? -1 : x > y ? 1 : 0;
    }
  }
}

/** A string or number identifying a value for hashing: equal values (per SQL =) give equal keys. */
export function valueKey(v: unknown, t: DataType): string | number {
  switch (t.kind) {
    case 'decimal': {
      const p = parseDecimal(String(v))!;
      let value = p.value;
      let scale = p.scale;
      while (scale > 0 && value % 10n === 0n) {
        value /= 10n;
        scale--;
      }
      return `${value}e${scale}`;
    }
    case 'int64':
      return typeof v === 'bigint' && v >= -9007199254740991n && v <= 9007199254740991n ? Number(v) : String(v);
    case 'interval': {
      const iv = v as Interval;
      return `${iv.months * 30 + iv.days}d${iv.micros}`;
    }
    case 'json':
      return jsonText(v, true);
    case 'binary':
      return Array.from(v as Uint8Array).join(',');
    case 'list':
      return JSON.stringify((v as unknown[]).map((x) => (x === null ? null : valueKey(x, t.element))));
    case 'struct':
      return JSON.stringify(t.fields.map((f) => {
        const x = (v as Record<string, unknown>)[f.name] ?? null;
        return x === null ? null : valueKey(x, f.type);
      }));
    case 'bool':
      return v ? 1 : 0;
    default:
      return v as string | number;
  }
}
