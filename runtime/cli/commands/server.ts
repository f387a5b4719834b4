// `orbit server`: opens the engine and starts every enabled wire protocol; SIGINT/SIGTERM stop it cleanly.
import { Engine } from '../../index.ts';
import { ConfigError, loadConfig, PROTOCOL_NAMES } from '../../server/config.ts';
import { UsageError, type Command } from '../command.ts';

const portOptions = Object.fromEntries(
  PROTOCOL_NAMES.map((n) => [`${n}-port`, { type: 'string' as const, description: `Port for ${n} (0 = ephemeral, off = disabled); env ORBIT_${n.toUpperCase()}_PORT`, valueName: 'n|off' }]),
);

export const serverCommand: Command = {
  name: 'server',
  summary: 'Start the Orbit server',
  usage: '[--data <dir>] [--host <addr>] [--config <file>] [--<protocol>-port <n|off>] [--pg-tls-cert <file> --pg-tls-key <file>]',
  options: {
    data: { type: 'string', short: 'd', description: 'Data directory (default ./data); env ORBIT_DATA', valueName: 'dir' },
    host: { type: 'string', description: 'Address to listen on (default 127.0.0.1); env ORBIT_HOST', valueName: 'addr' },
    config: { type: 'string', description: 'JSON config file (flags beat env vars, env vars beat the file); env ORBIT_CONFIG', valueName: 'file' },
    ...portOptions,
    'pg-tls-cert': { type: 'string', description: 'PEM certificate for PostgreSQL TLS; env ORBIT_PG_TLS_CERT', valueName: 'file' },
    'pg-tls-key': { type: 'string', description: 'PEM private key for PostgreSQL TLS; env ORBIT_PG_TLS_KEY', valueName: 'file' },
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
    const listening: { close(): Promise<void> }[] = [];
    try {
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
    await new Promise<void>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
    await Promise.all(listening.map((l) => l.close()));
    await engine.close();
    return 0;
  },
};
