// `orbit server` as a real process: redis-cli scripted sessions (inline commands, --pipe), raw sockets
// for malformed frames, and every key, type, value and TTL back after a restart of the process.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnServer } from '../support/server.ts';
import Redis from 'ioredis';
import { until } from './resp-support.ts';

let dir: string;

interface Proc {
  readonly proc: ReturnType<typeof Bun.spawn<'ignore', 'pipe', 'pipe'>>;
  readonly port: number;
}

/** Starts `orbit server` with only the resp listener on an ephemeral port and reads its port from the first line. */
async function startServer(extra: string[] = []): Promise<Proc> {
  const { proc, firstLine, port } = await spawnServer(['--resp-port', '0', '--pg-port', 'off', '--data', join(dir, 'data'), ...extra]);
  expect(firstLine).toMatch(/^orbit: resp listening on 127\.0\.0\.1:\d+$/);
  return { proc, port };
}

async function cli(port: number, args: string[], stdin?: string): Promise<{ out: string; code: number }> {
  const p = Bun.spawn(['redis-cli', '-p', String(port), ...args], { stdin: stdin === undefined ? 'ignore' : new TextEncoder().encode(stdin), stdout: 'pipe', stderr: 'pipe' });
  const [out, err, code] = await Promise.all([new Response(p.stdout).text(), new Response(p.stderr).text(), p.exited]);
  return { out: out + err, code };
}

/**
 * Sends raw bytes and collects what the server answers until it closes the connection or `complete(reply)`
 * holds (never, by default: wait for the close). A generous deadline ends the wait however slow the machine.
 */
function raw(port: number, bytes: string | Buffer, complete: (reply: string) => boolean = () => false): Promise<{ reply: string; closed: boolean }> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1');
    let reply = '';
    let closed = false;
    const deadline = setTimeout(() => {
      s.destroy();
      resolve({ reply, closed: false });
    }, 30_000);
    s.on('data', (d) => {
      reply += d.toString('latin1');
      if (!complete(reply)) return;
      clearTimeout(deadline);
      s.destroy();
      resolve({ reply, closed: false });
    });
    s.on('close', () => {
      closed = true;
      clearTimeout(deadline);
      resolve({ reply, closed });
    });
    s.on('error', () => undefined);
    s.write(bytes);
  });
}

/** A `complete` test for `raw`: as many bytes as `expected` has arrived. */
const lengthOf = (expected: string) => (reply: string): boolean => reply.length >= expected.length;

let server: Proc;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'orbit-respcli-'));
  server = await startServer();
});

afterAll(() => {
  if (server.proc.exitCode === null) server.proc.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

describe('redis-cli', () => {
  test('a scripted session: commands from stdin, replies in order', async () => {
    const script = ['SET greeting "hello world"', 'GET greeting', 'RPUSH jobs a b c', 'LRANGE jobs 0 -1', 'HSET user:1 name ada', 'HGETALL user:1', 'INCR visits', 'TYPE jobs', 'GET'].join('\n') + '\n';
    const { out } = await cli(server.port, [], script);
    expect(out.split('\n').filter((l) => l !== '')).toEqual(['OK', 'hello world', '3', 'a', 'b', 'c', '1', 'name', 'ada', '1', 'list', "ERR wrong number of arguments for 'get' command"]);
  });

  test('--pipe mass insertion of RESP frames', async () => {
    const frames = Array.from({ length: 5000 }, (_, i) => {
      const k = `bulk:${i}`;
      const v = `value-${i}`;
      return `*3\r\n$3\r\nSET\r\n$${k.length}\r\n${k}\r\n$${v.length}\r\n${v}\r\n`;
    }).join('');
    const { out, code } = await cli(server.port, ['--pipe'], frames);
    expect(code).toBe(0);
    expect(out).toContain('errors: 0, replies: 5000');
    expect((await cli(server.port, ['GET', 'bulk:4999'])).out.trim()).toBe('value-4999');
  });

  test('inline commands, as telnet sends them', async () => {
    const expected = '+PONG\r\n+OK\r\n$3\r\na b\r\n:1\r\n';
    const { reply } = await raw(server.port, 'PING\r\nSET inl "a b"\r\nGET inl\r\n\r\nEXISTS inl nope\n', lengthOf(expected));
    expect(reply).toBe(expected);
  });

  test('malformed frames get -ERR Protocol error and the connection closes; the server stays up', async () => {
    const cases: [string, string][] = [
      ['*2\r\n$3\r\nGET\r\n:1\r\n', "-ERR Protocol error: expected '$', got ':'\r\n"],
      ['*x\r\n', '-ERR Protocol error: invalid multibulk length\r\n'],
      ['*1\r\n$-5\r\n', '-ERR Protocol error: invalid bulk length\r\n'],
      ['*1\r\n$999999999999\r\n', '-ERR Protocol error: invalid bulk length\r\n'],
      ['SET "unbalanced\r\n', '-ERR Protocol error: unbalanced quotes in request\r\n'],
    ];
    for (const [input, expected] of cases) {
      const { reply, closed } = await raw(server.port, input);
      expect(reply).toBe(expected);
      expect(closed).toBe(true);
    }
    const big = await raw(server.port, 'A'.repeat(70 * 1024));
    expect(big.reply).toBe('-ERR Protocol error: too big inline request\r\n');
    expect((await cli(server.port, ['PING'])).out.trim()).toBe('PONG');
  });

  test('pipelining: many commands in one packet, replies in order', async () => {
    const packet = Array.from({ length: 200 }, (_, i) => `*2\r\n$4\r\nINCR\r\n$4\r\npipe\r\n`.repeat(1) + (i % 50 === 0 ? 'PING\r\n' : '')).join('');
    const { reply } = await raw(server.port, packet, (text) => text.split('\r\n').filter((l) => l.startsWith(':')).length >= 200);
    const lines = reply.split('\r\n').filter((l) => l.startsWith(':'));
    expect(lines).toEqual(Array.from({ length: 200 }, (_, i) => `:${i + 1}`));
  });

  test('subscribed connections accept only subscription commands (RESP2)', async () => {
    const expected = "*3\r\n$9\r\nsubscribe\r\n$2\r\nch\r\n:1\r\n-ERR Can't execute 'get': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context\r\n*2\r\n$4\r\npong\r\n$0\r\n\r\n";
    const { reply } = await raw(server.port, 'SUBSCRIBE ch\r\nGET x\r\nPING\r\n', lengthOf(expected));
    expect(reply).toBe("*3\r\n$9\r\nsubscribe\r\n$2\r\nch\r\n:1\r\n-ERR Can't execute 'get': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context\r\n*2\r\n$4\r\npong\r\n$0\r\n\r\n");
  });
});

describe('durability', () => {
  test('every key, type, value and TTL survives a restart of the server process', async () => {
    const c = new Redis({ port: server.port, host: '127.0.0.1', protocol: 2 });
    await c.select(2);
    await c.set('str', Buffer.from([0, 200, 255]));
    await c.rpush('list', 'a', 'b');
    await c.hset('hash', 'f', 'v');
    await c.sadd('set', 'x', 'y');
    await c.zadd('zset', 1.5, 'm', -2, 'n');
    await c.set('ttl', 'v', 'PX', 600000);
    await c.set('gone', 'v', 'PX', 50);
    await c.pfadd('hll', 'a', 'b', 'c');
    const pttl = await c.pttl('ttl');
    // Default durability is group commit within at most 1 s (100 ms unless the last commit was a
    // heavy one, as after the mass insertion above): wait until the server says every change is on
    // disk (however late a loaded machine commits), then stop abruptly.
    await until(async () => /rdb_changes_since_last_save:0\r\n/.test(String(await c.info('persistence'))));
    c.disconnect();
    server.proc.kill('SIGKILL');
    await server.proc.exited;
    server = await startServer();
    const d = new Redis({ port: server.port, host: '127.0.0.1', protocol: 2 });
    await d.select(2);
    expect(await d.getBuffer('str')).toEqual(Buffer.from([0, 200, 255]));
    expect(await d.lrange('list', 0, -1)).toEqual(['a', 'b']);
    expect(await d.hgetall('hash')).toEqual({ f: 'v' });
    expect((await d.smembers('set')).sort()).toEqual(['x', 'y']);
    expect(await d.zrange('zset', 0, -1, 'WITHSCORES')).toEqual(['n', '-2', 'm', '1.5']);
    const after = await d.pttl('ttl');
    expect(after).toBeLessThanOrEqual(pttl);
    expect(after).toBeGreaterThan(pttl - 30000);
    expect(await d.exists('gone')).toBe(0);
    expect(await d.pfcount('hll')).toBe(3);
    await d.select(0);
    expect(await d.get('bulk:0')).toBe('value-0');
    d.disconnect();
  });

  test('appendfsync always: an acknowledged write survives SIGKILL at once', async () => {
    const c = new Redis({ port: server.port, host: '127.0.0.1', protocol: 2 });
    await c.config('SET', 'appendfsync', 'always');
    await c.set('sync-write', 'kept');
    c.disconnect();
    server.proc.kill('SIGKILL');
    await server.proc.exited;
    server = await startServer();
    const d = new Redis({ port: server.port, host: '127.0.0.1', protocol: 2 });
    expect(await d.get('sync-write')).toBe('kept');
    d.disconnect();
  });
});
