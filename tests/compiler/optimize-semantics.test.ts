// Property: an optimized plan returns the same rows as the plan the binder produced, on random data and queries, run by the real executor.

import { afterAll, expect, test } from 'bun:test';
import fc from 'fast-check';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { printLogical } from '../../compiler/ir/print.ts';
import type { BoundStatement } from '../../compiler/ir/plan.ts';
import { planPhysical } from '../../compiler/physical/index.ts';
import type { PhysicalQuery } from '../../compiler/physical/plan.ts';
import { compileSql } from '../../compiler/pipeline.ts';
import { batchRows, executeQuery } from '../../runtime/exec/index.ts';
import { Store } from '../../runtime/storage/index.ts';
import { compareResults, datasetWithSchemaArb, insertStatements, queryArb, tableDdl } from '../support/random-sql.ts';

const dir = mkdtempSync(join(tmpdir(), 'orbit-optimize-'));
const store = Store.open(dir, { noSync: true });

afterAll(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

async function run(q: PhysicalQuery): Promise<unknown[][]> {
  const txn = store.begin();
  try {
    const rows = executeQuery(q, { txn, params: [], now: Date.UTC(2024, 0, 15) * 1000 }).toArray().flatMap((b) => batchRows(b));
    await txn.commit();
    return rows;
  } catch (e) {
    txn.rollback();
    throw e;
  }
}

let datasets = 0;
let compared = 0;

test('optimized plans return the rows of the unoptimized ones (random schemas, data and queries)', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.tuple(datasetWithSchemaArb, fc.integer()),
      async ([ds, seed]) => {
        // Eight different queries per dataset (an array of the query arbitrary repeats one query).
        const queries = fc.sample(queryArb(ds.schema), { numRuns: 8, seed });
        // Each dataset gets its own table names: DDL is durable and shrinking re-runs datasets.
        const suffix = `_${datasets++}`;
        const rename = (sql: string): string => sql.replace(/\bt(\d)\b/g, `t$1${suffix}`);
        for (const t of ds.schema.tables) {
          const bound = compileSql(rename(tableDdl(t)), store.catalog)[0]?.bound as Extract<BoundStatement, { kind: 'create-table' }>;
          await store.createTable({ name: bound.name, columns: bound.columns, primaryKey: bound.primaryKey });
          for (const insert of insertStatements(t, ds.rows[t.name] ?? [])) await run(compileSql(rename(insert), store.catalog)[0]!.physical!);
        }
        for (const q of queries) {
          const sql = rename(q.sql);
          const [r] = compileSql(sql, store.catalog);
          if (!r?.physical || r.bound?.kind !== 'query') continue;
          let expected: unknown[][];
          try {
            expected = await run(planPhysical(r.logical!, r.bound.params));
          } catch {
            // A run-time error of the query itself (the generator avoids them, not always).
            continue;
          }
          const actual = await run(r.physical);
          if (expected.length > 0) compared++;
          const diff = compareResults(expected, actual, { ordered: q.ordered });
          if (diff) throw new Error(`${diff}\n${sql}\n${printLogical(r.logical!)}\n=== optimized ===\n${printLogical(r.optimized!)}`);
        }
      },
    ),
    { numRuns: 30 },
  );
  expect(datasets).toBeGreaterThanOrEqual(25);
  // Most queries must return rows, or the comparison proves little.
  expect(compared).toBeGreaterThan(60);
}, 300_000);
