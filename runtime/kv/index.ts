// The key-value model's public face: the keyspace, its command implementations and the reply interface.
export { Keyspace, DATABASES, type Block, type Durability, type Handler, type KeyspaceOptions, type KvClient, type KvEntry, type KvSnapshot, type KvStats, type Waiter, type WatchHandle } from './keyspace.ts';
export { Deque, ZSet, type Value } from './values.ts';
export { KV_HANDLERS } from './commands/index.ts';
export { KvError, KV_ERRORS, exclusiveOptionsError, type KvErrorCode } from './errors.ts';
export { PubSub, type Subscriber } from './pubsub.ts';
export { globMatch } from './glob.ts';
export { formatScore } from './commands/util.ts';
export type { ReplySink } from './reply.ts';
export { KV_SHARDS, SLOTS, crc16, keySlot, keyShard, slotShard } from './slots.ts';
export { CROSS_SHARD, NO_KEYS, ReplyRecorder, commandKeys, commandShard, replayReply, runRecorded, type KvShards, type RecordedReply } from './shards.ts';
