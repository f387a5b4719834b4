// Script splitting: `;` ends a statement only outside strings, quoted identifiers, comments and dollar quotes.

import { describe, expect, test } from 'bun:test';
import { parseSql, splitStatements } from '../../compiler/frontends/sql/index.ts';
import { grammarText } from '../../compiler/frontends/sql/split.ts';

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

describe('grammarText', () => {
  test('keeps every offset: reserved words upper-cased, other words lower-cased, closed comments blanked', () => {
    const src = 'Select A /* x /* y */ */ FROM "T" -- z\nWHERE b = 1';
    const out = grammarText(src);
    expect(out.length).toBe(src.length);
    expect(out).toBe('SELECT a                 FROM "T"      WHERE b = 1');
  });
  test('an unclosed comment is left for the grammar to stop at; the closed ones before it are blanked', () => {
    expect(grammarText('SELECT 1 /* a */ /* b')).toBe('SELECT 1         /* b');
  });
  test("the E of an escape string is upper-case, so it never starts like a name", () => {
    expect(grammarText("SELECT e'x', E'y', e")).toBe("SELECT E'x', E'y', e");
  });
});

describe('parseSql', () => {
  test('comments anywhere between tokens leave the tree and its source ranges as without them', () => {
    const plain = 'SELECT a + b FROM t';
    const commented = 'SELECT/*1*/a--2\n+/* 3 /* 4 */ */b FROM t';
    const strip = (sql: string): unknown => JSON.parse(JSON.stringify(parseSql(sql).statements[0]!.ast, (k, v) => (k === 'span' ? undefined : v)));
    expect(parseSql(commented).diagnostics).toEqual([]);
    expect(strip(commented)).toEqual(strip(plain));
    const item = parseSql(commented).statements[0]!.ast;
    if (item.kind !== 'query-statement' || item.query.body.kind !== 'select') throw new Error('select expected');
    const e = item.query.body.items[0]!.expr;
    expect(commented.slice(e.span.start, e.span.end)).toBe('a--2\n+/* 3 /* 4 */ */b');
  });
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
