// Redis compatibility details with ioredis and raw sockets: option clash errors, RESP3 pairs, SAVE, CLIENT KILL filters, output buffer limits, writes that change nothing.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { connect, type Socket } from 'node:net';
import type Redis from 'ioredis';
import { err, startResp, until, type RespTestServer } from './resp-support.ts';

let server: RespTestServer;

/** Resolves once the socket is closed by the server; the number of bytes it received. */
function closed(sock: Socket): Promise<number> {
  let n = 0;
  sock.on('data', (b: Buffer) => (n += b.length));
  return new Promise((resolve) => sock.on('close', () => resolve(n)));
}

beforeAll(async () => {
  server = await startResp({ users: { alice: 'pw' }, requirepass: 'secret' });
});
afterAll(async () => {
  await server.close();
});

describe('option clashes', () => {
  for (const protocol of [2, 3] as const) {
    test(`ZADD and EXPIRE answer Redis's own texts (RESP${protocol})`, async () => {
      const r = server.client({ protocol, password: 'secret' });
      expect(await err(r.zadd('z', 'NX', 'XX', 1, 'a'))).toBe('ERR XX and NX options at the same time are not compatible');
      expect(await err(r.zadd('z', 'XX', 'NX', 1, 'a'))).toBe('ERR XX and NX options at the same time are not compatible');
      expect(await err(r.zadd('z', 'GT', 'LT', 1, 'a'))).toBe('ERR GT, LT, and/or NX options at the same time are not compatible');
      expect(await err(r.zadd('z', 'NX', 'GT', 1, 'a'))).toBe('ERR GT, LT, and/or NX options at the same time are not compatible');
      // The element count is checked before the clash, as Redis does.
      expect(await err(r.call('ZADD', 'z', 'NX', 'XX', '1'))).toBe('ERR syntax error');
      // A repeated lone flag is accepted.
      expect(await r.call('ZADD', 'z', 'NX', 'NX', '1', 'a')).toBe(1);
      expect(await err(r.call('SET', 'k', 'v', 'NX', 'XX'))).toBe('ERR syntax error');
      await r.set('k', 'v', 'EX', 100);
      expect(await err(r.call('EXPIRE', 'k', '10', 'NX', 'XX'))).toBe('ERR NX and XX, GT or LT options at the same time are not compatible');
      expect(await err(r.call('EXPIRE', 'k', '10', 'GT', 'LT'))).toBe('ERR GT and LT options at the same time are not compatible');
      // XX with GT is a valid combination: the TTL only grows.
      expect(await r.call('EXPIRE', 'k', '50', 'XX', 'GT')).toBe(0);
      expect(await r.call('PEXPIRE', 'k', '500000', 'XX', 'GT')).toBe(1);
      expect(await r.ttl('k')).toBeGreaterThan(400);
      await r.del('z', 'k');
    });
  }
});

describe('HRANDFIELD WITHVALUES', () => {
  test('RESP3 nests field/value pairs, RESP2 flattens them', async () => {
    const r = server.client({ protocol: 2, password: 'secret' });
    await r.hset('h', 'a', '1', 'b', '2', 'c', '3');
    // ioredis flattens HRANDFIELD pairs itself, so the RESP3 frame is read from a raw socket.
    const sock = connect(server.port, '127.0.0.1');
    let text = '';
    sock.on('data', (b: Buffer) => (text += b.toString('latin1')));
    sock.write('HELLO 3 AUTH default secret\r\nHRANDFIELD h 2 WITHVALUES\r\nHRANDFIELD h -3 WITHVALUES\r\nPING\r\n');
    await until(() => text.endsWith('+PONG\r\n'));
    sock.destroy();
    const replies = text.slice(text.indexOf('*0\r\n') + 4);
    const pair = /\*2\r\n\$1\r\n([abc])\r\n\$1\r\n([123])\r\n/g;
    expect(replies.startsWith('*2\r\n*2\r\n')).toBe(true);
    const pairs = [...replies.matchAll(pair)].map((m) => [m[1], m[2]]);
    expect(pairs).toHaveLength(5);
    for (const [f, v] of pairs) expect({ a: '1', b: '2', c: '3' }[f!]).toBe(v);
    expect(replies).toContain('*3\r\n*2\r\n');
    const flat = (await r.call('HRANDFIELD', 'h', '3', 'WITHVALUES')) as string[];
    expect(flat).toHaveLength(6);
    expect(new Set(flat.filter((_, i) => i % 2 === 0))).toEqual(new Set(['a', 'b', 'c']));
    await r.del('h');
  });
});

describe('SAVE', () => {
  test('answers once every change is on disk, in request order', async () => {
    const r = server.client({ password: 'secret' });
    const before = await r.lastsave();
    const replies = await r.pipeline().set('saved', 'x').save().info('persistence').get('saved').exec();
    expect(replies!.map(([e]) => e)).toEqual([null, null, null, null]);
    expect(replies![1]![1]).toBe('OK');
    expect(String(replies![2]![1])).toContain('rdb_changes_since_last_save:0');
    expect(replies![3]![1]).toBe('x');
    expect(await r.lastsave()).toBeGreaterThanOrEqual(before);
    // Inside MULTI it answers in place, so the replies after it keep their order.
    expect(await r.multi().set('saved', 'y').save().get('saved').exec()).toEqual([[null, 'OK'], [null, 'OK'], [null, 'y']]);
  });
});

describe('CLIENT KILL filters', () => {
  async function named(name: string, options: Record<string, unknown> = {}): Promise<{ c: Redis; id: number; addr: string; laddr: string }> {
    const c = server.client({ password: 'secret', connectionName: name, ...options });
    const id = Number(await c.client('ID'));
    const info = String(await c.client('INFO'));
    return { c, id, addr: /addr=(\S+)/.exec(info)![1]!, laddr: /laddr=(\S+)/.exec(info)![1]! };
  }
  async function alive(c: Redis): Promise<boolean> {
    try {
      return (await c.ping()) === 'PONG';
    } catch {
      return false;
    }
  }

  test('ID, ADDR, USER, TYPE, LADDR and SKIPME pick the clients to close', async () => {
    const admin = await named('admin');
    const a = await named('a');
    const b = await named('b');
    const byAlice = await named('alice', { username: 'alice', password: 'pw' });
    const sub = await named('sub');
    await sub.c.subscribe('ch');
    const subClosed = new Promise<void>((resolve) => sub.c.once('close', () => resolve()));

    expect(await admin.c.call('CLIENT', 'KILL', 'ID', String(a.id))).toBe(1);
    expect(await admin.c.call('CLIENT', 'KILL', 'ADDR', b.addr)).toBe(1);
    expect(await admin.c.call('CLIENT', 'KILL', 'USER', 'alice')).toBe(1);
    expect(await admin.c.call('CLIENT', 'KILL', 'TYPE', 'pubsub')).toBe(1);
    expect(await admin.c.call('CLIENT', 'KILL', 'ID', '999999')).toBe(0);
    for (const x of [a, b, byAlice]) expect(await alive(x.c)).toBe(false);
    await subClosed;
    expect(sub.c.status).not.toBe('ready');

    const c = await named('c');
    // Every filter must match: the right ID with another address kills nobody.
    expect(await admin.c.call('CLIENT', 'KILL', 'ID', String(c.id), 'ADDR', '1.2.3.4:5')).toBe(0);
    // LADDR matches every client of this listener, but SKIPME (default yes) spares the caller.
    expect(await admin.c.call('CLIENT', 'KILL', 'LADDR', admin.laddr)).toBeGreaterThanOrEqual(1);
    expect(await alive(c.c)).toBe(false);
    expect(await alive(admin.c)).toBe(true);

    expect(await err(admin.c.call('CLIENT', 'KILL', 'ID', '0'))).toBe('ERR client-id should be greater than 0');
    expect(await err(admin.c.call('CLIENT', 'KILL', 'ID', 'abc'))).toBe('ERR client-id should be greater than 0');
    expect(await err(admin.c.call('CLIENT', 'KILL', 'TYPE', 'foo'))).toBe("ERR Unknown client type 'foo'");
    expect(await err(admin.c.call('CLIENT', 'KILL', 'USER', 'nobody'))).toBe("ERR No such user 'nobody'");
    expect(await err(admin.c.call('CLIENT', 'KILL', 'SKIPME', 'maybe'))).toBe('ERR syntax error');
    expect(await err(admin.c.call('CLIENT', 'KILL', '1.2.3.4:5'))).toBe('ERR No such client');

    // SKIPME no: the caller is closed too, after its reply.
    const adminClosed = new Promise<void>((resolve) => admin.c.once('close', () => resolve()));
    expect(await admin.c.call('CLIENT', 'KILL', 'ID', String(admin.id), 'SKIPME', 'no')).toBe(1);
    await adminClosed;
    expect(admin.c.status).not.toBe('ready');
  });
});

describe('client output buffer limit', () => {
  test('CONFIG shows and sets it in Redis syntax', async () => {
    const r = server.client({ password: 'secret' });
    expect(await r.config('GET', 'client-output-buffer-limit')).toEqual(['client-output-buffer-limit', 'normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60']);
    expect(await r.config('SET', 'client-output-buffer-limit', 'normal 1mb 256kb 10')).toBe('OK');
    expect(await r.config('GET', 'client-output-buffer-limit')).toEqual(['client-output-buffer-limit', 'normal 1048576 262144 10 slave 268435456 67108864 60 pubsub 33554432 8388608 60']);
    expect(await err(r.config('SET', 'client-output-buffer-limit', 'normal 1xb 0 0'))).toContain('client-output-buffer-limit');
    expect(await err(r.config('SET', 'client-output-buffer-limit', 'normal 1mb 0'))).toContain('client-output-buffer-limit');
    expect(await r.config('SET', 'client-output-buffer-limit', 'normal 0 0 0')).toBe('OK');
  });

  test('a normal client that does not read is disconnected past the hard limit; others carry on', async () => {
    const r = server.client({ password: 'secret' });
    await r.set('big', 'x'.repeat(1024 * 1024));
    expect(await r.config('SET', 'client-output-buffer-limit', 'normal 4mb 0 0')).toBe('OK');
    const sock = connect(server.port, '127.0.0.1');
    await new Promise<void>((resolve) => sock.once('connect', () => resolve()));
    const got = closed(sock);
    sock.pause();
    // 200 replies of 1 MB each: far more than the socket buffers and the 4 MB limit hold.
    sock.write('AUTH secret\r\n' + 'GET big\r\n'.repeat(200));
    // Read nothing until the server has dropped the client (its address gone from CLIENT LIST), however long that takes.
    const addr = `addr=127.0.0.1:${sock.localPort} `;
    await until(async () => !String(await r.client('LIST')).includes(addr));
    sock.resume();
    const received = await got;
    expect(received).toBeLessThan(100 * 1024 * 1024);
    expect(await r.get('big')).toHaveLength(1024 * 1024);
    expect(await r.config('SET', 'client-output-buffer-limit', 'normal 0 0 0')).toBe('OK');
    await r.del('big');
  });
});

describe('Redis 7 error texts and bounds', () => {
  test('numkeys of the sorted-set algebra, PING arity, float and overflow texts', async () => {
    const r = server.client({ password: 'secret' });
    await r.zadd('zk', 1, 'a');
    for (const cmd of ['ZUNIONSTORE', 'ZINTERSTORE', 'ZDIFFSTORE']) {
      expect(await err(r.call(cmd, 'out', '0', 'zk'))).toBe(`ERR at least 1 input key is needed for '${cmd.toLowerCase()}' command`);
      expect(await err(r.call(cmd, 'out', '5', 'zk'))).toBe('ERR syntax error');
    }
    for (const cmd of ['ZUNION', 'ZINTER', 'ZDIFF']) expect(await err(r.call(cmd, '0', 'zk'))).toBe(`ERR at least 1 input key is needed for '${cmd.toLowerCase()}' command`);
    // Other numkeys commands keep the generic texts.
    expect(await err(r.call('SINTERCARD', '0', 'zk'))).toBe('ERR numkeys should be greater than 0');
    expect(await err(r.call('LMPOP', '3', 'a', 'LEFT'))).toBe("ERR Number of keys can't be greater than number of args");
    expect(await err(r.call('PING', 'a', 'b'))).toBe("ERR wrong number of arguments for 'ping' command");
    expect(await r.call('PING', 'a')).toBe('a');
    await r.hset('hk', 'f', '1');
    expect(await err(r.call('HINCRBYFLOAT', 'hk', 'f', 'inf'))).toBe('ERR value is NaN or Infinity');
    expect(await err(r.call('INCRBYFLOAT', 'fk', 'inf'))).toBe('ERR increment would produce NaN or Infinity');
    await r.set('n', '10');
    expect(await err(r.call('DECRBY', 'n', '-9223372036854775808'))).toBe('ERR decrement would overflow');
    expect(await err(r.call('INCRBY', 'n', '9223372036854775807'))).toBe('ERR increment or decrement would overflow');
    // Expiry times are bounded by a signed 64-bit count of milliseconds, not by 2^53.
    expect(await r.call('SET', 'far', 'v', 'PXAT', '9999999999999999')).toBe('OK');
    expect(await r.ttl('far')).toBeGreaterThan(1e12);
    expect(await err(r.call('SET', 'far', 'v', 'EX', '9223372036854775'))).toBe("ERR invalid expire time in 'set' command");
  });

  test('random picks: the count range, and a huge negative count answers an error instead of exhausting memory', async () => {
    const r = server.client({ password: 'secret' });
    await r.sadd('sk', 'a', 'b');
    await r.hset('hk2', 'f', 'v');
    await r.zadd('zk2', 1, 'm');
    const range = 'ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807';
    expect(await err(r.call('SRANDMEMBER', 'sk', '-9223372036854775808'))).toBe(range);
    expect(await err(r.call('HRANDFIELD', 'hk2', '-9223372036854775808'))).toBe(range);
    expect(await err(r.call('ZRANDMEMBER', 'zk2', '-9223372036854775808', 'WITHSCORES'))).toBe(range);
    expect(await err(r.call('ZRANDMEMBER', 'zk2', '-100000000000'))).toBe('ERR value is out of range');
    expect(await err(r.call('SRANDMEMBER', 'sk', '-9223372036854775807'))).toBe('ERR value is out of range');
    expect(await r.call('SRANDMEMBER', 'sk', '-3')).toHaveLength(3);
    expect(((await r.call('SRANDMEMBER', 'sk', '9223372036854775807')) as string[]).sort()).toEqual(['a', 'b']);
    // The connection is still usable.
    expect(await r.ping()).toBe('PONG');
  });
});

describe('writes that change nothing', () => {
  test('SADD of a member already there and ZADD of an unchanged score leave WATCH alone; real changes trip it', async () => {
    const a = server.client({ password: 'secret' });
    const b = server.client({ password: 'secret' });
    await a.sadd('ws', 'm');
    await a.zadd('wz', 1, 'm');
    await a.watch('ws', 'wz');
    expect(await b.sadd('ws', 'm')).toBe(0);
    expect(await b.zadd('wz', 1, 'm')).toBe(0);
    expect(await b.zadd('wz', 'XX', 'CH', 1, 'm')).toBe(0);
    expect(await a.multi().set('after', '1').exec()).toEqual([[null, 'OK']]);
    await a.watch('ws');
    expect(await b.sadd('ws', 'm', 'n')).toBe(1);
    expect(await a.multi().set('after', '2').exec()).toBeNull();
    await a.watch('wz');
    expect(await b.zadd('wz', 'XX', 'CH', 2, 'm')).toBe(1);
    expect(await a.multi().set('after', '3').exec()).toBeNull();
    expect(await a.get('after')).toBe('1');
  });
});

describe('commands that keep their arguments', () => {
  test('queued, blocked and later commands of one packet each keep their own arguments', async () => {
    const a = server.client({ password: 'secret' });
    const b = server.client({ password: 'secret' });
    // One packet: queued commands of the same length as the ones after EXEC.
    const p = a.pipeline();
    p.call('MULTI');
    p.set('q1', 'one');
    p.set('q2', 'two');
    p.hset('qh', 'f', 'v');
    p.call('EXEC');
    p.set('q3', 'three');
    p.get('q1');
    const replies = (await p.exec())!.map(([e, r]) => (e ? String(e) : r));
    expect(replies).toEqual(['OK', 'QUEUED', 'QUEUED', 'QUEUED', ['OK', 'OK', 1], 'OK', 'one']);
    expect(await a.mget('q1', 'q2', 'q3')).toEqual(['one', 'two', 'three']);
    expect(await a.hget('qh', 'f')).toBe('v');
    // A blocked BLPOP followed in its packet by commands of the same length: served with its own key.
    const blocked: Promise<[Error | null, unknown][] | null> = a.pipeline().blpop('bq', 5).set('after1', 'x').rpop('other').exec();
    await until(async () => String(await b.call('CLIENT', 'LIST')).includes('cmd=blpop'));
    await b.rpush('other', 'o');
    await b.rpush('bq', 'item');
    const got = (await blocked)!.map(([e, r]) => (e ? String(e) : r));
    expect(got).toEqual([['bq', 'item'], 'OK', 'o']);
  });
});
