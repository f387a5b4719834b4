// The engine's one error type: every failure a client can see, with its SQLSTATE, for protocols to map.
import type { Diagnostic } from '../../compiler/index.ts';

/** The SQLSTATEs the engine raises itself (compiler, executor and storage bring their own). */
export const ENGINE_ERRORS = {
  in_failed_transaction: { sqlstate: '25P02', message: 'current transaction is aborted, commands ignored until end of transaction block' },
  no_active_transaction: { sqlstate: '25P01', message: 'there is no transaction in progress' },
  active_transaction: { sqlstate: '25001', message: 'there is already a transaction in progress' },
  savepoint_missing: { sqlstate: '3B001', message: 'savepoint "%s" does not exist' },
  query_canceled: { sqlstate: '57014', message: 'canceling statement due to user request' },
  statement_timeout: { sqlstate: '57014', message: 'canceling statement due to statement timeout' },
  unrecognized_parameter: { sqlstate: '42704', message: 'unrecognized configuration parameter "%s"' },
  invalid_parameter: { sqlstate: '22023', message: 'invalid value for parameter "%s"' },
  not_supported: { sqlstate: '0A000', message: '%s' },
  engine_closed: { sqlstate: '57P01', message: 'terminating connection due to administrator command' },
  parameter_count: { sqlstate: '08P01', message: 'bind message supplies %s parameters, but prepared statement requires %s' },
  internal: { sqlstate: 'XX000', message: '%s' },
  cluster_multi_shard_write: { sqlstate: '0A000', message: 'multi-shard write transactions are not supported in a cluster' },
  cluster_primary_key: { sqlstate: '0A000', message: 'table "%s" needs a primary key in a cluster' },
  cluster_create_as: { sqlstate: '0A000', message: 'CREATE TABLE … AS is not supported in a cluster' },
  cluster_not_routed: { sqlstate: '0A000', message: '%s is not supported on sharded tables in a cluster' },
  cluster_no_relation: { sqlstate: '42P01', message: 'relation "%s" does not exist on this node' },
  cluster_no_index: { sqlstate: '42704', message: 'index "%s" does not exist on this node' },
  cluster_reply_too_large: { sqlstate: '54000', message: 'rows of "%s" one node sends for a statement exceed %s bytes' },
} as const;

export type EngineErrorCode = keyof typeof ENGINE_ERRORS;

export class OrbitError extends Error {
  override name = 'OrbitError';
  readonly sqlstate: string;
  /** 1-based character position in the statement text, as PostgreSQL's ErrorResponse reports it. */
  readonly position?: number;
  readonly detail?: string;
  readonly hint?: string;
  /** Where it happened, as PostgreSQL's CONTEXT line (`COPY t, line 3`). */
  readonly where?: string;
  readonly severity: 'ERROR' | 'FATAL';

  constructor(sqlstate: string, message: string, extra: { position?: number; detail?: string; hint?: string; where?: string; severity?: 'ERROR' | 'FATAL'; cause?: unknown } = {}) {
    super(message, extra.cause === undefined ? undefined : { cause: extra.cause });
    this.sqlstate = sqlstate;
    this.severity = extra.severity ?? 'ERROR';
    if (extra.position !== undefined) this.position = extra.position;
    if (extra.detail !== undefined) this.detail = extra.detail;
    if (extra.hint !== undefined) this.hint = extra.hint;
    if (extra.where !== undefined) this.where = extra.where;
  }
}

/** Raises one of the engine's own errors, filling `%s` placeholders in order. */
export function engineError(code: EngineErrorCode, ...args: string[]): OrbitError {
  return engineErrorWith(code, {}, ...args);
}

/** `engineError` with a DETAIL and HINT for the client. */
export function engineErrorWith(code: EngineErrorCode, extra: { detail?: string; hint?: string }, ...args: string[]): OrbitError {
  const e = ENGINE_ERRORS[code];
  let i = 0;
  return new OrbitError(e.sqlstate, e.message.replace(/%s/g, () => args[i++] ?? ''), extra);
}

/** A compiler diagnostic as an error; `offset` is where the statement starts in the text the client sent. */
export function fromDiagnostic(d: Diagnostic, offset = 0): OrbitError {
  return new OrbitError(d.sqlstate, d.message, {
    position: d.span.start - offset + 1,
    ...(d.detail !== undefined ? { detail: d.detail } : {}),
    ...(d.hint !== undefined ? { hint: d.hint } : {}),
  });
}

/** Normalizes anything thrown below the engine (executor, storage) into an OrbitError. */
export function toOrbitError(e: unknown): OrbitError {
  if (e instanceof OrbitError) return e;
  if (e && typeof e === 'object' && 'sqlstate' in e && typeof (e as { sqlstate: unknown }).sqlstate === 'string') {
    const x = e as { sqlstate: string; message?: string; detail?: string; hint?: string };
    return new OrbitError(x.sqlstate, x.message ?? 'error', {
      ...(x.detail !== undefined ? { detail: x.detail } : {}),
      ...(x.hint !== undefined ? { hint: x.hint } : {}),
      cause: e,
    });
  }
  return new OrbitError('XX000', `internal error: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
}
