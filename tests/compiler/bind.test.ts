// Binder: SQL text → typed logical IR, compared as printed plans.

import { describe, expect, test } from 'bun:test';
import { typeName, T } from '../../compiler/ir/types.ts';
import { bindOk, planText, testCatalog, text } from './bind-support.ts';

const catalog = testCatalog();

describe('queries bind to the expected logical plans', () => {
  test('ORDER BY an output alias sorts on the projected column', () => {
    expect(planText("SELECT id, x + 1 AS y FROM t WHERE name = 'a' ORDER BY y", catalog)).toBe(text(`
        Sort y#7 [schema: id:int32 y:int32]
          Project id#1, y#7 := (x#2 + 1) [schema: id:int32 y:int32]
            Filter (name#3 = 'a') [schema: id:int32 x:int32 name:utf8 d:date amount:decimal(15,2) ts:timestamp]
              Scan t [schema: id:int32 x:int32 name:utf8 d:date amount:decimal(15,2) ts:timestamp]
    `));
  });

  test('GROUP BY with HAVING: aggregates computed once, HAVING filters above the Aggregate', () => {
    expect(planText('SELECT x, count(*) AS c, sum(amount) FROM t GROUP BY x HAVING sum(x) > 1', catalog)).toBe(text(`
        Project x#2, c#7, sum#8 [schema: x:int32 c:int64 sum:decimal]
          Filter (sum#9 > 1) [schema: x:int32 count:int64 sum:decimal sum:int64]
            Aggregate groups=[x#2] aggs=[count#7 := count(*), sum#8 := sum(amount#5), sum#9 := sum(x#2)] [schema: x:int32 count:int64 sum:decimal sum:int64]
              Scan t [schema: id:int32 x:int32 name:utf8 d:date amount:decimal(15,2) ts:timestamp]
    `));
  });

  test('columns functionally dependent on a grouped primary key become group columns', () => {
    expect(planText('SELECT id, name FROM t GROUP BY id', catalog)).toBe(text(`
        Project id#1, name#3 [schema: id:int32 name:utf8]
          Aggregate groups=[id#1, name#3] aggs=[] [schema: id:int32 name:utf8]
            Scan t [schema: id:int32 x:int32 name:utf8 d:date amount:decimal(15,2) ts:timestamp]
    `));
  });

  test('GROUP BY an output alias groups by the aliased expression', () => {
    expect(planText('SELECT x + 1 AS k, count(*) FROM t GROUP BY k', catalog)).toBe(text(`
        Project k#8, count#7 [schema: k:int32 count:int64]
          Aggregate groups=[k#8 := (x#2 + 1)] aggs=[count#7 := count(*)] [schema: k:int32 count:int64]
            Scan t [schema: id:int32 x:int32 name:utf8 d:date amount:decimal(15,2) ts:timestamp]
    `));
  });

  test('window functions with PARTITION/ORDER and a named window', () => {
    expect(planText('SELECT x, row_number() OVER (PARTITION BY x ORDER BY id), sum(amount) OVER w FROM t WINDOW w AS (ORDER BY d)', catalog)).toBe(text(`
        Project x#2, row_number#7, sum#8 [schema: x:int32 row_number:int64 sum:decimal]
          Window row_number#7 := row_number() OVER (PARTITION BY x#2 ORDER BY id#1 RANGE BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW), sum#8 := sum(amount#5) OVER (ORDER BY d#4 RANGE BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) [schema: id:int32 x:int32 name:utf8 d:date amount:decimal(15,2) ts:timestamp row_number:int64 sum:decimal]
            Scan t [schema: id:int32 x:int32 name:utf8 d:date amount:decimal(15,2) ts:timestamp]
    `));
  });

  test('a window over a grouped query reads the Aggregate output', () => {
    expect(planText('SELECT x, sum(x) OVER (ORDER BY x) FROM t GROUP BY x', catalog)).toBe(text(`
        Project x#2, sum#7 [schema: x:int32 sum:int64]
          Window sum#7 := sum(x#2) OVER (ORDER BY x#2 RANGE BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) [schema: x:int32 sum:int64]
            Aggregate groups=[x#2] aggs=[] [schema: x:int32]
              Scan t [schema: id:int32 x:int32 name:utf8 d:date amount:decimal(15,2) ts:timestamp]
    `));
  });

  test('EXISTS and IN subqueries; correlation is recorded', () => {
    expect(planText('SELECT id FROM t WHERE EXISTS (SELECT 1 FROM u WHERE u.t_id = t.id) AND x IN (SELECT n FROM u)', catalog)).toBe(text(`
        Project id#1 [schema: id:int32]
          Filter (EXISTS(subquery#1) AND (x#2::int64 IN (subquery#2))) [schema: id:int32 x:int32 name:utf8 d:date amount:decimal(15,2) ts:timestamp]
            Subquery#1 exists correlated=[1]
              Project ?column?#11 := 1 [schema: ?column?:int32]
                Filter (t_id#8 = id#1) [schema: id:int32 t_id:int32 v:utf8(20) n:int64]
                  Scan u [schema: id:int32 t_id:int32 v:utf8(20) n:int64]
            Subquery#2 in
              Project n#15 [schema: n:int64]
                Scan u [schema: id:int32 t_id:int32 v:utf8(20) n:int64]
            Scan t [schema: id:int32 x:int32 name:utf8 d:date amount:decimal(15,2) ts:timestamp]
    `));
  });

  test('a correlated scalar subquery may use a grouped column', () => {
    expect(planText('SELECT x, (SELECT count(*) FROM u WHERE u.t_id = t.x) FROM t GROUP BY x', catalog)).toBe(text(`
        Project x#2, count#12 := (subquery#1) [schema: x:int32 count:int64]
          Subquery#1 scalar correlated=[2]
            Project count#11 [schema: count:int64]
              Aggregate groups=[] aggs=[count#11 := count(*)] [schema: count:int64]
                Filter (t_id#8 = x#2) [schema: id:int32 t_id:int32 v:utf8(20) n:int64]
                  Scan u [schema: id:int32 t_id:int32 v:utf8(20) n:int64]
          Aggregate groups=[x#2] aggs=[] [schema: x:int32]
            Scan t [schema: id:int32 x:int32 name:utf8 d:date amount:decimal(15,2) ts:timestamp]
    `));
  });

  test('a CTE referenced twice is bound twice with fresh column ids', () => {
    expect(planText('WITH c AS (SELECT id, x FROM t WHERE x > 0) SELECT a.id, b.x FROM c a JOIN c b ON a.id = b.x', catalog)).toBe(text(`
        Project id#1, x#8 [schema: id:int32 x:int32]
          Join inner on (id#1 = x#8) [schema: id:int32 x:int32 id:int32 x:int32]
            Project id#1, x#2 [schema: id:int32 x:int32]
              Filter (x#2 > 0) [schema: id:int32 x:int32 name:utf8 d:date amount:decimal(15,2) ts:timestamp]
                Scan t [schema: id:int32 x:int32 name:utf8 d:date amount:decimal(15,2) ts:timestamp]
            Project id#7, x#8 [schema: id:int32 x:int32]
              Filter (x#8 > 0) [schema: id:int32 x:int32 name:utf8 d:date amount:decimal(15,2) ts:timestamp]
                Scan t [schema: id:int32 x:int32 name:utf8 d:date amount:decimal(15,2) ts:timestamp]
    `));
  });

  test('UNION unifies column types (integer with bigint gives bigint)', () => {
    expect(planText('SELECT id FROM t UNION SELECT n FROM u', catalog)).toBe(text(`
        Union [schema: id:int64]
          Project id#12 := id#1::int64 [schema: id:int64]
            Project id#1 [schema: id:int32]
              Scan t [schema: id:int32 x:int32 name:utf8 d:date amount:decimal(15,2) ts:timestamp]
          Project n#10 [schema: n:int64]
            Scan u [schema: id:int32 t_id:int32 v:utf8(20) n:int64]
    `));
  });

  test('VALUES unifies each column (integer with numeric gives numeric; NULL takes text)', () => {
    expect(planText("VALUES (1, 'a'), (2.5, NULL)", catalog)).toBe(text(`
        Values (1, 'a'), (2.5, NULL) [schema: column1:decimal column2:utf8]
    `));
  });

  test('generate_series in FROM with a column alias', () => {
    expect(planText('SELECT * FROM generate_series(1, 10) AS g(k)', catalog)).toBe(text(`
        Project k#1 [schema: k:int32]
          TableFunction generate_series(1, 10) [schema: k:int32]
    `));
  });

  test('WITH ORDINALITY numbers a table function\'s rows in a bigint column', () => {
    expect(planText('SELECT * FROM unnest(ARRAY[5, 6]) WITH ORDINALITY AS u(v, n)', catalog)).toBe(text(`
        Project v#1, n#2 [schema: v:int32 n:int64]
          TableFunction unnest(ARRAY[5, 6]) WITH ORDINALITY [schema: v:int32 n:int64]
    `));
    expect(planText('SELECT ordinality FROM generate_series(1, 2) WITH ORDINALITY', catalog)).toBe(text(`
        Project ordinality#2 [schema: ordinality:int64]
          TableFunction generate_series(1, 2) WITH ORDINALITY [schema: generate_series:int32 ordinality:int64]
    `));
  });

  test('a set-returning function alone in a select list without FROM reads it as a FROM item', () => {
    expect(planText('SELECT generate_series(1, 3)', catalog)).toBe(text(`
        Project generate_series#1 [schema: generate_series:int32]
          TableFunction generate_series(1, 3) [schema: generate_series:int32]
    `));
    expect(planText('SELECT pg_catalog.pg_partition_ancestors(16384) AS a UNION ALL VALUES (16384)', catalog)).toContain('TableFunction pg_partition_ancestors(16384)');
  });

  test('DISTINCT ON sorts, then keeps the first row per key', () => {
    expect(planText('SELECT DISTINCT ON (x) x, id FROM t ORDER BY x, id', catalog)).toBe(text(`
        Distinct on [x#2] [schema: x:int32 id:int32]
          Sort x#2, id#1 [schema: x:int32 id:int32]
            Project x#2, id#1 [schema: x:int32 id:int32]
              Scan t [schema: id:int32 x:int32 name:utf8 d:date amount:decimal(15,2) ts:timestamp]
    `));
  });

  test('FULL JOIN USING merges the key with coalesce', () => {
    expect(planText('SELECT * FROM t FULL JOIN u USING (id)', catalog)).toBe(text(`
        Project id#11, x#2, name#3, d#4, amount#5, ts#6, t_id#8, v#9, n#10 [schema: id:int32 x:int32 name:utf8 d:date amount:decimal(15,2) ts:timestamp t_id:int32 v:utf8(20) n:int64]
          Project id#1, x#2, name#3, d#4, amount#5, ts#6, id#7, t_id#8, v#9, n#10, id#11 := coalesce(id#1, id#7) [schema: id:int32 x:int32 name:utf8 d:date amount:decimal(15,2) ts:timestamp id:int32 t_id:int32 v:utf8(20) n:int64 id:int32]
            Join full on (id#1 = id#7) [schema: id:int32 x:int32 name:utf8 d:date amount:decimal(15,2) ts:timestamp id:int32 t_id:int32 v:utf8(20) n:int64]
              Scan t [schema: id:int32 x:int32 name:utf8 d:date amount:decimal(15,2) ts:timestamp]
              Scan u [schema: id:int32 t_id:int32 v:utf8(20) n:int64]
    `));
  });

  test('derived table column aliases rename its columns', () => {
    expect(planText('SELECT a.id FROM (SELECT id, x AS y FROM t) AS a(id, z) WHERE a.z > 1', catalog)).toBe(text(`
        Project id#1 [schema: id:int32]
          Filter (z#2 > 1) [schema: id:int32 y:int32]
            Project id#1, y#2 [schema: id:int32 y:int32]
              Scan t [schema: id:int32 x:int32 name:utf8 d:date amount:decimal(15,2) ts:timestamp]
    `));
  });

  test('parameters take the types of their context', () => {
    expect(planText('SELECT id FROM t WHERE x = $1 AND name = $2 LIMIT $3', catalog)).toBe(text(`
        Limit $3 [schema: id:int32]
          Project id#1 [schema: id:int32]
            Filter ((x#2 = $1) AND (name#3 = $2)) [schema: id:int32 x:int32 name:utf8 d:date amount:decimal(15,2) ts:timestamp]
              Scan t [schema: id:int32 x:int32 name:utf8 d:date amount:decimal(15,2) ts:timestamp]
    `));
  });

  test('ORDER BY a column not selected adds a hidden column, removed after LIMIT', () => {
    expect(planText('SELECT x FROM t ORDER BY amount LIMIT 10 OFFSET 5', catalog)).toBe(text(`
        Project x#2 [schema: x:int32]
          Limit 10 offset=5 [schema: x:int32 ?sort?:decimal(15,2)]
            Sort ?sort?#7 [schema: x:int32 ?sort?:decimal(15,2)]
              Project x#2, ?sort?#7 := amount#5 [schema: x:int32 ?sort?:decimal(15,2)]
                Scan t [schema: id:int32 x:int32 name:utf8 d:date amount:decimal(15,2) ts:timestamp]
    `));
  });

  test('INSERT … SELECT casts to the target column types in assignment context', () => {
    expect(planText('INSERT INTO t (id, x) SELECT id, n FROM u RETURNING id, x', catalog)).toBe(text(`
        Insert t ordinals=[0, 1] returning id#6, x#7 [schema: id:int32 x:int32]
          Project id#1, n#5 := n#4::int32 [schema: id:int32 n:int32]
            Project id#1, n#4 [schema: id:int32 n:int64]
              Scan u [schema: id:int32 t_id:int32 v:utf8(20) n:int64]
    `));
  });

  test('UPDATE … FROM scans the target with its hidden row id', () => {
    expect(planText('UPDATE t SET x = u.n FROM u WHERE u.t_id = t.id RETURNING t.id', catalog)).toBe(text(`
        Update t set x = n#11::int32 returning id#1 [schema: id:int32]
          Filter (t_id#9 = id#1) [schema: id:int32 x:int32 name:utf8 d:date amount:decimal(15,2) ts:timestamp ctid:int64 id:int32 t_id:int32 v:utf8(20) n:int64]
            Join cross [schema: id:int32 x:int32 name:utf8 d:date amount:decimal(15,2) ts:timestamp ctid:int64 id:int32 t_id:int32 v:utf8(20) n:int64]
              Scan t [schema: id:int32 x:int32 name:utf8 d:date amount:decimal(15,2) ts:timestamp ctid:int64]
              Scan u [schema: id:int32 t_id:int32 v:utf8(20) n:int64]
    `));
  });

  test('DELETE … USING', () => {
    expect(planText("DELETE FROM t USING u WHERE u.t_id = t.id AND u.v LIKE 'a%'", catalog)).toBe(text(`
        Delete t [schema: ]
          Filter ((t_id#9 = id#1) AND (v#10 LIKE 'a%')) [schema: id:int32 x:int32 name:utf8 d:date amount:decimal(15,2) ts:timestamp ctid:int64 id:int32 t_id:int32 v:utf8(20) n:int64]
            Join cross [schema: id:int32 x:int32 name:utf8 d:date amount:decimal(15,2) ts:timestamp ctid:int64 id:int32 t_id:int32 v:utf8(20) n:int64]
              Scan t [schema: id:int32 x:int32 name:utf8 d:date amount:decimal(15,2) ts:timestamp ctid:int64]
              Scan u [schema: id:int32 t_id:int32 v:utf8(20) n:int64]
    `));
  });

  test('BETWEEN becomes >= and <=, string literals take the column type, date - interval is a timestamp', () => {
    expect(planText("SELECT x FROM t WHERE d BETWEEN '2020-01-01' AND date '2020-12-31' - interval '1 month' AND amount > 10", catalog)).toBe(text(`
        Project x#2 [schema: x:int32]
          Filter ((d#4 >= DATE '2020-01-01') AND (d#4::timestamp <= (DATE '2020-12-31' - INTERVAL '1 mon')) AND (amount#5 > 10)) [schema: id:int32 x:int32 name:utf8 d:date amount:decimal(15,2) ts:timestamp]
            Scan t [schema: id:int32 x:int32 name:utf8 d:date amount:decimal(15,2) ts:timestamp]
    `));
  });
});

describe('views, recursion, predicates', () => {
  test('a view is inlined: its query is parsed and bound in place', () => {
    expect(planText('SELECT * FROM big WHERE x < 100', catalog)).toBe(text(`
        Project id#1, x#2 [schema: id:int32 x:int32]
          Filter (x#2 < 100) [schema: id:int32 x:int32]
            Project id#1, x#2 [schema: id:int32 x:int32]
              Filter (x#2 > 10) [schema: id:int32 x:int32 name:utf8 d:date amount:decimal(15,2) ts:timestamp]
                Scan t [schema: id:int32 x:int32 name:utf8 d:date amount:decimal(15,2) ts:timestamp]
    `));
  });

  test('WITH RECURSIVE: the anchor, then the recursive term over the work table', () => {
    expect(planText('WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 10) SELECT n FROM r', catalog)).toBe(text(`
        Project n#4 [schema: n:int32]
          RecursiveCte r#1 union all [schema: n:int32]
            Project ?column?#1 := 1 [schema: ?column?:int32]
              Values () [schema: ]
            Project ?column?#3 := (n#2 + 1) [schema: ?column?:int32]
              Filter (n#2 < 10) [schema: n:int32]
                WorkTable r#1 [schema: n:int32]
    `));
  });

  test('IS NULL, IS TRUE, NOT ILIKE, NOT IN', () => {
    expect(planText("SELECT x IS NULL, (x > 1) IS TRUE, name NOT ILIKE 'a%', x NOT IN (1, 2) FROM t", catalog)).toBe(text(`
        Project ?column?#7 := (x#2 IS NULL), ?column?#8 := ((x#2 > 1) IS NOT DISTINCT FROM true), ?column?#9 := NOT (name#3 ILIKE 'a%'), ?column?#10 := NOT (x#2 IN (1, 2)) [schema: ?column?:bool ?column?:bool ?column?:bool ?column?:bool]
          Scan t [schema: id:int32 x:int32 name:utf8 d:date amount:decimal(15,2) ts:timestamp]
    `));
  });

  test('> ALL (subquery) compares in the common type', () => {
    expect(planText('SELECT x FROM t WHERE x > ALL (SELECT n FROM u)', catalog)).toBe(text(`
        Project x#2 [schema: x:int32]
          Filter (x#2::int64 > ALL(subquery#1)) [schema: id:int32 x:int32 name:utf8 d:date amount:decimal(15,2) ts:timestamp]
            Subquery#1 all
              Project n#10 [schema: n:int64]
                Scan u [schema: id:int32 t_id:int32 v:utf8(20) n:int64]
            Scan t [schema: id:int32 x:int32 name:utf8 d:date amount:decimal(15,2) ts:timestamp]
    `));
  });

  test('count(DISTINCT x)', () => {
    expect(planText('SELECT count(DISTINCT x) FROM t', catalog)).toBe(text(`
        Project count#7 [schema: count:int64]
          Aggregate groups=[] aggs=[count#7 := count(DISTINCT x#2)] [schema: count:int64]
            Scan t [schema: id:int32 x:int32 name:utf8 d:date amount:decimal(15,2) ts:timestamp]
    `));
  });

  test('ORDER BY over UNION ALL names an output column', () => {
    expect(planText('SELECT id FROM t UNION ALL SELECT n FROM u ORDER BY id DESC', catalog)).toBe(text(`
        Sort id#11 DESC [schema: id:int64]
          Union all [schema: id:int64]
            Project id#12 := id#1::int64 [schema: id:int64]
              Project id#1 [schema: id:int32]
                Scan t [schema: id:int32 x:int32 name:utf8 d:date amount:decimal(15,2) ts:timestamp]
            Project n#10 [schema: n:int64]
              Scan u [schema: id:int32 t_id:int32 v:utf8(20) n:int64]
    `));
  });

  test('string concatenation with a non-string operand is text', () => {
    expect(planText("SELECT 'a' || 1, name || x FROM t", catalog)).toBe(text(`
        Project ?column?#7 := ('a' || 1::utf8), ?column?#8 := (name#3 || x#2::utf8) [schema: ?column?:utf8 ?column?:utf8]
          Scan t [schema: id:int32 x:int32 name:utf8 d:date amount:decimal(15,2) ts:timestamp]
    `));
  });

  test('row comparisons expand field by field', () => {
    expect(planText("SELECT id FROM t WHERE (id, x) = (1, 2) OR (name, d) <> ('a', '2020-01-01')", catalog)).toBe(text(`
        Project id#1 [schema: id:int32]
          Filter (((id#1 = 1) AND (x#2 = 2)) OR (name#3 <> 'a') OR (d#4 <> DATE '2020-01-01')) [schema: id:int32 x:int32 name:utf8 d:date amount:decimal(15,2) ts:timestamp]
            Scan t [schema: id:int32 x:int32 name:utf8 d:date amount:decimal(15,2) ts:timestamp]
    `));
  });

  test('EXPLAIN wraps the bound statement', () => {
    const b = bindOk('EXPLAIN SELECT 1', catalog);
    expect(b.kind).toBe('explain');
    if (b.kind === 'explain') expect(b.statement.kind).toBe('query');
  });
});

describe('type resolution across clauses', () => {
  test("an untyped NULL in a UNION arm takes the other arm's type", () => {
    expect(planText('SELECT 1 UNION SELECT NULL', catalog)).toBe(text(`
        Union [schema: ?column?:int32]
          Project ?column?#1 := 1 [schema: ?column?:int32]
            Values () [schema: ]
          Project ?column?#4 := NULL [schema: ?column?:int32]
            Values () [schema: ]
    `));
  });

  test('INSERT … SELECT types untyped literals by the target columns', () => {
    expect(planText("INSERT INTO t (id, d, amount) SELECT 1, '2020-01-01', 2.555", catalog)).toBe(text(`
        Insert t ordinals=[0, 3, 4] [schema: ]
          Project ?column?#1, ?column?#4, ?column?#5 := ?column?#3::decimal(15,2) [schema: ?column?:int32 ?column?:date ?column?:decimal(15,2)]
            Project ?column?#1 := 1, ?column?#4 := DATE '2020-01-01', ?column?#3 := 2.555 [schema: ?column?:int32 ?column?:date ?column?:decimal]
              Values () [schema: ]
    `));
  });

  test('a window ordered by an aggregate, ORDER BY an aggregate not selected', () => {
    expect(planText('SELECT name, rank() OVER (ORDER BY sum(amount) DESC) FROM t GROUP BY name ORDER BY count(*)', catalog)).toBe(text(`
        Project name#3, rank#8 [schema: name:utf8 rank:int64]
          Sort ?sort?#10 [schema: name:utf8 rank:int64 ?sort?:int64]
            Project name#3, rank#8, ?sort?#10 := count#9 [schema: name:utf8 rank:int64 ?sort?:int64]
              Window rank#8 := rank() OVER (ORDER BY sum#7 DESC RANGE BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) [schema: name:utf8 sum:decimal count:int64 rank:int64]
                Aggregate groups=[name#3] aggs=[sum#7 := sum(amount#5), count#9 := count(*)] [schema: name:utf8 sum:decimal count:int64]
                  Scan t [schema: id:int32 x:int32 name:utf8 d:date amount:decimal(15,2) ts:timestamp]
    `));
  });

  test('OVER (w ORDER BY …) refines a named window', () => {
    expect(planText('SELECT x, first_value(id) OVER (w ORDER BY d) FROM t WINDOW w AS (PARTITION BY x)', catalog)).toBe(text(`
        Project x#2, first_value#7 [schema: x:int32 first_value:int32]
          Window first_value#7 := first_value(id#1) OVER (PARTITION BY x#2 ORDER BY d#4 RANGE BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) [schema: id:int32 x:int32 name:utf8 d:date amount:decimal(15,2) ts:timestamp first_value:int32]
            Scan t [schema: id:int32 x:int32 name:utf8 d:date amount:decimal(15,2) ts:timestamp]
    `));
  });

  test('CASE over varchar(20) and a longer literal resolves to unconstrained text', () => {
    expect(planText("SELECT CASE WHEN id > 1 THEN v ELSE 'a string longer than twenty chars' END FROM u", catalog)).toBe(text(`
        Project case#5 := CASE WHEN (id#1 > 1) THEN v#3 ELSE 'a string longer than twenty chars' END [schema: case:utf8]
          Scan u [schema: id:int32 t_id:int32 v:utf8(20) n:int64]
    `));
  });

  test('GROUP BY ordinal; HAVING over a grouped column', () => {
    expect(planText('SELECT x FROM t GROUP BY 1 HAVING x > 1', catalog)).toBe(text(`
        Project x#2 [schema: x:int32]
          Filter (x#2 > 1) [schema: x:int32]
            Aggregate groups=[x#2] aggs=[] [schema: x:int32]
              Scan t [schema: id:int32 x:int32 name:utf8 d:date amount:decimal(15,2) ts:timestamp]
    `));
  });
});

describe('outer-level aggregates', () => {
  test('an aggregate over outer columns only belongs to the outer query (correlated on its result)', () => {
    expect(planText('SELECT (SELECT sum(t.x) + count(*) FROM u) FROM t', catalog)).toBe(text(`
        Project ?column?#14 := (subquery#1) [schema: ?column?:int64]
          Subquery#1 scalar correlated=[11]
            Project ?column?#13 := (sum#11 + count#12) [schema: ?column?:int64]
              Aggregate groups=[] aggs=[count#12 := count(*)] [schema: count:int64]
                Scan u [schema: id:int32 t_id:int32 v:utf8(20) n:int64]
          Aggregate groups=[] aggs=[sum#11 := sum(x#2)] [schema: sum:int64]
            Scan t [schema: id:int32 x:int32 name:utf8 d:date amount:decimal(15,2) ts:timestamp]
    `));
  });

  test('HAVING may hold a subquery using an outer aggregate', () => {
    expect(planText('SELECT x FROM t GROUP BY x HAVING EXISTS (SELECT 1 FROM u WHERE u.n > sum(t.amount))', catalog)).toBe(text(`
        Project x#2 [schema: x:int32]
          Filter EXISTS(subquery#1) [schema: x:int32 sum:decimal]
            Subquery#1 exists correlated=[11]
              Project ?column?#12 := 1 [schema: ?column?:int32]
                Filter (n#10::decimal > sum#11) [schema: id:int32 t_id:int32 v:utf8(20) n:int64]
                  Scan u [schema: id:int32 t_id:int32 v:utf8(20) n:int64]
            Aggregate groups=[x#2] aggs=[sum#11 := sum(amount#5)] [schema: x:int32 sum:decimal]
              Scan t [schema: id:int32 x:int32 name:utf8 d:date amount:decimal(15,2) ts:timestamp]
    `));
  });
});

describe('writes', () => {
  test('INSERT fills omitted columns and DEFAULT from the catalog (serial → nextval)', () => {
    expect(planText("INSERT INTO items (label) VALUES ('a'), (DEFAULT) RETURNING id, created", catalog)).toBe(text(`
        Insert items ordinals=[1] defaults=[[0] = nextval('items_id_seq')::int32, [2] = 1, [3] = now()] returning id#2, created#5 [schema: id:int32 created:timestamptz]
          Values ('a'), ('none') [schema: label:utf8]
    `));
  });

  test('ON CONFLICT DO UPDATE … WHERE reads the existing row', () => {
    expect(planText(`INSERT INTO kv VALUES ('a', '{"x": 1}') ON CONFLICT (k) DO UPDATE SET v = excluded.v WHERE kv.v IS NULL`, catalog)).toBe(text(`
        Insert kv ordinals=[0, 1] on conflict (0) do update set [1] = v#8 where (v#6 IS NULL) [schema: ]
          Values ('a', '{"x":1}') [schema: k:utf8 v:jsonb]
    `));
  });

  test('ON CONFLICT DO UPDATE reads EXCLUDED', () => {
    expect(planText(`INSERT INTO kv VALUES ('a', '{"x": 1}') ON CONFLICT (k) DO UPDATE SET v = excluded.v`, catalog)).toBe(text(`
        Insert kv ordinals=[0, 1] on conflict (0) do update set [1] = v#8 [schema: ]
          Values ('a', '{"x":1}') [schema: k:utf8 v:jsonb]
    `));
  });

  test('ON CONFLICT DO NOTHING with RETURNING over the written row', () => {
    expect(planText(`INSERT INTO kv (k) VALUES ('b') ON CONFLICT DO NOTHING RETURNING k, v`, catalog)).toBe(text(`
        Insert kv ordinals=[0] on conflict () do nothing returning k#2, v#3 [schema: k:utf8 v:jsonb]
          Values ('b') [schema: k:utf8]
    `));
  });

  test('UPDATE input carries the row id column ctid (ordinal -1, int64)', () => {
    const b = bindOk('UPDATE t SET x = 1 WHERE id = 2', catalog);
    if (b.kind !== 'query' || b.plan.kind !== 'update') throw new Error('expected an update plan');
    const rowId = b.plan.input.schema.find((c) => c.id === (b.plan as { rowId: number }).rowId);
    expect(rowId?.name).toBe('ctid');
    expect(rowId?.type).toEqual(T.int64);
    expect(b.plan.rowColumns.map((c) => c.ordinal)).toEqual([0, 1, 2, 3, 4, 5]);
  });
});

/** The type of the single output column of `SELECT <expr> FROM t`. */
function exprType(expr: string, from = 't'): string {
  const b = bindOk(`SELECT ${expr} FROM ${from}`, catalog);
  if (b.kind !== 'query') throw new Error('not a query');
  return typeName(b.plan.schema[0]!.type);
}

describe('expression types follow PostgreSQL', () => {
  const cases: readonly (readonly [string, string])[] = [
    ['1', 'integer'],
    ['1.5', 'numeric'],
    ['1e3', 'numeric'],
    ['99999999999', 'bigint'],
    ['99999999999999999999', 'numeric'],
    ["'a'", 'text'],
    ['x + 1', 'integer'],
    ['x + 1.5', 'numeric'],
    ['x * 2::bigint', 'bigint'],
    ['x::real + 1', 'real'],
    ['x::real + 1.5::float8', 'double precision'],
    ['amount * 2', 'numeric'],
    ['count(*)', 'bigint'],
    ['count(name)', 'bigint'],
    ['sum(x)', 'bigint'],
    ['sum(amount)', 'numeric'],
    ['avg(x)', 'numeric'],
    ['avg(x::float8)', 'double precision'],
    ['min(d)', 'date'],
    ['max(name)', 'text'],
    ['d - d', 'integer'],
    ['d + 1', 'date'],
    ['d - 7', 'date'],
    ["d + interval '1 day'", 'timestamp without time zone'],
    ["ts - interval '1 hour'", 'timestamp without time zone'],
    ['ts - ts', 'interval'],
    ['now()', 'timestamp with time zone'],
    ["date '2020-01-01'", 'date'],
    ['extract(year FROM d)', 'numeric'],
    ['length(name)', 'integer'],
    ['lower(name)', 'text'],
    ['coalesce(x, 1.5)', 'numeric'],
    ['CASE WHEN x > 1 THEN 1 ELSE 2.5 END', 'numeric'],
    ['x = 1', 'boolean'],
    ['x IN (1, 2.5)', 'boolean'],
    ['row_number() OVER ()', 'bigint'],
    ['rank() OVER (ORDER BY x)', 'bigint'],
    ['lag(amount) OVER (ORDER BY id)', 'numeric'],
    ['(SELECT max(n) FROM u)', 'bigint'],
    ['ARRAY[1, 2]', 'integer[]'],
  ];
  for (const [expr, type] of cases) test(`${expr} is ${type}`, () => expect(exprType(expr)).toBe(type));
  test('sum(bigint) is numeric', () => expect(exprType('sum(n)', 'u')).toBe('numeric'));
});

describe('parameters', () => {
  const params = (sql: string, given?: Parameters<typeof bindOk>[2]) => {
    const b = bindOk(sql, catalog, given);
    if (b.kind !== 'query') throw new Error('not a query');
    return b.params.map(typeName);
  };
  test('take the type of the column they are compared with', () => {
    expect(params('SELECT * FROM t WHERE id = $1 AND name = $2 AND d > $3')).toEqual(['integer', 'text', 'date']);
  });
  test('default to text when nothing fixes them', () => expect(params('SELECT $1')).toEqual(['text']));
  test('a bare parameter as a condition is boolean', () => expect(params('SELECT id FROM t WHERE $1')).toEqual(['boolean']));
  test('LIMIT and OFFSET parameters are bigint', () => expect(params('SELECT id FROM t LIMIT $1 OFFSET $2')).toEqual(['bigint', 'bigint']));
  test('INSERT parameters take the target column types', () => {
    expect(params('INSERT INTO t (id, amount, d) VALUES ($1, $2, $3)')).toEqual(['integer', 'numeric', 'date']);
  });
  test('types given by the caller win', () => expect(params('SELECT * FROM t WHERE id = $1', [T.int64])).toEqual(['bigint']));
  test('a declared unknown type is inferred', () => expect(params('SELECT * FROM t WHERE id = $1 AND d = $2', [T.unknown, T.unknown])).toEqual(['integer', 'date']));
  test('gaps count: $2 alone still reports $1', () => expect(params('SELECT * FROM t WHERE x = $2')).toEqual(['text', 'integer']));
});

describe('utility and DDL statements', () => {
  test('CREATE TABLE resolves types, keys and defaults', () => {
    const b = bindOk("CREATE TABLE z (a serial PRIMARY KEY, b varchar(10) NOT NULL DEFAULT 'x', c numeric(10,2) CHECK (c > 0), d int REFERENCES t)", catalog);
    expect(b).toEqual({
      kind: 'create-table',
      schema: 'public',
      name: 'z',
      ifNotExists: false,
      columns: [
        { name: 'a', type: T.int32, nullable: false, serial: true },
        { name: 'b', type: { kind: 'utf8', maxLength: 10 }, nullable: false, defaultSql: "'x'" },
        { name: 'c', type: { kind: 'decimal', precision: 10, scale: 2 }, nullable: true },
        { name: 'd', type: T.int32, nullable: true },
      ],
      primaryKey: ['a'],
      uniques: [],
      foreignKeys: [{ name: 'z_d_fkey', columns: ['d'], refTable: 't', refColumns: ['id'] }],
      checks: [{ name: 'z_c_check', sql: 'c > 0' }],
    });
  });
  test('CREATE INDEX names the index after its table and columns', () => {
    expect(bindOk('CREATE INDEX ON t (x, name)', catalog)).toEqual({ kind: 'create-index', schema: 'public', name: 't_x_name_idx', table: 't', columns: ['x', 'name'], unique: false, ifNotExists: false });
  });
  test('ALTER TABLE ADD COLUMN', () => {
    expect(bindOk('ALTER TABLE t ADD COLUMN extra text', catalog)).toEqual({
      kind: 'alter-table', schema: 'public', name: 't', action: { kind: 'add-column', column: { name: 'extra', type: T.text, nullable: true }, ifNotExists: false },
    });
  });
  test('transactions, SET, SHOW, ANALYZE', () => {
    expect(bindOk('BEGIN', catalog)).toEqual({ kind: 'transaction', action: 'begin', modes: [] });
    expect(bindOk('SET search_path = public, other', catalog)).toEqual({ kind: 'set', name: 'search_path', value: 'public, other', local: false });
    expect(bindOk('SHOW work_mem', catalog)).toEqual({ kind: 'show', name: 'work_mem' });
    expect(bindOk('ANALYZE t', catalog)).toEqual({ kind: 'analyze', tables: ['t'] });
  });
  test('DROP TABLE IF EXISTS of a missing table is fine', () => {
    expect(bindOk('DROP TABLE IF EXISTS nope', catalog)).toEqual({ kind: 'drop', objectKind: 'table', names: [{ schema: 'public', name: 'nope' }], ifExists: true, cascade: false });
  });
});
