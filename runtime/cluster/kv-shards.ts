// The Redis keyspace's shards as actors: shard N is the actor (orbit.kv-shard, N), so the directory and placement decide which one node owns it.
import { CommandTable } from '../../compiler/index.ts';
import { Actor, ActorError, type ActorClass } from '../actors/index.ts';
import { DATABASES, Keyspace } from '../kv/keyspace.ts';
import { runRecorded, type KvShards, type RecordedReply } from '../kv/shards.ts';
import { KV_SHARDS } from '../kv/slots.ts';
import type { ActorNode } from './node.ts';

/** The shard actor's type name (runtime-internal: no user module declares it). */
export const KV_SHARD_TYPE = 'orbit.kv-shard';

/** Parsed once per process, on the first forwarded command. */
let table: CommandTable | undefined;

/**
 * The shard actor class for a node whose keyspace lives in `dataDir`. An activation holds no state
 * of its own: its claim says this node owns the shard, and its one method runs a command on this
 * node's keyspace. It never idles out: moving a shard would leave its keys behind.
 */
export function kvShardActor(dataDir: string): ActorClass {
  return class KvShard extends Actor {
    static readonly type = KV_SHARD_TYPE;
    static readonly options = { idleMs: Infinity };

    /** Runs one command (its argv, in database `db`) for a client whose node sent it; the reply as data. */
    run(db: unknown, argv: unknown, protocol: unknown): RecordedReply {
      if (typeof db !== 'number' || !Number.isInteger(db) || db < 0 || db >= DATABASES) throw new ActorError('invalid_call', `${KV_SHARD_TYPE}.run: bad database ${String(db)}`);
      if (!Array.isArray(argv) || argv.length === 0 || !argv.every((a) => typeof a === 'string')) throw new ActorError('invalid_call', `${KV_SHARD_TYPE}.run: argv must be a list of strings`);
      const ks = Keyspace.opened(dataDir);
      if (ks === undefined) throw new Error(`node does not serve the Redis keyspace (its resp listener is off); every node of a cluster must run it`);
      table ??= new CommandTable();
      return runRecorded(ks, table, db, argv as string[], protocol === 3 ? 3 : 2);
    }
  };
}

/** Routes the keyspace's shards through an actor node: owned here, or a call to the shard actor wherever it lives. */
export class KvShardRouter implements KvShards {
  constructor(private readonly node: ActorNode) {}

  hosts(shard: number): boolean {
    return this.node.hostsLive(KV_SHARD_TYPE, shard);
  }

  run(shard: number, db: number, argv: readonly string[], protocol: 2 | 3): Promise<RecordedReply> {
    if (!(shard >= 0 && shard < KV_SHARDS)) return Promise.reject(new Error(`no shard ${shard}`));
    return this.node.invoke({ type: KV_SHARD_TYPE, key: shard, method: 'run', args: [db, argv, protocol], hops: 0 }) as Promise<RecordedReply>;
  }
}
