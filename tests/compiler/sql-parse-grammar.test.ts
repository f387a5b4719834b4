// The grammar artifacts stay in step with sql.ohm: the precompiled recipe and the reserved-word table.
//
// To regenerate compiler/frontends/sql/sql-grammar.ts after editing sql.ohm:
//   ORBIT_WRITE_GRAMMAR=1 ./node_modules/.bin/bun test tests/compiler/sql-parse-grammar.test.ts

import { describe, expect, test } from 'bun:test';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ohm from 'ohm-js';
import { POSTGRES_RESERVED } from '../../compiler/frontends/sql/split.ts';

const dir = join(import.meta.dir, '..', '..', 'compiler', 'frontends', 'sql');
const source = readFileSync(join(dir, 'sql.ohm'), 'utf8');

function renderGrammarModule(ohmSource: string): string {
  // `toRecipe` exists at run time but is missing from ohm-js's type declarations.
  const grammar = ohm.grammars(ohmSource)['Postgres'] as unknown as { toRecipe(): string };
  const recipe = JSON.stringify(JSON.parse(grammar.toRecipe()));
  return [
    '// Generated from sql.ohm by tests/compiler/sql-parse-grammar.test.ts; do not edit (see that file to regenerate).',
    '',
    '/** Ohm recipe of the `Postgres` grammar and its `Sql` parent: loading it is far cheaper than compiling sql.ohm. */',
    `export const POSTGRES_RECIPE = ${JSON.stringify(recipe)};`,
    '',
  ].join('\n');
}

describe('grammar artifacts', () => {
  test('sql-grammar.ts is the recipe of sql.ohm', () => {
    const expected = renderGrammarModule(source);
    const path = join(dir, 'sql-grammar.ts');
    if (process.env['ORBIT_WRITE_GRAMMAR'] === '1') writeFileSync(path, expected);
    expect(readFileSync(path, 'utf8') === expected).toBe(true);
  });

  // Reserved words the grammar does not use yet (GRANT, COLLATE) are in the table too: they stay non-identifiers.
  test('the reserved-word table covers the upper-case keywords of sql.ohm and none of the others', () => {
    const upper = new Set([...source.matchAll(/^ {2}[A-Z_]+ = #\("([A-Z_]+)" ~idPart\)$/gm)].map((m) => m[1]!.toLowerCase()));
    const lower = [...source.matchAll(/^ {2}[A-Z_]+ = #\("([a-z_]+)" ~idPart\)$/gm)].map((m) => m[1]!);
    expect(upper.size).toBeGreaterThan(80);
    expect([...upper].filter((w) => !POSTGRES_RESERVED.has(w))).toEqual([]);
    expect(lower.filter((w) => POSTGRES_RESERVED.has(w))).toEqual([]);
  });
});
