// Test support for the Redis protocol tests: a RESP listener on port 0 over a temp-dir engine.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Redis, { type RedisOptions } from 'ioredis';
import { resp } from '../../protocols/resp/index.ts';
import { Engine } from '../../runtime/index.ts';

export interface RespTestServer {
  readonly port: number;
  readonly dir: string;
  client(options?: RedisOptions): Redis;
  close(): Promise<void>;
}

/** A real listener on 127.0.0.1:0 over a fresh data directory. */
export async function startResp(settings: Record<string, unknown> = {}): Promise<RespTestServer> {
  const dir = mkdtempSync(join(tmpdir(), 'orbit-resp-'));
  const engine = await Engine.open({ dataDir: dir, sync: false });
  const listening = await resp.start(engine, { host: '127.0.0.1', port: 0, settings });
  const clients: Redis[] = [];
  return {
    port: listening.port,
    dir,
    client(options = {}) {
      const c = new Redis({ port: listening.port, host: '127.0.0.1', lazyConnect: false, maxRetriesPerRequest: 1, retryStrategy: () => null, ...options });
      clients.push(c);
      return c;
    },
    async close() {
      for (const c of clients) c.disconnect();
      await listening.close();
      await engine.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The message of the error reply `p` rejects with (fails the test when it resolves). */
export async function err(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('expected an error reply');
}

/** Resolves once `cond` holds, polling; fails after `ms` (generous: a loaded machine may be slow, never wrong). */
export async function until(cond: () => boolean | Promise<boolean>, ms = 30_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error('condition not reached in time');
    await Bun.sleep(5);
  }
}
