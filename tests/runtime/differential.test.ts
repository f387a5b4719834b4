// Differential testing: random schemas, data and queries run on Orbit and on DuckDB (the oracle) must agree.
//
// Each run loads a random dataset into both engines and runs one random query from the subset both
// define alike (tests/fixtures/known-differences.md lists what is avoided and why). On a mismatch
// fast-check shrinks the dataset and query and prints them with the seed; rerun one with
// ORBIT_DIFF_SEED=<seed> (and ORBIT_DIFF_PATH=<path>). ORBIT_DIFF_RUNS sets the number of queries.
import { afterAll, beforeAll, test } from 'bun:test';
import fc from 'fast-check';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Engine, resultRows, type Session } from '../../runtime/index.ts';
import { openDuckDb, type DuckDb } from '../support/duckdb.ts';
import { compareResults, datasetWithSchemaArb, insertStatements, queryArb, tableDdl, type RDataset } from '../support/random-sql.ts';

const RUNS = Number(process.env['ORBIT_DIFF_RUNS'] ?? 300);

let dir: string;
let engine: Engine;
let session: Session;
let duck: DuckDb;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'orbit-diff-'));
  engine = await Engine.open({ dataDir: dir, sync: false });
  session = engine.session();
  duck = await openDuckDb();
});

afterAll(async () => {
  duck?.close();
  await engine?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function load(ds: RDataset): Promise<void> {
  for (const t of ds.schema.tables) {
    const ddl = tableDdl(t);
    await session.execute(ddl);
    duck.exec(ddl);
    for (const insert of insertStatements(t, ds.rows[t.name] ?? [])) {
      await session.execute(insert);
      duck.exec(insert);
    }
  }
}

async function unload(ds: RDataset): Promise<void> {
  for (const t of ds.schema.tables) {
    await session.execute(`DROP TABLE IF EXISTS ${t.name}`);
    duck.exec(`DROP TABLE IF EXISTS ${t.name}`);
  }
}

const caseArb = datasetWithSchemaArb.chain((ds) => queryArb(ds.schema).map((query) => ({ ds, query })));

test(
  `Orbit agrees with DuckDB on ${RUNS} random queries`,
  async () => {
    const seed = process.env['ORBIT_DIFF_SEED'];
    const path = process.env['ORBIT_DIFF_PATH'];
    await fc.assert(
      fc.asyncProperty(caseArb, async ({ ds, query }) => {
        await load(ds);
        try {
          const expected = duck.query(query.sql);
          let actual: unknown[][];
          try {
            actual = resultRows(await session.query(query.sql));
          } catch (e) {
            throw new Error(`Orbit failed where DuckDB answered ${expected.length} rows: ${(e as Error).message}\n${query.sql}`);
          }
          const diff = compareResults(expected, actual, { ordered: query.ordered });
          if (diff) throw new Error(`${diff}\nquery: ${query.sql}`);
        } finally {
          await unload(ds);
        }
      }),
      { numRuns: RUNS, ...(seed ? { seed: Number(seed) } : {}), ...(path ? { path } : {}) },
    );
  },
  600_000,
);
