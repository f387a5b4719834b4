// All 22 TPC-H queries bind against the TPC-H schema without diagnostics, with the result types PostgreSQL gives.

import { describe, expect, test } from 'bun:test';
import { readFileSync } from 'node:fs';
import { typeName } from '../../compiler/ir/types.ts';
import { bindSql, TPCH_DIR, tpchCatalog } from './bind-support.ts';

const catalog = tpchCatalog();
const query = (n: number): string => readFileSync(`${TPCH_DIR}queries/q${String(n).padStart(2, '0')}.sql`, 'utf8');

function resultTypes(n: number): string[] {
  const r = bindSql(query(n), catalog);
  expect(r.diagnostics.map((d) => d.message)).toEqual([]);
  if (r.bound?.kind !== 'query') throw new Error(`q${n} did not bind to a query`);
  return r.bound.plan.schema.map((c) => `${c.name}:${typeName(c.type)}`);
}

describe('TPC-H queries bind', () => {
  for (let n = 1; n <= 22; n++) {
    test(`q${String(n).padStart(2, '0')} binds without diagnostics`, () => {
      expect(resultTypes(n).length).toBeGreaterThan(0);
    });
  }

  test('q01 result types: sums of numeric stay numeric, count is bigint', () => {
    expect(resultTypes(1)).toEqual([
      'l_returnflag:character(1)',
      'l_linestatus:character(1)',
      'sum_qty:numeric',
      'sum_base_price:numeric',
      'sum_disc_price:numeric',
      'sum_charge:numeric',
      'avg_qty:numeric',
      'avg_price:numeric',
      'avg_disc:numeric',
      'count_order:bigint',
    ]);
  });

  test('q13 counts through a derived table with column aliases', () => {
    expect(resultTypes(13)).toEqual(['c_count:bigint', 'custdist:bigint']);
  });

  test('q22 substring of char(15) is text', () => {
    expect(resultTypes(22)).toEqual(['cntrycode:text', 'numcust:bigint', 'totacctbal:numeric']);
  });
});
