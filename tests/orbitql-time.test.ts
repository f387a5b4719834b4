// OrbitQL time, vectors and LIVE through Session.execute({ language: 'orbitql' }) against a real engine over LMDB in a temp dir.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { catalogFromSchema, compileOrbitQL, explainText, printLogical } from '../compiler/index.ts';
import { OrbitError } from '../runtime/index.ts';
import { openOrbitQlDb, type OrbitQlDb } from './support/orbitql.ts';

let db: OrbitQlDb;

const T0 = Date.UTC(2024, 0, 1, 10) * 1000;
const MIN = 60_000_000;

beforeAll(async () => {
  db = await openOrbitQlDb('orbit-orbitql-time-');
  await db.session.execute(
    `CREATE TABLE readings (sensor text, ts timestamptz, temp float8, n int, level numeric(6,2));
     INSERT INTO readings VALUES
       ('a', '2024-01-01 10:00:00+00', 10, 1, 1.00), ('a', '2024-01-01 10:20:00+00', 20, 2, 2.00),
       ('a', '2024-01-01 11:00:00+00', 40, 4, 4.00), ('b', '2024-01-01 10:05:00+00', 5, 1, 1.50),
       ('b', '2024-01-01 10:50:00+00', 8, 3, 3.50);
     CREATE TABLE docs (id text PRIMARY KEY, embedding float8[], meta jsonb);
     INSERT INTO docs VALUES ('doc:1', '{1,0,0}', '{"v": [1, 0, 0]}'), ('doc:2', '{0.8,0.6,0}', '{"v": [0, 1, 0]}'), ('doc:3', '{0,0,1}', '{"v": [0, 0, 1]}');`,
  );
});
afterAll(() => db.close());

const oql = (text: string): Promise<unknown[][]> => db.oql(text);

async function sqlstateOf(text: string): Promise<{ sqlstate: string; message: string }> {
  try {
    await oql(text);
  } catch (e) {
    expect(e).toBeInstanceOf(OrbitError);
    return { sqlstate: (e as OrbitError).sqlstate, message: (e as OrbitError).message };
  }
  throw new Error(`expected an error from ${text}`);
}

describe('time_bucket and duration arithmetic', () => {
  test('time_bucket floors timestamps to buckets from the epoch, or from an origin', async () => {
    expect(await oql("SELECT time_bucket(15m, ts) FROM readings WHERE sensor = 'a' ORDER BY ts")).toEqual([[T0], [T0 + 15 * MIN], [T0 + 60 * MIN]]);
    expect(await oql("SELECT time::bucket(1h, ts, '2024-01-01 09:30:00+00') FROM readings WHERE sensor = 'b' ORDER BY ts")).toEqual([[T0 - 30 * MIN], [T0 + 30 * MIN]]);
  });

  test('durations add to and subtract from timestamps; timestamps subtract to intervals', async () => {
    expect(await oql("SELECT ts + 15m, ts - 1h30m, ts + 100ms, ts - '2024-01-01 09:00:00+00' FROM readings WHERE sensor = 'a' AND n = 1")).toEqual([
      [T0 + 15 * MIN, T0 - 90 * MIN, T0 + 100_000, { months: 0, days: 0, micros: 60 * MIN }],
    ]);
    expect(await oql("SELECT count(*) FROM readings WHERE ts >= '2024-01-01 11:00:00+00'::timestamptz - 45m")).toEqual([[3n]]);
    expect(await oql('SELECT count(*) FROM readings WHERE ts > time::now() - 7d')).toEqual([[0n]]);
  });

  test('a month-long bucket is refused', async () => {
    expect((await sqlstateOf('SELECT time_bucket(1y, ts) FROM readings')).sqlstate).toBe('22023');
  });
});

describe('GROUP BY … FILL', () => {
  const buckets = (n: number) => Array.from({ length: n }, (_, i) => T0 + i * 15 * MIN);

  test('without FILL only buckets with rows appear', async () => {
    expect(await oql("SELECT time_bucket(15m, ts) AS b, count(*) FROM readings WHERE sensor = 'a' GROUP BY b ORDER BY b")).toEqual([
      [T0, 1n],
      [T0 + 15 * MIN, 1n],
      [T0 + 60 * MIN, 1n],
    ]);
  });

  test('FILL (null) adds the missing buckets with NULL aggregates', async () => {
    const b = buckets(5);
    expect(await oql("SELECT time_bucket(15m, ts) AS b, count(*), avg(temp) FROM readings WHERE sensor = 'a' GROUP BY b FILL (null) ORDER BY b")).toEqual([
      [b[0], 1n, 10],
      [b[1], 1n, 20],
      [b[2], null, null],
      [b[3], null, null],
      [b[4], 1n, 40],
    ]);
  });

  test('FILL (<value>) fills every aggregate with the constant in its type', async () => {
    const b = buckets(5);
    expect(await oql("SELECT time_bucket(15m, ts) AS b, count(*), max(temp) FROM readings WHERE sensor = 'a' GROUP BY b FILL (0) ORDER BY b")).toEqual([
      [b[0], 1n, 10],
      [b[1], 1n, 20],
      [b[2], 0n, 0],
      [b[3], 0n, 0],
      [b[4], 1n, 40],
    ]);
  });

  test('FILL (previous) carries each partition’s last value; partitions share the whole range', async () => {
    const b = buckets(5);
    expect(await oql('SELECT sensor, time_bucket(15m, ts) AS b, max(n) FROM readings GROUP BY sensor, b FILL (previous) ORDER BY sensor, b')).toEqual([
      ['a', b[0], 1],
      ['a', b[1], 2],
      ['a', b[2], 2],
      ['a', b[3], 2],
      ['a', b[4], 4],
      ['b', b[0], 1],
      ['b', b[1], 1],
      ['b', b[2], 1],
      ['b', b[3], 3],
      ['b', b[4], 3],
    ]);
  });

  test('FILL (linear) interpolates between neighbours by time, in the column type', async () => {
    const b = buckets(5);
    expect(await oql("SELECT time_bucket(15m, ts) AS b, avg(temp), max(n), max(level) FROM readings WHERE sensor = 'a' GROUP BY b FILL (linear) ORDER BY b")).toEqual([
      [b[0], 10, 1, '1.00'],
      [b[1], 20, 2, '2.00'],
      [b[2], 20 + 20 / 3, 3, '2.67'],
      [b[3], 20 + 40 / 3, 3, '3.33'],
      [b[4], 40, 4, '4.00'],
    ]);
    // No neighbour on one side: the leading gap of sensor b stays NULL.
    expect(await oql("SELECT sensor, time_bucket(15m, ts) AS b, max(temp) FROM readings GROUP BY sensor, b FILL (linear) HAVING sensor = 'b' ORDER BY b")).toEqual([
      ['b', b[0], 5],
      ['b', b[1], 6],
      ['b', b[2], 7],
      ['b', b[3], 8],
      ['b', b[4], null],
    ]);
  });

  test('mistakes are errors with SQLSTATEs, and the session keeps working', async () => {
    expect((await sqlstateOf('SELECT sensor, count(*) FROM readings GROUP BY sensor FILL (0)')).sqlstate).toBe('42803');
    expect((await sqlstateOf('SELECT time_bucket(15m, ts) AS b, string_agg(sensor, \',\') FROM readings GROUP BY b FILL (linear)')).sqlstate).toBe('42804');
    expect((await sqlstateOf("SELECT time_bucket(15m, ts) AS b, count(*) FROM readings GROUP BY b FILL ('x')")).sqlstate).toBe('42804');
    expect((await sqlstateOf('SELECT count(*) FROM readings GROUP BY time_bucket(sensor::interval, ts) FILL (0)')).sqlstate).toBe('22023');
    // A bucket so narrow that filling would explode is refused instead of exhausting memory.
    expect(await sqlstateOf("SELECT time_bucket(1us, ts) AS b, count(*) FROM readings GROUP BY b FILL (0)")).toEqual({
      sqlstate: '22023',
      message: 'FILL would produce 3600000001 rows (at most 10000000); use a wider time_bucket',
    });
    expect(await oql('SELECT 1')).toEqual([[1]]);
  });

  test('the plan shows the Gap Fill node', async () => {
    const lines = (await oql("EXPLAIN SELECT time_bucket(15m, ts) AS b, avg(temp) FROM readings GROUP BY b FILL (linear)")).map((r) => r[0]);
    expect(lines[0]).toStartWith('Gap Fill');
    expect(lines[0]).toContain('every 15m');
    expect(lines[0]).toContain('linear');
    const { catalog } = catalogFromSchema('CREATE TABLE readings (sensor text, ts timestamptz, temp float8);');
    const [c] = compileOrbitQL("SELECT sensor, time_bucket(15m, ts) AS b, avg(temp) FROM readings GROUP BY sensor, b FILL (-1.5) HAVING sensor <> 'x' ORDER BY b", catalog).statements;
    expect(c!.diagnostics).toEqual([]);
    // HAVING stays above the filling: a filled row must be filtered like any other.
    expect(printLogical(c!.optimized!).split('\n').map((l) => l.trim().replace(/ \[schema.*$/, ''))).toEqual([
      'Sort b#5',
      "Filter (sensor#1 <> 'x')",
      'GapFill b#5 step=15m partition=[sensor#1] fill=[avg#4 -1.5]',
      "Aggregate groups=[sensor#1, b#5 := time_bucket(INTERVAL '00:15:00', ts#2)] aggs=[avg#4 := avg(temp#3)]",
      'Scan readings',
    ]);
  });
});

describe('vector:: functions', () => {
  test('distances over array literals, array columns and JSON arrays', async () => {
    expect(await oql('SELECT vector::distance::cosine([1, 0], [0, 1]), vector::distance::euclidean([1, 2, 3], [1, 2, 5]), vector::distance::manhattan([1, 2], [3, 5])')).toEqual([[1, 2, 5]]);
    expect(await oql('SELECT vector::distance::dot([1, 2], [3, 4]), vector::dot([1.5, 2], [2, 2]), vector::similarity::cosine([1, 1], [2, 2])')).toEqual([[-11, 7, expect.closeTo(1, 12)]]);
    expect(await oql('SELECT vector::dims([1, 2, 3]), vector::magnitude([3, 4])')).toEqual([[3, 5]]);
    expect(await oql('SELECT id FROM docs ORDER BY vector::distance::cosine(embedding, [1, 0.1, 0]) LIMIT 2')).toEqual([['doc:1'], ['doc:2']]);
    expect(await oql("SELECT id FROM docs ORDER BY vector::distance::euclidean(meta.v::jsonb, [0, 0, 1]) LIMIT 1")).toEqual([['doc:3']]);
  });

  test('mismatched dimensions and non-numeric vectors are 22023 errors', async () => {
    expect(await sqlstateOf('SELECT vector::distance::cosine([1, 2], [1, 2, 3])')).toEqual({ sqlstate: '22023', message: 'different vector dimensions 2 and 3' });
    expect((await sqlstateOf("SELECT vector::dot(['a'], ['b'])")).sqlstate).toBe('22023');
  });
});

describe('LIVE SELECT', () => {
  test('executing a live query is 0A000: delivery comes over WebSocket', async () => {
    expect(await sqlstateOf('LIVE SELECT sensor, temp FROM readings WHERE temp > 5')).toEqual({ sqlstate: '0A000', message: 'not supported yet: live queries are delivered over WebSocket' });
    expect((await sqlstateOf('LIVE DIFF SELECT * FROM readings')).sqlstate).toBe('0A000');
    expect(await oql('SELECT count(*) FROM readings')).toEqual([[5n]]);
  });

  test('only one table through WHERE and a projection', async () => {
    expect((await sqlstateOf('LIVE SELECT sensor, count(*) FROM readings GROUP BY sensor')).message).toContain('LIVE SELECT reads one table');
    expect((await sqlstateOf('LIVE SELECT * FROM readings r JOIN docs d ON true')).sqlstate).toBe('0A000');
  });

  test('EXPLAIN and the offline compiler show the live-query plan', async () => {
    const lines = (await oql('EXPLAIN LIVE DIFF SELECT sensor FROM readings WHERE temp > 5')).map((r) => r[0]);
    expect(lines[0]).toStartWith('Live Query on readings (diff)');
    const { catalog } = catalogFromSchema('CREATE TABLE readings (sensor text, ts timestamptz, temp float8);');
    const [c] = compileOrbitQL('LIVE SELECT sensor FROM readings WHERE temp > 5', catalog).statements;
    expect(c!.diagnostics).toEqual([]);
    expect(printLogical(c!.optimized!).split('\n')[0]).toStartWith('LiveQuery readings');
    expect(explainText(c!.physical!).split('\n')[0]).toStartWith('Live Query on readings');
  });
});
