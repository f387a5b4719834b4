// SQL tables sharded over three `orbit server` processes on one etcd: DDL everywhere, rows spread by primary key, statements through any node, failover.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Subprocess } from 'bun';
import pg from 'pg';
import { OrbitClient, SQL_SHARD_TYPE } from '../../runtime/cluster/index.ts';
import { keyShard, SQL_SHARDS } from '../../runtime/engine/sql-shards.ts';
import { encodeKey } from '../../runtime/storage/index.ts';
import { membersSeen, spawnNode, stopNodes } from '../support/cluster-node.ts';
import { startEtcd, type EtcdProcess } from '../runtime/cluster-etcd.ts';

const root = resolve(import.meta.dir, '../..');
const actorsModule = join(root, 'examples/actors.ts');
/** Seconds: small, so the failover test is quick. */
const LEASE_TTL = 3;
const ROWS = 1000;
const REGIONS = ['eu', 'us', 'apac', 'latam', 'mea'];

interface NodeProcess {
  readonly id: string;
  readonly proc: Subprocess;
  readonly grpc: OrbitClient;
  readonly sql: pg.Client;
}

let etcd: EtcdProcess;
let dir: string;
const nodes: NodeProcess[] = [];

/** The model the cluster's answers are checked against: id → row. */
const model = new Map<number, { owner: string; region: string; balance: number }>();

async function startNode(id: string): Promise<NodeProcess> {
  const { proc, grpcPort, pgPort } = await spawnNode({ id, dir, etcd: etcd.url, actors: actorsModule, leaseTtl: LEASE_TTL, pg: true });
  const sql = new pg.Client({ host: '127.0.0.1', port: pgPort!, user: 'orbit', database: 'orbit' });
  await sql.connect();
  return { id, proc, grpc: new OrbitClient(`127.0.0.1:${grpcPort}`), sql };
}

/** The shard of an int4 primary key, as the cluster computes it. */
const shardOfId = (id: number): number => keyShard(encodeKey([{ kind: 'int32' }], [id]));

/** Which node owns each SQL shard now, from the directory. */
async function owners(via: NodeProcess): Promise<Map<number, string>> {
  const m = new Map<number, string>();
  for (const c of await via.grpc.activations(SQL_SHARD_TYPE)) {
    expect(m.has(Number(c.key))).toBe(false);
    m.set(Number(c.key), c.node);
  }
  return m;
}

async function sqlError(p: Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await p;
  } catch (e) {
    const x = e as { code?: string; message: string };
    return { code: x.code ?? '', message: x.message };
  }
  throw new Error('expected an error');
}

function expectedTotals(): { count: number; sum: number } {
  let sum = 0;
  for (const r of model.values()) sum += r.balance;
  return { count: model.size, sum };
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'orbit-pg-cluster-'));
  etcd = await startEtcd();
  nodes.push(...(await Promise.all(['n1', 'n2', 'n3'].map(startNode))));
  await membersSeen(nodes.map((n) => n.grpc), 3);
}, 60_000);

afterAll(async () => {
  for (const n of nodes) await n.sql.end().catch(() => undefined);
  await stopNodes(nodes, dir);
  await etcd?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('SQL tables sharded over three nodes', () => {
  test('DDL run on one node is applied on every node; a table without a primary key is refused', async () => {
    const [n1, n2, n3] = nodes as [NodeProcess, NodeProcess, NodeProcess];
    await n1.sql.query('CREATE TABLE accounts (id int PRIMARY KEY, owner text NOT NULL, region text, balance bigint)');
    await n1.sql.query('CREATE TABLE regions (code text PRIMARY KEY, name text)');
    await n1.sql.query('CREATE INDEX accounts_region ON accounts (region)');
    for (const n of [n2, n3]) {
      expect((await n.sql.query('SELECT count(*)::int AS n FROM accounts')).rows).toEqual([{ n: 0 }]);
      const cols = await n.sql.query("SELECT column_name FROM information_schema.columns WHERE table_name = 'accounts' ORDER BY ordinal_position");
      expect(cols.rows.map((r) => r.column_name)).toEqual(['id', 'owner', 'region', 'balance']);
    }
    const e = await sqlError(n2.sql.query('CREATE TABLE loose (a int, b text)'));
    expect(e.code).toBe('0A000');
    expect(e.message).toBe('table "loose" needs a primary key in a cluster');
    await n3.sql.query('CREATE TABLE scratch (k int PRIMARY KEY)');
    await n2.sql.query('DROP TABLE scratch');
    expect((await sqlError(n1.sql.query('SELECT * FROM scratch'))).code).toBe('42P01');
  }, 30_000);

  test('1,000 rows inserted through one node; aggregates, order, point lookups and joins through another match a model', async () => {
    const [, n2, n3] = nodes as [NodeProcess, NodeProcess, NodeProcess];
    for (let i = 1; i <= ROWS; i++) model.set(i, { owner: `owner-${i}`, region: REGIONS[(i * 7) % REGIONS.length]!, balance: (i * 37) % 1000 });
    for (let start = 1; start <= ROWS; start += 100) {
      const values: string[] = [];
      const params: unknown[] = [];
      for (let i = start; i < start + 100; i++) {
        const r = model.get(i)!;
        values.push(`($${params.length + 1}, $${params.length + 2}, $${params.length + 3}, $${params.length + 4})`);
        params.push(i, r.owner, r.region, r.balance);
      }
      const res = await n2.sql.query(`INSERT INTO accounts (id, owner, region, balance) VALUES ${values.join(', ')}`, params);
      expect(res.rowCount).toBe(100);
    }
    await n3.sql.query("INSERT INTO regions VALUES ('eu', 'Europe'), ('us', 'United States'), ('apac', 'Asia Pacific'), ('latam', 'Latin America'), ('mea', 'Middle East and Africa')");

    const { count, sum } = expectedTotals();
    const totals = await n3.sql.query('SELECT count(*)::int AS n, sum(balance)::bigint AS s, avg(balance)::float8 AS a FROM accounts');
    expect(totals.rows[0]).toEqual({ n: count, s: String(sum), a: sum / count });

    const byRegion = new Map<string, { n: number; s: number }>();
    for (const r of model.values()) {
      const g = byRegion.get(r.region) ?? { n: 0, s: 0 };
      g.n++;
      g.s += r.balance;
      byRegion.set(r.region, g);
    }
    const grouped = await n3.sql.query('SELECT region, count(*)::int AS n, sum(balance)::int AS s FROM accounts GROUP BY region ORDER BY region');
    expect(grouped.rows).toEqual([...byRegion].sort(([a], [b]) => (a < b ? -1 : 1)).map(([region, g]) => ({ region, n: g.n, s: g.s })));

    const top = await n3.sql.query('SELECT id, balance::int AS balance FROM accounts ORDER BY balance DESC, id LIMIT 5');
    const expectedTop = [...model].sort(([ia, a], [ib, b]) => b.balance - a.balance || ia - ib).slice(0, 5).map(([id, r]) => ({ id, balance: r.balance }));
    expect(top.rows).toEqual(expectedTop);

    for (const id of [1, 500, 999]) {
      const r = model.get(id)!;
      expect((await n3.sql.query('SELECT owner, region FROM accounts WHERE id = $1', [id])).rows).toEqual([{ owner: r.owner, region: r.region }]);
    }
    expect((await n3.sql.query('SELECT owner FROM accounts WHERE id = 5000')).rows).toEqual([]);

    const filtered = await n3.sql.query('SELECT count(*)::int AS n FROM accounts WHERE balance > $1 AND region = $2', [500, 'eu']);
    expect(filtered.rows[0].n).toBe([...model.values()].filter((r) => r.balance > 500 && r.region === 'eu').length);

    const joined = await n3.sql.query('SELECT g.name, count(*)::int AS n FROM accounts a JOIN regions g ON g.code = a.region GROUP BY g.name ORDER BY g.name');
    const names: Record<string, string> = { eu: 'Europe', us: 'United States', apac: 'Asia Pacific', latam: 'Latin America', mea: 'Middle East and Africa' };
    expect(joined.rows).toEqual([...byRegion].map(([code, g]) => ({ name: names[code]!, n: g.n })).sort((a, b) => (a.name < b.name ? -1 : 1)));

    // A self-join reads the table twice in one statement.
    const pairs = await n3.sql.query('SELECT count(*)::int AS n FROM accounts a JOIN accounts b ON b.id = a.id + 1 WHERE a.region = b.region');
    let same = 0;
    for (let i = 1; i < ROWS; i++) if (model.get(i)!.region === model.get(i + 1)!.region) same++;
    expect(pairs.rows[0].n).toBe(same);
  }, 60_000);

  test('each node stores only the rows of its own shards, and the counts add up', async () => {
    const [n1] = nodes as [NodeProcess, NodeProcess, NodeProcess];
    const own = await owners(n1);
    expect(own.size).toBe(SQL_SHARDS);
    const perNode = new Map<string, number[]>();
    for (let s = 0; s < SQL_SHARDS; s++) {
      const r = (await n1.grpc.call(SQL_SHARD_TYPE, s, 'localRows', ['public', 'accounts'])) as { node: string; counts: number[] };
      expect(r.node).toBe(own.get(s)!);
      perNode.set(r.node, r.counts);
    }
    expect(perNode.size).toBeGreaterThan(1);
    let total = 0;
    for (const [node, counts] of perNode) {
      for (let s = 0; s < SQL_SHARDS; s++) {
        const expected = own.get(s) === node ? [...model.keys()].filter((id) => shardOfId(id) === s).length : 0;
        expect({ node, shard: s, rows: counts[s] }).toEqual({ node, shard: s, rows: expected });
        total += counts[s]!;
      }
    }
    expect(total).toBe(ROWS);
  }, 30_000);

  test('UPDATE and DELETE through other nodes are seen through every node', async () => {
    const [n1, n2, n3] = nodes as [NodeProcess, NodeProcess, NodeProcess];
    expect((await n1.sql.query('UPDATE accounts SET balance = 12345 WHERE id = 42')).rowCount).toBe(1);
    model.get(42)!.balance = 12345;
    const eu = await n2.sql.query("UPDATE accounts SET balance = balance + 1 WHERE region = 'eu'");
    let euRows = 0;
    for (const r of model.values()) if (r.region === 'eu') (r.balance++, euRows++);
    expect(eu.rowCount).toBe(euRows);
    const del = await n3.sql.query('DELETE FROM accounts WHERE id % 10 = 0');
    expect(del.rowCount).toBe(ROWS / 10);
    for (const id of [...model.keys()]) if (id % 10 === 0) model.delete(id);
    // A new primary key in another shard moves the row.
    expect((await n1.sql.query('UPDATE accounts SET id = 100001 WHERE id = 7')).rowCount).toBe(1);
    model.set(100001, model.get(7)!);
    model.delete(7);
    const { count, sum } = expectedTotals();
    for (const n of nodes) {
      const r = await n.sql.query('SELECT count(*)::int AS n, sum(balance)::bigint AS s FROM accounts');
      expect(r.rows[0]).toEqual({ n: count, s: String(sum) });
      expect((await n.sql.query('SELECT balance::int AS b FROM accounts WHERE id = 42')).rows).toEqual([{ b: 12345 }]);
      expect((await n.sql.query('SELECT owner FROM accounts WHERE id = 100001')).rows).toEqual([{ owner: 'owner-7' }]);
      expect((await n.sql.query('SELECT count(*)::int AS n FROM accounts WHERE id IN (7, 10, 20)')).rows).toEqual([{ n: 0 }]);
    }
    // A duplicate primary key is refused by the shard that owns it, whichever node the client uses.
    for (const n of nodes) expect((await sqlError(n.sql.query("INSERT INTO accounts VALUES (1, 'dup', 'eu', 0)"))).code).toBe('23505');
  }, 60_000);

  test('statements through every node at once: concurrent inserts and reads all land once', async () => {
    const writers = nodes.map(async (n, k) => {
      for (let batch = 0; batch < 10; batch++) {
        const ids = Array.from({ length: 5 }, (_, j) => 300_000 + k * 1000 + batch * 5 + j);
        const [inserted, counted] = await Promise.all([
          n.sql.query(`INSERT INTO accounts VALUES ${ids.map((id) => `(${id}, 'c${id}', 'us', 2)`).join(', ')}`),
          n.sql.query('SELECT count(*)::int AS n FROM accounts'),
        ]);
        expect(inserted.rowCount).toBe(5);
        expect(counted.rows[0].n).toBeGreaterThanOrEqual(model.size);
        for (const id of ids) model.set(id, { owner: `c${id}`, region: 'us', balance: 2 });
      }
    });
    await Promise.all(writers);
    const { count, sum } = expectedTotals();
    for (const n of nodes) expect((await n.sql.query('SELECT count(*)::int AS n, sum(balance)::bigint AS s FROM accounts')).rows[0]).toEqual({ n: count, s: String(sum) });
  }, 30_000);

  test('a transaction block may write only rows of shards its node owns: others get 0A000', async () => {
    const n1 = nodes[0]!;
    const own = await owners(n1);
    const remoteId = [...model.keys()].find((id) => own.get(shardOfId(id)) !== 'n1')!;
    const localId = [...model.keys()].find((id) => own.get(shardOfId(id)) === 'n1');
    await n1.sql.query('BEGIN');
    if (localId !== undefined) await n1.sql.query('UPDATE accounts SET owner = $1 WHERE id = $2', ['local-write', localId]);
    const e = await sqlError(n1.sql.query('UPDATE accounts SET owner = $1 WHERE id = $2', ['remote-write', remoteId]));
    expect(e.code).toBe('0A000');
    expect(e.message).toBe('multi-shard write transactions are not supported in a cluster');
    await n1.sql.query('ROLLBACK');
    expect((await n1.sql.query('SELECT owner FROM accounts WHERE id = $1', [remoteId])).rows).toEqual([{ owner: model.get(remoteId)!.owner }]);
    if (localId !== undefined) {
      await n1.sql.query('BEGIN');
      await n1.sql.query('UPDATE accounts SET owner = $1 WHERE id = $2', ['local-write', localId]);
      await n1.sql.query('COMMIT');
      model.get(localId)!.owner = 'local-write';
      expect((await nodes[2]!.sql.query('SELECT owner FROM accounts WHERE id = $1', [localId])).rows).toEqual([{ owner: 'local-write' }]);
    }
  }, 30_000);

  test("a dead node's shards are claimed by survivors and serve again, empty (rows are not replicated)", async () => {
    const [n1, n2, n3] = nodes as [NodeProcess, NodeProcess, NodeProcess];
    const own = await owners(n1);
    const lost = [...model.keys()].filter((id) => own.get(shardOfId(id)) === 'n3');
    expect(lost.length).toBeGreaterThan(0);
    await n3.sql.end().catch(() => undefined);
    n3.proc.kill('SIGKILL');
    await n3.proc.exited;
    // Retried once the dead node's lease expires: its shards are placed on survivors, empty there.
    for (const id of lost) model.delete(id);
    const { count, sum } = expectedTotals();
    expect((await n1.sql.query('SELECT count(*)::int AS n, sum(balance)::bigint AS s FROM accounts')).rows[0]).toEqual({ n: count, s: String(sum) });
    const back = lost[0]!;
    await n2.sql.query("INSERT INTO accounts VALUES ($1, 'again', 'eu', 1)", [back]);
    expect((await n1.sql.query('SELECT owner FROM accounts WHERE id = $1', [back])).rows).toEqual([{ owner: 'again' }]);
    const after = await owners(n1);
    expect(after.size).toBe(SQL_SHARDS);
    expect(new Set(after.values()).has('n3')).toBe(false);
    model.set(back, { owner: 'again', region: 'eu', balance: 1 });
  }, 40_000);

  test('a node that joins later replays the DDL log before it serves, then answers like the others', async () => {
    const n4 = await startNode('n4');
    nodes.push(n4);
    const { count, sum } = expectedTotals();
    expect((await n4.sql.query('SELECT count(*)::int AS n, sum(balance)::bigint AS s FROM accounts')).rows[0]).toEqual({ n: count, s: String(sum) });
    expect((await n4.sql.query("SELECT name FROM regions WHERE code = 'eu'")).rows).toEqual([{ name: 'Europe' }]);
    expect((await sqlError(n4.sql.query('SELECT * FROM scratch'))).code).toBe('42P01');
  }, 30_000);
});
