// OrbitQL statements run through Session.execute({ language: 'orbitql' }) against a real engine over LMDB in a temp dir.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Engine, OrbitError, resultRows, type Session } from '../../runtime/index.ts';

let dir: string;
let engine: Engine;
let s: Session;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'orbit-orbitql-'));
  engine = await Engine.open({ dataDir: dir });
  s = engine.session();
  await s.execute(
    `CREATE TABLE people (id text PRIMARY KEY, name text NOT NULL, age int, profile jsonb, seen timestamptz);
     INSERT INTO people VALUES
       ('person:ada', 'Ada', 36, '{"address": {"city": "London"}, "tags": ["math", "code"]}', '2024-01-01 10:00:00+00'),
       ('person:bob', 'Bob', 17, '{"address": {"city": "Paris"}, "tags": ["art"]}', '2024-01-01 12:00:00+00');`,
  );
});
afterAll(async () => {
  await engine.close();
  rmSync(dir, { recursive: true, force: true });
});

async function oql(text: string, vars?: Record<string, unknown>): Promise<unknown[][]> {
  const results = await s.execute(text, [], { language: 'orbitql', ...(vars ? { vars } : {}) });
  return resultRows(results[results.length - 1]!);
}

describe('OrbitQL execution', () => {
  test('record ids select by primary key', async () => {
    expect(await oql('SELECT name FROM people WHERE id = person:ada')).toEqual([['Ada']]);
    expect(await oql("SELECT person:'a b', person:42")).toEqual([['person:a b', 'person:42']]);
  });

  test('namespaced functions map onto the function registry', async () => {
    expect(await oql("SELECT string::upper(name), string::len(name), math::abs(-3) FROM people WHERE id = person:bob")).toEqual([['BOB', 3, 3]]);
  });

  test('nested document paths and indexes from 0', async () => {
    expect(await oql('SELECT profile.address.city, profile.tags[0] FROM people ORDER BY id')).toEqual([
      ['London', 'math'],
      ['Paris', 'art'],
    ]);
    expect(await oql("SELECT p.name FROM people p WHERE p.profile.address.city = 'Paris'")).toEqual([['Bob']]);
  });

  test('object and array literals', async () => {
    expect(await oql("SELECT { name: name, tags: ['a', 'b'], n: 1, } FROM people WHERE id = person:ada")).toEqual([[{ name: 'Ada', tags: ['a', 'b'], n: 1 }]]);
    expect(await oql('SELECT array::len([1, 2, 3])')).toEqual([[3]]);
  });

  test('duration literals are intervals', async () => {
    expect(await oql("SELECT name FROM people WHERE seen + 90m > '2024-01-01 11:00:00+00' ORDER BY name")).toEqual([['Ada'], ['Bob']]);
    expect(await oql("SELECT name FROM people WHERE seen + 1h30m > '2024-01-01 11:20:00+00' ORDER BY name")).toEqual([['Ada'], ['Bob']]);
    expect(await oql("SELECT name FROM people WHERE seen + 100ms > '2024-01-01 12:00:00+00'")).toEqual([['Bob']]);
  });

  test('$name parameters by name, and LET variables', async () => {
    expect(await oql('SELECT name FROM people WHERE age >= $min ORDER BY name', { min: 18 })).toEqual([['Ada']]);
    expect(await oql('LET $adult = 18; SELECT name FROM people WHERE age < $adult')).toEqual([['Bob']]);
    expect(await oql('LET $oldest = (SELECT max(age) FROM people); SELECT name FROM people WHERE age = $oldest')).toEqual([['Ada']]);
  });

  test('writes with OrbitQL values', async () => {
    await oql("INSERT INTO people (id, name, age, profile) VALUES (person:cy, 'Cy', 5, { address: { city: 'Rome' }, tags: [] })");
    expect(await oql('SELECT profile.address.city FROM people WHERE id = person:cy')).toEqual([['Rome']]);
    await oql('UPDATE people SET age = age + 1 WHERE id = person:cy');
    expect(await oql('SELECT age FROM people WHERE id = person:cy')).toEqual([[6]]);
    await oql('DELETE FROM people WHERE id = person:cy');
    expect(await oql('SELECT count(*) FROM people')).toEqual([[2n]]);
  });

  test('errors are OrbitErrors with SQLSTATEs; the session keeps working', async () => {
    const err = async (text: string) => {
      try {
        await oql(text);
      } catch (e) {
        expect(e).toBeInstanceOf(OrbitError);
        return (e as OrbitError).sqlstate;
      }
      throw new Error('expected an error');
    };
    expect(await err('SELECT FROM WHERE')).toBe('42601');
    expect(await err('SELECT string::nope(1)')).toBe('42883');
    expect(await err('SELECT nope FROM people')).toBe('42703');
    expect(await oql('SELECT 1')).toEqual([[1]]);
  });
});

describe('error positions point into the text the client sent', () => {
  /** The 1-based position an error reports for `script`, and where `marker` (its first occurrence after `from`) starts in it. */
  const positionOf = async (script: string, marker: string, language: 'orbitql' | 'sql' = 'orbitql', from = 0): Promise<{ got: number | undefined; want: number }> => {
    const e = await s.execute(script, [], { language }).then(
      () => undefined,
      (x: unknown) => x,
    );
    expect(e).toBeInstanceOf(OrbitError);
    return { got: (e as OrbitError).position, want: script.indexOf(marker, from) + 1 };
  };

  test('an unknown table in the second statement counts from the start of the script, as in SQL', async () => {
    const script = 'SELECT 1; SELECT * FROM missing';
    for (const language of ['orbitql', 'sql'] as const) {
      const e = await s.execute(script, [], { language }).catch((x: unknown) => x as OrbitError);
      expect(e).toMatchObject({ sqlstate: '42P01', position: 25 });
    }
  });

  test('semantic errors in the first, a middle and the last statement, past OrbitQL rewrites', async () => {
    for (const [script, marker] of [
      ['SELECT nope FROM people; SELECT 1', 'nope'],
      ['SELECT 1;\n  SELECT person:ada, { a: [1, 2] }, profile.address.city, nope FROM people;\nSELECT 2', 'nope'],
      ['LET $x = 1;\nSELECT 1 + $x;\nSELECT $x + missing_col FROM people', 'missing_col'],
      ["SELECT 1; SELECT string::upper(name), 15m, math::abs(age) FROM people WHERE profile.tags[0] = 'x' AND ghost > 1", 'ghost'],
      // An error inside generated text points at the OrbitQL form it came from.
      ['SELECT 1; SELECT * FROM people; SELECT ->follows->user.name FROM nowhere', '->follows'],
      ['SELECT 1; SELECT string::nope(1)', 'string::nope'],
    ] as const) {
      const { got, want } = await positionOf(script, marker);
      expect({ script, position: got }).toEqual({ script, position: want });
    }
  });

  test('an OrbitQL clause checked after binding (FILL) points at the clause in a later statement', async () => {
    const script = 'SELECT 1; SELECT name FROM people GROUP BY name FILL (previous)';
    const { got, want } = await positionOf(script, 'FILL');
    expect(got).toBe(want);
  });

  test('syntax errors keep their script positions', async () => {
    const { got, want } = await positionOf('SELECT 1; SELECT person:ada FROM WHERE', 'WHERE');
    expect(got).toBe(want);
  });
});

test('a selected path is named after its last field', async () => {
  const [r] = await s.execute('SELECT profile.address.city, profile.tags[0] FROM people WHERE id = person:ada', [], { language: 'orbitql' });
  expect(r!.columns.map((c) => c.name)).toEqual(['city', '?column?']);
});
