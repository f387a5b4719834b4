// Property: binding never throws for a statement that parses; every diagnostic has a span inside the source.

import { expect, test } from 'bun:test';
import fc from 'fast-check';
import { bindStatement } from '../../compiler/bind/index.ts';
import { parseSql } from '../../compiler/frontends/sql/index.ts';
import { testCatalog } from './bind-support.ts';

const catalog = testCatalog();

const column = fc.constantFrom('id', 'x', 'name', 'd', 'amount', 'ts', 't.id', 'u.n', 'v', 'nope', 't.nope', 'zz.id', 't_id');
const literal = fc.constantFrom('1', '2.5', "'a'", "'2020-01-01'", 'NULL', 'true', '99999999999', "date '2020-02-02'", "interval '1 day'", '$1', '$2');
const fn = fc.constantFrom('lower', 'length', 'abs', 'coalesce', 'sum', 'count', 'avg', 'max', 'foo', 'round', 'nullif', 'upper');
const op = fc.constantFrom('+', '-', '*', '/', '=', '<>', '<', '>=', 'AND', 'OR');

const expr: fc.Arbitrary<string> = fc.letrec<{ e: string }>((tie) => ({
  e: fc.oneof(
    { depthSize: 'xsmall', maxDepth: 3, withCrossShrink: true },
    column,
    literal,
    fc.tuple(tie('e'), op, tie('e')).map(([a, o, b]) => `(${a} ${o} ${b})`),
    fc.tuple(fn, tie('e')).map(([f, a]) => `${f}(${a})`),
    fc.tuple(tie('e'), tie('e'), tie('e')).map(([a, b, c]) => `CASE WHEN ${a} THEN ${b} ELSE ${c} END`),
    fc.tuple(tie('e'), fc.constantFrom('int', 'text', 'date', 'numeric', 'bigint')).map(([a, t]) => `CAST(${a} AS ${t})`),
    tie('e').map((a) => `(SELECT ${a} FROM u WHERE u.t_id = t.id)`),
    fc.tuple(tie('e'), tie('e')).map(([a, b]) => `${a} IN (${b}, 1)`),
  ),
})).e;

const statement = fc.oneof(
  fc.tuple(fc.array(expr, { minLength: 1, maxLength: 3 }), fc.option(expr), fc.option(column), fc.option(expr)).map(
    ([items, where, group, having]) =>
      `SELECT ${items.join(', ')} FROM t${where ? ` WHERE ${where}` : ''}${group ? ` GROUP BY ${group}` : ''}${having ? ` HAVING ${having}` : ''} ORDER BY 1`,
  ),
  fc.tuple(expr, expr).map(([a, b]) => `INSERT INTO t (id, x) VALUES (${a}, ${b}) RETURNING id`),
  fc.tuple(expr, expr).map(([a, b]) => `UPDATE t SET x = ${a} FROM u WHERE ${b}`),
  fc.tuple(expr, expr).map(([a, b]) => `SELECT ${a} FROM t UNION SELECT ${b} FROM u`),
);

test('binding any parseable statement never throws; diagnostics point into the source', () => {
  fc.assert(
    fc.property(statement, (sql) => {
      const parsed = parseSql(sql);
      for (const st of parsed.statements) {
        const r = bindStatement(st.ast, sql, catalog);
        for (const d of r.diagnostics) {
          expect(d.span.start).toBeGreaterThanOrEqual(0);
          expect(d.span.end).toBeLessThanOrEqual(sql.length);
          expect(d.span.start).toBeLessThanOrEqual(d.span.end);
          expect(d.sqlstate).toMatch(/^[0-9A-Z]{5}$/);
        }
        expect(r.bound !== undefined || r.diagnostics.some((d) => d.severity === 'error')).toBe(true);
      }
    }),
    { numRuns: 400 },
  );
}, 60_000);
