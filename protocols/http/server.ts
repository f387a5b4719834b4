// Binds the REST API to Bun's HTTP server (Bun.serve): routing, credentials, bounded JSON bodies, errors as JSON.
import type { Server } from 'bun';
import type { Engine } from '../../runtime/index.ts';
import type { ListenOptions, Listening } from '../kit/listener.ts';
import { Authenticator, authConfig, authRequired, challenges, type AuthConfig } from './auth.ts';
import { asHttpError, errorBody, httpError, HttpError } from './errors.ts';
import { ROUTES, type Route } from './routes.ts';

/** The largest request body read when `maxBodyBytes` is not set: 1 MiB of query text and parameters. */
const DEFAULT_MAX_BODY_BYTES = 1 << 20;

/** What every request of one listener shares. */
interface Listener {
  readonly engine: Engine;
  readonly maxBodyBytes: number;
  readonly auth: AuthConfig;
  readonly authenticator: Authenticator;
}

/** Starts the REST listener on `options.host:port`; refuses an unsafe or malformed configuration. */
export async function listen(engine: Engine, options: ListenOptions): Promise<Listening> {
  const maxBodyBytes = options.settings['maxBodyBytes'] ?? DEFAULT_MAX_BODY_BYTES;
  if (typeof maxBodyBytes !== 'number' || !Number.isInteger(maxBodyBytes) || maxBodyBytes < 1) {
    throw new Error(`protocols.http.maxBodyBytes: expected a positive whole number of bytes, got ${JSON.stringify(maxBodyBytes)}`);
  }
  const auth = authConfig(options.settings);
  // Without credentials every loopback client is trusted; listening on other addresses would invite the world in unchecked.
  if (!authRequired(auth) && !isLoopbackHost(options.host)) {
    throw new Error(`refusing to listen on ${options.host} without credentials: add protocols.http.users or protocols.http.tokens to the config, or listen on 127.0.0.1`);
  }
  const listener: Listener = { engine, maxBodyBytes, auth, authenticator: new Authenticator(auth) };
  const server = Bun.serve({
    hostname: options.host,
    port: options.port,
    development: false,
    // Bun's own limit answers 413 with an empty body; ours (in readJson) answers with an error document.
    maxRequestBodySize: Number.MAX_SAFE_INTEGER,
    fetch: (req, srv) => serve(listener, req, srv),
    error: (e) => respond(asHttpError(e)),
  });
  return {
    port: server.port ?? options.port,
    close: async () => {
      await server.stop(true);
    },
  };
}

async function serve(l: Listener, req: Request, srv: Server<undefined>): Promise<Response> {
  try {
    const path = new URL(req.url).pathname;
    const methods = ROUTES[path];
    if (!methods) throw httpError('not_found', [path]);
    const route: Route | undefined = methods[req.method];
    if (!route) throw httpError('method_not_allowed', [req.method, path], { Allow: Object.keys(methods).join(', ') });
    const user = route.open ? 'orbit' : authenticate(l, req, srv);
    const body = route.body ? await readJson(req, l.maxBodyBytes) : undefined;
    const result = await route.handle({ engine: l.engine, body, user, signal: req.signal });
    return result instanceof Response ? result : json(200, result);
  } catch (e) {
    return respond(asHttpError(e));
  }
}

/** The user a request runs as; throws 401 (with the challenges, RFC 9110 §15.5.2) or 403. */
function authenticate(l: Listener, req: Request, srv: Server<undefined>): string {
  if (!authRequired(l.auth)) {
    const address = srv.requestIP(req)?.address;
    if (!isLoopback(address)) throw httpError('forbidden_address', [address ?? 'an unknown address']);
    return 'orbit';
  }
  const r = l.authenticator.check(req.headers.get('authorization'));
  if (r.ok) return r.user;
  throw httpError(r.reason === 'missing' ? 'unauthenticated' : 'bad_credentials', [], { 'WWW-Authenticate': challenges(l.auth).join(', ') });
}

/**
 * Reads a JSON body of at most `max` bytes: a declared Content-Length beyond it is refused before
 * reading, a chunked body as soon as it passes it (RFC 9110 §15.5.14). The bytes must be UTF-8 (RFC 8259 §8.1).
 */
async function readJson(req: Request, max: number): Promise<unknown> {
  const declared = req.headers.get('content-length');
  if (declared !== null && Number(declared) > max) throw httpError('body_too_large', [String(max)]);
  const chunks: Uint8Array[] = [];
  let size = 0;
  if (req.body) {
    const reader = req.body.getReader();
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > max) {
        void reader.cancel();
        throw httpError('body_too_large', [String(max)]);
      }
      chunks.push(value);
    }
  }
  if (size === 0) throw httpError('malformed_json', ['the body is empty']);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(Buffer.concat(chunks, size));
  } catch {
    throw httpError('malformed_json', ['the body is not UTF-8']);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    throw httpError('malformed_json', [(e as Error).message]);
  }
}

function respond(e: HttpError): Response {
  return json(e.status, errorBody(e.error), e.headers);
}

function json(status: number, body: unknown, headers: Readonly<Record<string, string>> = {}): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json; charset=utf-8', ...headers } });
}

/** A listen address that only this machine can reach. */
function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || isLoopback(host);
}

function isLoopback(address: string | undefined): boolean {
  return address === '::1' || address?.startsWith('127.') === true || address?.startsWith('::ffff:127.') === true;
}
