// `orbit actor call`: invokes an actor method through a node's gRPC port and prints the result as JSON.
import type { ActorKey } from '../../actors/index.ts';
import { UsageError, type Command } from '../command.ts';
import { grpcTls, grpcTlsOptions } from '../grpc-options.ts';

/** The positional key as the actor key of the requested kind. */
function parseKey(text: string, kind: string): ActorKey | undefined {
  if (kind === 'string') return text;
  if (kind === 'number') {
    const n = Number(text);
    if (text.trim() === '' || !Number.isFinite(n)) throw new UsageError(`key "${text}" is not a finite number`);
    return n;
  }
  if (kind === 'none') {
    if (text !== '-') throw new UsageError('with --key-type none, give - as KEY');
    return undefined;
  }
  throw new UsageError(`unknown key type "${kind}" (string, number, none)`);
}

/** A JSON array is the argument list; any other JSON value is the single argument. */
function parseArgsJson(text: string | undefined): unknown[] {
  if (text === undefined) return [];
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    throw new UsageError(`ARGS_JSON is not JSON: ${(e as Error).message}`);
  }
  return Array.isArray(v) ? v : [v];
}

export const actorCommand: Command = {
  name: 'actor',
  summary: 'Call an actor method on a running server',
  usage: 'call TYPE KEY METHOD [ARGS_JSON] [--node host:port] [--key-type string|number|none] [--ca file [--cert file --key file]]',
  options: {
    node: { type: 'string', description: 'gRPC address of any node (default 127.0.0.1:50051)', valueName: 'host:port' },
    'key-type': { type: 'string', description: 'How to read KEY: string (default), number, or none (a stateless worker; KEY is -)', valueName: 'kind' },
    timeout: { type: 'string', description: 'Seconds to wait for the answer (default 60)', valueName: 's' },
    ...grpcTlsOptions,
  },
  notes: [
    'ARGS_JSON is a JSON array of arguments (another JSON value is the only argument). The result is printed as',
    'JSON (undefined as null). An error prints `ERROR <SQLSTATE>: <message>` and exits 1.',
    '',
    'Example: orbit actor call Counter c1 increment 5 --node 127.0.0.1:50051',
  ].join('\n'),
  async run(args) {
    const [verb, type, keyText, method, argsJson, ...extra] = args.positionals;
    if (verb !== 'call') throw new UsageError(verb === undefined ? 'missing subcommand (call)' : `unknown subcommand "${verb}" (call)`);
    if (type === undefined || keyText === undefined || method === undefined) throw new UsageError('expected TYPE KEY METHOD [ARGS_JSON]');
    if (extra.length > 0) throw new UsageError(`unexpected argument "${extra[0]}" (quote ARGS_JSON as one argument)`);
    const key = parseKey(keyText, (args.values['key-type'] as string | undefined) ?? 'string');
    const callArgs = parseArgsJson(argsJson);
    const timeout = Number((args.values['timeout'] as string | undefined) ?? '60');
    if (!(timeout > 0)) throw new UsageError('--timeout must be a positive number of seconds');
    const tls = await grpcTls(args, process.env);
    const { OrbitClient } = await import('../../cluster/client.ts');
    const client = new OrbitClient((args.values['node'] as string | undefined) ?? '127.0.0.1:50051', timeout * 1000, tls);
    try {
      const result = await client.call(type, key, method, callArgs);
      console.log(JSON.stringify(result === undefined ? null : result));
      return 0;
    } catch (e) {
      // Actor errors carry a SQLSTATE; a transport failure (no such node) has none.
      const sqlstate = (e as { sqlstate?: string }).sqlstate ?? '08006';
      console.error(`ERROR ${sqlstate}: ${e instanceof Error ? e.message : String(e)}`);
      return 1;
    } finally {
      client.close();
    }
  },
};
