// Script splitting: `;` ends a statement only outside strings, quoted identifiers, comments and dollar quotes.

import { describe, expect, test } from 'bun:test';
import { parseSql, splitStatements } from '../../compiler/frontends/sql/index.ts';

function pieces(src: string): string[] {
  return splitStatements(src).map((r) => src.slice(r.start, r.end));
}

describe('splitStatements', () => {
  test('top-level semicolons, empty statements dropped, whitespace and comments trimmed', () => {
    expect(pieces('SELECT 1; ;; -- c\n SELECT 2 ;\n/* only a comment */;')).toEqual(['SELECT 1', 'SELECT 2']);
  });
  test('semicolons inside strings, identifiers, comments and dollar quotes do not split', () => {
    const src = `SELECT 'a;b', E'c\\';d', "e;f" -- g;h
      /* i; /* nested; */ j; */, $$k;l$$, $t$m;$$;n$t$; SELECT 2`;
    const p = pieces(src);
    expect(p.length).toBe(2);
    expect(p[1]).toBe('SELECT 2');
  });
  test('identifiers may contain $ without starting a dollar quote', () => {
    expect(pieces('SELECT a$b$c; SELECT $1')).toEqual(['SELECT a$b$c', 'SELECT $1']);
  });
  test('an unterminated string runs to the end of the script', () => {
    expect(pieces("SELECT 1; SELECT 'x; SELECT 2")).toEqual(['SELECT 1', "SELECT 'x; SELECT 2"]);
  });
});

describe('parseSql', () => {
  test('statements keep their text, their script range and script-relative spans', () => {
    const src = '  SELECT a FROM t;\nINSERT INTO t VALUES (1);\n';
    const r = parseSql(src);
    expect(r.diagnostics).toEqual([]);
    expect(r.statements.map((s) => [s.text, s.span.start, s.span.end, s.ast.kind])).toEqual([
      ['SELECT a FROM t', 2, 17, 'query-statement'],
      ['INSERT INTO t VALUES (1)', 19, 43, 'insert'],
    ]);
    const ins = r.statements[1]!.ast;
    if (ins.kind !== 'insert') throw new Error('insert expected');
    expect(src.slice(ins.table.span.start, ins.table.span.end)).toBe('t');
    expect(ins.table.span.start).toBe(31);
  });
  test('a dollar-quoted body with $ inside keeps its exact value', () => {
    const r = parseSql("SELECT $fn$ a $$ b $x$ c $fn$ AS body; SELECT 'ok'");
    expect(r.diagnostics).toEqual([]);
    const q = r.statements[0]!.ast;
    if (q.kind !== 'query-statement' || q.query.body.kind !== 'select') throw new Error('select expected');
    expect(q.query.body.items[0]!.expr).toMatchObject({ kind: 'literal', value: { value: ' a $$ b $x$ c ', form: 'dollar' } });
  });
  test('an empty or comment-only script has no statements and no diagnostics', () => {
    expect(parseSql('')).toEqual({ statements: [], diagnostics: [] });
    expect(parseSql(' -- nothing\n /* here */ ; ;')).toEqual({ statements: [], diagnostics: [] });
  });
});
