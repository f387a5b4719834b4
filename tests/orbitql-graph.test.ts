// OrbitQL graphs executed for real: RELATE makes edge tables, `->edge->` paths and TRAVERSE walk them
// through the IR's Expand node, through Session.execute over LMDB in a temp dir.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import fc from 'fast-check';
import { catalogFromSchema, compileOrbitQL, parseOrbitQL } from '../compiler/index.ts';
import { OrbitError } from '../runtime/index.ts';
import { openOrbitQlDb, type OrbitQlDb } from './support/orbitql.ts';

let db: OrbitQlDb;

const oql = (text: string): Promise<unknown[][]> => db.oql(text);

beforeAll(async () => {
  db = await openOrbitQlDb('orbit-oql-graph-');
  await oql(`CREATE user:alice SET name = 'Alice';
    CREATE user:bob SET name = 'Bob';
    CREATE user:carol SET name = 'Carol';
    CREATE user:dan SET name = 'Dan';`);
  await oql(`RELATE user:alice->follows->user:bob SET since = time::now();
    RELATE user:bob->follows->user:carol;
    RELATE user:carol->follows->user:dan;
    RELATE user:dan->follows->user:alice;
    RELATE user:alice->follows->user:carol;`);
  await oql("RELATE user:alice->knows->user:dan CONTENT { how: 'school' }");
});
afterAll(() => db.close());

describe('OrbitQL graphs', () => {
  test('RELATE makes the edge table with in, out and properties, indexed both ways', async () => {
    expect(await oql('SELECT "in", "out" FROM follows ORDER BY "in", "out"')).toEqual([
      ['user:alice', 'user:bob'],
      ['user:alice', 'user:carol'],
      ['user:bob', 'user:carol'],
      ['user:carol', 'user:dan'],
      ['user:dan', 'user:alice'],
    ]);
    expect(await oql("SELECT count(*) FROM follows WHERE since IS NOT NULL")).toEqual([[1n]]);
    expect(await oql("SELECT how FROM knows")).toEqual([['school']]);
    const follows = db.engine.catalog.getRelation(undefined, 'follows');
    expect(follows?.kind === 'table' && follows.indexes.filter((i) => !i.primary).map((i) => i.columns)).toEqual([
      ['in', 'out'],
      ['out', 'in'],
    ]);
  });

  test('->edge->table paths, with fields of the records reached', async () => {
    expect(await oql('SELECT ->follows->user.name AS names FROM user:alice')).toEqual([[['Bob', 'Carol']]]);
    expect(await oql('SELECT name, ->follows->user AS ids FROM "user" ORDER BY name')).toEqual([
      ['Alice', ['user:bob', 'user:carol']],
      ['Bob', ['user:carol']],
      ['Carol', ['user:dan']],
      ['Dan', ['user:alice']],
    ]);
  });

  test('<-edge<- and <->edge<-> walk against and along the edges', async () => {
    expect(await oql('SELECT <-follows<-user.name AS followers FROM user:carol')).toEqual([[['Alice', 'Bob']]]);
    expect(await oql('SELECT <->knows<->user.name AS known FROM user:dan')).toEqual([[['Alice']]]);
    expect(await oql('SELECT <->knows<->user AS known FROM user:alice')).toEqual([[['user:dan']]]);
  });

  test('bounded repetition ->edge{1..3}->', async () => {
    expect(await oql('SELECT ->follows{1..3}->user AS reach FROM user:bob')).toEqual([[['user:carol', 'user:dan', 'user:alice']]]);
    expect(await oql('SELECT ->follows{2}->user.name AS two FROM user:alice')).toEqual([[['Dan']]]);
  });

  test('TRAVERSE lists the records reached with their depth', async () => {
    expect(await oql('TRAVERSE follows FROM user:alice MAX_DEPTH 3')).toEqual([
      ['user:bob', 1],
      ['user:carol', 1],
      ['user:dan', 2],
    ]);
    // WHERE prunes: a record failing it is not walked on from, so `depth > 1` stops at the first hop.
    expect(await oql('TRAVERSE follows FROM user:alice MAX_DEPTH 3 WHERE depth > 1')).toEqual([]);
    expect(await oql('TRAVERSE follows FROM user:alice MAX_DEPTH 3 WHERE depth < 3')).toEqual([
      ['user:bob', 1],
      ['user:carol', 1],
      ['user:dan', 2],
    ]);
    expect(await oql('TRAVERSE <-follows FROM user:alice MAX_DEPTH 1')).toEqual([['user:dan', 1]]);
  });

  test('paths plan as Expand over the edge table', async () => {
    const plan = (await oql('EXPLAIN SELECT ->follows->user.name FROM user:alice')).map((r) => r[0]).join('\n');
    expect(plan).toContain('Expand out over follows');
  });

  test('walking a table that is not an edge table is an error', async () => {
    const err = await oql('SELECT ->nope->user FROM user:alice').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OrbitError);
    expect((err as OrbitError).message).toBe('relation "nope" does not exist');
    const err2 = await oql('TRAVERSE "user" FROM user:alice').catch((e: unknown) => e);
    expect((err2 as OrbitError).message).toContain('is not an edge table');
  });

  test('a record with no edges has an empty path', async () => {
    await oql("CREATE user:erin SET name = 'Erin'");
    expect(await oql('SELECT ->follows->user AS ids, ->follows->user.name AS names FROM user:erin')).toEqual([[[], []]]);
  });

  test('FETCH replaces record ids, and arrays of them, by the records', async () => {
    expect(await oql('SELECT "in", "out" FROM follows WHERE "in" = user:bob FETCH out')).toEqual([['user:bob', { id: 'user:carol', name: 'Carol' }]]);
    expect(await oql("SELECT ->follows->user AS f, 'user:nobody' AS n FROM user:alice FETCH f, n")).toEqual([
      [[{ id: 'user:bob', name: 'Bob' }, { id: 'user:carol', name: 'Carol' }], null],
    ]);
    const [[edge]] = (await oql('SELECT id FROM knows FETCH id')) as [[Record<string, unknown>]];
    expect(edge).toMatchObject({ in: 'user:alice', out: 'user:dan', how: 'school' });
    await expect(oql('SELECT id FROM user:alice FETCH nope')).rejects.toThrow(/column fetched.nope does not exist/);
  });

  test('edges written in the same transaction are walked', async () => {
    await oql('BEGIN');
    await oql('RELATE user:dan->follows->user:bob');
    expect(await oql('SELECT ->follows->user AS f FROM user:dan')).toEqual([[['user:alice', 'user:bob']]]);
    await oql('ROLLBACK');
    expect(await oql('SELECT ->follows->user AS f FROM user:dan')).toEqual([[['user:alice']]]);
  });
});

describe('graph and document forms as SQL', () => {
  const sqlOf = (text: string): string => {
    const s = parseOrbitQL(text).statements[0]!;
    return s.kind === 'statement' ? s.sql : '';
  };

  test('RELATE, TRAVERSE and paths are SQL over the edge table and graph_expand', () => {
    expect(sqlOf('RELATE user:a->follows->user:b')).toBe(`INSERT INTO "follows" (id, "in", "out", doc) VALUES ('follows:' || gen_random_uuid()::text, 'user:a', 'user:b', jsonb_build_object())`);
    expect(sqlOf('TRAVERSE <->knows FROM user:a MAX_DEPTH 2')).toBe(`SELECT id, depth FROM graph_expand('user:a', 'knows', 'both', 1, 2) AS traverse(id, depth) ORDER BY depth, id`);
    expect(sqlOf('SELECT <-follows{2..4}<-user FROM user:a')).toContain(`graph_expand(id, 'follows', 'in', 2, 4)`);
    // `->` after an operand is still PostgreSQL's JSON operator.
    expect(sqlOf("SELECT doc->'a', doc -> 'b' FROM t")).toBe("SELECT doc->'a', doc -> 'b' FROM t");
  });

  test('the IR holds an Expand node for a path', () => {
    const { catalog } = catalogFromSchema(
      'CREATE TABLE "user" (id text PRIMARY KEY, doc jsonb NOT NULL); CREATE TABLE follows (id text PRIMARY KEY, "in" text NOT NULL, "out" text NOT NULL, doc jsonb NOT NULL); CREATE INDEX follows_in ON follows ("in", "out"); CREATE INDEX follows_out ON follows ("out", "in");',
    );
    const [c] = compileOrbitQL('SELECT ->follows{1..2}->user.name AS n FROM "user"', catalog).statements;
    expect(c!.diagnostics).toEqual([]);
    expect(JSON.stringify(c!.logical)).toContain('"kind":"expand"');
    expect(JSON.stringify(c!.physical)).toContain('"minDepth":1,"maxDepth":2');
  });

  test('garbage around graph and document forms never throws', () => {
    const alphabet = ['->', '<-', '<->', 'follows', 'user:a', '{1..3}', '.name', 'RELATE ', 'TRAVERSE ', 'UPSERT ', 'CREATE ', 'CONTENT ', 'SET ', '+=', '-=', 'FETCH ', 'SELECT ', 'FROM ', 'DEFINE TABLE ', 'SCHEMALESS', '{', '}', '[', ']', ',', ':', ' ', "'x'", '1', ';'];
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...alphabet), { maxLength: 30 }), (parts) => {
        const text = parts.join('');
        for (const d of parseOrbitQL(text).diagnostics) {
          expect(d.span.start).toBeGreaterThanOrEqual(0);
          expect(d.span.end).toBeLessThanOrEqual(text.length);
        }
      }),
      { numRuns: 1000 },
    );
  });
});
