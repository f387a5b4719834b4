// The language service across edits: per-statement work reused after an edit still answers at the
// statements' new places; the new OrbitQL clauses complete from the grammar.
import { describe, expect, test } from 'bun:test';
import { catalogFromSchema } from '../compiler/index.ts';
import { LanguageService, nearestNames } from '../compiler/ide/index.ts';

const { catalog } = catalogFromSchema('CREATE TABLE users (id text PRIMARY KEY, name text NOT NULL, age int);\nCREATE TABLE readings (sensor text, ts timestamptz, temp float8);');

describe('language service after edits', () => {
  test('definitions move with their statement when text is inserted above it', () => {
    const service = new LanguageService(catalog);
    const body = 'SELECT u.name FROM users u;\nWITH w AS (SELECT 1 AS x) SELECT x FROM w';
    const at = (text: string, word: string, nth = 0) => {
      let i = -1;
      for (let k = 0; k <= nth; k++) i = text.indexOf(word, i + 1);
      return i;
    };
    for (const prefix of ['', 'SELECT 1;\n', 'SELECT 1;\n-- a longer note\nSELECT 2;\n']) {
      const text = prefix + body;
      expect(service.diagnostics(text)).toEqual([]);
      const alias = service.definition(text, at(text, 'u.name'))!;
      expect([alias.start, text.slice(alias.start, alias.end)]).toEqual([at(text, 'users u') + 6, 'u']);
      const cte = service.definition(text, at(text, 'FROM w') + 5)!;
      expect([cte.start, text.slice(cte.start, cte.end)]).toEqual([at(text, 'w AS'), 'w']);
    }
  });

  test('after FILL ( the grammar offers PREVIOUS and LINEAR; after LIVE it offers DIFF and SELECT', () => {
    const service = new LanguageService(catalog);
    const fill = 'SELECT time_bucket(15m, ts) AS b, count(*) FROM readings GROUP BY b FILL (';
    const labels = service.completion(fill, fill.length).filter((i) => i.kind === 'keyword').map((i) => i.label);
    expect(labels).toContain('PREVIOUS');
    expect(labels).toContain('LINEAR');
    const live = 'LIVE ';
    const after = service.completion(live, live.length).map((i) => i.label);
    expect(after).toContain('DIFF');
    expect(after).toContain('SELECT');
  });

  test('a FILL that cannot apply and a LIVE over a join are diagnosed at their clause', () => {
    const service = new LanguageService(catalog);
    const text = 'SELECT sensor, count(*) FROM readings GROUP BY sensor FILL (0);\nLIVE DIFF SELECT * FROM users, readings';
    const diags = service.diagnostics(text).map((d) => [d.sqlstate, d.message, text.slice(d.span.start, d.span.end)]);
    expect(diags).toEqual([
      ['42803', 'FILL needs a GROUP BY on time_bucket(…)', 'FILL (0)'],
      ['0A000', 'LIVE SELECT reads one table through WHERE and a projection (exactly one table)', 'LIVE DIFF'],
    ]);
  });

  test('FILL belongs to the statement\'s own GROUP BY: not a subquery\'s, not a LET value\'s', () => {
    const service = new LanguageService(catalog);
    const text =
      'SELECT count(*) FROM (SELECT time_bucket(15m, ts) AS b, count(*) FROM readings GROUP BY b FILL (0)) x;\n' +
      'LET $v = (SELECT time_bucket(15m, ts) AS b FROM readings GROUP BY b FILL (NULL));\n' +
      'EXPLAIN SELECT time_bucket(15m, ts) AS b, count(*) FROM readings GROUP BY b FILL (previous)';
    const diags = service.diagnostics(text).map((d) => [d.sqlstate, text.slice(d.span.start, d.span.end)]);
    expect(diags).toEqual([
      ['0A000', 'FILL (0)'],
      ['0A000', 'FILL (NULL)'],
    ]);
  });

  test('nearest names: a swapped pair of letters is one edit; far names are not offered', () => {
    expect(nearestNames('usres', ['users', 'readings'])).toEqual(['users']);
    expect(nearestNames('nmae', ['name', 'age', 'id'])).toEqual(['name']);
    expect(nearestNames('zzzz', ['name', 'age'])).toEqual([]);
  });
});
