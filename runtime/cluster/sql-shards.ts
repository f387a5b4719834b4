// SQL tables across the cluster: shard N of every table is the actor (orbit.sql-shard, N), owned by one node through the directory; DDL is a log in etcd that every node applies in order.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Etcd3, type Watcher } from 'etcd3';
import { bindStatement, parseSql, type TableInfo } from '../../compiler/index.ts';
import { Actor, ActorError, type ActorClass } from '../actors/index.ts';
import type { Engine } from '../engine/engine.ts';
import { ClusterSql, rowShard, serveApply, serveScan, SQL_SHARDS, type ApplyReply, type ScanReply, type ShardTransport, type ShardWrites } from '../engine/sql-shards.ts';
import type { ActorNode } from './node.ts';

/** The SQL shard actor's type name (runtime-internal: no user module declares it). */
export const SQL_SHARD_TYPE = 'orbit.sql-shard';

/** etcd keys of the DDL log: entries by sequence number, the last number, and what each node has applied. */
const DDL = { entries: '/orbit/sql/ddl/', seq: '/orbit/sql/ddl-seq', applied: '/orbit/sql/applied/' } as const;
/** How long a DDL statement waits for the other live nodes to apply it before its client is answered. */
const DDL_WAIT_MS = 10_000;
/** File in the data directory holding the last DDL log entry this node applied. */
const APPLIED_FILE = 'cluster-ddl-applied';

const isShard = (s: unknown): s is number => typeof s === 'number' && Number.isInteger(s) && s >= 0 && s < SQL_SHARDS;

function tableLookup(engine: Engine): (schema: string, name: string) => TableInfo | undefined {
  return (schema, name) => {
    const r = engine.catalog.getRelation(schema, name);
    return r?.kind === 'table' ? r : undefined;
  };
}

/**
 * The SQL shard actor class for a node serving `engine`. An activation holds no state of its own:
 * its claim says this node owns the shard, whose rows live in the node's store. It never idles out
 * (a move would strand the shard's rows).
 */
export function sqlShardActor(engine: Engine, node: () => ActorNode | undefined): ActorClass {
  const lookup = tableLookup(engine);
  return class SqlShard extends Actor {
    static readonly type = SQL_SHARD_TYPE;
    static readonly options = { idleMs: Infinity };

    /**
     * Runs a scan request (`toWire` text) on this node's store for this shard and whichever other
     * shards of `shards` this node owns too (one call per node instead of one per shard).
     */
    scan(request: unknown, shards: unknown): ScanReply {
      if (typeof request !== 'string' || !Array.isArray(shards) || !shards.every(isShard)) throw new ActorError('invalid_call', `${SQL_SHARD_TYPE}.scan: a request text and a list of shard numbers`);
      const me = this.key;
      const here = node();
      const covered = shards.filter((s) => s === me || here?.hostsLive(SQL_SHARD_TYPE, s) === true);
      const txn = engine.store.begin();
      try {
        return { ...serveScan(lookup, txn, request, covered), node: here?.nodeId ?? '' };
      } finally {
        txn.rollback();
      }
    }

    /** Applies the writes of this shard and of whichever other listed shards this node owns, in one commit. */
    async apply(writes: unknown): Promise<ApplyReply> {
      const valid = Array.isArray(writes) && writes.every((w) => Array.isArray(w) && w.length === 2 && isShard(w[0]) && Array.isArray(w[1]) && (w[1] as unknown[]).every((o) => Array.isArray(o) && o.length === 5));
      if (!valid) throw new ActorError('invalid_call', `${SQL_SHARD_TYPE}.apply: a list of [shard, writes] pairs`);
      const me = this.key;
      const here = node();
      const covered = (writes as ShardWrites).map(([s]) => s).filter((s) => s === me || here?.hostsLive(SQL_SHARD_TYPE, s) === true);
      const reply = await serveApply(lookup, engine.store.begin(), writes as ShardWrites, covered);
      return { ...reply, node: here?.nodeId ?? '' };
    }

    /** Rows of a table in this node's own store, counted by shard: where the rows really are (`orbit actor call … localRows`). */
    localRows(schema: unknown, name: unknown): { node: string; counts: number[] } {
      const table = typeof schema === 'string' && typeof name === 'string' ? lookup(schema, name) : undefined;
      if (!table) throw new ActorError('invalid_call', `${SQL_SHARD_TYPE}.localRows: no table ${String(schema)}.${String(name)}`);
      const counts = new Array<number>(SQL_SHARDS).fill(0);
      const txn = engine.store.begin();
      try {
        for (const rows of txn.scan(table, 4096)) for (const r of rows) counts[rowShard(r.key)]!++;
      } finally {
        txn.rollback();
      }
      return { node: node()?.nodeId ?? '', counts };
    }
  };
}

/** Runs a DDL statement from the log on this node (parsed and bound against its own catalog), without logging it again. */
export async function applyDdl(engine: Engine, text: string): Promise<void> {
  const parsed = parseSql(text);
  if (parsed.diagnostics.length > 0) throw new Error(parsed.diagnostics[0]!.message);
  for (const s of parsed.statements) {
    const r = bindStatement(s.ast, text, engine.catalog, { paramTypes: [] });
    const err = r.diagnostics.find((d) => d.severity === 'error');
    if (err || !r.bound) throw new Error(err?.message ?? 'statement did not bind');
    await engine.runUtility(r.bound);
  }
}

/**
 * The cluster's DDL log in etcd. A node that runs DDL applies it, appends it (a transaction that
 * takes the next sequence number), then waits until every live node reports it applied. Every node
 * watches the log and applies entries in sequence order, replaying what it missed when it starts;
 * the last applied number is kept in its data directory, next to the catalog it describes.
 */
class DdlLog {
  private applied: number;
  /** Entries this node appended (already applied here), by sequence number. */
  private readonly own = new Map<number, string>();
  private watcher: Watcher | undefined;
  private chain: Promise<void> = Promise.resolve();
  private closed = false;

  private constructor(
    private readonly client: Etcd3,
    private readonly engine: Engine,
    private readonly node: ActorNode,
    private readonly file: string,
  ) {
    this.applied = existsSync(file) ? Number(readFileSync(file, 'utf8').trim()) || 0 : 0;
  }

  static async start(engine: Engine, node: ActorNode, etcd: string, dataDir: string): Promise<DdlLog> {
    const client = new Etcd3({ hosts: etcd.split(',').map((h) => h.trim()) });
    const log = new DdlLog(client, engine, node, join(dataDir, APPLIED_FILE));
    try {
      // The replay must succeed: a node must not serve SQL with a catalog behind the cluster's.
      await log.catchUp();
      log.watcher = await client.watch().prefix(DDL.entries).create();
      log.watcher.on('put', () => void log.schedule());
      // Entries appended between the replay and the watch's start.
      await log.schedule();
    } catch (e) {
      await log.close();
      throw e;
    }
    return log;
  }

  private schedule(): Promise<void> {
    this.chain = this.chain.then(() => this.catchUp()).catch((e: unknown) => console.error(`orbit: DDL log: ${e instanceof Error ? e.message : String(e)}`));
    return this.chain;
  }

  private async catchUp(): Promise<void> {
    if (this.closed) return;
    const all = await this.client.getAll().prefix(DDL.entries).strings();
    const entries = Object.entries(all)
      .map(([k, text]) => [Number(k.slice(DDL.entries.length)), text] as const)
      .filter(([seq]) => seq > this.applied)
      .sort((a, b) => a[0] - b[0]);
    for (const [seq, text] of entries) {
      if (this.own.get(seq) !== text) {
        try {
          await applyDdl(this.engine, text);
        } catch (e) {
          // The statement succeeded where it ran; here it conflicts (a concurrent DDL from another node applied in another order).
          console.error(`orbit: DDL log entry ${seq} (${text}) failed on this node: ${e instanceof Error ? e.message : String(e)}`);
        }
      }
      this.own.delete(seq);
      this.applied = seq;
      writeFileSync(this.file, String(seq));
    }
    await this.client.put(DDL.applied + this.node.nodeId).value(String(this.applied));
  }

  /** Logs a statement this node has applied; resolves once every live node has applied it (or after `DDL_WAIT_MS`). */
  async append(text: string): Promise<void> {
    let seq: number;
    for (;;) {
      const cur = await this.client.get(DDL.seq).string();
      seq = (cur === null ? 0 : Number(cur)) + 1;
      this.own.set(seq, text);
      const cmp = cur === null ? this.client.if(DDL.seq, 'Create', '==', 0) : this.client.if(DDL.seq, 'Value', '==', cur);
      const r = await cmp.then(this.client.put(DDL.seq).value(String(seq)), this.client.put(DDL.entries + String(seq).padStart(12, '0')).value(text)).commit();
      if (r.succeeded) break;
      this.own.delete(seq);
    }
    await this.schedule();
    const deadline = Date.now() + DDL_WAIT_MS;
    while (Date.now() < deadline && !this.closed) {
      const members = (await this.node.nodes()).map((n) => n.id);
      const applied = await this.client.getAll().prefix(DDL.applied).strings();
      if (members.every((id) => Number(applied[DDL.applied + id] ?? 0) >= seq)) return;
      await Bun.sleep(20);
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.watcher?.cancel();
    await this.chain;
    this.client.close();
  }
}

/** Routes shard work through an actor node: owned here, or a call to the shard actor wherever it lives. */
class SqlShardRouter implements ShardTransport {
  constructor(
    private readonly node: ActorNode,
    private readonly log: DdlLog,
  ) {}

  hosts(shard: number): boolean {
    return this.node.hostsLive(SQL_SHARD_TYPE, shard);
  }

  scan(shard: number, request: string, shards: readonly number[]): Promise<ScanReply> {
    return this.node.invoke({ type: SQL_SHARD_TYPE, key: shard, method: 'scan', args: [request, shards], hops: 0 }) as Promise<ScanReply>;
  }

  apply(shard: number, writes: ShardWrites): Promise<ApplyReply> {
    return this.node.invoke({ type: SQL_SHARD_TYPE, key: shard, method: 'apply', args: [writes], hops: 0 }) as Promise<ApplyReply>;
  }

  logDdl(text: string): Promise<void> {
    return this.log.append(text);
  }
}

/**
 * Shards the engine's tables over the cluster `node` belongs to: replays the DDL log (before any
 * client connects), follows it, and routes statements through the shard actors. `close` stops
 * following the log.
 */
export async function shardTables(engine: Engine, node: ActorNode, etcd: string, dataDir: string): Promise<{ close(): Promise<void> }> {
  const log = await DdlLog.start(engine, node, etcd, dataDir);
  engine.sqlShards = new ClusterSql(new SqlShardRouter(node, log));
  return {
    close: async () => {
      engine.sqlShards = undefined;
      await log.close();
    },
  };
}
