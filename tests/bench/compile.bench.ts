// Compile-time benchmark (run by hand: `bun tests/bench/compile.bench.ts`): parse + bind + optimize + physical per TPC-H query, and a cached point query.

import { readdirSync, readFileSync } from 'node:fs';
import { bindStatement } from '../../compiler/bind/index.ts';
import { catalogFromSchema } from '../../compiler/catalog/from-schema.ts';
import { parseSql } from '../../compiler/frontends/sql/index.ts';
import { CostModel, optimize } from '../../compiler/optimize/index.ts';
import { planPhysical } from '../../compiler/physical/index.ts';
import { compileSql } from '../../compiler/pipeline.ts';
import { PlanCache } from '../../compiler/plan-cache.ts';
import { TPCH_SF1_STATS } from '../fixtures/tpch/stats.ts';

const dir = new URL('../fixtures/tpch/', import.meta.url);
const { catalog } = catalogFromSchema(readFileSync(new URL('schema.sql', dir), 'utf8'), TPCH_SF1_STATS);

function measure(fn: () => void, runs: number): { median: number; p95: number } {
  for (let i = 0; i < Math.min(50, runs); i++) fn();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    fn();
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return { median: times[Math.floor(runs / 2)]!, p95: times[Math.floor(runs * 0.95)]! };
}

const fmt = (ms: number): string => `${ms.toFixed(3).padStart(8)} ms`;

const files = readdirSync(new URL('queries/', dir)).filter((f) => /^q\d+\.sql$/.test(f)).sort();
console.log('query        total median  total p95 |    parse     bind  optimize+physical (medians)');
const medians: number[] = [];
for (const f of files) {
  const sql = readFileSync(new URL(`queries/${f}`, dir), 'utf8');
  const check = compileSql(sql, catalog);
  if (check.some((r) => r.diagnostics.length > 0 || !r.physical)) {
    console.log(`${f.padEnd(8)} does not compile: ${check.flatMap((r) => r.diagnostics.map((d) => d.message)).join('; ')}`);
    continue;
  }
  const total = measure(() => compileSql(sql, catalog), 200);
  const ast = parseSql(sql).statements[0]!.ast;
  const bound = bindStatement(ast, sql, catalog).bound!;
  if (bound.kind !== 'query') continue;
  const parse = measure(() => parseSql(sql), 200);
  const bind = measure(() => bindStatement(ast, sql, catalog), 200);
  const plan = measure(() => {
    const cost = new CostModel();
    planPhysical(optimize(bound.plan, catalog, { cost }), bound.params, { cost });
  }, 200);
  medians.push(total.median);
  console.log(`${f.padEnd(8)} ${fmt(total.median)} ${fmt(total.p95)} | ${fmt(parse.median)} ${fmt(bind.median)} ${fmt(plan.median)}`);
}
medians.sort((a, b) => a - b);
if (medians.length) console.log(`median over queries: ${fmt(medians[Math.floor(medians.length / 2)]!)}  (target < 2 ms)`);

const point = 'SELECT o_totalprice, o_orderdate FROM orders WHERE o_orderkey = $1';
const cache = new PlanCache();
cache.prepareSql(point, catalog);
const miss = measure(() => compileSql(point, catalog), 2000);
const hit = measure(() => cache.prepareSql(point, catalog), 20000);
console.log(`point query, uncached   ${fmt(miss.median)} ${fmt(miss.p95)}`);
console.log(`point query, cache hit  ${fmt(hit.median)} ${fmt(hit.p95)}  (target < 0.1 ms)`);
