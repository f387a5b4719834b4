// The contract between the executor and storage: transactional row access by table and index.

import type { Catalog, TableInfo } from '../../compiler/catalog/index.ts';
import type { ColumnBatch } from './columns.ts';

/**
 * Opaque, order-preserving identity of a stored row (its encoded primary key, or hidden row id).
 * Executors pass it back to update/delete; they never look inside.
 */
export type RowKey = Uint8Array;

/** One stored row: its key and its values by table ordinal (value conventions of `DataType`). */
export interface StoredRow {
  readonly key: RowKey;
  readonly values: readonly unknown[];
}

export interface KeyBound {
  /**
   * Values for a prefix of the index columns, counted from the first index column (so a bound on
   * the column after `eq` repeats the `eq` values: `[...eq, bound]`). Compared in tuple order.
   */
  readonly values: readonly unknown[];
  readonly inclusive: boolean;
}

/**
 * A transaction's view of storage with snapshot isolation: reads see the snapshot taken at
 * `begin()` plus this transaction's own writes; a write to a row another transaction committed
 * after our snapshot fails with SQLSTATE 40001 (at write time or at commit).
 */
export interface StorageTxn {
  readonly id: number;
  /** Holds writes to commit. A commit of a transaction that holds none does what a rollback does. */
  readonly writing: boolean;
  /** Full scan in key order, in chunks of at most `batchSize` rows. */
  scan(table: TableInfo, batchSize: number): Iterable<readonly StoredRow[]>;
  /**
   * The same rows as `scan`, in the same order, as columns: `ordinals` are table ordinals (-1 for
   * the row key, as opaque `Uint8Array`s in an `obj` column), each batch holds one column per
   * ordinal in that order and at most `batchSize` rows. Columns follow the executor's `Vec`
   * layout (runtime/exec/vector.ts) and are never mutated: callers may keep and share them.
   */
  scanColumns?(table: TableInfo, ordinals: readonly number[], batchSize: number): Iterable<ColumnBatch>;
  /** Rows whose index key starts with `eq` and lies within the range on the next column. Primary key lookups use the primary index. */
  indexScan(table: TableInfo, indexName: string, eq: readonly unknown[], low?: KeyBound, high?: KeyBound): Iterable<StoredRow>;
  /** Primary-key point lookup. */
  get(table: TableInfo, primaryKey: readonly unknown[]): StoredRow | undefined;
  /** Inserts; unique violation → error with SQLSTATE 23505, NOT NULL → 23502. Returns the new row key. */
  insert(table: TableInfo, values: readonly unknown[]): RowKey;
  update(table: TableInfo, key: RowKey, values: readonly unknown[]): RowKey;
  delete(table: TableInfo, key: RowKey): void;
  /**
   * Keeps the row at `key` (a row this transaction read, not wrote) from being deleted or moving
   * key under it, as PostgreSQL's FOR KEY SHARE does for a foreign key's parent: commit fails with
   * 40001 if a newer commit removed that key, and a transaction from an older snapshot that removes
   * it after this one commits fails with 40001 too.
   */
  keyShare(table: TableInfo, key: RowKey): void;
  /** Next value of a sequence (serial columns); not rolled back with the transaction, as in PostgreSQL. */
  nextval?(sequence: string): bigint;
  /** Savepoints: nested undo marks within the transaction. */
  savepoint(name: string): void;
  rollbackTo(name: string): void;
  release(name: string): void;
  commit(): Promise<void>;
  rollback(): void;
}
