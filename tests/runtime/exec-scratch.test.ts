// The scratch pool (runtime/exec/scratch.ts): what it lends, what it takes back, and that joins and
// aggregates borrowing from it give right answers when statements run one after another and
// interleaved (one statement's stream paused while another runs its own joins). Also which plan
// nodes may reuse their output arrays from chunk to chunk (runtime/exec/transient.ts).

import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compileSql } from '../../compiler/index.ts';
import { physicalChildren } from '../../compiler/explain/index.ts';
import { T } from '../../compiler/ir/types.ts';
import type { PhysicalPlan } from '../../compiler/physical/plan.ts';
import { Engine, resultRows } from '../../runtime/index.ts';
import { giveBack, scratchFloat64, scratchInt32, scratchUint32Zeros } from '../../runtime/exec/scratch.ts';
import { transientOutputs } from '../../runtime/exec/transient.ts';
import { Store } from '../../runtime/storage/index.ts';

describe('scratch pool', () => {
  test('a returned array is lent again, filled as asked; small and foreign arrays pass through', () => {
    const a = scratchInt32(100_000, 7);
    expect(a.length).toBe(100_000);
    expect(a.every((x) => x === 7)).toBe(true);
    const buf = a.buffer;
    a.fill(3);
    giveBack(a);
    const b = scratchInt32(90_000, -1);
    expect(b.buffer).toBe(buf);
    expect(b.every((x) => x === -1)).toBe(true);
    const z = scratchUint32Zeros(50_000);
    expect(z.every((x) => x === 0)).toBe(true);
    giveBack(b);
    giveBack(z);
    // Small requests are ordinary arrays, zeroed.
    const small = scratchInt32(100, 0);
    expect(small.every((x) => x === 0)).toBe(true);
    giveBack(small);
    giveBack(new Float64Array(100_000));
    expect(scratchFloat64(100_000).buffer).not.toBe(buf);
  });

  test('a second return of the same array is ignored, so two borrowers never share a buffer', () => {
    const a = scratchInt32(70_000);
    giveBack(a);
    const b = scratchInt32(70_000);
    expect(b.buffer).toBe(a.buffer);
    giveBack(a); // stale: `a` was already returned once; b still holds the buffer
    const c = scratchInt32(70_000);
    expect(c.buffer).not.toBe(b.buffer);
    giveBack(b);
    giveBack(c);
  });
});

describe('joins and aggregates over scratch arrays', () => {
  let dir: string;
  let engine: Engine;
  const N = 60_000;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'orbit-scratch-'));
    engine = await Engine.open({ dataDir: dir });
    const s = engine.session();
    await s.query('CREATE TABLE p (id int PRIMARY KEY, grp int, v double precision)');
    await s.query('CREATE TABLE c (id int PRIMARY KEY, pid int, qty int)');
    // Parents with dense keys; children in parent order (merge probes) and a copy scattered (hash probes).
    await s.query(`INSERT INTO p SELECT g, g % 97, g * 0.5 FROM generate_series(1, ${N}) g`);
    await s.query(`INSERT INTO c SELECT g, (g + 1) / 2, g % 13 FROM generate_series(1, ${2 * N}) g`);
    await s.query('CREATE TABLE cs (id int PRIMARY KEY, pid int, qty int)');
    await s.query(`INSERT INTO cs SELECT g, ((g * 7919) % ${N}) + 1, g % 13 FROM generate_series(1, ${2 * N}) g`);
    // Sparse parent keys (too spread for a direct table): a probe in key order walks them.
    await s.query('CREATE TABLE sp (id int PRIMARY KEY, v int)');
    await s.query('CREATE TABLE sc (id int PRIMARY KEY, pid int, qty int)');
    await s.query(`INSERT INTO sp SELECT g * 64, g FROM generate_series(1, ${N / 6}) g`);
    await s.query(`INSERT INTO sc SELECT g, ((g + 1) / 2) * 64, g % 13 FROM generate_series(1, ${N / 3}) g`);
    // Statistics, so that each join builds on its smaller side and probes the filtered one.
    await s.query('ANALYZE');
    s.close();
  });
  afterAll(async () => {
    await engine.close();
    rmSync(dir, { recursive: true, force: true });
  });

  // Expected answers computed here, from the generating formulas.
  const expectSumByGroup = (scatter: boolean): Map<number, number> => {
    const m = new Map<number, number>();
    for (let g = 1; g <= 2 * N; g++) {
      const pid = scatter ? ((g * 7919) % N) + 1 : Math.floor((g + 1) / 2);
      if (pid % 3 !== 0) continue;
      const grp = pid % 97;
      m.set(grp, (m.get(grp) ?? 0) + (g % 13));
    }
    return m;
  };
  const queries = {
    merge: 'SELECT p.grp, sum(c.qty) FROM c JOIN p ON c.pid = p.id WHERE p.id % 3 = 0 GROUP BY p.grp',
    hash: 'SELECT p.grp, sum(cs.qty) FROM cs JOIN p ON cs.pid = p.id WHERE p.id % 3 = 0 GROUP BY p.grp',
    // Build side with duplicate keys (chains) and a probe of the parents.
    chain: 'SELECT p.grp, sum(cs.qty) FROM p JOIN cs ON cs.pid = p.id WHERE p.id % 3 = 0 GROUP BY p.grp',
  } as const;
  const asMap = (rows: unknown[][]): Map<number, number> => new Map(rows.map((r) => [Number(r[0]), Number(r[1])]));

  test('repeated joins of every build kind give the same answers', async () => {
    const s = engine.session();
    for (let round = 0; round < 3; round++) {
      expect(asMap(resultRows(await s.query(queries.merge)))).toEqual(expectSumByGroup(false));
      expect(asMap(resultRows(await s.query(queries.hash)))).toEqual(expectSumByGroup(true));
      expect(asMap(resultRows(await s.query(queries.chain)))).toEqual(expectSumByGroup(true));
    }
    s.close();
  });

  test('a filtered probe matches only the rows its filter passed (direct table and merge walk)', async () => {
    const s = engine.session();
    let count = 0;
    let sum = 0;
    for (let g = 1; g <= 2 * N; g++) if (g % 13 > 5) (count++, (sum += g % 13));
    let sparseCount = 0;
    let sparseSum = 0;
    for (let g = 1; g <= N / 3; g++) if (g % 13 > 5) (sparseCount++, (sparseSum += Math.floor((g + 1) / 2)));
    for (let round = 0; round < 2; round++) {
      const [dense] = resultRows(await s.query('SELECT count(*), sum(c.qty) FROM c JOIN p ON c.pid = p.id WHERE c.qty > 5'));
      expect([Number(dense![0]), Number(dense![1])]).toEqual([count, sum]);
      const [sparse] = resultRows(await s.query('SELECT count(*), sum(sp.v) FROM sc JOIN sp ON sc.pid = sp.id WHERE sc.qty > 5'));
      expect([Number(sparse![0]), Number(sparse![1])]).toEqual([sparseCount, sparseSum]);
    }
    s.close();
  });

  test('text columns through a left join into an aggregate, the build side filtered and projected', async () => {
    const s = engine.session();
    const want = new Map<string | null, number>();
    for (let g = 1; g <= 2 * N; g++) {
      const pid = Math.floor((g + 1) / 2);
      const key = pid % 5 === 0 ? `g${pid % 7}` : null;
      want.set(key, (want.get(key) ?? 0) + 1);
    }
    for (let round = 0; round < 2; round++) {
      const rows = resultRows(await s.query("SELECT t.s, count(*) FROM c LEFT JOIN (SELECT id, 'g' || (id % 7) AS s FROM p WHERE id % 5 = 0) t ON c.pid = t.id GROUP BY t.s"));
      expect(new Map(rows.map((r) => [r[0] as string | null, Number(r[1])]))).toEqual(want);
    }
    s.close();
  });

  test('a paused stream keeps its join tables while other statements borrow and return theirs', async () => {
    const a = engine.session();
    const b = engine.session();
    // A streams join output row by row (no aggregate): its build side stays borrowed while paused.
    let tripled = 0;
    for (let g = 1; g <= 2 * N; g++) tripled += Math.floor((g + 1) / 2) * 1.5;
    const events = a.stream('SELECT c.id, p.v FROM c JOIN p ON c.pid = p.id');
    const seen: number[] = [];
    let checked = 0;
    for await (const ev of events) {
      if (ev.kind !== 'batch') continue;
      const [ids, vs] = ev.batch.columns;
      for (let i = 0; i < ev.batch.length; i++) {
        const id = Number(ids![i]);
        expect(Number(vs![i])).toBe(Math.floor((id + 1) / 2) * 0.5);
        seen.push(id);
      }
      if (checked++ < 4) {
        // A build side as large as A's, with other values: it would overwrite A's if A's were returned early.
        expect(Number(resultRows(await b.query('SELECT sum(x.w) FROM c JOIN (SELECT id, v * 3 AS w FROM p) x ON c.pid = x.id'))[0]![0])).toBe(tripled);
        expect(asMap(resultRows(await b.query(queries.hash)))).toEqual(expectSumByGroup(true));
        expect(asMap(resultRows(await b.query(queries.chain)))).toEqual(expectSumByGroup(true));
      }
    }
    expect(checked).toBeGreaterThan(4);
    expect(new Set(seen).size).toBe(2 * N);
    a.close();
    b.close();
  });
});

describe('transient outputs', () => {
  let dir: string;
  let store: Store;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'orbit-transient-'));
    store = Store.open(dir, { noSync: true });
    await store.createTable({ name: 'a', columns: [{ name: 'id', type: T.int32, nullable: false }, { name: 'x', type: T.text, nullable: true }], primaryKey: ['id'] });
    await store.createTable({ name: 'b', columns: [{ name: 'id', type: T.int32, nullable: false }, { name: 'aid', type: T.int32, nullable: true }], primaryKey: ['id'] });
  });
  afterAll(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const kindsOf = (text: string): string[] => {
    const [st] = compileSql(text, store.catalog);
    if (!st?.physical) throw new Error(st?.diagnostics.map((d) => d.message).join('; '));
    const marked = transientOutputs(st.physical);
    const out: string[] = [];
    const walk = (p: PhysicalPlan): void => {
      if (marked.has(p)) out.push(p.kind);
      for (const k of physicalChildren(p)) walk(k);
    };
    walk(st.physical.plan);
    return out.sort();
  };

  test('a join feeding an aggregate, and both inputs of a hash join, are transient; the root is not', () => {
    const k = kindsOf('SELECT a.x, count(*) FROM b JOIN a ON b.aid = a.id WHERE a.id > 3 GROUP BY a.x');
    expect(k).toContain('hash-join');
    expect(k.filter((x) => x === 'seq-scan').length).toBe(2);
    expect(k).not.toContain('hash-aggregate');
  });
  test('consumers that keep chunks (sort, limit, the caller) make their inputs non-transient', () => {
    expect(kindsOf('SELECT b.id, a.x FROM b JOIN a ON b.aid = a.id ORDER BY a.x')).not.toContain('hash-join');
    expect(kindsOf('SELECT b.id, a.x FROM b JOIN a ON b.aid = a.id LIMIT 5')).not.toContain('hash-join');
    expect(kindsOf('SELECT b.id, a.x FROM b JOIN a ON b.aid = a.id')).not.toContain('hash-join');
  });
});
