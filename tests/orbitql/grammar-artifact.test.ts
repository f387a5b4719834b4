// The precompiled OrbitQL grammar stays in step with orbitql.ohm.
//
// To regenerate compiler/frontends/orbitql/orbitql-grammar.ts after editing orbitql.ohm:
//   ORBIT_WRITE_GRAMMAR=1 ./node_modules/.bin/bun test tests/orbitql/grammar-artifact.test.ts

import { expect, test } from 'bun:test';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ohm from 'ohm-js';
import { POSTGRES_RECIPE } from '../../compiler/frontends/sql/sql-grammar.ts';

const dir = join(import.meta.dir, '..', '..', 'compiler', 'frontends', 'orbitql');

function renderGrammarModule(): string {
  // `makeRecipe` and `toRecipe` exist at run time but are missing from ohm-js's type declarations.
  const postgres = (ohm as unknown as { makeRecipe(r: unknown): ohm.Grammar }).makeRecipe(JSON.parse(POSTGRES_RECIPE));
  const namespace = { Postgres: postgres, Sql: postgres.superGrammar } as unknown as ohm.Namespace;
  const grammar = ohm.grammar(readFileSync(join(dir, 'orbitql.ohm'), 'utf8'), namespace) as unknown as { toRecipe(): string };
  const recipe = JSON.parse(grammar.toRecipe()) as unknown[];
  // The parent's recipe is joined at load time from the SQL front end's, never copied here.
  recipe[3] = 'Postgres';
  return [
    '// Generated from orbitql.ohm by tests/orbitql/grammar-artifact.test.ts; do not edit (see that file to regenerate).',
    '',
    '/** Ohm recipe of the `OrbitQL` grammar without its parent (`Postgres`, joined from sql-grammar.ts at load). */',
    `export const ORBITQL_RECIPE = ${JSON.stringify(JSON.stringify(recipe))};`,
    '',
  ].join('\n');
}

test('orbitql-grammar.ts is the recipe of orbitql.ohm', () => {
  const expected = renderGrammarModule();
  const path = join(dir, 'orbitql-grammar.ts');
  if (process.env['ORBIT_WRITE_GRAMMAR'] === '1') writeFileSync(path, expected);
  expect(readFileSync(path, 'utf8') === expected).toBe(true);
});
