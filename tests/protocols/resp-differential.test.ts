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

  test('OBJECT FREQ/HELP/REFCOUNT, CONFIG GET of the settings clients ask for, integer parsing', async () => {
    const r = await both(
      words(`
        SET s hello
        OBJECT FREQ s
        OBJECT FREQ missing
        OBJECT REFCOUNT s
        OBJECT REFCOUNT missing
        OBJECT HELP
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
    // OBJECT HELP lists subcommands Orbit does not answer (IDLETIME): compare the lines both print.
    const help = (x: unknown[]): string[] => x[5] as string[];
    const shared = help(r.orbit).filter((l) => help(r.redis).includes(l));
    expect(shared).toEqual(help(r.orbit));
    r.orbit[5] = r.redis[5] = 'help';
    expect(r.orbit).toEqual(r.redis);
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
