// The PostgreSQL-dialect parser: every construct of issue #2 item 2, precedence, spans and identifier folding.

import { describe, expect, test } from 'bun:test';
import type * as A from '../../compiler/frontends/sql/ast.ts';
import { parseExpr, parseOne, parseQuery, parseSelect, parseStatement, sx, typeText } from './sql-parse-support.ts';

describe('expressions and precedence (PostgreSQL order)', () => {
  const cases: [string, string][] = [
    ['a OR b AND c', '(or a (and b c))'],
    ['a AND b OR c', '(or (and a b) c)'],
    ['NOT a = b', '(not (= a b))'],
    ['NOT a AND b', '(and (not a) b)'],
    ['NOT NOT a', '(not (not a))'],
    ['a = b IS NULL', '(is (= a b) null)'],
    ['a IS NOT NULL AND b ISNULL', '(and (is-not a null) (is b null))'],
    ['a NOTNULL', '(is-not a null)'],
    ['a IS TRUE', '(is a true)'],
    ['a IS NOT FALSE', '(is-not a false)'],
    ['a IS UNKNOWN', '(is a unknown)'],
    ['a IS DISTINCT FROM b + 1', '(is a distinct-from (+ b integer:1))'],
    ['a IS NOT DISTINCT FROM b', '(is-not a distinct-from b)'],
    ['a < b', '(< a b)'],
    ['a <> b', '(<> a b)'],
    ['a != b', '(!= a b)'],
    ['a >= b AND a <= c', '(and (>= a b) (<= a c))'],
    ['a LIKE b = c', '(= (like a b) c)'],
    ["a LIKE 'x%' ESCAPE '!'", "(like a 'x%' '!')"],
    ["a NOT ILIKE 'x'", "(not-ilike a 'x')"],
    ['a BETWEEN 1 AND 2 AND b', '(and (between a integer:1 integer:2) b)'],
    ['a NOT BETWEEN SYMMETRIC b AND c', '(not-between-symmetric a b c)'],
    ['a BETWEEN ASYMMETRIC b AND c', '(between a b c)'],
    ['a IN (1, 2, 3)', '(in a integer:1 integer:2 integer:3)'],
    ['a NOT IN (b)', '(not-in a b)'],
    ['a || b IN (c)', '(in (|| a b) c)'],
    ['a + b || c', '(|| (+ a b) c)'],
    ['a - b - c', '(- (- a b) c)'],
    ['a + b * c', '(+ a (* b c))'],
    ['a * b / c % d', '(% (/ (* a b) c) d)'],
    ['a ^ b * c', '(* (^ a b) c)'],
    ['a ^ b ^ c', '(^ (^ a b) c)'],
    ['-a ^ 2', '(^ (- a) integer:2)'],
    ['- -a', '(- (- a))'],
    ['+a', '(+ a)'],
    ['~a', '(~ a)'],
    ['-a::int', '(- (cast a int))'],
    ['a::int::text', '(cast (cast a int) text)'],
    ['(a + b)::numeric(10, 2)', '(cast (+ a b) numeric(10,2))'],
    ['CAST(a AS varchar(20)[])', '(cast a varchar(20)[])'],
    ['a[1]', '(index a integer:1)'],
    ['a[1:2]', '(slice a integer:1 integer:2)'],
    ['a[2:]', '(slice a integer:2 _)'],
    ['a[1][2]', '(index (index a integer:1) integer:2)'],
    ["j -> 'k' ->> 'v'", "(->> (-> j 'k') 'v')"],
    ["j #> '{a}' #>> '{b}'", "(#>> (#> j '{a}') '{b}')"],
    ["j @> '{}' AND j <@ k", "(and (@> j '{}') (<@ j k))"],
    ["j ? 'k'", "(? j 'k')"],
    ['a & b | c # d', '(# (| (& a b) c) d)'],
    ['a << 2 >> 1', '(>> (<< a integer:2) integer:1)'],
    ['a = ANY (b)', '(= any a b)'],
    ['a = SOME (ARRAY[1, 2])', '(= any a [integer:1 integer:2])'],
    ['a < ALL (SELECT 1)', '(< all a (subquery))'],
    ['a IN (SELECT b FROM t)', '(in a (subquery))'],
    ['a NOT IN (SELECT b FROM t)', '(not-in a (subquery))'],
    ['EXISTS (SELECT 1)', '(exists)'],
    ['NOT EXISTS (SELECT 1)', '(not (exists))'],
    ['(SELECT 1) + 1', '(+ (subquery) integer:1)'],
    ['ARRAY(SELECT 1)', '(array-subquery)'],
    ['ARRAY[[1, 2], [3]]', '[[integer:1 integer:2] [integer:3]]'],
    ['ARRAY[]', '[]'],
    ['ROW(1, 2)', '(row! integer:1 integer:2)'],
    ['ROW()', '(row! )'],
    ['(1, 2)', '(row integer:1 integer:2)'],
    ['((a))', 'a'],
    ['CASE WHEN a THEN 1 WHEN b THEN 2 ELSE 3 END', '(case (a integer:1) (b integer:2) else integer:3)'],
    ["CASE x WHEN 1 THEN 'a' END", "(case x (integer:1 'a'))"],
    ["DATE '2020-01-01'", "date'2020-01-01'"],
    ["TIMESTAMP WITH TIME ZONE '2020-01-01 00:00'", "timestamp with time zone'2020-01-01 00:00'"],
    ["timestamptz '2020-01-01'", "timestamptz'2020-01-01'"],
    ["uuid '00000000-0000-0000-0000-000000000000'", "uuid'00000000-0000-0000-0000-000000000000'"],
    ["INTERVAL '3 days'", "interval'3 days'"],
    ["INTERVAL '3' DAY", "interval'3' day"],
    ["INTERVAL '1-2' YEAR TO MONTH", "interval'1-2' year to month"],
    ['EXTRACT(YEAR FROM d)', '(extract year d)'],
    ["EXTRACT('epoch' FROM d)", '(extract epoch d)'],
    ['SUBSTRING(s FROM 1 FOR 2)', 'substring[s integer:1 integer:2]'],
    ['substring(s FROM 2)', 'substring[s integer:2]'],
    ['substring(s FOR 3)', 'substring[s integer:1 integer:3]'],
    ['substring(s, 1, 2)', 'substring[s integer:1 integer:2]'],
    ["POSITION('b' IN s)", "position[s 'b']"],
    ["TRIM(BOTH 'x' FROM s)", "btrim[s 'x']"],
    ['TRIM(LEADING FROM s)', 'ltrim[s]'],
    ['trim(trailing s)', 'rtrim[s]'],
    ['trim(s)', 'btrim[s]'],
    ['count(*)', 'count[*]'],
    ['count(DISTINCT a)', 'count[distinct a]'],
    ['count(ALL a)', 'count[a]'],
    ["string_agg(a, ',' ORDER BY b DESC)", "string_agg[a ','] order(b desc)"],
    ['sum(a) FILTER (WHERE a > 0)', 'sum[a] filter((> a integer:0))'],
    ['bool_and(a) OR bool_or(b)', '(or bool_and[a] bool_or[b])'],
    ['left(s, 2) || right(s, 1)', '(|| left[s integer:2] right[s integer:1])'],
    ['pg_catalog.now()', 'pg_catalog.now[]'],
    ['CURRENT_DATE', 'current_date[]'],
    ['current_timestamp', 'current_timestamp[]'],
    ['$1 + $12', '(+ $1 $12)'],
    ['t.*', 't.*'],
    ['s.t.c', 's.t.c'],
    ['t."order"', 't."order"'],
    ['NULL', 'null'],
    ['TRUE AND FALSE', '(and true false)'],
    ['1.5 + .5 + 1e10 + 2.5E-3 + 10.', '(+ (+ (+ (+ decimal:1.5 decimal:.5) float:1e10) float:2.5e-3) decimal:10.)'],
    // A name is a call before `(`, a typed literal before a string or more of a type name, else a column.
    ["date '2020-01-01' + e", "(+ date'2020-01-01' e)"],
    ["date E'2020-01-01'", "date'2020-01-01'"],
    ["e'x' || E'y'", "(|| 'x' 'y')"],
    ["double precision '1.5'", "double precision'1.5'"],
    ["timestamp with time zone '2020-01-01'", "timestamp with time zone'2020-01-01'"],
    ["varchar(3) 'abc' || numeric(10, 2) '1.5'", "(|| varchar(3)'abc' numeric(10,2)'1.5')"],
    ["interval '1' day", "interval'1' day"],
    ['a.b.* ', 'a.b.*'],
    ['x[1] BETWEEN - a AND $1', '(between (index x integer:1) (- a) $1)'],
    ['a OR ordered', '(or a ordered)'],
  ];
  for (const [input, expected] of cases) {
    test(input, () => {
      expect(sx(parseExpr(input))).toBe(expected);
    });
  }

  test('comparisons do not associate', () => {
    const r = parseStatement('SELECT a = b = c');
    expect(r.ast).toBeUndefined();
    expect(r.diagnostics[0]!.message).toBe('syntax error at or near "="');
  });
});

describe('literals and lexical structure', () => {
  function str(e: A.Expr): A.LiteralValue {
    if (e.kind !== 'literal') throw new Error(e.kind);
    return e.value;
  }
  test("'' escapes and adjacent forms", () => {
    expect(str(parseExpr("'it''s'"))).toEqual({ kind: 'string', value: "it's", form: 'plain' });
    expect(str(parseExpr("'a\\nb'"))).toEqual({ kind: 'string', value: 'a\\nb', form: 'plain' });
  });
  test("E'…' escape strings", () => {
    expect(str(parseExpr("E'a\\nb\\t\\\\ \\'q\\' \\x41\\101\\u00e9'"))).toEqual({
      kind: 'string',
      value: "a\nb\t\\ 'q' AAé",
      form: 'escape',
    });
    expect(str(parseExpr("e'x''y'"))).toEqual({ kind: 'string', value: "x'y", form: 'escape' });
  });
  test('dollar-quoted strings, with and without tags', () => {
    expect(str(parseExpr('$$it\'s $1$$'))).toEqual({ kind: 'string', value: "it's $1", form: 'dollar' });
    expect(str(parseExpr('$fn$ SELECT $$x$$; $fn$'))).toEqual({ kind: 'string', value: ' SELECT $$x$$; ', form: 'dollar' });
    expect(str(parseExpr('$Tag$a$tag$b$Tag$'))).toEqual({ kind: 'string', value: 'a$tag$b', form: 'dollar' });
  });
  test('identifier folding: unquoted to lower case, quoted kept', () => {
    const s = parseSelect('SELECT FooBar, "FooBar", "a""b", "select", ÉtÉ FROM "My Table"');
    const names = s.items.map((i) => (i.expr as A.ColumnRefExpr).name.parts[0]!);
    expect(names.map((n) => [n.name, n.quoted])).toEqual([
      ['foobar', false],
      ['FooBar', true],
      ['a"b', true],
      ['select', true],
      ['Ét\u00c9'.replace('t\u00c9', 'tÉ'), false],
    ]);
    expect((s.from[0] as A.TableRef).name.parts[0]).toMatchObject({ name: 'My Table', quoted: true });
  });
  test('keywords are case-insensitive and need a word boundary', () => {
    const s = parseSelect('sElEcT a FrOm orders oRDER bY a');
    expect((s.from[0] as A.TableRef).name.parts[0]!.name).toBe('orders');
    expect(sx(parseExpr('ordinal OR origin'))).toBe('(or ordinal origin)');
    expect(sx(parseExpr('isnull_flag IS NULL'))).toBe('(is isnull_flag null)');
  });
  test('comments: line and nested block comments', () => {
    const q = parseSelect('SELECT /* outer /* inner */ still comment */ a -- trailing\n FROM t');
    expect(q.items.length).toBe(1);
    expect(q.from.length).toBe(1);
  });
  test('reserved words as labels after AS and after a dot', () => {
    const s = parseSelect('SELECT t.from AS select, 1 AS "Order" FROM t');
    expect(s.items[0]!.alias).toMatchObject({ name: 'select', quoted: false });
    expect(sx(s.items[0]!.expr)).toBe('t.from');
    expect(s.items[1]!.alias).toMatchObject({ name: 'Order', quoted: true });
  });
});

describe('spans', () => {
  test('expression spans are exact, without surrounding parentheses', () => {
    const sql = 'SELECT (a + b) * c FROM t';
    const e = parseExpr('(a + b) * c') as A.BinaryExpr;
    expect(e.span).toEqual({ start: 7, end: 18 });
    expect(e.left.span).toEqual({ start: 8, end: 13 });
    const s = parseSelect(sql);
    expect(sql.slice(s.items[0]!.span.start, s.items[0]!.span.end)).toBe('(a + b) * c');
    expect(sql.slice(s.from[0]!.span.start, s.from[0]!.span.end)).toBe('t');
  });
  test('left-folded chains span from the first operand', () => {
    const sql = 'SELECT a - b - c';
    const e = parseExpr('a - b - c') as A.BinaryExpr;
    expect(sql.slice(e.span.start, e.span.end)).toBe('a - b - c');
    expect(sql.slice(e.left.span.start, e.left.span.end)).toBe('a - b');
  });
  test('identifier spans point at the name as written', () => {
    const sql = 'SELECT x FROM s."T" AS u';
    const t = parseSelect(sql).from[0] as A.TableRef;
    expect(sql.slice(t.name.parts[1]!.span.start, t.name.parts[1]!.span.end)).toBe('"T"');
    expect(sql.slice(t.alias!.span.start, t.alias!.span.end)).toBe('AS u');
  });
});

describe('queries', () => {
  test('SELECT DISTINCT, DISTINCT ON, aliases, star forms', () => {
    const s = parseSelect('SELECT DISTINCT ON (a, b) a, b x, c AS y, t.*, * FROM t');
    expect(s.distinct).toBe(true);
    expect(s.distinctOn.map(sx)).toEqual(['a', 'b']);
    expect(s.items.map((i) => [sx(i.expr), i.alias?.name])).toEqual([
      ['a', undefined],
      ['b', 'x'],
      ['c', 'y'],
      ['t.*', undefined],
      ['*', undefined],
    ]);
    expect(parseSelect('SELECT ALL a').distinct).toBe(false);
    expect(parseSelect('SELECT DISTINCT a').distinctOn).toEqual([]);
  });
  test('joins: inner, left/right/full [outer], cross, natural, using, nested and parenthesized', () => {
    const s = parseSelect(
      'SELECT * FROM a JOIN b ON a.x = b.x LEFT OUTER JOIN c USING (x, y) RIGHT JOIN d ON TRUE FULL JOIN e ON 1 = 1 CROSS JOIN f NATURAL LEFT JOIN g, h INNER JOIN (i JOIN j ON k) ON l',
    );
    expect(s.from.length).toBe(2);
    const chain: string[] = [];
    let cur: A.FromItem = s.from[0]!;
    while (cur.kind === 'join') {
      chain.push(`${cur.natural ? 'natural ' : ''}${cur.joinType}${cur.on ? ' on' : ''}${cur.using.length ? ' using ' + cur.using.map((u) => u.name).join(',') : ''}`);
      cur = cur.left;
    }
    expect(chain).toEqual(['natural left', 'cross', 'full on', 'right on', 'left using x,y', 'inner on']);
    const second = s.from[1] as A.JoinExpr;
    expect(second.right.kind).toBe('join');
    expect((second.right as A.JoinExpr).left).toMatchObject({ kind: 'table-ref' });
  });
  test('derived tables, LATERAL, column aliases, function tables', () => {
    const s = parseSelect('SELECT * FROM (SELECT 1) AS d (x), LATERAL (SELECT 2) e, generate_series(1, 3) AS g(n), ONLY t');
    expect(s.from[0]).toMatchObject({ kind: 'derived-table', lateral: false, alias: { name: { name: 'd' }, columns: [{ name: 'x' }] } });
    expect(s.from[1]).toMatchObject({ kind: 'derived-table', lateral: true, alias: { name: { name: 'e' } } });
    expect(s.from[2]).toMatchObject({ kind: 'function-table', call: { name: { parts: [{ name: 'generate_series' }] } }, alias: { columns: [{ name: 'n' }] } });
    expect(s.from[3]).toMatchObject({ kind: 'table-ref', name: { parts: [{ name: 't' }] } });
    expect(parseSelect('SELECT * FROM (VALUES (1, 2), (3, 4)) v (a, b)').from[0]).toMatchObject({
      kind: 'derived-table',
      query: { body: { kind: 'values', rows: [[{}, {}], [{}, {}]] } },
    });
  });
  test('WHERE, GROUP BY, HAVING', () => {
    const s = parseSelect('SELECT a, count(*) FROM t WHERE b > 1 GROUP BY a, 2 HAVING count(*) > 1');
    expect(sx(s.where!)).toBe('(> b integer:1)');
    expect(s.groupBy.map(sx)).toEqual(['a', 'integer:2']);
    expect(sx(s.having!)).toBe('(> count[*] integer:1)');
  });
  test('window functions: OVER with PARTITION/ORDER/frames and the WINDOW clause', () => {
    const s = parseSelect(`SELECT row_number() OVER (PARTITION BY a ORDER BY b DESC NULLS LAST),
        sum(x) OVER (ORDER BY b ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW),
        avg(x) OVER (RANGE BETWEEN 2 PRECEDING AND 3 FOLLOWING),
        lag(x, 1) OVER w, rank() OVER (w ORDER BY c), first_value(x) OVER (GROUPS 1 PRECEDING),
        last_value(x) OVER (ROWS BETWEEN CURRENT ROW AND UNBOUNDED FOLLOWING)
      FROM t WINDOW w AS (PARTITION BY a), w2 AS (w)`);
    const over = s.items.map((i) => (i.expr as A.FuncCallExpr).over!);
    expect(over[0]).toMatchObject({ partitionBy: [{ kind: 'column-ref' }], orderBy: [{ direction: 'desc', nulls: 'last' }] });
    expect(over[1]!.frame).toMatchObject({ units: 'rows', start: { kind: 'unbounded-preceding' }, end: { kind: 'current-row' } });
    expect(over[2]!.frame).toMatchObject({ units: 'range', start: { kind: 'preceding' }, end: { kind: 'following' } });
    expect(over[3]).toMatchObject({ base: { name: 'w' }, partitionBy: [], orderBy: [] });
    expect(over[4]).toMatchObject({ base: { name: 'w' }, orderBy: [{}] });
    expect(over[5]!.frame).toMatchObject({ units: 'groups', start: { kind: 'preceding' } });
    expect(over[5]!.frame!.end).toBeUndefined();
    expect(over[6]!.frame).toMatchObject({ start: { kind: 'current-row' }, end: { kind: 'unbounded-following' } });
    expect(s.windows.map((w) => w.name.name)).toEqual(['w', 'w2']);
    expect(s.windows[1]!.spec.base!.name).toBe('w');
  });
  test('ORDER BY, LIMIT/OFFSET, LIMIT ALL, FETCH FIRST', () => {
    const q = parseQuery('SELECT a FROM t ORDER BY a ASC NULLS FIRST, b DESC LIMIT 10 OFFSET 5');
    expect(q.orderBy.map((o) => [sx(o.expr), o.direction, o.nulls])).toEqual([
      ['a', 'asc', 'first'],
      ['b', 'desc', undefined],
    ]);
    expect([sx(q.limit!), sx(q.offset!), q.fetch]).toEqual(['integer:10', 'integer:5', false]);
    const q2 = parseQuery('SELECT a FROM t OFFSET 5 ROWS FETCH FIRST 3 ROWS ONLY');
    expect([sx(q2.limit!), sx(q2.offset!), q2.fetch]).toEqual(['integer:3', 'integer:5', true]);
    const q3 = parseQuery('SELECT a FROM t FETCH NEXT ROW ONLY');
    expect([sx(q3.limit!), q3.offset, q3.fetch]).toEqual(['integer:1', undefined, true]);
    const q4 = parseQuery('SELECT a FROM t LIMIT ALL');
    expect([q4.limit, q4.offset]).toEqual([undefined, undefined]);
    const q5 = parseQuery('SELECT a FROM t OFFSET 2 LIMIT $1');
    expect([sx(q5.limit!), sx(q5.offset!)]).toEqual(['$1', 'integer:2']);
  });
  test('WITH and WITH RECURSIVE, MATERIALIZED', () => {
    const q = parseQuery(
      'WITH RECURSIVE r (n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 10), m AS MATERIALIZED (SELECT 1), nm AS NOT MATERIALIZED (SELECT 2) SELECT * FROM r',
    );
    expect(q.with!.recursive).toBe(true);
    expect(q.with!.ctes.map((c) => [c.name.name, c.columns.map((x) => x.name), c.materialized])).toEqual([
      ['r', ['n'], undefined],
      ['m', [], true],
      ['nm', [], false],
    ]);
    expect(q.with!.ctes[0]!.query.body).toMatchObject({ kind: 'set-op', op: 'union', all: true });
  });
  test('set operations: INTERSECT binds tighter, left-associative, parenthesized operands', () => {
    const q = parseQuery('SELECT 1 UNION SELECT 2 INTERSECT ALL SELECT 3 EXCEPT DISTINCT SELECT 4');
    const b = q.body as A.SetOperation;
    expect([b.op, b.all]).toEqual(['except', false]);
    const l = b.left as A.SetOperation;
    expect([l.op, (l.right as A.SetOperation).op, (l.right as A.SetOperation).all]).toEqual(['union', 'intersect', true]);
    const p = parseQuery('(SELECT 1 ORDER BY 1 LIMIT 1) UNION (SELECT 2) ORDER BY 1');
    expect(p.orderBy.length).toBe(1);
    expect((p.body as A.SetOperation).left).toMatchObject({ kind: 'query', orderBy: [{}], limit: {} });
  });
  test('VALUES as a statement', () => {
    expect(parseQuery('VALUES (1, 2), (3, 4) ORDER BY 1').body).toMatchObject({ kind: 'values' });
  });
});

describe('DML', () => {
  test('INSERT multi-row VALUES with DEFAULT, ON CONFLICT DO UPDATE … WHERE, RETURNING', () => {
    const s = parseOne(
      'INSERT INTO s.t AS x (a, b) VALUES (1, DEFAULT), ($1, $2) ON CONFLICT (a) DO UPDATE SET b = excluded.b, c = DEFAULT WHERE x.b <> excluded.b RETURNING a, b AS bee',
    ) as A.InsertStatement;
    expect(s.table.parts.map((p) => p.name)).toEqual(['s', 't']);
    expect(s.alias!.name).toBe('x');
    expect(s.columns.map((c) => c.name)).toEqual(['a', 'b']);
    expect(s.source).toMatchObject({ kind: 'values', rows: [[{ kind: 'literal' }, { kind: 'default' }], [{ kind: 'param' }, { kind: 'param' }]] });
    expect(s.onConflict).toMatchObject({
      target: [{ name: 'a' }],
      action: { kind: 'update', assignments: [{ column: { name: 'b' } }, { column: { name: 'c' }, value: { kind: 'default' } }], where: { kind: 'binary' } },
    });
    expect(s.returning!.items.map((i) => i.alias?.name)).toEqual([undefined, 'bee']);
  });
  test('INSERT … SELECT, DEFAULT VALUES, DO NOTHING, ON CONSTRAINT, WITH', () => {
    expect(parseOne('INSERT INTO t SELECT * FROM u')).toMatchObject({ source: { kind: 'query', query: { body: { kind: 'select' } } } });
    expect(parseOne('INSERT INTO t DEFAULT VALUES RETURNING *')).toMatchObject({ source: { kind: 'default-values' }, returning: {} });
    expect(parseOne('INSERT INTO t VALUES (1) ON CONFLICT DO NOTHING')).toMatchObject({ onConflict: { target: [], action: { kind: 'nothing' } } });
    expect(parseOne('INSERT INTO t VALUES (1) ON CONFLICT ON CONSTRAINT t_pkey DO NOTHING')).toMatchObject({
      onConflict: { constraint: { name: 't_pkey' } },
    });
    expect(parseOne('WITH s AS (SELECT 1) INSERT INTO t (SELECT * FROM s)')).toMatchObject({ kind: 'insert', with: { ctes: [{}] } });
    expect(parseOne('INSERT INTO t VALUES (1) UNION SELECT 2')).toMatchObject({ source: { kind: 'query', query: { body: { kind: 'set-op' } } } });
  });
  test('UPDATE … SET … FROM … WHERE … RETURNING', () => {
    const s = parseOne('UPDATE t AS x SET a = a + 1, b = DEFAULT FROM u, v WHERE x.id = u.id RETURNING x.*') as A.UpdateStatement;
    expect(s.alias!.name).toBe('x');
    expect(s.assignments.map((a) => a.column.name)).toEqual(['a', 'b']);
    expect(s.from.length).toBe(2);
    expect(sx(s.where!)).toBe('(= x.id u.id)');
    expect(sx(s.returning!.items[0]!.expr)).toBe('x.*');
    expect((parseOne('UPDATE t x SET a = 1') as A.UpdateStatement).alias!.name).toBe('x');
    expect((parseOne('UPDATE t SET a = 1') as A.UpdateStatement).alias).toBeUndefined();
  });
  test('DELETE … USING … RETURNING', () => {
    const s = parseOne('DELETE FROM t d USING u WHERE d.id = u.id RETURNING *') as A.DeleteStatement;
    expect([s.table.parts[0]!.name, s.alias!.name, s.using.length]).toEqual(['t', 'd', 1]);
    expect(s.returning!.items.length).toBe(1);
  });
});

describe('DDL', () => {
  test('CREATE TABLE with every type of the issue and constraints', () => {
    const s = parseOne(`CREATE TABLE IF NOT EXISTS public.items (
      id serial PRIMARY KEY, big bigserial, s smallint NOT NULL, i int DEFAULT -1, i2 integer NULL, b bigint UNIQUE,
      r real, d double precision, n numeric(12, 2) CHECK (n >= 0), t text DEFAULT 'x', v varchar(20),
      cv character varying(5), bo boolean DEFAULT TRUE, dt date, ts timestamp, tstz timestamptz,
      tswtz timestamp(3) with time zone, tswo timestamp without time zone, iv interval, j json, jb jsonb,
      by bytea, u uuid, arr int[], arr2 text[][], arr3 integer ARRAY,
      owner int REFERENCES users (id) ON DELETE CASCADE ON UPDATE SET NULL,
      CONSTRAINT pk PRIMARY KEY (id, big), UNIQUE (s), CHECK (i < b),
      FOREIGN KEY (owner) REFERENCES users ON DELETE NO ACTION
    )`) as A.CreateTableStatement;
    expect(s.ifNotExists).toBe(true);
    expect(s.columns.map((c) => typeText(c.type))).toEqual([
      'serial', 'bigserial', 'smallint', 'int', 'integer', 'bigint', 'real', 'double precision', 'numeric(12,2)', 'text',
      'varchar(20)', 'character varying(5)', 'boolean', 'date', 'timestamp', 'timestamptz', 'timestamp with time zone(3)',
      'timestamp without time zone', 'interval', 'json', 'jsonb', 'bytea', 'uuid', 'int[]', 'text[][]', 'integer[]', 'int',
    ]);
    expect(s.columns[0]!.constraints).toMatchObject([{ kind: 'primary-key' }]);
    expect(s.columns[2]!.constraints).toMatchObject([{ kind: 'not-null' }]);
    expect(sx((s.columns[3]!.constraints[0] as { expr: A.Expr }).expr)).toBe('(- integer:1)');
    expect(s.columns[8]!.constraints).toMatchObject([{ kind: 'check' }]);
    expect(s.columns[26]!.constraints).toMatchObject([
      { kind: 'references', table: { parts: [{ name: 'users' }] }, columns: [{ name: 'id' }], onDelete: 'cascade', onUpdate: 'set null' },
    ]);
    expect(s.constraints.map((c) => [c.kind, c.name?.name])).toEqual([
      ['primary-key', 'pk'],
      ['unique', undefined],
      ['check', undefined],
      ['foreign-key', undefined],
    ]);
    expect(s.constraints[3]).toMatchObject({ refColumns: [], onDelete: 'no action' });
  });
  test('CREATE TABLE AS, DROP, CREATE INDEX, CREATE VIEW, ALTER TABLE', () => {
    expect(parseOne('CREATE TEMP TABLE x AS SELECT 1')).toMatchObject({ kind: 'create-table', asQuery: { body: { kind: 'select' } } });
    expect(parseOne('DROP TABLE IF EXISTS a, s.b CASCADE')).toMatchObject({ objectKind: 'table', ifExists: true, cascade: true, names: [{}, {}] });
    expect(parseOne('DROP INDEX i')).toMatchObject({ objectKind: 'index', ifExists: false, cascade: false });
    expect(parseOne('DROP VIEW v RESTRICT')).toMatchObject({ objectKind: 'view', cascade: false });
    expect(parseOne('CREATE UNIQUE INDEX IF NOT EXISTS i ON t USING btree (a DESC, lower(b))')).toMatchObject({
      kind: 'create-index', unique: true, ifNotExists: true, name: { name: 'i' }, using: { name: 'btree' },
      columns: [{ direction: 'desc' }, { expr: { kind: 'func-call' } }],
    });
    expect(parseOne('CREATE INDEX ON t ((a + b))')).toMatchObject({ name: undefined, columns: [{ expr: { kind: 'binary' } }] });
    const v = parseOne('CREATE OR REPLACE VIEW v (x) AS SELECT a FROM t  ') as A.CreateViewStatement;
    expect([v.orReplace, v.columns[0]!.name, v.queryText]).toEqual([true, 'x', 'SELECT a FROM t']);
    const a = parseOne(
      'ALTER TABLE IF EXISTS t ADD COLUMN IF NOT EXISTS c int NOT NULL, ADD d text, DROP COLUMN IF EXISTS e CASCADE, DROP f, RENAME COLUMN g TO h',
    ) as A.AlterTableStatement;
    expect(a.actions.map((x) => x.kind)).toEqual(['add-column', 'add-column', 'drop-column', 'drop-column', 'rename-column']);
    expect(a.actions[0]).toMatchObject({ ifNotExists: true, column: { name: { name: 'c' }, constraints: [{ kind: 'not-null' }] } });
    expect(a.actions[2]).toMatchObject({ ifExists: true, cascade: true });
    expect(parseOne('ALTER TABLE t RENAME TO u')).toMatchObject({ actions: [{ kind: 'rename-table', to: { name: 'u' } }] });
  });
});

describe('transactions and utility statements', () => {
  const cases: [string, object][] = [
    ['BEGIN', { kind: 'transaction', action: 'begin', modes: [] }],
    ['BEGIN WORK', { action: 'begin' }],
    ['BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY', { action: 'begin', modes: ['isolation level repeatable read', 'read only'] }],
    ['START TRANSACTION READ WRITE NOT DEFERRABLE', { action: 'begin', modes: ['read write', 'not deferrable'] }],
    ['COMMIT', { action: 'commit' }],
    ['END TRANSACTION', { action: 'commit' }],
    ['ROLLBACK', { action: 'rollback' }],
    ['ABORT', { action: 'rollback' }],
    ['SAVEPOINT sp1', { action: 'savepoint', savepoint: { name: 'sp1' } }],
    ['RELEASE SAVEPOINT sp1', { action: 'release', savepoint: { name: 'sp1' } }],
    ['RELEASE sp1', { action: 'release', savepoint: { name: 'sp1' } }],
    ['ROLLBACK TO SAVEPOINT sp1', { action: 'rollback-to', savepoint: { name: 'sp1' } }],
    ['ROLLBACK WORK TO sp1', { action: 'rollback-to' }],
    ['EXPLAIN SELECT 1', { kind: 'explain', analyze: false, verbose: false, format: 'text', statement: { kind: 'query-statement' } }],
    ['EXPLAIN ANALYZE VERBOSE SELECT 1', { analyze: true, verbose: true }],
    ['EXPLAIN (FORMAT JSON, ANALYZE, COSTS OFF) DELETE FROM t', { analyze: true, format: 'json', statement: { kind: 'delete' } }],
    ['EXPLAIN (ANALYZE false, VERBOSE on) SELECT 1', { analyze: false, verbose: true }],
    ["SET search_path TO public, 'x'", { kind: 'set', scope: 'session', name: 'search_path', reset: false, value: [{ kind: 'ident', name: 'public' }, { kind: 'literal' }] }],
    ['SET LOCAL work_mem = 64', { scope: 'local', name: 'work_mem', value: [{ value: { kind: 'integer', text: '64' } }] }],
    ['SET x.y = DEFAULT', { name: 'x.y', value: [] }],
    ['SET extra_float_digits = -3', { value: [{ value: { text: '-3' } }] }],
    ['SET enable_seqscan TO off', { value: [{ name: 'off' }] }],
    ["SET TIME ZONE 'UTC'", { name: 'timezone', value: [{ kind: 'literal' }] }],
    ['SET SESSION TIME ZONE LOCAL', { name: 'timezone', value: [] }],
    ['RESET ALL', { kind: 'set', name: 'all', reset: true }],
    ['RESET work_mem', { name: 'work_mem', reset: true }],
    ['SHOW ALL', { kind: 'show', name: 'all' }],
    ['SHOW server_version', { name: 'server_version' }],
    ['SHOW TIME ZONE', { name: 'timezone' }],
    ['SHOW TRANSACTION ISOLATION LEVEL', { name: 'transaction_isolation' }],
    ['ANALYZE', { kind: 'analyze', tables: [] }],
    ['ANALYZE VERBOSE a, s.b', { tables: [{}, {}] }],
    ['analyse t', { tables: [{}] }],
  ];
  for (const [sql, shape] of cases) {
    test(sql, () => {
      expect(parseOne(sql)).toMatchObject(shape);
    });
  }
});

