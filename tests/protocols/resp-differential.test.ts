// The same command scripts against Orbit and a real redis-server (Debian package redis-server): replies must be equal.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Redis from 'ioredis';
import { startResp, type RespTestServer } from './resp-support.ts';

const hasRedis = Bun.which('redis-server') !== null;

let orbit: RespTestServer;
let redisProc: ReturnType<typeof Bun.spawn> | undefined;
let redisDir = '';
let redisPort = 0;

/** A reply, or the error's text, as the client sees it. */
async function reply(r: Redis, argv: readonly string[]): Promise<unknown> {
  try {
    return await r.call(argv[0]!, ...argv.slice(1));
  } catch (e) {
    return { error: (e as Error).message };
  }
}

/** Runs `script` on both servers (each on a fresh database 9) and returns both reply lists. */
async function both(script: readonly (readonly string[])[]): Promise<{ orbit: unknown[]; redis: unknown[] }> {
  const out = { orbit: [] as unknown[], redis: [] as unknown[] };
  for (const [name, client] of [['orbit', orbit.client({ db: 9 })], ['redis', new Redis({ port: redisPort, host: '127.0.0.1', db: 9, maxRetriesPerRequest: 1 })]] as const) {
    await client.flushdb();
    for (const argv of script) out[name].push(await reply(client, argv));
    client.disconnect();
  }
  return out;
}

function words(lines: string): string[][] {
  return lines
    .trim()
    .split('\n')
    .map((l) => l.trim().split(/\s+/));
}

beforeAll(async () => {
  orbit = await startResp();
  if (!hasRedis) return;
  redisDir = mkdtempSync(join(tmpdir(), 'orbit-redis-peer-'));
  redisPort = 20000 + Math.floor(Math.random() * 20000);
  redisProc = Bun.spawn(['redis-server', '--port', String(redisPort), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', redisDir], { stdout: 'pipe', stderr: 'ignore' });
  // Ready once it says so on stdout.
  const reader = (redisProc.stdout as ReadableStream<Uint8Array>).getReader();
  let text = '';
  while (!text.includes('Ready to accept connections')) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`redis-server did not start: ${text}`);
    text += new TextDecoder().decode(value);
  }
  reader.releaseLock();
});

afterAll(async () => {
  await orbit.close();
  redisProc?.kill();
  await redisProc?.exited;
  if (redisDir) rmSync(redisDir, { recursive: true, force: true });
});

describe.skipIf(!hasRedis)('against redis-server', () => {
  test('float replies: INCRBYFLOAT and HINCRBYFLOAT print long double sums, scores print %.17g', async () => {
    const r = await both(
      words(`
        SET k 0.1
        INCRBYFLOAT k 0.2
        INCRBYFLOAT k 1e21
        SET k2 0
        INCRBYFLOAT k2 1e-5
        INCRBYFLOAT k2 1e-20
        INCRBYFLOAT k2 -0.00001
        INCRBYFLOAT k3 -0.0
        INCRBYFLOAT k4 5.0e3
        INCRBYFLOAT k5 3.0000000000000000001
        INCRBYFLOAT k6 10.50
        INCRBYFLOAT k6 0.1
        INCRBYFLOAT k7 -1e-7
        INCRBYFLOAT k8 123456789.123456789
        INCRBYFLOAT k8 0.000000001
        INCRBYFLOAT k9 inf
        HINCRBYFLOAT h f 1e21
        HINCRBYFLOAT h f 0.1
        HINCRBYFLOAT h g 1.5e-7
        HINCRBYFLOAT h g 2.5
        HINCRBYFLOAT h g inf
        ZADD z 1.1 a 1e21 b 1e-7 c -0 d inf e 0.1 f 123456789012345678 g -2.5 h 1e16 i 1e17 j
        ZSCORE z a
        ZSCORE z b
        ZSCORE z c
        ZSCORE z d
        ZSCORE z e
        ZINCRBY z 0.2 f
        ZINCRBY z 0.2 a
        ZMSCORE z a g h nope
        ZRANGE z 0 -1 WITHSCORES
        ZADD z INCR 0.25 h
        ZRANGEBYSCORE z -inf +inf WITHSCORES LIMIT 0 3
        ZPOPMIN z
        ZPOPMAX z 2
      `),
    );
    expect(r.orbit).toEqual(r.redis);
  });

  test('OBJECT FREQ/HELP/REFCOUNT/IDLETIME arity, CONFIG GET of the settings clients ask for, integer parsing', async () => {
    const r = await both(
      words(`
        SET s hello
        OBJECT FREQ s
        OBJECT FREQ missing
        OBJECT REFCOUNT s
        OBJECT REFCOUNT missing
        OBJECT HELP
        OBJECT IDLETIME missing
        OBJECT IDLETIME
        OBJECT IDLETIME s s
        CONFIG GET maxmemory
        CONFIG GET maxmemory-policy
        CONFIG GET databases
        INCRBY n -0
        INCRBY n 007
        INCRBY n +1
        INCRBY n 9007199254740993
        INCR n
        SET big 9223372036854775806
        INCR big
        INCR big
        HINCRBY h f -0
        HSET h f 1
        HSET h f 2 g 3 f 4
        HINCRBY h f 5
        LPUSH l a b c
        LPOP l 0
        LPOP l 2
        RPOP l
        RPOP l
        RPOP l 1
      `),
    );
    expect(r.orbit).toEqual(r.redis);
  });

  test('hexadecimal floats: accepted wherever strtod/strtold read them, added exactly by INCRBYFLOAT', async () => {
    const r = await both(
      words(`
        SET k 1
        INCRBYFLOAT k 0x1p3
        INCRBYFLOAT k 0X1P-2
        INCRBYFLOAT k -0x1.8p1
        INCRBYFLOAT k 0x.8
        INCRBYFLOAT k +0x10
        INCRBYFLOAT k 0x1e3
        INCRBYFLOAT k 0x1P+3
        INCRBYFLOAT k 0x1p-1074
        INCRBYFLOAT k 0x
        INCRBYFLOAT k 0xg
        INCRBYFLOAT k 0x1p
        INCRBYFLOAT k 0x1p99999
        INCRBYFLOAT k 0x1.8p
        INCRBYFLOAT k 0x.p1
        SET k2 0.1
        INCRBYFLOAT k2 0x1p-60
        SET k3 0x10
        INCRBYFLOAT k3 0.5
        SET k4 1
        INCRBYFLOAT k4 0x1.fffffffffffffp1023
        INCRBYFLOAT k5 0x1.0000000000000800000000001p0
        HINCRBYFLOAT h f 0x1p4
        HINCRBYFLOAT h f 0x.1
        HINCRBYFLOAT h f 0xz
        ZADD z 0x10 a 0x1.8p1 b -0x1p-3 c 0x1p-1074 d
        ZADD z 0x1p1024 e
        ZADD z 0x1p-1080 e
        ZADD z 0x1.0000000000000800000000001p0 f
        ZRANGE z 0 -1 WITHSCORES
        ZRANGEBYSCORE z 0x1 0x20 WITHSCORES
        ZRANGEBYSCORE z (0x3 +inf
        ZCOUNT z -0x1p-2 0x1p2
        ZINCRBY z 0x1p1 a
        ZINCRBY z 0xq a
        ZSCORE z a
      `),
    );
    expect(r.orbit).toEqual(r.redis);
  });

  test('OBJECT IDLETIME: seconds since the last read or write; TYPE, EXISTS, TTL, SCAN, KEYS and OBJECT are no access', async () => {
    // Values are not small integers: Redis shares those between keys, and with them their access time.
    const setup = words(`
      SET read va
      SET typed vb
      SET existed vc
      SET ttl vd
      SET touched ve
      SET untouched vf
      SET written vg
      SET scanned vh
      RPUSH list x
      HSET hash f v
      SADD set m
    `);
    const probe = words(`
      GET read
      TYPE typed
      EXISTS existed
      TTL ttl
      PTTL ttl
      TOUCH touched
      APPEND written more
      SCAN 0 TYPE string
      KEYS scan*
      RANDOMKEY
      OBJECT ENCODING list
      HGET hash f
      SISMEMBER set m
      OBJECT IDLETIME read
      OBJECT IDLETIME typed
      OBJECT IDLETIME existed
      OBJECT IDLETIME ttl
      OBJECT IDLETIME touched
      OBJECT IDLETIME untouched
      OBJECT IDLETIME written
      OBJECT IDLETIME scanned
      OBJECT IDLETIME list
      OBJECT IDLETIME hash
      OBJECT IDLETIME set
      OBJECT IDLETIME list
      OBJECT IDLETIME missing
    `);
    const clients = [orbit.client({ db: 9 }), new Redis({ port: redisPort, host: '127.0.0.1', db: 9, maxRetriesPerRequest: 1 })] as const;
    for (const c of clients) {
      await c.flushdb();
      for (const argv of setup) await reply(c, argv);
    }
    await Bun.sleep(3300);
    const [mine, theirs] = [[], []] as [unknown[], unknown[]];
    for (const [c, out] of [[clients[0], mine], [clients[1], theirs]] as const) {
      for (const argv of probe) out.push(await reply(c, argv));
      c.disconnect();
    }
    const first = probe.findIndex((argv) => argv[1] === 'IDLETIME');
    // Replies before the idle times: equal, except the order of SCAN, KEYS and RANDOMKEY's picks.
    const unordered = new Set(['SCAN', 'KEYS', 'RANDOMKEY']);
    for (let i = 0; i < first; i++) if (!unordered.has(probe[i]![0]!)) expect(mine[i]).toEqual(theirs[i]);
    const idle = (out: unknown[]) => Object.fromEntries(probe.slice(first).map((argv, k) => [argv[2], out[first + k]]));
    const [o, t] = [idle(mine), idle(theirs)];
    expect(o['missing']).toBeNull();
    expect(t['missing']).toBeNull();
    // Both clocks tick in whole seconds: the same key may read one second apart on the two servers.
    for (const key of Object.keys(o)) if (key !== 'missing') expect(Math.abs((o[key] as number) - (t[key] as number))).toBeLessThanOrEqual(1);
    for (const key of ['read', 'touched', 'written', 'hash', 'set']) expect(o[key]).toBeLessThanOrEqual(1);
    for (const key of ['typed', 'existed', 'ttl', 'untouched', 'scanned', 'list']) expect(o[key]).toBeGreaterThanOrEqual(2);
  });

  test('counters rewritten in place, GET of short and long values, options matched by position or by keyword', async () => {
    const long = 'x'.repeat(3000);
    const r = await both([
      ...words(`
        SET c 9
        INCR c
        GET c
        DECRBY c 20
        INCRBY c 10
        INCR c
        GET c
        SET c -1
        INCR c
        INCRBY c 999999999999999
        INCR c
        GET c
        SET c 012
        INCR c
        SET c 1.5
        INCR c
        APPEND c 0
        GET c
        LPUSH l a
        GET l
        INCR l
        GET nothing
        ZADD z 1 NX
        ZADD z NX 2 NX
        ZADD z XX CH 3 NX 4 new
        ZADD z CH GT 5 NX 0 b
        ZADD z XX INCR 1 NX
        ZADD z NX XX 1 a
        ZRANGE z 0 -1 WITHSCORES
        HSET h f 1 g 2 f 3
        HGETALL h
        MSET a 1 b 2 a 3
        MGET a b
        RPUSH q 1 2 3
        LPOP q
        RPOP q 5
      `),
      ['SET', 'long', long],
      ['GET', 'long'],
      ['APPEND', 'long', 'y'],
      ['STRLEN', 'long'],
      ['GETRANGE', 'long', '2998', '-1'],
    ]);
    expect(r.orbit).toEqual(r.redis);
  });
});
