// `orbit server`: opens the engine, starts every enabled wire protocol and the actor node; SIGINT/SIGTERM stop it cleanly.
import { Engine } from '../../index.ts';
import { ConfigError, loadConfig, PROTOCOL_NAMES } from '../../server/config.ts';
import { UsageError, type Command } from '../command.ts';

const portOptions = Object.fromEntries(
  PROTOCOL_NAMES.map((n) => [`${n}-port`, { type: 'string' as const, description: `Port for ${n} (0 = ephemeral, off = disabled); env ORBIT_${n.toUpperCase()}_PORT`, valueName: 'n|off' }]),
);

export const serverCommand: Command = {
  name: 'server',
  summary: 'Start the Orbit server',
  usage:
    '[--data <dir>] [--host <addr>] [--config <file>] [--<protocol>-port <n|off>] [--pg-tls-cert <file> --pg-tls-key <file>] [--actors <module> [--etcd <url> --node-id <id>] [--grpc-tls-cert <file> --grpc-tls-key <file> --grpc-tls-ca <file>]]',
  options: {
    data: { type: 'string', short: 'd', description: 'Data directory (default ./data); env ORBIT_DATA', valueName: 'dir' },
    host: { type: 'string', description: 'Address to listen on (default 127.0.0.1); env ORBIT_HOST', valueName: 'addr' },
    config: { type: 'string', description: 'JSON config file (flags beat env vars, env vars beat the file); env ORBIT_CONFIG', valueName: 'file' },
    ...portOptions,
    'pg-tls-cert': { type: 'string', description: 'PEM certificate for PostgreSQL TLS; env ORBIT_PG_TLS_CERT', valueName: 'file' },
    'pg-tls-key': { type: 'string', description: 'PEM private key for PostgreSQL TLS; env ORBIT_PG_TLS_KEY', valueName: 'file' },
    'grpc-tls-cert': { type: 'string', description: 'PEM certificate of this node: gRPC (listener and calls to peers) uses TLS; env ORBIT_GRPC_TLS_CERT', valueName: 'file' },
    'grpc-tls-key': { type: 'string', description: 'PEM private key of that certificate; env ORBIT_GRPC_TLS_KEY', valueName: 'file' },
    'grpc-tls-ca': { type: 'string', description: 'PEM CA that signed the nodes\' (and clients\') certificates; env ORBIT_GRPC_TLS_CA', valueName: 'file' },
    'grpc-tls-require-client-cert': { type: 'boolean', description: 'Mutual TLS: refuse gRPC clients without a certificate signed by the CA' },
    actors: { type: 'string', description: 'Module whose exported actor classes this node hosts (served on the grpc port); env ORBIT_ACTORS', valueName: 'module' },
    etcd: { type: 'string', description: 'etcd endpoints: join the actor cluster kept there; env ORBIT_ETCD', valueName: 'url' },
    'node-id': { type: 'string', description: 'This node\'s id in the cluster (default: host name); env ORBIT_NODE_ID', valueName: 'id' },
    'lease-ttl': { type: 'string', description: 'etcd lease TTL in seconds (default 10); env ORBIT_LEASE_TTL', valueName: 's' },
    placement: { type: 'string', description: 'where new actors go: hash (default) or least-loaded; env ORBIT_PLACEMENT', valueName: 'strategy' },
    advertise: { type: 'string', description: 'Host other nodes use to reach this one (default: --host); env ORBIT_ADVERTISE', valueName: 'host' },
  },
  notes: 'Prints `orbit: <name> listening on <host>:<port>` for each listener once it accepts connections. SIGINT or SIGTERM stops accepting, ends sessions, flushes storage and exits 0.',
  async run(args) {
    let config;
    try {
      config = loadConfig(args.values, process.env);
    } catch (e) {
      if (e instanceof ConfigError) throw new UsageError(e.message);
      throw e;
    }
    const { PROTOCOLS } = await import('../../../protocols/index.ts');
    const engine = await Engine.open({ dataDir: config.dataDir });
    // Installed before any listener starts, and left installed: a signal during start-up, or a second
    // one during the clean stop (a terminal's Ctrl-C reaches both `orbit` and the server it started),
    // must not kill the process before storage is flushed.
    const stopped = new Promise<void>((resolve) => {
      process.on('SIGINT', () => resolve());
      process.on('SIGTERM', () => resolve());
    });
    const listening: { close(): Promise<void> }[] = [];
    try {
      const a = config.actors;
      if (a.module !== undefined) {
        const grpcPort = config.ports['grpc'] ?? 50051;
        if (grpcPort === 'off') throw new Error('--actors needs the grpc port: actor calls arrive over gRPC');
        const { ActorNode, KvShardRouter, kvShardActor, loadActorClasses, nodeTls, shardTables, sqlShardActor } = await import('../../cluster/index.ts');
        const tls = nodeTls(config.protocols['grpc'] ?? {});
        // In a cluster the Redis keyspace is split into shards, each owned by one node through a shard actor.
        const shardKeyspace = a.etcd !== undefined && config.ports['resp'] !== 'off';
        // Likewise SQL tables, each row owned by the node owning its primary key's shard.
        const shardSql = a.etcd !== undefined && config.ports['pg'] !== 'off';
        let started: import('../../cluster/index.ts').ActorNode | undefined;
        const node = await ActorNode.start({
          dataDir: config.dataDir,
          actors: [...(await loadActorClasses(a.module)), ...(shardKeyspace ? [kvShardActor(config.dataDir)] : []), ...(shardSql ? [sqlShardActor(engine, () => started)] : [])],
          host: config.host,
          port: grpcPort,
          ...(a.etcd !== undefined ? { etcd: a.etcd } : {}),
          ...(a.nodeId !== undefined ? { nodeId: a.nodeId } : {}),
          ...(a.leaseTtl !== undefined ? { leaseTtl: a.leaseTtl } : {}),
          ...(a.advertise !== undefined ? { advertiseHost: a.advertise } : {}),
          ...(a.placement !== undefined ? { placement: a.placement } : {}),
          ...(tls !== undefined ? { tls } : {}),
          // Another node may already host this node's actors: stop at once rather than serve them twice.
          onFatal: (e) => {
            console.error(`orbit: ${e.message}`);
            process.exit(1);
          },
        });
        started = node;
        listening.push(node);
        engine.attachActors(node);
        if (shardKeyspace) engine.kvShards = new KvShardRouter(node);
        // The DDL log is replayed here, before any client can connect.
        if (shardSql && a.etcd !== undefined) listening.push(await shardTables(engine, node, a.etcd, config.dataDir));
        if (a.etcd !== undefined) console.log(`orbit: node ${node.nodeId} joined the cluster at ${a.etcd}`);
        console.log(`orbit: grpc listening on ${config.host}:${node.port}`);
      }
      for (const p of PROTOCOLS) {
        const requested = config.ports[p.name] ?? p.defaultPort;
        if (requested === 'off') continue;
        const l = await p.start(engine, { host: config.host, port: requested, settings: config.protocols[p.name] ?? {} });
        listening.push(l);
        console.log(`orbit: ${p.name} listening on ${config.host}:${l.port}`);
      }
    } catch (e) {
      for (const l of listening) await l.close();
      await engine.close();
      // A listener that cannot start (port taken, unsafe settings) is the operator's problem to fix: its message, no stack.
      console.error(`orbit: ${e instanceof Error ? e.message : String(e)}`);
      return 1;
    }
    if (listening.length === 0) console.log(`orbit: engine ready, data in ${config.dataDir} (no protocol enabled)`);
    await stopped;
    await Promise.all(listening.map((l) => l.close()));
    await engine.close();
    return 0;
  },
};
