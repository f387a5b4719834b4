// The keyspace's shards in a cluster: which shard a command touches, running a command for another node with its reply recorded as data, and replaying that reply.
import type { CommandSpec, CommandTable, KeyOp } from '../../compiler/index.ts';
import { KV_HANDLERS } from './commands/index.ts';
import { exclusiveOptionsError, KvError } from './errors.ts';
import type { Keyspace } from './keyspace.ts';
import type { ReplySink } from './reply.ts';
import { keyShard } from './slots.ts';

/** `commandShard` of a command without keys (PING, KEYS, SCAN, …): it runs on the node that received it. */
export const NO_KEYS = -1;
/** `commandShard` of a command whose keys fall in different shards (Redis Cluster's CROSSSLOT). */
export const CROSS_SHARD = -2;

/**
 * The keyspace's shards as the Redis protocol sees them in a cluster. Each shard is owned by one
 * live node; a command on a key of a shard owned elsewhere is sent there.
 */
export interface KvShards {
  /** Whether this node owns the shard now (activated and claimed): its commands run here, on this node's keyspace. */
  hosts(shard: number): boolean;
  /**
   * Runs a command on the node owning the shard (placing the shard if nobody owns it, which may be
   * this node); resolves with its reply as data for `replayReply`. `protocol` is the client's RESP
   * version, which some replies depend on (WITHSCORES pairs).
   */
  run(shard: number, db: number, argv: readonly string[], protocol: 2 | 3): Promise<RecordedReply>;
}

/**
 * A reply as data: a flat list of tag, value pairs in the order a command wrote them to its
 * `ReplySink` (aggregates are a header followed by their elements). Only strings, numbers,
 * booleans and null, so it crosses the network in any encoding.
 */
export type RecordedReply = (number | string | boolean | null)[];

const enum Tag {
  Simple,
  Error,
  Integer,
  BigInteger,
  Bulk,
  NullArray,
  Array,
  Map,
  Set,
  Double,
  Boolean,
  Verbatim,
}

/** A `ReplySink` that records what a command writes. */
export class ReplyRecorder implements ReplySink {
  readonly reply: RecordedReply = [];
  constructor(readonly protocol: 2 | 3) {}
  simple(s: string): void {
    this.reply.push(Tag.Simple, s);
  }
  error(text: string): void {
    this.reply.push(Tag.Error, text);
  }
  integer(n: number | bigint): void {
    // A 64-bit integer travels as its digits: a double would round it.
    if (typeof n === 'bigint') this.reply.push(Tag.BigInteger, n.toString());
    else this.reply.push(Tag.Integer, n);
  }
  bulk(s: string | null): void {
    this.reply.push(Tag.Bulk, s);
  }
  bulkBytes(src: Buffer, start: number, end: number): void {
    this.reply.push(Tag.Bulk, src.toString('latin1', start, end));
  }
  nullArray(): void {
    this.reply.push(Tag.NullArray, null);
  }
  array(n: number): void {
    this.reply.push(Tag.Array, n);
  }
  map(n: number): void {
    this.reply.push(Tag.Map, n);
  }
  set(n: number): void {
    this.reply.push(Tag.Set, n);
  }
  double(d: number): void {
    // MessagePack writes -0 as the integer 0; its digits keep the sign (Redis prints "-0").
    this.reply.push(Tag.Double, Object.is(d, -0) ? '-0' : d);
  }
  boolean(b: boolean): void {
    this.reply.push(Tag.Boolean, b);
  }
  verbatim(s: string): void {
    this.reply.push(Tag.Verbatim, s);
  }
}

/** Writes a recorded reply to `out`, which encodes it for its own client (RESP2 or RESP3). */
export function replayReply(reply: RecordedReply, out: ReplySink): void {
  for (let i = 0; i + 1 < reply.length; i += 2) {
    const v = reply[i + 1]!;
    switch (reply[i] as Tag) {
      case Tag.Simple:
        out.simple(String(v));
        break;
      case Tag.Error:
        out.error(String(v));
        break;
      case Tag.Integer:
        out.integer(Number(v));
        break;
      case Tag.BigInteger:
        out.integer(BigInt(String(v)));
        break;
      case Tag.Bulk:
        out.bulk(v === null ? null : String(v));
        break;
      case Tag.NullArray:
        out.nullArray();
        break;
      case Tag.Array:
        out.array(Number(v));
        break;
      case Tag.Map:
        out.map(Number(v));
        break;
      case Tag.Set:
        out.set(Number(v));
        break;
      case Tag.Double:
        out.double(Number(v));
        break;
      case Tag.Boolean:
        out.boolean(v === true);
        break;
      case Tag.Verbatim:
        out.verbatim(String(v));
        break;
      default:
        throw new Error(`unknown reply tag ${String(reply[i])}`);
    }
  }
}

/**
 * The keys of a command, from its spec's key positions (first, last, step) plus, for commands whose
 * keys follow a count (`movablekeys`: ZUNION numkeys key …), every matched `key` argument.
 */
export function commandKeys(spec: CommandSpec, op: KeyOp): string[] {
  const keys: string[] = [];
  const argv = op.argv;
  if (spec.firstKey > 0) {
    const last = spec.lastKey < 0 ? argv.length + spec.lastKey : spec.lastKey;
    for (let i = spec.firstKey; i <= last && i < argv.length; i += spec.keyStep) keys.push(argv[i]!);
  }
  if (spec.flags.includes('movablekeys')) {
    const k = op.args['key'];
    if (typeof k === 'string') keys.push(k);
    else if (Array.isArray(k)) keys.push(...(k as readonly string[]));
  }
  return keys;
}

/** The one shard every key of a command falls in; `NO_KEYS` or `CROSS_SHARD` otherwise. */
export function commandShard(spec: CommandSpec, op: KeyOp): number {
  const keys = commandKeys(spec, op);
  if (keys.length === 0) return NO_KEYS;
  const shard = keyShard(keys[0]!);
  for (let i = 1; i < keys.length; i++) if (keyShard(keys[i]!) !== shard) return CROSS_SHARD;
  return shard;
}

/**
 * Runs one key-value command on this node's keyspace for a client of another node and returns its
 * reply as data. A blocking command answers as if it timed out at once (the receiving node refuses
 * to send those).
 */
export function runRecorded(ks: Keyspace, table: CommandTable, db: number, argv: readonly string[], protocol: 2 | 3): RecordedReply {
  const out = new ReplyRecorder(protocol);
  let compiled = table.compile(argv);
  if (compiled.kind === 'exclusive' && exclusiveOptionsError(compiled.op.command, compiled.first, compiled.second) === undefined) compiled = compiled.op;
  // The receiving node matched the command before sending it, with the same table.
  if (compiled.kind !== 'key-op') {
    out.error(`ERR command not runnable on a shard: '${argv[0] ?? ''}'`);
    return out.reply;
  }
  const h = KV_HANDLERS.get(compiled.command);
  if (!h) {
    out.error(`ERR command not runnable on a shard: '${compiled.command}'`);
    return out.reply;
  }
  ks.stats.commands++;
  try {
    const blocked = h(ks, compiled, { db, id: 0 }, out);
    if (blocked) blocked.timeout(out);
  } catch (e) {
    out.error(e instanceof KvError ? e.message : `ERR ${e instanceof Error ? e.message : String(e)}`);
  }
  return out.reply;
}
