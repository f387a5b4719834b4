// Random requests against the REST API never crash it or get a non-JSON answer, while a well-behaved client keeps getting right answers.
import { afterAll, beforeAll, expect, test } from 'bun:test';
import fc from 'fast-check';
import { startRest, type RestServer } from './http-support.ts';

let server: RestServer;
beforeAll(async () => {
  server = await startRest({ maxBodyBytes: 4096 });
  await fetch(`${server.base}/v1/query`, { method: 'POST', body: JSON.stringify({ query: 'CREATE TABLE t (id int PRIMARY KEY, v text); CREATE TABLE kept (id int PRIMARY KEY, v text); INSERT INTO kept VALUES (1, \'one\')' }) });
});
afterAll(async () => server.stop());

/** Pieces of statements, so some random queries parse and run (on `t`), and the rest fail in varied places. */
const fragment = fc.constantFrom('SELECT', '*', 'FROM', 't', 'v', 'id', 'WHERE', '=', '1', '$1', "'x'", '(', ')', ',', ';', 'person:ada', '->knows->person', '{ a: 1 }', '[1, 2]', 'LET', '$x', '::int', '/', '0', 'INSERT INTO', 'VALUES', 'UPDATE', 'SET', 'DELETE', 'BEGIN', 'COMMIT', 'ROLLBACK', '--', '/*', "'", '"', 'NULL');
const queryText = fc.oneof(fc.string({ maxLength: 200 }), fc.array(fragment, { maxLength: 12 }).map((parts) => parts.join(' ')));

const jsonBody = fc.oneof(
  fc.record(
    {
      query: fc.oneof(queryText, fc.jsonValue()),
      language: fc.oneof(fc.constantFrom('sql', 'orbitql'), fc.jsonValue()),
      params: fc.oneof(fc.array(fc.jsonValue(), { maxLength: 4 }), fc.dictionary(fc.string({ maxLength: 5 }), fc.jsonValue(), { maxKeys: 3 }), fc.jsonValue()),
    },
    { requiredKeys: [] },
  ).map((o) => JSON.stringify(o)),
  fc.jsonValue().map((v) => JSON.stringify(v)),
  fc.string({ maxLength: 300 }),
  fc.string({ minLength: 4097, maxLength: 5000 }),
);

const request = fc.record({
  method: fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH'),
  path: fc.oneof(fc.constantFrom('/v1/query', '/v1/catalog', '/v1/health', '/', '/v2/query', '/v1/query/x'), fc.webPath()),
  body: fc.oneof(jsonBody, fc.uint8Array({ maxLength: 600 })),
  headers: fc.dictionary(fc.constantFrom('authorization', 'content-type', 'x-anything'), fc.string({ maxLength: 40 }).filter((s) => /^[\x20-\x7e]*$/.test(s)), { maxKeys: 2 }),
});

test('random requests get a JSON answer below 500; a parallel good client keeps getting answers', async () => {
  let stop = false;
  let good = 0;
  const goodClient = (async () => {
    for (let i = 0; !stop; i++) {
      const res = await fetch(`${server.base}/v1/query`, { method: 'POST', body: JSON.stringify({ query: 'SELECT v, $1::int + 1 AS n FROM kept WHERE id = 1', params: [i] }) });
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ columns: [{ name: 'v', type: 'text' }, { name: 'n', type: 'integer' }], rows: [['one', i + 1]], command: 'SELECT 1' });
      good++;
    }
  })();
  await fc.assert(
    fc.asyncProperty(request, async (r) => {
      const bodyAllowed = r.method !== 'GET';
      const res = await fetch(`${server.base}${r.path.startsWith('/') ? r.path : `/${r.path}`}`, { method: r.method, headers: r.headers, ...(bodyAllowed ? { body: r.body } : {}) });
      const text = await res.text();
      expect(res.status).toBeLessThan(500);
      const answer = JSON.parse(text) as unknown;
      expect(typeof answer).toBe('object');
      if (res.status >= 400) {
        const e = (answer as { error: { sqlstate: unknown; message: unknown } }).error;
        expect(typeof e.sqlstate).toBe('string');
        expect(typeof e.message).toBe('string');
      }
    }),
    { numRuns: 300 },
  );
  stop = true;
  await goodClient;
  expect(good).toBeGreaterThan(0);
  const health = await fetch(`${server.base}/v1/health`);
  expect(await health.json()).toEqual({ status: 'ok' });
});
