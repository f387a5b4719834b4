// Redis's error replies for failures outside a command's own semantics: lookup, arity, auth, state.
import { asciiLower, type CallFailure } from '../../compiler/index.ts';
import { kv } from '../../runtime/index.ts';

/** Redis 7's texts, by our code. */
export const RESP_ERRORS = {
  syntax: 'ERR syntax error',
  not_integer: 'ERR value is not an integer or out of range',
  numkeys_not_positive: 'ERR numkeys should be greater than 0',
  numkeys_too_large: "ERR Number of keys can't be greater than number of args",
  noauth: 'NOAUTH Authentication required.',
  wrongpass: 'WRONGPASS invalid username-password pair or user is disabled.',
  auth_no_password: 'ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?',
  noproto: 'NOPROTO unsupported protocol version',
  multi_nested: 'ERR MULTI calls can not be nested',
  exec_without_multi: 'ERR EXEC without MULTI',
  discard_without_multi: 'ERR DISCARD without MULTI',
  watch_in_multi: 'ERR WATCH inside MULTI is not allowed',
  execabort: 'EXECABORT Transaction discarded because of previous errors.',
  /** Redis Cluster specification, "Multi-key operations": the keys of one command must share a slot (here: a shard). */
  crossslot: "CROSSSLOT Keys in request don't hash to the same slot",
  /** Orbit cluster: what must run on the connection's node cannot wait on, or be queued for, a shard owned elsewhere. */
  remote_shard: "ERR %s on a key of a shard this node does not own is not supported in a cluster; send it to the shard's owner",
  db_out_of_range: 'ERR DB index is out of range',
  no_such_client: 'ERR No such client',
  client_id_positive: 'ERR client-id should be greater than 0',
  unknown_client_type: "ERR Unknown client type '%s'",
  no_such_user: "ERR No such user '%s'",
  client_name: 'ERR Client names cannot contain spaces, newlines or special characters.',
  unknown_config: "ERR Unknown option or number of arguments for CONFIG SET - '%s'",
  invalid_config: "ERR CONFIG SET failed (possibly related to argument '%s') - argument couldn't be parsed into an integer",
} as const;

/** Commands whose numkeys Redis checks itself (zunionInterDiffGenericCommand) with its own texts. */
const ZSET_NUMKEYS = new Set(['zunionstore', 'zinterstore', 'zdiffstore', 'zunion', 'zinter', 'zdiff']);

/** Redis's text for a call that did not resolve or match; `command` is argv[0] as sent. */
export function callFailureText(f: CallFailure, command = ''): string {
  const name = asciiLower(command);
  if (ZSET_NUMKEYS.has(name)) {
    if (f.kind === 'numkeys-not-positive') return `ERR at least 1 input key is needed for '${name}' command`;
    if (f.kind === 'numkeys-too-large') return RESP_ERRORS.syntax;
  }
  // PING takes at most one argument and answers more with the arity error (pingCommand).
  if (name === 'ping' && f.kind === 'syntax') return `ERR wrong number of arguments for 'ping' command`;
  switch (f.kind) {
    case 'unknown-command': {
      const shown = f.args.slice(0, 20).map((a) => `'${a.length > 128 ? a.slice(0, 128) : a}' `).join('');
      return `ERR unknown command '${f.name.length > 128 ? f.name.slice(0, 128) : f.name}', with args beginning with: ${shown}`;
    }
    case 'unknown-subcommand':
      return `ERR unknown subcommand '${f.sub.length > 128 ? f.sub.slice(0, 128) : f.sub}'. Try ${f.container} HELP.`;
    case 'arity':
      return `ERR wrong number of arguments for '${f.name}' command`;
    case 'syntax':
      return RESP_ERRORS.syntax;
    case 'not-integer':
      return RESP_ERRORS.not_integer;
    case 'numkeys-not-positive':
      return RESP_ERRORS.numkeys_not_positive;
    case 'numkeys-too-large':
      return RESP_ERRORS.numkeys_too_large;
    case 'exclusive':
      return kv.exclusiveOptionsError(f.op.command, f.first, f.second) ?? RESP_ERRORS.syntax;
  }
}

/** The text after `-ERR Protocol error: ` for a malformed frame. */
export function protocolErrorText(detail: string): string {
  return `ERR Protocol error: ${detail}`;
}
