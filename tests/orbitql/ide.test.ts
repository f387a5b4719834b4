// The language service over marked OrbitQL sources: `|` marks the cursor, `[…]` the range a result must cover.
import { describe, expect, test } from 'bun:test';
import { catalogFromSchema } from '../../compiler/index.ts';
import { LanguageService } from '../../compiler/ide/index.ts';

const { catalog } = catalogFromSchema(`
  CREATE TABLE people (id text PRIMARY KEY, name text NOT NULL, age int, profile jsonb);
  CREATE TABLE orders (id int PRIMARY KEY, person text, total numeric(10,2));
`);
const service = new LanguageService(catalog);

/** Text without its marks, the cursor offset and the marked range. */
function marked(src: string): { text: string; at: number; range?: { start: number; end: number } } {
  let text = '';
  let at = -1;
  let start = -1;
  let end = -1;
  for (const ch of src) {
    if (ch === '|') at = text.length;
    else if (ch === '[' && start < 0 && src.includes(']')) start = text.length;
    else if (ch === ']' && start >= 0 && end < 0) end = text.length;
    else text += ch;
  }
  return { text, at, ...(start >= 0 ? { range: { start, end } } : {}) };
}

describe('diagnostics', () => {
  test('one syntax error per broken statement, at its token, and binder errors at their names', () => {
    const text = 'SELECT nme FROM people;\nSELECT FROM WHERE;\nSELECT string::nope(1);\nSELECT name FROM peple';
    const found = service.diagnostics(text).map((d) => [d.code, text.slice(d.span.start, d.span.end)]);
    expect(found).toEqual([
      ['undefined_column', 'nme'],
      ['syntax_error', 'WHERE'],
      ['undefined_function', 'string::nope'],
      ['undefined_table', 'peple'],
    ]);
  });
  test('a clean script has none', () => {
    expect(service.diagnostics('LET $min = 18;\nSELECT name FROM people WHERE age > $min AND id = person:ada')).toEqual([]);
  });
});

describe('completion', () => {
  const labels = (src: string) => {
    const m = marked(src);
    return service.completion(m.text, m.at);
  };
  test('after FROM: tables', () => {
    const items = labels('SELECT * FROM |');
    expect(items.filter((i) => i.kind === 'table').map((i) => i.label).sort()).toEqual(['orders', 'people']);
  });
  test('after alias.: the columns of its table, with types', () => {
    const items = labels('SELECT p.| FROM people p');
    expect(items.map((i) => [i.label, i.detail])).toEqual([
      ['id', 'text not null (people)'],
      ['name', 'text not null (people)'],
      ['age', 'integer (people)'],
      ['profile', 'jsonb (people)'],
    ]);
    expect(labels('SELECT p.na| FROM people p').map((i) => i.label)).toEqual(['name']);
  });
  test('keywords come from what the grammar expects', () => {
    const items = labels('SELECT name FROM people |');
    const kw = items.filter((i) => i.kind === 'keyword').map((i) => i.label);
    expect(kw).toContain('WHERE');
    expect(kw).toContain('ORDER');
    expect(kw).toContain('LIMIT');
    expect(labels('SELECT name FROM people WH|').map((i) => i.label)).toEqual(['WHERE']);
  });
  test('in an expression: columns in scope, functions with signatures, aliases, variables', () => {
    const items = labels('LET $limit = 3; SELECT | FROM people p');
    expect(items.find((i) => i.label === 'age')?.detail).toBe('integer (people)');
    expect(items.find((i) => i.label === 'string::lower')?.kind).toBe('function');
    expect(items.find((i) => i.label === 'lower')?.detail).toContain('lower(text) → text');
    expect(items.find((i) => i.label === 'p')?.kind).toBe('alias');
    expect(items.find((i) => i.label === '$limit')?.kind).toBe('variable');
  });
});

describe('hover and definition', () => {
  test('a select item shows its type from the bound plan', () => {
    const m = marked('SELECT [count(*)|], name FROM people GROUP BY name');
    const h = service.hover(m.text, m.at)!;
    expect(h.contents).toBe('`count`: bigint not null');
    expect(h.span).toEqual(m.range!);
  });
  test('a namespaced function shows what it calls and its signatures', () => {
    const m = marked('SELECT [string::lo|wer](name) FROM people');
    const h = service.hover(m.text, m.at)!;
    expect(h.contents).toContain('`string::lower` calls `lower`');
    expect(h.contents).toContain('lower(text) → text');
    expect(h.span).toEqual(m.range!);
  });
  test('a table shows its columns', () => {
    const m = marked('SELECT 1 FROM [ord|ers]');
    expect(service.hover(m.text, m.at)!.contents).toContain('`total` numeric(10,2)');
  });
  test('definition of an alias, a CTE and a LET variable', () => {
    for (const src of [
      'SELECT p|.name FROM people [p]',
      'WITH [big] AS (SELECT 1 AS x) SELECT x FROM bi|g',
      'LET [$min] = 3; SELECT 1 WHERE 2 > $mi|n',
    ]) {
      const m = marked(src);
      const d = service.definition(m.text, m.at)!;
      const expectedText = m.text.slice(m.range!.start, m.range!.end).replace(/^\$/, '');
      expect(m.text.slice(d.start, d.end).replace(/^\$/, '')).toBe(expectedText);
    }
  });
});

describe('formatting and semantic tokens', () => {
  test('statements take the formatter\'s canonical text; canonical ones get no edit', () => {
    const text = 'select name from people where age>3;\nSELECT person:ada';
    const edits = service.format(text);
    expect(edits.length).toBe(1);
    expect(edits[0]!.span).toEqual({ start: 0, end: 35 });
    expect(edits[0]!.newText).toContain('SELECT name');
  });
  test('tokens classify keywords, functions, variables, literals and comments', () => {
    const text = "SELECT string::lower(name), 15m, $x, 'a' -- note\nFROM people";
    const toks = service.semanticTokens(text).map((t) => [text.slice(t.start, t.end), t.type]);
    expect(toks).toEqual([
      ['SELECT', 'keyword'],
      ['string::lower', 'function'],
      ['15m', 'number'],
      ['$x', 'variable'],
      ["'a'", 'string'],
      ['-- note', 'comment'],
      ['FROM', 'keyword'],
    ]);
  });
});

describe('reuse across edits', () => {
  test('after edits, answers equal those of a fresh service (statements reused at their new offsets)', () => {
    const live = new LanguageService(catalog);
    let text = 'LET $m = 3;\nSELECT nme FROM people;\nSELECT name FROM people WHERE age > $m;\nSELECT FROM WHERE;\nSELECT totl FROM orders';
    live.diagnostics(text);
    for (const [at, insert] of [[0, '-- a comment\n'], [30, ' '], [text.length, ';\nSELECT x'], [12, 'SELECT 1;\n']] as const) {
      text = text.slice(0, at) + insert + text.slice(at);
      const fresh = new LanguageService(catalog);
      expect(live.diagnostics(text)).toEqual(fresh.diagnostics(text));
      expect(live.semanticTokens(text)).toEqual(fresh.semanticTokens(text));
    }
  });
});

test('completion after a comma in a FROM list offers tables; after WHERE, columns', () => {
  const at = (src: string) => {
    const m = marked(src);
    return service.completion(m.text, m.at);
  };
  expect(at('SELECT 1 FROM people p, |').some((i) => i.kind === 'table' && i.label === 'orders')).toBe(true);
  const where = at('SELECT 1 FROM people p WHERE |');
  expect(where.some((i) => i.kind === 'table')).toBe(false);
  expect(where.some((i) => i.kind === 'column' && i.label === 'age')).toBe(true);
});

test('signature help names the call around the cursor and its argument; symbols list the document', () => {
  const m = marked('SELECT string::replace(name, |) FROM people');
  expect(service.signatureHelp(m.text, m.at)).toEqual({ signatures: ['string::replace(text, text, text) → text'], activeParameter: 1 });
  const n = marked("SELECT lower(concat(name, 'x'|), 'y') FROM people");
  expect(service.signatureHelp(n.text, n.at)!.activeParameter).toBe(1);
  expect(service.signatureHelp(n.text, n.at)!.signatures[0]).toStartWith('concat(');
  const text = 'LET $a = 1;\nWITH w AS (SELECT 1) SELECT * FROM w';
  expect(service.documentSymbols(text).map((s) => [s.kind, s.name])).toEqual([
    ['variable', '$a'],
    ['statement', 'WITH w AS (SELECT 1) SELECT * FROM w'],
    ['cte', 'w'],
  ]);
});

test('completion along a chained graph path: edge tables after a step, record tables after its edge', () => {
  const graph = new LanguageService(
    catalogFromSchema(`
      CREATE TABLE person (id text PRIMARY KEY, doc jsonb NOT NULL);
      CREATE TABLE post (id text PRIMARY KEY, doc jsonb NOT NULL);
      ${['follows', 'likes'].map((e) => `CREATE TABLE ${e} (id text PRIMARY KEY, "in" text NOT NULL, "out" text NOT NULL, doc jsonb NOT NULL); CREATE INDEX ${e}_in ON ${e} ("in", "out"); CREATE INDEX ${e}_out ON ${e} ("out", "in");`).join('\n')}
    `).catalog,
  );
  const at = (src: string) => {
    const m = marked(src);
    return graph.completion(m.text, m.at).map((i) => i.label);
  };
  expect(at('SELECT ->follows->person->| FROM person')).toEqual(['follows', 'likes']);
  expect(at('SELECT ->follows{1..3}->person<-li| FROM person')).toEqual(['likes']);
  expect(at('SELECT ->follows->?->likes->| FROM person')).toEqual(['person', 'post']);
  expect(at('SELECT ->follows->person<->likes<->| FROM person')).toEqual(['person', 'post']);
  // After an operand `->` is PostgreSQL's JSON operator: no edge tables there.
  expect(at('SELECT doc->| FROM person')).not.toContain('follows');
});
