// The redo log: its record codec, and commits LMDB lost (its last meta page) given back on reopening.

import { afterEach, beforeEach, expect, test } from 'bun:test';
import { open } from 'lmdb';
import fc from 'fast-check';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { TableInfo } from '../../compiler/catalog/index.ts';
import { T } from '../../compiler/ir/types.ts';
import { decodeRedo, encodeRedo, RedoLog, type RedoWrite } from '../../runtime/storage/redo.ts';
import { Store } from '../../runtime/storage/index.ts';

let dir: string;

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'orbit-redo-'));
});

afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

const bytes = fc.uint8Array({ maxLength: 40 });
const write = fc.record({ key: bytes, value: fc.option(bytes, { nil: null }) }) as fc.Arbitrary<RedoWrite>;
const record = fc.record({ seq: fc.integer({ min: 1, max: 2 ** 40 }), groups: fc.array(fc.array(write, { maxLength: 5 }), { maxLength: 4 }) });

test('records decode to what was encoded, one after another', () => {
  fc.assert(
    fc.property(fc.array(record, { maxLength: 6 }), (records) => {
      const parts = records.map((r) => encodeRedo(r.seq, r.groups));
      const file = new Uint8Array(parts.reduce((n, p) => n + p.length, 0) + 64);
      let at = 0;
      for (const p of parts) {
        file.set(p, at);
        at += p.length;
      }
      expect(decodeRedo(file)).toEqual(records.map((r) => ({ seq: r.seq, writes: r.groups.flat().map((w) => ({ key: w.key, value: w.value })) })));
    }),
  );
});

test('a torn, cut or corrupted tail ends the scan at the last intact record and never throws', () => {
  fc.assert(
    fc.property(record, record, fc.nat(), fc.nat(255), (a, b, cut, flip) => {
      const first = encodeRedo(a.seq, a.groups);
      const second = encodeRedo(b.seq, b.groups);
      const file = new Uint8Array(first.length + second.length);
      file.set(first);
      file.set(second, first.length);
      // Cut somewhere inside the second record, or change one of its bytes.
      const cutAt = first.length + (cut % second.length);
      expect(decodeRedo(file.subarray(0, cutAt)).map((r) => r.seq)).toEqual([a.seq]);
      const corrupted = file.slice();
      const at = first.length + (cut % second.length);
      corrupted[at] = corrupted[at]! ^ (flip | 1);
      const seqs = decodeRedo(corrupted).map((r) => r.seq);
      expect(seqs[0]).toBe(a.seq);
      expect(seqs.length).toBeLessThanOrEqual(2);
    }),
  );
  fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), (junk) => Array.isArray(decodeRedo(junk))));
});

test('a cancelled record is never read back, and the next one takes its place', async () => {
  const log = RedoLog.open(dir);
  const one = encodeRedo(1, [[{ key: new Uint8Array([1]), value: new Uint8Array([1]) }]]);
  const two = encodeRedo(2, [[{ key: new Uint8Array([2]), value: null }]]);
  const three = encodeRedo(3, [[{ key: new Uint8Array([3]), value: new Uint8Array([3, 3]) }]]);
  await log.append(one);
  await log.append(two);
  log.cancel(two);
  expect(log.read().map((r) => r.seq)).toEqual([1]);
  await log.append(three);
  expect(log.read().map((r) => r.seq)).toEqual([1, 3]);
  log.close();
  // Preallocated: the file does not grow with each record.
  expect(fs.statSync(path.join(dir, 'redo.log')).size).toBe(1 << 20);
});

async function itemsTable(store: Store): Promise<TableInfo> {
  if (!store.catalog.getRelation(undefined, 'items')) {
    await store.createTable({ name: 'items', columns: [{ name: 'id', type: T.int32, nullable: false }, { name: 'body', type: T.text, nullable: true }], primaryKey: ['id'], uniques: [] });
  }
  return store.catalog.getRelation(undefined, 'items') as TableInfo;
}

/** LMDB's data file as it is now (through the page cache: what a crash that kept every page up to here leaves). */
const snapshotData = (): Buffer => fs.readFileSync(path.join(dir, 'data.mdb'));
/** Puts a copy taken earlier back: LMDB is back at that commit, the redo log keeps everything since. */
const restoreData = (copy: Buffer): void => fs.writeFileSync(path.join(dir, 'data.mdb'), copy);

async function ids(): Promise<number[]> {
  const store = Store.open(dir);
  const t = await itemsTable(store);
  const txn = store.begin();
  const found = [...txn.scan(t, 1000)].flat().map((r) => r.values[0] as number);
  txn.rollback();
  await store.close();
  return found;
}

test('a commit whose meta page LMDB lost is replayed from the redo log on reopening', async () => {
  const store = Store.open(dir);
  const t = await itemsTable(store);
  for (const id of [1, 2, 3]) {
    const txn = store.begin();
    txn.insert(t, [id, `row ${id}`]);
    await txn.commit();
  }
  const before = snapshotData();
  const txn = store.begin();
  txn.insert(t, [4, 'row 4']);
  txn.delete(t, txn.get(t, [2])!.key);
  await txn.commit();
  await store.close();
  const log = fs.readFileSync(path.join(dir, 'redo.log'));

  restoreData(before);
  expect(await ids()).toEqual([1, 3, 4]);
  // The replay is durable and done once: a second reopening finds the same rows.
  expect(await ids()).toEqual([1, 3, 4]);

  // Without the log the restored file really lacks the last commit (the replay above is what gave it back).
  restoreData(before);
  fs.writeFileSync(path.join(dir, 'redo.log'), new Uint8Array(log.length));
  expect(await ids()).toEqual([1, 2, 3]);
});

test('after the log starts again at its beginning, only records newer than LMDB are replayed', async () => {
  const store = Store.open(dir, { redoLogBytes: 1 << 20 });
  const t = await itemsTable(store);
  // About 150 KB per record: the 1 MiB log starts again at its beginning twice.
  let txn = store.begin();
  for (let id = 10; id < 26; id++) {
    txn = store.begin();
    txn.insert(t, [id, 'x'.repeat(150_000)]);
    await txn.commit();
  }
  txn = store.begin();
  txn.insert(t, [1, 'first']);
  await txn.commit();
  // Too large for this log: LMDB flushes this commit in full, and the log keeps row 1's older record.
  txn = store.begin();
  txn.update(t, txn.get(t, [1])!.key, [1, 'y'.repeat(400_000)]);
  await txn.commit();
  const before = snapshotData();
  txn = store.begin();
  txn.insert(t, [99, 'last']);
  await txn.commit();
  await store.close();
  expect(fs.statSync(path.join(dir, 'redo.log')).size).toBe(1 << 20);

  restoreData(before);
  const reopened = Store.open(dir);
  const items = await itemsTable(reopened);
  const check = reopened.begin();
  // Row 99 is back; row 1 keeps its newer value although its older insert still lies in the log.
  expect(check.get(items, [99])?.values[1]).toBe('last');
  expect((check.get(items, [1])?.values[1] as string).length).toBe(400_000);
  expect([...check.scan(items, 1000)].flat().filter((r) => (r.values[0] as number) >= 10 && (r.values[0] as number) < 26)).toHaveLength(16);
  check.rollback();
  await reopened.close();
});

test('a sequence reservation is durable with the first commit that stores one of its values', async () => {
  const store = Store.open(dir);
  await store.createTable({ name: 'serials', columns: [{ name: 'id', type: T.int64, nullable: false, serial: true }], primaryKey: ['id'], uniques: [] });
  const t = store.catalog.getRelation(undefined, 'serials') as TableInfo;
  const before = snapshotData();
  const first = store.nextval('serials_id_seq');
  const txn = store.begin();
  txn.insert(t, [first]);
  await txn.commit();
  await store.close();

  // LMDB lost that commit (and the reservation committed with it); the redo log gives both back.
  restoreData(before);
  const reopened = Store.open(dir);
  const check = reopened.begin();
  expect(check.get(t, [first])).toBeDefined();
  check.rollback();
  const next = reopened.nextval('serials_id_seq');
  expect(next).toBeGreaterThan(first);
  await reopened.close();
});

test('a data directory that kept commit-seq in the orbit database opens with its sequence number and moves it', async () => {
  let store = Store.open(dir);
  const t = await itemsTable(store);
  for (const id of [1, 2]) {
    const txn = store.begin();
    txn.insert(t, [id, `row ${id}`]);
    await txn.commit();
  }
  await store.close();
  // The earlier layout: the key in `orbit`, none in the main database.
  const key = new Uint8Array([0, 0, 0, 0, ...new TextEncoder().encode('commit-seq')]);
  const env = open({ path: dir, noSubdir: false, maxDbs: 8 });
  const orbit = env.openDB<Uint8Array, Uint8Array>({ name: 'orbit', encoding: 'binary', keyEncoding: 'binary' });
  const main = env.openDB<Uint8Array, Uint8Array>({ name: null as unknown as string, encoding: 'binary', keyEncoding: 'binary' });
  const seq = Uint8Array.from(main.getBinary(key)!);
  await orbit.batch(() => {
    orbit.put(key, seq);
    main.remove(key);
  });
  await env.close();

  store = Store.open(dir);
  const older = store.begin();
  const txn = store.begin();
  txn.update(t, txn.get(t, [1])!.key, [1, 'changed']);
  await txn.commit();
  // Its sequence number continued from the stored one: the older snapshot's write conflicts (first committer wins).
  let conflict: unknown;
  try {
    older.update(t, older.get(t, [1])!.key, [1, 'stale']);
  } catch (e) {
    conflict = e;
  }
  expect((conflict as { sqlstate?: string } | undefined)?.sqlstate).toBe('40001');
  older.rollback();
  await store.close();
  expect(await ids()).toEqual([1, 2]);
  const check = Store.open(dir);
  const r = check.begin();
  expect(r.get(t, [1])?.values[1]).toBe('changed');
  r.rollback();
  await check.close();
});
