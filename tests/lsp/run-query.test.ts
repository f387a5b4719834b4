// "Orbit: Run Query" without VS Code: picking the statement, running it on a real server's REST API, the result tables and error places.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { errorMessage, errorPlace, formatResults, RemoteError, runQuery, statementAt } from '../../vscode-extension/src/run-query.ts';
import { startRest, type RestServer } from '../protocols/http-support.ts';

let rest: RestServer;
beforeAll(async () => {
  rest = await startRest({});
});
afterAll(async () => rest.stop());

/** The document text and cursor offset of `marked`, whose `|` is the cursor. */
const cursor = (marked: string): [string, number] => [marked.replace('|', ''), marked.indexOf('|')];

describe('statementAt', () => {
  test('the statement under the cursor, or the one just ended before it', () => {
    const doc = 'SELECT 1;\n\nSELECT 2 -- two\n  FROM t;  \nSELECT 3';
    expect(statementAt(...cursor('SELECT 1;\n\nSELECT 2 -- two\n  FR|OM t;  \nSELECT 3'))).toEqual({ text: 'SELECT 2 -- two\n  FROM t', offset: 11 });
    expect(statementAt(...cursor('SELECT 1;\n\nSELECT 2 -- two\n  FROM t;  |\nSELECT 3'))).toEqual({ text: 'SELECT 2 -- two\n  FROM t', offset: 11 });
    expect(statementAt(...cursor('|  SELECT 1; SELECT 2'))).toEqual({ text: 'SELECT 1', offset: 2 });
    expect(statementAt(doc, doc.length)).toEqual({ text: 'SELECT 3', offset: doc.length - 8 });
    expect(statementAt("SELECT ';' AS semi; SELECT 2", 3)).toEqual({ text: "SELECT ';' AS semi", offset: 0 });
    expect(statementAt('  -- nothing here\n', 1)).toBeUndefined();
  });

  test('a selection wins over the cursor', () => {
    expect(statementAt('SELECT 1; SELECT 2; SELECT 3', 10, 28)).toEqual({ text: 'SELECT 2; SELECT 3', offset: 10 });
    expect(statementAt('SELECT 1;   SELECT 2', 9, 11)).toEqual({ text: 'SELECT 1', offset: 0 });
  });
});

describe('runQuery and formatResults against a real server', () => {
  test('writes show their command tag; a query shows an aligned table with numbers on the right', async () => {
    const setup = await runQuery({ url: rest.base }, "CREATE TABLE langs (id int PRIMARY KEY, name text, year int, meta jsonb); INSERT INTO langs VALUES (1, 'OrbitQL', 2026, '{\"model\": \"multi\"}'), (20, 'SQL', 1974, NULL)");
    expect(formatResults(setup)).toBe('CREATE TABLE\n\nINSERT 0 2');
    const r = await runQuery({ url: `${rest.base}/` }, 'SELECT id, name, year, meta FROM langs ORDER BY id');
    expect(formatResults(r)).toBe(
      [
        ' id |  name   | year |       meta',
        '----+---------+------+-------------------',
        '  1 | OrbitQL | 2026 | {"model":"multi"}',
        ' 20 | SQL     | 1974 | NULL',
        '(2 rows)',
      ].join('\n'),
    );
    expect(formatResults(await runQuery({ url: rest.base }, 'SELECT name FROM langs WHERE id = 99'))).toBe(' name\n------\n(0 rows)');
  });

  test('OrbitQL documents and graph paths', async () => {
    await runQuery({ url: rest.base }, "DEFINE TABLE city SCHEMALESS; CREATE city:paris CONTENT { name: 'Paris' }; CREATE city:lyon CONTENT { name: 'Lyon' }; RELATE city:paris->road->city:lyon");
    const r = await runQuery({ url: rest.base }, 'SELECT name, ->road->city.name AS reach FROM city ORDER BY name');
    expect(formatResults(r)).toBe([' name  |  reach', '-------+----------', ' Lyon  | []', ' Paris | ["Lyon"]', '(2 rows)'].join('\n'));
  });

  test('an error carries status, SQLSTATE and position; errorPlace puts it on the document', async () => {
    const [doc, at] = cursor('SELECT 1;\n\nSELECT nme FROM la|ngs');
    const statement = statementAt(doc, at)!;
    const e = await runQuery({ url: rest.base }, statement.text).then(
      () => undefined,
      (x: unknown) => x,
    );
    expect(e).toBeInstanceOf(RemoteError);
    const err = e as RemoteError;
    expect([err.status, err.sqlstate, err.position]).toEqual([400, '42703', 8]);
    const place = errorPlace(err, statement)!;
    expect(doc.slice(place.start, place.end)).toBe('nme');
    expect(place.message).toBe(errorMessage(err));
    expect(errorMessage(err).startsWith('ERROR 42703: column "nme" does not exist')).toBe(true);
    const syntax = await runQuery({ url: rest.base }, 'SELECT FROM WHERE').catch((x: RemoteError) => x);
    expect(errorMessage(syntax as RemoteError)).toMatch(/^ERROR 42601: syntax error at or near "WHERE"\nDETAIL: expected/);
  });

  test('an unreachable server or a URL that is no server is a RemoteError with a clear message', async () => {
    const down = await runQuery({ url: 'http://127.0.0.1:1' }, 'SELECT 1').catch((x: unknown) => x);
    expect(down).toBeInstanceOf(RemoteError);
    expect((down as RemoteError).message).toStartWith('cannot reach the Orbit server at http://127.0.0.1:1: ');
    expect(((await runQuery({ url: 'ftp://example' }, 'SELECT 1').catch((x: unknown) => x)) as Error).message).toBe('not an http(s) server URL: ftp://example');
    const wrongPath = await runQuery({ url: `${rest.base}/v1` }, 'SELECT 1').catch((x: unknown) => x);
    expect(wrongPath).toMatchObject({ status: 404, sqlstate: '42704', message: 'no such endpoint: /v1/v1/query' });
  });
});
