// The TLS flags `orbit actor` and `orbit cluster` share, for nodes whose gRPC listener uses TLS.
import type { ClientTls } from '../cluster/tls.ts';
import { UsageError, type ParsedArgs } from './command.ts';

/** `--ca`, `--cert`, `--key` (env `ORBIT_GRPC_TLS_CA`/`_CERT`/`_KEY`, the names the server reads). */
export const grpcTlsOptions = {
  ca: { type: 'string', description: 'PEM CA that signed the node\'s certificate: connect with TLS; env ORBIT_GRPC_TLS_CA', valueName: 'file' },
  cert: { type: 'string', description: 'PEM client certificate, for nodes that require one (mutual TLS); env ORBIT_GRPC_TLS_CERT', valueName: 'file' },
  key: { type: 'string', description: 'PEM key of --cert; env ORBIT_GRPC_TLS_KEY', valueName: 'file' },
} as const;

/** The client TLS the flags or environment ask for; undefined: plain text. */
export async function grpcTls(args: ParsedArgs, env: Readonly<Record<string, string | undefined>>): Promise<ClientTls | undefined> {
  const pick = (flag: string, name: string): string | undefined => (args.values[flag] as string | undefined) ?? (env[name] || undefined);
  const { clientTls, TlsConfigError } = await import('../cluster/tls.ts');
  try {
    return clientTls({ ca: pick('ca', 'ORBIT_GRPC_TLS_CA'), cert: pick('cert', 'ORBIT_GRPC_TLS_CERT'), key: pick('key', 'ORBIT_GRPC_TLS_KEY') });
  } catch (e) {
    if (e instanceof TlsConfigError) throw new UsageError(e.message);
    throw e;
  }
}
