// Syntax errors: PostgreSQL's wording, SQLSTATE 42601, and the exact range of the offending token.
//
// Each case is a marked source: the line under the statement puts `^` under the expected span (a single
// `^` one past the end of the text marks "at end of input").

import { describe, expect, test } from 'bun:test';
import { parseSql, parseStatement } from '../../compiler/frontends/sql/index.ts';

function marked(sql: string, marker: string): { start: number; end: number } {
  const start = marker.indexOf('^');
  return { start, end: start === sql.length ? start : marker.lastIndexOf('^') + 1 };
}

const cases: [sql: string, marker: string, message: string][] = [
  ['SELEC 1',
   '^^^^^', 'syntax error at or near "SELEC"'],
  ['SELECT * FROM',
   '             ^', 'syntax error at end of input'],
  ['SELECT a, FROM t',
   '          ^^^^', 'syntax error at or near "FROM"'],
  ['SELECT a = b = c',
   '             ^', 'syntax error at or near "="'],
  ['SELECT a FROM t ORDER a',
   '                      ^', 'syntax error at or near "a"'],
  ['SELECT 1 2',
   '         ^', 'syntax error at or near "2"'],
  ["SELECT 'abc",
   "       ^^^^", 'unterminated quoted string at or near "\'abc"'],
  ['SELECT "abc',
   '       ^^^^', 'unterminated quoted identifier at or near ""abc"'],
  ['SELECT $x$abc',
   '       ^^^^^^', 'unterminated dollar-quoted string at or near "$x$abc"'],
  ['SELECT 1 /* x',
   '         ^^^^', 'unterminated /* comment at or near "/* x"'],
  ['INSERT INTO t VALUES (1,)',
   '                        ^', 'syntax error at or near ")"'],
  ['CREATE TABLE t (a int,, b int)',
   '                      ^', 'syntax error at or near ","'],
  ['UPDATE t SET WHERE a = 1',
   '             ^^^^^', 'syntax error at or near "WHERE"'],
  ['SELECT * FROM t JOIN u WHERE x',
   '                       ^^^^^', 'syntax error at or near "WHERE"'],
  ['DELETE t',
   '       ^', 'syntax error at or near "t"'],
  ['SELECT (1 + 2',
   '             ^', 'syntax error at end of input'],
  ['SELECT a FROM t WHERE a IN ()',
   '                            ^', 'syntax error at or near ")"'],
  ['SELECT CAST(a AS)',
   '                ^', 'syntax error at or near ")"'],
  ['SELECT a::',
   '          ^', 'syntax error at end of input'],
  ['EXPLAIN (FORMAT XML) SELECT 1',
   '                ^^^', 'syntax error at or near "XML"'],
];

describe('syntax errors', () => {
  for (const [sql, marker, message] of cases) {
    test(sql, () => {
      const r = parseStatement(sql);
      expect(r.ast).toBeUndefined();
      expect(r.diagnostics.length).toBe(1);
      const d = r.diagnostics[0]!;
      expect([d.code, d.sqlstate, d.severity]).toEqual(['syntax_error', '42601', 'error']);
      expect(d.message).toBe(message);
      expect(d.span).toEqual(marked(sql, marker));
    });
  }

  test('the expected alternatives come in the detail', () => {
    const d = parseStatement('SELECT * FROM t WHERE').diagnostics[0]!;
    expect(d.detail).toStartWith('expected ');
    expect(d.detail).toContain('an identifier');
  });

  test('in a script, one broken statement costs one diagnostic with script offsets', () => {
    const src = 'SELECT 1;\nSELEC 2;\n  SELECT 3 -- ok\n;';
    const r = parseSql(src);
    // A statement's text runs from its first token to the end of its last one: trailing comments stay out.
    expect(r.statements.map((s) => s.text)).toEqual(['SELECT 1', 'SELECT 3']);
    expect(r.diagnostics.length).toBe(1);
    expect(r.diagnostics[0]!.message).toBe('syntax error at or near "SELEC"');
    expect(r.diagnostics[0]!.span).toEqual({ start: 10, end: 15 });
    expect(src.slice(r.statements[1]!.span.start, r.statements[1]!.span.end)).toBe('SELECT 3');
    expect(r.statements[1]!.ast.span.start).toBe(src.indexOf('SELECT 3'));
  });

  test('end of input in a later statement points at the end of that statement', () => {
    const src = 'SELECT 1; SELECT * FROM; SELECT 2';
    const d = parseSql(src).diagnostics[0]!;
    expect(d.message).toBe('syntax error at end of input');
    expect(d.span).toEqual({ start: src.indexOf(';', 10), end: src.indexOf(';', 10) });
  });

  test('deep nesting is reported, not thrown', () => {
    const r = parseStatement('SELECT ' + '('.repeat(20000) + '1' + ')'.repeat(20000));
    expect(r.diagnostics.map((d) => [d.code, d.sqlstate])).toEqual([['statement_too_complex', '54001']]);
  });
});
