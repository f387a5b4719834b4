// OrbitQL documents executed for real: schemaless tables, CREATE … CONTENT, INSERT of objects, UPDATE with
// += / -=, UPSERT and reading fields by path, through Session.execute over LMDB in a temp dir.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { openOrbitQlDb, type OrbitQlDb } from './support/orbitql.ts';

let db: OrbitQlDb;

beforeAll(async () => {
  db = await openOrbitQlDb('orbit-oql-docs-');
});
afterAll(() => db.close());

const oql = (text: string): Promise<unknown[][]> => db.oql(text);

describe('OrbitQL documents', () => {
  test('DEFINE TABLE … SCHEMALESS makes a document table next to typed ones', async () => {
    await oql('DEFINE TABLE users SCHEMALESS');
    await oql('CREATE TABLE typed (id text PRIMARY KEY, n int, tags text[])');
    expect(await oql("SELECT column_name FROM information_schema.columns WHERE table_name = 'users' ORDER BY ordinal_position")).toEqual([['id'], ['doc']]);
    // Defining it again changes nothing.
    await oql('DEFINE TABLE users SCHEMALESS');
  });

  test('INSERT INTO a document table takes an object or an array of objects', async () => {
    await oql("INSERT INTO users { id: 'ada', name: 'Ada', age: 36, address: { city: 'London' }, tags: ['math'] }");
    await oql("INSERT INTO users [ { id: 'users:bob', name: 'Bob', age: 17, address: { city: 'Paris' } }, { name: 'Cy', age: 50 }, ]");
    expect(await oql('SELECT count(*) FROM users')).toEqual([[3n]]);
    expect(await oql("SELECT id FROM users WHERE name <> 'Cy' ORDER BY id")).toEqual([['users:ada'], ['users:bob']]);
    const [[cy]] = (await oql("SELECT id FROM users WHERE name = 'Cy'")) as [[string]];
    expect(cy).toMatch(/^users:[0-9a-f-]{36}$/);
  });

  test('fields read by name and by path', async () => {
    expect(await oql('SELECT name, address.city FROM users WHERE address.city IS NOT NULL ORDER BY name')).toEqual([
      ['Ada', 'London'],
      ['Bob', 'Paris'],
    ]);
    expect(await oql('SELECT u.name FROM users u WHERE age::int > 30 ORDER BY u.name')).toEqual([['Ada'], ['Cy']]);
    expect(await oql("SELECT tags[0] FROM users WHERE id = users:ada")).toEqual([['math']]);
  });

  test('CREATE record CONTENT and SET, in a table made on first use', async () => {
    await oql("CREATE user:alice CONTENT { name: 'Alice', age: 30, tags: ['a'] }");
    await oql("CREATE user:bob SET name = 'Bob', age = 20");
    expect(await oql('SELECT id, name FROM "user" ORDER BY id')).toEqual([
      ['user:alice', 'Alice'],
      ['user:bob', 'Bob'],
    ]);
    await expect(oql("CREATE user:alice CONTENT { name: 'again' }")).rejects.toThrow(/duplicate key/);
  });

  test('UPDATE record SET += and -= on numbers and arrays', async () => {
    await oql("UPDATE user:alice SET age += 1, tags += 'new'");
    expect(await oql('SELECT doc FROM "user" WHERE id = user:alice')).toEqual([[{ name: 'Alice', age: 31, tags: ['a', 'new'] }]]);
    await oql("UPDATE user:alice SET age -= 10, tags -= 'a', city = 'Rome'");
    expect(await oql('SELECT doc FROM "user" WHERE id = user:alice')).toEqual([[{ name: 'Alice', age: 21, tags: ['new'], city: 'Rome' }]]);
    // A field that is missing starts empty: [] for an array, 0 for a number.
    await oql("UPDATE user:bob SET tags += 'first', score += 5");
    expect(await oql('SELECT doc FROM "user" WHERE id = user:bob')).toEqual([[{ name: 'Bob', age: 20, tags: ['first'], score: 5 }]]);
  });

  test('UPDATE of a document table with plain SQL assignments and WHERE on fields', async () => {
    await oql("UPDATE users SET seen = true WHERE address.city = 'Paris'");
    expect(await oql('SELECT name FROM users WHERE seen IS NOT NULL')).toEqual([['Bob']]);
    expect(await oql("SELECT seen FROM users WHERE id = users:bob")).toEqual([['true']]);
  });

  test('+= and -= on typed columns', async () => {
    await oql("INSERT INTO typed VALUES ('t:1', 1, ARRAY['x'])");
    await oql("UPDATE typed SET n += 4, tags += 'y' WHERE id = 't:1'");
    expect(await oql('SELECT n, tags FROM typed')).toEqual([[5, ['x', 'y']]]);
    await oql("UPDATE typed SET n -= 2 WHERE id = 't:1'");
    expect(await oql('SELECT n FROM typed')).toEqual([[3]]);
  });

  test('UPSERT inserts, then CONTENT replaces and SET merges', async () => {
    await oql("UPSERT user:carol CONTENT { name: 'Carol', age: 40 }");
    expect(await oql('SELECT doc FROM "user" WHERE id = user:carol')).toEqual([[{ name: 'Carol', age: 40 }]]);
    await oql('UPSERT user:carol SET age = 41');
    expect(await oql('SELECT doc FROM "user" WHERE id = user:carol')).toEqual([[{ name: 'Carol', age: 41 }]]);
    await oql("UPSERT user:carol CONTENT { name: 'C' }");
    expect(await oql('SELECT doc FROM "user" WHERE id = user:carol')).toEqual([[{ name: 'C' }]]);
  });

  test('a script may define a table and read its fields in one call', async () => {
    expect(await oql("DEFINE TABLE notes SCHEMALESS; INSERT INTO notes { id: 'n1', title: 'Hi' }; SELECT id, title FROM notes")).toEqual([['notes:n1', 'Hi']]);
  });

  test('a mistake in a document statement is one syntax error; the session goes on', async () => {
    const err = await oql("CREATE user:zed CONTENT { name: }").catch((e: unknown) => e);
    expect((err as Error).message).toMatch(/syntax error/);
    await expect(oql('UPDATE user:zed SET age +=')).rejects.toThrow(/syntax error/);
    expect(await oql('SELECT count(*) FROM "user"')).toEqual([[3n]]);
  });

  test('a record id in FROM reads that record', async () => {
    expect(await oql('SELECT name, age FROM user:bob')).toEqual([['Bob', '20']]);
  });
});
