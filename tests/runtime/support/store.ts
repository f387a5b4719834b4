// A throwaway LMDB Store for executor tests: tables are created through storage's own DDL.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TableInfo } from '../../../compiler/catalog/index.ts';
import type { DataType } from '../../../compiler/ir/types.ts';
import { Store } from '../../../runtime/storage/index.ts';

export interface TestStore {
  readonly store: Store;
  /** Creates a table: columns as [name, type, nullable?, serial?], optional primary key and unique constraints. */
  table(name: string, cols: readonly (readonly [string, DataType, boolean?, boolean?])[], primaryKey?: readonly string[], uniques?: readonly { name: string; columns: string[] }[]): Promise<TableInfo>;
  close(): Promise<void>;
}

export function openTestStore(): TestStore {
  const dir = mkdtempSync(join(tmpdir(), 'orbit-exec-'));
  const store = Store.open(dir, { noSync: true });
  return {
    store,
    table: (name, cols, primaryKey = [], uniques = []) =>
      store.createTable({ name, columns: cols.map(([n, type, nullable, serial]) => ({ name: n, type, nullable: nullable ?? true, ...(serial ? { serial } : {}) })), primaryKey, uniques }),
    close: async () => {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
