// Test support for the PostgreSQL protocol tests: a server on port 0 over a temp-dir engine, and a raw wire client.
import { mkdtempSync, rmSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { postgres } from '../../protocols/postgres/index.ts';
import { ByteWriter } from '../../protocols/kit/bytes.ts';
import { Engine } from '../../runtime/index.ts';

export interface TestServer {
  readonly engine: Engine;
  readonly port: number;
  /** A connected node-postgres client (trusted loopback login). */
  client(user?: string, database?: string): Promise<pg.Client>;
  stop(): Promise<void>;
}

export async function startServer(settings: Record<string, unknown> = {}): Promise<TestServer> {
  const dir = mkdtempSync(join(tmpdir(), 'orbit-pg-'));
  const engine = await Engine.open({ dataDir: dir, sync: false });
  const listening = await postgres.start(engine, { host: '127.0.0.1', port: 0, settings });
  return {
    engine,
    port: listening.port,
    async client(user = 'tester', database = 'orbit') {
      const c = new pg.Client({ host: '127.0.0.1', port: listening.port, user, database });
      await c.connect();
      return c;
    },
    async stop() {
      await listening.close();
      await engine.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface BackendMessage {
  readonly type: string;
  readonly body: Buffer;
}

/** A byte-level client: frames messages by hand and reads backend messages one by one. */
export class RawClient {
  private buf = Buffer.alloc(0);
  private waiters: (() => void)[] = [];
  closed = false;

  private constructor(readonly socket: Socket) {
    socket.on('data', (d: Buffer) => {
      this.buf = Buffer.concat([this.buf, d]);
      this.wake();
    });
    socket.on('close', () => {
      this.closed = true;
      this.wake();
    });
    socket.on('error', () => {
      this.closed = true;
      this.wake();
    });
  }

  private wake(): void {
    for (const w of this.waiters.splice(0)) w();
  }

  static async open(port: number): Promise<RawClient> {
    const socket = connect(port, '127.0.0.1');
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    return new RawClient(socket);
  }

  send(bytes: Uint8Array): void {
    this.socket.write(bytes);
  }

  /** Sends a StartupMessage and reads up to the first ReadyForQuery. */
  async startup(user = 'tester'): Promise<BackendMessage[]> {
    this.sendStartup(user);
    return this.until('Z');
  }

  /** Sends a StartupMessage only (for tests of the authentication exchange that follows). */
  sendStartup(user: string): void {
    const w = new ByteWriter();
    w.i32(0).i32(196608).cstring('user').cstring(user).cstring('database').cstring('db').u8(0);
    const b = w.take();
    new DataView(b.buffer).setInt32(0, b.length);
    this.send(b);
  }

  /** A typed message: type byte, length, body. */
  static frame(type: string, body: (w: ByteWriter) => void = () => {}): Uint8Array {
    const w = new ByteWriter();
    w.u8(type.charCodeAt(0)).i32(0);
    body(w);
    w.patch32(1, w.length - 1);
    return w.take();
  }

  /** The next backend message, or undefined once the connection closed with nothing left. */
  async next(timeoutMs = 30_000): Promise<BackendMessage | undefined> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (this.buf.length >= 5) {
        const len = this.buf.readInt32BE(1);
        if (this.buf.length >= len + 1) {
          const m = { type: String.fromCharCode(this.buf[0]!), body: this.buf.subarray(5, len + 1) };
          this.buf = this.buf.subarray(len + 1);
          return m;
        }
      }
      if (this.closed) return undefined;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error('timed out waiting for a backend message');
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  /** Messages up to and including the first of type `type` (or until the connection closes). */
  async until(type: string): Promise<BackendMessage[]> {
    const out: BackendMessage[] = [];
    for (;;) {
      const m = await this.next();
      if (!m) return out;
      out.push(m);
      if (m.type === type) return out;
    }
  }

  /** Reads a single raw byte (the answer to SSLRequest). */
  async byte(): Promise<number> {
    while (this.buf.length < 1) {
      if (this.closed) throw new Error('closed');
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
    const b = this.buf[0]!;
    this.buf = this.buf.subarray(1);
    return b;
  }

  close(): void {
    this.socket.destroy();
  }
}

/** The fields of an ErrorResponse/NoticeResponse body, keyed by field letter. */
export function errorFields(body: Buffer): Record<string, string> {
  const out: Record<string, string> = {};
  let i = 0;
  while (i < body.length && body[i] !== 0) {
    const k = String.fromCharCode(body[i]!);
    const end = body.indexOf(0, i + 1);
    out[k] = body.subarray(i + 1, end).toString('utf8');
    i = end + 1;
  }
  return out;
}

/** DataRow body → field bytes (null for SQL NULL). */
export function dataRowFields(body: Buffer): (Buffer | null)[] {
  const n = body.readInt16BE(0);
  const out: (Buffer | null)[] = [];
  let p = 2;
  for (let i = 0; i < n; i++) {
    const len = body.readInt32BE(p);
    p += 4;
    if (len === -1) out.push(null);
    else {
      out.push(body.subarray(p, p + len));
      p += len;
    }
  }
  return out;
}

/**
 * Sends CancelRequests (protocol docs 55.2.8) for the backend `key` names until `running` settles: one that
 * arrives before the statement starts has nothing to stop, and a loaded machine may start it late. Each
 * connection is closed by the server (it never answers one) before the next is sent, so none is left over
 * to hit a later statement. Gives up after `ms`.
 */
export async function cancelUntilSettled(port: number, key: { processID: number; secretKey: number }, running: Promise<unknown>, ms = 30_000): Promise<void> {
  let settled = false;
  const done = running.then(
    () => (settled = true),
    () => (settled = true),
  );
  const end = Date.now() + ms;
  while (!settled && Date.now() < end) {
    const w = new ByteWriter();
    w.i32(16).i32(80877102).i32(key.processID).i32(key.secretKey);
    const raw = await RawClient.open(port);
    raw.send(w.take());
    const answer = await raw.next();
    raw.close();
    if (answer !== undefined) throw new Error(`a CancelRequest was answered with '${answer.type}'`);
    await Promise.race([done, Bun.sleep(50)]);
  }
}
