// OrbitQL path chains, `?` targets, `<->` steps and TRAVERSE pruning, executed over LMDB in a temp dir
// and checked against answers worked out by hand on a small graph with a cycle, shared neighbours
// (duplicates), an edge to a record that does not exist and an edge into another table.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { catalogFromSchema, compileOrbitQL, parseOrbitQL, printLogical } from '../../compiler/index.ts';
import { OrbitError } from '../../runtime/index.ts';
import { openOrbitQlDb, type OrbitQlDb } from '../support/orbitql.ts';

let db: OrbitQlDb;
const oql = (text: string): Promise<unknown[][]> => db.oql(text);
/** The single value of a one-row, one-column result. */
const one = async (text: string): Promise<unknown> => (await oql(text))[0]![0];

// follows: a→b, a→c, b→c, c→d, d→a (the cycle a→c→d→a), and e on its own.
// likes:   b→p1, c→p1, c→p2, c→user:e (not a post), d→post:p9 (no such record).
// tagged:  p1→tag:x, p2→tag:x, p2→tag:y.
beforeAll(async () => {
  db = await openOrbitQlDb('orbit-oql-paths-');
  await oql(`CREATE user:a SET name = 'A'; CREATE user:b SET name = 'B'; CREATE user:c SET name = 'C';
    CREATE user:d SET name = 'D'; CREATE user:e SET name = 'E';
    CREATE post:p1 SET title = 'P1'; CREATE post:p2 SET title = 'P2';
    CREATE tag:x SET label = 'x'; CREATE tag:y SET label = 'y'`);
  await oql(`RELATE user:a->follows->user:b; RELATE user:a->follows->user:c; RELATE user:b->follows->user:c;
    RELATE user:c->follows->user:d; RELATE user:d->follows->user:a;
    RELATE user:b->likes->post:p1; RELATE user:c->likes->post:p1; RELATE user:c->likes->post:p2;
    RELATE user:c->likes->user:e; RELATE user:d->likes->post:p9;
    RELATE post:p1->tagged->tag:x; RELATE post:p2->tagged->tag:x; RELATE post:p2->tagged->tag:y`);
});
afterAll(() => db.close());

describe('path chains', () => {
  test('two hops: each record once, from every record the first hop reached', async () => {
    // a follows b and c; b likes p1, c likes p1, p2 and user:e (not a post): p1 once.
    expect(await one('SELECT ->follows->user->likes->post AS p FROM user:a')).toEqual(['post:p1', 'post:p2']);
    expect(await one('SELECT ->follows->user->likes->post.title AS p FROM user:a')).toEqual(['P1', 'P2']);
  });

  test('three hops', async () => {
    expect(await one('SELECT ->follows->user->likes->post->tagged->tag AS t FROM user:a')).toEqual(['tag:x', 'tag:y']);
    // b follows c, who likes p1 and p2 (and user:e, not a post): tags x and y.
    expect(await one('SELECT ->follows->user->likes->post->tagged->tag.label AS t FROM user:b')).toEqual(['x', 'y']);
    // Reversed: tag:y is on p2, liked by c, whom a and b follow.
    expect(await one('SELECT <-tagged<-post<-likes<-user<-follows<-user AS u FROM tag:y')).toEqual(['user:a', 'user:b']);
  });

  test('a chain per row, empty where a hop reaches nothing', async () => {
    expect(await oql('SELECT id, ->follows->user->likes->post AS p FROM "user" ORDER BY id')).toEqual([
      ['user:a', ['post:p1', 'post:p2']],
      ['user:b', ['post:p1', 'post:p2']], // b → c
      ['user:c', ['post:p9']], // c → d, whose like points at a post that does not exist
      ['user:d', []], // d → a, who likes nothing
      ['user:e', []], // no edges at all
    ]);
  });

  test('a missing target keeps its id, and its fields are NULL', async () => {
    expect(await one('SELECT ->follows->user->likes->post.title AS p FROM user:c')).toEqual([null]);
    expect(await one('SELECT ->follows->user->likes->post AS p FROM user:c FETCH p')).toEqual([null]);
  });

  test('backwards and mixed directions', async () => {
    // p1 is liked by b and c; b is followed by a, c by a and b.
    expect(await one('SELECT <-likes<-user<-follows<-user AS u FROM post:p1')).toEqual(['user:a', 'user:b']);
    // Whom a follows (b, c), then who follows them: a (of both) and b (of c).
    expect(await one('SELECT ->follows->user<-follows<-user AS u FROM user:a')).toEqual(['user:a', 'user:b']);
    // Posts tagged x, then who likes them.
    expect(await one('SELECT <-tagged<-post<-likes<-user.name AS u FROM tag:x')).toEqual(['B', 'C']);
  });

  test('bounded repetition on any hop', async () => {
    // Within three hops of a: b, c (1), d (2); a itself is the start. They like p1, p2 and p9.
    expect(await one('SELECT ->follows{1..3}->user->likes->post AS p FROM user:a')).toEqual(['post:p1', 'post:p2', 'post:p9']);
    expect(await one('SELECT ->follows{1..3}->user->likes->post.title AS p FROM user:a')).toEqual(['P1', 'P2', null]);
    // Exactly two hops on from each of b and c: b→c→d and c→d→a.
    expect(await one('SELECT ->follows->user->follows{2}->user AS u FROM user:a')).toEqual(['user:a', 'user:d']);
    // Around the cycle as far as it goes: each record once, at its nearest.
    expect(await one('SELECT ->follows{1..10}->user AS u FROM user:a')).toEqual(['user:b', 'user:c', 'user:d']);
    expect(await one('SELECT ->follows{2..}->user AS u FROM user:b')).toEqual(['user:d', 'user:a']);
  });

  test('? takes records of any table', async () => {
    expect(await one('SELECT ->likes->? AS x FROM user:c')).toEqual(['post:p1', 'post:p2', 'user:e']);
    expect(await one('SELECT ->follows->user->likes->? AS x FROM user:a')).toEqual(['post:p1', 'post:p2', 'user:e']);
    expect(await one('SELECT ->likes->?->tagged->tag AS x FROM user:c')).toEqual(['tag:x', 'tag:y']);
    expect(await one('SELECT ->likes->? AS x FROM user:c FETCH x')).toEqual([
      { id: 'post:p1', title: 'P1' },
      { id: 'post:p2', title: 'P2' },
      { id: 'user:e', name: 'E' },
    ]);
  });

  test('<-> steps walk both ways, in chains too', async () => {
    // b follows c and is followed by a.
    expect(await one('SELECT <->follows<->user AS u FROM user:b')).toEqual(['user:a', 'user:c']);
    expect(await one('SELECT <->follows<->user->likes->post AS p FROM user:b')).toEqual(['post:p1', 'post:p2']);
    expect(await one('SELECT <->follows{2}<->user AS u FROM user:b')).toEqual(['user:d']);
  });

  test('paths work in WHERE and in functions', async () => {
    expect(await oql('SELECT id FROM "user" WHERE array::len(->follows->user->likes->post) > 1 ORDER BY id')).toEqual([['user:a'], ['user:b']]);
  });

  test('every hop plans as an Expand over its edge table', async () => {
    const plan = (await oql('EXPLAIN SELECT ->follows->user->likes->post.title FROM user:a')).map((r) => r[0]).join('\n');
    expect(plan).toContain('Expand out over follows');
    expect(plan).toContain('Expand out over likes');
    const { catalog } = catalogFromSchema(
      ['follows', 'likes']
        .map((e) => `CREATE TABLE ${e} (id text PRIMARY KEY, "in" text NOT NULL, "out" text NOT NULL, doc jsonb NOT NULL); CREATE INDEX ${e}_in ON ${e} ("in", "out"); CREATE INDEX ${e}_out ON ${e} ("out", "in");`)
        .join(' ') + ' CREATE TABLE "user" (id text PRIMARY KEY, doc jsonb NOT NULL);',
    );
    const [c] = compileOrbitQL('SELECT <-follows{1..2}<-user<->likes<->? AS x FROM "user"', catalog).statements;
    expect(c!.diagnostics).toEqual([]);
    const expands = JSON.stringify(c!.logical).match(/"kind":"expand"/g) ?? [];
    expect(expands.length).toBe(2);
    expect(JSON.stringify(c!.physical)).toContain('"direction":"in","start"');
    expect(JSON.stringify(c!.physical)).toContain('"direction":"both","start"');
  });

  test('the logical plan, printed: an Expand per step, the second starting from the first one\'s array', () => {
    const { catalog } = catalogFromSchema(
      'CREATE TABLE "user" (id text PRIMARY KEY, doc jsonb NOT NULL); CREATE TABLE follows (id text PRIMARY KEY, "in" text NOT NULL, "out" text NOT NULL, doc jsonb NOT NULL); CREATE INDEX follows_in ON follows ("in", "out"); CREATE INDEX follows_out ON follows ("out", "in");',
    );
    const printed = (q: string) => printLogical(compileOrbitQL(q, catalog).statements[0]!.logical!);
    expect(printed('SELECT ->follows->user<-follows{2}<-? AS x FROM "user"')).toBe(
      [
        'Project x#11 := (subquery#2) [schema: x:utf8[]]',
        '  Subquery#2 scalar correlated=[1]',
        '    Project coalesce#10 := coalesce(array_agg#9, ARRAY[]) [schema: coalesce:utf8[]]',
        '      Aggregate groups=[] aggs=[array_agg#9 := array_agg(id#7 ORDER BY depth#8, id#7)] [schema: array_agg:utf8[]]',
        '        Expand in follows from (subquery#1) depth 2..2 [schema: id:utf8 depth:int32]',
        '          Subquery#1 scalar correlated=[1]',
        '            Project coalesce#6 := coalesce(array_agg#5, ARRAY[]) [schema: coalesce:utf8[]]',
        '              Aggregate groups=[] aggs=[array_agg#5 := array_agg(id#3 ORDER BY depth#4, id#3)] [schema: array_agg:utf8[]]',
        "                Filter starts_with(id#3, 'user:') [schema: id:utf8 depth:int32]",
        '                  Expand out follows from id#1 depth 1..1 [schema: id:utf8 depth:int32]',
        '  Scan user [schema: id:utf8 doc:jsonb]',
      ].join('\n'),
    );
    expect(printed('TRAVERSE <-follows FROM user:a MAX_DEPTH 2 WHERE id != user:c')).toBe(
      [
        'Sort depth#2, id#1 [schema: id:utf8 depth:int32]',
        '  Project id#1, depth#2 [schema: id:utf8 depth:int32]',
        "    Expand in follows from 'user:a' depth 1..2 where (id#1 <> 'user:c') [schema: id:utf8 depth:int32]",
      ].join('\n'),
    );
  });

  test('a chain is SQL over nested graph_expand calls', () => {
    const s = parseOrbitQL('SELECT ->follows->user->likes->? FROM user:a').statements[0]!;
    expect(s.kind === 'statement' && s.sql).toContain(
      "graph_expand((SELECT coalesce(array_agg(g1.id ORDER BY g1.depth, g1.id), '{}') FROM graph_expand(id, 'follows', 'out', 1, 1) AS g1(id, depth) WHERE starts_with(g1.id, 'user:')), 'likes', 'out', 1, 1) AS g2(id, depth))",
    );
  });

  test('?.field reads the field from whichever table each record is in', async () => {
    // c likes p1, p2 (posts, with titles) and user:e (a user, with a name).
    expect(await oql('SELECT ->likes->?.title AS t, ->likes->?.name AS n FROM user:c')).toEqual([
      [
        ['P1', 'P2', null],
        [null, null, 'E'],
      ],
    ]);
    // A record that does not exist has no fields.
    expect(await one('SELECT ->likes->?.title AS t FROM user:d')).toEqual([null]);
  });

  test('mistakes are errors: an unknown edge table, a broken path', async () => {
    const err = await oql('SELECT ->follows->user->nope->post FROM user:a').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OrbitError);
    expect((err as OrbitError).message).toBe('relation "nope" does not exist');
    const bad = parseOrbitQL('SELECT ->likes->post-> FROM user:c;\nSELECT ->likes{1..x}->post FROM user:c');
    expect(bad.diagnostics.map((d) => d.code)).toEqual(['syntax_error', 'syntax_error']);
    expect(await one('SELECT 1')).toBe(1);
  });
});

describe('TRAVERSE … WHERE prunes the walk', () => {
  test('without WHERE: every record within reach, once, cycles included', async () => {
    expect(await oql('TRAVERSE follows FROM user:a')).toEqual([
      ['user:b', 1],
      ['user:c', 1],
      ['user:d', 2],
    ]);
    // Both ways around the cycle: a's neighbours b, c, d at 1; nothing is listed twice.
    expect(await oql('TRAVERSE <->follows FROM user:a')).toEqual([
      ['user:b', 1],
      ['user:c', 1],
      ['user:d', 1],
    ]);
  });

  test('a record failing WHERE is not walked on from', async () => {
    // d is reached only through c: pruning c loses d, where filtering the rows would keep it.
    expect(await oql('TRAVERSE follows FROM user:a WHERE id != user:c')).toEqual([['user:b', 1]]);
    expect(await oql("SELECT id FROM graph_expand('user:a', 'follows', 'out', 1, 64) AS t(id, depth) WHERE id <> 'user:c' ORDER BY depth, id")).toEqual([['user:b'], ['user:d']]);
    // Pruning b changes nothing: c is reached from a directly.
    expect(await oql('TRAVERSE follows FROM user:a WHERE id != user:b')).toEqual([
      ['user:c', 1],
      ['user:d', 2],
    ]);
    // From b: c (1), d (2), a (3); pruning d cuts a off.
    expect(await oql('TRAVERSE follows FROM user:b')).toEqual([
      ['user:c', 1],
      ['user:d', 2],
      ['user:a', 3],
    ]);
    expect(await oql('TRAVERSE follows FROM user:b WHERE id <> user:d')).toEqual([['user:c', 1]]);
  });

  test('WHERE on depth bounds the walk; MAX_DEPTH too', async () => {
    expect(await oql('TRAVERSE follows FROM user:b WHERE depth <= 2')).toEqual([
      ['user:c', 1],
      ['user:d', 2],
    ]);
    expect(await oql('TRAVERSE follows FROM user:b MAX_DEPTH 2')).toEqual(await oql('TRAVERSE follows FROM user:b WHERE depth <= 2'));
    expect(await oql('TRAVERSE follows FROM user:b WHERE depth >= 2')).toEqual([]);
  });

  test('WHERE reads the fields of the record reached', async () => {
    // From b: c (1), d (2), a (3). Pruning at C's name stops the walk at once.
    expect(await oql("TRAVERSE follows FROM user:b WHERE name != 'C'")).toEqual([]);
    expect(await oql("TRAVERSE follows FROM user:b WHERE name != 'D'")).toEqual([['user:c', 1]]);
    expect(await oql("TRAVERSE follows FROM user:a WHERE name IN ('B', 'C') OR depth > 1")).toEqual([
      ['user:b', 1],
      ['user:c', 1],
      ['user:d', 2],
    ]);
    // Over likes, the records are posts and a user: each is read from its own table.
    expect(await oql("TRAVERSE likes FROM user:c WHERE title = 'P2' OR name = 'E'")).toEqual([
      ['post:p2', 1],
      ['user:e', 1],
    ]);
    expect(await oql("LET $not = 'D'; TRAVERSE follows FROM user:b WHERE name != $not FETCH id")).toEqual([[{ id: 'user:c', name: 'C' }, 1]]);
  });

  test('WHERE may read the record reached through a subquery', async () => {
    expect(await oql(`TRAVERSE follows FROM user:b WHERE (SELECT u.name FROM "user" u WHERE u.id = traverse.id) <> 'D'`)).toEqual([['user:c', 1]]);
    expect(await oql(`TRAVERSE <-follows FROM user:d WHERE id IN (SELECT id FROM "user" WHERE name <> 'B')`)).toEqual([
      ['user:c', 1],
      ['user:a', 2],
    ]);
  });

  test('the plan shows the condition inside the Expand', async () => {
    const plan = (await oql('EXPLAIN TRAVERSE follows FROM user:a MAX_DEPTH 3 WHERE id != user:c')).map((r) => r[0]).join('\n');
    expect(plan).toMatch(/Expand out over follows start 'user:a' depth 1\.\.3 where \(id#\d+ <> 'user:c'\)/);
    expect(plan).not.toContain('Filter');
  });
});
