// The offline catalog: built from a schema file of CREATE statements, with statistics; MemoryCatalog applies DDL.

import { describe, expect, test } from 'bun:test';
import { catalogFromSchema, MemoryCatalog, type TableInfo } from '../../compiler/catalog/index.ts';
import { T } from '../../compiler/ir/types.ts';
import { TPCH_SF1_STATS } from '../fixtures/tpch/stats.ts';
import { bindOk, tpchCatalog } from './bind-support.ts';

const table = (c: MemoryCatalog, name: string): TableInfo => {
  const r = c.getRelation(undefined, name);
  if (r?.kind !== 'table') throw new Error(`no table ${name}`);
  return r;
};

describe('catalogFromSchema', () => {
  test('builds tables with columns, keys, indexes and foreign keys', () => {
    const { catalog, diagnostics } = catalogFromSchema(`
      CREATE TABLE a (id bigserial PRIMARY KEY, name varchar(20) NOT NULL UNIQUE, price numeric(10,2) DEFAULT 0);
      CREATE TABLE b (a_id bigint REFERENCES a, n int, PRIMARY KEY (a_id, n));
      CREATE UNIQUE INDEX b_n ON b (n);
      CREATE VIEW v (x) AS SELECT name FROM a;
    `);
    expect(diagnostics).toEqual([]);
    const a = table(catalog, 'a');
    expect(a.columns).toEqual([
      { name: 'id', type: T.int64, nullable: false, ordinal: 0, sequence: 'a_id_seq' },
      { name: 'name', type: { kind: 'utf8', maxLength: 20 }, nullable: false, ordinal: 1 },
      { name: 'price', type: { kind: 'decimal', precision: 10, scale: 2 }, nullable: true, ordinal: 2, defaultSql: '0' },
    ]);
    expect(a.primaryKey).toEqual(['id']);
    expect(a.indexes.map((i) => [i.name, i.columns, i.unique, i.primary])).toEqual([
      ['a_pkey', ['id'], true, true],
      ['a_name_key', ['name'], true, false],
    ]);
    const b = table(catalog, 'b');
    expect(b.foreignKeys).toEqual([{ name: 'b_a_id_fkey', columns: ['a_id'], refTable: 'a', refColumns: ['id'] }]);
    expect(b.columns.map((c) => c.nullable)).toEqual([false, false]);
    expect(b.indexes.map((i) => i.name)).toEqual(['b_pkey', 'b_n']);
    expect(catalog.getRelation('public', 'v')).toMatchObject({ kind: 'view', sql: 'SELECT name FROM a', columnNames: ['x'] });
    expect(catalog.listRelations().map((r) => r.name)).toEqual(['a', 'b', 'v']);
  });

  test('reports errors with their spans and keeps the good statements', () => {
    const sql = 'CREATE TABLE a (id int);\nCREATE TABLE c (x nosuch);\nCREATE INDEX ON a (zz);';
    const { catalog, diagnostics } = catalogFromSchema(sql);
    expect(diagnostics.map((d) => [d.sqlstate, d.message, sql.slice(d.span.start, d.span.end)])).toEqual([
      ['42704', 'type "nosuch" does not exist', 'nosuch'],
      ['42703', 'column "zz" does not exist', 'zz'],
    ]);
    expect(catalog.listRelations().map((r) => r.name)).toEqual(['a']);
  });

  test('the TPC-H schema loads with its statistics', () => {
    const c = tpchCatalog();
    expect(c.listRelations().length).toBe(8);
    expect(table(c, 'lineitem').stats?.rowCount).toBe(6_001_215);
    expect(table(c, 'lineitem').primaryKey).toEqual(['l_orderkey', 'l_linenumber']);
    expect(table(c, 'orders').stats?.columns.o_orderdate?.min).toBe(8035);
    expect(table(c, 'partsupp').foreignKeys.map((f) => f.refTable)).toEqual(['part', 'supplier']);
    expect(Object.keys(TPCH_SF1_STATS).sort()).toEqual(['customer', 'lineitem', 'nation', 'orders', 'part', 'partsupp', 'region', 'supplier']);
  });
});

describe('MemoryCatalog applies bound DDL', () => {
  test('ALTER, DROP and versions', () => {
    const { catalog } = catalogFromSchema('CREATE TABLE a (id int PRIMARY KEY, x int); CREATE INDEX a_x ON a (x);');
    const v0 = catalog.version;
    catalog.apply(bindOk('ALTER TABLE a RENAME COLUMN x TO y', catalog));
    expect(table(catalog, 'a').columns.map((c) => c.name)).toEqual(['id', 'y']);
    expect(table(catalog, 'a').indexes.find((i) => i.name === 'a_x')?.columns).toEqual(['y']);
    catalog.apply(bindOk('ALTER TABLE a ADD COLUMN z text', catalog));
    expect(table(catalog, 'a').columns.map((c) => [c.name, c.ordinal])).toEqual([['id', 0], ['y', 1], ['z', 2]]);
    catalog.apply(bindOk('ALTER TABLE a DROP COLUMN z', catalog));
    catalog.apply(bindOk('ALTER TABLE a ADD COLUMN w int', catalog));
    expect(table(catalog, 'a').columns.map((c) => [c.name, c.ordinal])).toEqual([['id', 0], ['y', 1], ['w', 3]]);
    catalog.apply(bindOk('DROP INDEX a_x', catalog));
    expect(table(catalog, 'a').indexes.map((i) => i.name)).toEqual(['a_pkey']);
    catalog.apply(bindOk('ALTER TABLE a RENAME TO b', catalog));
    expect(catalog.getRelation(undefined, 'a')).toBeUndefined();
    catalog.apply(bindOk('DROP TABLE b', catalog));
    expect(catalog.listRelations()).toEqual([]);
    expect(catalog.version).toBe(v0 + 7);
  });

  test('search path decides unqualified lookups', () => {
    const c = new MemoryCatalog();
    c.apply(bindOk('CREATE TABLE s2.t (a int)', c));
    expect(c.getRelation(undefined, 't')).toBeUndefined();
    c.searchPath = ['public', 's2'];
    expect(c.getRelation(undefined, 't')?.schema).toBe('s2');
  });
});
