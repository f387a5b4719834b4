// Tests of the random SQL generator's promises and of the result comparator.

import { describe, expect, test } from 'bun:test';
import fc from 'fast-check';
import { compareResults, datasetWithSchemaArb, insertStatements, queryArb, schemaArb, sqlLiteral, tableDdl } from './random-sql.ts';

describe('random schemas and data', () => {
  test('tables start with a unique id and rows match their columns', () => {
    fc.assert(
      fc.property(datasetWithSchemaArb, (ds) => {
        expect(ds.schema.tables.length).toBeGreaterThanOrEqual(2);
        expect(ds.schema.tables.length).toBeLessThanOrEqual(4);
        for (const t of ds.schema.tables) {
          expect(t.columns[0]).toEqual({ name: 'id', type: 'int', nullable: false });
          const rows = ds.rows[t.name]!;
          expect(new Set(rows.map((r) => r[0])).size).toBe(rows.length);
          for (const r of rows) {
            expect(r).toHaveLength(t.columns.length);
            t.columns.forEach((c, i) => {
              if (!c.nullable) expect(r[i]).not.toBeNull();
            });
          }
        }
      }),
      { numRuns: 100 },
    );
  });

  test('DDL and literals are spelled for PostgreSQL', () => {
    const table = { name: 't0', columns: [
      { name: 'id', type: 'int' as const, nullable: false },
      { name: 'c1', type: 'double' as const, nullable: true },
      { name: 'c2', type: 'date' as const, nullable: true },
      { name: 'c3', type: 'text' as const, nullable: true },
    ] };
    expect(tableDdl(table)).toBe('CREATE TABLE t0 (id integer NOT NULL, c1 double precision, c2 date, c3 text)');
    expect(sqlLiteral('date', 9298)).toBe("DATE '1995-06-17'");
    expect(sqlLiteral('text', "it's")).toBe("'it''s'");
    expect(sqlLiteral('bigint', null)).toBe('CAST(NULL AS bigint)');
    expect(insertStatements(table, [[1, 0.5, null, 'a'], [2, null, 0, '']], 1)).toEqual([
      "INSERT INTO t0 VALUES (1, CAST(0.5 AS double precision), CAST(NULL AS date), 'a')",
      "INSERT INTO t0 VALUES (2, CAST(NULL AS double precision), DATE '1970-01-01', '')",
    ]);
  });
});

describe('random queries', () => {
  test('are deterministic for a seed', () => {
    const schema = fc.sample(schemaArb, { seed: 5, numRuns: 1 })[0]!;
    const a = fc.sample(queryArb(schema), { seed: 9, numRuns: 20 });
    const b = fc.sample(queryArb(schema), { seed: 9, numRuns: 20 });
    expect(a).toEqual(b);
  });

  test('spell out NULL ordering, limit only totally ordered results, and avoid / and %', () => {
    const arb = schemaArb.chain((s) => queryArb(s));
    const shapes = new Set<string>();
    fc.assert(
      fc.property(arb, (q) => {
        shapes.add(q.shape);
        for (const m of q.sql.matchAll(/ (ASC|DESC)( NULLS (FIRST|LAST))?/g)) expect(m[2]).toBeDefined();
        if (/ LIMIT \d+/.test(q.sql)) expect(q.ordered).toBe(true);
        if (q.ordered) expect(q.sql).toContain(' ORDER BY ');
        expect(q.sql).not.toMatch(/ [/%] /);
      }),
      { numRuns: 500 },
    );
    expect([...shapes].sort()).toEqual(['aggregate', 'select', 'setop', 'window']);
  });
});

describe('compareResults', () => {
  test('multiset comparison ignores order, ordered comparison does not', () => {
    const a = [[1, 'x'], [2, 'y'], [2, 'y']];
    const b = [[2, 'y'], [1, 'x'], [2, 'y']];
    expect(compareResults(a, b, { ordered: false })).toBeUndefined();
    expect(compareResults(a, b, { ordered: true })).toContain('row 0 differs');
    expect(compareResults(a, [[1, 'x'], [2, 'y'], [1, 'x']], { ordered: false })).toContain('missing');
    expect(compareResults(a, a.slice(1), { ordered: false })).toContain('row count differs');
  });

  test('integers compare exactly across carriers, other numbers with a tolerance', () => {
    expect(compareResults([[3, 4n, '5']], [[3n, 4, 5n]], { ordered: true })).toBeUndefined();
    expect(compareResults([[3]], [[4n]], { ordered: true })).toBeDefined();
    expect(compareResults([['25.5000000000000000']], [[25.5]], { ordered: true })).toBeUndefined();
    expect(compareResults([['1.50']], [['1.5']], { ordered: true })).toBeUndefined();
    expect(compareResults([[0.1 + 0.2]], [[0.3]], { ordered: true })).toBeUndefined();
    expect(compareResults([[1.0001]], [[1]], { ordered: true })).toBeDefined();
    expect(compareResults([[2n ** 60n]], [[2n ** 60n + 1n]], { ordered: true })).toBeDefined();
  });

  test('text, NULL, booleans and bytes are exact', () => {
    expect(compareResults([['12']], [['12.0']], { ordered: true })).toBeDefined();
    expect(compareResults([[null]], [['']], { ordered: true })).toBeDefined();
    expect(compareResults([[null, true]], [[null, true]], { ordered: true })).toBeUndefined();
    expect(compareResults([[true]], [[1]], { ordered: true })).toBeDefined();
    expect(compareResults([[new Uint8Array([1, 2])]], [[new Uint8Array([1, 2])]], { ordered: true })).toBeUndefined();
    expect(compareResults([[new Uint8Array([1, 2])]], [[new Uint8Array([1, 3])]], { ordered: true })).toBeDefined();
  });

  test('unordered rows equal within tolerance match even when rounding separates their sort keys', () => {
    const a = [[1, 0.1234567894999], [1, 0.5]];
    const b = [[1, 0.5], [1, 0.1234567895001]];
    expect(compareResults(a, b, { ordered: false })).toBeUndefined();
  });
});
