// COPY statements and psql's catalog spellings in the SQL front end: parsing, formatting and binding.
import { describe, expect, test } from 'bun:test';
import { catalogFromSchema } from '../../compiler/catalog/from-schema.ts';
import { formatSql, parseSql } from '../../compiler/frontends/sql/index.ts';
import { compileSql } from '../../compiler/pipeline.ts';
import type { BoundStatement } from '../../compiler/index.ts';
import type * as A from '../../compiler/frontends/sql/ast.ts';
import { parseExpr, parseOne, sx } from './sql-parse-support.ts';

const options = (s: A.Statement) => (s as A.CopyStatement).options.map((o) => [o.name, o.value]);

const { catalog } = catalogFromSchema("CREATE TABLE t (id int PRIMARY KEY, name text DEFAULT 'x', score float8);");

function bound(sql: string): Extract<BoundStatement, { kind: 'copy' }> {
  const [r] = compileSql(sql, catalog);
  expect(r!.diagnostics).toEqual([]);
  expect(r!.bound?.kind).toBe('copy');
  return r!.bound as Extract<BoundStatement, { kind: 'copy' }>;
}

function error(sql: string): { code: string; message: string; at: string } {
  const [r] = compileSql(sql, catalog);
  const d = r!.diagnostics[0]!;
  return { code: d.sqlstate, message: d.message, at: sql.slice(d.span.start, d.span.end) };
}

describe('COPY', () => {
  test('the three forms parse, with both option spellings', () => {
    const from = parseOne("copy t (id, name) from stdin with (format csv, header, delimiter ';', null 'NA')");
    expect(from).toMatchObject({ kind: 'copy', direction: 'from', columns: [{ name: 'id' }, { name: 'name' }] });
    expect(options(from)).toEqual([['format', 'csv'], ['header', undefined], ['delimiter', ';'], ['null', 'NA']]);
    const legacy = parseOne("COPY public.t TO STDOUT WITH CSV HEADER DELIMITER AS '|' NULL AS ''");
    expect(options(legacy)).toEqual([['csv', undefined], ['header', undefined], ['delimiter', '|'], ['null', '']]);
    expect(parseOne('copy (select 1) to stdout')).toMatchObject({ kind: 'copy', direction: 'to', query: { kind: 'query' } });
    expect(parseSql('copy t from stdout').diagnostics[0]?.sqlstate).toBe('42601');
  });

  test('formatting gives text that parses to the same statement', () => {
    const cases: [string, string][] = [
      ["copy t (id) from stdin (format csv, null '')", "COPY t (id) FROM STDIN (FORMAT 'csv', NULL '')"],
      ['copy t to stdout with csv header', 'COPY t TO STDOUT (CSV, HEADER)'],
      ['copy (select id from t) to stdout', 'COPY (SELECT id\nFROM t) TO STDOUT'],
    ];
    for (const [sql, expected] of cases) {
      const text = formatSql(parseOne(sql));
      expect(text).toBe(expected);
      expect(formatSql(parseOne(text))).toBe(text);
    }
  });

  test('binding: FROM becomes a one-row INSERT over parameters, TO a query; defaults filled in', () => {
    const from = bound('copy t (score, id) from stdin');
    expect(from.direction).toBe('from');
    expect(from.plan.kind).toBe('insert');
    expect(from.params.map((p) => p.kind)).toEqual(['float64', 'int32']);
    expect(from.format).toEqual({ format: 'text', delimiter: '\t', null: '\\N', header: false, quote: '"', escape: '"' });
    const to = bound("copy t to stdout (format csv, header true, quote '''')");
    expect(to.columns).toEqual(['id', 'name', 'score']);
    expect(to.format).toEqual({ format: 'csv', delimiter: ',', null: '', header: true, quote: "'", escape: "'" });
  });

  test('option mistakes are diagnostics at the option', () => {
    expect(error('copy t from stdin (format xml)')).toEqual({ code: '22023', message: 'COPY format "xml" not recognized', at: 'format xml' });
    expect(error("copy t from stdin (delimiter 'ab')")).toMatchObject({ code: '0A000', at: "delimiter 'ab'" });
    expect(error('copy t from stdin (header, header)')).toMatchObject({ code: '42601', message: 'conflicting or redundant options' });
    expect(error('copy t to stdout (frobnicate)')).toMatchObject({ code: '42601', message: 'option "frobnicate" not recognized' });
    expect(error('copy t from stdin (header)').message).toBe('COPY HEADER available only in CSV mode');
    expect(error('copy nosuch from stdin')).toMatchObject({ code: '42P01', at: 'nosuch' });
    expect(error('copy t (nope) from stdin')).toMatchObject({ code: '42703' });
  });
});

describe("psql's catalog spellings", () => {
  test('regex operators and OPERATOR(schema.op) parse as binary operators at the "other" level', () => {
    expect(sx(parseExpr("a ~ 'x' AND b !~* 'y'"))).toBe("(and (~ a 'x') (!~* b 'y'))");
    expect(sx(parseExpr("a OPERATOR(pg_catalog.~) '^t$'"))).toBe("(~ a '^t$')");
    expect(sx(parseExpr("a operator( ~* ) b || c"))).toBe('(|| (~* a b) c)');
  });

  test('COLLATE is accepted and dropped; casts take schema-qualified type names', () => {
    expect(sx(parseExpr("a COLLATE pg_catalog.default = 'x'"))).toBe("(= a 'x')");
    expect(sx(parseExpr('a::pg_catalog.regclass::pg_catalog.text'))).toBe(sx(parseExpr('a::regclass::text')));
    expect(parseSql('select current_schema(), current_schema').diagnostics).toEqual([]);
  });
});
