// The engine: one storage, one catalog, one plan cache, many sessions; what every protocol talks to.

import { optimize, planPhysical, PlanCache, type BoundStatement, type Catalog, type DataType, type LogicalPlan, type PreparedEntry, type Schema, type TableInfo } from '../../compiler/index.ts';
import type { ActorStats } from '../actors/index.ts';
import type { KvShards } from '../kv/shards.ts';
import type { StorageTxn } from '../storage/api.ts';
import { Store } from '../storage/index.ts';
import { engineError, engineErrorWith, OrbitError } from './errors.ts';
import type { Notice, ResultColumn } from './result.ts';
import { runPlan } from './run.ts';
import { commandOf, commandOfPlan, Session, type SessionOptions } from './session.ts';
import { SystemCatalog } from './system-views.ts';
import { pointPlan, type PointPlan } from './point.ts';
import type { ClusterSql } from './sql-shards.ts';

export interface EngineOptions {
  /** Directory holding the LMDB environment; created when missing. */
  readonly dataDir: string;
  /**
   * Whether a commit waits for fsync (default true: an acknowledged write survives a crash).
   * False is for throwaway data such as tests: a crash may lose recent commits.
   */
  readonly sync?: boolean;
  /** Prepared plans kept in the plan cache (default 1,000). */
  readonly planCacheSize?: number;
}

/**
 * A statement ready to run. Query statements (SELECT and the writes) carry their prepared plan,
 * which is what the plan cache holds; utility statements keep their bound form.
 */
export interface CompiledStatement {
  readonly command: string;
  readonly query?: PreparedEntry;
  readonly bound?: BoundStatement;
  readonly columns: readonly ResultColumn[];
  readonly text: string;
  /** Offset of the statement in the text the client sent (for error positions). */
  readonly offset: number;
}

/** What a session needs of a prepared plan beyond the plan itself. */
export interface PreparedShape {
  readonly columns: readonly ResultColumn[];
  readonly command: string;
  readonly point: PointPlan | undefined;
}

export class Engine {
  private readonly sessions = new Set<Session>();
  /** The stored catalog plus the pg_catalog and information_schema views. */
  private readonly systemCatalog: SystemCatalog;
  private closing: Promise<void> | undefined;
  readonly planCache: PlanCache;

  private constructor(
    readonly store: Store,
    readonly dataDir: string,
    planCacheSize: number,
  ) {
    this.planCache = new PlanCache(planCacheSize);
    this.systemCatalog = new SystemCatalog(() => store.catalog);
  }

  /** Opens (or creates) the data directory. */
  static async open(options: EngineOptions): Promise<Engine> {
    const store = Store.open(options.dataDir, { noSync: options.sync === false });
    return new Engine(store, options.dataDir, options.planCacheSize ?? 1000);
  }

  get catalog(): Catalog {
    return this.systemCatalog;
  }

  /** The actor runtime (or node) serving beside this engine, if the server runs one. */
  private actors: { stats(): ActorStats } | undefined;

  /** Makes `actorStats()` report `source`: the server attaches its actor node, so protocols can expose its metrics. */
  attachActors(source: { stats(): ActorStats }): void {
    this.actors = source;
  }

  /**
   * The Redis keyspace's shards when the server runs in a cluster (set by the server before the
   * protocols start); undefined in a single process, where every key is local.
   */
  kvShards: KvShards | undefined;

  /**
   * SQL tables split into shards over a cluster (set by the server before the protocols start);
   * undefined in a single process, where every table is local and statements pay for nothing.
   */
  sqlShards: ClusterSql | undefined;

  /** @internal A new transaction: of this node's store, routed to the shards' owners in a cluster. */
  begin(): StorageTxn {
    return this.sqlShards ? this.sqlShards.begin(this.store.begin()) : this.store.begin();
  }

  /** Counters and gauges of the actor runtime serving beside this engine, or undefined when none runs. */
  actorStats(): ActorStats | undefined {
    return this.actors?.stats();
  }

  /** A new session with default settings and no transaction; `options` name its user and database. */
  session(options: SessionOptions = {}): Session {
    if (this.closing) throw engineError('engine_closed');
    const s = new Session(this, options);
    this.sessions.add(s);
    return s;
  }

  /** @internal Called by a session when it closes. */
  forget(s: Session): void {
    this.sessions.delete(s);
  }

  /** Cancels running statements, closes sessions and flushes storage. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      for (const s of [...this.sessions]) s.close();
      await this.store.close();
    })();
    return this.closing;
  }

  /** @internal Optimizes and plans a bound statement. */
  plan(bound: BoundStatement, text: string, offset: number): CompiledStatement {
    const command = commandOf(bound);
    if (bound.kind === 'query') {
      const physical = planPhysical(optimize(bound.plan, this.catalog), bound.params);
      const query: PreparedEntry = { query: physical, paramTypes: bound.params, schema: bound.plan.schema, catalogVersion: this.catalog.version };
      return { command, query, columns: this.shapeOf(query).columns, text, offset };
    }
    if (bound.kind === 'explain') {
      return { command, bound, columns: [{ name: 'QUERY PLAN', type: bound.format === 'json' ? { kind: 'json', binary: false } : { kind: 'utf8' }, nullable: false }], text, offset };
    }
    if (bound.kind === 'show') {
      return { command, bound, columns: [{ name: bound.name.toLowerCase(), type: { kind: 'utf8' }, nullable: false }], text, offset };
    }
    return { command, bound, columns: [], text, offset };
  }

  /** CREATE TABLE … AS: runs the query and loads its rows into the new table. */
  private async fill(table: TableInfo, plan: LogicalPlan): Promise<number> {
    const physical = planPhysical(optimize(plan, this.catalog), []);
    const txn = this.store.begin();
    const rows: unknown[][] = [];
    try {
      for await (const b of runPlan(physical, { txn, params: [], now: Date.now() * 1000 }).batches) {
        for (let i = 0; i < b.length; i++) rows.push(b.columns.map((c) => c[i] ?? null));
      }
    } finally {
      txn.rollback();
    }
    return this.store.bulkInsert(table, rows);
  }

  private readonly shapes = new WeakMap<PreparedEntry, PreparedShape>();
  /** Exact statement text → cached plan, in front of the plan cache's normalized-text lookup. */
  private readonly exact = new Map<string, PreparedEntry>();

  /**
   * @internal The cached plan of a statement text, or undefined. An exact-text map answers repeats
   * without normalizing the text; the plan cache (normalized text) answers the rest.
   */
  lookupExact(sql: string, declared: readonly DataType[]): PreparedEntry | undefined {
    const key = declared.length === 0 ? sql : `${sql}\u0000${declared.map((t) => t.kind).join(',')}`;
    const e = this.exact.get(key);
    if (e && e.catalogVersion === this.catalog.version) return e;
    const hit = this.planCache.getByKey(PlanCache.key('sql', sql, declared), this.catalog);
    if (!hit) return undefined;
    if (this.exact.size >= this.planCache.capacity) this.exact.clear();
    this.exact.set(key, hit);
    return hit;
  }

  /** @internal Result columns and point-lookup form of a prepared plan, worked out once per plan. */
  shapeOf(entry: PreparedEntry): PreparedShape {
    let shape = this.shapes.get(entry);
    if (!shape) {
      shape = { columns: withSources(resultColumns(entry.schema), entry), command: commandOfPlan(entry.query.plan.kind), point: pointPlan(entry.query) };
      this.shapes.set(entry, shape);
    }
    return shape;
  }

  /**
   * @internal Runs DDL and other utility statements against storage. In a cluster, DDL given with
   * its `text` is then sent to every node (a statement from the cluster's log comes without it).
   */
  async runUtility(b: BoundStatement, text?: string): Promise<Notice | undefined> {
    if (this.sqlShards && text !== undefined) return this.runClusterUtility(this.sqlShards, b, text);
    const s = this.store;
    switch (b.kind) {
      case 'create-table': {
        if (b.ifNotExists && this.catalog.getRelation(b.schema, b.name)) {
          return { severity: 'NOTICE', sqlstate: '42P07', message: `relation "${b.name}" already exists, skipping` };
        }
        const table = await s.createTable(b);
        if (b.asQuery) await this.fill(table, b.asQuery);
        return undefined;
      }
      case 'drop': {
        for (const n of b.names) {
          const exists = b.objectKind === 'index' ? s.hasIndex(n.schema, n.name) : this.catalog.getRelation(n.schema, n.name)?.kind === (b.objectKind === 'view' ? 'view' : 'table');
          if (!exists) {
            if (b.ifExists) return { severity: 'NOTICE', sqlstate: '00000', message: `${b.objectKind} "${n.name}" does not exist, skipping` };
            throw new OrbitError(b.objectKind === 'index' ? '42704' : '42P01', `${b.objectKind === 'index' ? 'index' : b.objectKind === 'view' ? 'view' : 'table'} "${n.name}" does not exist`);
          }
          if (b.objectKind === 'table') await s.dropTable(n.schema, n.name);
          else if (b.objectKind === 'view') await s.dropView(n.schema, n.name);
          else await s.dropIndex(n.schema, n.name);
        }
        return undefined;
      }
      case 'create-index':
        if (b.ifNotExists && s.hasIndex(b.schema, b.name)) return { severity: 'NOTICE', sqlstate: '42P07', message: `relation "${b.name}" already exists, skipping` };
        await s.createIndex(b);
        return undefined;
      case 'create-view':
        await s.createView(b);
        return undefined;
      case 'alter-table':
        await s.alterTable(b);
        return undefined;
      case 'analyze':
        await s.analyze(b.tables);
        return undefined;
      default:
        throw engineError('not_supported', `statement ${b.kind} is not supported here`);
    }
  }

  /**
   * A utility statement in a cluster: tables must have a primary key (their rows are placed by it)
   * and CREATE TABLE … AS is refused (it would fill only this node); DDL goes to the cluster's DDL
   * log once applied here (also when it did nothing here: IF [NOT] EXISTS makes it a no-op elsewhere too).
   */
  private async runClusterUtility(shards: ClusterSql, b: BoundStatement, text: string): Promise<Notice | undefined> {
    if (b.kind === 'create-table') {
      if (b.asQuery) throw engineErrorWith('cluster_create_as', { hint: 'Create the table, then INSERT … SELECT into it.' });
      if (!b.primaryKey || b.primaryKey.length === 0) throw engineErrorWith('cluster_primary_key', { detail: 'Rows are placed on the nodes by their primary key.' }, b.name);
    }
    const notice = await this.runUtility(b);
    if (CLUSTER_DDL.has(b.kind)) await shards.ddl(text);
    return notice;
  }
}

/** DDL statements every node of a cluster applies. */
const CLUSTER_DDL: ReadonlySet<BoundStatement['kind']> = new Set(['create-table', 'drop', 'create-index', 'create-view', 'alter-table']);

/**
 * Marks result columns that come straight from a table column with the table's id and the
 * column's number (PostgreSQL's RowDescription reports them; drivers use them to map results
 * back to tables). Followed through scans and pass-through projections; computed columns stay unmarked.
 */
function withSources(columns: ResultColumn[], entry: PreparedEntry): ResultColumn[] {
  const sources = new Map<number, { tableId: number; columnNumber: number }>();
  const renamed = new Map<number, number>();
  const visit = (node: unknown): void => {
    if (!node || typeof node !== 'object') return;
    if (Array.isArray(node)) {
      for (const n of node) visit(n);
      return;
    }
    const n = node as { kind?: unknown; table?: TableInfo; columns?: unknown; items?: unknown } & Record<string, unknown>;
    if ((n.kind === 'seq-scan' || n.kind === 'index-scan') && n.table && Array.isArray(n.columns)) {
      for (const c of n.columns as { id: number; ordinal: number }[]) if (c.ordinal >= 0) sources.set(c.id, { tableId: n.table.id, columnNumber: c.ordinal + 1 });
    }
    if (n.kind === 'project' && Array.isArray(n.items)) {
      for (const it of n.items as { column: { id: number }; expr: { kind: string; id?: number } }[]) if (it.expr.kind === 'column' && it.expr.id !== undefined) renamed.set(it.column.id, it.expr.id);
    }
    for (const [k, v] of Object.entries(n)) if (k !== 'table' && k !== 'index' && typeof v === 'object') visit(v);
  };
  visit(entry.query.plan);
  return columns.map((c, i) => {
    let id = entry.schema[i]!.id as number;
    for (let hops = 0; !sources.has(id) && renamed.has(id) && hops < 64; hops++) id = renamed.get(id)!;
    const src = sources.get(id);
    return src ? { ...c, ...src } : c;
  });
}

/** Result columns of a plan's output schema. */
export function resultColumns(schema: Schema): ResultColumn[] {
  return schema.map((c) => ({ name: c.name, type: c.type, nullable: c.nullable }));
}
