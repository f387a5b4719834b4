// Per-table machinery derived from the catalog once per DDL: key builders, row codec, constraints.

import type { IndexInfo, TableInfo } from '../../compiler/catalog/index.ts';
import type { DataType } from '../../compiler/ir/types.ts';
import type { TableState } from './catalog.ts';
import { StorageError } from './errors.ts';
import { encodeKey, idPrefix, prefixEnd } from './keys.ts';
import { decodeRow, encodeRow } from './row-codec.ts';

/** A secondary (or unique) index: entries `indexId ++ key columns [++ row key]` → row key. */
export class IndexRuntime {
  readonly prefix: Uint8Array;
  readonly ordinals: readonly number[];
  readonly types: readonly DataType[];
  readonly unique: boolean;
  constructor(
    readonly info: IndexInfo,
    readonly id: number,
    readonly builtAt: number,
    table: TableInfo,
  ) {
    this.prefix = idPrefix(id);
    this.ordinals = info.columns.map((n) => ordinalOf(table, n));
    this.types = this.ordinals.map((o) => table.columns[o]!.type);
    this.unique = info.unique;
  }

  hasNull(values: readonly unknown[]): boolean {
    for (const o of this.ordinals) if (values[o] === null || values[o] === undefined) return true;
    return false;
  }

  /**
   * Unique entries (no NULL among the key columns) are keyed by the columns alone, so a duplicate
   * collides; other entries append the row key, since NULLs are distinct and non-unique keys repeat.
   */
  entryKey(values: readonly unknown[], rowKey: Uint8Array): Uint8Array {
    const k = encodeKey(
      this.types,
      this.ordinals.map((o) => values[o]),
      this.prefix,
    );
    if (this.unique && !this.hasNull(values)) return checkKeySize(k, this.info.name);
    const out = new Uint8Array(k.length + rowKey.length);
    out.set(k);
    out.set(rowKey, k.length);
    return checkKeySize(out, this.info.name);
  }
}

/** LMDB's key limit with 4 KiB pages (lmdb-js builds with MDB_MAXKEYSIZE=0). */
const MAX_KEY_BYTES = 1978;

function checkKeySize(k: Uint8Array, index: string): Uint8Array {
  if (k.length > MAX_KEY_BYTES) throw new StorageError('program_limit_exceeded', `index row size ${k.length} exceeds maximum ${MAX_KEY_BYTES} for index "${index}"`);
  return k;
}

export function ordinalOf(table: TableInfo, name: string): number {
  const c = table.columns.find((x) => x.name === name);
  if (!c) throw new StorageError('undefined_column', `column "${name}" of relation "${table.name}" does not exist`);
  return c.ordinal;
}

export class TableRuntime {
  readonly info: TableInfo;
  readonly id: number;
  readonly prefix: Uint8Array;
  readonly prefixEnd: Uint8Array;
  readonly columnTypes: readonly DataType[];
  readonly pkOrdinals: readonly number[];
  readonly pkTypes: readonly DataType[];
  readonly primaryIndex: { readonly info: IndexInfo } | undefined;
  readonly indexes: readonly IndexRuntime[];
  readonly layoutVersion: number;
  private readonly physTypes: readonly DataType[];
  private readonly fill: readonly unknown[];
  /** Physical slot of each logical column; undefined when they coincide (no dropped columns). */
  private readonly toPhysical: readonly number[] | undefined;
  private readonly notNull: readonly number[];

  constructor(readonly state: TableState) {
    const t = state.info;
    this.info = t;
    this.id = t.id;
    this.prefix = idPrefix(t.id);
    this.prefixEnd = prefixEnd(this.prefix)!;
    this.columnTypes = t.columns.map((c) => c.type);
    this.pkOrdinals = t.primaryKey.map((n) => ordinalOf(t, n));
    this.pkTypes = this.pkOrdinals.map((o) => t.columns[o]!.type);
    const pk = t.indexes.find((i) => i.primary);
    this.primaryIndex = pk ? { info: pk } : undefined;
    this.indexes = t.indexes.filter((i) => !i.primary).map((i) => new IndexRuntime(i, state.indexIds[i.name]!, state.indexBuiltAt[i.name] ?? 0, t));
    this.layoutVersion = state.layoutVersion;
    this.physTypes = state.physical.map((p) => p.type);
    this.fill = state.physical.map((p) => p.fill);
    const live: number[] = [];
    state.physical.forEach((p, i) => {
      if (!p.dropped) live.push(i);
    });
    this.toPhysical = live.length === state.physical.length ? undefined : live;
    this.notNull = t.columns.filter((c) => !c.nullable).map((c) => c.ordinal);
  }

  encode(values: readonly unknown[]): Uint8Array {
    const map = this.toPhysical;
    if (!map) return encodeRow(this.physTypes, values);
    const phys = new Array<unknown>(this.physTypes.length).fill(null);
    for (let i = 0; i < map.length; i++) phys[map[i]!] = values[i];
    return encodeRow(this.physTypes, phys);
  }

  decode(bytes: Uint8Array): unknown[] {
    const phys = decodeRow(this.physTypes, bytes, this.fill);
    const map = this.toPhysical;
    if (!map) return phys;
    return map.map((p) => phys[p]);
  }

  rowKey(values: readonly unknown[]): Uint8Array {
    const k = encodeKey(
      this.pkTypes,
      this.pkOrdinals.map((o) => values[o]),
      this.prefix,
    );
    return checkKeySize(k, this.primaryIndex!.info.name);
  }

  /** Key of a hidden-row-id table's row, from the id as `get` receives it. */
  rowIdKey(id: unknown): Uint8Array {
    const k = new Uint8Array(12);
    k.set(this.prefix);
    new DataView(k.buffer).setBigUint64(4, BigInt(id as number | bigint));
    return k;
  }

  checkNotNull(values: readonly unknown[]): void {
    for (const o of this.notNull) {
      if (values[o] === null || values[o] === undefined) {
        const col = this.info.columns[o]!.name;
        throw new StorageError('not_null_violation', `null value in column "${col}" of relation "${this.info.name}" violates not-null constraint`, {
          detail: `Failing row contains (${values.map(textOf).join(', ')}).`,
          table: this.info.name,
        });
      }
    }
  }

  keyDetail(ordinals: readonly number[], values: readonly unknown[]): string {
    const cols = ordinals.map((o) => this.info.columns[o]!.name).join(', ');
    return `Key (${cols})=(${ordinals.map((o) => textOf(values[o])).join(', ')}) already exists.`;
  }

  uniqueViolation(constraint: string, ordinals: readonly number[], values: readonly unknown[]): StorageError {
    return new StorageError('unique_violation', constraint, { detail: this.keyDetail(ordinals, values), constraint, table: this.info.name });
  }
}

/** PostgreSQL's text form of a value, as error details show it. */
export function textOf(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'boolean') return v ? 't' : 'f';
  if (v instanceof Uint8Array) return `\\x${Array.from(v, (b) => b.toString(16).padStart(2, '0')).join('')}`;
  if (typeof v === 'object') return JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? x.toString() : x));
  return String(v);
}
