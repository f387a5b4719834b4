// Coercion of client-supplied values (statement parameters, imported fields) to the IR value conventions.
import type { DataType } from '../../compiler/index.ts';
import { parseText } from '../exec/index.ts';

const DAY_MS = 86_400_000;

/**
 * Converts a JavaScript value to the IR convention of `t`. Strings go through the type's text
 * input (as PostgreSQL parses text-format parameters); numbers, bigints, booleans and Dates are
 * converted directly; values already in the convention pass through.
 */
export function coerceValue(v: unknown, t: DataType): unknown {
  if (v === null || v === undefined) return null;
  if (typeof v === 'string') return t.kind === 'utf8' || t.kind === 'unknown' ? v : parseText(v, t);
  switch (t.kind) {
    case 'int16':
    case 'int32':
    case 'float32':
    case 'float64':
      return Number(v);
    case 'int64':
      return typeof v === 'bigint' ? v : BigInt(Math.trunc(Number(v)));
    case 'decimal':
      return parseText(String(v), t);
    case 'bool':
      return Boolean(v);
    case 'date':
      return v instanceof Date ? Math.floor(v.getTime() / DAY_MS) : Number(v);
    case 'timestamp':
      return v instanceof Date ? v.getTime() * 1000 : Number(v);
    case 'utf8':
      return typeof v === 'object' ? JSON.stringify(v) : String(v);
    case 'json':
    case 'list':
    case 'struct':
    case 'interval':
    case 'vector':
      return v;
    case 'binary':
      return v instanceof Uint8Array ? v : parseText(String(v), t);
    default:
      return typeof v === 'object' ? v : parseText(String(v), t);
  }
}

/** Coerces each parameter to its statement's parameter type; extra values are kept as given. */
export function coerceParams(values: readonly unknown[], types: readonly DataType[]): unknown[] {
  return values.map((v, i) => (i < types.length ? coerceValue(v, types[i]!) : v));
}
