// The closed set of data types every Orbit language binds to, mapped one-to-one onto Arrow types.

/**
 * A data type of the logical IR. Narrow integer and float types are kept because
 * wire protocols report them (PostgreSQL describes `SELECT 1` as int4).
 *
 * Runtime value conventions (what a literal's `value` and an executor cell hold):
 * - bool: boolean · int16/int32: number · int64: bigint · float32/float64: number
 * - decimal: string in canonical form (`-12.50`) · utf8: string · binary: Uint8Array
 * - uuid: lowercase canonical string · date: number of days since 1970-01-01
 * - timestamp: number of microseconds since 1970-01-01T00:00:00Z (tz only changes display)
 * - interval: `Interval` · json: any JSON value (object, array, string, number, boolean, null)
 * - list: array of element values · struct: plain object keyed by field name
 * - vector: Float32Array · unknown: string (an untyped literal not yet coerced) · null: always null
 */
export type DataType =
  | { readonly kind: 'bool' }
  | { readonly kind: 'int16' }
  /** `oid` marks PostgreSQL's object identifier types, integers that name a catalog object (see `OidKind`). */
  | { readonly kind: 'int32'; readonly oid?: OidKind }
  | { readonly kind: 'int64' }
  | { readonly kind: 'float32' }
  | { readonly kind: 'float64' }
  | { readonly kind: 'decimal'; readonly precision?: number; readonly scale?: number }
  | { readonly kind: 'utf8'; readonly maxLength?: number; readonly fixed?: boolean }
  | { readonly kind: 'binary' }
  | { readonly kind: 'uuid' }
  | { readonly kind: 'date' }
  | { readonly kind: 'timestamp'; readonly tz: boolean }
  | { readonly kind: 'interval' }
  | { readonly kind: 'json'; readonly binary: boolean }
  | { readonly kind: 'list'; readonly element: DataType }
  | { readonly kind: 'struct'; readonly fields: readonly { readonly name: string; readonly type: DataType }[] }
  | { readonly kind: 'vector'; readonly dimension: number }
  | { readonly kind: 'node' }
  | { readonly kind: 'edge' }
  | { readonly kind: 'path' }
  /** PostgreSQL's `unknown`: a quoted literal or parameter whose type context has not fixed yet. */
  | { readonly kind: 'unknown' }
  /** The type of a bare NULL literal before coercion. */
  | { readonly kind: 'null' }
  /** Poison type: binding continues after an error without cascading diagnostics. */
  | { readonly kind: 'error' };

export type TypeKind = DataType['kind'];

/**
 * PostgreSQL's object identifier types: `oid` itself, and the reg* aliases whose text form is the
 * object's name (`'pets'::regclass` reads and prints `pets`; the value and binary form are the OID).
 */
export type OidKind = 'oid' | 'regclass' | 'regtype' | 'regproc' | 'regnamespace';

/** A PostgreSQL interval: months and days are kept apart from time because their length varies. */
export interface Interval {
  readonly months: number;
  readonly days: number;
  readonly micros: number;
}

export const T = {
  bool: { kind: 'bool' },
  int16: { kind: 'int16' },
  int32: { kind: 'int32' },
  int64: { kind: 'int64' },
  float32: { kind: 'float32' },
  float64: { kind: 'float64' },
  decimal: { kind: 'decimal' },
  text: { kind: 'utf8' },
  binary: { kind: 'binary' },
  uuid: { kind: 'uuid' },
  date: { kind: 'date' },
  timestamp: { kind: 'timestamp', tz: false },
  timestamptz: { kind: 'timestamp', tz: true },
  interval: { kind: 'interval' },
  oid: { kind: 'int32', oid: 'oid' },
  regclass: { kind: 'int32', oid: 'regclass' },
  json: { kind: 'json', binary: false },
  jsonb: { kind: 'json', binary: true },
  unknown: { kind: 'unknown' },
  null: { kind: 'null' },
  error: { kind: 'error' },
} as const satisfies Record<string, DataType>;

export const listOf = (element: DataType): DataType => ({ kind: 'list', element });

/** Structural equality of two types (typmods included). */
export function typeEquals(a: DataType, b: DataType): boolean {
  if (a.kind !== b.kind) return false;
  switch (a.kind) {
    case 'decimal': {
      const o = b as typeof a;
      return a.precision === o.precision && a.scale === o.scale;
    }
    case 'utf8': {
      const o = b as typeof a;
      return a.maxLength === o.maxLength && !!a.fixed === !!o.fixed;
    }
    case 'int32':
      return a.oid === (b as typeof a).oid;
    case 'timestamp':
      return a.tz === (b as typeof a).tz;
    case 'json':
      return a.binary === (b as typeof a).binary;
    case 'list':
      return typeEquals(a.element, (b as typeof a).element);
    case 'vector':
      return a.dimension === (b as typeof a).dimension;
    case 'struct': {
      const o = b as typeof a;
      return a.fields.length === o.fields.length && a.fields.every((f, i) => f.name === o.fields[i]!.name && typeEquals(f.type, o.fields[i]!.type));
    }
    default:
      return true;
  }
}

/** The PostgreSQL spelling of a type, as `format_type` and error messages show it. */
export function typeName(t: DataType): string {
  switch (t.kind) {
    case 'bool': return 'boolean';
    case 'int16': return 'smallint';
    case 'int32': return t.oid ?? 'integer';
    case 'int64': return 'bigint';
    case 'float32': return 'real';
    case 'float64': return 'double precision';
    case 'decimal': return t.precision === undefined ? 'numeric' : `numeric(${t.precision},${t.scale ?? 0})`;
    case 'utf8':
      if (t.maxLength === undefined) return t.fixed ? 'character' : 'text';
      return t.fixed ? `character(${t.maxLength})` : `character varying(${t.maxLength})`;
    case 'binary': return 'bytea';
    case 'uuid': return 'uuid';
    case 'date': return 'date';
    case 'timestamp': return t.tz ? 'timestamp with time zone' : 'timestamp without time zone';
    case 'interval': return 'interval';
    case 'json': return t.binary ? 'jsonb' : 'json';
    case 'list': return `${typeName(t.element)}[]`;
    case 'struct': return 'record';
    case 'vector': return `vector(${t.dimension})`;
    case 'node': return 'node';
    case 'edge': return 'edge';
    case 'path': return 'path';
    case 'unknown': return 'unknown';
    case 'null': return 'unknown';
    case 'error': return 'error';
  }
}

export const isNumeric = (t: DataType): boolean =>
  t.kind === 'int16' || t.kind === 'int32' || t.kind === 'int64' || t.kind === 'float32' || t.kind === 'float64' || t.kind === 'decimal';
export const isInteger = (t: DataType): boolean => t.kind === 'int16' || t.kind === 'int32' || t.kind === 'int64';
export const isString = (t: DataType): boolean => t.kind === 'utf8' || t.kind === 'unknown';
