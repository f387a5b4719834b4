// The `orbit` command line run as a real process: help, offline tools, sql, import, and Deno.
import { describe, expect, test, beforeAll, afterAll } from 'bun:test';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parquetWriteBuffer } from 'hyparquet-writer';

const root = resolve(import.meta.dir, '../..');
const main = join(root, 'runtime/cli/main.ts');
const schema = join(root, 'tests/fixtures/tpch/schema.sql');

function orbit(args: string[], stdin?: string): { code: number; out: string; err: string } {
  const p = Bun.spawnSync([process.execPath, 'run', main, ...args], { cwd: root, stdin: stdin === undefined ? 'ignore' : Buffer.from(stdin) });
  return { code: p.exitCode ?? -1, out: p.stdout.toString(), err: p.stderr.toString() };
}

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'orbit-cli-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('help', () => {
  test('the main help lists every command', () => {
    const r = orbit(['--help']);
    expect(r.code).toBe(0);
    for (const c of ['server', 'sql', 'import', 'explain', 'compile', 'fmt']) expect(r.out).toContain(`  ${c} `);
  });

  test.each(['server', 'sql', 'import', 'explain', 'compile', 'fmt'])('orbit %s --help prints usage and options', (cmd) => {
    const r = orbit([cmd, '--help']);
    expect(r.code).toBe(0);
    expect(r.out).toContain(`Usage: orbit ${cmd}`);
    expect(r.out).toContain('-h, --help');
  });

  test('an unknown command or option is a usage error (exit 2)', () => {
    expect(orbit(['frobnicate']).code).toBe(2);
    const r = orbit(['explain', '--no-such-flag']);
    expect(r.code).toBe(2);
    expect(r.err).toContain('orbit explain --help');
  });
});

describe('offline tools', () => {
  test('explain prints an indented physical plan with estimates', () => {
    const r = orbit(['explain', '--schema', schema, '-f', join(root, 'tests/fixtures/tpch/queries/q03.sql')]);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/Join/);
    expect(r.out).toMatch(/rows=\d+/);
    expect(r.out).toMatch(/cost=[\d.]+/);
    expect(r.out).toMatch(/\n\s+\S/);
  });

  test('explain --logical prints the typed IR; --format json and dot are machine-readable', () => {
    const q = 'SELECT n_name, count(*) FROM nation JOIN region ON n_regionkey = r_regionkey GROUP BY n_name';
    const logical = orbit(['explain', '--schema', schema, '--logical', q]);
    expect(logical.code).toBe(0);
    expect(logical.out.toLowerCase()).toContain('aggregate');
    const json = orbit(['explain', '--schema', schema, '--format', 'json', q]);
    expect(json.code).toBe(0);
    expect(() => JSON.parse(json.out)).not.toThrow();
    const dot = orbit(['explain', '--schema', schema, '--format', 'dot', q]);
    expect(dot.out.trimStart().startsWith('digraph')).toBe(true);
  });

  test('compile reports file:line:col: error CODE: message and exits 1', () => {
    const file = join(dir, 'bad.sql');
    writeFileSync(file, 'SELECT 1;\nSELECT n_name\n  FROM nope;\n');
    const r = orbit(['compile', file, '--schema', schema]);
    expect(r.code).toBe(1);
    expect(r.out).toContain(`${file}:3:8: error 42P01: relation "nope" does not exist`);
    const good = join(dir, 'good.sql');
    writeFileSync(good, 'SELECT n_name FROM nation WHERE n_nationkey = 1;');
    expect(orbit(['compile', good, '--schema', schema]).code).toBe(0);
  });

  test('fmt prints canonical SQL that formats to itself', () => {
    const r = orbit(['fmt'], 'select a,b from t where a=1 and b<>2 order by a desc');
    expect(r.code).toBe(0);
    expect(r.out).toContain('SELECT');
    expect(r.out).toContain('ORDER BY');
    const again = orbit(['fmt'], r.out);
    expect(again.out).toBe(r.out);
  });

  test('deno task explain runs the offline explain under Deno', () => {
    // The tasks name the npm-installed binary by path: `deno task` runs what it finds in
    // node_modules/.bin by PATH as a script, and the deno package's binary sits there.
    const deno = join(root, 'node_modules/.bin/deno');
    const p = Bun.spawnSync([deno, 'task', 'explain', '--schema', schema, 'SELECT r_name FROM region WHERE r_regionkey = 1'], { cwd: root, env: { ...process.env, NO_COLOR: '1' } });
    expect(p.exitCode).toBe(0);
    expect(p.stderr.toString()).not.toContain('error');
    expect(p.stdout.toString()).toMatch(/region.*rows=\d+/);
  });
});

describe('orbit sql and import', () => {
  test('runs statements and prints an aligned table, CSV and JSON', () => {
    const data = join(dir, 'sql');
    const setup = orbit(['sql', '--data', data, "CREATE TABLE t (id int PRIMARY KEY, name text, score numeric(5,2)); INSERT INTO t VALUES (1, 'ada', 9.5), (2, NULL, 10)"]);
    expect(setup.err).toBe('');
    expect(setup.code).toBe(0);
    const table = orbit(['sql', '--data', data, 'SELECT id, name, score FROM t ORDER BY id']);
    expect(table.out).toBe([' id | name | score', '----+------+-------', '  1 | ada  |  9.50', '  2 |      | 10.00', '(2 rows)', ''].join('\n'));
    const csv = orbit(['sql', '--data', data, '--format', 'csv', 'SELECT id, name, score FROM t ORDER BY id']);
    expect(csv.out).toBe('id,name,score\n1,ada,9.50\n2,,10.00\n');
    const json = orbit(['sql', '--data', data, '--format', 'json', 'SELECT id, name FROM t ORDER BY id']);
    expect(JSON.parse(json.out)).toEqual([{ id: 1, name: 'ada' }, { id: 2, name: null }]);
  });

  test('an error prints ERROR <SQLSTATE>: message with the position and exits 1', () => {
    const data = join(dir, 'err');
    const r = orbit(['sql', '--data', data, 'SELECT * FROM missing_table']);
    expect(r.code).toBe(1);
    expect(r.err).toContain('ERROR 42P01: relation "missing_table" does not exist');
    expect(r.err).toContain('LINE 1: SELECT * FROM missing_table\n                      ^');
  });

  test('reads statements from a file and from stdin', () => {
    const data = join(dir, 'stdin');
    const file = join(dir, 'script.sql');
    writeFileSync(file, 'CREATE TABLE s (x int);\nINSERT INTO s VALUES (1), (2), (3);\n');
    expect(orbit(['sql', '--data', data, '-f', file]).code).toBe(0);
    const r = orbit(['sql', '--data', data, '--format', 'csv'], 'SELECT sum(x) AS total FROM s');
    expect(r.out).toBe('total\n6\n');
  });

  test('imports CSV and Parquet files', () => {
    const data = join(dir, 'import');
    expect(orbit(['sql', '--data', data, 'CREATE TABLE people (id bigint PRIMARY KEY, name text, born date, score double precision)']).code).toBe(0);
    const csv = join(dir, 'people.csv');
    writeFileSync(csv, 'id,name,born,score\n1,Ada,1815-12-10,1.5\n2,"Grace, Admiral",1906-12-09,\n3,"",1912-06-23,2\n');
    const r1 = orbit(['import', '--data', data, 'people', csv]);
    expect(r1.err).toBe('');
    expect(r1.out).toContain('imported 3 rows');
    const pq = join(dir, 'people.parquet');
    const buf = parquetWriteBuffer({
      columnData: [
        { name: 'id', data: [4n, 5n], type: 'INT64' },
        { name: 'name', data: ['Linus', 'Barbara'], type: 'STRING' },
        { name: 'score', data: [3.25, null], type: 'DOUBLE' },
      ],
    });
    writeFileSync(pq, new Uint8Array(buf));
    const r2 = orbit(['import', '--data', data, 'people', pq]);
    expect(r2.err).toBe('');
    expect(r2.out).toContain('imported 2 rows');
    const out = orbit(['sql', '--data', data, '--format', 'csv', 'SELECT id, name, born, score FROM people ORDER BY id']);
    expect(out.out).toBe('id,name,born,score\n1,Ada,1815-12-10,1.5\n2,"Grace, Admiral",1906-12-09,\n3,"",1912-06-23,2\n4,Linus,,3.25\n5,Barbara,,\n');
  });
});
