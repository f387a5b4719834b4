// The Engine/Session API end to end over real LMDB in a temp dir: SQL, transactions, errors, EXPLAIN.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Engine, OrbitError, resultRows, type Session } from '../../runtime/index.ts';

let dir: string;
let engine: Engine;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'orbit-engine-'));
  engine = await Engine.open({ dataDir: dir });
});
afterAll(async () => {
  await engine.close();
  rmSync(dir, { recursive: true, force: true });
});

async function rows(s: Session, sql: string, params: unknown[] = []): Promise<unknown[][]> {
  return resultRows(await s.query(sql, params));
}

async function sqlstate(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(OrbitError);
    return (e as OrbitError).sqlstate;
  }
  throw new Error('expected an error');
}

describe('statements and tags', () => {
  test('DDL, writes with RETURNING, queries and their command tags', async () => {
    const s = engine.session();
    const [create] = await s.execute('CREATE TABLE accounts (id int PRIMARY KEY, owner text NOT NULL, balance numeric(12,2) DEFAULT 0)');
    expect(create!.tag).toBe('CREATE TABLE');
    const ins = await s.query("INSERT INTO accounts (id, owner, balance) VALUES (1, 'ada', 100), (2, 'bob', 50), (3, 'cy', 0) RETURNING id, owner");
    expect(ins.tag).toBe('INSERT 0 3');
    expect(resultRows(ins)).toEqual([[1, 'ada'], [2, 'bob'], [3, 'cy']]);
    const upd = await s.query('UPDATE accounts SET balance = balance + 10 WHERE id >= 2');
    expect(upd.tag).toBe('UPDATE 2');
    const sel = await s.query('SELECT owner, balance FROM accounts ORDER BY id');
    expect(sel.tag).toBe('SELECT 3');
    expect(resultRows(sel)).toEqual([['ada', '100.00'], ['bob', '60.00'], ['cy', '10.00']]);
    expect(sel.columns.map((c) => [c.name, c.type.kind])).toEqual([['owner', 'utf8'], ['balance', 'decimal']]);
    const del = await s.query('DELETE FROM accounts WHERE id = 3 RETURNING owner');
    expect(del.tag).toBe('DELETE 1');
    expect(resultRows(del)).toEqual([['cy']]);
    s.close();
  });

  test('SELECT 1 is int4; parameters are typed from context', async () => {
    const s = engine.session();
    const r = await s.query('SELECT 1 AS one');
    expect(r.columns[0]!.type.kind).toBe('int32');
    await s.execute('CREATE TABLE kv (k text PRIMARY KEY, v bigint)');
    await s.execute('INSERT INTO kv VALUES ($1, $2)', ['a', 7n]);
    const p = s.prepare('SELECT v FROM kv WHERE k = $1');
    expect(p.paramTypes.map((t) => t.kind)).toEqual(['utf8']);
    expect(resultRows(await p.execute(['a']))).toEqual([[7n]]);
    expect(resultRows(await p.execute(['zz']))).toEqual([]);
    s.close();
  });

  test('errors carry SQLSTATE and a 1-based position', async () => {
    const s = engine.session();
    try {
      await s.query('SELECT nope FROM accounts');
      throw new Error('expected an error');
    } catch (e) {
      const err = e as OrbitError;
      expect(err.sqlstate).toBe('42703');
      expect(err.message).toBe('column "nope" does not exist');
      expect(err.position).toBe(8);
    }
    expect(await sqlstate(s.query("INSERT INTO accounts VALUES (1, 'dup', 1)"))).toBe('23505');
    expect(await sqlstate(s.query('SELECT 1/0'))).toBe('22012');
    expect(await sqlstate(s.query('SELEC 1'))).toBe('42601');
    s.close();
  });

  test('several statements in one call form an implicit transaction block', async () => {
    const s = engine.session();
    await s.execute('CREATE TABLE block_t (x int PRIMARY KEY)');
    expect(await sqlstate(s.execute('INSERT INTO block_t VALUES (1); INSERT INTO block_t VALUES (1)'))).toBe('23505');
    expect(await rows(s, 'SELECT count(*) FROM block_t')).toEqual([[0n]]);
    const results = await s.execute('INSERT INTO block_t VALUES (1); INSERT INTO block_t VALUES (2); SELECT count(*) FROM block_t');
    expect(results.map((r) => r.tag)).toEqual(['INSERT 0 1', 'INSERT 0 1', 'SELECT 1']);
    s.close();
  });

  test('date/time literals folded at compile time equal the same text cast at run time', async () => {
    const s = engine.session();
    const sql = `SELECT TIMESTAMP '2020-01-01 10:00+02', CAST(x AS timestamp), TIMESTAMPTZ '2020-01-01 10:00+02', CAST(x AS timestamptz),
                        DATE '0044-03-15 BC', CAST(y AS date)
                 FROM (VALUES ('2020-01-01 10:00+02', '0044-03-15 BC')) AS v(x, y)`;
    const [row] = await rows(s, sql);
    expect(row![0]).toBe(row![1]);
    expect(row![2]).toBe(row![3]);
    expect(row![4]).toBe(row![5]);
    expect(row![0]).toBe(Date.UTC(2020, 0, 1, 10) * 1000);
    expect(row![2]).toBe(Date.UTC(2020, 0, 1, 8) * 1000);
    s.close();
  });

  test('SET, SHOW and RESET', async () => {
    const s = engine.session();
    expect(await rows(s, 'SHOW statement_timeout')).toEqual([['0']]);
    await s.execute("SET statement_timeout = '5s'");
    expect(await rows(s, 'SHOW statement_timeout')).toEqual([['5000']]);
    await s.execute('RESET statement_timeout');
    expect(await rows(s, 'SHOW statement_timeout')).toEqual([['0']]);
    expect(await sqlstate(s.query('SHOW no_such_setting'))).toBe('42704');
    s.close();
  });
});

describe('transactions', () => {
  test('snapshot visibility, commit and rollback with two sessions interleaved', async () => {
    const a = engine.session();
    const b = engine.session();
    await a.execute('CREATE TABLE tx (id int PRIMARY KEY, v text)');
    await a.execute("INSERT INTO tx VALUES (1, 'one')");
    await a.execute('BEGIN');
    expect(a.transactionStatus).toBe('transaction');
    await a.execute("INSERT INTO tx VALUES (2, 'two')");
    expect(await rows(a, 'SELECT id FROM tx ORDER BY id')).toEqual([[1], [2]]);
    expect(await rows(b, 'SELECT id FROM tx ORDER BY id')).toEqual([[1]]);
    await b.execute('BEGIN');
    expect(await rows(b, 'SELECT count(*) FROM tx')).toEqual([[1n]]);
    await a.execute('COMMIT');
    // b's snapshot was taken before a committed.
    expect(await rows(b, 'SELECT count(*) FROM tx')).toEqual([[1n]]);
    await b.execute('COMMIT');
    expect(await rows(b, 'SELECT count(*) FROM tx')).toEqual([[2n]]);
    await a.execute("BEGIN; DELETE FROM tx; ROLLBACK");
    expect(await rows(a, 'SELECT count(*) FROM tx')).toEqual([[2n]]);
    a.close();
    b.close();
  });

  test('savepoints roll back part of a transaction', async () => {
    const s = engine.session();
    await s.execute('CREATE TABLE sp (id int PRIMARY KEY)');
    await s.execute('BEGIN; INSERT INTO sp VALUES (1); SAVEPOINT a; INSERT INTO sp VALUES (2)');
    await s.execute('ROLLBACK TO SAVEPOINT a');
    await s.execute('INSERT INTO sp VALUES (3); RELEASE SAVEPOINT a; COMMIT');
    expect(await rows(s, 'SELECT id FROM sp ORDER BY id')).toEqual([[1], [3]]);
    expect(await sqlstate(s.execute('SAVEPOINT outside'))).toBe('25P01');
    s.close();
  });

  test('an error aborts the transaction until ROLLBACK; COMMIT of a failed block rolls back', async () => {
    const s = engine.session();
    await s.execute('CREATE TABLE fail_t (id int PRIMARY KEY)');
    await s.execute('BEGIN; INSERT INTO fail_t VALUES (1)');
    expect(await sqlstate(s.query('SELECT * FROM no_such'))).toBe('42P01');
    expect(s.transactionStatus).toBe('failed');
    expect(await sqlstate(s.query('SELECT 1'))).toBe('25P02');
    const [commit] = await s.execute('COMMIT');
    expect(commit!.tag).toBe('ROLLBACK');
    expect(s.transactionStatus).toBe('idle');
    expect(await rows(s, 'SELECT count(*) FROM fail_t')).toEqual([[0n]]);
    s.close();
  });

  test('concurrent writers to the same row: the later writer gets 40001', async () => {
    const a = engine.session();
    const b = engine.session();
    await a.execute('CREATE TABLE conflict_t (id int PRIMARY KEY, n int)');
    await a.execute('INSERT INTO conflict_t VALUES (1, 0), (2, 0)');
    // Both write before either commits: the first committer wins, the second fails at COMMIT.
    await a.execute('BEGIN');
    await b.execute('BEGIN');
    await a.execute('UPDATE conflict_t SET n = n + 1 WHERE id = 1');
    await b.execute('UPDATE conflict_t SET n = n + 10 WHERE id = 1');
    await a.execute('COMMIT');
    expect(await sqlstate(b.execute('COMMIT'))).toBe('40001');
    expect(b.transactionStatus).toBe('idle');
    // The second writes after the first committed a change its snapshot cannot see: fails at once.
    await a.execute('BEGIN');
    await b.execute('BEGIN');
    await a.execute('UPDATE conflict_t SET n = n + 1 WHERE id = 2');
    await a.execute('COMMIT');
    expect(await sqlstate(b.execute('UPDATE conflict_t SET n = n + 10 WHERE id = 2'))).toBe('40001');
    expect(b.transactionStatus).toBe('failed');
    await b.execute('ROLLBACK');
    expect(await rows(a, 'SELECT id, n FROM conflict_t ORDER BY id')).toEqual([[1, 1], [2, 1]]);
    a.close();
    b.close();
  });
});

describe('cancellation, timeouts and EXPLAIN ANALYZE', () => {
  test('statement_timeout cancels a long statement with 57014', async () => {
    const s = engine.session();
    await s.execute("SET statement_timeout = '50ms'");
    expect(await sqlstate(s.query('SELECT count(*) FROM generate_series(1, 200000000) AS g(i) WHERE i % 7 = 3'))).toBe('57014');
    await s.execute('RESET statement_timeout');
    expect(await rows(s, 'SELECT 2')).toEqual([[2]]);
    s.close();
  });

  test('cancel() stops a running statement', async () => {
    const s = engine.session();
    const running = sqlstate(s.query('SELECT i FROM generate_series(1, 200000000) AS g(i)'));
    let settled = false;
    void running.finally(() => (settled = true));
    // A cancel before the statement starts has nothing to stop: cancel until it takes, however late the start.
    const deadline = Date.now() + 30_000;
    while (!settled && Date.now() < deadline) {
      s.cancel();
      await Bun.sleep(10);
    }
    expect(await running).toBe('57014');
    s.close();
  });

  test('EXPLAIN ANALYZE shows actual rows beside the estimates', async () => {
    const s = engine.session();
    await s.execute('CREATE TABLE ea (id int PRIMARY KEY, g int)');
    await s.execute('INSERT INTO ea SELECT i, i % 10 FROM generate_series(1, 1000) AS t(i)');
    await s.execute('ANALYZE ea');
    const text = (await rows(s, 'EXPLAIN ANALYZE SELECT g, count(*) FROM ea GROUP BY g')).map((r) => r[0]).join('\n');
    expect(text).toMatch(/rows=\d+/);
    expect(text).toMatch(/actual[^\n]*rows=10\b/);
    expect(text).toMatch(/actual[^\n]*rows=1000\b/);
    expect(text).toContain('Execution Time');
    s.close();
  });
});

describe('streams', () => {
  test('a caller that stops reading a stream early abandons the statement and its writes', async () => {
    const s = engine.session();
    await s.execute('CREATE TABLE abandon_t (id int PRIMARY KEY)');
    const it = s.stream('INSERT INTO abandon_t SELECT i FROM generate_series(1, 10) AS g(i) RETURNING id')[Symbol.asyncIterator]();
    expect((await it.next()).value?.kind).toBe('start');
    await it.return(undefined);
    expect(await rows(s, 'SELECT count(*) FROM abandon_t')).toEqual([[0n]]);
    s.close();
  });
});

describe('durability across reopen', () => {
  test('a data directory whose name has a dot in it is a directory, not a file name', async () => {
    const d = mkdtempSync(join(tmpdir(), 'orbit.dotted.'));
    try {
      const e = await Engine.open({ dataDir: join(d, 'data.v1') });
      const s = e.session();
      await s.execute('CREATE TABLE dotted (x int)');
      expect(await rows(s, 'SELECT count(*) FROM dotted')).toEqual([[0n]]);
      await e.close();
    } finally {
      rmSync(d, { recursive: true, force: true });
    }
  });

  test('rows, indexes and statistics survive close and reopen', async () => {
    const d = mkdtempSync(join(tmpdir(), 'orbit-reopen-'));
    try {
      let e = await Engine.open({ dataDir: d });
      let s = e.session();
      await s.execute('CREATE TABLE r (id int PRIMARY KEY, name text); CREATE INDEX r_name ON r (name)');
      await s.execute("INSERT INTO r VALUES (1, 'x'), (2, 'y')");
      await e.close();
      e = await Engine.open({ dataDir: d });
      s = e.session();
      expect(resultRows(await s.query("SELECT id FROM r WHERE name = 'y'"))).toEqual([[2]]);
      await e.close();
    } finally {
      rmSync(d, { recursive: true, force: true });
    }
  });
});
