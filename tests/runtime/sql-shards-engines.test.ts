// Two real engines (LMDB in temp dirs) splitting SQL tables into shards, joined by a loopback transport: what each statement ships, and where rows land.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TableInfo } from '../../compiler/index.ts';
import { applyDdl } from '../../runtime/cluster/sql-shards.ts';
import { ClusterSql, fromWire, keyShard, rowShard, serveApply, serveScan, ShardedTxn, SQL_SHARDS, toWire, type ScanRequest, type ShardTransport } from '../../runtime/engine/sql-shards.ts';
import { Engine, OrbitError, resultRows, type Session } from '../../runtime/index.ts';
import { encodeKey } from '../../runtime/storage/index.ts';

let dir: string;
/** Engine i owns the shards s with s % 2 === i. */
const engines: Engine[] = [];
const owner = (shard: number): number => shard % 2;

/** What the transports shipped: scan calls (request, shards asked, rows returned) and write batches. */
interface Shipped {
  scans: { from: number; to: number; request: ScanRequest; shards: readonly number[]; rows: number }[];
  applies: { from: number; to: number; shards: readonly number[]; ops: number }[];
}
const shipped: Shipped = { scans: [], applies: [] };

function lookup(e: Engine): (schema: string, name: string) => TableInfo | undefined {
  return (schema, name) => {
    const r = e.catalog.getRelation(schema, name);
    return r?.kind === 'table' ? r : undefined;
  };
}

/** The transport of engine `me`: a call to another shard runs straight on the owning engine's store, as the shard actor does. */
function loopback(me: number): ShardTransport {
  return {
    hosts: (shard) => owner(shard) === me,
    scan: async (shard, request, shards) => {
      const to = owner(shard);
      const covered = shards.filter((s) => owner(s) === to);
      const txn = engines[to]!.store.begin();
      try {
        const reply = serveScan(lookup(engines[to]!), txn, request, covered);
        shipped.scans.push({ from: me, to, request: fromWire(request) as ScanRequest, shards: covered, rows: reply.count });
        return { ...reply, node: `n${to}` };
      } finally {
        txn.rollback();
      }
    },
    apply: async (shard, writes) => {
      const to = owner(shard);
      const covered = writes.map(([s]) => s).filter((s) => owner(s) === to);
      shipped.applies.push({ from: me, to, shards: covered, ops: writes.filter(([s]) => covered.includes(s)).reduce((n, [, ops]) => n + ops.length, 0) });
      return { ...(await serveApply(lookup(engines[to]!), engines[to]!.store.begin(), writes, covered)), node: `n${to}` };
    },
    logDdl: async (text) => {
      for (const [i, e] of engines.entries()) if (i !== me) await applyDdl(e, text);
    },
  };
}

async function rows(s: Session, sql: string, params: unknown[] = []): Promise<unknown[][]> {
  return resultRows(await s.query(sql, params));
}

const shardOfId = (id: number): number => keyShard(encodeKey([{ kind: 'int32' }], [id]));

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'orbit-sql-shards-'));
  for (let i = 0; i < 2; i++) engines.push(await Engine.open({ dataDir: join(dir, `n${i}`), sync: false }));
  engines.forEach((e, i) => (e.sqlShards = new ClusterSql(loopback(i))));
  const a = engines[0]!.session();
  await a.execute('CREATE TABLE items (id int PRIMARY KEY, kind text NOT NULL, qty int, note text)');
  await a.execute('CREATE INDEX items_kind ON items (kind)');
  const values = Array.from({ length: 200 }, (_, i) => `(${i + 1}, 'k${(i + 1) % 5}', ${(i + 1) * 3}, 'note ${i + 1}')`);
  await a.execute(`INSERT INTO items VALUES ${values.join(', ')}`);
});

afterAll(async () => {
  for (const e of engines) await e.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('SQL shards between two engines', () => {
  test('DDL reached the other engine; each engine stores only its own shards\' rows; one write batch for the other engine', async () => {
    expect(engines[1]!.catalog.getRelation('public', 'items')?.kind).toBe('table');
    const table = lookup(engines[0]!)('public', 'items')!;
    let total = 0;
    for (const [i, e] of engines.entries()) {
      const t = lookup(e)('public', 'items')!;
      const txn = e.store.begin();
      for (const batch of txn.scan(t, 1000)) for (const r of batch) {
        expect(owner(rowShard(r.key))).toBe(i);
        total++;
      }
      txn.rollback();
    }
    expect(total).toBe(200);
    expect(table.primaryKey).toEqual(['id']);
    const remoteShards = new Set(Array.from({ length: 200 }, (_, i) => shardOfId(i + 1)).filter((s) => owner(s) === 1));
    expect(shipped.applies.length).toBe(1);
    expect(shipped.applies[0]!).toMatchObject({ from: 0, to: 1 });
    expect([...shipped.applies[0]!.shards].sort((a, b) => a - b)).toEqual([...remoteShards].sort((a, b) => a - b));
    expect(shipped.applies.reduce((n, a) => n + a.ops, 0)).toBe(Array.from({ length: 200 }, (_, i) => i + 1).filter((id) => owner(shardOfId(id)) === 1).length);
  });

  test('a filtered scan ships only matching rows and only the columns it reads, one call to the other engine', async () => {
    shipped.scans.length = 0;
    const s = engines[1]!.session();
    const got = await rows(s, 'SELECT id, qty FROM items WHERE qty > $1 ORDER BY id', [540]);
    expect(got).toEqual(Array.from({ length: 200 }, (_, i) => i + 1).filter((id) => id * 3 > 540).map((id) => [id, id * 3]));
    expect(shipped.scans.length).toBe(1);
    const [scan] = shipped.scans;
    expect(scan!.to).toBe(0);
    expect([...scan!.shards].sort((a, b) => a - b)).toEqual(Array.from({ length: SQL_SHARDS / 2 }, (_, i) => i * 2));
    expect(scan!.request.filter).toBeDefined();
    expect(scan!.request.columns.map((c) => c.name).sort()).toEqual(['id', 'qty']);
    expect(scan!.rows).toBe(got.filter(([id]) => owner(shardOfId(id as number)) === 0).length);
  });

  test('a filter calling a volatile or session function is not pushed: it runs once, here', async () => {
    shipped.scans.length = 0;
    const s = engines[1]!.session({ user: 'k1' });
    expect(await rows(s, 'SELECT count(*)::int FROM items WHERE kind = current_user')).toEqual([[40]]);
    expect(await rows(s, 'SELECT count(*)::int FROM items WHERE random() < 2')).toEqual([[200]]);
    expect(shipped.scans.length).toBe(2);
    for (const scan of shipped.scans) {
      expect(scan.request.filter).toBeUndefined();
      expect(scan.rows).toBe(Array.from({ length: 200 }, (_, i) => i + 1).filter((id) => owner(shardOfId(id)) === 0).length);
    }
  });

  test('a primary-key lookup asks one shard only (none when the row is local)', async () => {
    const s = engines[1]!.session();
    const remote = Array.from({ length: 200 }, (_, i) => i + 1).find((id) => owner(shardOfId(id)) === 0)!;
    const local = Array.from({ length: 200 }, (_, i) => i + 1).find((id) => owner(shardOfId(id)) === 1)!;
    shipped.scans.length = 0;
    expect(await rows(s, 'SELECT kind, note FROM items WHERE id = $1', [remote])).toEqual([[`k${remote % 5}`, `note ${remote}`]]);
    expect(shipped.scans.map((x) => x.shards)).toEqual([[shardOfId(remote)]]);
    expect(shipped.scans[0]!.rows).toBe(1);
    shipped.scans.length = 0;
    expect(await rows(s, 'SELECT kind FROM items WHERE id = $1', [local])).toEqual([[`k${local % 5}`]]);
    expect(shipped.scans).toEqual([]);
    // Repeated, the lookups take the engine's short path when the row is local, and are routed when it is not.
    for (let i = 0; i < 3; i++) {
      expect(await rows(s, 'SELECT kind, note FROM items WHERE id = $1', [local])).toEqual([[`k${local % 5}`, `note ${local}`]]);
      expect(await rows(s, 'SELECT kind, note FROM items WHERE id = $1', [remote])).toEqual([[`k${remote % 5}`, `note ${remote}`]]);
    }
    expect(shipped.scans.length).toBe(3);
    // Inside a block the short path reads the block's own writes.
    await s.query('BEGIN');
    await s.query("UPDATE items SET note = 'mine' WHERE id = $1", [local]);
    for (let i = 0; i < 2; i++) expect(await rows(s, 'SELECT note FROM items WHERE id = $1', [local])).toEqual([['mine']]);
    const prepared = s.prepare('SELECT note FROM items WHERE id = $1');
    expect(resultRows(await prepared.execute([local]))).toEqual([['mine']]);
    expect(resultRows(await prepared.execute([remote]))).toEqual([[`note ${remote}`]]);
    await s.query('ROLLBACK');
    expect(await rows(s, 'SELECT note FROM items WHERE id = $1', [local])).toEqual([[`note ${local}`]]);
  });

  test('index lookups, ranges, self-joins and aggregates over both engines give the single-node answers', async () => {
    const s = engines[0]!.session();
    const ids = Array.from({ length: 200 }, (_, i) => i + 1);
    expect(await rows(s, "SELECT id FROM items WHERE kind = 'k2' ORDER BY id")).toEqual(ids.filter((id) => id % 5 === 2).map((id) => [id]));
    expect(await rows(s, 'SELECT id FROM items WHERE id BETWEEN 17 AND 23 ORDER BY id')).toEqual([[17], [18], [19], [20], [21], [22], [23]]);
    expect(await rows(s, 'SELECT count(*)::int, sum(qty)::int FROM items')).toEqual([[200, ids.reduce((a, b) => a + b * 3, 0)]]);
    expect(await rows(s, 'SELECT kind, count(*)::int FROM items GROUP BY kind ORDER BY kind')).toEqual(['k0', 'k1', 'k2', 'k3', 'k4'].map((k) => [k, 40]));
    expect(await rows(s, 'SELECT count(*)::int FROM items a JOIN items b ON b.id = a.id * 2')).toEqual([[100]]);
    expect(await rows(s, 'SELECT id FROM items WHERE id IN (SELECT id * 50 FROM items WHERE id < 5) ORDER BY id')).toEqual([[50], [100], [150], [200]]);
  });

  test('writes through the other engine: UPDATE by key and by predicate, DELETE, a key that moves shards', async () => {
    const s = engines[1]!.session();
    expect((await s.query("UPDATE items SET note = 'changed' WHERE id = 4")).rowCount).toBe(1);
    expect((await s.query('UPDATE items SET qty = qty + 1000 WHERE kind = $1', ['k3'])).rowCount).toBe(40);
    expect((await s.query('DELETE FROM items WHERE qty > 1000')).rowCount).toBe(40);
    const moving = Array.from({ length: 200 }, (_, i) => i + 1).find((id) => id % 5 !== 3 && owner(shardOfId(id)) !== owner(shardOfId(id + 1000)))!;
    expect((await s.query('UPDATE items SET id = id + 1000 WHERE id = $1', [moving])).rowCount).toBe(1);
    for (const e of engines) {
      const t = e.session();
      expect(await rows(t, 'SELECT count(*)::int FROM items')).toEqual([[160]]);
      expect(await rows(t, 'SELECT note FROM items WHERE id = 4')).toEqual([['changed']]);
      expect(await rows(t, 'SELECT id FROM items WHERE id IN ($1, $2) ORDER BY id', [moving, moving + 1000])).toEqual([[moving + 1000]]);
    }
  });

  test('refusals: duplicate keys on either engine (23505), ON CONFLICT and a remote write inside BEGIN (0A000), tables without a primary key', async () => {
    const s = engines[1]!.session();
    const state = async (p: Promise<unknown>): Promise<string> => {
      try {
        await p;
      } catch (e) {
        expect(e).toBeInstanceOf(OrbitError);
        return (e as OrbitError).sqlstate;
      }
      return 'ok';
    };
    // Rows the previous test left in place (not deleted, not moved).
    const kept = Array.from({ length: 50 }, (_, i) => i + 151).filter((id) => id % 5 !== 3);
    const remote = kept.find((id) => owner(shardOfId(id)) === 0)!;
    const local = kept.find((id) => owner(shardOfId(id)) === 1)!;
    expect(await state(s.query(`INSERT INTO items VALUES (${remote}, 'x', 1, 'x')`))).toBe('23505');
    expect(await state(s.query(`INSERT INTO items VALUES (${local}, 'x', 1, 'x')`))).toBe('23505');
    expect(await state(s.query(`INSERT INTO items VALUES (${remote}, 'x', 1, 'x') ON CONFLICT (id) DO NOTHING`))).toBe('0A000');
    await s.query('BEGIN');
    expect(await state(s.query(`UPDATE items SET note = 'block' WHERE id = ${local}`))).toBe('ok');
    expect(await state(s.query(`UPDATE items SET note = 'block' WHERE id = ${remote}`))).toBe('0A000');
    await s.query('ROLLBACK');
    expect(await rows(s, 'SELECT count(*)::int FROM items WHERE note = $1', ['block'])).toEqual([[0]]);
    expect(await state(s.query('CREATE TABLE heap (a int)'))).toBe('0A000');
    expect(await state(s.query('CREATE TABLE copy AS SELECT * FROM items'))).toBe('0A000');
  });

  test('a shard answer larger than a reply may carry is refused with 54000, as data', () => {
    const e = engines[0]!;
    const table = lookup(e)('public', 'items')!;
    const request = toWire({ schema: 'public', table: 'items', columns: table.columns.map((c) => ({ id: c.ordinal + 1, name: c.name, type: c.type, nullable: true, ordinal: c.ordinal })), params: [], now: 0 });
    const all = Array.from({ length: SQL_SHARDS }, (_, i) => i);
    const txn = e.store.begin();
    try {
      expect(serveScan(lookup(e), txn, request, all).rows.length).toBeGreaterThan(0);
      const refused = serveScan(lookup(e), txn, request, all, 200);
      expect(refused.count).toBe(0);
      expect(refused.rows.length).toBe(0);
      expect(refused.error?.sqlstate).toBe('54000');
      expect(refused.error?.message).toBe('rows of "items" one node sends for a statement exceed 200 bytes');
      expect(serveScan(lookup(e), txn, toWire({ schema: 'public', table: 'nope', columns: [], params: [], now: 0 }), all).error).toEqual({ sqlstate: '42P01', message: 'relation "nope" does not exist on this node' });
    } finally {
      txn.rollback();
    }
  });

  test('a single engine (no cluster) begins plain transactions', async () => {
    const plain = await Engine.open({ dataDir: join(dir, 'single'), sync: false });
    try {
      const txn = plain.begin();
      expect(txn).not.toBeInstanceOf(ShardedTxn);
      txn.rollback();
      expect(plain.sqlShards).toBeUndefined();
    } finally {
      await plain.close();
    }
  });
});
