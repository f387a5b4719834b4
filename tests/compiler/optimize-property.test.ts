// Property: optimizing random logical plans over the TPC-H schema never changes the output schema, and every result plans physically.

import { expect, test } from 'bun:test';
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { catalogFromSchema } from '../../compiler/catalog/from-schema.ts';
import type { TableInfo } from '../../compiler/catalog/index.ts';
import * as b from '../../compiler/ir/build.ts';
import { call, colRef, literal, type Column, type ColumnRef, type Expr } from '../../compiler/ir/expr.ts';
import type { JoinType, LogicalPlan } from '../../compiler/ir/plan.ts';
import { printLogical, printType } from '../../compiler/ir/print.ts';
import { T, type DataType } from '../../compiler/ir/types.ts';
import { CostModel, optimize } from '../../compiler/optimize/index.ts';
import { planPhysical } from '../../compiler/physical/index.ts';
import { TPCH_SF1_STATS } from '../fixtures/tpch/stats.ts';
import { Ids, scanOf } from './optimize-fixtures.ts';

const { catalog } = catalogFromSchema(readFileSync(new URL('../fixtures/tpch/schema.sql', import.meta.url), 'utf8'), TPCH_SF1_STATS);
const TABLES = catalog.listRelations().filter((r): r is TableInfo => r.kind === 'table');

const predicate = fc.record({
  kind: fc.constantFrom('eq-cols', 'cmp-literal', 'is-null', 'or', 'not', 'exists', 'const'),
  a: fc.nat(),
  b: fc.nat(),
  v: fc.integer({ min: -5, max: 200_000 }),
  op: fc.constantFrom('=', '<', '>=', '<>'),
});

const recipe = fc.record({
  tables: fc.array(fc.nat({ max: TABLES.length - 1 }), { minLength: 1, maxLength: 6 }),
  joins: fc.array(fc.constantFrom<JoinType>('cross', 'inner', 'left', 'semi', 'anti', 'right', 'full'), { minLength: 6, maxLength: 6 }),
  joinKeys: fc.array(fc.nat(), { minLength: 6, maxLength: 6 }),
  where: fc.array(predicate, { maxLength: 6 }),
  top: fc.constantFrom('none', 'project', 'aggregate', 'sort-limit', 'distinct', 'window', 'union'),
  pick: fc.array(fc.nat(), { minLength: 3, maxLength: 3 }),
});

type Recipe = typeof recipe extends fc.Arbitrary<infer R> ? R : never;

const isComparable = (t: DataType): boolean => ['int32', 'int64', 'decimal', 'date', 'utf8'].includes(t.kind);

function literalFor(t: DataType, v: number): Expr {
  switch (t.kind) {
    case 'int32': return literal(v, T.int32);
    case 'int64': return literal(BigInt(v), T.int64);
    case 'decimal': return literal(`${v}.50`, t);
    case 'date': return literal(8035 + (v % 2500), T.date);
    default: return literal(`x${v}`, T.text);
  }
}

function build(r: Recipe): LogicalPlan {
  const ids = new Ids();
  const rels = r.tables.map((i) => scanOf(ids, TABLES[i]!));
  let plan: LogicalPlan = rels[0]!.plan;
  const nth = <X>(xs: readonly X[], n: number): X => xs[n % xs.length]!;
  for (let i = 1; i < rels.length; i++) {
    const right = rels[i]!.plan;
    const type = r.joins[i - 1]!;
    const lk = nth(plan.schema.filter((c) => c.type.kind === 'int32'), r.joinKeys[i - 1]!);
    const rk = nth(right.schema.filter((c) => c.type.kind === 'int32'), r.joinKeys[i - 1]! + 1);
    const cond = lk && rk ? call('=', [colRef(lk), colRef(rk)], T.bool) : undefined;
    plan = b.join(type === 'cross' || !cond ? 'cross' : type, plan, right, type === 'cross' ? undefined : cond);
  }
  const cols = plan.schema;
  const preds: Expr[] = [];
  let sqId = 1;
  for (const p of r.where) {
    const a = nth(cols, p.a);
    const ref = colRef(a);
    switch (p.kind) {
      case 'eq-cols': {
        const same = cols.filter((c) => c.type.kind === a.type.kind && c.id !== a.id);
        if (same.length) preds.push(call(p.op, [ref, colRef(nth(same, p.b))], T.bool));
        break;
      }
      case 'cmp-literal':
        if (isComparable(a.type)) preds.push(call(p.op, [ref, literalFor(a.type, p.v)], T.bool));
        break;
      case 'is-null':
        preds.push(call(p.v % 2 ? 'is_null' : 'is_not_null', [ref], T.bool));
        break;
      case 'or':
        if (isComparable(a.type)) preds.push(call('or', [call(p.op, [ref, literalFor(a.type, p.v)], T.bool), call('is_null', [ref], T.bool)], T.bool));
        break;
      case 'not':
        if (isComparable(a.type)) preds.push(call('not', [call(p.op, [ref, literalFor(a.type, p.v)], T.bool)], T.bool));
        break;
      case 'exists': {
        const inner = scanOf(ids, nth(TABLES, p.b));
        const ic = inner.plan.schema.find((c) => c.type.kind === a.type.kind);
        const body = ic ? b.filter(inner.plan, call('=', [colRef(ic), ref], T.bool)) : inner.plan;
        const sq: Expr = { kind: 'subquery', id: sqId++, mode: 'exists', plan: body, correlated: ic ? [a.id] : [], type: T.bool, nullable: false };
        preds.push(p.v % 2 ? call('not', [sq], T.bool) : sq);
        break;
      }
      case 'const':
        preds.push(call('=', [call('+', [literal(p.v, T.int32), literal(1, T.int32)], T.int32), literal(p.v + 1, T.int32)], T.bool));
        break;
    }
  }
  if (preds.length) plan = b.filter(plan, preds.reduce((x, y) => call('and', [x, y], T.bool)));
  const s = plan.schema;
  const [p0, p1, p2] = r.pick as [number, number, number];
  const out = (c: Column, name = c.name): Column => ({ id: ids.id(), name, type: c.type, nullable: c.nullable });
  switch (r.top) {
    case 'project': {
      const a = nth(s, p0);
      const c2 = nth(s, p1);
      return b.project(plan, [{ column: out(a), expr: colRef(a) }, { column: c2, expr: colRef(c2) }]);
    }
    case 'aggregate': {
      const g = nth(s, p0);
      const x = nth(s, p1);
      return b.aggregate(plan, [{ column: out(g), expr: colRef(g) }], [
        { column: { id: ids.id(), name: 'cnt', type: T.int64, nullable: false }, call: { fn: 'count', args: [], distinct: false, orderBy: [], type: T.int64, nullable: false } },
        { column: { id: ids.id(), name: 'mx', type: x.type, nullable: true }, call: { fn: 'max', args: [colRef(x)], distinct: false, orderBy: [], type: x.type, nullable: true } },
      ]);
    }
    case 'sort-limit':
      return b.limit(b.sort(plan, [{ expr: colRef(nth(s, p0)), descending: p1 % 2 === 0, nullsFirst: p2 % 2 === 0 }]), literal(BigInt(p2 % 50), T.int64));
    case 'distinct':
      return b.distinct(b.project(plan, [{ column: out(nth(s, p0)), expr: colRef(nth(s, p0)) }]));
    case 'window': {
      const part = nth(s, p0);
      const w = b.window(plan, [{
        column: { id: ids.id(), name: 'rn', type: T.int64, nullable: false },
        call: { fn: 'row_number', args: [], distinct: false, partitionBy: [colRef(part)], orderBy: [], frame: { units: 'range', start: { kind: 'unbounded-preceding' }, end: { kind: 'current-row' } }, type: T.int64, nullable: false },
      }]);
      return b.filter(w, call('=', [colRef(part), colRef(part)], T.bool));
    }
    case 'union': {
      const a = nth(s, p0);
      const left = b.project(plan, [{ column: out(a), expr: colRef(a) }]);
      const right = b.project(plan, [{ column: out(a), expr: colRef(a) }]);
      return b.limit(b.setOp('union', p1 % 2 === 0, left, right, [out(a, 'u')]), literal(BigInt(p2), T.int64));
    }
    default:
      return plan;
  }
}

const shape = (p: LogicalPlan): string[] => p.schema.map((c) => `${c.id}:${c.name}:${printType(c.type)}`);

test('optimizing never changes a plan’s output schema (1,000 random plans over TPC-H)', () => {
  fc.assert(
    fc.property(recipe, (r) => {
      const plan = build(r);
      const cost = new CostModel();
      const optimized = optimize(plan, catalog, { cost });
      expect(shape(optimized)).toEqual(shape(plan));
      const q = planPhysical(optimized, [], { cost });
      expect(q.plan.schema.map((c) => c.id)).toEqual(plan.schema.map((c) => c.id));
      expect(printLogical(optimized).length).toBeGreaterThan(0);
    }),
    { numRuns: 1000 },
  );
}, 120_000);
