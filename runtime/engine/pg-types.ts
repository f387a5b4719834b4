// PostgreSQL's type identities of IR types: OIDs, typmods and lengths, shared by the wire protocol and the pg_catalog views.
import type { DataType } from '../../compiler/index.ts';

/** Scalar type OIDs and their array OIDs, from PostgreSQL's pg_type.dat (the pg_type view lists them). */
export const OIDS = {
  bool: [16, 1000],
  bytea: [17, 1001],
  int8: [20, 1016],
  int2: [21, 1005],
  regproc: [24, 1008],
  int4: [23, 1007],
  text: [25, 1009],
  oid: [26, 1028],
  json: [114, 199],
  float4: [700, 1021],
  float8: [701, 1022],
  unknown: [705, 705],
  bpchar: [1042, 1014],
  varchar: [1043, 1015],
  date: [1082, 1182],
  timestamp: [1114, 1115],
  timestamptz: [1184, 1185],
  interval: [1186, 1187],
  numeric: [1700, 1231],
  regclass: [2205, 2210],
  regtype: [2206, 2211],
  record: [2249, 2287],
  uuid: [2950, 2951],
  jsonb: [3802, 3807],
  regnamespace: [4089, 4090],
} as const satisfies Record<string, readonly [number, number]>;

type PgType = keyof typeof OIDS;

/** The pg_type name an IR type is reported as. */
function pgType(t: DataType): PgType {
  switch (t.kind) {
    case 'bool': return 'bool';
    case 'int16': return 'int2';
    case 'int32': return t.oid ?? 'int4';
    case 'int64': return 'int8';
    case 'float32': return 'float4';
    case 'float64': return 'float8';
    case 'decimal': return 'numeric';
    case 'utf8': return t.fixed ? 'bpchar' : t.maxLength !== undefined ? 'varchar' : 'text';
    case 'binary': return 'bytea';
    case 'uuid': return 'uuid';
    case 'date': return 'date';
    case 'timestamp': return t.tz ? 'timestamptz' : 'timestamp';
    case 'interval': return 'interval';
    case 'json': return t.binary ? 'jsonb' : 'json';
    case 'struct': return 'record';
    // Graph values, vectors and untyped literals are sent as text, as PostgreSQL does for `unknown` output.
    default: return 'text';
  }
}

/** The type OID a RowDescription or ParameterDescription reports for `t`. */
export function typeOid(t: DataType): number {
  if (t.kind === 'list') return t.element.kind === 'list' ? typeOid(t.element) : OIDS[pgType(t.element)][1];
  return OIDS[pgType(t)][0];
}

/** The type modifier (atttypmod): varchar(n)/char(n) → n+4, numeric(p,s) → ((p<<16)|s)+4, else -1. */
export function typeModifier(t: DataType): number {
  if (t.kind === 'utf8' && t.maxLength !== undefined) return t.maxLength + 4;
  if (t.kind === 'decimal' && t.precision !== undefined) return ((t.precision << 16) | (t.scale ?? 0)) + 4;
  if (t.kind === 'list') return typeModifier(t.element);
  return -1;
}

/** pg_type.typlen: the fixed width of the type, -1 for variable length. */
export function typeSize(t: DataType): number {
  switch (t.kind) {
    case 'bool': return 1;
    case 'int16': return 2;
    case 'int32':
    case 'float32':
    case 'date': return 4;
    case 'int64':
    case 'float64':
    case 'timestamp': return 8;
    case 'uuid':
    case 'interval': return 16;
    default: return -1;
  }
}

/** Declared parameter OIDs of a Parse message → IR types (0 and unknown OIDs leave the type to inference). */
export function typeOfOid(oid: number): DataType | undefined {
  switch (oid) {
    case 16: return { kind: 'bool' };
    case 17: return { kind: 'binary' };
    case 20: return { kind: 'int64' };
    case 21: return { kind: 'int16' };
    case 23: return { kind: 'int32' };
    case 24: return { kind: 'int32', oid: 'regproc' };
    case 26: return { kind: 'int32', oid: 'oid' };
    case 2205: return { kind: 'int32', oid: 'regclass' };
    case 2206: return { kind: 'int32', oid: 'regtype' };
    case 4089: return { kind: 'int32', oid: 'regnamespace' };
    case 25: return { kind: 'utf8' };
    case 114: return { kind: 'json', binary: false };
    case 700: return { kind: 'float32' };
    case 701: return { kind: 'float64' };
    case 1042: return { kind: 'utf8', fixed: true };
    case 1043: return { kind: 'utf8' };
    case 1082: return { kind: 'date' };
    case 1114: return { kind: 'timestamp', tz: false };
    case 1184: return { kind: 'timestamp', tz: true };
    case 1186: return { kind: 'interval' };
    case 1700: return { kind: 'decimal' };
    case 2950: return { kind: 'uuid' };
    case 3802: return { kind: 'json', binary: true };
    default: {
      for (const [scalar, array] of Object.values(OIDS)) {
        if (array === oid && scalar !== oid) {
          const element = typeOfOid(scalar);
          return element ? { kind: 'list', element } : undefined;
        }
      }
      return undefined;
    }
  }
}
