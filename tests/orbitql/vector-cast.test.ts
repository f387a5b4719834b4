// Casts into vector(n) in OrbitQL (`<vector(3)>x`, `CAST(x AS vector(3))`, `x::vector(3)`) and the
// vector:: functions over them, executed over LMDB in a temp dir.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { catalogFromSchema, compileOrbitQL, parseOrbitQL } from '../../compiler/index.ts';
import { OrbitError } from '../../runtime/index.ts';
import { openOrbitQlDb, type OrbitQlDb } from '../support/orbitql.ts';

let db: OrbitQlDb;
const oql = (text: string): Promise<unknown[][]> => db.oql(text);
const one = async (text: string): Promise<unknown> => (await oql(text))[0]![0];
const vec = (...xs: number[]): Float32Array => new Float32Array(xs);
/** The error a statement fails with: its SQLSTATE and message. */
const failure = async (text: string): Promise<{ sqlstate: string; message: string }> => {
  const e = await oql(text).then(
    () => undefined,
    (x: unknown) => x,
  );
  expect(e).toBeInstanceOf(OrbitError);
  return { sqlstate: (e as OrbitError).sqlstate, message: (e as OrbitError).message };
};

beforeAll(async () => {
  db = await openOrbitQlDb('orbit-oql-vector-');
  await oql(`CREATE TABLE emb (id int PRIMARY KEY, e vector(3));
    CREATE item:a CONTENT { v: [1, 0, 0], bad: ['1', 'x', '2'] };`);
});
afterAll(() => db.close());

describe('casts into vector(n)', () => {
  test('<vector(n)>, CAST and :: give the same vector', async () => {
    expect(await one('SELECT <vector(3)>[1, 2, 3]')).toEqual(vec(1, 2, 3));
    expect(await one('SELECT CAST([1, 2.5, 3] AS vector(3))')).toEqual(vec(1, 2.5, 3));
    expect(await one('SELECT [1, 2, 3]::vector(3)')).toEqual(vec(1, 2, 3));
    expect(await oql("SELECT <vector(2)>'[0.5, -1]', CAST('[4,5]' AS vector(2))")).toEqual([[vec(0.5, -1), vec(4, 5)]]);
  });

  test('from a JSON array in a document, and back to an array', async () => {
    expect(await one("SELECT <vector(3)>(doc -> 'v') FROM item:a")).toEqual(vec(1, 0, 0));
    expect(await one('SELECT CAST(<vector(2)>[1.5, 2] AS float8[])')).toEqual([1.5, 2]);
  });

  test('a dimension mismatch is a clear 22023 error, and the session goes on', async () => {
    expect(await failure('SELECT <vector(3)>[1, 2]')).toEqual({ sqlstate: '22023', message: 'expected 3 dimensions, not 2' });
    expect(await failure("SELECT CAST('[1,2,3,4]' AS vector(3))")).toEqual({ sqlstate: '22023', message: 'expected 3 dimensions, not 4' });
    expect(await failure("SELECT <vector(2)>(doc -> 'v') FROM item:a")).toEqual({ sqlstate: '22023', message: 'expected 2 dimensions, not 3' });
    expect(await failure('SELECT <vector(3)>[1, NULL, 3]')).toEqual({ sqlstate: '22023', message: 'a vector must not contain NULLs' });
    expect((await failure("SELECT <vector(3)>(doc -> 'bad') FROM item:a")).message).toBe('a vector must hold finite numbers, not "x"');
    expect((await failure("SELECT <vector(2)>'1,2'")).sqlstate).toBe('22P02');
    expect(await one('SELECT 1')).toBe(1);
  });

  test('vector:: functions over cast values', async () => {
    expect(await one('SELECT vector::distance::cosine(<vector(2)>[1, 0], <vector(2)>[0, 1])')).toBe(1);
    expect(await one('SELECT vector::distance::euclidean(<vector(3)>[1, 2, 3], [1, 2, 5])')).toBe(2);
    expect(await one('SELECT vector::dot(CAST([1, 2, 3] AS vector(3)), [4, 5, 6]::vector(3))')).toBe(32);
    expect(await one('SELECT vector::distance::dot(<vector(2)>[1, 2], <vector(2)>[3, 4])')).toBe(-11);
    expect(await oql('SELECT vector::dims(<vector(4)>[1, 2, 3, 4]), vector::magnitude(<vector(2)>[3, 4])')).toEqual([[4, 5]]);
    expect((await failure('SELECT vector::distance::cosine(<vector(2)>[1, 0], <vector(3)>[0, 1, 0])')).sqlstate).toBe('22023');
  });

  test('a vector(n) column stores cast values and orders by distance', async () => {
    await oql('INSERT INTO emb VALUES (1, <vector(3)>[1, 0, 0]), (2, CAST([0, 1, 0] AS vector(3))), (3, \'[0, 0, 1]\')');
    expect(await oql('SELECT id FROM emb ORDER BY vector::distance::euclidean(e, <vector(3)>[0.1, 0.9, 0]) LIMIT 2')).toEqual([[2], [1]]);
    expect(await one('SELECT e FROM emb WHERE id = 3')).toEqual(vec(0, 0, 1));
    expect((await failure('INSERT INTO emb VALUES (4, <vector(3)>[1, 2])')).message).toBe('expected 3 dimensions, not 2');
  });

  test('<type> casts any operand, as CAST does', async () => {
    expect(await oql("SELECT <int>'42' + 1, <text>7, <float8>(1 + 1) / 4")).toEqual([[43, '7', 0.5]]);
    const s = parseOrbitQL('SELECT <vector(3)>[1, 2, 3]').statements[0]!;
    expect(s.kind === 'statement' && s.sql).toBe('SELECT CAST(ARRAY[1, 2, 3] AS vector(3))');
  });
});

describe('vector types checked before anything runs', () => {
  const { catalog } = catalogFromSchema('CREATE TABLE emb (id int PRIMARY KEY, e vector(3)); CREATE TABLE item (id text PRIMARY KEY, doc jsonb NOT NULL)');
  /** Each diagnostic of compiling `text` as [sqlstate, message, the text its span covers]. */
  const diagnosed = (text: string): [string | undefined, string, string][] =>
    compileOrbitQL(text, catalog).statements.flatMap((st) => st.diagnostics.map((d): [string | undefined, string, string] => [d.sqlstate, d.message, text.slice(d.span.start, d.span.end)]));

  test('a constant of the wrong dimension is a diagnostic on the cast, in any statement of a script', () => {
    expect(diagnosed('SELECT 1; SELECT <vector(3)>[1, 2]')).toEqual([['22023', 'expected 3 dimensions, not 2', '<vector(3)>[1, 2]']]);
    expect(diagnosed("SELECT 1;\nSELECT CAST('[1, 2, 3, 4]' AS vector(3)), [1]::vector(2) FROM emb")).toEqual([
      ['22023', 'expected 3 dimensions, not 4', "CAST('[1, 2, 3, 4]' AS vector(3))"],
      ['22023', 'expected 2 dimensions, not 1', '[1]::vector(2)'],
    ]);
    expect(diagnosed('INSERT INTO emb VALUES (4, <vector(3)>[1, 2, 3, 4])')).toEqual([['22023', 'expected 3 dimensions, not 4', '<vector(3)>[1, 2, 3, 4]']]);
    // Matching constants, and operands whose length is only known when they run, compile cleanly.
    expect(diagnosed("SELECT <vector(3)>[1, 2, 3], <vector(2)>'[0.5, -1]', <vector(2)>(doc -> 'v'), <vector(3)>[1, NULL, 3] FROM item")).toEqual([]);
  });

  test('vector with no dimension is a clear error naming the fix, at the type', () => {
    const text = 'SELECT 1; SELECT <vector>[1, 2]; SELECT CAST([1] AS vector); CREATE TABLE bare (id int PRIMARY KEY, e vector)';
    const ds = compileOrbitQL(text, catalog).statements.flatMap((st) => st.diagnostics);
    expect(ds.map((d) => [d.sqlstate, d.message, text.slice(d.span.start, d.span.end)])).toEqual([
      ['42704', 'type "vector" needs a dimension', '<vector>[1, 2]'],
      ['42704', 'type "vector" needs a dimension', 'vector'],
      ['42704', 'type "vector" needs a dimension', 'vector'],
    ]);
    expect(ds[0]!.hint).toBe('write vector(n) for a vector of n numbers, as in <vector(3)>[1, 2, 3]');
  });

  test('the session reports it with its position and runs no statement of the script', async () => {
    const script = 'INSERT INTO emb VALUES (9, <vector(3)>[1, 1, 1]);\nSELECT <vector(3)>[1, 2]';
    const e = await oql(script).then(
      () => undefined,
      (x: unknown) => x,
    );
    expect(e).toBeInstanceOf(OrbitError);
    expect(e).toMatchObject({ sqlstate: '22023', message: 'expected 3 dimensions, not 2', position: script.indexOf('<vector(3)>[1, 2]') + 1 });
    expect(await oql('SELECT count(*) FROM emb WHERE id = 9')).toEqual([[0n]]);
    expect(await db.session.execute('SELECT 1; SELECT <vector>[1]', [], { language: 'orbitql' }).catch((x: unknown) => x)).toMatchObject({ sqlstate: '42704', hint: 'write vector(n) for a vector of n numbers, as in <vector(3)>[1, 2, 3]', position: 18 });
  });
});
