// The actor runtime's one error type and its table of codes, SQLSTATEs and messages.

/** Every failure the actor runtime raises itself; errors thrown by actor methods pass through unchanged. */
export const ACTOR_ERRORS = {
  call_timeout: { sqlstate: '57014', message: (what: string) => `actor call timed out: ${what}` },
  unknown_method: { sqlstate: '42883', message: (what: string) => `actor method does not exist: ${what}` },
  invalid_key: { sqlstate: '22023', message: (what: string) => `invalid actor key: ${what}` },
  invalid_definition: { sqlstate: '42P17', message: (what: string) => `invalid actor definition: ${what}` },
  duplicate_type: { sqlstate: '42710', message: (type: string) => `another actor class is registered as "${type}"` },
  stateless: { sqlstate: '0A000', message: (what: string) => `stateless worker has no durable state: ${what}` },
  runtime_closed: { sqlstate: '57P01', message: () => 'the actor runtime is closed' },
  unknown_type: { sqlstate: '42704', message: (type: string) => `actor type is not registered: ${type}` },
  not_owner: { sqlstate: '55006', message: (what: string) => `actor is hosted by another node: ${what}` },
  node_unavailable: { sqlstate: '08006', message: (what: string) => `node unavailable: ${what}` },
  claim_lost: { sqlstate: '40001', message: (what: string) => `this node no longer holds the actor, state not saved: ${what}` },
  invalid_call: { sqlstate: '22023', message: (what: string) => `invalid actor call: ${what}` },
  state_too_large: { sqlstate: '54000', message: (what: string) => `actor state too large: ${what}` },
  // 08001: the connection could not be established; retrying cannot help until the configuration changes.
  tls_mismatch: { sqlstate: '08001', message: (what: string) => `cannot talk to node: ${what}` },
} as const satisfies Record<string, { sqlstate: string; message: (arg: string) => string }>;

/** Failures of reaching the actor (its node gone, or the actor moved): the caller may retry once it re-resolves the owner. */
const RETRIABLE: ReadonlySet<string> = new Set(['not_owner', 'node_unavailable']);

export type ActorErrorCode = keyof typeof ACTOR_ERRORS;

/** An error raised by the actor runtime, with a stable `code` and the SQLSTATE protocols report. */
export class ActorError extends Error {
  override name = 'ActorError';
  readonly sqlstate: string;

  constructor(
    readonly code: ActorErrorCode,
    arg = '',
  ) {
    super(ACTOR_ERRORS[code].message(arg));
    this.sqlstate = ACTOR_ERRORS[code].sqlstate;
  }

  /**
   * The actor could not be reached (its node was gone or no longer hosts it): retry after
   * re-resolving. A call cut off in flight may have run, so a retry makes delivery at least once.
   */
  get retriable(): boolean {
    return RETRIABLE.has(this.code);
  }
}
