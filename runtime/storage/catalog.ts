// The persisted catalog: its stored shape, its JSON form, and the `Catalog` view the binder reads.

import type { Catalog, RelationInfo, TableInfo, ViewInfo } from '../../compiler/catalog/index.ts';
import type { DataType } from '../../compiler/ir/types.ts';

/** A column as stored in rows. Dropped columns keep their slot (rows are not rewritten). */
export interface PhysicalColumn {
  readonly type: DataType;
  readonly dropped: boolean;
  /** Value of rows written before the column was added (its constant default, or null). */
  readonly fill: unknown;
}

/** Everything storage keeps about a table beyond what the binder sees. */
export interface TableState {
  readonly info: TableInfo;
  readonly physical: readonly PhysicalColumn[];
  /** Keyspace id of each secondary index, by index name (the primary index uses the table id). */
  readonly indexIds: Readonly<Record<string, number>>;
  /** Commit sequence number at which each secondary index was built. */
  readonly indexBuiltAt: Readonly<Record<string, number>>;
  /** Bumped whenever the set of indexes or the physical layout changes. */
  readonly layoutVersion: number;
}

export interface SequenceState {
  readonly name: string;
  readonly start: bigint;
  readonly increment: bigint;
  readonly max: bigint;
}

export interface CatalogState {
  readonly version: number;
  readonly nextId: number;
  readonly tables: readonly TableState[];
  readonly views: readonly ViewInfo[];
  readonly sequences: readonly SequenceState[];
}

export const emptyCatalog = (): CatalogState => ({ version: 1, nextId: 16384, tables: [], views: [], sequences: [] });

/** JSON with bigint and Uint8Array preserved (fill values and sequence bounds use them). */
export function catalogToJson(c: CatalogState): string {
  return JSON.stringify(c, (_k, v: unknown) => {
    if (typeof v === 'bigint') return { $bigint: v.toString() };
    if (v instanceof Uint8Array) return { $bytes: Array.from(v) };
    if (v instanceof Float32Array) return { $f32: Array.from(v) };
    return v;
  });
}

export function catalogFromJson(text: string): CatalogState {
  return JSON.parse(text, (_k, v: unknown) => {
    if (v && typeof v === 'object' && !Array.isArray(v)) {
      const o = v as Record<string, unknown>;
      if (typeof o.$bigint === 'string') return BigInt(o.$bigint);
      if (Array.isArray(o.$bytes)) return Uint8Array.from(o.$bytes as number[]);
      if (Array.isArray(o.$f32)) return Float32Array.from(o.$f32 as number[]);
    }
    return v;
  }) as CatalogState;
}

const relKey = (schema: string, name: string): string => `${schema}\u0000${name}`;

/** The binder's view of the persisted catalog; replaced wholesale on every DDL. */
export class StoreCatalog implements Catalog {
  readonly searchPath: readonly string[] = ['public'];
  private readonly relations = new Map<string, RelationInfo>();

  constructor(readonly state: CatalogState) {
    for (const t of state.tables) this.relations.set(relKey(t.info.schema, t.info.name), t.info);
    for (const v of state.views) this.relations.set(relKey(v.schema, v.name), v);
  }

  get version(): number {
    return this.state.version;
  }

  getRelation(schema: string | undefined, name: string): RelationInfo | undefined {
    if (schema !== undefined) return this.relations.get(relKey(schema, name));
    for (const s of this.searchPath) {
      const r = this.relations.get(relKey(s, name));
      if (r) return r;
    }
    return undefined;
  }

  listRelations(): readonly RelationInfo[] {
    return [...this.relations.values()];
  }

  table(schema: string | undefined, name: string): TableState | undefined {
    const info = this.getRelation(schema, name);
    if (!info || info.kind !== 'table') return undefined;
    return this.state.tables.find((t) => t.info.id === info.id);
  }
}
