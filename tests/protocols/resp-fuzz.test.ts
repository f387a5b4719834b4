// Property tests: random and mutated RESP frames never crash the server, and random command sequences
// give the same replies from Orbit as from an in-test reference model of Redis semantics.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import fc from 'fast-check';
import { connect } from 'node:net';
import type Redis from 'ioredis';
import { startResp, type RespTestServer } from './resp-support.ts';

let server: RespTestServer;
let r: Redis;

beforeAll(async () => {
  server = await startResp();
  r = server.client({ protocol: 2 });
});
afterAll(async () => {
  await server.close();
});

function frame(argv: readonly string[]): string {
  return `*${argv.length}\r\n` + argv.map((a) => `$${Buffer.byteLength(a, 'latin1')}\r\n${a}\r\n`).join('');
}

/** Sends bytes on a fresh connection; resolves when the server closes it or after a short wait. */
function send(bytes: Buffer): Promise<void> {
  return new Promise((resolve) => {
    const s = connect(server.port, '127.0.0.1');
    s.on('error', () => undefined);
    s.on('data', () => undefined);
    s.on('close', () => resolve());
    s.write(bytes);
    setTimeout(() => {
      s.destroy();
      resolve();
    }, 20);
  });
}

const word = fc.constantFrom('GET', 'SET', 'LPUSH', 'HSET', 'ZADD', 'PING', 'MULTI', 'EXEC', 'SUBSCRIBE', 'BLPOP', 'EX', 'NX', '0', '-1', 'k', '');
const validFrame = fc.array(word, { minLength: 1, maxLength: 6 }).map((a) => Buffer.from(frame(a), 'latin1'));

describe('fuzzing the decoder and dispatcher', () => {
  test('random bytes and mutated frames never crash the server', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.uint8Array({ maxLength: 200 }).map((b) => Buffer.from(b)),
          fc.tuple(validFrame, fc.nat(), fc.integer({ min: 0, max: 255 })).map(([f, at, byte]) => {
            const b = Buffer.from(f);
            if (b.length > 0) b[at % b.length] = byte;
            return b;
          }),
          fc.tuple(validFrame, fc.nat()).map(([f, cut]) => f.subarray(0, cut % (f.length + 1))),
        ),
        async (bytes) => {
          await send(bytes);
        },
      ),
      { numRuns: 150 },
    );
    expect(await r.ping()).toBe('PONG');
  });
});

// ─── Model-based test ──────────────────────────────────────────────────

type ModelValue = { t: 'string'; v: string } | { t: 'hash'; v: Map<string, string> } | { t: 'list'; v: string[] } | { t: 'set'; v: Set<string> } | { t: 'zset'; v: Map<string, number> };

const WRONGTYPE = 'WRONGTYPE Operation against a key holding the wrong kind of value';

/** Redis semantics for the commands below, written independently of the server's implementation. */
function model(db: Map<string, ModelValue>, argv: readonly string[]): unknown {
  const [cmd, key = '', ...rest] = argv;
  const cur = db.get(key);
  const want = (t: ModelValue['t']): boolean => {
    if (cur && cur.t !== t) throw new Error(WRONGTYPE);
    return cur !== undefined;
  };
  switch (cmd) {
    case 'SET':
      db.set(key, { t: 'string', v: rest[0]! });
      return 'OK';
    case 'GET':
      want('string');
      return cur ? cur.v : null;
    case 'APPEND': {
      want('string');
      const v = (cur ? (cur.v as string) : '') + rest[0]!;
      db.set(key, { t: 'string', v });
      return v.length;
    }
    case 'DEL':
      return db.delete(key) ? 1 : 0;
    case 'HSET': {
      want('hash');
      const h = cur ? (cur.v as Map<string, string>) : new Map<string, string>();
      const added = h.has(rest[0]!) ? 0 : 1;
      h.set(rest[0]!, rest[1]!);
      db.set(key, { t: 'hash', v: h });
      return added;
    }
    case 'HDEL': {
      if (!want('hash')) return 0;
      const h = cur!.v as Map<string, string>;
      const n = h.delete(rest[0]!) ? 1 : 0;
      if (h.size === 0) db.delete(key);
      return n;
    }
    case 'HGETALL': {
      if (!want('hash')) return [];
      return [...(cur!.v as Map<string, string>)].flat();
    }
    case 'RPUSH':
    case 'LPUSH': {
      want('list');
      const l = cur ? (cur.v as string[]) : [];
      if (cmd === 'RPUSH') l.push(rest[0]!);
      else l.unshift(rest[0]!);
      db.set(key, { t: 'list', v: l });
      return l.length;
    }
    case 'LPOP':
    case 'RPOP': {
      if (!want('list')) return null;
      const l = cur!.v as string[];
      const v = cmd === 'LPOP' ? l.shift()! : l.pop()!;
      if (l.length === 0) db.delete(key);
      return v;
    }
    case 'LRANGE': {
      if (!want('list')) return [];
      const l = cur!.v as string[];
      return l.slice(0);
    }
    case 'SADD': {
      want('set');
      const s = cur ? (cur.v as Set<string>) : new Set<string>();
      const n = s.has(rest[0]!) ? 0 : 1;
      s.add(rest[0]!);
      db.set(key, { t: 'set', v: s });
      return n;
    }
    case 'SREM': {
      if (!want('set')) return 0;
      const s = cur!.v as Set<string>;
      const n = s.delete(rest[0]!) ? 1 : 0;
      if (s.size === 0) db.delete(key);
      return n;
    }
    case 'SMEMBERS':
      if (!want('set')) return [];
      return [...(cur!.v as Set<string>)].sort();
    case 'ZADD': {
      want('zset');
      const z = cur ? (cur.v as Map<string, number>) : new Map<string, number>();
      const n = z.has(rest[1]!) ? 0 : 1;
      z.set(rest[1]!, Number(rest[0]));
      db.set(key, { t: 'zset', v: z });
      return n;
    }
    case 'ZRANGE': {
      if (!want('zset')) return [];
      const z = cur!.v as Map<string, number>;
      return [...z].sort((a, b) => a[1] - b[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)).flatMap(([m, s]) => [m, String(s)]);
    }
    case 'TYPE':
      return cur ? cur.t : 'none';
    default:
      throw new Error(`model lacks ${cmd}`);
  }
}

const keyArb = fc.constantFrom('a', 'b', 'c');
const valArb = fc.constantFrom('x', 'y', 'z', '', '1');
const cmdArb = fc.oneof(
  fc.tuple(fc.constant('SET'), keyArb, valArb),
  fc.tuple(fc.constant('GET'), keyArb),
  fc.tuple(fc.constant('APPEND'), keyArb, valArb),
  fc.tuple(fc.constant('DEL'), keyArb),
  fc.tuple(fc.constant('HSET'), keyArb, valArb, valArb),
  fc.tuple(fc.constant('HDEL'), keyArb, valArb),
  fc.tuple(fc.constant('HGETALL'), keyArb),
  fc.tuple(fc.constantFrom('LPUSH', 'RPUSH'), keyArb, valArb),
  fc.tuple(fc.constantFrom('LPOP', 'RPOP'), keyArb),
  fc.tuple(fc.constant('LRANGE'), keyArb, fc.constant('0'), fc.constant('-1')),
  fc.tuple(fc.constant('SADD'), keyArb, valArb),
  fc.tuple(fc.constant('SREM'), keyArb, valArb),
  fc.tuple(fc.constant('SMEMBERS'), keyArb),
  fc.tuple(fc.constant('ZADD'), keyArb, fc.constantFrom('1', '2', '-1.5', '3'), valArb),
  fc.tuple(fc.constant('ZRANGE'), keyArb, fc.constant('0'), fc.constant('-1'), fc.constant('WITHSCORES')),
  fc.tuple(fc.constant('TYPE'), keyArb),
);

describe('model-based', () => {
  test('random command sequences match the reference model (strings, hashes, lists, sets, sorted sets)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(cmdArb, { minLength: 1, maxLength: 40 }), async (cmds) => {
        await r.flushdb();
        const db = new Map<string, ModelValue>();
        for (const argv of cmds) {
          let expected: unknown;
          try {
            expected = model(db, argv);
          } catch (e) {
            expected = { error: (e as Error).message };
          }
          let actual: unknown;
          try {
            actual = await r.call(argv[0]!, ...argv.slice(1));
            if (argv[0] === 'SMEMBERS') actual = [...(actual as string[])].sort();
          } catch (e) {
            actual = { error: (e as Error).message };
          }
          expect({ argv, reply: actual }).toEqual({ argv, reply: expected });
        }
      }),
      { numRuns: 60 },
    );
  });
});
