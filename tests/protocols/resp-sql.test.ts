// The keyspace seen from SQL: Redis writes through ioredis read back through kv.* views and joined with tables.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Redis from 'ioredis';
import { resp } from '../../protocols/resp/index.ts';
import { Engine, OrbitError, resultRows, type Session } from '../../runtime/index.ts';

let dir: string;
let engine: Engine;
let listening: { port: number; close(): Promise<void> };
let r: Redis;
let s: Session;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'orbit-resp-sql-'));
  engine = await Engine.open({ dataDir: dir, sync: false });
  listening = await resp.start(engine, { host: '127.0.0.1', port: 0, settings: {} });
  r = new Redis({ port: listening.port, host: '127.0.0.1', maxRetriesPerRequest: 1, retryStrategy: () => null });
  s = engine.session();
});
afterAll(async () => {
  r.disconnect();
  s.close();
  await listening.close();
  await engine.close();
  rmSync(dir, { recursive: true, force: true });
});

async function rows(sql: string): Promise<unknown[][]> {
  return resultRows(await s.query(sql));
}

describe('kv views', () => {
  test('every type of value, with TTLs and database numbers', async () => {
    await r.set('greeting', 'héllo');
    await r.set('session:1', 'x', 'PX', 600000);
    await r.hset('user:1', 'name', 'ada', 'lang', 'ts');
    await r.rpush('queue', 'a', 'b', 'c');
    await r.sadd('tags', 'red', 'blue');
    await r.zadd('board', 120, 'ada', 95.5, 'grace');
    await r.select(3);
    await r.set('other', 'db3');
    await r.select(0);

    expect(await rows('select key, type, db from kv.keys order by db, key')).toEqual([
      ['board', 'zset', 0], ['greeting', 'string', 0], ['queue', 'list', 0], ['session:1', 'string', 0], ['tags', 'set', 0], ['user:1', 'hash', 0], ['other', 'string', 3],
    ]);
    const [[ttl]] = (await rows("select ttl_ms from kv.keys where key = 'session:1'")) as [[bigint]];
    expect(Number(ttl)).toBeGreaterThan(590000);
    expect(await rows("select ttl_ms from kv.keys where key = 'greeting'")).toEqual([[null]]);
    expect(await rows("select value from kv.strings where key = 'greeting' and db = 0")).toEqual([['héllo']]);
    expect(await rows("select field, value from kv.hashes where key = 'user:1' order by field")).toEqual([['lang', 'ts'], ['name', 'ada']]);
    expect(await rows("select position, value from kv.lists where key = 'queue' order by position")).toEqual([[0n, 'a'], [1n, 'b'], [2n, 'c']]);
    expect(await rows("select member from kv.sets where key = 'tags' order by member")).toEqual([['blue'], ['red']]);
    expect(await rows("select member, score from kv.zsets where key = 'board' order by score desc")).toEqual([['ada', 120], ['grace', 95.5]]);
    expect(await rows('select count(*) from kv.keys where db = 3')).toEqual([[1n]]);
  });

  test('Redis data joins with tables, and sees the latest writes', async () => {
    await s.query('create table users (id int primary key, email text)');
    await s.query("insert into users values (1, 'ada@example.com'), (2, 'grace@example.com')");
    await r.hset('user:2', 'name', 'grace', 'lang', 'cobol');
    const joined = await rows(`
      select u.id, u.email, h.value as name
      from users u join kv.hashes h on h.key = 'user:' || u.id::text and h.field = 'name'
      order by u.id`);
    expect(joined).toEqual([[1, 'ada@example.com', 'ada'], [2, 'grace@example.com', 'grace']]);
    await r.hdel('user:2', 'name');
    expect(await rows("select count(*) from kv.hashes where key = 'user:2' and field = 'name'")).toEqual([[0n]]);
  });

  test('the views are read-only', async () => {
    let code = '';
    try {
      await s.query("insert into kv.strings values ('k', 'v', 0)");
    } catch (e) {
      code = (e as OrbitError).sqlstate;
    }
    expect(code).toBe('42809');
  });
});
