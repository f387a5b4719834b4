// TLS between nodes and for clients: the grpc listener's `tls` settings and the gRPC credentials built from them.
//
// Peers are usually addressed by IP (`127.0.0.1:50051`). @grpc/grpc-js sends the target host as
// the TLS server name (SNI); Node only warns about an IP there (RFC 6066 section 3 allows DNS
// names only), but Bun's `tls.connect` throws, so no connection to an IP address would ever be
// made. For an IP target the channel therefore overrides the server name with a fixed DNS-style
// name and checks the certificate against the real IP itself (its IP subjectAltNames), which is
// the check the TLS library would have made.
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { checkServerIdentity, type PeerCertificate } from 'node:tls';
import * as grpc from '@grpc/grpc-js';

/** What a client needs: the CA that signed the nodes' certificates, and its own certificate for mutual TLS. */
export interface ClientTls {
  /** PEM CA bundle that verifies the server; none: the system's roots. */
  readonly ca?: Buffer | undefined;
  /** PEM certificate and key presented to a server that requires client certificates. */
  readonly cert?: Buffer | undefined;
  readonly key?: Buffer | undefined;
}

/** A node's TLS: its certificate (served, and presented to peers), the CA, and whether clients must present certificates. */
export interface NodeTls extends ClientTls {
  readonly cert: Buffer;
  readonly key: Buffer;
  /** Mutual TLS: the listener refuses clients without a certificate signed by `ca`. */
  readonly requireClientCert: boolean;
}

/** A mistake in the grpc listener's TLS settings; the node refuses to start. */
export class TlsConfigError extends Error {
  override name = 'TlsConfigError';
}

/** The server name sent for a peer addressed by IP (see the file comment); never used for the certificate check. */
const IP_TARGET_SERVER_NAME = 'orbit-node';

/**
 * Reads `tls: { cert, key, ca?, requireClientCert? }` from the grpc listener's settings (file
 * paths, already resolved by the config loader). Undefined when no TLS is configured.
 */
export function nodeTls(settings: Readonly<Record<string, unknown>>): NodeTls | undefined {
  const raw = settings['tls'];
  if (raw === undefined) return undefined;
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new TlsConfigError('protocols.grpc.tls: expected an object { cert, key, ca?, requireClientCert? }');
  const tls = raw as Record<string, unknown>;
  const requireClientCert = tls['requireClientCert'] ?? false;
  if (typeof requireClientCert !== 'boolean') throw new TlsConfigError('protocols.grpc.tls.requireClientCert: expected true or false');
  const cert = pemFile(tls, 'cert');
  const key = pemFile(tls, 'key');
  const ca = tls['ca'] === undefined ? undefined : pemFile(tls, 'ca');
  if (requireClientCert && ca === undefined) throw new TlsConfigError('protocols.grpc.tls.requireClientCert needs tls.ca: the CA that signed the client certificates');
  return { cert, key, ca, requireClientCert };
}

/**
 * A client's TLS from file paths (`orbit actor call --ca … --cert … --key …`): undefined when no
 * path is given (plain text); a certificate needs its key.
 */
export function clientTls(paths: { readonly ca?: string | undefined; readonly cert?: string | undefined; readonly key?: string | undefined }): ClientTls | undefined {
  if (paths.ca === undefined && paths.cert === undefined && paths.key === undefined) return undefined;
  if ((paths.cert === undefined) !== (paths.key === undefined)) throw new TlsConfigError('a client certificate needs its key (give both --cert and --key)');
  const read = (what: string, path: string | undefined): Buffer | undefined => {
    if (path === undefined) return undefined;
    try {
      return readFileSync(path);
    } catch (e) {
      throw new TlsConfigError(`cannot read the ${what} ${path}: ${(e as Error).message}`);
    }
  };
  return { ca: read('CA file', paths.ca), cert: read('certificate', paths.cert), key: read('key', paths.key) };
}

/** Reads a PEM file named by `tls[field]`; the error names the setting. */
function pemFile(tls: Readonly<Record<string, unknown>>, field: string): Buffer {
  const path = tls[field];
  if (typeof path !== 'string' || path === '') throw new TlsConfigError(`protocols.grpc.tls.${field}: expected the path of a PEM file`);
  try {
    return readFileSync(path);
  } catch (e) {
    throw new TlsConfigError(`protocols.grpc.tls.${field}: cannot read ${path}: ${(e as Error).message}`);
  }
}

/** The listener's credentials: TLS with the node's certificate when configured, plain text otherwise. */
export function serverCredentials(tls: NodeTls | undefined): grpc.ServerCredentials {
  if (!tls) return grpc.ServerCredentials.createInsecure();
  try {
    return grpc.ServerCredentials.createSsl(tls.ca ?? null, [{ private_key: tls.key, cert_chain: tls.cert }], tls.requireClientCert);
  } catch (e) {
    throw new TlsConfigError(`protocols.grpc.tls: ${(e as Error).message}`);
  }
}

/** Credentials and channel options for a channel to `address` (host:port): TLS when `tls` is given. */
export function channelCredentials(address: string, tls: ClientTls | undefined): { credentials: grpc.ChannelCredentials; options: grpc.ChannelOptions } {
  if (!tls) return { credentials: grpc.credentials.createInsecure(), options: {} };
  const host = hostOf(address);
  if (isIP(host) === 0) return { credentials: grpc.credentials.createSsl(tls.ca ?? null, tls.key ?? null, tls.cert ?? null), options: {} };
  const verify = { checkServerIdentity: (_name: string, cert: PeerCertificate) => checkServerIdentity(host, cert) };
  return {
    credentials: grpc.credentials.createSsl(tls.ca ?? null, tls.key ?? null, tls.cert ?? null, verify),
    options: { 'grpc.ssl_target_name_override': IP_TARGET_SERVER_NAME },
  };
}

/** The host of `host:port`, `[v6]:port` or a bare host. */
function hostOf(address: string): string {
  if (address.startsWith('[')) return address.slice(1, address.indexOf(']'));
  const colon = address.lastIndexOf(':');
  return colon > 0 && address.indexOf(':') === colon ? address.slice(0, colon) : address;
}

/** Whether a connection failure came from the TLS handshake (wrong CA, name, missing client certificate, plain-text peer). */
export function isTlsFailure(message: string): boolean {
  return /SSL routines|certificate|altnames|TLSV1_ALERT|WRONG_VERSION_NUMBER|self.signed|unable to verify/i.test(message);
}

/**
 * A connection failure with a hint at its likely cause. A TLS client that met a plain-text
 * listener, or a certificate it cannot verify, fails its handshake with a TLS error; a plain-text
 * client that met a TLS listener only sees the connection fail (the listener drops bytes it cannot
 * read as a handshake), and so does a TLS client whose certificate the listener refused after the
 * handshake (TLS 1.3 checks the client's certificate last).
 */
export function explainConnectFailure(message: string, secure: boolean): string {
  if (!/No connection established|Failed to connect|Connection dropped/i.test(message)) return message;
  if (secure && isTlsFailure(message)) return `${message} (TLS handshake failed: check the CA, the node's certificate names and, for mutual TLS, the client certificate)`;
  if (!/Failed to connect|Connection dropped/i.test(message)) return message;
  if (secure) return `${message} (the node closed the connection during TLS set-up: it may not accept this client certificate; give one its CA signed: --cert/--key)`;
  return `${message} (if the node uses TLS, give its CA: --ca <file>)`;
}
