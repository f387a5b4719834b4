// Garbage in, diagnostics out: random bytes and token soups never throw, and every range lies in the source.

import { describe, expect, test } from 'bun:test';
import fc from 'fast-check';
import { parseSql } from '../../compiler/frontends/sql/index.ts';

function checkScript(src: string): void {
  const r = parseSql(src);
  for (const d of r.diagnostics) {
    expect(['syntax_error', 'statement_too_complex']).toContain(d.code);
    expect(d.span.start).toBeGreaterThanOrEqual(0);
    expect(d.span.start).toBeLessThanOrEqual(d.span.end);
    expect(d.span.end).toBeLessThanOrEqual(src.length);
    expect(d.message.length).toBeGreaterThan(0);
  }
  for (const s of r.statements) {
    expect(src.slice(s.span.start, s.span.end)).toBe(s.text);
    expect(s.ast.span.start).toBeGreaterThanOrEqual(s.span.start);
    expect(s.ast.span.end).toBeLessThanOrEqual(s.span.end);
  }
}

const KEYWORDS = [
  'SELECT', 'FROM', 'WHERE', 'GROUP', 'BY', 'HAVING', 'ORDER', 'LIMIT', 'OFFSET', 'FETCH', 'FIRST', 'ROWS', 'ONLY',
  'JOIN', 'LEFT', 'ON', 'USING', 'AND', 'OR', 'NOT', 'IS', 'NULL', 'IN', 'BETWEEN', 'LIKE', 'ILIKE', 'EXISTS', 'CASE',
  'WHEN', 'THEN', 'ELSE', 'END', 'CAST', 'AS', 'WITH', 'RECURSIVE', 'UNION', 'ALL', 'INSERT', 'INTO', 'VALUES',
  'DEFAULT', 'UPDATE', 'SET', 'DELETE', 'RETURNING', 'CREATE', 'TABLE', 'INDEX', 'VIEW', 'DROP', 'ALTER', 'ADD',
  'COLUMN', 'BEGIN', 'COMMIT', 'ROLLBACK', 'EXPLAIN', 'ANALYZE', 'OVER', 'PARTITION', 'INTERVAL', 'DATE', 'ARRAY',
  'DISTINCT', 'FILTER', 'EXTRACT', 'TRUE', 'FALSE', 'PRIMARY', 'KEY', 'REFERENCES', 'CONFLICT', 'DO', 'NOTHING',
];
const OPERATORS = ['+', '-', '*', '/', '%', '^', '=', '<>', '!=', '<', '<=', '>', '>=', '||', '::', '->', '->>', '@>', '?', '(', ')', ',', '.', ';', '[', ']', ':', '$1', '--', '/*', '*/'];
const token = fc.oneof(
  fc.constantFrom(...KEYWORDS),
  fc.constantFrom(...OPERATORS),
  fc.constantFrom('a', 'b', 't', 'x1', '"Q"', '"a""b"', 'ÉtÉ', '_x$'),
  fc.constantFrom("'s'", "'it''s'", "E'\\n'", '$$d$$', '$t$x$t$', "'open", '"open', '$$open'),
  fc.constantFrom('1', '0.5', '.5', '1e3', '12.', '007'),
);

describe('parser robustness', () => {
  test('random byte strings never throw', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 120 }), checkScript), { numRuns: 1000 });
  }, 120_000);
  test('random ASCII never throws', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary-ascii', maxLength: 200 }), checkScript), { numRuns: 1000 });
  }, 120_000);
  test('token soups never throw', () => {
    const soup = fc
      .tuple(fc.array(token, { maxLength: 40 }), fc.constantFrom(' ', '', '\n'))
      .map(([tokens, sep]) => tokens.join(sep));
    fc.assert(fc.property(soup, checkScript), { numRuns: 1000 });
  }, 120_000);
  test('statement-shaped soups never throw', () => {
    const stmt = fc
      .tuple(fc.constantFrom('SELECT', 'INSERT INTO t', 'UPDATE t SET', 'DELETE FROM t', 'CREATE TABLE t (', 'WITH x AS ('), fc.array(token, { maxLength: 25 }))
      .map(([head, tokens]) => `${head} ${tokens.join(' ')}`);
    fc.assert(fc.property(fc.array(stmt, { maxLength: 4 }).map((s) => s.join('; ')), checkScript), { numRuns: 1000 });
  }, 120_000);
});
