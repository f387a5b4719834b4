// The endpoints of REST API v1 and their request checks: /v1/health, /v1/catalog, /v1/query; and /metrics for Prometheus.
import type { Engine } from '../../runtime/index.ts';
import { encodeCatalog, encodeResult, type CatalogJson, type Json, type ResultJson } from './encode.ts';
import { httpError } from './errors.ts';
import { encodeMetrics, METRICS_CONTENT_TYPE } from './metrics.ts';

/** What a handler gets: the engine, the parsed JSON body (POST), who is calling and the request's abort signal. */
export interface RouteContext {
  readonly engine: Engine;
  readonly body: unknown;
  readonly user: string;
  readonly signal: AbortSignal;
}

export interface Route {
  /** Whether the endpoint answers without credentials (a load balancer's probe). */
  readonly open?: boolean;
  /** Whether a JSON body is read before the handler runs. */
  readonly body?: boolean;
  /** The answer: a value sent as JSON with status 200, or a whole `Response` (a body in another format). */
  handle(ctx: RouteContext): Promise<unknown> | unknown;
}

/**
 * Path → method → route. Versioned paths, so a later v2 can change shapes without breaking v1
 * clients; `/metrics` is where Prometheus looks by default, and its format carries its own version.
 */
export const ROUTES: Readonly<Record<string, Readonly<Record<string, Route>>>> = {
  '/v1/health': { GET: { open: true, handle: () => ({ status: 'ok' }) } },
  '/v1/catalog': { GET: { handle: ({ engine, user }) => catalog(engine, user) } },
  '/v1/query': { POST: { body: true, handle: (ctx) => query(ctx) } },
  '/metrics': { GET: { handle: ({ engine }) => new Response(encodeMetrics(engine.actorStats()), { headers: { 'Content-Type': METRICS_CONTENT_TYPE } }) } },
};

/** The stored schemas, tables (with keys, indexes, graph and document flags) and views. */
function catalog(engine: Engine, user: string): CatalogJson {
  const session = engine.session({ user });
  try {
    return encodeCatalog(engine.catalog, (v) => {
      try {
        return session.describe(`SELECT * FROM ${quoteIdent(v.schema)}.${quoteIdent(v.name)}`).columns;
      } catch {
        // A view whose query no longer binds (a table it read was dropped) is listed without its columns.
        return undefined;
      }
    });
  } finally {
    session.close();
  }
}

function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** A checked `POST /v1/query` body. */
interface QueryRequest {
  readonly query: string;
  readonly language: 'sql' | 'orbitql';
  /** `$1 … $n` values, or (OrbitQL) `$name` values by name. */
  readonly params: readonly Json[] | Readonly<Record<string, Json>>;
}

const QUERY_FIELDS = new Set(['query', 'language', 'params']);

function queryRequest(body: unknown): QueryRequest {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw httpError('invalid_request', ['expected an object { "query": "…", "language"?: "sql" | "orbitql", "params"?: […] }']);
  const b = body as Record<string, unknown>;
  for (const k of Object.keys(b)) if (!QUERY_FIELDS.has(k)) throw httpError('invalid_request', [`unknown field "${k}"`]);
  if (typeof b['query'] !== 'string') throw httpError('invalid_request', ['"query" must be a string']);
  const language = b['language'] ?? 'sql';
  if (language !== 'sql' && language !== 'orbitql') throw httpError('invalid_request', ['"language" must be "sql" or "orbitql"']);
  const params = b['params'] ?? [];
  if (typeof params !== 'object' || params === null) throw httpError('invalid_request', ['"params" must be an array, or for OrbitQL an object of $name values']);
  if (!Array.isArray(params) && language !== 'orbitql') throw httpError('invalid_request', ['"params" by name need "language": "orbitql"; SQL takes an array for $1 … $n']);
  return { query: b['query'], language, params: params as QueryRequest['params'] };
}

/**
 * Runs every statement of the body in a session of its own, as one implicit transaction (a failing
 * statement undoes the ones before it). One statement answers with its result, several with an array.
 */
async function query(ctx: RouteContext): Promise<ResultJson | ResultJson[]> {
  const req = queryRequest(ctx.body);
  const session = ctx.engine.session({ user: ctx.user });
  try {
    const byName = !Array.isArray(req.params);
    const results = await session.execute(req.query, byName ? [] : (req.params as readonly Json[]), {
      language: req.language,
      signal: ctx.signal,
      ...(byName ? { vars: req.params as Readonly<Record<string, Json>> } : {}),
    });
    const encoded = results.map(encodeResult);
    return encoded.length === 1 ? encoded[0]! : encoded;
  } finally {
    session.close();
  }
}
