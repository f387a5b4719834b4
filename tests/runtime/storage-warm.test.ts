// The warm tier and columnar scans against a real LMDB store: scanColumns must equal scan, under
// random schemas, own writes, concurrent commits, DDL and bulk loads.

import { afterEach, describe, expect, test } from 'bun:test';
import * as fc from 'fast-check';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { TableInfo } from '../../compiler/catalog/index.ts';
import { T, type DataType } from '../../compiler/ir/types.ts';
import { type Vec, valueAt } from '../../runtime/exec/vector.ts';
import { MapRelease } from '../../runtime/storage/map-release.ts';
import { canonicalDecimal, CHUNK_ROWS, KEY_SLOT, Store, type ColumnBatch, type ColumnData, type StorageTxn } from '../../runtime/storage/index.ts';

const dirs: string[] = [];
const stores: Store[] = [];
function openStore(options: { warmCacheBytes?: number; releaseMappedBytes?: number } = {}): Store {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'orbit-warm-'));
  dirs.push(d);
  const s = Store.open(d, { noSync: true, ...options });
  stores.push(s);
  return s;
}
afterEach(async () => {
  for (const s of stores.splice(0)) await s.close();
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

const table = (s: Store, name: string): TableInfo => {
  const r = s.catalog.getRelation(undefined, name);
  if (!r || r.kind !== 'table') throw new Error(`no table ${name}`);
  return r;
};

/** A column must be usable as the executor's vector as is (checked by the compiler). */
const asVec = (c: ColumnData): Vec => c;

/** Comparable form of a value: decimals canonical, everything else as is. */
function norm(type: DataType, v: unknown): unknown {
  if (v === null || v === undefined) return null;
  if (type.kind === 'decimal') return canonicalDecimal(String(v));
  return v;
}

/** Rows of a columnar scan, as IR values through the executor's own accessor. */
function columnRows(batches: Iterable<ColumnBatch>, types: readonly DataType[], ordinals: readonly number[], batchSize: number): unknown[][] {
  const out: unknown[][] = [];
  for (const b of batches) {
    expect(b.length).toBeGreaterThan(0);
    expect(b.length).toBeLessThanOrEqual(batchSize);
    expect(b.columns.length).toBe(ordinals.length);
    for (const c of b.columns) {
      expect(c.length).toBe(b.length);
      expect(c.data.length).toBe(b.length);
      if (c.valid) expect(c.valid.length).toBe(b.length);
    }
    for (let i = 0; i < b.length; i++) out.push(b.columns.map((c, j) => (ordinals[j] === -1 ? Array.from((c.data as Uint8Array[])[i]!) : norm(types[ordinals[j]!]!, valueAt(asVec(c), i)))));
  }
  return out;
}

/** The same rows from the row scan. */
function scanRows(txn: StorageTxn, t: TableInfo, ordinals: readonly number[]): unknown[][] {
  const out: unknown[][] = [];
  for (const batch of txn.scan(t, 97)) for (const r of batch) out.push(ordinals.map((o) => (o === -1 ? Array.from(r.key) : norm(t.columns[o]!.type, r.values[o]))));
  return out;
}

function expectSame(txn: StorageTxn, t: TableInfo, ordinals: readonly number[], batchSize: number): void {
  const types = t.columns.map((c) => c.type);
  expect(columnRows(txn.scanColumns!(t, ordinals, batchSize), types, ordinals, batchSize)).toEqual(scanRows(txn, t, ordinals));
}

// ─── Random schemas ─────────────────────────────────────────────────────────

interface ColumnKind {
  readonly type: DataType;
  readonly value: fc.Arbitrary<unknown>;
}

const decimalText = (scale: number): fc.Arbitrary<string> =>
  fc.tuple(fc.bigInt({ min: -(10n ** 20n), max: 10n ** 20n }), fc.integer({ min: 0, max: scale })).map(([v, s]) => {
    const neg = v < 0n;
    const digits = (neg ? -v : v).toString().padStart(s + 1, '0');
    return `${neg ? '-' : ''}${s === 0 ? digits : `${digits.slice(0, digits.length - s)}.${digits.slice(digits.length - s)}`}`;
  });

const KINDS: readonly ColumnKind[] = [
  { type: T.bool, value: fc.boolean() },
  { type: T.int16, value: fc.integer({ min: -32768, max: 32767 }) },
  { type: T.int32, value: fc.integer() },
  { type: T.int64, value: fc.oneof(fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }), fc.bigInt({ min: -1000n, max: 1000n })) },
  { type: T.float32, value: fc.float({ noNaN: true }).map(Math.fround) },
  { type: T.float64, value: fc.double() },
  { type: { kind: 'decimal', precision: 15, scale: 2 }, value: fc.oneof(decimalText(2), fc.constantFrom('0', '-0.01', '12.5', '92233720368547758.07')) },
  { type: T.decimal, value: decimalText(6) },
  { type: T.text, value: fc.oneof(fc.constantFrom('A', 'N', 'R', 'F', ''), fc.string({ maxLength: 40 }), fc.string({ unit: 'grapheme', maxLength: 10 })) },
  { type: T.binary, value: fc.uint8Array({ maxLength: 12 }) },
  { type: T.uuid, value: fc.uuid() },
  { type: T.date, value: fc.integer({ min: -100_000, max: 100_000 }) },
  { type: T.timestamp, value: fc.integer().map((v) => v * 1_000_003) },
  { type: T.interval, value: fc.record({ months: fc.integer({ min: -100, max: 100 }), days: fc.integer({ min: -100, max: 100 }), micros: fc.integer({ min: -1e9, max: 1e9 }) }) },
  { type: T.jsonb, value: fc.jsonValue({ maxDepth: 2 }).map((v) => JSON.parse(JSON.stringify(v)) as unknown) },
  { type: { kind: 'list', element: T.int32 }, value: fc.array(fc.option(fc.integer(), { nil: null }), { maxLength: 4 }) },
  { type: { kind: 'struct', fields: [{ name: 'a', type: T.int32 }, { name: 'b', type: T.text }] }, value: fc.record({ a: fc.option(fc.integer(), { nil: null }), b: fc.option(fc.string({ maxLength: 5 }), { nil: null }) }) },
];

interface Case {
  readonly kinds: readonly ColumnKind[];
  readonly rows: readonly (readonly unknown[])[];
  readonly ordinals: readonly number[];
  readonly batchSize: number;
}

const caseArb: fc.Arbitrary<Case> = fc
  .uniqueArray(fc.integer({ min: 0, max: KINDS.length - 1 }), { minLength: 1, maxLength: 8 })
  .chain((ks) => {
    const kinds = ks.map((k) => KINDS[k]!);
    const row = fc.tuple(...kinds.map((k) => fc.option(k.value, { nil: null, freq: 4 })));
    return fc.record({
      kinds: fc.constant(kinds),
      rows: fc.array(row, { maxLength: 60 }),
      ordinals: fc.array(fc.integer({ min: -1, max: kinds.length - 1 }), { minLength: 1, maxLength: kinds.length + 2 }),
      batchSize: fc.integer({ min: 1, max: 40 }),
    });
  });

async function createRandom(s: Store, c: Case, name: string): Promise<TableInfo> {
  // A hidden row id keeps insertion order; an int32 id column would hide key-order bugs less well.
  await s.createTable({ name, columns: c.kinds.map((k, i) => ({ name: `c${i}`, type: k.type, nullable: true })) });
  return table(s, name);
}

describe('scanColumns equals scan', () => {
  test('random tables with every column type and nulls: cold, warm and with own writes (fast-check, 120 cases)', async () => {
    const s = openStore();
    let n = 0;
    await fc.assert(
      fc.asyncProperty(caseArb, fc.array(fc.nat(), { maxLength: 10 }), async (c, edits) => {
        const t = await createRandom(s, c, `r${n++}`);
        if (c.rows.length > 0) await s.bulkInsert(t, c.rows, { chunkSize: 17 });
        const r = s.begin();
        expectSame(r, t, c.ordinals, c.batchSize);
        // Second read comes from the warm tier.
        for (const o of c.ordinals) expect(s.warm.has(t.id, o === -1 ? KEY_SLOT : o)).toBe(true);
        expectSame(r, t, c.ordinals, c.batchSize);
        expectSame(r, t, [...c.ordinals].reverse(), c.batchSize + 3);
        // Own writes: the transaction's scan merges them, and the warm tier stays untouched by them.
        const keys = [...r.scan(t, 1000)].flat().map((x) => x.key);
        for (const e of edits) {
          const k = keys[e % Math.max(1, keys.length)];
          if (e % 3 === 0 || !k) r.insert(t, c.rows[e % Math.max(1, c.rows.length)] ?? c.kinds.map(() => null));
          else if (e % 3 === 1) {
            r.delete(t, k);
            keys.splice(keys.indexOf(k), 1);
          } else r.update(t, k, c.rows[(e + 1) % c.rows.length] ?? c.kinds.map(() => null));
        }
        expectSame(r, t, c.ordinals, c.batchSize);
        const other = s.begin();
        expectSame(other, t, c.ordinals, c.batchSize);
        other.rollback();
        await r.commit();
        const after = s.begin();
        expectSame(after, t, c.ordinals, c.batchSize);
        after.rollback();
        await s.dropTable(undefined, t.name);
      }),
      { numRuns: 120 },
    );
  }, 120_000);
});

// ─── Validity ───────────────────────────────────────────────────────────────

async function numbers(s: Store, rows: number): Promise<TableInfo> {
  await s.createTable({
    name: 'nums',
    columns: [
      { name: 'id', type: T.int32, nullable: false },
      { name: 'v', type: { kind: 'decimal', precision: 12, scale: 2 }, nullable: true },
      { name: 'tag', type: T.text, nullable: true },
    ],
    primaryKey: ['id'],
  });
  const t = table(s, 'nums');
  await s.bulkInsert(
    t,
    Array.from({ length: rows }, (_, i) => [i * 2, `${i}.25`, i % 3 === 0 ? null : `t${i % 5}`]),
  );
  return t;
}

const column = (txn: StorageTxn, t: TableInfo, ordinal: number): unknown[] => columnRows(txn.scanColumns!(t, [ordinal], 1 << 20), t.columns.map((c) => c.type), [ordinal], 1 << 20).map((r) => r[0]);

describe('warm tier validity', () => {
  test('a commit to the table drops its warm copy; the next scan rebuilds it with the new rows', async () => {
    const s = openStore();
    const t = await numbers(s, 10);
    const a = s.begin();
    expect(column(a, t, 0)).toEqual(Array.from({ length: 10 }, (_, i) => i * 2));
    a.rollback();
    expect(s.warm.has(t.id, 0)).toBe(true);
    const w = s.begin();
    w.insert(t, [1, '7.00', 'x']);
    await w.commit();
    expect(s.warm.has(t.id, 0)).toBe(false);
    const b = s.begin();
    expect(column(b, t, 0).slice(0, 3)).toEqual([0, 1, 2]);
    expect(s.warm.has(t.id, 0)).toBe(true);
    b.rollback();
  });

  test('an old snapshot never sees newer rows through the warm copy, and does not install its stale state', async () => {
    const s = openStore();
    const t = await numbers(s, 5);
    const old = s.begin();
    const w = s.begin();
    w.insert(t, [101, '1.00', 'new']);
    await w.commit();
    // Warm copy built by a fresh snapshot includes row 101.
    const fresh = s.begin();
    expect(column(fresh, t, 0)).toContain(101);
    fresh.rollback();
    expect(s.warm.has(t.id, 0)).toBe(true);
    // The old snapshot reads LMDB as of its snapshot instead.
    expect(column(old, t, 0)).toEqual([0, 2, 4, 6, 8]);
    expect(column(old, t, 2)).toEqual([null, 't1', 't2', null, 't4']);
    // A stale snapshot builds nothing: its columns are not the newest state.
    expect(s.warm.has(t.id, 2)).toBe(false);
    old.rollback();
  });

  test('a transaction with own writes sees them; others keep reading the shared warm copy', async () => {
    const s = openStore();
    const t = await numbers(s, 4);
    const w = s.begin();
    w.insert(t, [3, '3.50', 'mine']);
    const k = w.get(t, [0])!.key;
    w.update(t, k, [0, '9.99', 'changed']);
    expect(column(w, t, 1)).toEqual(['9.99', '1.25', '3.5', '2.25', '3.25']);
    const r = s.begin();
    expect(column(r, t, 1)).toEqual(['0.25', '1.25', '2.25', '3.25']);
    r.rollback();
    await w.commit();
    const after = s.begin();
    expect(column(after, t, 2)).toEqual(['changed', 't1', 'mine', 't2', null]);
    after.rollback();
  });

  test('DDL that changes the layout drops the warm copy; added columns read their fill; renames keep it', async () => {
    const s = openStore();
    const t = await numbers(s, 3);
    const a = s.begin();
    column(a, t, 1);
    a.rollback();
    await s.alterTable({ name: 'nums', action: { kind: 'rename-column', from: 'tag', to: 'label' } });
    expect(s.warm.has(t.id, 1)).toBe(true);
    await s.alterTable({ name: 'nums', action: { kind: 'add-column', column: { name: 'flag', type: T.bool, nullable: true, defaultSql: 'true' } } });
    expect(s.warm.has(t.id, 1)).toBe(false);
    let t2 = table(s, 'nums');
    const b = s.begin();
    expect(column(b, t2, 3)).toEqual([true, true, true]);
    b.rollback();
    await s.alterTable({ name: 'nums', action: { kind: 'drop-column', column: 'v' } });
    t2 = table(s, 'nums');
    const c = s.begin();
    // Ordinals shift after DROP COLUMN: ordinal 1 is now `label`.
    expect(column(c, t2, 1)).toEqual([null, 't1', 't2']);
    c.rollback();
    await s.dropTable(undefined, 'nums');
    expect(s.warm.stats.tables).toBe(0);
  });

  test('bulkInsert appends to warm columns without a rebuild; out-of-order loads invalidate', async () => {
    const s = openStore();
    const t = await numbers(s, CHUNK_ROWS + 10);
    const a = s.begin();
    expect(column(a, t, 0).length).toBe(CHUNK_ROWS + 10);
    a.rollback();
    const before = s.begin();
    // Appended after the last key: the warm copy grows in place.
    await s.bulkInsert(t, Array.from({ length: 100 }, (_, i) => [(CHUNK_ROWS + 10 + i) * 2, '0.50', 'bulk']), { chunkSize: 30 });
    expect(s.warm.has(t.id, 0)).toBe(true);
    const after = s.begin();
    expectSame(after, t, [0, 1, 2, -1], 4096);
    const ids = column(after, t, 0);
    expect(ids.length).toBe(CHUNK_ROWS + 110);
    expect(ids.at(-1)).toBe((CHUNK_ROWS + 109) * 2);
    after.rollback();
    // The snapshot taken before the load still sees the old row count.
    expect(column(before, t, 0).length).toBe(CHUNK_ROWS + 10);
    before.rollback();
    // Keys that fall between stored keys cannot be appended.
    await s.bulkInsert(t, [[1, '1.00', 'odd']]);
    expect(s.warm.has(t.id, 0)).toBe(false);
    const last = s.begin();
    expectSame(last, t, [0, 2], 65_536);
    expect(column(last, t, 0).slice(0, 3)).toEqual([0, 1, 2]);
    last.rollback();
  }, 60_000);

  test('memory is bounded: least recently used tables are evicted; a zero budget caches nothing', async () => {
    const s = openStore({ warmCacheBytes: 64 * 1024 });
    await s.createTable({ name: 'a', columns: [{ name: 'x', type: T.float64, nullable: false }] });
    await s.createTable({ name: 'b', columns: [{ name: 'x', type: T.float64, nullable: false }] });
    const ta = table(s, 'a');
    const tb = table(s, 'b');
    await s.bulkInsert(ta, Array.from({ length: 5000 }, (_, i) => [i]));
    await s.bulkInsert(tb, Array.from({ length: 5000 }, (_, i) => [-i]));
    const r = s.begin();
    column(r, ta, 0);
    expect(s.warm.has(ta.id, 0)).toBe(true);
    column(r, tb, 0);
    expect(s.warm.has(tb.id, 0)).toBe(true);
    expect(s.warm.has(ta.id, 0)).toBe(false);
    expect(s.warm.stats.bytes).toBeLessThanOrEqual(64 * 1024);
    r.rollback();

    const off = openStore({ warmCacheBytes: 0 });
    await off.createTable({ name: 'a', columns: [{ name: 'x', type: T.int64, nullable: true }] });
    const t = table(off, 'a');
    await off.bulkInsert(t, [[1n], [null], [2n ** 60n]]);
    const q = off.begin();
    expect(column(q, t, 0)).toEqual([1n, null, 2n ** 60n]);
    expect(off.warm.stats.tables).toBe(0);
    q.rollback();
  });
});

describe('mapped pages', () => {
  /** Resident kilobytes of this process's mappings of `file` (from /proc/self/smaps). */
  function residentKb(file: string): number {
    let kb = 0;
    let inFile = false;
    for (const line of fs.readFileSync('/proc/self/smaps', 'utf8').split('\n')) {
      if (/^[0-9a-f]+-[0-9a-f]+ /.test(line)) inFile = line.endsWith(file);
      else if (inFile && line.startsWith('Rss:')) kb += Number(line.split(/\s+/)[1]);
    }
    return kb;
  }

  test.if(process.platform === 'linux')('a release drops the LMDB pages a scan mapped; the rows read the same afterwards', async () => {
    const s = openStore({ warmCacheBytes: 0 });
    const t = await numbers(s, 3 * CHUNK_ROWS);
    const file = path.join(fs.realpathSync(dirs.at(-1)!), 'data.mdb');
    const a = s.begin();
    const first = column(a, t, 2);
    a.rollback();
    expect(residentKb(file)).toBeGreaterThan(1024);
    expect(new MapRelease(dirs.at(-1)!).release()).toBeGreaterThan(0);
    expect(residentKb(file)).toBeLessThan(64);
    const b = s.begin();
    expect(column(b, t, 2)).toEqual(first);
    b.rollback();
  });

  test.if(process.platform === 'linux')('the store releases as it reads: a cold scan past the threshold leaves its pages unmapped', async () => {
    const s = openStore({ warmCacheBytes: 0, releaseMappedBytes: 64 * 1024 });
    const t = await numbers(s, 3 * CHUNK_ROWS);
    const file = path.join(fs.realpathSync(dirs.at(-1)!), 'data.mdb');
    const a = s.begin();
    expect(column(a, t, 2).length).toBe(3 * CHUNK_ROWS);
    a.rollback();
    expect(residentKb(file)).toBeLessThan(64);
  });
});
