// The object identifier types through the wire: oid, regclass, regtype, regproc and regnamespace with node-postgres and psql.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import pg from 'pg';
import { startServer, type TestServer } from './postgres-support.ts';

let server: TestServer;
let c: pg.Client;
let petsOid: number;

/** Type OIDs PostgreSQL gives these types (pg_type.dat). */
const OID = { oid: 26, regproc: 24, regclass: 2205, regtype: 2206, regnamespace: 4089 } as const;

beforeAll(async () => {
  server = await startServer();
  c = new pg.Client({ host: '127.0.0.1', port: server.port, user: 'alice', database: 'shop' });
  await c.connect();
  await c.query('create table pets (id int primary key, name text)');
  await c.query('create table zoo.cages (id int primary key)');
  petsOid = (await c.query("select oid from pg_class where relname = 'pets'")).rows[0].oid;
});

afterAll(async () => {
  await c.end();
  await server.stop();
});

/** A query whose results come back in binary format, each value as its raw bytes (column names must differ). */
async function binary(text: string, values: unknown[] = []): Promise<{ rows: Buffer[][]; types: number[] }> {
  const raw = { getTypeParser: () => (v: unknown) => v };
  const r = await c.query({ text, values, binary: true, types: raw } as pg.QueryConfig & { binary: boolean; types: typeof raw });
  return { rows: r.rows.map((row: Record<string, Buffer>) => r.fields.map((f) => row[f.name]!)), types: r.fields.map((f) => f.dataTypeID) };
}

describe('casts', () => {
  test('a name casts to its OID and prints as the name; RowDescription names the type', async () => {
    const r = await c.query(`select 'pets'::regclass as rel, 'pets'::regclass::oid as rel_oid, 'zoo.cages'::regclass as qualified, 'int4'::regtype as typ,
      'integer'::regtype::oid as typ_oid, 'pg_catalog'::regnamespace as ns, 'upper'::regproc as fn, 42::oid as plain`);
    expect(r.rows).toEqual([{ rel: 'pets', rel_oid: petsOid, qualified: 'zoo.cages', typ: 'integer', typ_oid: 23, ns: 'pg_catalog', fn: 'upper', plain: 42 }]);
    expect(r.fields.map((f) => f.dataTypeID)).toEqual([OID.regclass, OID.oid, OID.regclass, OID.regtype, OID.oid, OID.regnamespace, OID.regproc, OID.oid]);
  });

  test('type names in any spelling; arrays; numbers are OIDs already', async () => {
    const r = await c.query(`select 'varchar'::regtype as a, 'character varying'::regtype::oid as b, 'int4[]'::regtype as c, '_int8'::regtype::oid as d,
      'double precision'::regtype as e, '23'::regtype as f, 0::regclass as none, 999999::regclass as unknown`);
    expect(r.rows).toEqual([{ a: 'character varying', b: 1043, c: 'integer[]', d: 1016, e: 'double precision', f: 'integer', none: '-', unknown: '999999' }]);
  });

  test('text columns cast to regclass, reg* values cast to text', async () => {
    const r = await c.query(`select relname::regclass as rel, relname::regclass::oid = oid as same, 'pets'::regclass::text || '!' as shout, 'int8'::regtype::varchar as t
      from pg_class where relname = 'pets'`);
    expect(r.rows).toEqual([{ rel: 'pets', same: true, shout: 'pets!', t: 'bigint' }]);
  });

  test('unknown names fail with PostgreSQL’s SQLSTATEs', async () => {
    await expect(c.query("select 'nosuch'::regclass")).rejects.toMatchObject({ code: '42P01', message: 'relation "nosuch" does not exist' });
    await expect(c.query("select 'nosuch'::regtype")).rejects.toMatchObject({ code: '42704', message: 'type "nosuch" does not exist' });
    await expect(c.query("select 'nosuch'::regnamespace")).rejects.toMatchObject({ code: '3F000', message: 'schema "nosuch" does not exist' });
    await expect(c.query("select 'nosuch'::regproc")).rejects.toMatchObject({ code: '42883', message: 'function "nosuch" does not exist' });
    await expect(c.query("select 'count'::regproc")).rejects.toMatchObject({ code: '42725' });
    expect((await c.query('select 1 as still_here')).rows).toEqual([{ still_here: 1 }]);
  });
});

describe('reg* columns', () => {
  test('INSERT, UPDATE and comparisons take names for regclass and regtype columns, as literals and as parameters', async () => {
    await c.query('create table refs (id int primary key, rel regclass, typ regtype)');
    await c.query("insert into refs values (1, 'pets', 'int4'), (2, 'zoo.cages', 'text')");
    await c.query('insert into refs (id, rel) values (3, $1)', ['pets']);
    await c.query(`insert into refs (id, rel, typ) values (4, ${petsOid}, 23)`);
    await c.query("update refs set rel = 'zoo.cages', typ = 'bigint' where id = 3");
    const r = await c.query('select id, rel, rel::oid as rel_oid, typ from refs order by id');
    const cages = (await c.query("select 'zoo.cages'::regclass::oid as o")).rows[0].o;
    expect(r.rows).toEqual([
      { id: 1, rel: 'pets', rel_oid: petsOid, typ: 'integer' },
      { id: 2, rel: 'zoo.cages', rel_oid: cages, typ: 'text' },
      { id: 3, rel: 'zoo.cages', rel_oid: cages, typ: 'bigint' },
      { id: 4, rel: 'pets', rel_oid: petsOid, typ: 'integer' },
    ]);
    expect((await c.query("select id from refs where rel = 'pets' order by id")).rows).toEqual([{ id: 1 }, { id: 4 }]);
  });

  test('an unknown name is 42P01 (or 42704 for a type) pointing at the value; nothing is written', async () => {
    await expect(c.query("insert into refs (id, rel) values (10, 'nosuch')")).rejects.toMatchObject({ code: '42P01', message: 'relation "nosuch" does not exist', position: '40' });
    await expect(c.query("insert into refs (id, typ) values (11, 'nosuchtype')")).rejects.toMatchObject({ code: '42704', message: 'type "nosuchtype" does not exist' });
    await expect(c.query('insert into refs (id, rel) values (12, $1)', ['nosuch'])).rejects.toMatchObject({ code: '42P01' });
    expect((await c.query('select count(*)::int as n from refs where id >= 10')).rows).toEqual([{ n: 0 }]);
  });
});

describe('pg_catalog queries', () => {
  test('oid columns compare with reg* values', async () => {
    const rel = await c.query("select c.relname, n.nspname from pg_class c join pg_namespace n on n.oid = c.relnamespace where c.oid = 'zoo.cages'::regclass");
    expect(rel.rows).toEqual([{ relname: 'cages', nspname: 'zoo' }]);
    const cols = await c.query("select a.attname, a.atttypid::regtype as type from pg_attribute a where a.attrelid = 'pets'::regclass and a.attnum > 0 order by a.attnum");
    expect(cols.rows).toEqual([{ attname: 'id', type: 'integer' }, { attname: 'name', type: 'text' }]);
    const typ = await c.query("select typname from pg_type where oid = 'timestamptz'::regtype");
    expect(typ.rows).toEqual([{ typname: 'timestamptz' }]);
    expect((await c.query('select oid from pg_class where relname = $1', ['pets'])).fields[0]!.dataTypeID).toBe(OID.oid);
  });
});

describe('parameters and formats', () => {
  test('a reg* parameter in text form is a name; an oid parameter a number', async () => {
    const r = await c.query('select $1::regclass as rel, $1::regclass::oid as rel_oid, $2::regtype as typ, $3::oid as plain', ['pets', 'int8', '7']);
    expect(r.rows).toEqual([{ rel: 'pets', rel_oid: petsOid, typ: 'bigint', plain: 7 }]);
    const byName = await c.query('select relname from pg_class where oid = $1::regclass', ['zoo.cages']);
    expect(byName.rows).toEqual([{ relname: 'cages' }]);
    await expect(c.query('select $1::regclass', ['nosuch'])).rejects.toMatchObject({ code: '42P01' });
  });

  test('binary results carry the OID as a 4-byte integer', async () => {
    const r = await binary("select 'pets'::regclass as a, 'int4'::regtype as b, 26::oid as c, $1::regclass as d", ['zoo.cages']);
    expect(r.types).toEqual([OID.regclass, OID.regtype, OID.oid, OID.regclass]);
    const cages = (await c.query("select 'zoo.cages'::regclass::oid as o")).rows[0].o;
    expect(r.rows[0]!.map((b) => b.readInt32BE(0))).toEqual([petsOid, 23, 26, cages]);
    expect(r.rows[0]!.every((b) => b.length === 4)).toBe(true);
  });
});

describe('psql', () => {
  test('prints reg* values as names', async () => {
    const p = Bun.spawn(['psql', '-X', '-A', '-t', '-h', '127.0.0.1', '-p', String(server.port), '-U', 'alice', '-d', 'shop', '-c', "select 'pets'::regclass, 'int4'::regtype, 'zoo'::regnamespace, 0::regclass"], { stdout: 'pipe', stderr: 'pipe' });
    const [out, err] = await Promise.all([new Response(p.stdout).text(), new Response(p.stderr).text(), p.exited]);
    expect(err).toBe('');
    expect(out).toBe('pets|integer|zoo|-\n');
  });
});
