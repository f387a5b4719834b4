// TLS settings of the listener (`protocols.pg.tls`): the certificate and key it serves after an SSLRequest (docs 55.2 "SSL Session Encryption").
import { readFileSync } from 'node:fs';
import { createSecureContext, type SecureContext } from 'node:tls';

/** What the listener needs to offer TLS: the loaded certificate and key, and whether plain-text clients are refused. */
export interface TlsConfig {
  readonly context: SecureContext;
  /** Like a pg_hba.conf with only `hostssl` lines: a client that did not negotiate TLS gets 28000. */
  readonly require: boolean;
}

/** A config-file mistake in the TLS settings; the listener refuses to start. */
export class TlsConfigError extends Error {
  override name = 'TlsConfigError';
}

/**
 * Reads `tls: { cert, key, require? }` from the listener's settings (file paths, already resolved
 * against the config file's folder). Undefined when no TLS is configured: SSLRequest is then answered 'N'.
 */
export function tlsConfig(settings: Readonly<Record<string, unknown>>): TlsConfig | undefined {
  const raw = settings['tls'];
  if (raw === undefined) return undefined;
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new TlsConfigError('protocols.pg.tls: expected an object { cert, key, require? }');
  const tls = raw as Record<string, unknown>;
  const require = tls['require'] ?? false;
  if (typeof require !== 'boolean') throw new TlsConfigError('protocols.pg.tls.require: expected true or false');
  const cert = pemFile(tls, 'cert');
  const key = pemFile(tls, 'key');
  try {
    return { context: createSecureContext({ cert, key }), require };
  } catch (e) {
    throw new TlsConfigError(`protocols.pg.tls: certificate and key do not form a usable pair: ${(e as Error).message}`);
  }
}

function pemFile(tls: Record<string, unknown>, field: 'cert' | 'key'): Buffer {
  const path = tls[field];
  if (typeof path !== 'string' || path === '') throw new TlsConfigError(`protocols.pg.tls.${field}: expected the path of a PEM file`);
  try {
    return readFileSync(path);
  } catch (e) {
    throw new TlsConfigError(`protocols.pg.tls.${field}: cannot read ${path}: ${(e as Error).message}`);
  }
}
