// Maps SQL type names (with modifiers and array suffixes) onto IR data types, PostgreSQL's aliases included.

import { listOf, T, type DataType } from '../ir/types.ts';

/** A resolved column type; `serial` marks smallserial/serial/bigserial (a sequence-backed default). */
export interface ResolvedType {
  readonly type: DataType;
  readonly serial: boolean;
}

const SIMPLE: Readonly<Record<string, DataType>> = {
  smallint: T.int16, int2: T.int16,
  int: T.int32, integer: T.int32, int4: T.int32,
  bigint: T.int64, int8: T.int64,
  real: T.float32, float4: T.float32,
  'double precision': T.float64, float8: T.float64, double: T.float64,
  text: T.text, string: T.text, name: T.text,
  boolean: T.bool, bool: T.bool,
  date: T.date,
  timestamp: T.timestamp, 'timestamp without time zone': T.timestamp, datetime: T.timestamp,
  timestamptz: T.timestamptz, 'timestamp with time zone': T.timestamptz,
  interval: T.interval,
  json: T.json, jsonb: T.jsonb,
  bytea: T.binary, blob: T.binary,
  uuid: T.uuid,
  // Object identifiers are integers; oid and the reg* types that name an object keep their identity.
  oid: T.oid, regclass: T.regclass, regtype: { kind: 'int32', oid: 'regtype' }, regnamespace: { kind: 'int32', oid: 'regnamespace' }, regproc: { kind: 'int32', oid: 'regproc' },
  regprocedure: T.int32, regrole: T.int32,
};

const SERIAL: Readonly<Record<string, DataType>> = { smallserial: T.int16, serial2: T.int16, serial: T.int32, serial4: T.int32, bigserial: T.int64, serial8: T.int64 };

/**
 * Resolves a type name as the AST spells it (lower-case words, single-spaced) with its modifiers
 * and number of `[]` suffixes; undefined when no such type exists.
 */
export function resolveTypeName(name: string, modifiers: readonly number[], arrayDims: number): ResolvedType | undefined {
  const base = baseType(name.trim().replace(/\s+/g, ' '), modifiers);
  if (!base) return undefined;
  let type = base.type;
  for (let i = 0; i < arrayDims; i++) type = listOf(type);
  return { type, serial: base.serial && arrayDims === 0 };
}

function baseType(name: string, mods: readonly number[]): ResolvedType | undefined {
  const plain = (type: DataType): ResolvedType => ({ type, serial: false });
  const simple = SIMPLE[name];
  if (simple) return plain(simple);
  const serial = SERIAL[name];
  if (serial) return { type: serial, serial: true };
  switch (name) {
    case 'numeric':
    case 'decimal':
    case 'dec':
      if (mods.length === 0) return plain(T.decimal);
      return plain({ kind: 'decimal', precision: mods[0]!, scale: mods[1] ?? 0 });
    case 'varchar':
    case 'character varying':
    case 'char varying':
      return plain(mods.length ? { kind: 'utf8', maxLength: mods[0]! } : T.text);
    case 'char':
    case 'character':
    case 'bpchar':
      return plain({ kind: 'utf8', maxLength: mods[0] ?? 1, fixed: true });
    case 'float':
      // float(p): p ≤ 24 is real, otherwise double precision.
      return plain(mods.length && mods[0]! <= 24 ? T.float32 : T.float64);
    case 'vector':
      return mods.length ? plain({ kind: 'vector', dimension: mods[0]! }) : undefined;
    default:
      return undefined;
  }
}
