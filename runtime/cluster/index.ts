// Public face of the cluster: actor nodes, the gRPC client tools use, TLS settings, and placement.
export { ActorNode, type ActorNodeOptions } from './node.ts';
export { OrbitClient, type NodeRow, type ActivationRow, type HealthRow } from './client.ts';
export { MAX_STATE_BYTES, NotOwnerError, type Claim } from './directory.ts';
export { RemoteActorError, type DrainReport } from './transport.ts';
export { clientTls, nodeTls, TlsConfigError, type ClientTls, type NodeTls } from './tls.ts';
export { placeActor } from './placement.ts';
export { loadActorClasses } from './load.ts';
export { KV_SHARD_TYPE, KvShardRouter, kvShardActor } from './kv-shards.ts';
export { SQL_SHARD_TYPE, shardTables, sqlShardActor } from './sql-shards.ts';
