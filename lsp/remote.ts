// The client side of an Orbit server's REST API, shared by the language server (live catalog) and the editor's Run Query.
//
// The API answers JSON and reports failures as `{ "error": { sqlstate, message, position?, detail?, hint? } }`
// with an HTTP status (protocols/http/README.md). Credentials come from the URL's user information
// (sent as HTTP Basic, RFC 7617, since fetch refuses URLs that carry them) or from a bearer token (RFC 6750).

/** Where the server is and how to prove who we are. */
export interface ServerEndpoint {
  /** The server's base URL, such as `http://127.0.0.1:8080`; `http://user:password@host:8080` logs in with Basic. */
  readonly url: string;
  /** A token for `Authorization: Bearer …`; it wins over credentials in the URL. */
  readonly token?: string;
  /** Give up after this long (default 10 s): an unreachable server must not hang the editor. */
  readonly timeoutMs?: number;
}

/** A request that failed: the server's error document when it sent one, else what went wrong on the way. */
export class RemoteError extends Error {
  override name = 'RemoteError';
  constructor(
    message: string,
    /** The HTTP status, absent when no answer arrived. */
    readonly status?: number,
    readonly sqlstate?: string,
    /** 1-based character position in the query text that was sent. */
    readonly position?: number,
    readonly detail?: string,
    readonly hint?: string,
  ) {
    super(message);
  }
}

/** `GET` or `POST` (with a JSON body) `path` on the server; resolves with the parsed JSON answer. */
export async function requestJson(endpoint: ServerEndpoint, path: string, body?: unknown): Promise<unknown> {
  let url: URL;
  try {
    url = new URL(endpoint.url.replace(/\/+$/, '') + path);
  } catch {
    throw new RemoteError(`not a valid server URL: ${JSON.stringify(endpoint.url)}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new RemoteError(`not an http(s) server URL: ${endpoint.url}`);
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (endpoint.token) headers['Authorization'] = `Bearer ${endpoint.token}`;
  else if (url.username || url.password) {
    const credentials = `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`;
    headers['Authorization'] = `Basic ${Buffer.from(credentials, 'utf8').toString('base64')}`;
  }
  url.username = '';
  url.password = '';
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const where = url.origin;
  let res: Response;
  try {
    res = await fetch(url, {
      method: body === undefined ? 'GET' : 'POST',
      headers,
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      signal: AbortSignal.timeout(endpoint.timeoutMs ?? 10_000),
    });
  } catch (e) {
    const cause = e instanceof Error && e.name === 'TimeoutError' ? 'no answer in time' : reason(e);
    throw new RemoteError(`cannot reach the Orbit server at ${where}: ${cause}`);
  }
  const text = await res.text();
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new RemoteError(`the server at ${where} did not answer JSON (HTTP ${res.status}); is it Orbit's REST API?`, res.status);
  }
  if (res.ok) return parsed;
  const err = (parsed as { error?: Record<string, unknown> } | null)?.error;
  if (!err || typeof err['message'] !== 'string') throw new RemoteError(`the server at ${where} answered HTTP ${res.status}`, res.status);
  const str = (k: string): string | undefined => (typeof err[k] === 'string' ? (err[k] as string) : undefined);
  throw new RemoteError(err['message'], res.status, str('sqlstate'), typeof err['position'] === 'number' ? err['position'] : undefined, str('detail'), str('hint'));
}

/** The URL as it may be shown or logged: the password, if the URL carries one, left out. */
export function displayUrl(url: string): string {
  try {
    const u = new URL(url);
    if (!u.password) return url;
    u.password = '';
    return u.href.replace(/\/$/, url.endsWith('/') ? '/' : '');
  } catch {
    return url;
  }
}

/** The innermost message of a failed fetch (Node puts the socket error in `cause`). */
function reason(e: unknown): string {
  let x: unknown = e;
  while (x instanceof Error && x.cause instanceof Error) x = x.cause;
  return x instanceof Error ? x.message : String(x);
}
