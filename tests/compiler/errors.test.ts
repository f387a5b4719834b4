// Wrong statements with their exact SQLSTATE, message and source range (the range is marked ⟦…⟧ in the template).

import { describe, expect, test } from 'bun:test';
import { bindSql, marked, testCatalog } from './bind-support.ts';

const catalog = testCatalog();

/** [template with the expected range marked, SQLSTATE, message]. */
const CASES: readonly (readonly [string, string, string])[] = [
  ['SELECT * FROM ⟦nope⟧', '42P01', 'relation "nope" does not exist'],
  ['SELECT ⟦nope⟧ FROM t', '42703', 'column "nope" does not exist'],
  ['SELECT ⟦t.nope⟧ FROM t', '42703', 'column t.nope does not exist'],
  ['SELECT ⟦zz⟧.id FROM t', '42P01', 'missing FROM-clause entry for table "zz"'],
  ['SELECT ⟦id⟧ FROM t, u', '42702', 'column reference "id" is ambiguous'],
  ['SELECT ⟦foo⟧(1)', '42883', 'function foo(integer) does not exist'],
  ['SELECT ⟦lower⟧(1, 2)', '42883', 'function lower(integer, integer) does not exist'],
  ['SELECT * FROM t WHERE ⟦x⟧', '42804', 'argument of WHERE must be type boolean, not type integer'],
  ['SELECT * FROM t WHERE x ⟦=⟧ name', '42883', 'operator does not exist: integer = text'],
  ['SELECT * FROM t WHERE x ⟦like⟧ \'a%\'', '42883', 'operator does not exist: integer ~~ unknown'],
  ['SELECT d⟦::⟧int FROM t', '42846', 'cannot cast type date to integer'],
  ['SELECT (d) ⟦+⟧ (d) FROM t', '42883', 'operator does not exist: date + date'],
  ['SELECT * FROM t WHERE ⟦count(*)⟧ > 1', '42803', 'aggregate functions are not allowed in WHERE'],
  ['SELECT ⟦x⟧, count(*) FROM t', '42803', 'column "t.x" must appear in the GROUP BY clause or be used in an aggregate function'],
  ['SELECT x FROM t GROUP BY x HAVING ⟦name⟧ = \'a\'', '42803', 'column "t.name" must appear in the GROUP BY clause or be used in an aggregate function'],
  ['SELECT sum(⟦sum(x)⟧) FROM t', '42803', 'aggregate function calls cannot be nested'],
  ['SELECT * FROM t GROUP BY ⟦count(*)⟧', '42803', 'aggregate functions are not allowed in GROUP BY'],
  ['SELECT * FROM t WHERE ⟦row_number() OVER ()⟧ > 1', '42P20', 'window functions are not allowed in WHERE'],
  ['SELECT ⟦row_number()⟧ FROM t', '42809', 'window function row_number requires an OVER clause'],
  ['INSERT INTO t (id, x) VALUES (1, 2, ⟦3⟧)', '42601', 'INSERT has more expressions than target columns'],
  ['INSERT INTO t (id, ⟦x⟧) VALUES (1)', '42601', 'INSERT has more target columns than expressions'],
  ['INSERT INTO t (⟦nope⟧) VALUES (1)', '42703', 'column "nope" of relation "t" does not exist'],
  ['INSERT INTO t (id) VALUES (⟦\'abc\'⟧)', '22P02', 'invalid input syntax for type integer: "abc"'],
  ['INSERT INTO t (id, d) VALUES (1, ⟦true⟧)', '42804', 'column "d" is of type date but expression is of type boolean'],
  ['INSERT INTO u (id, v) VALUES (1, ⟦\'this is longer than twenty\'⟧)', '22001', 'value too long for type character varying(20)'],
  ['INSERT INTO t (id, d) SELECT id, ⟦v⟧ FROM u', '42804', 'column "d" is of type date but expression is of type character varying(20)'],
  ['INSERT INTO t (id) SELECT id, ⟦n⟧ FROM u', '42601', 'INSERT has more expressions than target columns'],
  ['INSERT INTO ⟦big⟧ VALUES (1, 2)', '42809', 'cannot insert into view "big"'],
  ['UPDATE t SET ⟦nope⟧ = 1', '42703', 'column "nope" of relation "t" does not exist'],
  ['UPDATE t SET x = 1, ⟦x⟧ = 2', '42601', 'multiple assignments to same column "x"'],
  ['INSERT INTO t (id) VALUES (1) ⟦ON CONFLICT (x) DO NOTHING⟧', '42P10', 'there is no unique or exclusion constraint matching the ON CONFLICT specification'],
  ['SELECT sum(x) FROM t GROUP BY name ORDER BY ⟦x⟧', '42803', 'column "t.x" must appear in the GROUP BY clause or be used in an aggregate function'],
  ['SELECT ⟦avg⟧(name) FROM t', '42883', 'function avg(text) does not exist'],
  ['SELECT * FROM t, ⟦t⟧', '42712', 'table name "t" specified more than once'],
  ['SELECT * FROM t a JOIN u ⟦a⟧ ON true', '42712', 'table name "a" specified more than once'],
  ['SELECT * FROM t JOIN u USING (⟦zz⟧)', '42703', 'column "zz" specified in USING clause does not exist in left table'],
  ['SELECT ⟦\'a\'⟧ + 1', '22P02', 'invalid input syntax for type integer: "a"'],
  ['SELECT CASE WHEN true THEN ⟦1⟧ ELSE \'x\'::text END', '42804', 'CASE types text and integer cannot be matched'],
  ['SELECT 1 UNION SELECT ⟦\'x\'::text⟧', '42804', 'UNION types integer and text cannot be matched'],
  ['SELECT ⟦CAST(d AS int)⟧ FROM t', '42846', 'cannot cast type date to integer'],
  ['SELECT x FROM t ORDER BY ⟦5⟧', '42P10', 'ORDER BY position 5 is not in select list'],
  ['SELECT DISTINCT x FROM t ORDER BY ⟦id⟧', '42P10', 'for SELECT DISTINCT, ORDER BY expressions must appear in select list'],
  ['SELECT x FROM t LIMIT ⟦\'a\'⟧', '22P02', 'invalid input syntax for type bigint: "a"'],
  ['SELECT DATE ⟦\'notadate\'⟧', '22007', 'invalid input syntax for type date: "notadate"'],
  ['CREATE TABLE ⟦t⟧ (a int)', '42P07', 'relation "t" already exists'],
  ['CREATE TABLE z (a int, ⟦a⟧ text)', '42701', 'column "a" specified more than once'],
  ['CREATE TABLE z (a ⟦nosuchtype⟧)', '42704', 'type "nosuchtype" does not exist'],
  ['CREATE TABLE z (a int, PRIMARY KEY (⟦b⟧))', '42703', 'column "b" named in key does not exist'],
  ['DROP TABLE ⟦nope⟧', '42P01', 'relation "nope" does not exist'],
  ['SELECT * FROM t WHERE x IN (SELECT ⟦nope⟧ FROM u)', '42703', 'column "nope" does not exist'],
  ['SELECT ⟦count⟧(\'a\', \'b\')', '42883', 'function count(unknown, unknown) does not exist'],
  ['WITH a AS (SELECT 1), ⟦a⟧ AS (SELECT 2) SELECT * FROM a', '42712', 'WITH query name "a" specified more than once'],
  ['SELECT sum(x) OVER (ORDER BY ⟦row_number() OVER ()⟧) FROM t', '42P20', 'window function calls cannot be nested'],
  ['SELECT ⟦(SELECT id, x FROM t)⟧', '42601', 'subquery must return only one column'],
  ['SELECT 1 UNION ⟦SELECT 1, 2⟧', '42601', 'each UNION query must have the same number of columns'],
  ['SELECT x FROM t GROUP BY ⟦3⟧', '42P10', 'GROUP BY position 3 is not in select list'],
  ['SELECT id FROM t WHERE x = 1 ORDER BY ⟦nope⟧', '42703', 'column "nope" does not exist'],
  ['SELECT id FROM t WHERE ⟦$1::text⟧', '42804', 'argument of WHERE must be type boolean, not type text'],
];

describe('binder errors carry exact SQLSTATE, message and range', () => {
  test('at least 25 cases', () => {
    expect(CASES.length).toBeGreaterThanOrEqual(25);
  });
  for (const [template, sqlstate, message] of CASES) {
    test(template, () => {
      const { sql, span } = marked(template);
      const r = bindSql(sql, catalog);
      expect(r.bound).toBeUndefined();
      expect(r.diagnostics.map((d) => ({ sqlstate: d.sqlstate, message: d.message, span: d.span }))).toEqual([{ sqlstate, message, span }]);
    });
  }
});

describe('diagnostic details', () => {
  test('unknown functions carry PostgreSQL\'s hint', () => {
    const r = bindSql('SELECT foo(1)', catalog);
    expect(r.diagnostics[0]!.hint).toBe('No function matches the given name and argument types. You might need to add explicit type casts.');
    expect(r.diagnostics[0]!.code).toBe('undefined_function');
  });
  test('a misspelled column gets PostgreSQL\'s "Perhaps you meant" hint', () => {
    expect(bindSql('SELECT nmae FROM t', catalog).diagnostics[0]!.hint).toBe('Perhaps you meant to reference the column "t.name".');
    expect(bindSql('SELECT t.amont FROM t', catalog).diagnostics[0]!.hint).toBe('Perhaps you meant to reference the column "t.amount".');
    expect(bindSql('SELECT zzzz FROM t', catalog).diagnostics[0]!.hint).toBeUndefined();
  });
  test('one mistake yields one diagnostic through the poison type', () => {
    const r = bindSql('SELECT (nope + 1) * 2, lower(nope::text) FROM t WHERE nope > 3', catalog);
    expect(r.diagnostics.map((d) => d.message)).toEqual(['column "nope" does not exist', 'column "nope" does not exist', 'column "nope" does not exist']);
  });
  test('diagnostics come sorted by position', () => {
    const r = bindSql('SELECT b1 FROM t WHERE a1 = 1', catalog);
    expect(r.diagnostics.map((d) => d.span.start)).toEqual([7, 23]);
  });
});
