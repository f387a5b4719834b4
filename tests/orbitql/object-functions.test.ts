// OrbitQL's object:: functions over JSON objects (documents, object literals), executed over LMDB in a
// temp dir.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { OrbitError } from '../../runtime/index.ts';
import { openOrbitQlDb, type OrbitQlDb } from '../support/orbitql.ts';

let db: OrbitQlDb;
const oql = (text: string): Promise<unknown[][]> => db.oql(text);

beforeAll(async () => {
  db = await openOrbitQlDb('orbit-oql-object-');
  await oql("CREATE user:ada CONTENT { name: 'Ada', tags: ['x'], address: { city: 'London', zip: 'N1' } }");
});
afterAll(() => db.close());

describe('object:: functions', () => {
  test('keys, values, entries and len of an object literal', async () => {
    expect(await oql("SELECT object::keys({ a: 1, b: 'two' }), object::values({ a: 1, b: 'two' }), object::entries({ a: 1, b: 'two' }), object::len({ a: 1, b: 'two' })")).toEqual([
      [['a', 'b'], [1, 'two'], [['a', 1], ['b', 'two']], 2],
    ]);
    expect(await oql('SELECT object::len({}), object::keys({})')).toEqual([[0, []]]);
  });

  test('over a record’s document and a nested object in it', async () => {
    expect(await oql('SELECT object::keys(doc), object::len(doc) FROM user:ada')).toEqual([[['name', 'tags', 'address'], 3]]);
    expect(await oql("SELECT object::values(doc -> 'address') FROM user:ada")).toEqual([[['London', 'N1']]]);
    expect(await oql("SELECT object::extract(doc, 'address', 'city') FROM user:ada")).toEqual([['London']]);
  });

  test('NULL in, NULL out; a non-object is a 22023 error', async () => {
    expect(await oql('SELECT object::keys(NULL::jsonb)')).toEqual([[null]]);
    const e = await oql("SELECT object::len(doc -> 'tags') FROM user:ada").catch((x: unknown) => x);
    expect(e).toBeInstanceOf(OrbitError);
    expect([(e as OrbitError).sqlstate, (e as OrbitError).message]).toEqual(['22023', 'expected a JSON object, not an array']);
  });
});
