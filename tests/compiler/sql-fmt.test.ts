// `orbit fmt`: canonical text for known statements, and fmt → parse giving back random trees.

import { describe, expect, test } from 'bun:test';
import fc from 'fast-check';
import { formatScript, formatSql, parseSql } from '../../compiler/frontends/sql/index.ts';
import { expr, query, statement } from './sql-fmt-arbitrary.ts';
import { parseOne, stripSpans } from './sql-parse-support.ts';
import type * as A from '../../compiler/frontends/sql/ast.ts';

const S = { start: 0, end: 0 };

function roundTrip(stmt: A.Statement): void {
  const text = formatSql(stmt);
  const r = parseSql(text);
  if (r.diagnostics.length > 0) throw new Error(`formatted text does not parse: ${r.diagnostics[0]!.message}\n${text}`);
  expect(r.statements.length).toBe(1);
  expect(stripSpans(r.statements[0]!.ast)).toEqual(stripSpans(stmt));
}

describe('formatSql', () => {
  const cases: [string, string][] = [
    ['select a,b from t where x=1 and y<>2', 'SELECT a, b\nFROM t\nWHERE x = 1 AND y <> 2'],
    ['select (a+b)*c, a+(b*c), (a-b)-c, a-(b-c), -(-a), (-a)::int, (a or b) and c', 'SELECT (a + b) * c, a + b * c, a - b - c, a - (b - c), - -a, (-a)::INT, (a OR b) AND c'],
    ['select not (a and b), (not a) = b, (a = b) = c, (a is null) is null', 'SELECT NOT (a AND b), (NOT a) = b, (a = b) = c, a IS NULL IS NULL'],
    // `a::int[1]` would be a cast to int[]: a subscript of a :: cast keeps its parentheses.
    ['select (a::int)[1], (a::int[])[1], a[1]::int', 'SELECT (a::INT)[1], (a::INT[])[1], a[1]::INT'],
    ["select E'a\\nb', $$x'y$$, 'it''s', \"Col\", \"select\", \"a\"\"b\"", "SELECT E'a\\nb', $$x'y$$, 'it''s', \"Col\", \"select\", \"a\"\"b\""],
    ['select count(*) filter (where a > 0) over w from t window w as (partition by b order by c rows between 1 preceding and current row)',
     'SELECT count(*) FILTER (WHERE a > 0) OVER w\nFROM t\nWINDOW w AS (PARTITION BY b ORDER BY c ROWS BETWEEN 1 PRECEDING AND CURRENT ROW)'],
    ['select * from a left join b using (x) cross join c', 'SELECT *\nFROM\n  a\n    LEFT JOIN b USING (x)\n    CROSS JOIN c'],
    ['select 1 union all (select 2 order by 1) limit 3 offset 1', 'SELECT 1\nUNION ALL\n(\n  SELECT 2\n  ORDER BY 1\n)\nLIMIT 3\nOFFSET 1'],
    ['select a from t offset 2 rows fetch next 5 rows only', 'SELECT a\nFROM t\nOFFSET 2 ROWS\nFETCH FIRST 5 ROWS ONLY'],
    ["insert into t (a, b) values (1, default) on conflict (a) do update set b = excluded.b returning *",
     'INSERT INTO t (a, b)\nVALUES (1, DEFAULT)\nON CONFLICT (a) DO UPDATE SET b = excluded.b\nRETURNING *'],
    ['update t set a = 1 from u where t.id = u.id', 'UPDATE t\nSET a = 1\nFROM u\nWHERE t.id = u.id'],
    ['delete from t using u where t.id = u.id returning t.*', 'DELETE FROM t\nUSING u\nWHERE t.id = u.id\nRETURNING t.*'],
    ['create table if not exists t (id bigserial primary key, n numeric(10,2) default 0 not null, ts timestamp(3) with time zone, tags text[], constraint u unique (n))',
     'CREATE TABLE IF NOT EXISTS t (\n  id BIGSERIAL PRIMARY KEY,\n  n NUMERIC(10, 2) DEFAULT 0 NOT NULL,\n  ts TIMESTAMP(3) WITH TIME ZONE,\n  tags TEXT[],\n  CONSTRAINT u UNIQUE (n)\n)'],
    ['create unique index if not exists i on t using btree (a desc nulls last, (a + b))', 'CREATE UNIQUE INDEX IF NOT EXISTS i ON t USING btree (a DESC NULLS LAST, (a + b))'],
    ['explain (format json, analyze) select 1', 'EXPLAIN (ANALYZE, FORMAT JSON) SELECT 1'],
    ['begin isolation level serializable, read only', 'BEGIN ISOLATION LEVEL SERIALIZABLE, READ ONLY'],
    ["set local search_path to public, 'x'", "SET LOCAL search_path TO public, 'x'"],
    ['select trim(both from s), substring(s from 2 for 3), position(a in b), current_date, extract(year from d)',
     'SELECT btrim(s), substring(s, 2, 3), position(b, a), CURRENT_DATE, EXTRACT(YEAR FROM d)'],
  ];
  for (const [input, expected] of cases) {
    test(input, () => {
      const stmt = parseOne(input);
      expect(formatSql(stmt)).toBe(expected);
      roundTrip(stmt);
    });
  }

  test('long conjunctions break one condition per line', () => {
    const text = formatSql(parseOne(`select * from t where ${Array.from({ length: 8 }, (_, i) => `column_number_${i} = ${i}`).join(' and ')}`));
    expect(text.split('\n').slice(2)).toEqual([
      'WHERE column_number_0 = 0',
      ...Array.from({ length: 7 }, (_, i) => `  AND column_number_${i + 1} = ${i + 1}`),
    ]);
  });

  test('formatScript ends each statement with a semicolon', () => {
    const r = parseSql('select 1; commit');
    expect(formatScript(r.statements.map((s) => s.ast))).toBe('SELECT 1;\n\nCOMMIT;\n');
  });

  test('dollar quotes pick a tag that does not occur in the body', () => {
    const lit: A.Statement = {
      kind: 'query-statement',
      span: S,
      query: {
        kind: 'query', span: S, orderBy: [], fetch: false, with: undefined, limit: undefined, offset: undefined,
        body: {
          kind: 'select', span: S, distinct: false, distinctOn: [], from: [], groupBy: [], windows: [], where: undefined, having: undefined,
          items: [{ kind: 'select-item', span: S, alias: undefined, expr: { kind: 'literal', span: S, value: { kind: 'string', value: 'a$$b$', form: 'dollar' } } }],
        },
      },
    };
    expect(formatSql(lit)).toBe('SELECT $q1$a$$b$$q1$');
    roundTrip(lit);
  });
});

describe('fmt → parse round trip (property)', () => {
  test('random expressions', () => {
    fc.assert(
      fc.property(expr(3), (e) => {
        roundTrip({
          kind: 'query-statement',
          span: S,
          query: {
            kind: 'query', span: S, orderBy: [], fetch: false, with: undefined, limit: undefined, offset: undefined,
            body: {
              kind: 'select', span: S, distinct: false, distinctOn: [], from: [], groupBy: [], windows: [], where: undefined, having: undefined,
              items: [{ kind: 'select-item', span: S, alias: undefined, expr: e }],
            },
          },
        });
      }),
      { numRuns: 1000 },
    );
  }, 300_000);

  test('random queries', () => {
    fc.assert(
      fc.property(query(1), (q) => roundTrip({ kind: 'query-statement', query: q, span: S })),
      { numRuns: 1000 },
    );
  }, 300_000);

  test('random statements of every kind', () => {
    fc.assert(fc.property(statement, roundTrip), { numRuns: 1000 });
  }, 300_000);
});
