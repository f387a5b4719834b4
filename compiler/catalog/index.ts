// The catalog interface the binder and optimizer read: tables, columns, keys, indexes, views, statistics.
//
// Offline it is built from a schema file of CREATE statements (see `catalog/from-schema.ts`);
// at run time the engine implements it over its persisted catalog. Lookups are by folded name.

import type { DataType } from '../ir/types.ts';

export interface ColumnStats {
  readonly distinctCount: number;
  /** Fraction of rows whose value is NULL, in [0, 1]. */
  readonly nullFraction: number;
  /** Numeric/date/timestamp bounds as numbers; strings as strings. */
  readonly min?: number | string;
  readonly max?: number | string;
  /** Equi-depth histogram bucket upper bounds (ascending), each bucket holding the same number of rows. */
  readonly histogram?: readonly (number | string)[];
  /** Average width in bytes, for cost estimates of wide rows. */
  readonly avgWidth?: number;
}

export interface TableStats {
  readonly rowCount: number;
  /** Keyed by column name. */
  readonly columns: Readonly<Record<string, ColumnStats>>;
}

export interface ColumnInfo {
  readonly name: string;
  readonly type: DataType;
  readonly nullable: boolean;
  /** Ordinal position in the stored row, 0-based. */
  readonly ordinal: number;
  /** DEFAULT expression as SQL text (re-parsed by the binder when an INSERT needs it). */
  readonly defaultSql?: string;
  /** Generated identity / serial columns draw from a sequence named here. */
  readonly sequence?: string;
}

export interface IndexInfo {
  readonly name: string;
  readonly table: string;
  /** Indexed column names, in key order. */
  readonly columns: readonly string[];
  readonly unique: boolean;
  readonly primary: boolean;
  /** Made by CREATE [UNIQUE] INDEX, not for a PRIMARY KEY or UNIQUE constraint (so no pg_constraint row). */
  readonly standalone?: boolean;
}

/** What a foreign key does to referencing rows when their referenced key is deleted or changed. */
export type ReferentialAction = 'no action' | 'restrict' | 'cascade' | 'set null' | 'set default';

export interface ForeignKeyInfo {
  readonly name: string;
  readonly columns: readonly string[];
  readonly refTable: string;
  readonly refColumns: readonly string[];
  /** `ON DELETE` / `ON UPDATE` actions; absent means NO ACTION. */
  readonly onDelete?: ReferentialAction;
  readonly onUpdate?: ReferentialAction;
}

export interface CheckInfo {
  readonly name: string;
  readonly sql: string;
}

export interface TableInfo {
  readonly kind: 'table';
  /** Schema-qualified identity; `schema` defaults to `public`. */
  readonly schema: string;
  readonly name: string;
  /** Stable numeric id (the engine's relation OID; offline a counter). */
  readonly id: number;
  readonly columns: readonly ColumnInfo[];
  /** Primary-key column names, empty when the table uses a hidden row id. */
  readonly primaryKey: readonly string[];
  readonly indexes: readonly IndexInfo[];
  readonly foreignKeys: readonly ForeignKeyInfo[];
  readonly checks: readonly CheckInfo[];
  readonly stats?: TableStats;
}

export interface ViewInfo {
  readonly kind: 'view';
  readonly schema: string;
  readonly name: string;
  readonly id: number;
  /** The defining query's SQL text, bound afresh at each use (views are inlined). */
  readonly sql: string;
  /** Column names given in `CREATE VIEW v (a, b)`, if any. */
  readonly columnNames: readonly string[];
}

export type RelationInfo = TableInfo | ViewInfo;

/** What the binder needs from any catalog. Implementations must be synchronous and side-effect free. */
export interface Catalog {
  /** Bumped on every DDL change; plan caches are keyed by it. */
  readonly version: number;
  /** Looks up a relation by (optional) schema and name, already case-folded. */
  getRelation(schema: string | undefined, name: string): RelationInfo | undefined;
  /** All relations, for completion and `information_schema`. */
  listRelations(): readonly RelationInfo[];
  /** The schema search path (default `['public']`). */
  readonly searchPath: readonly string[];
}

export { MemoryCatalog } from './memory.ts';
export { catalogFromSchema } from './from-schema.ts';
