// A real engine in a temp dir with the REST listener on an ephemeral port, and a small fetch helper, for the HTTP tests.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { http } from '../../protocols/http/index.ts';
import { Engine } from '../../runtime/index.ts';

export interface RestServer {
  readonly engine: Engine;
  readonly port: number;
  /** `http://127.0.0.1:<port>` */
  readonly base: string;
  stop(): Promise<void>;
}

/** Opens an engine and starts the `http` listener on port 0 with `settings` (protocols.http). */
export async function startRest(settings: Record<string, unknown> = {}): Promise<RestServer> {
  const dir = mkdtempSync(join(tmpdir(), 'orbit-http-'));
  const engine = await Engine.open({ dataDir: dir, sync: false });
  const listening = await http.start(engine, { host: '127.0.0.1', port: 0, settings });
  return {
    engine,
    port: listening.port,
    base: `http://127.0.0.1:${listening.port}`,
    async stop() {
      await listening.close();
      await engine.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** An answer: its status, headers and parsed JSON body. */
export interface Answer {
  readonly status: number;
  readonly headers: Headers;
  readonly body: unknown;
}

/** The error document of an answer (`{ "error": { … } }`). */
export function errorOf(a: Answer): { sqlstate: string; message: string; position?: number; detail?: string; hint?: string } {
  return (a.body as { error: { sqlstate: string; message: string; position?: number } }).error;
}

/** `POST /v1/query` with a JSON body (or raw text when `body` is a string). */
export async function post(base: string, body: unknown, headers: Record<string, string> = {}, path = '/v1/query'): Promise<Answer> {
  const res = await fetch(base + path, { method: 'POST', body: typeof body === 'string' ? body : JSON.stringify(body), headers });
  return { status: res.status, headers: res.headers, body: (await res.json()) as unknown };
}

/** `GET path`. */
export async function get(base: string, path: string, headers: Record<string, string> = {}): Promise<Answer> {
  const res = await fetch(base + path, { headers });
  return { status: res.status, headers: res.headers, body: (await res.json()) as unknown };
}
