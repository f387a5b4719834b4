// The OrbitQL formatter: random OrbitQL statements → parse → format → parse gives the same statement, the
// output is a fixed point, and garbage never crashes the parser or the formatter.

import { afterAll, describe, expect, test } from 'bun:test';
import fc from 'fast-check';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatOrbitQL, formatOrbitStatement, parseOrbitQL, type OrbitStatement } from '../compiler/frontends/orbitql/index.ts';
import { parseStatement } from '../compiler/frontends/sql/parse.ts';

/** A statement as the parser sees it, spans left out: its SQL tree, OrbitQL forms and clauses. */
function shape(s: OrbitStatement): unknown {
  const strip = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(strip);
    if (v === null || typeof v !== 'object') return v;
    return Object.fromEntries(Object.entries(v as Record<string, unknown>).filter(([k]) => k !== 'span').map(([k, x]) => [k, strip(x)]));
  };
  const forms = s.forms.map((f) => [f.kind, f.name ?? '']);
  if (s.kind === 'let') return { let: s.name, value: strip(parseStatement(`SELECT ${s.valueSql}`).ast), forms };
  const fillValue = s.fill?.valueSql === undefined ? undefined : strip(parseStatement(`SELECT ${s.fill.valueSql}`).ast);
  return { ast: strip(s.ast), forms, fill: s.fill && [s.fill.mode, fillValue], live: s.live?.diff, fetch: s.fetch?.names, ensure: s.ensure, prune: s.traverseWhere };
}

function shapes(text: string): unknown[] {
  const r = parseOrbitQL(text);
  expect(r.diagnostics.map((d) => `${d.message} at ${text.slice(d.span.start, d.span.end)} in ${text}`)).toEqual([]);
  return r.statements.map(shape);
}

// ─── Random OrbitQL ─────────────────────────────────────────────────────────

// Graph paths: chains of steps, each any direction with an optional repetition, to a table or `?`.
const recordId = fc.constantFrom('person:ada', 'person:42', "person:'a b'", 'USER:Bob_2', 'post:p1');
const step = fc.tuple(fc.constantFrom('->', '<-', '<->'), fc.constantFrom('follows', 'likes', 'Knows'), fc.constantFrom('', '', '{2}', '{1..3}', '{..2}', '{2..}', '{0..1}'), fc.constantFrom('user', 'post', '?'));
// A path is a nested subquery in SQL, slow to parse: expressions hold short ones, one statement long ones.
const pathOf = (maxSteps: number) =>
  fc
    .tuple(fc.array(step, { minLength: 1, maxLength: maxSteps }), fc.constantFrom('', '', '.name', '.a.b'))
    .map(([steps, field]) => steps.map(([dir, edge, rep, target]) => `${dir}${edge}${rep}${dir}${target}`).join('') + field);
const graphPath = pathOf(2);

const column = fc.constantFrom('name', 'age', 'profile', 'tags', 'ts', 'p.name');
const leaf = fc.oneof(
  column,
  fc.integer({ min: 0, max: 999 }).map(String),
  fc.constantFrom("'x'", "'it''s'", 'NULL', 'TRUE', '1.5'),
  fc.constantFrom('person:ada', 'person:42', "person:'a b'", 'USER:Bob_2'),
  fc.constantFrom('15m', '1h30m', '100ms', '7d', '2w'),
  fc.constantFrom('$v', '$min_age'),
  fc.constantFrom('profile.address.city', 'profile.langs[0]', 'p.profile.a.b'),
  fc.constantFrom('time::now()', 'rand::float()', 'math::pi()'),
  fc.oneof(graphPath, fc.constantFrom('<vector(3)>[1, 2, 3]', "<int>'4'", 'CAST([1, 2] AS vector(2))')),
);
const key = fc.constantFrom('name', 'a', 'b2', "'post code'", "'x''y'", '"Quoted"');

const { expr } = fc.letrec<{ expr: string }>((tie) => ({
  expr: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    leaf,
    fc.tuple(tie('expr'), fc.constantFrom('+', '-', '*', '=', '<', '>=', '||', 'AND', 'OR'), tie('expr')).map(([a, op, b]) => `(${a} ${op} ${b})`),
    fc.tuple(fc.constantFrom('string::upper', 'string::len', 'math::abs', 'array::len', 'time::format', 'string::nope'), tie('expr')).map(([f, a]) => `${f}(${a})`),
    fc.tuple(tie('expr'), tie('expr')).map(([a, b]) => `vector::distance::cosine(${a}, ${b})`),
    fc.tuple(fc.constantFrom('lower', 'coalesce', 'time_bucket'), tie('expr')).map(([f, a]) => `${f}(${a})`),
    fc.array(fc.tuple(key, tie('expr')), { maxLength: 3 }).map((es) => `{ ${es.map(([k, v]) => `${k}: ${v}`).join(', ')} }`),
    fc.array(tie('expr'), { maxLength: 3 }).map((es) => `[${es.join(', ')}]`),
    tie('expr').map((a) => `NOT ${a}`),
    tie('expr').map((a) => `(${a})::text`),
  ),
}));

const items = fc.array(fc.tuple(expr, fc.option(fc.constantFrom('a', 'total', 'b'), { nil: undefined })), { minLength: 1, maxLength: 3 }).map((xs) =>
  xs.map(([e, alias]) => (alias ? `${e} AS ${alias}` : e)).join(', '),
);
const where = fc.option(expr.map((e) => ` WHERE ${e}`), { nil: '' });
const fillMode = fc.constantFrom('null', 'previous', 'linear', '0', '-1.5', "'none'", '15m', '$v', 'PREVIOUS');

const object = fc.array(fc.tuple(key, expr), { maxLength: 3 }).map((es) => `{ ${es.map(([k, v]) => `${k}: ${v}`).join(', ')} }`);
const field = fc.constantFrom('age', 'tags', 'name', 'Profile');
const assigns = fc.array(fc.tuple(field, fc.constantFrom('=', '+=', '-='), expr), { minLength: 1, maxLength: 3 }).map((as) => as.map(([f, op, v]) => `${f} ${op} ${v}`).join(', '));
const setAssigns = fc.array(fc.tuple(field, expr), { minLength: 1, maxLength: 3 }).map((as) => `set ${as.map(([f, v]) => `${f} = ${v}`).join(', ')}`);
const recordData = fc.oneof(fc.constant(''), setAssigns.map((s) => ` ${s}`), object.map((o) => ` content ${o}`));

// Documents and graphs: statements rewritten whole, printed back from their layout.
const documentStatement = fc.oneof(
  fc.tuple(recordId, fc.constantFrom('follows', 'likes'), recordId, recordData).map(([a, e, b, d]) => `relate ${a}->${e}->${b}${d}`),
  fc.tuple(recordId, recordData).map(([r, d]) => `create ${r}${d}`),
  fc.tuple(recordId, fc.oneof(setAssigns, object.map((o) => `content ${o}`))).map(([r, d]) => `upsert ${r} ${d}`),
  fc.tuple(fc.constantFrom('users', 'Docs'), fc.oneof(object, fc.array(object, { minLength: 1, maxLength: 3 }).map((os) => `[${os.join(', ')}, ]`))).map(([t, rows]) => `insert into ${t} ${rows}`),
  fc.tuple(fc.oneof(recordId, fc.constant('users')), assigns, where).map(([t, a, w]) => `update ${t} set ${a}${w}`),
  fc.constantFrom('define table users schemaless', 'DEFINE TABLE "Odd" SCHEMALESS'),
  fc.tuple(fc.constantFrom('', '->', '<-', '<->'), fc.oneof(recordId, fc.constant('$v')), fc.option(fc.integer({ min: 0, max: 9 }), { nil: undefined }), where).map(
    ([dir, start, max, w]) => `traverse ${dir}follows from ${start}${max === undefined ? '' : ` max_depth ${max}`}${w}`,
  ),
  fc.tuple(items, recordId, fc.constantFrom('', ' AS r', ' r')).map(([i, r, alias]) => `select ${i} from ${r}${alias}`),
  fc.tuple(pathOf(4), recordId).map(([p, r]) => `select ${p} as p from ${r} fetch p`),
  fc.tuple(items, where, fc.array(fc.constantFrom('a', 'total', 'out', '"In"'), { minLength: 1, maxLength: 2 })).map(([i, w, names]) => `select ${i} from people p${w} fetch ${names.join(', ')}`),
);

const statement = fc.oneof(
  fc.tuple(items, where).map(([i, w]) => `select ${i} from people p${w}`),
  fc.tuple(items, where, fc.boolean()).map(([i, w, diff]) => `live ${diff ? 'diff ' : ''}select ${i} from people${w}`),
  fc.tuple(fc.constantFrom('15m', '1h', '30s'), fc.constantFrom('', 'sensor, '), fillMode, where).map(
    ([d, part, mode, w]) => `select ${part}time_bucket(${d}, ts) as b, count(*), avg(temp) from readings${w} group by ${part}b fill (${mode}) order by b`,
  ),
  expr.map((e) => `let $v = ${e}`),
  fc.tuple(expr, expr).map(([a, b]) => `insert into people (id, profile) values (person:new, { a: ${a}, list: [${b}] })`),
  fc.tuple(expr, where).map(([e, w]) => `update people set profile = ${e}${w}`),
  documentStatement,
  documentStatement,
);

describe('OrbitQL formatter', () => {
  // Graph and document statements parse slowly (a path is a nested subquery in SQL), hence the timeout.
  test('format then parse gives the same statement, and formatting is a fixed point (1,000 cases)', () => {
    fc.assert(
      fc.property(fc.array(statement, { minLength: 1, maxLength: 3 }), (stmts) => {
        const text = stmts.join(';\n');
        const before = shapes(text);
        const formatted = formatOrbitQL(text);
        expect(formatted.diagnostics).toEqual([]);
        expect(shapes(formatted.text!)).toEqual(before);
        expect(formatOrbitQL(formatted.text!).text).toBe(formatted.text!);
      }),
      { numRuns: 1000 },
    );
  }, 300_000);

  test('examples of canonical text', () => {
    const out = formatOrbitQL(
      "select name,profile.address.city from people where id=PERSON:ada and seen>time::now()-1h30m;live diff select * from docs;" +
        "select time_bucket(15m,ts) b,count(*) from readings group by b fill(linear);let $x = { a : [1,2] , 'b c':person:'x y' }",
    );
    expect(out.text).toBe(
      [
        'SELECT name, profile.address.city\nFROM people\nWHERE id = person:ada AND seen > time::now() - 1h30m;\n',
        'LIVE DIFF SELECT *\nFROM docs;\n',
        'SELECT time_bucket(15m, ts) AS b, count(*)\nFROM readings\nGROUP BY b FILL (LINEAR);\n',
        "LET $x = { a: [1, 2], 'b c': person:'x y' };\n",
      ].join('\n'),
    );
  });

  test('graph and document statements print as OrbitQL, not as the SQL they run as', () => {
    const out = formatOrbitQL(
      "relate USER:a->follows->user:'b c' set since=time::now();traverse <->follows from user:a max_depth 2 where depth<2 fetch id;" +
        'select ->follows{1..3}->user->likes->?, (<-likes<-user.name) n from post:p1 p;create user:x content {a:1};' +
        "upsert user:x set a=2;update user:x set tags+='t',n-=1 where n>0;insert into users [{a:1},{b:2},];define table users schemaless;" +
        'select <vector(3)>[1,2,3]',
    );
    expect(out.text).toBe(
      [
        "RELATE user:a->follows->user:'b c' SET since = time::now();\n",
        'TRAVERSE <->follows FROM user:a MAX_DEPTH 2\nWHERE depth < 2\nFETCH id;\n',
        'SELECT ->follows{1..3}->user->likes->?, (<-likes<-user.name) AS n\nFROM post:p1 AS p;\n',
        'CREATE user:x CONTENT { a: 1 };\n',
        'UPSERT user:x SET a = 2;\n',
        "UPDATE user:x SET tags += 't', n -= 1\nWHERE n > 0;\n",
        'INSERT INTO users [{ a: 1 }, { b: 2 }];\n',
        'DEFINE TABLE users SCHEMALESS;\n',
        'SELECT CAST([1, 2, 3] AS VECTOR(3));\n',
      ].join('\n'),
    );
  });

  test('a statement with comments is kept as written; a syntax error formats nothing', () => {
    expect(formatOrbitQL('select /* c */ 1; select  2').text).toBe('select /* c */ 1;\n\nSELECT 2;\n');
    expect(formatOrbitQL('-- head\nselect  1 -- one\n; select  2 /* tail */').text).toBe('-- head\nSELECT 1;\n\n-- one\nSELECT 2;\n\n/* tail */\n');
    const bad = formatOrbitQL('select from where ;');
    expect(bad.text).toBeUndefined();
    expect(bad.diagnostics[0]!.code).toBe('syntax_error');
  });

  test('formatOrbitStatement prints one parsed statement', () => {
    const src = 'select {a:1}';
    expect(formatOrbitStatement(parseOrbitQL(src).statements[0]!, src)).toBe('SELECT { a: 1 }');
  });
});

// ─── Garbage ────────────────────────────────────────────────────────────────

const TOKENS = [
  'SELECT', 'select', 'FROM', 'WHERE', 'GROUP BY', 'FILL', 'fill', '(', ')', 'LIVE', 'DIFF', 'LET', '$v', '$', '=', 'previous', 'linear',
  '{', '}', '[', ']', ':', '::', 'person:', "person:'", "'", '15m', '1h30m', '0ms', 'string::', 'vector::distance::', 'time_bucket', ',', ';',
  'NULL', '->', '.', 'profile.a', '1', '--', '/*', '*/', 'ÉtÉ', '"q', 'ARRAY',
  '->follows', '->?', '<->', '<-', '{1..3}', '<vector(3)>', '<', '>', 'RELATE', 'TRAVERSE', 'MAX_DEPTH', 'FETCH', 'CONTENT', 'UPSERT', '+=',
];

describe('parser robustness', () => {
  const check = (src: string) => {
    const r = parseOrbitQL(src);
    for (const d of r.diagnostics) {
      expect(d.span.start).toBeGreaterThanOrEqual(0);
      expect(d.span.start).toBeLessThanOrEqual(d.span.end);
      expect(d.span.end).toBeLessThanOrEqual(src.length);
    }
    const f = formatOrbitQL(src);
    expect(f.text !== undefined || f.diagnostics.length > 0 || src.trim() === '').toBe(true);
  };

  test('token soups never throw', () => {
    fc.assert(fc.property(fc.array(fc.constantFrom(...TOKENS), { maxLength: 25 }).map((t) => t.join(' ')), check), { numRuns: 1000 });
  });

  test('random text and cut-off statements never throw', () => {
    fc.assert(fc.property(fc.string({ maxLength: 60 }), check), { numRuns: 500 });
    fc.assert(fc.property(statement, fc.nat(), (s, n) => check(s.slice(0, n % (s.length + 1)))), { numRuns: 500 });
  });
});

// ─── The CLI ────────────────────────────────────────────────────────────────

describe('orbit fmt / explain / compile on .oql files', () => {
  const root = join(import.meta.dir, '..');
  const orbit = (args: string[], stdin?: string) => {
    const p = Bun.spawnSync([process.execPath, 'run', join(root, 'runtime', 'cli', 'main.ts'), ...args], { cwd: root, stdin: stdin === undefined ? 'ignore' : Buffer.from(stdin) });
    return { code: p.exitCode, out: p.stdout.toString(), err: p.stderr.toString() };
  };
  const dir = mkdtempSync(join(tmpdir(), 'orbit-fmt-oql-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'schema.sql'), 'CREATE TABLE readings (sensor text, ts timestamptz, temp float8);\n');
  writeFileSync(join(dir, 'q.oql'), 'select time_bucket(15m,ts) b, avg(temp) from readings group by b fill (linear);\nlive select sensor from readings where temp>1\n');

  test('fmt prints canonical OrbitQL for a .oql file, and for --language orbitql on standard input', () => {
    const r = orbit(['fmt', join(dir, 'q.oql')]);
    expect(r.code).toBe(0);
    expect(r.out).toBe('SELECT time_bucket(15m, ts) AS b, avg(temp)\nFROM readings\nGROUP BY b FILL (LINEAR);\n\nLIVE SELECT sensor\nFROM readings\nWHERE temp > 1;\n');
    expect(orbit(['fmt', '--language', 'orbitql'], 'select {a:1}').out).toBe('SELECT { a: 1 };\n');
    const bad = orbit(['fmt', '--language', 'orbitql'], 'select from where');
    expect(bad.code).toBe(1);
    expect(bad.err).toContain('syntax error');
  });

  test('explain and compile read OrbitQL from .oql files', () => {
    const r = orbit(['explain', '--schema', join(dir, 'schema.sql'), '-f', join(dir, 'q.oql')]);
    expect(r.code).toBe(0);
    expect(r.out).toContain('Gap Fill');
    expect(r.out).toContain('Live Query on readings');
    const c = orbit(['compile', join(dir, 'q.oql'), '--schema', join(dir, 'schema.sql')]);
    expect([c.code, c.out]).toEqual([0, '']);
  });
});
