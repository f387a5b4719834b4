// pg_catalog, information_schema and the system functions, as psql's describe commands and drivers use them.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import pg from 'pg';
import { startServer, type TestServer } from './postgres-support.ts';

let server: TestServer;

beforeAll(async () => {
  server = await startServer();
  const c = await client();
  try {
    await c.query(`create table pets (id int primary key, name varchar(20) not null default 'rex', weight numeric(6,2) check (weight > 0), born date, unique (name))`);
    await c.query('create index pets_born on pets (born)');
    await c.query('create view heavy (pet, kilos) as select name, weight from pets where weight > 10');
  } finally {
    await c.end();
  }
});

afterAll(async () => {
  await server.stop();
});

const client = (user = 'alice', database = 'shop'): Promise<pg.Client> => server.client(user, database);

async function psql(...commands: string[]): Promise<{ out: string; err: string }> {
  const args = commands.flatMap((c) => ['-c', c]);
  const p = Bun.spawn(['psql', '-X', '-h', '127.0.0.1', '-p', String(server.port), '-U', 'alice', '-d', 'shop', ...args], { stdout: 'pipe', stderr: 'pipe', env: { ...process.env, PGCONNECT_TIMEOUT: '5' } });
  const [out, err] = await Promise.all([new Response(p.stdout).text(), new Response(p.stderr).text(), p.exited]);
  return { out, err };
}

describe('psql describe commands', () => {
  test('\\dt and \\d list relations', async () => {
    const r = await psql('\\dt', '\\d');
    expect(r.err).toBe('');
    expect(r.out).toBe(
      [
        '       List of relations',
        ' Schema | Name | Type  | Owner ',
        '--------+------+-------+-------',
        ' public | pets | table | alice',
        '(1 row)',
        '',
        '       List of relations',
        ' Schema | Name  | Type  | Owner ',
        '--------+-------+-------+-------',
        ' public | heavy | view  | alice',
        ' public | pets  | table | alice',
        '(2 rows)',
        '',
        '',
      ].join('\n'),
    );
  });

  test('\\d table shows columns, types, defaults, indexes and check constraints', async () => {
    const r = await psql('\\d pets');
    expect(r.err).toBe('');
    expect(r.out).toBe(
      [
        '                       Table "public.pets"',
        ' Column |         Type          | Collation | Nullable | Default ',
        '--------+-----------------------+-----------+----------+---------',
        ' id     | integer               |           | not null | ',
        " name   | character varying(20) |           | not null | 'rex'",
        ' weight | numeric(6,2)          |           |          | ',
        ' born   | date                  |           |          | ',
        'Indexes:',
        '    "pets_pkey" PRIMARY KEY, btree (id)',
        '    "pets_born" btree (born)',
        '    "pets_name_key" UNIQUE CONSTRAINT, btree (name)',
        'Check constraints:',
        '    "pets_weight_check" CHECK (weight > 0)',
        '',
        '',
      ].join('\n'),
    );
  });

  // The expected text is what PostgreSQL 15's own server makes psql print for the same three tables.
  test('\\d table with foreign keys both ways, a unique constraint and a unique index prints every section PostgreSQL does', async () => {
    const c = await client();
    try {
      await c.query('create table owners (id int primary key, name text not null)');
      await c.query('create table dogs (id int primary key, name text not null, tag int, weight int default 10 check (weight > 0), owner int references owners (id), unique (name))');
      await c.query('create unique index dogs_tag on dogs (tag)');
      await c.query('create table walks (dog int references dogs (id), day date, primary key (dog, day))');
      const r = await psql('\\d dogs', '\\d owners', '\\d walks');
      expect(r.err).toBe('');
      expect(r.out).toBe(
        [
          '                Table "public.dogs"',
          ' Column |  Type   | Collation | Nullable | Default ',
          '--------+---------+-----------+----------+---------',
          ' id     | integer |           | not null | ',
          ' name   | text    |           | not null | ',
          ' tag    | integer |           |          | ',
          ' weight | integer |           |          | 10',
          ' owner  | integer |           |          | ',
          'Indexes:',
          '    "dogs_pkey" PRIMARY KEY, btree (id)',
          '    "dogs_name_key" UNIQUE CONSTRAINT, btree (name)',
          '    "dogs_tag" UNIQUE, btree (tag)',
          'Check constraints:',
          '    "dogs_weight_check" CHECK (weight > 0)',
          'Foreign-key constraints:',
          '    "dogs_owner_fkey" FOREIGN KEY (owner) REFERENCES owners(id)',
          'Referenced by:',
          '    TABLE "walks" CONSTRAINT "walks_dog_fkey" FOREIGN KEY (dog) REFERENCES dogs(id)',
          '',
          '               Table "public.owners"',
          ' Column |  Type   | Collation | Nullable | Default ',
          '--------+---------+-----------+----------+---------',
          ' id     | integer |           | not null | ',
          ' name   | text    |           | not null | ',
          'Indexes:',
          '    "owners_pkey" PRIMARY KEY, btree (id)',
          'Referenced by:',
          '    TABLE "dogs" CONSTRAINT "dogs_owner_fkey" FOREIGN KEY (owner) REFERENCES owners(id)',
          '',
          '               Table "public.walks"',
          ' Column |  Type   | Collation | Nullable | Default ',
          '--------+---------+-----------+----------+---------',
          ' dog    | integer |           | not null | ',
          ' day    | date    |           | not null | ',
          'Indexes:',
          '    "walks_pkey" PRIMARY KEY, btree (dog, day)',
          'Foreign-key constraints:',
          '    "walks_dog_fkey" FOREIGN KEY (dog) REFERENCES dogs(id)',
          '',
          '',
        ].join('\n'),
      );
      // The catalog rows behind it: relhastriggers on both ends, conkey/confkey as attnums, and no constraint for a unique index.
      const fk = await c.query(`select conname, conrelid::regclass as t, confrelid::regclass as r, conkey, confkey from pg_constraint where contype = 'f' order by 1`);
      expect(fk.rows).toEqual([
        { conname: 'dogs_owner_fkey', t: 'dogs', r: 'owners', conkey: [5], confkey: [1] },
        { conname: 'walks_dog_fkey', t: 'walks', r: 'dogs', conkey: [1], confkey: [1] },
      ]);
      const trig = await c.query(`select relname, relhastriggers from pg_class where relname in ('owners', 'dogs', 'walks', 'pets') order by 1`);
      expect(trig.rows.map((x) => [x.relname, x.relhastriggers])).toEqual([['dogs', true], ['owners', true], ['pets', false], ['walks', true]]);
      expect((await c.query(`select count(*)::int as n from pg_constraint where conname = 'dogs_tag'`)).rows).toEqual([{ n: 0 }]);
    } finally {
      await c.query('drop table if exists walks');
      await c.query('drop table if exists dogs');
      await c.query('drop table if exists owners');
      await c.end();
    }
  });

  test('\\d view shows the view\'s columns and types', async () => {
    const r = await psql('\\d heavy');
    expect(r.err).toBe('');
    expect(r.out).toContain('View "public.heavy"');
    expect(r.out).toContain(' pet    | character varying(20) |');
    expect(r.out).toContain(' kilos  | numeric(6,2)          |');
    const missing = await psql('\\d nosuch');
    expect(missing.err).toBe('Did not find any relation named "nosuch".\n');
  });

  test('\\dn, \\du and \\l', async () => {
    const r = await psql('\\dn', '\\du', '\\l');
    expect(r.err).toBe('');
    expect(r.out).toContain('List of schemas\n  Name  | Owner \n--------+-------\n public | alice\n(1 row)');
    expect(r.out).toMatch(/ alice {5}\| Superuser, Create role, Create DB, Replication, Bypass RLS \| \{\}/);
    expect(r.out).toMatch(/\n shop \| alice \| UTF8 {5}\|/);
  });
});

describe('system functions and views through pg', () => {
  test('session facts: current_user, current_database(), pg_backend_pid(), version(), settings', async () => {
    const c = await client('bob', 'inventory');
    try {
      const r = await c.query("select current_user as u, current_database() as d, current_schema() as s, pg_backend_pid() as pid, version() as v, current_setting('DateStyle') as ds");
      const row = r.rows[0];
      expect([row.u, row.d, row.s, row.ds]).toEqual(['bob', 'inventory', 'public', 'ISO, MDY']);
      expect(row.pid).toBe((c as unknown as { processID: number }).processID);
      expect(row.v).toStartWith('PostgreSQL 16');
      const set = await c.query("select set_config('application_name', 'reports', false) as v");
      expect(set.rows[0].v).toBe('reports');
      expect((await c.query('show application_name')).rows[0].application_name).toBe('reports');
      expect((await c.query("select current_setting('no_such_thing', true) as v")).rows[0].v).toBeNull();
      await expect(c.query("select current_setting('no_such_thing')")).rejects.toMatchObject({ code: '42704' });
    } finally {
      await c.end();
    }
  });

  test('information_schema: tables, columns, schemata, table_constraints, key_column_usage', async () => {
    const c = await client();
    try {
      const t = await c.query("select table_name, table_type from information_schema.tables where table_schema = 'public' order by 1");
      expect(t.rows).toEqual([
        { table_name: 'heavy', table_type: 'VIEW' },
        { table_name: 'pets', table_type: 'BASE TABLE' },
      ]);
      const cols = await c.query("select column_name, ordinal_position, data_type, is_nullable, character_maximum_length, numeric_precision, numeric_scale, column_default from information_schema.columns where table_name = 'pets' order by ordinal_position");
      expect(cols.rows).toEqual([
        { column_name: 'id', ordinal_position: 1, data_type: 'integer', is_nullable: 'NO', character_maximum_length: null, numeric_precision: 32, numeric_scale: 0, column_default: null },
        { column_name: 'name', ordinal_position: 2, data_type: 'character varying', is_nullable: 'NO', character_maximum_length: 20, numeric_precision: null, numeric_scale: null, column_default: "'rex'" },
        { column_name: 'weight', ordinal_position: 3, data_type: 'numeric', is_nullable: 'YES', character_maximum_length: null, numeric_precision: 6, numeric_scale: 2, column_default: null },
        { column_name: 'born', ordinal_position: 4, data_type: 'date', is_nullable: 'YES', character_maximum_length: null, numeric_precision: null, numeric_scale: null, column_default: null },
      ]);
      const schemata = await c.query('select schema_name from information_schema.schemata order by 1');
      expect(schemata.rows.map((r) => r.schema_name)).toEqual(['information_schema', 'pg_catalog', 'public']);
      const cons = await c.query(`select tc.constraint_type, kcu.column_name from information_schema.table_constraints tc
        join information_schema.key_column_usage kcu on kcu.constraint_name = tc.constraint_name where tc.table_name = 'pets' order by 1`);
      expect(cons.rows).toEqual([
        { constraint_type: 'PRIMARY KEY', column_name: 'id' },
        { constraint_type: 'UNIQUE', column_name: 'name' },
      ]);
    } finally {
      await c.end();
    }
  });

  test('pg_catalog joins drivers run: type lookup by OID, attributes with format_type, indexes', async () => {
    const c = await client();
    try {
      const types = await c.query('select oid, typname, typelem, typarray from pg_type where oid in (23, 1007, 1043) order by oid');
      expect(types.rows).toEqual([
        { oid: 23, typname: 'int4', typelem: 0, typarray: 1007 },
        { oid: 1007, typname: '_int4', typelem: 23, typarray: 0 },
        { oid: 1043, typname: 'varchar', typelem: 0, typarray: 1015 },
      ]);
      const atts = await c.query(`select a.attname, pg_catalog.format_type(a.atttypid, a.atttypmod) as t, a.attnotnull
        from pg_catalog.pg_attribute a join pg_catalog.pg_class c on c.oid = a.attrelid join pg_catalog.pg_namespace n on n.oid = c.relnamespace
        where c.relname = 'pets' and n.nspname = 'public' and a.attnum > 0 order by a.attnum`);
      expect(atts.rows).toEqual([
        { attname: 'id', t: 'integer', attnotnull: true },
        { attname: 'name', t: 'character varying(20)', attnotnull: true },
        { attname: 'weight', t: 'numeric(6,2)', attnotnull: false },
        { attname: 'born', t: 'date', attnotnull: false },
      ]);
      const idx = await c.query(`select c2.relname, i.indisprimary, i.indisunique, pg_get_indexdef(i.indexrelid) as def from pg_index i
        join pg_class c2 on c2.oid = i.indexrelid join pg_class c on c.oid = i.indrelid where c.relname = 'pets' order by 1`);
      expect(idx.rows).toEqual([
        { relname: 'pets_born', indisprimary: false, indisunique: false, def: 'CREATE INDEX pets_born ON public.pets USING btree (born)' },
        { relname: 'pets_name_key', indisprimary: false, indisunique: true, def: 'CREATE UNIQUE INDEX pets_name_key ON public.pets USING btree (name)' },
        { relname: 'pets_pkey', indisprimary: true, indisunique: true, def: 'CREATE UNIQUE INDEX pets_pkey ON public.pets USING btree (id)' },
      ]);
      const reg = await c.query("select 'pets'::regclass = (select oid from pg_class where relname = 'pets') as same, 'public.pets'::pg_catalog.regclass > 0 as qualified");
      expect(reg.rows).toEqual([{ same: true, qualified: true }]);
      await expect(c.query("select 'nosuch'::regclass")).rejects.toMatchObject({ code: '42P01' });
      // A numeric string is an OID already; regclass prints it as the relation's name, as PostgreSQL does.
      expect((await c.query("select '16384'::regclass as rel, '16384'::regclass::oid as oid")).rows).toEqual([{ rel: 'pets', oid: 16384 }]);
      const names = await c.query("select c.oid::pg_catalog.regclass as name, 'pets'::regclass::oid::regclass as again, 1::regclass as unknown from pg_class c where c.relname = 'pets_pkey'");
      expect(names.rows).toEqual([{ name: 'pets_pkey', again: 'pets', unknown: '1' }]);
      const procs = await c.query("select p.proname, p.prokind, t.typname from pg_proc p join pg_type t on t.oid = p.prorettype where p.proname in ('upper', 'count', 'row_number') and p.pronargs <= 1 order by 1, 3");
      expect(procs.rows).toEqual([
        { proname: 'count', prokind: 'a', typname: 'int8' },
        { proname: 'count', prokind: 'a', typname: 'int8' },
        { proname: 'row_number', prokind: 'w', typname: 'int8' },
        { proname: 'upper', prokind: 'f', typname: 'text' },
      ]);
      const roles = await c.query('select rolname, rolsuper from pg_roles');
      expect(roles.rows).toEqual([{ rolname: 'alice', rolsuper: true }]);
      const db = await c.query('select datname from pg_database');
      expect(db.rows).toEqual([{ datname: 'shop' }]);
    } finally {
      await c.end();
    }
  });

  test("psql's spellings: regex operators, OPERATOR(pg_catalog.~), COLLATE, qualified casts, = ANY (array)", async () => {
    const c = await client();
    try {
      const r = await c.query(`select 'pets' ~ '^p' as a, 'pets' !~ '^p' as b, 'PETS' ~* 'ets$' as c, 'pets' !~* 'x' as d,
        'pets' OPERATOR(pg_catalog.~) '^(pets)$' COLLATE pg_catalog.default as e, 42::pg_catalog.text as f, 2 = any (array[1, 2]) as g, 3 = all (array[3, 4]) as h`);
      expect(r.rows[0]).toEqual({ a: true, b: false, c: true, d: true, e: true, f: '42', g: true, h: false });
      await expect(c.query("select 'x' ~ '('")).rejects.toMatchObject({ code: '2201B' });
    } finally {
      await c.end();
    }
  });

  test('system views are read-only', async () => {
    const c = await client();
    try {
      await expect(c.query("insert into pg_catalog.pg_namespace (oid, nspname) values (1, 'x')")).rejects.toMatchObject({ code: '42809' });
    } finally {
      await c.end();
    }
  });
});
