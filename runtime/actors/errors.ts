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
} as const satisfies Record<string, { sqlstate: string; message: (arg: string) => string }>;

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
}
