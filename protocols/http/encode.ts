// Engine values, statement results and the catalog as JSON (RFC 8259) the way a REST client expects them.
import { isDocumentTable, isEdgeTable, typeName, type Catalog, type ColumnInfo, type DataType, type Interval, type RelationInfo, type TableInfo, type ViewInfo } from '../../compiler/index.ts';
import { formatValue, type ResultColumn, type StatementResult } from '../../runtime/index.ts';

/** A JSON value as `JSON.stringify` writes it. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** One statement's result on the wire: `command` is the command tag (`SELECT 3`, `INSERT 0 1`). */
export interface ResultJson {
  readonly columns: { name: string; type: string }[];
  readonly rows: Json[][];
  readonly command: string;
  readonly notices?: { severity: string; sqlstate: string; message: string }[];
}

/** A collected statement result as JSON: rows as arrays in column order. */
export function encodeResult(r: StatementResult): ResultJson {
  const rows: Json[][] = [];
  for (const b of r.batches) {
    for (let i = 0; i < b.length; i++) rows.push(r.columns.map((c, j) => encodeValue(b.columns[j]![i], c.type)));
  }
  return {
    columns: r.columns.map((c: ResultColumn) => ({ name: c.name, type: typeName(c.type) })),
    rows,
    command: r.tag,
    ...(r.notices.length > 0 ? { notices: r.notices.map((n) => ({ severity: n.severity, sqlstate: n.sqlstate, message: n.message })) } : {}),
  };
}

/**
 * A value of type `t` (in the IR's conventions, see compiler/ir/types.ts) as JSON: numbers stay
 * numbers unless a double would change them (int8 beyond 2^53, long numerics: then the exact
 * text), NaN and infinities are strings, dates and timestamps ISO 8601 (a timestamp with time zone
 * in UTC with `Z`), intervals ISO 8601 durations, json as the document itself, bytea as PostgreSQL's
 * hex text (`\x…`), arrays and records element by element.
 */
export function encodeValue(v: unknown, t: DataType): Json {
  if (v === null || v === undefined) return null;
  switch (t.kind) {
    case 'bool':
      return v === true;
    case 'int16':
    case 'int32':
    case 'int64':
    case 'float32':
    case 'float64':
      return encodeNumber(v);
    case 'decimal':
      return encodeDecimal(String(v));
    case 'utf8':
    case 'uuid':
      return String(v);
    case 'date':
      return encodeDate(v as number) ?? formatValue(v, t);
    case 'timestamp':
      return encodeTimestamp(v as number, t.tz) ?? formatValue(v, t);
    case 'interval':
      return encodeInterval(v as Interval);
    case 'list':
      return Array.isArray(v) ? v.map((x) => encodeValue(x, t.element)) : encodeAny(v);
    case 'struct': {
      if (typeof v !== 'object') return encodeAny(v);
      const o = v as Record<string, unknown>;
      return Object.fromEntries(t.fields.map((f) => [f.name, encodeValue(o[f.name], f.type)]));
    }
    default:
      return encodeAny(v);
  }
}

/** Any JavaScript value the executor produces (json documents, graph values, untyped literals). */
function encodeAny(v: unknown): Json {
  if (v === null || v === undefined) return null;
  if (typeof v === 'number' || typeof v === 'bigint') return encodeNumber(v);
  if (typeof v === 'string' || typeof v === 'boolean') return v;
  if (v instanceof Uint8Array) return `\\x${Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('hex')}`;
  if (ArrayBuffer.isView(v)) return Array.from(v as unknown as ArrayLike<number>, encodeNumber);
  if (Array.isArray(v)) return v.map(encodeAny);
  if (typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, encodeAny(x)]));
  return String(v);
}

function encodeNumber(v: unknown): Json {
  if (typeof v === 'bigint') return v >= -9007199254740991n && v <= 9007199254740991n ? Number(v) : v.toString();
  const n = v as number;
  if (Number.isFinite(n)) return n;
  return Number.isNaN(n) ? 'NaN' : n > 0 ? 'Infinity' : '-Infinity';
}

/** A numeric as a JSON number when the double prints back as the same decimal value, else its exact text. */
function encodeDecimal(s: string): Json {
  const m = /^(-?)(\d+)(?:\.(\d+))?$/.exec(s);
  if (!m) return s;
  const int = m[2]!.replace(/^0+(?=\d)/, '');
  const frac = (m[3] ?? '').replace(/0+$/, '');
  const canonical = `${int === '0' && frac === '' ? '' : m[1]}${int}${frac ? `.${frac}` : ''}`;
  const n = Number(s);
  return String(n) === canonical ? n : s;
}

const DAY_MS = 86_400_000;
/** The range of JavaScript dates (ECMAScript §21.4.1.1); beyond it PostgreSQL's own text is used. */
const MAX_MS = 8.64e15;

function encodeDate(days: number): string | undefined {
  if (!Number.isFinite(days) || Math.abs(days * DAY_MS) > MAX_MS) return undefined;
  return new Date(days * DAY_MS).toISOString().slice(0, -14);
}

/** ISO 8601 with the seconds' fraction to microseconds (trailing zeros dropped); `Z` only for timestamptz. */
function encodeTimestamp(micros: number, tz: boolean): string | undefined {
  if (!Number.isFinite(micros)) return undefined;
  const ms = Math.floor(micros / 1000);
  if (Math.abs(ms) > MAX_MS) return undefined;
  const iso = new Date(ms).toISOString();
  const fraction = String(((micros % 1_000_000) + 1_000_000) % 1_000_000).padStart(6, '0').replace(/0+$/, '');
  return `${iso.slice(0, iso.indexOf('.'))}${fraction ? `.${fraction}` : ''}${tz ? 'Z' : ''}`;
}

/** ISO 8601 duration, each part with its own sign as PostgreSQL's `intervalstyle = iso_8601` writes it. */
function encodeInterval(i: Interval): string {
  const years = Math.trunc(i.months / 12);
  const months = i.months % 12;
  const hours = Math.trunc(i.micros / 3_600_000_000);
  const minutes = Math.trunc((i.micros % 3_600_000_000) / 60_000_000);
  const micros = i.micros % 60_000_000;
  let date = '';
  if (years) date += `${years}Y`;
  if (months) date += `${months}M`;
  if (i.days) date += `${i.days}D`;
  let time = '';
  if (hours) time += `${hours}H`;
  if (minutes) time += `${minutes}M`;
  if (micros) {
    const abs = Math.abs(micros);
    const frac = String(abs % 1_000_000).padStart(6, '0').replace(/0+$/, '');
    time += `${micros < 0 ? '-' : ''}${Math.floor(abs / 1_000_000)}${frac ? `.${frac}` : ''}S`;
  }
  if (!date && !time) return 'PT0S';
  return `P${date}${time ? `T${time}` : ''}`;
}

// ─── The catalog ────────────────────────────────────────────────────────────

/** A column as `GET /v1/catalog` lists it: `type` for people, `dataType` (the IR type) for tools. */
export interface ColumnJson {
  readonly name: string;
  readonly type: string;
  readonly dataType: DataType;
  readonly nullable: boolean;
  readonly default?: string;
}

/** The column names of a relation's primary key (empty when it has none) and of its other unique keys. */
export interface TableJson {
  readonly schema: string;
  readonly name: string;
  readonly columns: ColumnJson[];
  readonly primaryKey: readonly string[];
  readonly uniqueKeys: (readonly string[])[];
  readonly foreignKeys: TableInfo['foreignKeys'];
  readonly indexes: { name: string; columns: readonly string[]; unique: boolean; primary: boolean }[];
  readonly checks: TableInfo['checks'];
  /** A graph edge table: `in` and `out` record ids, each leading an index, so `->table->` walks it. */
  readonly edge: boolean;
  /** A schemaless document table (`DEFINE TABLE … SCHEMALESS`, or RELATE's edges): `id` plus a jsonb `doc`. */
  readonly document: boolean;
}

export interface ViewJson {
  readonly schema: string;
  readonly name: string;
  /** The defining query, bound afresh at each use. */
  readonly sql: string;
  readonly columnNames: readonly string[];
  /** The view's output columns, when its query binds. */
  readonly columns?: { name: string; type: string; dataType: DataType; nullable: boolean }[];
}

export interface CatalogJson {
  /** Bumped by every DDL change: a client may skip reloading an unchanged catalog. */
  readonly version: number;
  readonly searchPath: readonly string[];
  readonly schemas: string[];
  readonly tables: TableJson[];
  readonly views: ViewJson[];
}

/** The stored relations of `catalog`; `viewColumns` describes a view's output (undefined when it does not bind). */
export function encodeCatalog(catalog: Catalog, viewColumns: (v: ViewInfo) => readonly ResultColumn[] | undefined): CatalogJson {
  const relations = [...catalog.listRelations()].sort((a, b) => a.schema.localeCompare(b.schema) || a.name.localeCompare(b.name));
  return {
    version: catalog.version,
    searchPath: catalog.searchPath,
    schemas: [...new Set(relations.map((r: RelationInfo) => r.schema))],
    tables: relations.filter((r): r is TableInfo => r.kind === 'table').map(encodeTable),
    views: relations
      .filter((r): r is ViewInfo => r.kind === 'view')
      .map((v) => {
        const columns = viewColumns(v);
        return {
          schema: v.schema,
          name: v.name,
          sql: v.sql,
          columnNames: v.columnNames,
          ...(columns ? { columns: columns.map((c) => ({ name: c.name, type: typeName(c.type), dataType: c.type, nullable: c.nullable })) } : {}),
        };
      }),
  };
}

function encodeTable(t: TableInfo): TableJson {
  const columns = [...t.columns].sort((a, b) => a.ordinal - b.ordinal);
  return {
    schema: t.schema,
    name: t.name,
    columns: columns.map((c: ColumnInfo) => ({ name: c.name, type: typeName(c.type), dataType: c.type, nullable: c.nullable, ...(c.defaultSql !== undefined ? { default: c.defaultSql } : {}) })),
    primaryKey: t.primaryKey,
    uniqueKeys: t.indexes.filter((i) => i.unique && !i.primary).map((i) => i.columns),
    foreignKeys: t.foreignKeys,
    indexes: t.indexes.map((i) => ({ name: i.name, columns: i.columns, unique: i.unique, primary: i.primary })),
    checks: t.checks,
    edge: isEdgeTable(t),
    document: isDocumentTable(t),
  };
}
