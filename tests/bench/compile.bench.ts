// Compile-time benchmark (run by hand: `bun tests/bench/compile.bench.ts`): parse + bind + optimize + physical per TPC-H query, and a cached point query.
//
// Every timed run compiles its text from scratch: no plan cache, and fresh trees at every stage, so no
// memo an earlier run left on its trees is reused. Every query is compiled a few rounds before any is
// timed, so the figures are those of a warmed-up process, not of the JIT still compiling the compiler.

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

const RUNS = 200;
const WARM_ROUNDS = 20;

function median(times: number[]): number {
  return [...times].sort((a, b) => a - b)[Math.floor(times.length / 2)]!;
}

function p95(times: number[]): number {
  return [...times].sort((a, b) => a - b)[Math.floor(times.length * 0.95)]!;
}

function measure(fn: () => void, runs: number): { median: number; p95: number } {
  for (let i = 0; i < Math.min(50, runs); i++) fn();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    fn();
    times.push(performance.now() - t0);
  }
  return { median: median(times), p95: p95(times) };
}

/** Medians of the three stages, each run on the fresh output of the one before. */
function measureStages(sql: string, runs: number): { parse: number; bind: number; plan: number } {
  const parse: number[] = [];
  const bind: number[] = [];
  const plan: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    const ast = parseSql(sql).statements[0]!.ast;
    const t1 = performance.now();
    const bound = bindStatement(ast, sql, catalog).bound!;
    const t2 = performance.now();
    if (bound.kind === 'query') {
      const cost = new CostModel();
      planPhysical(optimize(bound.plan, catalog, { cost }), bound.params, { cost });
    }
    const t3 = performance.now();
    parse.push(t1 - t0);
    bind.push(t2 - t1);
    plan.push(t3 - t2);
  }
  return { parse: median(parse), bind: median(bind), plan: median(plan) };
}

const fmt = (ms: number): string => `${ms.toFixed(3).padStart(8)} ms`;

const queries: { file: string; sql: string }[] = [];
for (const file of readdirSync(new URL('queries/', dir)).filter((f) => /^q\d+\.sql$/.test(f)).sort()) {
  const sql = readFileSync(new URL(`queries/${file}`, dir), 'utf8');
  const check = compileSql(sql, catalog);
  if (check.some((r) => r.diagnostics.length > 0 || !r.physical)) {
    console.log(`${file.padEnd(8)} does not compile: ${check.flatMap((r) => r.diagnostics.map((d) => d.message)).join('; ')}`);
    continue;
  }
  queries.push({ file, sql });
}
for (let r = 0; r < WARM_ROUNDS; r++) for (const q of queries) compileSql(q.sql, catalog);

console.log('query        total median  total p95 |    parse     bind  optimize+physical (medians)');
const medians: number[] = [];
for (const { file, sql } of queries) {
  const total = measure(() => compileSql(sql, catalog), RUNS);
  const stages = measureStages(sql, RUNS);
  medians.push(total.median);
  console.log(`${file.padEnd(8)} ${fmt(total.median)} ${fmt(total.p95)} | ${fmt(stages.parse)} ${fmt(stages.bind)} ${fmt(stages.plan)}`);
}
if (medians.length) console.log(`median over queries: ${fmt(median(medians))}  (target < 2 ms)`);

const point = 'SELECT o_totalprice, o_orderdate FROM orders WHERE o_orderkey = $1';
const cache = new PlanCache();
cache.prepareSql(point, catalog);
const miss = measure(() => compileSql(point, catalog), 2000);
const hit = measure(() => cache.prepareSql(point, catalog), 20000);
console.log(`point query, uncached   ${fmt(miss.median)} ${fmt(miss.p95)}`);
console.log(`point query, cache hit  ${fmt(hit.median)} ${fmt(hit.p95)}  (target < 0.1 ms)`);
