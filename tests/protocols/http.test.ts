// The REST API against a real engine and listener on port 0, driven with fetch: queries, values, catalog, errors, limits, auth.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { http } from '../../protocols/http/index.ts';
import { md5Verifier, scramVerifier } from '../../protocols/postgres/index.ts';
import { Engine } from '../../runtime/index.ts';
import { spawnServer } from '../support/server.ts';
import { errorOf, get, post, startRest, type Answer, type RestServer } from './http-support.ts';

let server: RestServer;
beforeAll(async () => {
  server = await startRest();
});
afterAll(async () => server.stop());

describe('POST /v1/query', () => {
  test('one statement answers an object with columns, rows and the command tag', async () => {
    const r = await post(server.base, { query: 'SELECT 1 AS one, \'a\' AS letter UNION ALL SELECT 2, \'b\' ORDER BY 1' });
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(r.body).toEqual({ columns: [{ name: 'one', type: 'integer' }, { name: 'letter', type: 'text' }], rows: [[1, 'a'], [2, 'b']], command: 'SELECT 2' });
  });

  test('several statements answer an array, one result each, in one transaction', async () => {
    const r = await post(server.base, { query: 'CREATE TABLE kv (k int PRIMARY KEY, v text); INSERT INTO kv VALUES (1, \'x\'), (2, \'y\'); SELECT v FROM kv ORDER BY k' });
    expect(r.status).toBe(200);
    expect(r.body).toEqual([
      { columns: [], rows: [], command: 'CREATE TABLE' },
      { columns: [], rows: [], command: 'INSERT 0 2' },
      { columns: [{ name: 'v', type: 'text' }], rows: [['x'], ['y']], command: 'SELECT 2' },
    ]);
    // A failing statement undoes the ones before it in the same body.
    const failed = await post(server.base, { query: 'INSERT INTO kv VALUES (3, \'z\'); INSERT INTO kv VALUES (1, \'dup\')' });
    expect(failed.status).toBe(409);
    expect(errorOf(failed).sqlstate).toBe('23505');
    expect((await post(server.base, { query: 'SELECT count(*) AS n FROM kv' })).body).toEqual({ columns: [{ name: 'n', type: 'bigint' }], rows: [[2]], command: 'SELECT 1' });
  });

  test('parameters: $1 … $n by position; OrbitQL $name by name', async () => {
    const r = await post(server.base, { query: 'SELECT $1::int + 1 AS n, $2::text AS s, $3::bool AS b', params: [41, 'hi', true] });
    expect(r.body).toEqual({ columns: [{ name: 'n', type: 'integer' }, { name: 's', type: 'text' }, { name: 'b', type: 'boolean' }], rows: [[42, 'hi', true]], command: 'SELECT 1' });
    const named = await post(server.base, { query: 'SELECT v FROM kv WHERE k >= $min ORDER BY k', language: 'orbitql', params: { min: 2 } });
    expect(named.body).toEqual({ columns: [{ name: 'v', type: 'text' }], rows: [['y']], command: 'SELECT 1' });
  });

  test('values come out as JSON a client expects', async () => {
    await post(server.base, {
      query: `CREATE TABLE vals (id int PRIMARY KEY, small bigint, big bigint, n numeric, long numeric, d date, ts timestamp, tstz timestamptz,
        iv interval, doc jsonb, raw bytea, f float8, arr text[], u uuid, ok boolean, nothing text)`,
    });
    await post(server.base, {
      query: `INSERT INTO vals VALUES
        (1, 9007199254740991, 9007199254740993, 12.50, 12345678901234567890.25, '2024-02-29', '2024-01-02 03:04:05', '2024-01-02 03:04:05.123456+00',
         '1 year 2 mons 3 days 04:05:06.5', '{"a": [1, 2.5, "x", null], "b": {"c": true}}', '\\xdead', 'NaN', ARRAY['x', 'y'],
         'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', true, NULL),
        (2, -5, -9007199254740993, 0.1, -0.00, '1969-12-31', '1969-12-31 23:59:59.5', '2000-01-01 00:00:00+00',
         '-1 days -02:00:00', '[]', '', '-Infinity', ARRAY[]::text[], NULL, false, NULL)`,
    });
    const r = await post(server.base, { query: 'SELECT * FROM vals ORDER BY id' });
    expect(r.status).toBe(200);
    expect((r.body as { rows: unknown[] }).rows).toEqual([
      [1, 9007199254740991, '9007199254740993', 12.5, '12345678901234567890.25', '2024-02-29', '2024-01-02T03:04:05', '2024-01-02T03:04:05.123456Z',
        'P1Y2M3DT4H5M6.5S', { a: [1, 2.5, 'x', null], b: { c: true } }, '\\xdead', 'NaN', ['x', 'y'], 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', true, null],
      [2, -5, '-9007199254740993', 0.1, 0, '1969-12-31', '1969-12-31T23:59:59.5', '2000-01-01T00:00:00Z', 'P-1DT-2H', [], '\\x', '-Infinity', [], null, false, null],
    ]);
    expect((r.body as { columns: { type: string }[] }).columns.map((c) => c.type)).toEqual([
      'integer', 'bigint', 'bigint', 'numeric', 'numeric', 'date', 'timestamp without time zone', 'timestamp with time zone',
      'interval', 'jsonb', 'bytea', 'double precision', 'text[]', 'uuid', 'boolean', 'text',
    ]);
  });

  test('property: int8, numeric and timestamptz values survive JSON exactly', async () => {
    await post(server.base, { query: 'CREATE TABLE exact (id int PRIMARY KEY, i bigint, n numeric, ts timestamptz)' });
    /** A decimal's value as a canonical string (no leading zeros, no trailing fraction zeros, no minus zero). */
    const canonical = (s: string): string => {
      const m = /^(-?)(\d+)(?:\.(\d+))?$/.exec(s)!;
      const int = m[2]!.replace(/^0+(?=\d)/, '');
      const frac = (m[3] ?? '').replace(/0+$/, '');
      return `${int === '0' && !frac ? '' : m[1]}${int}${frac ? `.${frac}` : ''}`;
    };
    let id = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }),
        fc.tuple(fc.bigInt({ min: -(10n ** 25n), max: 10n ** 25n }), fc.nat({ max: 12 })).map(([digits, scale]) => {
          const neg = digits < 0n;
          const abs = (neg ? -digits : digits).toString().padStart(scale + 1, '0');
          return `${neg ? '-' : ''}${scale ? `${abs.slice(0, -scale)}.${abs.slice(-scale)}` : abs}`;
        }),
        fc.integer({ min: -2208988800000000, max: 4102444800000000 }),
        async (i, n, micros) => {
          id++;
          const ts = `${new Date(Math.floor(micros / 1000)).toISOString().slice(0, 19)}.${String(((micros % 1e6) + 1e6) % 1e6).padStart(6, '0')}+00`;
          const ins = await post(server.base, { query: 'INSERT INTO exact VALUES ($1, $2, $3, $4)', params: [id, i.toString(), n, ts] });
          expect(ins.status).toBe(200);
          const row = ((await post(server.base, { query: 'SELECT i, n, ts FROM exact WHERE id = $1', params: [id] })).body as { rows: [unknown, unknown, string][] }).rows[0]!;
          // A number only when a double holds the value exactly; otherwise the exact text.
          if (typeof row[0] === 'number') expect(BigInt(row[0])).toBe(i);
          else expect(row[0]).toBe(i.toString());
          expect(Number.isSafeInteger(row[0]) || typeof row[0] === 'string').toBe(true);
          expect(canonical(typeof row[1] === 'number' ? String(row[1]) : (row[1] as string))).toBe(canonical(n));
          expect(row[2].endsWith('Z')).toBe(true);
          const [whole, fraction = ''] = row[2].slice(0, -1).split('.');
          expect(Date.parse(`${whole}Z`) * 1000 + Number(fraction.padEnd(6, '0'))).toBe(micros);
        },
      ),
      { numRuns: 150 },
    );
  });

  test('OrbitQL documents and graph paths', async () => {
    const setup = await post(server.base, {
      language: 'orbitql',
      query: `DEFINE TABLE person SCHEMALESS;
        CREATE person:ada CONTENT { name: 'Ada', age: 36, langs: ['en', 'fr'] };
        CREATE person:bob CONTENT { name: 'Bob', age: 41 };
        CREATE person:cy CONTENT { name: 'Cy', age: 29 };
        RELATE person:ada->knows->person:bob SET since = 2019;
        RELATE person:bob->knows->person:cy`,
    });
    expect(setup.status).toBe(200);
    const docs = await post(server.base, { language: 'orbitql', query: 'SELECT name, langs[0] AS first FROM person WHERE age::int > 30 ORDER BY name' });
    expect(docs.body).toEqual({ columns: [{ name: 'name', type: 'text' }, { name: 'first', type: 'text' }], rows: [['Ada', 'en'], ['Bob', null]], command: 'SELECT 2' });
    const graph = await post(server.base, { language: 'orbitql', query: 'SELECT name, ->knows->person.name AS friends, ->knows{2}->person.name AS fof FROM person:ada' });
    expect(graph.status).toBe(200);
    expect((graph.body as { rows: unknown[] }).rows).toEqual([['Ada', ['Bob'], ['Cy']]]);
    const record = await post(server.base, { language: 'orbitql', query: 'SELECT * FROM person:bob' });
    expect((record.body as { rows: unknown[] }).rows).toEqual([['person:bob', { name: 'Bob', age: 41 }]]);
  });

  test('a serialization failure between concurrent writers is 409 with 40001', async () => {
    await post(server.base, { query: 'CREATE TABLE counter (id int PRIMARY KEY, v int); INSERT INTO counter VALUES (1, 0)' });
    const body = { query: 'BEGIN; SELECT v FROM counter WHERE id = 1; UPDATE counter SET v = v + 1 WHERE id = 1; COMMIT' };
    // Whether two of a round overlap is up to scheduling (a loaded machine may serve them one by one):
    // rounds run until one conflicts; every round must keep the counter exact.
    let ok = 0;
    let conflicts: Answer[] = [];
    for (let round = 0; round < 20 && conflicts.length === 0; round++) {
      const answers = await Promise.all(Array.from({ length: 12 }, () => post(server.base, body)));
      ok += answers.filter((a) => a.status === 200).length;
      conflicts = answers.filter((a) => a.status === 409);
      expect(answers.filter((a) => a.status === 200).length + conflicts.length).toBe(answers.length);
      expect((await post(server.base, { query: 'SELECT v FROM counter' })).body).toMatchObject({ rows: [[ok]] });
    }
    expect(conflicts.length).toBeGreaterThan(0);
    for (const c of conflicts) expect(errorOf(c)).toEqual({ sqlstate: '40001', message: 'could not serialize access due to concurrent update' });
  });
});

describe('errors', () => {
  test('syntax and semantic errors: 400 with SQLSTATE and a 1-based position in the query text', async () => {
    const syntax = await post(server.base, { query: 'SELECT 1; SELEC 2' });
    expect(syntax.status).toBe(400);
    expect(errorOf(syntax)).toMatchObject({ sqlstate: '42601', message: 'syntax error at or near "SELEC"', position: 11 });
    const table = await post(server.base, { query: 'SELECT * FROM missing_table' });
    expect(table.status).toBe(400);
    expect(errorOf(table)).toMatchObject({ sqlstate: '42P01', message: 'relation "missing_table" does not exist', position: 15 });
    const column = await post(server.base, { query: 'SELECT nope FROM kv', language: 'orbitql' });
    expect(column.status).toBe(400);
    expect(errorOf(column)).toMatchObject({ sqlstate: '42703', position: 8 });
    const data = await post(server.base, { query: 'SELECT 1 / 0' });
    expect(data.status).toBe(400);
    expect(errorOf(data)).toMatchObject({ sqlstate: '22012', message: 'division by zero' });
  });

  test('positions count from the start of the whole query text, in every statement, SQL and OrbitQL alike', async () => {
    const script = 'SELECT 1; SELECT * FROM missing_table';
    for (const language of ['sql', 'orbitql']) {
      const r = await post(server.base, { query: script, language });
      expect(r.status).toBe(400);
      expect(errorOf(r)).toMatchObject({ sqlstate: '42P01', position: 25 });
    }
    const orbit = 'SELECT 1;\nSELECT person:ada, { a: 1 }, 15m, nope FROM kv';
    expect(errorOf(await post(server.base, { query: orbit, language: 'orbitql' }))).toMatchObject({ sqlstate: '42703', position: orbit.indexOf('nope') + 1 });
    const vector = 'SELECT 1; SELECT <vector(3)>[1, 2]';
    expect(errorOf(await post(server.base, { query: vector, language: 'orbitql' }))).toMatchObject({ sqlstate: '22023', message: 'expected 3 dimensions, not 2', position: vector.indexOf('<') + 1 });
  });

  test('malformed bodies are 400 with 08P01, never a crash', async () => {
    for (const [body, message] of [
      ['{"query": ', 'request body is not valid JSON: '],
      ['', 'request body is not valid JSON: the body is empty'],
      ['[1, 2]', 'invalid request: expected an object'],
      ['{"query": 42}', 'invalid request: "query" must be a string'],
      ['{"query": "SELECT 1", "langauge": "sql"}', 'invalid request: unknown field "langauge"'],
      ['{"query": "SELECT 1", "language": "cypher"}', 'invalid request: "language" must be "sql" or "orbitql"'],
      ['{"query": "SELECT 1", "params": {"a": 1}}', 'invalid request: "params" by name need "language": "orbitql"'],
      ['{"query": "SELECT 1", "params": 7}', 'invalid request: "params" must be an array'],
    ] as const) {
      const r = await post(server.base, body);
      expect(r.status).toBe(400);
      expect(errorOf(r).sqlstate).toBe('08P01');
      expect(errorOf(r).message.startsWith(message)).toBe(true);
    }
    const res = await fetch(`${server.base}/v1/query`, { method: 'POST', body: new Uint8Array([0x7b, 0xff, 0xfe, 0x7d]) });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { message: string } }).error.message).toBe('request body is not valid JSON: the body is not UTF-8');
  });

  test('unknown paths are 404, wrong methods 405 with Allow', async () => {
    const missing = await get(server.base, '/v1/tables');
    expect(missing.status).toBe(404);
    expect(errorOf(missing)).toEqual({ sqlstate: '42704', message: 'no such endpoint: /v1/tables' });
    const wrong = await get(server.base, '/v1/query');
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get('allow')).toBe('POST');
    expect(errorOf(wrong).message).toBe('method GET is not allowed on /v1/query');
    const del = await fetch(`${server.base}/v1/catalog`, { method: 'DELETE' });
    expect(del.status).toBe(405);
    expect(del.headers.get('allow')).toBe('GET');
  });

  test('GET /v1/health', async () => {
    expect(await get(server.base, '/v1/health')).toMatchObject({ status: 200, body: { status: 'ok' } });
  });
});

describe('GET /v1/catalog', () => {
  test('tables with typed columns, keys, foreign keys, indexes, views, and graph and document tables', async () => {
    const s = await startRest();
    try {
      await post(s.base, {
        query: `CREATE TABLE customers (id int PRIMARY KEY, email varchar(80) NOT NULL UNIQUE, name text);
          CREATE TABLE orders (id bigint PRIMARY KEY, customer int REFERENCES customers (id) ON DELETE CASCADE, total numeric(10,2) DEFAULT 0, placed date);
          CREATE INDEX orders_placed ON orders (placed);
          CREATE VIEW big_orders AS SELECT id, total FROM orders WHERE total > 100`,
      });
      await post(s.base, { language: 'orbitql', query: 'DEFINE TABLE person SCHEMALESS; RELATE person:a->knows->person:b' });
      const r = await get(s.base, '/v1/catalog');
      expect(r.status).toBe(200);
      const cat = r.body as { version: number; searchPath: string[]; schemas: string[]; tables: Record<string, unknown>[]; views: Record<string, unknown>[] };
      expect(cat.searchPath).toEqual(['public']);
      expect(cat.schemas).toEqual(['public']);
      expect(typeof cat.version).toBe('number');
      expect(cat.tables.map((t) => t['name'])).toEqual(['customers', 'knows', 'orders', 'person']);
      const [customers, knows, orders, person] = cat.tables;
      expect(customers).toEqual({
        schema: 'public',
        name: 'customers',
        columns: [
          { name: 'id', type: 'integer', dataType: { kind: 'int32' }, nullable: false },
          { name: 'email', type: 'character varying(80)', dataType: { kind: 'utf8', maxLength: 80 }, nullable: false },
          { name: 'name', type: 'text', dataType: { kind: 'utf8' }, nullable: true },
        ],
        primaryKey: ['id'],
        uniqueKeys: [['email']],
        foreignKeys: [],
        indexes: [
          { name: 'customers_pkey', columns: ['id'], unique: true, primary: true },
          { name: 'customers_email_key', columns: ['email'], unique: true, primary: false },
        ],
        checks: [],
        edge: false,
        document: false,
      });
      expect(orders).toMatchObject({
        columns: [
          { name: 'id', type: 'bigint', nullable: false },
          { name: 'customer', type: 'integer', nullable: true },
          { name: 'total', type: 'numeric(10,2)', dataType: { kind: 'decimal', precision: 10, scale: 2 }, nullable: true, default: '0' },
          { name: 'placed', type: 'date', nullable: true },
        ],
        foreignKeys: [{ columns: ['customer'], refTable: 'customers', refColumns: ['id'], onDelete: 'cascade' }],
        indexes: [{ name: 'orders_pkey' }, { name: 'orders_placed', columns: ['placed'], unique: false, primary: false }],
      });
      expect(person).toMatchObject({ edge: false, document: true, columns: [{ name: 'id' }, { name: 'doc', type: 'jsonb' }] });
      expect(knows).toMatchObject({ edge: true, document: true });
      expect(cat.views).toEqual([
        {
          schema: 'public',
          name: 'big_orders',
          sql: expect.stringContaining('total > 100'),
          columnNames: [],
          columns: [
            { name: 'id', type: 'bigint', dataType: { kind: 'int64' }, nullable: false },
            { name: 'total', type: 'numeric(10,2)', dataType: { kind: 'decimal', precision: 10, scale: 2 }, nullable: true },
          ],
        },
      ]);
    } finally {
      await s.stop();
    }
  });
});

describe('limits', () => {
  test('a body over maxBodyBytes is 413 with 54000, declared or chunked; the server goes on', async () => {
    const s = await startRest({ maxBodyBytes: 1000 });
    try {
      const declared = await post(s.base, { query: `SELECT '${'x'.repeat(2000)}'` });
      expect(declared.status).toBe(413);
      expect(errorOf(declared)).toEqual({ sqlstate: '54000', message: 'request body exceeds the maximum of 1000 bytes' });
      const chunk = new TextEncoder().encode(' '.repeat(400));
      const stream = new ReadableStream<Uint8Array>({
        start(c) {
          for (let i = 0; i < 50; i++) c.enqueue(chunk);
          c.close();
        },
      });
      const chunked = await fetch(`${s.base}/v1/query`, { method: 'POST', body: stream, duplex: 'half' } as RequestInit);
      expect(chunked.status).toBe(413);
      expect(((await chunked.json()) as { error: { sqlstate: string } }).error.sqlstate).toBe('54000');
      expect((await post(s.base, { query: `SELECT '${'x'.repeat(900)}' = '' AS b` })).body).toMatchObject({ rows: [[false]] });
    } finally {
      await s.stop();
    }
  });

  test('a bad maxBodyBytes stops the listener at start', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'orbit-http-'));
    const engine = await Engine.open({ dataDir: dir, sync: false });
    try {
      await expect(http.start(engine, { host: '127.0.0.1', port: 0, settings: { maxBodyBytes: 'lots' } })).rejects.toThrow('protocols.http.maxBodyBytes');
    } finally {
      await engine.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('authentication', () => {
  const token = 'orbit-test-token-1';
  let secured: RestServer;
  beforeAll(async () => {
    secured = await startRest({
      users: { alice: scramVerifier('s3cret'), bob: md5Verifier('hunter2', 'bob') },
      tokens: { ci: createHash('sha256').update(token).digest('hex') },
    });
  });
  afterAll(async () => secured.stop());
  const basic = (user: string, password: string) => ({ Authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}` });
  const whoAmI = { query: 'SELECT current_user AS u' };

  test('no credentials: 401 with the challenges of the configured schemes', async () => {
    const r = await post(secured.base, whoAmI);
    expect(r.status).toBe(401);
    expect(errorOf(r)).toEqual({ sqlstate: '28000', message: 'authentication required: send an Authorization header' });
    expect(r.headers.get('www-authenticate')).toBe('Basic realm="orbit", charset="UTF-8", Bearer realm="orbit"');
    expect((await get(secured.base, '/v1/catalog')).status).toBe(401);
  });

  test('HTTP Basic against SCRAM and md5 verifiers; the user is the session user', async () => {
    for (let i = 0; i < 2; i++) expect((await post(secured.base, whoAmI, basic('alice', 's3cret'))).body).toMatchObject({ rows: [['alice']] });
    expect((await post(secured.base, whoAmI, basic('bob', 'hunter2'))).body).toMatchObject({ rows: [['bob']] });
    for (const [user, password] of [['alice', 'wrong'], ['nobody', 's3cret'], ['bob', 's3cret']] as const) {
      const r = await post(secured.base, whoAmI, basic(user, password));
      expect(r.status).toBe(401);
      expect(errorOf(r)).toEqual({ sqlstate: '28P01', message: 'authentication failed' });
    }
    expect((await post(secured.base, whoAmI, { Authorization: 'Basic !!!' })).status).toBe(401);
  });

  test('Bearer tokens, stored as their SHA-256', async () => {
    expect((await post(secured.base, whoAmI, { Authorization: `Bearer ${token}` })).body).toMatchObject({ rows: [['ci']] });
    expect((await post(secured.base, whoAmI, { Authorization: 'Bearer not-the-token' })).status).toBe(401);
    expect((await get(secured.base, '/v1/catalog', { Authorization: `bearer ${token}` })).status).toBe(200);
  });

  test('health answers without credentials', async () => {
    expect((await get(secured.base, '/v1/health')).status).toBe(200);
  });

  test('without credentials configured, loopback is trusted and other addresses are refused at start', async () => {
    expect((await post(server.base, whoAmI)).body).toMatchObject({ rows: [['orbit']] });
    const dir = mkdtempSync(join(tmpdir(), 'orbit-http-'));
    const engine = await Engine.open({ dataDir: dir, sync: false });
    try {
      await expect(http.start(engine, { host: '0.0.0.0', port: 0, settings: {} })).rejects.toThrow('refusing to listen on 0.0.0.0 without credentials');
      await expect(http.start(engine, { host: '127.0.0.1', port: 0, settings: { tokens: { ci: 'not-a-hash' } } })).rejects.toThrow('protocols.http.tokens.ci');
    } finally {
      await engine.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('orbit server', () => {
  test('--http-port 0 starts the listener and prints its line; the API answers', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'orbit-http-cli-'));
    const s = await spawnServer(['--http-port', '0', '--pg-port', 'off', '--resp-port', 'off', '--data', join(dir, 'data')]);
    try {
      expect(s.firstLine).toMatch(/^orbit: http listening on 127\.0\.0\.1:\d+$/);
      const r = await post(`http://127.0.0.1:${s.port}`, { query: 'SELECT 40 + 2 AS v' });
      expect(r.body).toEqual({ columns: [{ name: 'v', type: 'integer' }], rows: [[42]], command: 'SELECT 1' });
    } finally {
      s.proc.kill('SIGTERM');
      expect(await s.proc.exited).toBe(0);
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('ORBIT_HTTP_PORT chooses the port too', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'orbit-http-cli-'));
    const main = join(import.meta.dir, '..', '..', 'runtime', 'cli', 'main.ts');
    const proc = Bun.spawn([process.execPath, 'run', main, 'server', '--pg-port', 'off', '--resp-port', 'off', '--data', join(dir, 'data')], {
      env: { ...process.env, ORBIT_HTTP_PORT: '0' },
      stdin: 'ignore',
      stdout: 'pipe',
      stderr: 'pipe',
    });
    try {
      const reader = proc.stdout.getReader();
      const { value } = await reader.read();
      reader.releaseLock();
      const line = new TextDecoder().decode(value);
      expect(line).toMatch(/^orbit: http listening on 127\.0\.0\.1:\d+\n/);
      const port = Number(/:(\d+)\n/.exec(line)![1]);
      expect(port).toBeGreaterThan(0);
      expect((await get(`http://127.0.0.1:${port}`, '/v1/health')).body).toEqual({ status: 'ok' });
    } finally {
      proc.kill('SIGTERM');
      await proc.exited;
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
