// Single-row writes through the extended protocol (the engine's point-write path) with node-postgres:
// results, constraint errors, failed transaction blocks, and many clients committing together.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import pg from 'pg';
import { startServer, type TestServer } from './postgres-support.ts';

let server: TestServer;
let c: pg.Client;

const client = (): Promise<pg.Client> => server.client('bob', 'bank');

beforeAll(async () => {
  server = await startServer();
  c = await client();
  await c.query('create table branches (id int primary key, name text not null)');
  await c.query("insert into branches values (1, 'north'), (2, 'south')");
  await c.query(`create table accounts (id int primary key, branch int not null references branches (id), email text unique,
    balance int not null check (balance >= -100))`);
  await c.query('insert into accounts select g, 1 + g % 2, null, 0 from generate_series(1, 200) g');
});

afterAll(async () => {
  await c.end();
  await server.stop();
});

describe('one row by primary key, with parameters', () => {
  test('UPDATE, DELETE and INSERT report their row counts and change exactly one row', async () => {
    const u = await c.query('update accounts set balance = balance + $1 where id = $2', [25, 7]);
    expect([u.command, u.rowCount]).toEqual(['UPDATE', 1]);
    const missing = await c.query('update accounts set balance = balance + $1 where id = $2', [25, 9999]);
    expect([missing.command, missing.rowCount]).toEqual(['UPDATE', 0]);
    const i = await c.query('insert into accounts (id, branch, balance) values ($1, $2, $3)', [500, 2, 10]);
    expect([i.command, i.rowCount]).toEqual(['INSERT', 1]);
    const d = await c.query('delete from accounts where id = $1', [500]);
    expect([d.command, d.rowCount]).toEqual(['DELETE', 1]);
    const rows = await c.query('select id, balance from accounts where id in (6, 7, 8, 500) order by id');
    expect(rows.rows).toEqual([
      { id: 6, balance: 0 },
      { id: 7, balance: 25 },
      { id: 8, balance: 0 },
    ]);
  });

  test('CHECK, NOT NULL, UNIQUE and FOREIGN KEY violations keep their SQLSTATEs and leave the row as it was', async () => {
    await expect(c.query('update accounts set balance = balance - $1 where id = $2', [1000, 3])).rejects.toMatchObject({ code: '23514' });
    await c.query("update accounts set email = 'a@x' where id = $1", [4]);
    await expect(c.query('update accounts set email = $1 where id = $2', ['a@x', 5])).rejects.toMatchObject({ code: '23505' });
    await expect(c.query('update accounts set branch = $1 where id = $2', [99, 3])).rejects.toMatchObject({ code: '23503' });
    await expect(c.query('update accounts set branch = $1 where id = $2', [null, 3])).rejects.toMatchObject({ code: '23502' });
    await expect(c.query('insert into accounts (id, branch, balance) values ($1, $2, $3)', [3, 1, 0])).rejects.toMatchObject({ code: '23505' });
    const r = await c.query('select id, branch, email, balance from accounts where id in (3, 4, 5) order by id');
    expect(r.rows).toEqual([
      { id: 3, branch: 2, email: null, balance: 0 },
      { id: 4, branch: 1, email: 'a@x', balance: 0 },
      { id: 5, branch: 2, email: null, balance: 0 },
    ]);
  });

  test('inside BEGIN a failed write fails the block (25P02) until ROLLBACK, which undoes the earlier writes', async () => {
    await c.query('begin');
    await c.query('update accounts set balance = balance + $1 where id = $2', [1, 10]);
    await expect(c.query('update accounts set balance = $1 where id = $2', [-500, 11])).rejects.toMatchObject({ code: '23514' });
    await expect(c.query('update accounts set balance = $1 where id = $2', [1, 12])).rejects.toMatchObject({ code: '25P02' });
    await c.query('rollback');
    const r = await c.query('select id, balance from accounts where id in (10, 11, 12) order by id');
    expect(r.rows).toEqual([
      { id: 10, balance: 0 },
      { id: 11, balance: 0 },
      { id: 12, balance: 0 },
    ]);
  });

  test('a delete that cascades still removes the referencing rows', async () => {
    await c.query('create table cards (id int primary key, account int references accounts (id) on delete cascade)');
    await c.query('insert into cards values (1, 20), (2, 20), (3, 21)');
    const d = await c.query('delete from accounts where id = $1', [20]);
    expect(d.rowCount).toBe(1);
    expect((await c.query('select id from cards order by id')).rows).toEqual([{ id: 3 }]);
  });
});

describe('group commit', () => {
  test('32 clients updating at once: every acknowledged increment is there and a new connection sees them', async () => {
    const clients = await Promise.all(Array.from({ length: 32 }, () => client()));
    try {
      // Each client owns rows 101 + k and 133 + k (k < 32), so no two transactions meet.
      await Promise.all(
        clients.map(async (x, k) => {
          for (let i = 0; i < 25; i++) await x.query('update accounts set balance = balance + $1 where id = $2', [1, 101 + k + (i % 2) * 32]);
        }),
      );
      const r = await clients[0]!.query('select sum(balance)::int as total, count(*)::int as n from accounts where id between 101 and 164');
      expect(r.rows).toEqual([{ total: 32 * 25, n: 64 }]);
      const fresh = await client();
      expect((await fresh.query('select balance from accounts where id = $1', [101])).rows).toEqual([{ balance: 13 }]);
      await fresh.end();
    } finally {
      await Promise.all(clients.map((x) => x.end()));
    }
  });
});
