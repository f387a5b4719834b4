// PostgreSQL wire protocol with the real `pg` driver (and a raw client for binary formats) against a server on port 0.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import pg from 'pg';
import { cancelUntilSettled, RawClient, startServer, type TestServer } from './postgres-support.ts';

let server: TestServer;

/** Result values exactly as the server's text output, without pg's type parsing. */
const rawTypes = { getTypeParser: () => (v: string) => v };

const client = (): Promise<pg.Client> => server.client();

beforeAll(async () => {
  server = await startServer();
});

afterAll(async () => {
  await server.stop();
});

describe('postgres wire protocol with pg', () => {
  test('connects, reports parameters and runs a simple query', async () => {
    const c = await client();
    try {
      const r = await c.query('select 1 as one');
      expect(r.rows).toEqual([{ one: 1 }]);
      expect(r.fields[0]!.dataTypeID).toBe(23);
      expect((c as unknown as { processID: number }).processID).toBeGreaterThan(0);
      const shown = await c.query({ text: 'show server_version', types: rawTypes });
      expect(shown.rows[0].server_version).toContain('16');
    } finally {
      await c.end();
    }
  });

  test('RowDescription type OIDs and typmods', async () => {
    const c = await client();
    try {
      await c.query(`create table typed (
        a smallint, b integer, c bigint, d real, e double precision, f numeric(10,2), g boolean, h text,
        i varchar(12), j char(3), k bytea, l date, m timestamp, n timestamptz, o interval, p uuid, q json, r jsonb,
        s integer[], t text[])`);
      const r = await c.query('select * from typed');
      const oids = r.fields.map((f) => f.dataTypeID);
      expect(oids).toEqual([21, 23, 20, 700, 701, 1700, 16, 25, 1043, 1042, 17, 1082, 1114, 1184, 1186, 2950, 114, 3802, 1007, 1009]);
      const mods = Object.fromEntries(r.fields.map((f) => [f.name, f.dataTypeModifier]));
      expect(mods['f']).toBe(((10 << 16) | 2) + 4);
      expect(mods['i']).toBe(16);
      expect(mods['j']).toBe(7);
      expect(mods['b']).toBe(-1);
    } finally {
      await c.end();
    }
  });

  test('DDL, DML, command tags and several statements in one Query', async () => {
    const c = await client();
    try {
      const created = await c.query('create table kv (k int primary key, v text)');
      expect(created.command).toBe('CREATE');
      const ins = await c.query("insert into kv values (1, 'a'), (2, 'b'), (3, null)");
      expect(ins.command).toBe('INSERT');
      expect(ins.rowCount).toBe(3);
      const upd = await c.query("update kv set v = 'z' where k >= 2");
      expect(upd.rowCount).toBe(2);
      const multi = (await c.query('select k from kv order by k; select count(*) as n from kv; delete from kv where k = 3')) as unknown as pg.QueryResult[];
      expect(multi.length).toBe(3);
      expect(multi[0]!.rows.map((r) => r.k)).toEqual([1, 2, 3]);
      expect(multi[1]!.rows).toEqual([{ n: '3' }]);
      expect(multi[2]!.command).toBe('DELETE');
      expect(multi[2]!.rowCount).toBe(1);
      const empty = await c.query('');
      expect(empty.rows ?? []).toEqual([]);
    } finally {
      await c.end();
    }
  });

  test('an error in a multi-statement Query ends the rest and rolls back the implicit block', async () => {
    const c = await client();
    try {
      await c.query('create table blk (a int primary key)');
      await expect(c.query('insert into blk values (1); select 1/0; insert into blk values (2)')).rejects.toMatchObject({ code: '22012' });
      const r = await c.query('select count(*)::int as n from blk');
      expect(r.rows[0].n).toBe(0);
    } finally {
      await c.end();
    }
  });

  test('errors carry SQLSTATE, position and detail; the connection keeps working', async () => {
    const c = await client();
    try {
      const e1 = await c.query('select nosuch from (select 1 as a) t').catch((e: unknown) => e);
      expect(e1).toMatchObject({ code: '42703', position: '8' });
      const e2 = await c.query('selec 1').catch((e: unknown) => e);
      expect(e2).toMatchObject({ code: '42601', position: '1', severity: 'ERROR' });
      const e3 = await c.query('select * from missing_table').catch((e: unknown) => e);
      expect(e3).toMatchObject({ code: '42P01' });
      expect((await c.query('select 2 as two')).rows).toEqual([{ two: 2 }]);
    } finally {
      await c.end();
    }
  });

  test('transactions: BEGIN/COMMIT/ROLLBACK and an error giving status E', async () => {
    const c = await client();
    try {
      await c.query('create table tx (a int primary key)');
      await c.query('begin');
      await c.query('insert into tx values (1)');
      await c.query('commit');
      await c.query('begin');
      await c.query('insert into tx values (2)');
      await c.query('rollback');
      expect((await c.query('select a from tx')).rows).toEqual([{ a: 1 }]);
      await c.query('begin');
      await expect(c.query('select 1/0')).rejects.toMatchObject({ code: '22012' });
      await expect(c.query('select 1')).rejects.toMatchObject({ code: '25P02' });
      const end = await c.query('commit');
      expect(end.command).toBe('ROLLBACK');
      expect((await c.query('select 1 as ok')).rows).toEqual([{ ok: 1 }]);
    } finally {
      await c.end();
    }
  });

  test('ReadyForQuery reports I, T and E', async () => {
    const raw = await RawClient.open(server.port);
    try {
      const start = await raw.startup();
      expect(start.map((m) => m.type)).toContain('R');
      expect(start.map((m) => m.type)).toContain('K');
      const statuses: string[] = [];
      for (const sql of ['select 1', 'begin', 'select 1/0', 'rollback']) {
        raw.send(RawClient.frame('Q', (w) => w.cstring(sql)));
        const msgs = await raw.until('Z');
        statuses.push(String.fromCharCode(msgs[msgs.length - 1]!.body[0]!));
      }
      expect(statuses).toEqual(['I', 'T', 'E', 'I']);
    } finally {
      raw.close();
    }
  });

  test('extended protocol: parameters of every type round-trip in text', async () => {
    const c = await client();
    try {
      const cases: [string, unknown, string][] = [
        ['int2', 12, '12'],
        ['int4', -123456, '-123456'],
        ['int8', '9007199254740993', '9007199254740993'],
        ['float4', 1.5, '1.5'],
        ['float8', 0.1, '0.1'],
        ['numeric', '12345.6789', '12345.6789'],
        ['bool', true, 't'],
        ['text', 'héllo wörld', 'héllo wörld'],
        ['varchar', 'abc', 'abc'],
        ['bytea', Buffer.from([0, 1, 254, 255]), '\\x0001feff'],
        ['date', '2024-02-29', '2024-02-29'],
        ['timestamp', '2024-02-29 13:14:15.123456', '2024-02-29 13:14:15.123456'],
        ['timestamptz', '2024-02-29 13:14:15+00', '2024-02-29 13:14:15+00'],
        ['interval', '1 day 02:00:00', '1 day 02:00:00'],
        ['uuid', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'],
        ['jsonb', '{"a": 1}', '{"a": 1}'],
        ['int4[]', '{1,2,NULL}', '{1,2,NULL}'],
        ['text[]', '{a,"b c"}', '{a,"b c"}'],
      ];
      for (const [type, value, text] of cases) {
        const r = await c.query({ text: `select $1::${type} as v`, values: [value], types: rawTypes });
        expect([type, r.rows[0].v]).toEqual([type, text]);
      }
      const nul = await c.query('select $1::int4 as v', [null]);
      expect(nul.rows[0].v).toBeNull();
    } finally {
      await c.end();
    }
  });

  test('extended protocol: parameters into a table and back, named prepared statements', async () => {
    const c = await client();
    try {
      await c.query('create table people (id int primary key, name text, born date, score numeric(6,2), tags text[])');
      for (let i = 1; i <= 20; i++) {
        await c.query({ name: 'ins', text: 'insert into people values ($1, $2, $3, $4, $5)', values: [i, `p${i}`, '2000-01-02', `${i}.25`, `{x${i}}`] });
      }
      const r = await c.query({ name: 'one', text: 'select name, score, tags from people where id = $1', values: [7] });
      expect(r.rows).toEqual([{ name: 'p7', score: '7.25', tags: ['x7'] }]);
      const again = await c.query({ name: 'one', text: 'select name, score, tags from people where id = $1', values: [8] });
      expect(again.rows[0].name).toBe('p8');
      const n = await c.query('select count(*) as n from people where id > $1 and name like $2', [10, 'p1%']);
      expect(n.rows[0].n).toBe('9');
    } finally {
      await c.end();
    }
  });

  test('binary results through pg (values whose bytes are ASCII-safe for its decoder)', async () => {
    const c = await client();
    try {
      // `binary` is a pg query option its type declarations lack.
      const config: pg.QueryConfig = { text: "select $1::int4 as a, true as b, 'xyz'::text as c, 66::int8 as d", values: ['65'], types: rawTypes };
      const r = await c.query(Object.assign(config, { binary: true }));
      // In binary mode pg hands each parser a Buffer.
      const row = r.rows[0] as Record<string, Buffer>;
      expect([...row['a']!]).toEqual([0, 0, 0, 65]);
      expect([...row['b']!]).toEqual([1]);
      expect(row['c']!.toString()).toBe('xyz');
      expect([...row['d']!]).toEqual([0, 0, 0, 0, 0, 0, 0, 66]);
      expect(r.fields.every((f) => f.format === 'binary')).toBe(true);
    } finally {
      await c.end();
    }
  });

  test('100 concurrent clients', async () => {
    const clients = await Promise.all(Array.from({ length: 100 }, () => client()));
    try {
      const results = await Promise.all(clients.map((c, i) => c.query('select $1::int4 * 2 as v', [i])));
      expect(results.map((r) => r.rows[0].v)).toEqual(Array.from({ length: 100 }, (_, i) => i * 2));
    } finally {
      await Promise.all(clients.map((c) => c.end()));
    }
  });

  test('cancellation with a CancelRequest on a new connection', async () => {
    const c = await client();
    try {
      await c.query('create table big (a int primary key)');
      await c.query('insert into big select g from generate_series(1, 1000) g');
      const slow = c.query('select x.a, y.a as b from big x, big y').catch((e: unknown) => e);
      // The server closes a cancel connection without answering; cancelled as soon as it runs, however late it starts.
      await cancelUntilSettled(server.port, c as unknown as { processID: number; secretKey: number }, slow);
      const e = await slow;
      expect(e).toMatchObject({ code: '57014' });
      expect((await c.query('select 3 as three')).rows).toEqual([{ three: 3 }]);
    } finally {
      await c.end();
    }
  }, 30_000);
});
