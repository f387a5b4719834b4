// The key-value model's public face: the keyspace, its command implementations and the reply interface.
export { Keyspace, DATABASES, type Block, type Durability, type Handler, type KeyspaceOptions, type KvClient, type KvStats, type Waiter, type WatchHandle } from './keyspace.ts';
export { KV_HANDLERS } from './commands/index.ts';
export { KvError, KV_ERRORS, type KvErrorCode } from './errors.ts';
export { PubSub, type Subscriber } from './pubsub.ts';
export { globMatch } from './glob.ts';
export type { ReplySink } from './reply.ts';
