// Errors as the REST API answers them: an HTTP status (RFC 9110 §15) and `{ "error": { sqlstate, message, … } }`.
import { OrbitError, toOrbitError } from '../../runtime/index.ts';

/** The API's own failures (bad requests, routing, limits, credentials), each with its status and SQLSTATE. */
export const HTTP_ERRORS = {
  malformed_json: { status: 400, sqlstate: '08P01', message: 'request body is not valid JSON: %s' },
  invalid_request: { status: 400, sqlstate: '08P01', message: 'invalid request: %s' },
  not_found: { status: 404, sqlstate: '42704', message: 'no such endpoint: %s' },
  method_not_allowed: { status: 405, sqlstate: '08P01', message: 'method %s is not allowed on %s' },
  body_too_large: { status: 413, sqlstate: '54000', message: 'request body exceeds the maximum of %s bytes' },
  unauthenticated: { status: 401, sqlstate: '28000', message: 'authentication required: send an Authorization header' },
  bad_credentials: { status: 401, sqlstate: '28P01', message: 'authentication failed' },
  forbidden_address: { status: 403, sqlstate: '28000', message: 'no credentials are configured, so only loopback clients are trusted; %s is not one' },
} as const;

/** A name in HTTP_ERRORS. */
export type HttpErrorCode = keyof typeof HTTP_ERRORS;

/** An error answered with a given status; `headers` adds `Allow` or `WWW-Authenticate`. */
export class HttpError extends Error {
  override name = 'HttpError';
  constructor(
    readonly status: number,
    readonly error: OrbitError,
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(error.message);
  }
}

/** One of the API's own errors, filling `%s` placeholders in order. */
export function httpError(code: HttpErrorCode, args: readonly string[] = [], headers: Readonly<Record<string, string>> = {}): HttpError {
  const e = HTTP_ERRORS[code];
  let i = 0;
  return new HttpError(e.status, new OrbitError(e.sqlstate, e.message.replace(/%s/g, () => args[i++] ?? '')), headers);
}

/**
 * The status of an engine error, by SQLSTATE class (PostgreSQL docs, Appendix A): a serialization
 * failure or deadlock (40001, 40P01) and a clash with existing rows (unique 23505, foreign key 23503,
 * exclusion 23P01) are 409 Conflict, for the client may retry or change its request; other mistakes
 * in the statement or its data are 400; authentication 401, privilege 403; a cancelled statement,
 * a server shutting down or out of resources 503; anything else is the server's fault, 500.
 */
export function statusOf(sqlstate: string): number {
  if (sqlstate === '40001' || sqlstate === '40P01' || sqlstate === '23505' || sqlstate === '23503' || sqlstate === '23P01') return 409;
  if (sqlstate === '42501') return 403;
  const cls = sqlstate.slice(0, 2);
  if (cls === '28') return 401;
  if (cls === '53' || cls === '57') return 503;
  if (cls === 'XX' || cls === '58') return 500;
  return 400;
}

/** Anything thrown while serving a request, as the status and error the client sees. */
export function asHttpError(e: unknown): HttpError {
  if (e instanceof HttpError) return e;
  const err = toOrbitError(e);
  return new HttpError(statusOf(err.sqlstate), err);
}

/** The response body of an error: `position` (1-based, in the query text), `detail` and `hint` only when known. */
export function errorBody(e: OrbitError): { error: { sqlstate: string; message: string; position?: number; detail?: string; hint?: string } } {
  return {
    error: {
      sqlstate: e.sqlstate,
      message: e.message,
      ...(e.position !== undefined ? { position: e.position } : {}),
      ...(e.detail !== undefined ? { detail: e.detail } : {}),
      ...(e.hint !== undefined ? { hint: e.hint } : {}),
    },
  };
}
