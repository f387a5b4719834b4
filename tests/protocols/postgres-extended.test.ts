// Extended-protocol transactions and cancellation, RowDescription sources, and 1,000 concurrent connections.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import pg from 'pg';
import { cancelUntilSettled, errorFields, RawClient, startServer, type BackendMessage, type TestServer } from './postgres-support.ts';

let server: TestServer;

beforeAll(async () => {
  server = await startServer();
});

afterAll(async () => {
  await server.stop();
});

const parse = (sql: string, name = '') => RawClient.frame('P', (w) => w.cstring(name).cstring(sql).i16(0));
const bind = (statement = '') => RawClient.frame('B', (w) => w.cstring('').cstring(statement).i16(0).i16(0).i16(0));
const execute = () => RawClient.frame('E', (w) => w.cstring('').i32(0));
const describePortal = () => RawClient.frame('D', (w) => w.u8(0x50).cstring(''));
const sync = () => RawClient.frame('S');
const flush = () => RawClient.frame('H');
const types = (msgs: BackendMessage[]) => msgs.map((m) => m.type).join('');

const client = (): Promise<pg.Client> => server.client();

async function connected(): Promise<RawClient> {
  const raw = await RawClient.open(server.port);
  await raw.startup();
  return raw;
}

async function count(c: pg.Client, table: string): Promise<number> {
  return Number((await c.query(`select count(*) as n from ${table}`)).rows[0].n);
}

describe('the implicit transaction of an extended-protocol batch', () => {
  test('Executes up to Sync commit together, and nothing is visible to others before the Sync', async () => {
    const other = await client();
    const raw = await connected();
    try {
      await other.query('create table batch (id int primary key)');
      raw.send(parse('insert into batch values (1)'));
      raw.send(bind());
      raw.send(execute());
      raw.send(parse('insert into batch values (2)'));
      raw.send(bind());
      raw.send(execute());
      raw.send(flush());
      expect(types(await raw.until('C').then(async (first) => [...first, ...(await raw.until('C'))]))).toBe('12C12C');
      expect(await count(other, 'batch')).toBe(0);
      raw.send(sync());
      const z = await raw.until('Z');
      expect(types(z)).toBe('Z');
      expect(z[0]!.body[0]).toBe(0x49);
      expect(await count(other, 'batch')).toBe(2);
    } finally {
      raw.close();
      await other.end();
    }
  });

  test('an error anywhere in the batch rolls back the Executes before it', async () => {
    const other = await client();
    const raw = await connected();
    try {
      await other.query('create table batch2 (id int primary key)');
      raw.send(parse('insert into batch2 values (1)'));
      raw.send(bind());
      raw.send(execute());
      raw.send(parse('insert into batch2 values (1)'));
      raw.send(bind());
      raw.send(execute());
      raw.send(parse('insert into batch2 values (3)'));
      raw.send(bind());
      raw.send(execute());
      raw.send(sync());
      const msgs = await raw.until('Z');
      expect(types(msgs)).toBe('12C12EZ');
      expect(errorFields(msgs[5]!.body)['C']).toBe('23505');
      expect(await count(other, 'batch2')).toBe(0);
    } finally {
      raw.close();
      await other.end();
    }
  });

  test('inside BEGIN the batch belongs to the explicit transaction and Sync does not commit it', async () => {
    const other = await client();
    const raw = await connected();
    try {
      await other.query('create table batch3 (id int primary key)');
      raw.send(RawClient.frame('Q', (w) => w.cstring('begin')));
      await raw.until('Z');
      raw.send(parse('insert into batch3 values (7)'));
      raw.send(bind());
      raw.send(execute());
      raw.send(sync());
      const z = await raw.until('Z');
      expect(z[z.length - 1]!.body[0]).toBe(0x54);
      expect(await count(other, 'batch3')).toBe(0);
      raw.send(RawClient.frame('Q', (w) => w.cstring('commit')));
      await raw.until('Z');
      expect(await count(other, 'batch3')).toBe(1);
    } finally {
      raw.close();
      await other.end();
    }
  });
});

test('CancelRequest stops the Execute of a named prepared statement; the statement stays usable', async () => {
  const c = await client();
  try {
    await c.query('create table bigp (a int primary key)');
    await c.query('insert into bigp select g from generate_series(1, 1000) g');
    const slow = c.query({ name: 'cross', text: 'select x.a, y.a as b from bigp x, bigp y where x.a > $1', values: [0] }).catch((e: unknown) => e);
    await cancelUntilSettled(server.port, c as unknown as { processID: number; secretKey: number }, slow);
    expect(await slow).toMatchObject({ code: '57014' });
    const again = await c.query({ name: 'cross', text: 'select x.a, y.a as b from bigp x, bigp y where x.a > $1', values: [999] });
    expect(again.rowCount).toBe(1000);
  } finally {
    await c.end();
  }
}, 30_000);

test('RowDescription names the source table OID and column number of plain columns', async () => {
  const raw = await connected();
  try {
    raw.send(RawClient.frame('Q', (w) => w.cstring('create table src (a int primary key, b text, c int)')));
    await raw.until('Z');
    raw.send(parse('select c, a + 1 as computed, b from src where a = 1'));
    raw.send(bind());
    raw.send(describePortal());
    raw.send(sync());
    const msgs = await raw.until('Z');
    const t = msgs.find((m) => m.type === 'T')!.body;
    const fields: { name: string; table: number; column: number }[] = [];
    let p = 2;
    for (let i = 0; i < t.readInt16BE(0); i++) {
      const end = t.indexOf(0, p);
      fields.push({ name: t.subarray(p, end).toString(), table: t.readInt32BE(end + 1), column: t.readInt16BE(end + 5) });
      p = end + 19;
    }
    const c = await client();
    const oid = (await c.query("select oid from pg_class where relname = 'src'")).rows[0].oid as number;
    await c.end();
    expect(oid).toBeGreaterThan(0);
    expect(fields).toEqual([
      { name: 'c', table: oid, column: 3 },
      { name: 'computed', table: 0, column: 0 },
      { name: 'b', table: oid, column: 2 },
    ]);
  } finally {
    raw.close();
  }
});

test('1,000 concurrent connections are accepted and all answer', async () => {
  const n = 1000;
  const clients: pg.Client[] = [];
  try {
    for (let i = 0; i < n; i += 100) clients.push(...(await Promise.all(Array.from({ length: Math.min(100, n - i) }, () => client()))));
    const results = await Promise.all(clients.map((c, i) => c.query('select $1::int4 + 1 as v', [i])));
    expect(results.map((r) => r.rows[0].v)).toEqual(Array.from({ length: n }, (_, i) => i + 1));
  } finally {
    await Promise.all(clients.map((c) => c.end()));
  }
}, 60_000);
