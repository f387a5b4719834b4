// Server settings from the config file, ORBIT_* environment variables and flags (flag beats env beats file).
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

/** Every wire protocol's flag name, whether or not it is implemented yet. */
export const PROTOCOL_NAMES = ['resp', 'pg', 'mysql', 'cql', 'bolt', 'arango', 'http', 'grpc', 'mqtt'] as const;
export type ProtocolName = (typeof PROTOCOL_NAMES)[number];

export interface ServerConfig {
  readonly dataDir: string;
  readonly host: string;
  /** Requested port per protocol; `off` disables it; undefined means its default port. */
  readonly ports: Readonly<Partial<Record<string, number | 'off'>>>;
  /** Per-protocol settings from the config file's `protocols.<name>` sections. */
  readonly protocols: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
  /** Virtual actors (served over gRPC) and, with `etcd`, the cluster they form. */
  readonly actors: ActorsConfig;
}

/** `--actors`, `--etcd`, `--node-id`, `--lease-ttl`, `--advertise`, `--placement` (env `ORBIT_ACTORS`, …; file `actors: {…}`). */
export interface ActorsConfig {
  /** Module whose exported actor classes the node hosts; none: no actor runtime. */
  readonly module: string | undefined;
  /** etcd endpoints; set: cluster mode. */
  readonly etcd: string | undefined;
  readonly nodeId: string | undefined;
  /** etcd lease TTL in seconds. */
  readonly leaseTtl: number | undefined;
  /** Host other nodes use to reach this one's gRPC port. */
  readonly advertise: string | undefined;
  /** Where new actors go in a cluster: `hash` (default) or `least-loaded`. */
  readonly placement: 'hash' | 'least-loaded' | undefined;
}

/** The config file: JSON with `data`, `host`, `ports: { pg: 5432 | "off" }` and `protocols: { pg: {…} }`. */
interface FileConfig {
  data?: string;
  host?: string;
  ports?: Record<string, number | 'off'>;
  protocols?: Record<string, Record<string, unknown>>;
  actors?: { module?: string; etcd?: string; nodeId?: string; leaseTtl?: number; advertise?: string; placement?: string };
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

function parsePort(name: string, raw: string | number, where: string): number | 'off' {
  if (raw === 'off') return 'off';
  const n = typeof raw === 'number' ? raw : /^\d+$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new ConfigError(`${where}: invalid port "${raw}" for ${name} (0–65535 or off)`);
  return n;
}

export function loadConfig(flags: Readonly<Record<string, unknown>>, env: Readonly<Record<string, string | undefined>>): ServerConfig {
  let file: FileConfig = {};
  const path = (flags['config'] as string | undefined) ?? env['ORBIT_CONFIG'];
  if (path) {
    try {
      file = JSON.parse(readFileSync(path, 'utf8')) as FileConfig;
    } catch (e) {
      throw new ConfigError(`cannot read config ${path}: ${(e as Error).message}`);
    }
  }
  const ports: Record<string, number | 'off'> = {};
  for (const name of PROTOCOL_NAMES) {
    const flag = flags[`${name}-port`] as string | undefined;
    const fromEnv = env[`ORBIT_${name.toUpperCase()}_PORT`];
    const fromFile = file.ports?.[name];
    if (flag !== undefined) ports[name] = parsePort(name, flag, `--${name}-port`);
    else if (fromEnv !== undefined) ports[name] = parsePort(name, fromEnv, `ORBIT_${name.toUpperCase()}_PORT`);
    else if (fromFile !== undefined) ports[name] = parsePort(name, fromFile, path ?? 'config');
  }
  return {
    dataDir: (flags['data'] as string | undefined) ?? env['ORBIT_DATA'] ?? file.data ?? './data',
    host: (flags['host'] as string | undefined) ?? env['ORBIT_HOST'] ?? file.host ?? '127.0.0.1',
    ports,
    protocols: withTlsFiles(file.protocols ?? {}, path ? dirname(path) : '.', flags, env),
    actors: actorsConfig(file.actors ?? {}, path ? dirname(path) : '.', flags, env),
  };
}

function actorsConfig(
  file: NonNullable<FileConfig['actors']>,
  base: string,
  flags: Readonly<Record<string, unknown>>,
  env: Readonly<Record<string, string | undefined>>,
): ActorsConfig {
  const pick = (flag: string, name: string, fromFile: string | number | undefined): string | undefined =>
    (flags[flag] as string | undefined) ?? env[name] ?? (fromFile === undefined ? undefined : String(fromFile));
  // The module is resolved against the working directory (flag, env) or the config file's folder.
  const flagModule = (flags['actors'] as string | undefined) ?? env['ORBIT_ACTORS'];
  const module = flagModule !== undefined ? resolve(flagModule) : file.module !== undefined ? resolve(base, file.module) : undefined;
  const ttl = pick('lease-ttl', 'ORBIT_LEASE_TTL', file.leaseTtl);
  let leaseTtl: number | undefined;
  if (ttl !== undefined) {
    leaseTtl = /^\d+$/.test(ttl) ? Number(ttl) : NaN;
    if (!Number.isInteger(leaseTtl) || leaseTtl < 2) throw new ConfigError(`invalid lease TTL "${ttl}" (whole seconds, at least 2)`);
  }
  const etcd = pick('etcd', 'ORBIT_ETCD', file.etcd);
  if (etcd !== undefined && module === undefined) throw new ConfigError('--etcd needs --actors <module>: a cluster hosts actors');
  const placement = pick('placement', 'ORBIT_PLACEMENT', file.placement);
  if (placement !== undefined && placement !== 'hash' && placement !== 'least-loaded') throw new ConfigError(`invalid placement "${placement}" (hash or least-loaded)`);
  return { module, etcd, nodeId: pick('node-id', 'ORBIT_NODE_ID', file.nodeId), leaseTtl, advertise: pick('advertise', 'ORBIT_ADVERTISE', file.advertise), placement };
}

/**
 * A protocol's `tls.cert`/`tls.key`/`tls.ca` are read relative to the config file's folder, so a
 * config works from any working directory; `ORBIT_<NAME>_TLS_CERT`/`_KEY`/`_CA` and the flags
 * `--<name>-tls-cert`/`-key`/`-ca` (relative to the working directory) override them, and the flag
 * `--<name>-tls-require-client-cert` sets `tls.requireClientCert`.
 */
function withTlsFiles(
  protocols: Record<string, Record<string, unknown>>,
  base: string,
  flags: Readonly<Record<string, unknown>>,
  env: Readonly<Record<string, string | undefined>>,
): Record<string, Record<string, unknown>> {
  const out: Record<string, Record<string, unknown>> = { ...protocols };
  for (const name of PROTOCOL_NAMES) {
    const section = protocols[name] ?? {};
    const raw = section['tls'] ?? {};
    // A malformed `tls` is left as it is, for the protocol to report.
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) continue;
    const tls: Record<string, unknown> = { ...(raw as Record<string, unknown>) };
    for (const field of ['cert', 'key', 'ca'] as const) {
      if (typeof tls[field] === 'string') tls[field] = resolve(base, tls[field] as string);
      const given = (flags[`${name}-tls-${field}`] as string | undefined) ?? env[`ORBIT_${name.toUpperCase()}_TLS_${field.toUpperCase()}`];
      if (given) tls[field] = resolve(given);
    }
    if (flags[`${name}-tls-require-client-cert`] === true) tls['requireClientCert'] = true;
    if (Object.keys(tls).length > 0) out[name] = { ...section, tls };
  }
  return out;
}
