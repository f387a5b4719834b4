// The DuckDB oracle: duckdb-wasm (blocking node bundle) for differential tests, native DuckDB for benchmarks.

import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import * as duckdb from '@duckdb/duckdb-wasm/blocking';
import {
  Bool,
  DateDay,
  Float64,
  Int32,
  Int64,
  makeData,
  RecordBatch,
  Schema,
  Field,
  Struct,
  Table,
  tableFromIPC,
  tableToIPC,
  Type,
  Utf8,
  vectorFromArray,
  type DataType as ArrowType,
  type Vector,
} from 'apache-arrow';
import type { Interval } from '../../compiler/ir/types.ts';

/**
 * A result cell in the IR conventions of compiler/ir/types.ts:
 * - bool → boolean; int8/16/32, uint8/16/32 → number; int64, uint64 and HUGEINT → bigint
 * - float/double → number; DECIMAL(p,s) → canonical string (`-12.50`, scale digits kept)
 * - DATE → days since 1970-01-01; TIMESTAMP → microseconds since the epoch (number)
 * - INTERVAL → Interval; VARCHAR/UUID → string; BLOB → Uint8Array
 * - LIST → array; STRUCT → plain object; NULL → null
 * HUGEINT reaches Arrow as DECIMAL(38,0) and is returned as bigint, because that is what
 * DuckDB makes of sum/count over integers where PostgreSQL (and Orbit) answer int8 or numeric.
 */
export type DuckValue =
  | null
  | boolean
  | number
  | bigint
  | string
  | Uint8Array
  | Interval
  | readonly DuckValue[]
  | { readonly [field: string]: DuckValue };

export interface DuckColumn {
  readonly name: string;
  /** The Arrow type DuckDB reported, as Arrow prints it (`Int32`, `Decimal[15e+2]`, …). */
  readonly arrowType: string;
}

export interface DuckResult {
  readonly columns: readonly DuckColumn[];
  readonly rows: DuckValue[][];
}

/** A value accepted by `loadTable` (IR conventions; decimals may be strings or numbers, dates day numbers). */
export type LoadValue = null | boolean | number | bigint | string;

export interface DuckDb {
  /** Runs one or more statements and discards any result. Throws DuckDB's error message. */
  exec(sql: string): void;
  /** Runs a query and returns its rows as arrays of values in the IR conventions (see `DuckValue`). */
  query(sql: string): DuckValue[][];
  /** Like `query`, with the column names and types. */
  queryResult(sql: string): DuckResult;
  /** Creates a table with `ddl` (a CREATE TABLE statement) and inserts `rows` (schema order). */
  loadTable(name: string, ddl: string, rows: Iterable<readonly LoadValue[]>): void;
  /** Appends one Arrow IPC stream (schema + batches) to an existing table whose columns it matches. */
  appendIpc(name: string, ipc: Uint8Array): void;
  close(): void;
}

const requireHere = createRequire(import.meta.url);

/**
 * Opens an in-memory duckdb-wasm database (about 3 s the first time: the wasm module compiles).
 * Extension autoloading is switched off because, offline, it hangs forever.
 */
export async function openDuckDb(): Promise<DuckDb> {
  const dist = dirname(requireHere.resolve('@duckdb/duckdb-wasm/dist/duckdb-mvp.wasm'));
  const bundles: duckdb.DuckDBBundles = {
    mvp: { mainModule: join(dist, 'duckdb-mvp.wasm'), mainWorker: join(dist, 'duckdb-node-mvp.worker.cjs') },
    eh: { mainModule: join(dist, 'duckdb-eh.wasm'), mainWorker: join(dist, 'duckdb-node-eh.worker.cjs') },
  };
  const bindings = await duckdb.createDuckDB(bundles, new duckdb.VoidLogger(), duckdb.NODE_RUNTIME);
  await bindings.instantiate(() => {});
  bindings.open({});
  const conn = bindings.connect();
  const db = new WasmDuckDb(bindings, conn);
  db.exec('SET autoload_known_extensions = false; SET autoinstall_known_extensions = false');
  return db;
}

/** Rows per staging insert in `loadTable`. */
const LOAD_CHUNK = 50_000;

class WasmDuckDb implements DuckDb {
  private staging = 0;

  constructor(
    private readonly bindings: duckdb.DuckDBBindings,
    private readonly conn: duckdb.DuckDBConnection,
  ) {}

  private run(sql: string): Uint8Array {
    return this.conn.useUnsafe((b, c) => b.runQuery(c, sql));
  }

  exec(sql: string): void {
    this.run(sql);
  }

  query(sql: string): DuckValue[][] {
    return this.queryResult(sql).rows;
  }

  queryResult(sql: string): DuckResult {
    // Results cross as IPC bytes and are read with this repo's Arrow, never duckdb-wasm's own copy.
    const table = tableFromIPC(this.run(sql));
    const columns = table.schema.fields.map((f) => ({ name: f.name, arrowType: String(f.type) }));
    const rows: DuckValue[][] = [];
    const vectors = table.schema.fields.map((_, i) => table.getChildAt(i)!);
    for (let r = 0; r < table.numRows; r++) rows.push(vectors.map((v) => cell(v, r)));
    return { columns, rows };
  }

  loadTable(name: string, ddl: string, rows: Iterable<readonly LoadValue[]>): void {
    this.exec(ddl);
    const described = this.query(`DESCRIBE ${name}`).map((r) => ({ name: String(r[0]), type: String(r[1]) }));
    const stageName = `__orbit_stage_${this.staging++}`;
    const select = described.map((c, i) => stagedExpression(c.type, `c${i}`)).join(', ');
    let chunk: (readonly LoadValue[])[] = [];
    const flush = (): void => {
      if (chunk.length === 0) return;
      this.conn.insertArrowFromIPCStream(stagingIpc(described.map((c) => c.type), chunk), { name: stageName, create: true });
      this.exec(`INSERT INTO ${name} SELECT ${select} FROM ${stageName}; DROP TABLE ${stageName}`);
      chunk = [];
    };
    for (const row of rows) {
      chunk.push(row);
      if (chunk.length >= LOAD_CHUNK) flush();
    }
    flush();
  }

  appendIpc(name: string, ipc: Uint8Array): void {
    const { schema, table } = splitName(name);
    this.conn.insertArrowFromIPCStream(ipc, schema === undefined ? { name: table, create: false } : { name: table, schema, create: false });
  }

  close(): void {
    this.conn.close();
    this.bindings.reset();
  }
}

function splitName(name: string): { schema: string | undefined; table: string } {
  const dot = name.indexOf('.');
  return dot < 0 ? { schema: undefined, table: name } : { schema: name.slice(0, dot), table: name.slice(dot + 1) };
}

// ---------------------------------------------------------------------------------------------
// Loading: rows → a staging Arrow table of simple types → INSERT … SELECT with casts

type StageKind = 'bool' | 'int32' | 'int64' | 'float64' | 'date' | 'text';

/** How a DuckDB column type travels through staging; anything unusual goes as text and is cast. */
function stageKind(duckType: string): StageKind {
  const t = duckType.toUpperCase();
  if (t === 'BOOLEAN') return 'bool';
  if (t === 'INTEGER' || t === 'SMALLINT' || t === 'TINYINT') return 'int32';
  if (t === 'BIGINT') return 'int64';
  if (t === 'DOUBLE' || t === 'FLOAT' || t === 'REAL') return 'float64';
  if (t === 'DATE') return 'date';
  return 'text';
}

function stagedExpression(duckType: string, col: string): string {
  const kind = stageKind(duckType);
  return kind === 'text' && duckType.toUpperCase() !== 'VARCHAR' ? `CAST(${col} AS ${duckType})` : col;
}

const STAGE_TYPES: Readonly<Record<StageKind, () => ArrowType>> = {
  bool: () => new Bool(),
  int32: () => new Int32(),
  int64: () => new Int64(),
  float64: () => new Float64(),
  date: () => new DateDay(),
  text: () => new Utf8(),
};

function stageValue(kind: StageKind, v: LoadValue): unknown {
  if (v === null) return null;
  switch (kind) {
    case 'bool': return Boolean(v);
    case 'int32': return Number(v);
    case 'int64': return BigInt(v);
    case 'float64': return Number(v);
    case 'date': return new Date(Number(v) * 86_400_000);
    case 'text': return String(v);
  }
}

function stagingIpc(types: readonly string[], rows: readonly (readonly LoadValue[])[]): Uint8Array {
  const kinds = types.map(stageKind);
  const fields = kinds.map((k, i) => new Field(`c${i}`, STAGE_TYPES[k](), true));
  const children = kinds.map((k, i) => vectorFromArray(rows.map((r) => stageValue(k, r[i] ?? null)), STAGE_TYPES[k]()).data[0]!);
  const batch = new RecordBatch(new Schema(fields), makeData({ type: new Struct(fields), length: rows.length, children }));
  return tableToIPC(new Table([batch]), 'stream');
}

// ---------------------------------------------------------------------------------------------
// Reading: Arrow cells → IR conventions

const DAY_MS = 86_400_000;

function cell(v: Vector, row: number): DuckValue {
  if (!v.isValid(row)) return null;
  return convert(v.type, v.get(row));
}

/** Converts one value as apache-arrow's `get` returns it. */
function convert(type: ArrowType, raw: unknown): DuckValue {
  if (raw === null || raw === undefined) return null;
  switch (type.typeId) {
    case Type.Bool:
      return Boolean(raw);
    case Type.Int: {
      const t = type as ArrowType<Type.Int> & { bitWidth: number; isSigned: boolean };
      return t.bitWidth === 64 ? BigInt(raw as bigint) : Number(raw);
    }
    case Type.Float:
      return Number(raw);
    case Type.Decimal: {
      const t = type as ArrowType<Type.Decimal> & { scale: number; precision: number };
      const unscaled = wordsToBigInt(raw as Uint32Array);
      return t.scale === 0 && t.precision === 38 ? unscaled : formatDecimal(unscaled, t.scale);
    }
    case Type.Date:
      return Math.round(Number(raw) / DAY_MS);
    case Type.Timestamp:
      // `get` returns milliseconds with a fractional part for sub-millisecond units.
      return Math.round(Number(raw) * 1000);
    case Type.Interval: {
      const w = raw as Int32Array;
      const nanos = BigInt(w[2]! >>> 0) | (BigInt(w[3]!) << 32n);
      return { months: w[0]!, days: w[1]!, micros: Number(nanos / 1000n) };
    }
    case Type.Utf8:
    case Type.LargeUtf8:
      return String(raw);
    case Type.Binary:
    case Type.LargeBinary:
    case Type.FixedSizeBinary:
      return new Uint8Array(raw as Uint8Array);
    case Type.List:
    case Type.FixedSizeList: {
      const child = (type as ArrowType<Type.List>).children[0]!.type;
      const items = raw as Vector;
      const out: DuckValue[] = [];
      for (let i = 0; i < items.length; i++) out.push(items.isValid(i) ? convert(child, items.get(i)) : null);
      return out;
    }
    case Type.Struct: {
      const fields = (type as ArrowType<Type.Struct>).children;
      const rec = raw as Record<string, unknown>;
      const out: Record<string, DuckValue> = {};
      for (const f of fields) out[f.name] = convert(f.type, rec[f.name]);
      return out;
    }
    default:
      return String(raw);
  }
}

/** Four little-endian 32-bit words of a two's-complement 128-bit integer. */
function wordsToBigInt(w: Uint32Array): bigint {
  const u = BigInt(w[0]!) | (BigInt(w[1]!) << 32n) | (BigInt(w[2]!) << 64n) | (BigInt(w[3]!) << 96n);
  return BigInt.asIntN(128, u);
}

/** Canonical decimal text: `-` only for negatives, no exponent, exactly `scale` fraction digits. */
export function formatDecimal(unscaled: bigint, scale: number): string {
  const neg = unscaled < 0n;
  const digits = (neg ? -unscaled : unscaled).toString();
  if (scale === 0) return `${neg ? '-' : ''}${digits}`;
  const padded = digits.padStart(scale + 1, '0');
  return `${neg ? '-' : ''}${padded.slice(0, -scale)}.${padded.slice(-scale)}`;
}

// ---------------------------------------------------------------------------------------------
// Native DuckDB (@duckdb/node-api), optional: benchmarks only

/** The slice of @duckdb/node-api the benchmark uses. */
export interface NativeDuckDb {
  readonly version: string;
  exec(sql: string): Promise<void>;
  /** Runs a query and returns its row count (results are materialized, then dropped). */
  count(sql: string): Promise<number>;
  close(): void;
}

interface NodeApiReader {
  readonly currentRowCount: number;
}
interface NodeApiConnection {
  run(sql: string): Promise<unknown>;
  runAndReadAll(sql: string): Promise<NodeApiReader>;
  closeSync?(): void;
}
interface NodeApiInstance {
  connect(): Promise<NodeApiConnection>;
  closeSync?(): void;
}
interface NodeApiModule {
  DuckDBInstance: { create(path: string): Promise<NodeApiInstance> };
  version(): string;
}

function isNodeApi(m: unknown): m is NodeApiModule {
  if (typeof m !== 'object' || m === null) return false;
  const inst = (m as { DuckDBInstance?: unknown }).DuckDBInstance;
  return typeof inst === 'function' && typeof (m as { version?: unknown }).version === 'function';
}

/**
 * Opens an in-memory native DuckDB through @duckdb/node-api, or returns undefined when the package
 * is not installed (it is optional; the name is in a variable so TypeScript does not need it).
 */
export async function openNativeDuckDb(): Promise<NativeDuckDb | undefined> {
  const specifier = '@duckdb/node-api';
  let mod: unknown;
  try {
    mod = await import(specifier);
  } catch {
    return undefined;
  }
  if (!isNodeApi(mod)) return undefined;
  const instance = await mod.DuckDBInstance.create(':memory:');
  const conn = await instance.connect();
  return {
    version: mod.version(),
    async exec(sql) {
      await conn.run(sql);
    },
    async count(sql) {
      return (await conn.runAndReadAll(sql)).currentRowCount;
    },
    close() {
      conn.closeSync?.();
      instance.closeSync?.();
    },
  };
}
