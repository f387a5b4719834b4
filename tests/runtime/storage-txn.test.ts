// Snapshot isolation over real LMDB: visibility, rollback, savepoints, first-committer-wins conflicts.

import { afterEach, beforeEach, describe, expect, test } from 'bun:test';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { TableInfo } from '../../compiler/catalog/index.ts';
import { T } from '../../compiler/ir/types.ts';
import fc from 'fast-check';
import { Store, type StorageTxn } from '../../runtime/storage/index.ts';

let dir: string;
let store: Store;
let t: TableInfo;

beforeEach(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'orbit-txn-'));
  store = Store.open(dir);
  await store.createTable({
    name: 'acct',
    columns: [
      { name: 'id', type: T.int32, nullable: false },
      { name: 'owner', type: T.text, nullable: true },
      { name: 'balance', type: T.int64, nullable: false },
    ],
    primaryKey: ['id'],
    uniques: [{ name: 'acct_owner_key', columns: ['owner'] }],
  });
  t = store.catalog.getRelation(undefined, 'acct') as TableInfo;
  const txn = store.begin();
  txn.insert(t, [1, 'ann', 100n]);
  txn.insert(t, [2, 'bob', 50n]);
  await txn.commit();
});

afterEach(async () => {
  await store.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const all = (txn: StorageTxn): unknown[][] => [...txn.scan(t, 10)].flat().map((r) => [...r.values]);
const balance = (txn: StorageTxn, id: number): unknown => txn.get(t, [id])?.values[2];

describe('snapshot isolation', () => {
  test('each transaction sees its begin snapshot plus its own writes; readers never block', async () => {
    const a = store.begin();
    const b = store.begin();
    a.update(t, a.get(t, [1])!.key, [1, 'ann', 70n]);
    a.insert(t, [3, 'cat', 5n]);
    expect(balance(a, 1)).toBe(70n);
    expect(balance(b, 1)).toBe(100n);
    expect(b.get(t, [3])).toBeUndefined();
    await a.commit();
    // b keeps its snapshot after a commits; a newer transaction sees a's writes.
    expect(all(b)).toEqual([
      [1, 'ann', 100n],
      [2, 'bob', 50n],
    ]);
    const c = store.begin();
    expect(all(c)).toEqual([
      [1, 'ann', 70n],
      [2, 'bob', 50n],
      [3, 'cat', 5n],
    ]);
    b.rollback();
    c.rollback();
  });

  test('transactions begun between writes share a snapshot that outlives later commits, loads and DDL', async () => {
    const x = store.begin();
    const y = store.begin();
    const z = store.begin();
    z.update(t, z.get(t, [2])!.key, [2, 'bob', 1n]);
    await z.commit();
    // lmdb-js resets its shared read transaction on a timer; the held snapshot must survive that.
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(balance(x, 2)).toBe(50n);
    x.rollback();
    const after = store.begin();
    expect(balance(after, 2)).toBe(1n);
    expect(balance(y, 2)).toBe(50n);
    await store.bulkInsert(t, [[7, 'gil', 7n]]);
    const loaded = store.begin();
    expect(balance(loaded, 7)).toBe(7n);
    expect(after.get(t, [7])).toBeUndefined();
    await store.createIndex({ name: 'acct_balance', table: 'acct', columns: ['balance'], unique: false });
    const indexed = store.begin();
    expect(balance(indexed, 7)).toBe(7n);
    for (const txn of [y, after, loaded, indexed]) txn.rollback();
  });

  test('an open scan keeps its snapshot while other transactions commit', async () => {
    const w = store.begin();
    for (let i = 3; i <= 50; i++) w.insert(t, [i, `o${i}`, 0n]);
    await w.commit();
    const reader = store.begin();
    const it = reader.scan(t, 10)[Symbol.iterator]();
    const first = it.next().value as readonly { values: readonly unknown[] }[];
    expect(first.map((r) => r.values[0])).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    const writer = store.begin();
    writer.delete(t, writer.get(t, [20])!.key);
    writer.update(t, writer.get(t, [30])!.key, [30, 'o30', 999n]);
    writer.insert(t, [51, 'late', 0n]);
    await writer.commit();
    const rest: unknown[][] = [];
    for (let r = it.next(); !r.done; r = it.next()) for (const row of r.value) rest.push([...row.values]);
    expect(rest.map((r) => r[0])).toEqual(Array.from({ length: 40 }, (_, i) => i + 11));
    expect(rest.find((r) => r[0] === 30)![2]).toBe(0n);
    reader.rollback();
  });

  test('a scan merges own inserts, updates and deletes in key order', () => {
    const a = store.begin();
    a.insert(t, [0, 'zed', 1n]);
    a.delete(t, a.get(t, [2])!.key);
    a.update(t, a.get(t, [1])!.key, [1, 'ann', 1n]);
    expect(all(a)).toEqual([
      [0, 'zed', 1n],
      [1, 'ann', 1n],
    ]);
    a.rollback();
  });

  test('rollback discards every write', async () => {
    const a = store.begin();
    a.insert(t, [9, 'x', 1n]);
    a.delete(t, a.get(t, [1])!.key);
    a.rollback();
    expect(() => a.get(t, [1])).toThrow(expect.objectContaining({ sqlstate: '25000' }));
    const b = store.begin();
    expect(all(b).map((r) => r[0])).toEqual([1, 2]);
    b.rollback();
  });

  test('savepoints: rollbackTo undoes later writes and keeps the savepoint; release keeps writes', async () => {
    const a = store.begin();
    a.insert(t, [3, 'c', 1n]);
    a.savepoint('s1');
    a.insert(t, [4, 'd', 1n]);
    a.update(t, a.get(t, [1])!.key, [1, 'ann', 0n]);
    a.savepoint('s2');
    a.delete(t, a.get(t, [2])!.key);
    a.rollbackTo('s1');
    expect(all(a).map((r) => [r[0], r[2]])).toEqual([
      [1, 100n],
      [2, 50n],
      [3, 1n],
    ]);
    // The unique entry of the undone insert is gone too, so 'd' can be inserted again.
    a.insert(t, [5, 'd', 2n]);
    a.rollbackTo('s1');
    a.insert(t, [6, 'e', 3n]);
    a.release('s1');
    expect(() => a.rollbackTo('s1')).toThrow(expect.objectContaining({ sqlstate: '3B001', message: 'savepoint "s1" does not exist' }));
    await a.commit();
    const b = store.begin();
    expect(all(b).map((r) => r[0])).toEqual([1, 2, 3, 6]);
    b.rollback();
  });

  test('first committer wins: a concurrent update of the same row fails with 40001', async () => {
    const a = store.begin();
    const b = store.begin();
    a.update(t, a.get(t, [1])!.key, [1, 'ann', 90n]);
    b.update(t, b.get(t, [1])!.key, [1, 'ann', 80n]);
    await a.commit();
    const err = await b.commit().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toMatchObject({ sqlstate: '40001', message: 'could not serialize access due to concurrent update' });
    const c = store.begin();
    expect(balance(c, 1)).toBe(90n);
    // A write after the other commit is refused at once.
    const d = store.begin();
    const e = store.begin();
    e.delete(t, e.get(t, [2])!.key);
    await e.commit();
    expect(() => d.update(t, d.get(t, [2])!.key, [2, 'bob', 0n])).toThrow(expect.objectContaining({ sqlstate: '40001' }));
    c.rollback();
    d.rollback();
  });

  test('concurrent inserts of the same key: the second committer gets 23505', async () => {
    const a = store.begin();
    const b = store.begin();
    a.insert(t, [7, 'gil', 1n]);
    b.insert(t, [8, 'gil', 1n]);
    await a.commit();
    await expect(b.commit()).rejects.toMatchObject({ sqlstate: '23505', message: 'duplicate key value violates unique constraint "acct_owner_key"', detail: 'Key (owner)=(gil) already exists.' });
    const c = store.begin();
    const d = store.begin();
    const e = store.begin();
    c.insert(t, [9, 'h', 1n]);
    e.insert(t, [9, 'j', 1n]);
    await c.commit();
    await expect(e.commit()).rejects.toMatchObject({ sqlstate: '23505', message: 'duplicate key value violates unique constraint "acct_pkey"', detail: 'Key (id)=(9) already exists.' });
    expect(() => d.insert(t, [9, 'i', 1n])).toThrow(expect.objectContaining({ sqlstate: '23505', message: 'duplicate key value violates unique constraint "acct_pkey"' }));
    d.rollback();
  });

  test('disjoint concurrent writers both commit (group commit of simultaneous commits)', async () => {
    const txns = Array.from({ length: 20 }, (_, i) => {
      const x = store.begin();
      x.insert(t, [100 + i, `u${i}`, BigInt(i)]);
      return x;
    });
    await Promise.all(txns.map((x) => x.commit()));
    const r = store.begin();
    expect(all(r).length).toBe(22);
    r.rollback();
  });

  test('an index created after a snapshot is still answered correctly for that snapshot', async () => {
    const a = store.begin();
    await store.createIndex({ name: 'acct_balance', table: 'acct', columns: ['balance'], unique: false });
    const t2 = store.catalog.getRelation(undefined, 'acct') as TableInfo;
    expect([...a.indexScan(t2, 'acct_balance', [], { values: [60n], inclusive: true })].map((r) => r.values[0])).toEqual([1]);
    a.rollback();
  });
});

test('a unique index created after a snapshot still rejects duplicates of older rows in that snapshot', async () => {
  const a = store.begin();
  await store.createIndex({ name: 'acct_balance_key', table: 'acct', columns: ['balance'], unique: true });
  const t2 = store.catalog.getRelation(undefined, 'acct') as TableInfo;
  expect(() => a.insert(t2, [5, 'eve', 50n])).toThrow(expect.objectContaining({ sqlstate: '23505', message: 'duplicate key value violates unique constraint "acct_balance_key"' }));
  a.rollback();
});

describe('snapshot isolation against a model', () => {
  type Op = { readonly who: 0 | 1; readonly kind: 'insert' | 'update' | 'delete' | 'get' | 'commit' | 'rollback'; readonly k: number; readonly v: number };
  const opArb: fc.Arbitrary<Op> = fc.record({
    who: fc.constantFrom(0 as const, 1 as const),
    kind: fc.constantFrom('insert' as const, 'update' as const, 'update' as const, 'delete' as const, 'get' as const, 'commit' as const, 'commit' as const, 'rollback' as const),
    k: fc.integer({ min: 1, max: 3 }),
    v: fc.integer({ min: 0, max: 9 }),
  });

  /** The model: committed values with the sequence number of the last commit touching each key. */
  interface ModelTxn {
    snap: number;
    view: Map<number, number>;
    writes: Map<number, number | null>;
    checks: Map<number, 'absent' | 'version'>;
  }

  test('interleaved transactions behave like the snapshot-isolation model (300 runs)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(opArb, { minLength: 10, maxLength: 30, size: 'max' }), async (ops) => {
        const d = fs.mkdtempSync(path.join(os.tmpdir(), 'orbit-si-'));
        const s = Store.open(d, { noSync: true });
        try {
          await s.createTable({ name: 'kv', columns: [{ name: 'k', type: T.int32, nullable: false }, { name: 'v', type: T.int32, nullable: false }], primaryKey: ['k'] });
          await s.createIndex({ name: 'kv_v', table: 'kv', columns: ['v'], unique: false });
          const kv = s.catalog.getRelation(undefined, 'kv') as TableInfo;
          // Seeded rows make updates and deletes (and so conflicts) common.
          const seed = s.begin();
          for (let k = 1; k <= 4; k++) seed.insert(kv, [k, k]);
          await seed.commit();
          const committed = new Map<number, number>([1, 2, 3, 4].map((k) => [k, k]));
          const lastSeq = new Map<number, number>([1, 2, 3, 4].map((k) => [k, 1]));
          let seq = 1;
          const real: (StorageTxn | undefined)[] = [undefined, undefined];
          const model: (ModelTxn | undefined)[] = [undefined, undefined];
          const outcome = (f: () => void): string => {
            try {
              f();
              return 'ok';
            } catch (e) {
              return (e as { sqlstate?: string }).sqlstate ?? String(e);
            }
          };
          for (const op of ops) {
            const w = op.who;
            if (!real[w]) {
              real[w] = s.begin();
              model[w] = { snap: seq, view: new Map(committed), writes: new Map(), checks: new Map() };
            }
            const r = real[w]!;
            const m = model[w]!;
            const visible = m.writes.has(op.k) ? m.writes.get(op.k)! : m.view.get(op.k);
            const newer = (lastSeq.get(op.k) ?? 0) > m.snap;
            let expected = 'ok';
            let got: string;
            switch (op.kind) {
              case 'get':
                expect(r.get(kv, [op.k])?.values[1] ?? null).toBe(visible ?? null);
                continue;
              case 'insert':
                if (visible !== undefined && visible !== null) expected = '23505';
                else if (newer && committed.has(op.k)) expected = '23505';
                got = outcome(() => r.insert(kv, [op.k, op.v]));
                if (expected === 'ok') {
                  m.writes.set(op.k, op.v);
                  if (m.checks.get(op.k) !== 'version') m.checks.set(op.k, 'absent');
                }
                break;
              case 'update':
              case 'delete': {
                if (visible === undefined || visible === null) continue;
                if (newer) expected = '40001';
                const row = r.get(kv, [op.k])!;
                got = outcome(() => (op.kind === 'update' ? r.update(kv, row.key, [op.k, op.v]) : r.delete(kv, row.key)));
                if (expected === 'ok') {
                  m.writes.set(op.k, op.kind === 'update' ? op.v : null);
                  m.checks.set(op.k, 'version');
                }
                break;
              }
              case 'rollback':
                r.rollback();
                real[w] = undefined;
                continue;
              case 'commit': {
                for (const [k, c] of m.checks) {
                  if ((lastSeq.get(k) ?? 0) <= m.snap) continue;
                  if (c === 'version') expected = '40001';
                  else if (committed.has(k) && expected === 'ok') expected = '23505';
                }
                got = await r.commit().then(
                  () => 'ok',
                  (e: { sqlstate?: string }) => e.sqlstate ?? String(e),
                );
                if (expected === 'ok' && m.writes.size > 0) {
                  seq++;
                  for (const [k, v] of m.writes) {
                    if (v === null) committed.delete(k);
                    else committed.set(k, v);
                    lastSeq.set(k, seq);
                  }
                }
                real[w] = undefined;
                break;
              }
            }
            expect(got).toBe(expected);
            if (expected !== 'ok' && real[w]) {
              // An error aborts the transaction, as a session does.
              real[w]!.rollback();
              real[w] = undefined;
            }
          }
          for (const t of real) t?.rollback();
          const check = s.begin();
          const rows = [...check.scan(kv, 100)].flat().map((x) => [x.values[0], x.values[1]]);
          expect(rows).toEqual([...committed.entries()].sort((a, b) => a[0] - b[0]));
          const viaIndex = [...check.indexScan(kv, 'kv_v', [])].map((x) => x.values[1]);
          expect(viaIndex).toEqual([...committed.values()].sort((a, b) => a - b));
          check.rollback();
        } finally {
          await s.close();
          fs.rmSync(d, { recursive: true, force: true });
        }
      }),
      {
        numRuns: 300,
        examples: [
          // A commit that meets both a newer delete of a key it deleted (40001) and a newer insert of a
          // key it inserted (23505) reports the serialization failure.
          [
            [
              { who: 0, kind: 'delete', k: 1, v: 0 },
              { who: 0, kind: 'commit', k: 1, v: 0 },
              { who: 1, kind: 'insert', k: 1, v: 0 },
              { who: 1, kind: 'delete', k: 2, v: 0 },
              { who: 0, kind: 'delete', k: 2, v: 0 },
              { who: 0, kind: 'insert', k: 1, v: 0 },
              { who: 0, kind: 'commit', k: 1, v: 0 },
              { who: 1, kind: 'commit', k: 1, v: 0 },
            ],
          ],
        ],
      },
    );
  }, 120_000);
});
