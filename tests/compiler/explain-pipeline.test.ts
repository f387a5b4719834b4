// compileSql: a script runs statement by statement through parse → bind → optimize → physical, reporting mistakes as diagnostics.

import { expect, test } from 'bun:test';
import { readFileSync } from 'node:fs';
import { catalogFromSchema } from '../../compiler/catalog/from-schema.ts';
import { explainText } from '../../compiler/explain/index.ts';
import { printLogical } from '../../compiler/ir/print.ts';
import { compileSql } from '../../compiler/pipeline.ts';
import { TPCH_SF1_STATS } from '../fixtures/tpch/stats.ts';

const { catalog } = catalogFromSchema(readFileSync(new URL('../fixtures/tpch/schema.sql', import.meta.url), 'utf8'), TPCH_SF1_STATS);

test('each statement of a script comes back with its own stages or diagnostics, in source order', () => {
  const script = [
    'SELECT n_name FROM nation WHERE n_nationkey = 3',
    'SELEC oops',
    'SELECT nope FROM orders',
    'CREATE TABLE t (a int)',
    'EXPLAIN SELECT o_totalprice FROM orders WHERE o_orderkey = 42',
  ].join(';\n');
  const out = compileSql(script, catalog);
  expect(out.map((r) => r.text)).toEqual(script.split(';\n'));
  const [ok, syntax, unknown, ddl, explain] = out;
  expect(ok!.diagnostics).toEqual([]);
  // The scan reads only n_name, so the projection over it is the identity and disappears.
  expect(printLogical(ok!.optimized!)).toBe('Scan nation index=nation_pkey eq=[3] [schema: n_name:char(25)]');
  expect(explainText(ok!.physical!)).toBe('Index Scan using nation_pkey on nation key eq=[3] (rows=1 cost=6.75)');
  expect(syntax!.diagnostics.map((d) => d.code)).toEqual(['syntax_error']);
  expect(syntax!.bound).toBeUndefined();
  expect(unknown!.diagnostics.map((d) => [d.code, script.slice(d.span.start, d.span.end)])).toEqual([['undefined_column', 'nope']]);
  expect(unknown!.logical).toBeUndefined();
  expect(ddl!.bound?.kind).toBe('create-table');
  expect(ddl!.physical).toBeUndefined();
  expect(explain!.bound?.kind).toBe('explain');
  expect(explain!.physical?.plan.kind).toBe('index-scan');
});

test('plan: false stops after binding', () => {
  const [r] = compileSql('SELECT count(*) FROM lineitem', catalog, { plan: false });
  expect(r!.bound?.kind).toBe('query');
  expect(r!.optimized).toBeUndefined();
  expect(r!.physical).toBeUndefined();
});
