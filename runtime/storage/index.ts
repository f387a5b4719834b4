// Public face of storage: the LMDB store, its transactions, key and row codecs, and errors.

export type { KeyBound, RowKey, StorageTxn, StoredRow } from './api.ts';
export { Store, constantDefault, type AlterAction, type AlterTableDef, type BulkOptions, type ColumnDef, type CreateIndexDef, type CreateTableDef, type CreateViewDef, type StoreOptions } from './store.ts';
export { StoreCatalog } from './catalog.ts';
export { Txn } from './txn.ts';
export { KEY_SLOT, sliceColumn, type ColumnBatch, type ColumnData, type ColumnRep } from './columns.ts';
export { CHUNK_ROWS, WarmTier } from './warm.ts';
export { StorageError, STORAGE_ERRORS, type StorageErrorCode } from './errors.ts';
export { canonicalDecimal, compareBytes, decodeKey, encodeKey, prefixEnd } from './keys.ts';
export { decodeRow, encodeRow } from './row-codec.ts';
