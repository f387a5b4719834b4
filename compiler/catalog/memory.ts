// An in-memory, mutable catalog: applies bound DDL statements; used offline (schema files), by tests, and as the engine's working copy.

import type { BoundStatement, ColumnDefinition } from '../ir/plan.ts';
import { CompilerBug } from '../diagnostics/index.ts';
import type { Catalog, ColumnInfo, IndexInfo, RelationInfo, TableInfo, TableStats, ViewInfo } from './index.ts';

type CreateTable = Extract<BoundStatement, { kind: 'create-table' }>;
type CreateIndex = Extract<BoundStatement, { kind: 'create-index' }>;
type CreateView = Extract<BoundStatement, { kind: 'create-view' }>;
type AlterTable = Extract<BoundStatement, { kind: 'alter-table' }>;

const key = (schema: string, name: string): string => `${schema}.${name}`;

/**
 * A Catalog held in maps. Every change replaces the affected (immutable) TableInfo/ViewInfo and
 * bumps `version`, so plans and plan caches holding the old objects stay consistent.
 */
export class MemoryCatalog implements Catalog {
  version = 0;
  searchPath: readonly string[] = ['public'];
  private readonly relations = new Map<string, RelationInfo>();
  private nextId = 1;
  /** Per table id, the ordinal the next added column takes: ordinals of dropped columns are never reused. */
  private readonly nextOrdinal = new Map<number, number>();

  getRelation(schema: string | undefined, name: string): RelationInfo | undefined {
    if (schema !== undefined) return this.relations.get(key(schema, name));
    for (const s of this.searchPath) {
      const r = this.relations.get(key(s, name));
      if (r) return r;
    }
    return undefined;
  }

  listRelations(): readonly RelationInfo[] {
    return [...this.relations.values()];
  }

  /** Adds or replaces a relation as given (the engine restoring its persisted catalog). */
  put(rel: RelationInfo): void {
    this.relations.set(key(rel.schema, rel.name), rel);
    if (rel.kind === 'table') this.nextOrdinal.set(rel.id, Math.max(this.nextOrdinal.get(rel.id) ?? 0, ...rel.columns.map((c) => c.ordinal + 1)));
    this.nextId = Math.max(this.nextId, rel.id + 1);
    this.version++;
  }

  private table(schema: string, name: string): TableInfo {
    const r = this.relations.get(key(schema, name));
    if (!r || r.kind !== 'table') throw new CompilerBug(`no table ${schema}.${name}`);
    return r;
  }

  private replace(t: TableInfo): TableInfo {
    this.relations.set(key(t.schema, t.name), t);
    this.version++;
    return t;
  }

  static columnInfo(tableName: string, c: ColumnDefinition, ordinal: number): ColumnInfo {
    return {
      name: c.name,
      type: c.type,
      nullable: c.nullable,
      ordinal,
      ...(c.defaultSql !== undefined ? { defaultSql: c.defaultSql } : {}),
      ...(c.serial ? { sequence: `${tableName}_${c.name}_seq` } : {}),
    };
  }

  createTable(def: CreateTable): TableInfo {
    const existing = this.getRelation(def.schema, def.name);
    if (existing) {
      if (def.ifNotExists && existing.kind === 'table') return existing;
      throw new CompilerBug(`relation ${def.name} already exists`);
    }
    const indexes: IndexInfo[] = [];
    if (def.primaryKey.length) indexes.push({ name: `${def.name}_pkey`, table: def.name, columns: def.primaryKey, unique: true, primary: true });
    for (const u of def.uniques) indexes.push({ name: u.name, table: def.name, columns: u.columns, unique: true, primary: false });
    const id = this.nextId++;
    this.nextOrdinal.set(id, def.columns.length);
    return this.replace({
      kind: 'table',
      schema: def.schema,
      name: def.name,
      id,
      columns: def.columns.map((c, i) => MemoryCatalog.columnInfo(def.name, c, i)),
      primaryKey: def.primaryKey,
      indexes,
      foreignKeys: def.foreignKeys,
      checks: def.checks,
    });
  }

  createIndex(def: CreateIndex): void {
    const t = this.table(def.schema, def.table);
    if (t.indexes.some((i) => i.name === def.name)) {
      if (def.ifNotExists) return;
      throw new CompilerBug(`index ${def.name} already exists`);
    }
    this.replace({ ...t, indexes: [...t.indexes, { name: def.name, table: t.name, columns: def.columns, unique: def.unique, primary: false, standalone: true }] });
  }

  createView(def: CreateView): ViewInfo {
    const existing = this.relations.get(key(def.schema, def.name));
    const view: ViewInfo = { kind: 'view', schema: def.schema, name: def.name, id: existing?.id ?? this.nextId++, sql: def.sql, columnNames: def.columnNames };
    this.relations.set(key(def.schema, def.name), view);
    this.version++;
    return view;
  }

  drop(objectKind: 'table' | 'index' | 'view', schema: string, name: string): void {
    if (objectKind === 'index') {
      for (const r of this.relations.values()) {
        if (r.kind === 'table' && r.indexes.some((i) => i.name === name)) this.replace({ ...r, indexes: r.indexes.filter((i) => i.name !== name) });
      }
      return;
    }
    if (this.relations.delete(key(schema, name))) this.version++;
  }

  alterTable(def: AlterTable): void {
    const t = this.table(def.schema, def.name);
    const a = def.action;
    switch (a.kind) {
      case 'add-column': {
        if (t.columns.some((c) => c.name === a.column.name)) return;
        const ordinal = this.nextOrdinal.get(t.id) ?? t.columns.length;
        this.nextOrdinal.set(t.id, ordinal + 1);
        this.replace({ ...t, columns: [...t.columns, MemoryCatalog.columnInfo(t.name, a.column, ordinal)] });
        return;
      }
      case 'drop-column':
        this.replace({
          ...t,
          columns: t.columns.filter((c) => c.name !== a.column),
          indexes: t.indexes.filter((i) => !i.columns.includes(a.column)),
        });
        return;
      case 'rename-column': {
        const rn = (n: string): string => (n === a.from ? a.to : n);
        this.replace({
          ...t,
          columns: t.columns.map((c) => (c.name === a.from ? { ...c, name: a.to } : c)),
          primaryKey: t.primaryKey.map(rn),
          indexes: t.indexes.map((i) => ({ ...i, columns: i.columns.map(rn) })),
          ...(t.stats && t.stats.columns[a.from] ? { stats: { ...t.stats, columns: Object.fromEntries(Object.entries(t.stats.columns).map(([k, v]) => [rn(k), v])) } } : {}),
        });
        return;
      }
      case 'rename-table':
        this.relations.delete(key(t.schema, t.name));
        this.replace({ ...t, name: a.to, indexes: t.indexes.map((i) => ({ ...i, table: a.to })) });
        return;
    }
  }

  /** Attaches statistics to a table (ANALYZE, or a stats file offline). */
  setStats(schema: string, name: string, stats: TableStats): void {
    this.replace({ ...this.table(schema, name), stats });
  }

  /** Applies a bound DDL statement; other statement kinds are ignored. */
  apply(stmt: BoundStatement): void {
    switch (stmt.kind) {
      case 'create-table': this.createTable(stmt); return;
      case 'create-index': this.createIndex(stmt); return;
      case 'create-view': this.createView(stmt); return;
      case 'alter-table': this.alterTable(stmt); return;
      case 'drop': for (const n of stmt.names) this.drop(stmt.objectKind, n.schema, n.name); return;
      default: return;
    }
  }
}
