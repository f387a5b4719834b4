// Large collections stored one LMDB entry per member: they survive restarts through single-member
// changes, end operations on lists, rewrites, renames, deletes, SWAPDB and shrinking back to one record;
// a burst of changes to one of them is one write batch with one entry per distinct changed member.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Redis from 'ioredis';
import { open } from 'lmdb';
import { resp } from '../../protocols/resp/index.ts';
import { Engine } from '../../runtime/index.ts';
import { Commit, KvStore } from '../../runtime/kv/persist.ts';
import { Hash } from '../../runtime/kv/values.ts';

let dir: string;
let engine: Engine;
let close: () => Promise<void>;
let client: Redis;

async function start(): Promise<void> {
  engine = await Engine.open({ dataDir: dir, sync: false });
  const listening = await resp.start(engine, { host: '127.0.0.1', port: 0, settings: {} });
  client = new Redis({ port: listening.port, host: '127.0.0.1', maxRetriesPerRequest: 1, retryStrategy: () => null });
  close = async () => {
    client.disconnect();
    await listening.close();
    await engine.close();
  };
}

/** Stops the listener (its keyspace flushes and closes LMDB) and starts a new one over the same directory. */
async function restart(): Promise<void> {
  await close();
  await start();
}

/** Entries of the per-member database whose key starts with (db, key), read from LMDB directly. */
async function memberEntries(db: number, key: string): Promise<number> {
  await close();
  const env = open({ path: join(dir, 'kv'), noSubdir: false, maxDbs: 4 });
  const members = env.openDB<Buffer, Buffer>({ name: 'members', encoding: 'binary', keyEncoding: 'binary' });
  const prefix = Buffer.concat([Buffer.from([db, key.length]), Buffer.from(key, 'latin1')]);
  let n = 0;
  for (const k of members.getKeys({ start: prefix })) {
    if (!(k as Buffer).subarray(0, prefix.length).equals(prefix)) break;
    n++;
  }
  await env.close();
  await start();
  return n;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'orbit-spill-'));
  await start();
});

afterAll(async () => {
  await close();
  rmSync(dir, { recursive: true, force: true });
});

describe('large collections', () => {
  test('a 100k-field hash survives restarts after single-field updates', async () => {
    const n = 100_000;
    for (let from = 0; from < n; from += 10_000) {
      const args: string[] = [];
      for (let i = from; i < from + 10_000; i++) args.push(`f${i}`, `v${i}`);
      await client.hset('big', ...args);
    }
    await client.save();
    expect(await memberEntries(0, 'big')).toBe(n);
    // One field at a time, each its own command: updates, a new field, deletions.
    for (let i = 0; i < 50; i++) await client.hset('big', `f${i * 997}`, `changed${i}`);
    await client.hset('big', 'new-field', 'new');
    await client.hdel('big', 'f1', 'f2');
    await client.hincrby('big', 'counter', 5);
    await client.expire('big', 3600);
    await restart();
    expect(await client.hlen('big')).toBe(n + 2 - 2);
    expect(await client.hget('big', 'f0')).toBe('changed0');
    expect(await client.hget('big', `f${49 * 997}`)).toBe('changed49');
    expect(await client.hget('big', 'f3')).toBe('v3');
    expect(await client.hget('big', 'f99999')).toBe('v99999');
    expect(await client.hget('big', 'new-field')).toBe('new');
    expect(await client.hget('big', 'counter')).toBe('5');
    expect(await client.hexists('big', 'f1')).toBe(0);
    expect(await client.ttl('big')).toBeGreaterThan(3500);
    // A second round of single-field changes after the reload (the loaded hash logs its changes too).
    await client.hset('big', 'f5', 'again');
    await client.hdel('big', 'f6');
    await restart();
    expect(await client.hget('big', 'f5')).toBe('again');
    expect(await client.hexists('big', 'f6')).toBe(0);
    expect(await client.hlen('big')).toBe(n - 1);
    expect(await memberEntries(0, 'big')).toBe(n - 1);
  }, 60_000);

  test('a long list keeps its order through pushes, pops, LSET, rewrites and shrinking', async () => {
    const model: string[] = [];
    for (let i = 0; i < 2000; i++) model.push(`e${i}`);
    await client.rpush('list', ...model);
    await client.save();
    await client.lpush('list', 'h1', 'h2');
    model.unshift('h2', 'h1');
    await client.rpop('list', 3);
    model.splice(-3, 3);
    await client.lset('list', 5, 'five');
    model[5] = 'five';
    await client.lpop('list');
    model.shift();
    await client.rpush('list', 't1');
    model.push('t1');
    await restart();
    expect(await client.lrange('list', 0, -1)).toEqual(model);
    // LINSERT and LREM move positions: the list is stored again whole, then changes by position resume.
    await client.linsert('list', 'BEFORE', 'e100', 'ins');
    model.splice(model.indexOf('e100'), 0, 'ins');
    await client.lrem('list', 1, 'e200');
    model.splice(model.indexOf('e200'), 1);
    await client.save();
    await client.lpush('list', 'after');
    model.unshift('after');
    await restart();
    expect(await client.lrange('list', 0, -1)).toEqual(model);
    // Shrinking far below the threshold goes back to one record; its member entries are removed.
    await client.ltrim('list', 0, 9);
    model.splice(10);
    await restart();
    expect(await client.lrange('list', 0, -1)).toEqual(model);
    expect(await memberEntries(0, 'list')).toBe(0);
  }, 60_000);

  test('sets and sorted sets: single-member changes, RENAME, DEL and SWAPDB survive restarts', async () => {
    const members = Array.from({ length: 1500 }, (_, i) => `m${i}`);
    await client.sadd('set', ...members);
    await client.zadd('zset', ...members.flatMap((m, i) => [String(i % 7), m]));
    await client.hset('moved', ...members.flatMap((m) => [m, m.toUpperCase()]));
    await client.sadd('doomed', ...members);
    await client.save();
    await client.srem('set', 'm0', 'm1');
    await client.sadd('set', 'extra');
    await client.zincrby('zset', 100, 'm3');
    await client.zrem('zset', 'm4');
    await client.zadd('zset', -1, 'first');
    await client.rename('moved', 'renamed');
    await client.del('doomed');
    await client.select(3);
    await client.sadd('other', ...members);
    await client.save();
    await client.swapdb(0, 3);
    await restart();
    await client.select(3);
    const set = await client.smembers('set');
    expect(set.length).toBe(1499);
    expect(set).toContain('extra');
    expect(set).not.toContain('m0');
    expect(await client.zcard('zset')).toBe(1500);
    expect(await client.zrange('zset', 0, 0)).toEqual(['first']);
    expect(await client.zrange('zset', -1, -1, 'WITHSCORES')).toEqual(['m3', '103']);
    expect(await client.zscore('zset', 'm4')).toBeNull();
    // Within equal scores members stay in byte order after the reload.
    const zeros = members.filter((_, i) => i % 7 === 0).sort((x, y) => (x < y ? -1 : 1));
    expect(await client.zrangebyscore('zset', 0, 0)).toEqual(zeros);
    expect(await client.exists('moved', 'doomed')).toBe(0);
    expect(await client.hget('renamed', 'm10')).toBe('M10');
    expect(await client.hlen('renamed')).toBe(1500);
    await client.select(0);
    expect(await client.scard('other')).toBe(1500);
    expect(await client.exists('set')).toBe(0);
    expect(await memberEntries(0, 'set')).toBe(0);
    expect(await memberEntries(3, 'set')).toBe(1499);
    expect(await memberEntries(3, 'moved')).toBe(0);
  }, 60_000);
});

describe('group commit of member changes', () => {
  test('16 field updates of a spilled hash stage one batch: one entry per distinct field, then the header', async () => {
    const storeDir = mkdtempSync(join(tmpdir(), 'orbit-spill-batch-'));
    const store = KvStore.open(storeDir);
    try {
      const h = new Hash();
      for (let i = 0; i < 2000; i++) h.set(`f${i}`, `v${i}`);
      const first = new Commit();
      store.stage(first, 0, 'big', h, 0);
      await store.write(first);
      // 16 updates as a pipeline sends them, with repeats, plus a field changed many times and one deleted.
      for (let i = 0; i < 16; i++) h.set(`f${(i * 37) % 10}`, `new${i}`);
      for (let i = 0; i < 200_000; i++) h.set('f500', `x${i}`);
      h.delete('f501');
      const batch = new Commit();
      store.stage(batch, 0, 'big', h, 0);
      expect(batch.ops.map((o) => o.kind)).toEqual(['members', 'record']);
      await store.write(batch);
      expect(h.spill?.changed.length).toBe(0);
    } finally {
      await store.close();
    }
    // What LMDB holds: 1999 member entries carrying the last value of each field.
    const env = open({ path: join(storeDir, 'kv'), noSubdir: false, maxDbs: 4 });
    const members = env.openDB<Buffer, Buffer>({ name: 'members', encoding: 'binary', keyEncoding: 'binary' });
    const stored = new Map<string, string>();
    for (const { key, value } of members.getRange()) stored.set((key as Buffer).toString('latin1', 5), (value as Buffer).toString('latin1'));
    await env.close();
    rmSync(storeDir, { recursive: true, force: true });
    expect(stored.size).toBe(1999);
    expect(stored.get('f0')).toBe('new10');
    expect(stored.get('f7')).toBe('new11');
    expect(stored.get('f500')).toBe('x199999');
    expect(stored.has('f501')).toBe(false);
    expect(stored.get('f1999')).toBe('v1999');
  });

  test('a pipeline of HSETs on a spilled hash is acknowledged and survives a restart', async () => {
    const fields: string[] = [];
    for (let i = 0; i < 1000; i++) fields.push(`p${i}`, `v${i}`);
    await client.hset('piped', ...fields);
    await client.save();
    const p = client.pipeline();
    for (let i = 0; i < 16; i++) p.hset('piped', `p${i * 3}`, `changed${i}`);
    const replies = await p.exec();
    expect(replies?.map(([e, r]) => (e ? String(e) : r))).toEqual(Array(16).fill(0));
    await restart();
    expect(await client.hget('piped', 'p45')).toBe('changed15');
    expect(await client.hget('piped', 'p46')).toBe('v46');
    expect(await client.hlen('piped')).toBe(1000);
  });
});
