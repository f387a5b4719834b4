// Primary-key lookups through the extended protocol, which the session answers without waiting
// (Execute to ReadyForQuery in one pass): results, errors, transaction blocks, stale plans, and a
// pipelined batch mixing them with writes, read back message by message.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import pg from 'pg';
import { dataRowFields, errorFields, RawClient, startServer, type BackendMessage, type TestServer } from './postgres-support.ts';

let server: TestServer;
let c: pg.Client;

const client = (): Promise<pg.Client> => server.client('ann', 'shop');

const lookup = { name: 'lookup', text: 'select qty, label from items where id = $1' };

beforeAll(async () => {
  server = await startServer();
  c = await client();
  await c.query('create table items (id int primary key, qty int not null, label text)');
  await c.query("insert into items select g, g * 10, 'item ' || g from generate_series(1, 100) g");
});

afterAll(async () => {
  await c.end();
  await server.stop();
});

describe('a prepared lookup by primary key', () => {
  test('returns the row, no row for a missing or NULL key, and stays usable after a bad parameter', async () => {
    expect((await c.query({ ...lookup, values: [7] })).rows).toEqual([{ qty: 70, label: 'item 7' }]);
    const missing = await c.query({ ...lookup, values: [7000] });
    expect([missing.command, missing.rowCount, missing.rows]).toEqual(['SELECT', 0, []]);
    expect((await c.query({ ...lookup, values: [null] })).rows).toEqual([]);
    const bad = await c.query({ ...lookup, values: ['seven'] }).catch((e: pg.DatabaseError) => e);
    expect(bad).toBeInstanceOf(Error);
    expect((bad as pg.DatabaseError).code).toBe('22P02');
    expect((await c.query({ ...lookup, values: [8] })).rows).toEqual([{ qty: 80, label: 'item 8' }]);
  });

  test('inside BEGIN it sees the block’s own writes, others do not until COMMIT; after an error it is refused with 25P02', async () => {
    const other = await client();
    try {
      await c.query('begin');
      await c.query('update items set qty = $1 where id = $2', [-1, 11]);
      expect((await c.query({ ...lookup, values: [11] })).rows).toEqual([{ qty: -1, label: 'item 11' }]);
      expect((await other.query({ ...lookup, values: [11] })).rows).toEqual([{ qty: 110, label: 'item 11' }]);
      await c.query('commit');
      expect((await other.query({ ...lookup, values: [11] })).rows).toEqual([{ qty: -1, label: 'item 11' }]);

      await c.query('begin');
      await expect(c.query('select 1 / 0')).rejects.toMatchObject({ code: '22012' });
      await expect(c.query({ ...lookup, values: [11] })).rejects.toMatchObject({ code: '25P02' });
      await c.query('rollback');
      expect((await c.query({ ...lookup, values: [12] })).rows).toEqual([{ qty: 120, label: 'item 12' }]);
    } finally {
      await other.end();
    }
  });

  test('a statement prepared before ALTER TABLE is planned again and still answers', async () => {
    const x = await client();
    try {
      expect((await x.query({ ...lookup, values: [20] })).rows).toEqual([{ qty: 200, label: 'item 20' }]);
      await c.query('alter table items add column note text');
      await c.query("update items set note = 'n', qty = 201 where id = 20");
      expect((await x.query({ ...lookup, values: [20] })).rows).toEqual([{ qty: 201, label: 'item 20' }]);
    } finally {
      await x.end();
    }
  });
});

describe('a pipelined batch up to one Sync', () => {
  let statements = 0;
  /** Parse (fresh statement names), then per step Bind and Execute of the unnamed portal, then one Sync: the messages that come back. */
  async function batch(raw: RawClient, steps: { sql: string; params: (string | null)[] }[]): Promise<BackendMessage[]> {
    const frames: Uint8Array[] = [];
    const first = statements;
    statements += steps.length;
    steps.forEach((s, i) => frames.push(RawClient.frame('P', (w) => w.cstring(`s${first + i}`).cstring(s.sql).i16(0))));
    steps.forEach((s, i) => {
      frames.push(
        RawClient.frame('B', (w) => {
          w.cstring('').cstring(`s${first + i}`).i16(0).i16(s.params.length);
          for (const p of s.params) {
            if (p === null) w.i32(-1);
            else w.i32(Buffer.byteLength(p)).text(p);
          }
          w.i16(0);
        }),
        RawClient.frame('E', (w) => w.cstring('').i32(0)),
      );
    });
    frames.push(RawClient.frame('S'));
    raw.send(Buffer.concat(frames));
    return raw.until('Z');
  }

  test('lookups and a write answer in order, commit together at Sync, and an error skips the rest', async () => {
    const raw = await RawClient.open(server.port);
    try {
      await raw.startup();
      const select = 'select qty from items where id = $1';
      const ok = await batch(raw, [
        { sql: select, params: ['30'] },
        { sql: 'update items set qty = qty + $1 where id = $2', params: ['5', '30'] },
        { sql: select, params: ['30'] },
        { sql: select, params: ['9999'] },
      ]);
      const types = ok.map((m) => m.type).join('');
      expect(types).toBe('1111' + '2DC' + '2C' + '2DC' + '2C' + 'Z');
      const rows = ok.filter((m) => m.type === 'D').map((m) => dataRowFields(m.body)[0]!.toString());
      expect(rows).toEqual(['300', '305']);
      const tags = ok.filter((m) => m.type === 'C').map((m) => m.body.subarray(0, -1).toString());
      expect(tags).toEqual(['SELECT 1', 'UPDATE 1', 'SELECT 1', 'SELECT 0']);
      expect(ok.at(-1)!.body.toString()).toBe('I');
      expect((await c.query({ ...lookup, values: [30] })).rows[0].qty).toBe(305);

      // The bad parameter fails the batch at the second lookup: the write before it is rolled back,
      // the lookup after it is skipped, and ReadyForQuery still comes.
      const failed = await batch(raw, [
        { sql: 'update items set qty = qty + $1 where id = $2', params: ['5', '30'] },
        { sql: select, params: ['thirty'] },
        { sql: select, params: ['30'] },
      ]);
      expect(failed.map((m) => m.type).join('')).toBe('111' + '2C' + '2E' + 'Z');
      expect(errorFields(failed.find((m) => m.type === 'E')!.body)['C']).toBe('22P02');
      expect((await c.query({ ...lookup, values: [30] })).rows[0].qty).toBe(305);
    } finally {
      raw.close();
    }
  });
});
