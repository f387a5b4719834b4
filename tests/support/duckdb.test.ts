// Self-test of the DuckDB oracle: value conventions, random queries from the generator, TPC-H Q1/Q6 at SF 0.01.

import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import fc from 'fast-check';
import { formatDecimal, openDuckDb, type DuckDb } from './duckdb.ts';
import { compareResults, datasetWithSchemaArb, queryArb, tableDdl, type RDataset } from './random-sql.ts';
import { TPCH_QUERIES, TPCH_TABLES, tpchArrowIpc, tpchDdl } from './tpch-gen.ts';

let db: DuckDb;

// Compiling the wasm module takes a few seconds on a busy machine.
beforeAll(async () => {
  db = await openDuckDb();
}, 60_000);

afterAll(() => {
  db.close();
});

describe('duckdb-wasm oracle', () => {
  test('loadTable and query keep the IR value conventions', () => {
    db.loadTable(
      'conv',
      'CREATE TABLE conv (i integer, b bigint, d double precision, t text, f boolean, dt date, n decimal(12,3), s smallint)',
      [
        [2_147_483_647, 1n << 40n, -2.25, '', true, 9298, '-12.500', 7],
        [null, null, null, null, null, null, null, null],
        [-2_147_483_648, -1n, 0.5, 'héllo', false, -1, '0.001', -3],
      ],
    );
    expect(db.query('SELECT * FROM conv')).toEqual([
      [2_147_483_647, 1n << 40n, -2.25, '', true, 9298, '-12.500', 7],
      [null, null, null, null, null, null, null, null],
      [-2_147_483_648, -1n, 0.5, 'héllo', false, -1, '0.001', -3],
    ]);
    // count is BIGINT, sum over integers is HUGEINT: both arrive as bigint.
    expect(db.query('SELECT count(*), sum(i), sum(b) FROM conv')).toEqual([[3n, -1n, (1n << 40n) - 1n]]);
    expect(db.query("SELECT DATE '1970-01-02', CAST(1.5 AS decimal(10,2)), INTERVAL '1 month 2 days 3 seconds'")).toEqual([
      [1, '1.50', { months: 1, days: 2, micros: 3_000_000 }],
    ]);
    expect(() => db.query('SELECT * FROM no_such_table')).toThrow(/no_such_table/);
  });

  test('formatDecimal prints canonical text', () => {
    expect(formatDecimal(-1250n, 2)).toBe('-12.50');
    expect(formatDecimal(5n, 3)).toBe('0.005');
    expect(formatDecimal(-5n, 1)).toBe('-0.5');
    expect(formatDecimal(42n, 0)).toBe('42');
  });

  /**
   * Loads a dataset twice, the second copy with rows in reverse order, and runs queries on both:
   * every query must be valid SQL for DuckDB, and its result must not depend on the input order
   * (as a multiset, or in order when the generator says ORDER BY fixes it).
   */
  function checkDataset(ds: RDataset, queries: number, seed: number): number {
    db.exec('DROP SCHEMA IF EXISTS fwd CASCADE; DROP SCHEMA IF EXISTS rev CASCADE; CREATE SCHEMA fwd; CREATE SCHEMA rev');
    for (const t of ds.schema.tables) {
      const ddl = tableDdl(t);
      const rows = ds.rows[t.name]!;
      db.loadTable(`fwd.${t.name}`, ddl.replace(`CREATE TABLE ${t.name}`, `CREATE TABLE fwd.${t.name}`), rows);
      db.loadTable(`rev.${t.name}`, ddl.replace(`CREATE TABLE ${t.name}`, `CREATE TABLE rev.${t.name}`), rows.slice().reverse());
    }
    let nonEmpty = 0;
    fc.assert(
      fc.property(queryArb(ds.schema), (q) => {
        db.exec("SET search_path = 'fwd'");
        const fwd = db.query(q.sql);
        db.exec("SET search_path = 'rev'");
        const rev = db.query(q.sql);
        if (fwd.length > 0) nonEmpty++;
        const diff = compareResults(fwd, rev, { ordered: q.ordered });
        if (diff !== undefined) throw new Error(`${q.sql}\n${diff}`);
      }),
      { numRuns: queries, seed },
    );
    db.exec("SET search_path = 'main'");
    return nonEmpty;
  }

  test('50 random queries over random schemas run and do not depend on row order', () => {
    const datasets = fc.sample(datasetWithSchemaArb, { seed: 20_261_124, numRuns: 3 });
    let nonEmpty = 0;
    datasets.forEach((ds, i) => {
      nonEmpty += checkDataset(ds, i === 0 ? 18 : 16, 1000 + i);
    });
    // The generator must mostly produce queries that select something, or the differential test is weak.
    expect(nonEmpty).toBeGreaterThan(25);
  }, 30_000);

  test('TPC-H SF 0.01 loads from Arrow IPC and answers Q1 and Q6', () => {
    for (const table of TPCH_TABLES) {
      db.exec(tpchDdl(table));
      for (const ipc of tpchArrowIpc(table, { sf: 0.01 })) db.appendIpc(table, ipc);
    }
    expect(db.query('SELECT count(*) FROM orders')).toEqual([[15_000n]]);
    const lines = Number(db.query('SELECT count(*) FROM lineitem')[0]![0]);
    expect(lines).toBeGreaterThan(55_000);
    expect(lines).toBeLessThan(65_000);

    const q1 = db.query(TPCH_QUERIES.q1);
    expect(q1.map((r) => `${String(r[0])}${String(r[1])}`)).toEqual(['AF', 'NF', 'NO', 'RF']);
    const counted = q1.reduce((n, r) => n + Number(r[9]), 0);
    const shipped = Number(db.query("SELECT count(*) FROM lineitem WHERE l_shipdate <= DATE '1998-09-02'")[0]![0]);
    expect(counted).toBe(shipped);
    for (const r of q1) {
      expect(Number(r[6])).toBeGreaterThan(24); // avg quantity ≈ 25.5
      expect(Number(r[6])).toBeLessThan(27);
      expect(Number(r[8])).toBeGreaterThan(0.04); // avg discount ≈ 0.05
      expect(Number(r[8])).toBeLessThan(0.06);
    }

    const q6 = db.query(TPCH_QUERIES.q6);
    expect(q6).toHaveLength(1);
    expect(typeof q6[0]![0]).toBe('string');
    expect(Number(q6[0]![0])).toBeGreaterThan(100_000);
  }, 30_000);
});
