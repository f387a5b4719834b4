// The pg_catalog, information_schema and kv views: virtual tables whose rows are made from the engine's catalog when scanned.
//
// The binder sees them as ordinary tables (`SystemCatalog` answers for the two schemas); a scan of
// one reaches `SystemViews.wrap`'s transaction, which builds the rows instead of reading storage.
// OIDs: user relations keep their catalog ids (from 16384, as in PostgreSQL); indexes and
// constraints get ids derived from their table's; types, namespaces and roles use PostgreSQL's.
import { bindStatement, parseSql, T, type Catalog, type ColumnInfo, type DataType, type OidKind, type IndexInfo, type RelationInfo, type TableInfo, type ViewInfo } from '../../compiler/index.ts';
import { resolveTypeName } from '../../compiler/bind/index.ts';
import { allFunctions, type ArgSpec, type ResultSpec } from '../../compiler/functions/index.ts';
import type { SystemFacts } from '../exec/functions.ts';
import { vecFromValues } from '../exec/vector.ts';
import type { ColumnBatch } from '../storage/columns.ts';
import type { KeyBound, RowKey, StorageTxn, StoredRow } from '../storage/api.ts';
import { OrbitError } from './errors.ts';
import { KV_VIEWS } from './kv-views.ts';
import { OIDS, typeModifier, typeOid, typeSize } from './pg-types.ts';

const I2 = T.int16;
const I4 = T.int32;
const OID = T.oid;
const F4 = T.float32;
const TEXT = T.text;
const BOOL = T.bool;
const TSTZ = T.timestamptz;
const TEXTS: DataType = { kind: 'list', element: TEXT };
const I2S: DataType = { kind: 'list', element: I2 };
const I4S: DataType = { kind: 'list', element: I4 };

/** Namespace OIDs PostgreSQL gives its built-in schemas; other schemas are numbered after them. */
const NS = { pg_catalog: 11, public: 2200, information_schema: 13_000 } as const;
/** The bootstrap superuser's OID. */
const OWNER = 10;
/** pg_database's OID of the one database, and the btree access method's. */
const DATABASE_OID = 5;
const BTREE = 403;
const HEAP = 2;

const indexOid = (t: TableInfo, i: number): number => t.id * 1000 + 100 + i;
const constraintOid = (t: TableInfo, i: number): number => t.id * 1000 + 500 + i;

/** What a view's rows are made from: the catalog as the statement sees it and the session's facts. */
interface Source {
  readonly relations: readonly RelationInfo[];
  /** For binding view definitions, whose column types the catalog does not store. */
  readonly catalog: Catalog;
  readonly facts: SystemFacts;
  readonly settings: readonly (readonly [string, string])[];
  /** The engine's data directory (the `kv` views read its keyspace). */
  readonly dataDir: string;
}

/** A virtual table's column. */
export type Column = readonly [name: string, type: DataType];

/** A virtual table: its columns and how its rows are made when scanned. */
export interface ViewDef {
  readonly schema: 'pg_catalog' | 'information_schema' | 'kv';
  readonly name: string;
  readonly columns: readonly Column[];
  rows(src: Source): unknown[][];
}

const tables = (src: Source): TableInfo[] => src.relations.filter((r): r is TableInfo => r.kind === 'table');

/**
 * Tables at either end of a foreign key: PostgreSQL keeps internal RI triggers there, so they have
 * relhastriggers (psql asks for foreign keys and "Referenced by" only then). pg_trigger has no rows:
 * PostgreSQL's there would be those internal ones, which psql does not print.
 */
function withTriggers(src: Source): Set<TableInfo> {
  const all = tables(src);
  const referenced = new Set(all.flatMap((t) => t.foreignKeys.map((fk) => fk.refTable)));
  return new Set(all.filter((t) => t.foreignKeys.length > 0 || referenced.has(t.name)));
}

/** A view's output columns, found by binding its definition (a view that no longer binds shows none). */
function viewColumns(v: ViewInfo, catalog: Catalog): ColumnInfo[] {
  const parsed = parseSql(v.sql);
  const stmt = parsed.statements[0];
  if (!stmt) return [];
  const { bound } = bindStatement(stmt.ast, v.sql, catalog);
  if (bound?.kind !== 'query') return [];
  return bound.plan.schema.map((c, i) => ({ name: v.columnNames[i] ?? c.name, type: c.type, nullable: c.nullable, ordinal: i }));
}

/** The OID of a type name: pg_type's own names first (`int4`, `_int4`), then the SQL spellings. */
function typeOidOf(name: string): number | undefined {
  const text = name.toLowerCase().replace(/^pg_catalog\./, '').replace(/\s+/g, ' ');
  const row = TYPE_ROWS.find((r) => r.name === text || formatType(r.oid, -1) === text);
  if (row) return row.oid;
  const m = /^(.*?)\s*(?:\((\d+)(?:\s*,\s*(\d+))?\))?((?:\s*\[\])*)$/.exec(text)!;
  const mods = [m[2], m[3]].filter((x): x is string => x !== undefined).map(Number);
  const t = resolveTypeName(m[1]!, mods, (m[4]!.match(/\[/g) ?? []).length);
  return t ? typeOid(t.type) : undefined;
}

/** A possibly qualified name's parts: double-quoted parts kept as written, others folded to lower case. */
function splitQualified(name: string): string[] {
  return (name.match(/"(?:[^"]|"")*"|[^.]+/g) ?? ['']).map((p) => (p.startsWith('"') && p.endsWith('"') ? p.slice(1, -1).replaceAll('""', '"') : p.trim().toLowerCase()));
}

function schemaNames(src: Source): string[] {
  const names = new Set<string>(['pg_catalog', 'public', 'information_schema']);
  for (const r of src.relations) names.add(r.schema);
  return [...names];
}

function namespaceOid(schema: string, src: Source): number {
  const known = (NS as Record<string, number>)[schema];
  if (known !== undefined) return known;
  return 16_000 + schemaNames(src).indexOf(schema);
}

/** Constraints PostgreSQL would list for a table: primary key, unique indexes, foreign keys, checks. */
interface Constraint {
  readonly oid: number;
  readonly name: string;
  readonly type: 'p' | 'u' | 'f' | 'c';
  readonly table: TableInfo;
  readonly columns: readonly string[];
  readonly index?: number;
  readonly refTable?: string;
  readonly refColumns?: readonly string[];
  readonly definition: string;
}

function constraintsOf(t: TableInfo): Constraint[] {
  const out: Constraint[] = [];
  const list = (cols: readonly string[]) => cols.map(quoteIdent).join(', ');
  t.indexes.forEach((ix, i) => {
    if (!ix.primary && (!ix.unique || ix.standalone)) return;
    out.push({ oid: constraintOid(t, out.length), name: ix.name, type: ix.primary ? 'p' : 'u', table: t, columns: ix.columns, index: indexOid(t, i), definition: `${ix.primary ? 'PRIMARY KEY' : 'UNIQUE'} (${list(ix.columns)})` });
  });
  if (t.primaryKey.length > 0 && !t.indexes.some((ix) => ix.primary)) {
    out.push({ oid: constraintOid(t, out.length), name: `${t.name}_pkey`, type: 'p', table: t, columns: t.primaryKey, definition: `PRIMARY KEY (${list(t.primaryKey)})` });
  }
  for (const fk of t.foreignKeys) {
    out.push({ oid: constraintOid(t, out.length), name: fk.name, type: 'f', table: t, columns: fk.columns, refTable: fk.refTable, refColumns: fk.refColumns, definition: `FOREIGN KEY (${list(fk.columns)}) REFERENCES ${quoteIdent(fk.refTable)}(${list(fk.refColumns)})` });
  }
  for (const ck of t.checks) out.push({ oid: constraintOid(t, out.length), name: ck.name, type: 'c', table: t, columns: [], definition: `CHECK (${ck.sql})` });
  return out;
}

function quoteIdent(name: string): string {
  return /^[a-z_][a-z0-9_$]*$/.test(name) ? name : `"${name.replaceAll('"', '""')}"`;
}

function attnums(t: TableInfo, names: readonly string[]): number[] {
  return names.map((n) => (t.columns.find((c) => c.name === n)?.ordinal ?? -1) + 1);
}

function indexDef(t: TableInfo, ix: IndexInfo): string {
  return `CREATE ${ix.unique || ix.primary ? 'UNIQUE ' : ''}INDEX ${quoteIdent(ix.name)} ON ${quoteIdent(t.schema)}.${quoteIdent(t.name)} USING btree (${ix.columns.map(quoteIdent).join(', ')})`;
}

/** The pg_type rows: every scalar type the engine has, and its array type. */
const TYPE_ROWS: readonly { oid: number; name: string; len: number; category: string; elem: number; array: number }[] = (() => {
  const category: Record<string, string> = { bool: 'B', bytea: 'U', int8: 'N', int2: 'N', int4: 'N', oid: 'N', regproc: 'N', regclass: 'N', regtype: 'N', regnamespace: 'N', text: 'S', json: 'U', float4: 'N', float8: 'N', unknown: 'X', bpchar: 'S', varchar: 'S', date: 'D', timestamp: 'D', timestamptz: 'D', interval: 'T', numeric: 'N', record: 'P', uuid: 'U', jsonb: 'U' };
  const len: Record<string, number> = { bool: 1, int2: 2, int4: 4, oid: 4, regproc: 4, regclass: 4, regtype: 4, regnamespace: 4, int8: 8, float4: 4, float8: 8, date: 4, timestamp: 8, timestamptz: 8, interval: 16, uuid: 16, unknown: -2 };
  const rows: { oid: number; name: string; len: number; category: string; elem: number; array: number }[] = [];
  for (const [name, [oid, array]] of Object.entries(OIDS)) {
    rows.push({ oid, name, len: len[name] ?? -1, category: category[name] ?? 'U', elem: 0, array: array === oid ? 0 : array });
    if (array !== oid) rows.push({ oid: array, name: `_${name}`, len: -1, category: 'A', elem: oid, array: 0 });
  }
  rows.push({ oid: 19, name: 'name', len: 64, category: 'S', elem: 0, array: 1003 });
  return rows;
})();

/** format_type(oid, typmod) for the types the engine has. */
export function formatType(oid: number, typmod: number): string | null {
  const row = TYPE_ROWS.find((r) => r.oid === oid);
  if (!row) return null;
  if (row.elem !== 0) {
    const inner = formatType(row.elem, typmod);
    return inner === null ? null : `${inner}[]`;
  }
  const mod = typmod >= 4 ? typmod - 4 : -1;
  switch (row.name) {
    case 'int2': return 'smallint';
    case 'int4': return 'integer';
    case 'int8': return 'bigint';
    case 'float4': return 'real';
    case 'float8': return 'double precision';
    case 'bool': return 'boolean';
    case 'varchar': return mod >= 0 ? `character varying(${mod})` : 'character varying';
    case 'bpchar': return mod >= 0 ? `character(${mod})` : 'bpchar';
    case 'numeric': return mod >= 0 ? `numeric(${mod >> 16},${mod & 0xffff})` : 'numeric';
    case 'timestamp': return 'timestamp without time zone';
    case 'timestamptz': return 'timestamp with time zone';
    default: return row.name;
  }
}

const VIEWS: readonly ViewDef[] = [
  {
    schema: 'pg_catalog',
    name: 'pg_namespace',
    columns: [['oid', OID], ['nspname', TEXT], ['nspowner', I4], ['nspacl', TEXTS]],
    rows: (src) => schemaNames(src).map((n) => [namespaceOid(n, src), n, OWNER, null]),
  },
  {
    schema: 'pg_catalog',
    name: 'pg_class',
    columns: [
      ['oid', OID], ['relname', TEXT], ['relnamespace', I4], ['reltype', I4], ['reloftype', I4], ['relowner', I4], ['relam', I4],
      ['relfilenode', I4], ['reltablespace', I4], ['relpages', I4], ['reltuples', F4], ['relallvisible', I4], ['reltoastrelid', I4],
      ['relhasindex', BOOL], ['relisshared', BOOL], ['relpersistence', TEXT], ['relkind', TEXT], ['relnatts', I2], ['relchecks', I2],
      ['relhasrules', BOOL], ['relhastriggers', BOOL], ['relhassubclass', BOOL], ['relrowsecurity', BOOL], ['relforcerowsecurity', BOOL],
      ['relispopulated', BOOL], ['relreplident', TEXT], ['relispartition', BOOL], ['relrewrite', I4], ['relacl', TEXTS], ['reloptions', TEXTS], ['relpartbound', TEXT],
    ],
    rows: (src) => {
      const out: unknown[][] = [];
      const triggers = withTriggers(src);
      const rel = (oid: number, name: string, schema: string, kind: string, am: number, natts: number, extra: { hasIndex?: boolean; checks?: number; tuples?: number; triggers?: boolean } = {}) =>
        out.push([oid, name, namespaceOid(schema, src), 0, 0, OWNER, am, oid, 0, 0, extra.tuples ?? -1, 0, 0, extra.hasIndex ?? false, false, 'p', kind, natts, extra.checks ?? 0, false, extra.triggers ?? false, false, false, false, true, 'd', false, 0, null, null, null]);
      for (const r of src.relations) {
        if (r.kind === 'view') {
          rel(r.id, r.name, r.schema, 'v', 0, r.columnNames.length);
          continue;
        }
        rel(r.id, r.name, r.schema, 'r', HEAP, r.columns.length, { hasIndex: r.indexes.length > 0, checks: r.checks.length, tuples: r.stats?.rowCount ?? -1, triggers: triggers.has(r) });
        r.indexes.forEach((ix, i) => rel(indexOid(r, i), ix.name, r.schema, 'i', BTREE, ix.columns.length));
      }
      // The kv views are reached by name only: their schema is not one pg_namespace lists.
      for (const v of SYSTEM_TABLES) if (v.schema !== 'kv') rel(v.id, v.name, v.schema, v.schema === 'pg_catalog' ? 'r' : 'v', v.schema === 'pg_catalog' ? HEAP : 0, v.columns.length);
      return out;
    },
  },
  {
    schema: 'pg_catalog',
    name: 'pg_attribute',
    columns: [
      ['attrelid', I4], ['attname', TEXT], ['atttypid', I4], ['attstattarget', I4], ['attlen', I2], ['attnum', I2], ['attndims', I4],
      ['attcacheoff', I4], ['atttypmod', I4], ['attbyval', BOOL], ['attalign', TEXT], ['attstorage', TEXT], ['attcompression', TEXT],
      ['attnotnull', BOOL], ['atthasdef', BOOL], ['atthasmissing', BOOL], ['attidentity', TEXT], ['attgenerated', TEXT], ['attisdropped', BOOL],
      ['attislocal', BOOL], ['attinhcount', I4], ['attcollation', I4], ['attacl', TEXTS], ['attoptions', TEXTS], ['attfdwoptions', TEXTS],
    ],
    rows: (src) => {
      const out: unknown[][] = [];
      const att = (relid: number, c: ColumnInfo, num: number, notNull: boolean) => {
        const textual = c.type.kind === 'utf8';
        out.push([relid, c.name, typeOid(c.type), -1, typeSize(c.type), num, c.type.kind === 'list' ? 1 : 0, -1, typeModifier(c.type), typeSize(c.type) > 0 && typeSize(c.type) <= 8, 'i', 'x', '', notNull, c.defaultSql !== undefined || c.sequence !== undefined, false, '', '', false, true, 0, textual ? 100 : 0, null, null, null]);
      };
      for (const r of src.relations) if (r.kind === 'view') for (const c of viewColumns(r, src.catalog)) att(r.id, c, c.ordinal + 1, false);
      for (const t of tables(src)) {
        for (const c of t.columns) att(t.id, c, c.ordinal + 1, !c.nullable || t.primaryKey.includes(c.name));
        t.indexes.forEach((ix, i) => ix.columns.forEach((name, k) => {
          const c = t.columns.find((x) => x.name === name);
          if (c) att(indexOid(t, i), c, k + 1, false);
        }));
      }
      for (const v of SYSTEM_TABLES) if (v.schema !== 'kv') v.columns.forEach((c) => att(v.id, c, c.ordinal + 1, false));
      return out;
    },
  },
  {
    schema: 'pg_catalog',
    name: 'pg_attrdef',
    columns: [['oid', OID], ['adrelid', I4], ['adnum', I2], ['adbin', TEXT]],
    rows: (src) =>
      tables(src).flatMap((t) =>
        t.columns.flatMap((c) => {
          const sql = c.defaultSql ?? (c.sequence !== undefined ? `nextval('${c.sequence}'::regclass)` : undefined);
          return sql === undefined ? [] : [[t.id * 1000 + 800 + c.ordinal, t.id, c.ordinal + 1, sql]];
        }),
      ),
  },
  {
    schema: 'pg_catalog',
    name: 'pg_type',
    columns: [
      ['oid', OID], ['typname', TEXT], ['typnamespace', I4], ['typowner', I4], ['typlen', I2], ['typbyval', BOOL], ['typtype', TEXT],
      ['typcategory', TEXT], ['typispreferred', BOOL], ['typisdefined', BOOL], ['typdelim', TEXT], ['typrelid', I4], ['typelem', I4],
      ['typarray', I4], ['typinput', TEXT], ['typoutput', TEXT], ['typreceive', TEXT], ['typsend', TEXT], ['typnotnull', BOOL],
      ['typbasetype', I4], ['typtypmod', I4], ['typndims', I4], ['typcollation', I4], ['typdefault', TEXT],
    ],
    rows: () =>
      TYPE_ROWS.map((r) => {
        const base = r.elem === 0 ? r.name : r.name.slice(1);
        const io = r.elem === 0 ? base : 'array';
        return [r.oid, r.name, NS.pg_catalog, OWNER, r.len, r.len > 0 && r.len <= 8, r.name === 'record' ? 'p' : 'b', r.category, r.name === 'text' || r.name === 'float8' || r.name === 'timestamptz', true, ',', 0, r.elem, r.array, `${io}_in`, `${io}_out`, `${io}_recv`, `${io}_send`, false, 0, -1, 0, ['text', 'varchar', 'bpchar'].includes(base) ? 100 : 0, null];
      }),
  },
  {
    schema: 'pg_catalog',
    name: 'pg_index',
    columns: [
      ['indexrelid', I4], ['indrelid', I4], ['indnatts', I2], ['indnkeyatts', I2], ['indisunique', BOOL], ['indnullsnotdistinct', BOOL], ['indisprimary', BOOL],
      ['indisexclusion', BOOL], ['indimmediate', BOOL], ['indisclustered', BOOL], ['indisvalid', BOOL], ['indcheckxmin', BOOL], ['indisready', BOOL],
      ['indislive', BOOL], ['indisreplident', BOOL], ['indkey', I2S], ['indcollation', I4S], ['indclass', I4S], ['indoption', I2S], ['indexprs', TEXT], ['indpred', TEXT],
    ],
    rows: (src) =>
      tables(src).flatMap((t) =>
        t.indexes.map((ix, i) => {
          const n = ix.columns.length;
          return [indexOid(t, i), t.id, n, n, ix.unique || ix.primary, false, ix.primary, false, true, false, true, false, true, true, false, attnums(t, ix.columns), new Array(n).fill(0), new Array(n).fill(0), new Array(n).fill(0), null, null];
        }),
      ),
  },
  {
    schema: 'pg_catalog',
    name: 'pg_constraint',
    columns: [
      ['oid', OID], ['conname', TEXT], ['connamespace', I4], ['contype', TEXT], ['condeferrable', BOOL], ['condeferred', BOOL], ['convalidated', BOOL],
      ['conrelid', I4], ['contypid', I4], ['conindid', I4], ['conparentid', I4], ['confrelid', I4], ['confupdtype', TEXT], ['confdeltype', TEXT],
      ['confmatchtype', TEXT], ['conislocal', BOOL], ['coninhcount', I4], ['connoinherit', BOOL], ['conkey', I2S], ['confkey', I2S], ['conbin', TEXT],
    ],
    rows: (src) =>
      tables(src).flatMap((t) =>
        constraintsOf(t).map((c) => {
          const ref = c.refTable === undefined ? undefined : tables(src).find((x) => x.name === c.refTable);
          return [c.oid, c.name, namespaceOid(t.schema, src), c.type, false, false, true, t.id, 0, c.index ?? 0, 0, ref?.id ?? 0, c.type === 'f' ? 'a' : ' ', c.type === 'f' ? 'a' : ' ', c.type === 'f' ? 's' : ' ', true, 0, false, c.type === 'c' ? null : attnums(t, c.columns), ref && c.refColumns ? attnums(ref, c.refColumns) : null, c.type === 'c' ? c.definition : null];
        }),
      ),
  },
  {
    schema: 'pg_catalog',
    name: 'pg_database',
    columns: [
      ['oid', OID], ['datname', TEXT], ['datdba', I4], ['encoding', I4], ['datlocprovider', TEXT], ['datistemplate', BOOL], ['datallowconn', BOOL],
      ['datconnlimit', I4], ['dattablespace', I4], ['datcollate', TEXT], ['datctype', TEXT], ['daticulocale', TEXT], ['daticurules', TEXT], ['datcollversion', TEXT], ['datacl', TEXTS],
    ],
    rows: (src) => [[DATABASE_OID, src.facts.database, OWNER, 6, 'c', false, true, -1, 1663, 'C', 'C', null, null, null, null]],
  },
  {
    schema: 'pg_catalog',
    name: 'pg_roles',
    columns: [
      ['oid', OID], ['rolname', TEXT], ['rolsuper', BOOL], ['rolinherit', BOOL], ['rolcreaterole', BOOL], ['rolcreatedb', BOOL], ['rolcanlogin', BOOL],
      ['rolreplication', BOOL], ['rolconnlimit', I4], ['rolpassword', TEXT], ['rolvaliduntil', TSTZ], ['rolbypassrls', BOOL], ['rolconfig', TEXTS],
    ],
    rows: (src) => [[OWNER, src.facts.user, true, true, true, true, true, true, -1, '********', null, true, null]],
  },
  {
    schema: 'pg_catalog',
    name: 'pg_auth_members',
    columns: [['roleid', I4], ['member', I4], ['grantor', I4], ['admin_option', BOOL]],
    rows: () => [],
  },
  {
    schema: 'pg_catalog',
    name: 'pg_settings',
    columns: [
      ['name', TEXT], ['setting', TEXT], ['unit', TEXT], ['category', TEXT], ['short_desc', TEXT], ['extra_desc', TEXT], ['context', TEXT],
      ['vartype', TEXT], ['source', TEXT], ['min_val', TEXT], ['max_val', TEXT], ['enumvals', TEXTS], ['boot_val', TEXT], ['reset_val', TEXT],
      ['sourcefile', TEXT], ['sourceline', I4], ['pending_restart', BOOL],
    ],
    rows: (src) => src.settings.map(([name, value]) => [name, value, null, 'Orbit', '', null, 'user', 'string', 'session', null, null, null, value, value, null, null, false]),
  },
  {
    schema: 'pg_catalog',
    name: 'pg_am',
    columns: [['oid', OID], ['amname', TEXT], ['amhandler', TEXT], ['amtype', TEXT]],
    rows: () => [[HEAP, 'heap', 'heap_tableam_handler', 't'], [BTREE, 'btree', 'bthandler', 'i']],
  },
  {
    schema: 'pg_catalog',
    name: 'pg_collation',
    columns: [['oid', OID], ['collname', TEXT], ['collnamespace', I4], ['collowner', I4], ['collprovider', TEXT], ['collisdeterministic', BOOL], ['collencoding', I4], ['collcollate', TEXT], ['collctype', TEXT]],
    rows: () => [[100, 'default', NS.pg_catalog, OWNER, 'd', true, -1, null, null], [950, 'C', NS.pg_catalog, OWNER, 'c', true, -1, 'C', 'C']],
  },
  // Features Orbit does not have (row security, extended statistics, publications, inheritance): their catalogs exist and are empty.
  {
    schema: 'pg_catalog',
    name: 'pg_policy',
    columns: [['oid', OID], ['polname', TEXT], ['polrelid', I4], ['polcmd', TEXT], ['polpermissive', BOOL], ['polroles', I4S], ['polqual', TEXT], ['polwithcheck', TEXT]],
    rows: () => [],
  },
  {
    schema: 'pg_catalog',
    name: 'pg_statistic_ext',
    columns: [['oid', OID], ['stxrelid', I4], ['stxname', TEXT], ['stxnamespace', I4], ['stxowner', I4], ['stxstattarget', I4], ['stxkeys', I2S], ['stxkind', TEXTS], ['stxexprs', TEXT]],
    rows: () => [],
  },
  {
    schema: 'pg_catalog',
    name: 'pg_publication',
    columns: [['oid', OID], ['pubname', TEXT], ['pubowner', I4], ['puballtables', BOOL], ['pubinsert', BOOL], ['pubupdate', BOOL], ['pubdelete', BOOL], ['pubtruncate', BOOL], ['pubviaroot', BOOL]],
    rows: () => [],
  },
  {
    schema: 'pg_catalog',
    name: 'pg_publication_namespace',
    columns: [['oid', OID], ['pnpubid', I4], ['pnnspid', I4]],
    rows: () => [],
  },
  {
    schema: 'pg_catalog',
    name: 'pg_publication_rel',
    columns: [['oid', OID], ['prpubid', I4], ['prrelid', I4], ['prqual', TEXT], ['prattrs', I2S]],
    rows: () => [],
  },
  {
    schema: 'pg_catalog',
    name: 'pg_inherits',
    columns: [['inhrelid', I4], ['inhparent', I4], ['inhseqno', I4], ['inhdetachpending', BOOL]],
    rows: () => [],
  },
  {
    schema: 'pg_catalog',
    name: 'pg_trigger',
    columns: [
      ['oid', OID], ['tgrelid', I4], ['tgparentid', I4], ['tgname', TEXT], ['tgfoid', I4], ['tgtype', I2], ['tgenabled', TEXT], ['tgisinternal', BOOL],
      ['tgconstrrelid', I4], ['tgconstrindid', I4], ['tgconstraint', I4], ['tgdeferrable', BOOL], ['tginitdeferred', BOOL], ['tgnargs', I2], ['tgattr', I2S],
      ['tgqual', TEXT], ['tgoldtable', TEXT], ['tgnewtable', TEXT],
    ],
    rows: () => [],
  },
  {
    schema: 'pg_catalog',
    name: 'pg_proc',
    columns: [['oid', OID], ['proname', TEXT], ['pronamespace', I4], ['proowner', I4], ['prokind', TEXT], ['proretset', BOOL], ['prorettype', I4], ['pronargs', I2], ['proargtypes', I4S]],
    rows: () => [...PROC_ROWS],
  },
  {
    schema: 'pg_catalog',
    name: 'pg_description',
    columns: [['objoid', I4], ['classoid', I4], ['objsubid', I4], ['description', TEXT]],
    rows: () => [],
  },
  {
    schema: 'pg_catalog',
    name: 'pg_tables',
    columns: [['schemaname', TEXT], ['tablename', TEXT], ['tableowner', TEXT], ['tablespace', TEXT], ['hasindexes', BOOL], ['hasrules', BOOL], ['hastriggers', BOOL], ['rowsecurity', BOOL]],
    rows: (src) => {
      const triggers = withTriggers(src);
      return tables(src).map((t) => [t.schema, t.name, src.facts.user, null, t.indexes.length > 0, false, triggers.has(t), false]);
    },
  },
  {
    schema: 'pg_catalog',
    name: 'pg_views',
    columns: [['schemaname', TEXT], ['viewname', TEXT], ['viewowner', TEXT], ['definition', TEXT]],
    rows: (src) => src.relations.flatMap((r) => (r.kind === 'view' ? [[r.schema, r.name, src.facts.user, r.sql]] : [])),
  },
  {
    schema: 'information_schema',
    name: 'schemata',
    columns: [['catalog_name', TEXT], ['schema_name', TEXT], ['schema_owner', TEXT], ['default_character_set_catalog', TEXT], ['default_character_set_schema', TEXT], ['default_character_set_name', TEXT], ['sql_path', TEXT]],
    rows: (src) => schemaNames(src).map((n) => [src.facts.database, n, src.facts.user, null, null, null, null]),
  },
  {
    schema: 'information_schema',
    name: 'tables',
    columns: [['table_catalog', TEXT], ['table_schema', TEXT], ['table_name', TEXT], ['table_type', TEXT], ['self_referencing_column_name', TEXT], ['reference_generation', TEXT], ['user_defined_type_catalog', TEXT], ['user_defined_type_schema', TEXT], ['user_defined_type_name', TEXT], ['is_insertable_into', TEXT], ['is_typed', TEXT], ['commit_action', TEXT]],
    rows: (src) => src.relations.map((r) => [src.facts.database, r.schema, r.name, r.kind === 'view' ? 'VIEW' : 'BASE TABLE', null, null, null, null, null, r.kind === 'view' ? 'NO' : 'YES', 'NO', null]),
  },
  {
    schema: 'information_schema',
    name: 'columns',
    columns: [
      ['table_catalog', TEXT], ['table_schema', TEXT], ['table_name', TEXT], ['column_name', TEXT], ['ordinal_position', I4], ['column_default', TEXT],
      ['is_nullable', TEXT], ['data_type', TEXT], ['character_maximum_length', I4], ['character_octet_length', I4], ['numeric_precision', I4],
      ['numeric_precision_radix', I4], ['numeric_scale', I4], ['datetime_precision', I4], ['udt_catalog', TEXT], ['udt_schema', TEXT], ['udt_name', TEXT],
      ['is_identity', TEXT], ['is_generated', TEXT], ['is_updatable', TEXT],
    ],
    rows: (src) =>
      tables(src).flatMap((t) =>
        t.columns.map((c) => {
          const ty = c.type;
          const numeric = numericFacets(ty);
          const udt = ty.kind === 'list' ? `_${typeRowName(ty.element)}` : typeRowName(ty);
          return [src.facts.database, t.schema, t.name, c.name, c.ordinal + 1, c.defaultSql ?? (c.sequence !== undefined ? `nextval('${c.sequence}'::regclass)` : null), c.nullable && !t.primaryKey.includes(c.name) ? 'YES' : 'NO', dataTypeName(ty), ty.kind === 'utf8' ? (ty.maxLength ?? null) : null, ty.kind === 'utf8' ? (ty.maxLength ?? 1_073_741_824) * (ty.maxLength ? 4 : 1) : null, numeric.precision, numeric.radix, numeric.scale, ty.kind === 'timestamp' || ty.kind === 'date' ? (ty.kind === 'date' ? 0 : 6) : null, src.facts.database, 'pg_catalog', udt, 'NO', 'NEVER', 'YES'];
        }),
      ),
  },
  {
    schema: 'information_schema',
    name: 'table_constraints',
    columns: [['constraint_catalog', TEXT], ['constraint_schema', TEXT], ['constraint_name', TEXT], ['table_catalog', TEXT], ['table_schema', TEXT], ['table_name', TEXT], ['constraint_type', TEXT], ['is_deferrable', TEXT], ['initially_deferred', TEXT], ['enforced', TEXT], ['nulls_distinct', TEXT]],
    rows: (src) =>
      tables(src).flatMap((t) =>
        constraintsOf(t).map((c) => [src.facts.database, t.schema, c.name, src.facts.database, t.schema, t.name, { p: 'PRIMARY KEY', u: 'UNIQUE', f: 'FOREIGN KEY', c: 'CHECK' }[c.type], 'NO', 'NO', 'YES', c.type === 'u' ? 'YES' : null]),
      ),
  },
  {
    schema: 'information_schema',
    name: 'key_column_usage',
    columns: [['constraint_catalog', TEXT], ['constraint_schema', TEXT], ['constraint_name', TEXT], ['table_catalog', TEXT], ['table_schema', TEXT], ['table_name', TEXT], ['column_name', TEXT], ['ordinal_position', I4], ['position_in_unique_constraint', I4]],
    rows: (src) =>
      tables(src).flatMap((t) =>
        constraintsOf(t)
          .filter((c) => c.type !== 'c')
          .flatMap((c) => c.columns.map((col, i) => [src.facts.database, t.schema, c.name, src.facts.database, t.schema, t.name, col, i + 1, c.type === 'f' ? i + 1 : null])),
      ),
  },
];

/** Polymorphic pseudo-type OIDs: "any", anyelement, anyarray. */
const argOid = (a: ArgSpec | ResultSpec): number => (a === 'any' ? 2276 : a === 'elem' ? 2283 : a === 'array' ? 2277 : typeof a === 'function' ? 2283 : typeOid(a));

/** pg_proc: one row per signature of every function in the registry. */
const PROC_ROWS: readonly unknown[][] = allFunctions().flatMap((f, i) =>
  f.signatures.map((s, j) => [20_000 + i * 16 + j, f.name, NS.pg_catalog, OWNER, f.kind === 'aggregate' ? 'a' : f.kind === 'window' ? 'w' : 'f', false, argOid(s.result), s.args.length, s.args.map(argOid)]),
);

function typeRowName(t: DataType): string {
  const oid = typeOid(t);
  return TYPE_ROWS.find((r) => r.oid === oid)?.name ?? 'text';
}

/** information_schema.columns.data_type: the SQL-standard spelling, ARRAY for arrays. */
function dataTypeName(t: DataType): string {
  if (t.kind === 'list') return 'ARRAY';
  const name = formatType(typeOid(t), -1) ?? 'text';
  return name === 'bpchar' ? 'character' : name;
}

function numericFacets(t: DataType): { precision: number | null; radix: number | null; scale: number | null } {
  switch (t.kind) {
    case 'int16': return { precision: 16, radix: 2, scale: 0 };
    case 'int32': return { precision: 32, radix: 2, scale: 0 };
    case 'int64': return { precision: 64, radix: 2, scale: 0 };
    case 'float32': return { precision: 24, radix: 2, scale: null };
    case 'float64': return { precision: 53, radix: 2, scale: null };
    case 'decimal': return { precision: t.precision ?? null, radix: 10, scale: t.precision === undefined ? null : (t.scale ?? 0) };
    default: return { precision: null, radix: null, scale: null };
  }
}

/** The views as catalog tables: no keys or indexes, so every plan over them is a sequential scan. */
const SYSTEM_TABLES: readonly (TableInfo & { readonly view: ViewDef })[] = [...VIEWS, ...KV_VIEWS].map((v, i) => ({
  kind: 'table',
  schema: v.schema,
  name: v.name,
  id: 12_000 + i,
  columns: v.columns.map(([name, type], ordinal) => ({ name, type, nullable: true, ordinal })),
  primaryKey: [],
  indexes: [],
  foreignKeys: [],
  checks: [],
  view: v,
}));

const BY_NAME = new Map(SYSTEM_TABLES.map((t) => [`${t.schema}.${t.name}`, t]));
const BY_ID = new Map(SYSTEM_TABLES.map((t) => [t.id, t]));

/**
 * The engine's catalog plus the system views. An unqualified name finds a user relation first,
 * then a pg_catalog view (information_schema is reached only by its qualified name).
 */
export class SystemCatalog implements Catalog {
  constructor(private readonly inner: () => Catalog) {}

  get version(): number {
    return this.inner().version;
  }

  get searchPath(): readonly string[] {
    return this.inner().searchPath;
  }

  getRelation(schema: string | undefined, name: string): RelationInfo | undefined {
    if (schema === 'pg_catalog' || schema === 'information_schema' || schema === 'kv') return BY_NAME.get(`${schema}.${name}`);
    return this.inner().getRelation(schema, name) ?? (schema === undefined ? BY_NAME.get(`pg_catalog.${name}`) : undefined);
  }

  listRelations(): readonly RelationInfo[] {
    return this.inner().listRelations();
  }
}

/**
 * One session's view of the system views: wraps a statement's transaction so that scans of a
 * view produce its rows, and answers the session's system functions.
 */
export class SystemViews {
  constructor(
    private readonly catalog: Catalog,
    readonly facts: SystemFacts,
    private readonly settings: () => readonly (readonly [string, string])[],
    private readonly dataDir: string,
  ) {}

  /** The transaction the executor sees: system views scanned from the catalog, everything else from storage. */
  wrap(txn: StorageTxn): StorageTxn {
    const rowsOf = (table: TableInfo): unknown[][] | undefined => {
      const sys = BY_ID.get(table.id);
      if (!sys || sys.name !== table.name) return undefined;
      return sys.view.rows({ relations: this.catalog.listRelations(), catalog: this.catalog, facts: this.facts, settings: this.settings(), dataDir: this.dataDir });
    };
    const readOnly = (table: TableInfo): never => {
      throw new OrbitError('42809', `cannot change system view "${table.name}"`);
    };
    const wrapped: StorageTxn = {
      id: txn.id,
      get writing() {
        return txn.writing;
      },
      scan: (table, batchSize) => {
        const rows = rowsOf(table);
        if (!rows) return txn.scan(table, batchSize);
        const stored: StoredRow[] = rows.map((values) => ({ key: EMPTY_KEY, values }));
        return [stored];
      },
      scanColumns: (table, ordinals, batchSize) => {
        const rows = rowsOf(table);
        if (!rows) {
          if (txn.scanColumns) return txn.scanColumns(table, ordinals, batchSize);
          return columnsFromRows(txn.scan(table, batchSize), table, ordinals);
        }
        return columnsFromRows([rows.map((values) => ({ key: EMPTY_KEY, values }))], table, ordinals);
      },
      indexScan: (table: TableInfo, indexName: string, eq: readonly unknown[], low?: KeyBound, high?: KeyBound) => txn.indexScan(table, indexName, eq, low, high),
      get: (table, key) => txn.get(table, key),
      insert: (table, values): RowKey => (BY_ID.has(table.id) ? readOnly(table) : txn.insert(table, values)),
      update: (table, key, values): RowKey => (BY_ID.has(table.id) ? readOnly(table) : txn.update(table, key, values)),
      delete: (table, key) => (BY_ID.has(table.id) ? readOnly(table) : txn.delete(table, key)),
      keyShare: (table, key) => txn.keyShare(table, key),
      savepoint: (name) => txn.savepoint(name),
      rollbackTo: (name) => txn.rollbackTo(name),
      release: (name) => txn.release(name),
      commit: () => txn.commit(),
      rollback: () => txn.rollback(),
    };
    if (txn.nextval) return { ...wrapped, nextval: (sequence) => txn.nextval!(sequence) };
    return wrapped;
  }

  /** pg_get_indexdef / pg_get_constraintdef for the derived OIDs of indexes and constraints. */
  definition(oid: number): string | null {
    const tableId = Math.floor(oid / 1000);
    const slot = oid % 1000;
    const t = this.catalog.listRelations().find((r): r is TableInfo => r.kind === 'table' && r.id === tableId);
    if (!t) return null;
    if (slot >= 100 && slot < 500) {
      const ix = t.indexes[slot - 100];
      return ix ? indexDef(t, ix) : null;
    }
    if (slot >= 500 && slot < 800) return constraintsOf(t)[slot - 500]?.definition ?? null;
    return null;
  }

  /**
   * reg* output, as regclassout and its siblings print: the name of the object an OID identifies
   * (a relation schema-qualified unless it is visible unqualified), the number when nothing has
   * that OID, and `-` for 0.
   */
  objectName(kind: OidKind, oid: number): string {
    if (oid === 0 && kind !== 'oid') return '-';
    let name: string | undefined;
    if (kind === 'regclass') name = this.relationName(oid);
    else if (kind === 'regtype') name = formatType(oid, -1) ?? undefined;
    else if (kind === 'regproc') name = PROC_ROWS.find((r) => r[0] === oid)?.[1] as string | undefined;
    else if (kind === 'regnamespace') {
      const src = this.source();
      const schema = schemaNames(src).find((n) => namespaceOid(n, src) === oid);
      name = schema === undefined ? undefined : quoteIdent(schema);
    }
    return name ?? String(oid);
  }

  /**
   * reg* input, as regclassin and its siblings read: a number is the OID itself, `-` is 0; a relation
   * name may be schema-qualified and double-quoted, a type any spelling the SQL front end accepts
   * (`int4[]`, `_int4`, `character varying`). A name nothing has is an error.
   */
  objectId(kind: OidKind, text: string): number {
    const name = text.trim();
    if (/^\d+$/.test(name)) return Number(name);
    if (name === '-' && kind !== 'oid') return 0;
    switch (kind) {
      case 'regclass': {
        const oid = this.relationId(name);
        if (oid === undefined) throw new OrbitError('42P01', `relation "${name}" does not exist`);
        return oid;
      }
      case 'regtype': {
        const oid = typeOidOf(name);
        if (oid === undefined) throw new OrbitError('42704', `type "${name}" does not exist`);
        return oid;
      }
      case 'regnamespace': {
        const schema = splitQualified(name)[0]!;
        const src = this.source();
        if (!schemaNames(src).includes(schema)) throw new OrbitError('3F000', `schema "${name}" does not exist`);
        return namespaceOid(schema, src);
      }
      case 'regproc': {
        const bare = splitQualified(name);
        const found = bare.length > 2 || (bare.length === 2 && bare[0] !== 'pg_catalog') ? [] : PROC_ROWS.filter((r) => r[1] === bare[bare.length - 1]);
        if (found.length === 0) throw new OrbitError('42883', `function "${name}" does not exist`);
        if (found.length > 1) throw new OrbitError('42725', `more than one function named "${name}"`);
        return found[0]![0] as number;
      }
      case 'oid':
        throw new OrbitError('22P02', `invalid input syntax for type oid: "${text}"`);
    }
  }

  /** A relation's or index's OID by (possibly qualified) name. */
  private relationId(name: string): number | undefined {
    const parts = splitQualified(name);
    const schema = parts.length > 1 ? parts[0] : undefined;
    const bare = parts[parts.length - 1]!;
    const rel = this.catalog.getRelation(schema, bare);
    if (rel) return rel.id;
    for (const r of this.catalog.listRelations()) {
      if (r.kind !== 'table' || (schema !== undefined && r.schema !== schema)) continue;
      const i = r.indexes.findIndex((ix) => ix.name === bare);
      if (i >= 0) return indexOid(r, i);
    }
    return undefined;
  }

  private source(): Source {
    return { relations: this.catalog.listRelations(), catalog: this.catalog, facts: this.facts, settings: this.settings(), dataDir: this.dataDir };
  }

  /** regclass output: a relation's name, schema-qualified unless it is in public or pg_catalog; undefined for an unknown OID. */
  private relationName(oid: number): string | undefined {
    const named = (schema: string, name: string) => (schema === 'public' || schema === 'pg_catalog' ? quoteIdent(name) : `${quoteIdent(schema)}.${quoteIdent(name)}`);
    const sys = BY_ID.get(oid);
    if (sys) return named(sys.schema, sys.name);
    for (const r of this.catalog.listRelations()) {
      if (r.id === oid) return named(r.schema, r.name);
      if (r.kind === 'table' && Math.floor(oid / 1000) === r.id && oid % 1000 >= 100 && oid % 1000 < 500) {
        const ix = r.indexes[(oid % 1000) - 100];
        if (ix) return named(r.schema, ix.name);
      }
    }
    return undefined;
  }
}

const EMPTY_KEY: RowKey = new Uint8Array(0);

function* columnsFromRows(batches: Iterable<readonly StoredRow[]>, table: TableInfo, ordinals: readonly number[]): Iterable<ColumnBatch> {
  for (const rows of batches) {
    yield {
      length: rows.length,
      columns: ordinals.map((o) =>
        o < 0
          ? vecFromValues({ kind: 'binary' }, rows.map((r) => r.key))
          : vecFromValues(table.columns[o]!.type, rows.map((r) => r.values[o] ?? null)),
      ),
    };
  }
}
