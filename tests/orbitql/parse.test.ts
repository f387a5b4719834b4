// OrbitQL parsing: OrbitQL forms become their SQL equivalents, errors point at exact ranges, garbage never crashes.
import { describe, expect, test } from 'bun:test';
import fc from 'fast-check';
import { catalogFromSchema, compileOrbitQL, parseOrbitQL, printLogical } from '../../compiler/index.ts';

function sqlOf(text: string): string[] {
  const r = parseOrbitQL(text);
  expect(r.diagnostics).toEqual([]);
  return r.statements.map((s) => (s.kind === 'let' ? `LET ${s.name} = ${s.valueSql}` : s.sql));
}

/** The source text a diagnostic's span covers, with its message. */
function errors(text: string): [string, string][] {
  return parseOrbitQL(text).diagnostics.map((d) => [d.message, text.slice(d.span.start, d.span.end)]);
}

describe('OrbitQL forms as SQL', () => {
  test('record ids are their text', () => {
    expect(sqlOf("SELECT user:alice, user:42, User:'a b', user:'it''s'")).toEqual(["SELECT 'user:alice', 'user:42', 'user:a b', 'user:it''s'"]);
  });
  test('objects and arrays', () => {
    expect(sqlOf("SELECT { a: 1, 'b c': [1, 2,], \"D\": {} }")).toEqual(["SELECT jsonb_build_object( 'a', 1, 'b c', ARRAY[1, 2], 'D', jsonb_build_object() )"]);
  });
  test('durations', () => {
    expect(sqlOf('SELECT 100ms, 15m, 3h, 7d, 1h30m')).toEqual([
      "SELECT INTERVAL '100 millisecond', INTERVAL '15 minute', INTERVAL '3 hour', INTERVAL '7 day', INTERVAL '1 hour 30 minute'",
    ]);
  });
  test('namespaced functions; unknown names keep their spelling; casts stay casts', () => {
    expect(sqlOf('SELECT string::lower(x), math::abs(-1), time::now(), string::nope(1), x::int FROM t')).toEqual([
      'SELECT lower(x), abs(-1), now(), "string::nope"(1), x::int FROM t',
    ]);
  });
  test('parameters are numbered by first use across the script; LET values are spliced in', () => {
    const r = parseOrbitQL('SELECT $b, $a; LET $c = $a + 1; SELECT $c, $b');
    expect(r.paramNames).toEqual(['b', 'a']);
    expect(r.statements.map((s) => (s.kind === 'let' ? s.valueSql : s.sql))).toEqual(['SELECT $1, $2', '($2 + 1)', 'SELECT ($2 + 1), $1']);
  });
  test('plain SQL is unchanged', () => {
    const text = "SELECT a.x, count(*) FROM a JOIN b USING (id) WHERE a.y[1:2] = ARRAY[1] GROUP BY 1 HAVING count(*) > $1";
    expect(sqlOf(text)).toEqual([text]);
  });
});

describe('diagnostics', () => {
  test('a syntax error costs one diagnostic at its token; the other statements parse', () => {
    const text = 'SELECT 1; SELECT FROM WHERE; SELECT {a: }; SELECT 2';
    const r = parseOrbitQL(text);
    expect(r.statements.length).toBe(2);
    expect(errors(text)).toEqual([
      ['syntax error at or near "WHERE"', 'WHERE'],
      ['syntax error at or near "}"', '}'],
    ]);
    expect(r.diagnostics[0]!.detail).toMatch(/^expected /);
  });
  test('binder errors point into the OrbitQL text, through rewritten forms', () => {
    const { catalog } = catalogFromSchema('CREATE TABLE t (id text PRIMARY KEY, n int, doc jsonb)');
    const at = (text: string) => compileOrbitQL(text, catalog).statements.flatMap((s) => s.diagnostics.map((d) => [d.code, text.slice(d.span.start, d.span.end)]));
    expect(at('SELECT string::nope(n) FROM t')).toEqual([['undefined_function', 'string::nope']]);
    expect(at("SELECT {a: 1}, nme FROM t WHERE id = t:1")).toEqual([['undefined_column', 'nme']]);
    expect(at('SELECT 1 FROM t WHERE n > 5m')).toEqual([['undefined_operator', '>']]);
  });
  test('paths become document access, through aliases too', () => {
    const { catalog } = catalogFromSchema('CREATE TABLE t (id text PRIMARY KEY, doc jsonb)');
    const [s] = compileOrbitQL('SELECT doc.a.b, x.doc.c, doc.list[0] FROM t x', catalog).statements;
    expect(s!.diagnostics).toEqual([]);
    expect(printLogical(s!.logical!)).toContain("((doc#2 -> 'a') ->> 'b')");
    expect(printLogical(s!.logical!)).toContain("(doc#2 ->> 'c')");
    expect(printLogical(s!.logical!)).toContain("((doc#2 -> 'list') ->> 0)");
  });
});

describe('robustness', () => {
  const alphabet = [...'abc xyz:$[]{}()\'",;.-+*/<>=0123456789'].concat(['SELECT ', 'FROM ', 'LET ', '::', 'string::', 'user:', '1h', 'WHERE ']);
  test('garbage never throws', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...alphabet), { maxLength: 40 }), (parts) => {
        const text = parts.join('');
        const r = parseOrbitQL(text);
        for (const d of r.diagnostics) {
          expect(d.span.start).toBeGreaterThanOrEqual(0);
          expect(d.span.end).toBeLessThanOrEqual(text.length);
        }
      }),
      { numRuns: 1000 },
    );
  });
});
