// Property tests of the executor: join algorithms agree, decimal sums are exact, sorts and set
// operations match reference implementations on random data with NULLs and duplicates.

import { afterAll, describe, expect, test } from 'bun:test';
import fc from 'fast-check';
import type { JoinType } from '../../compiler/ir/plan.ts';
import { type DataType, T } from '../../compiler/ir/types.ts';
import type { PhysicalPlan } from '../../compiler/physical/plan.ts';
import { openTestStore } from './support/store.ts';
import { aggregate, asc, cmp, desc, est, fn, i64, join, newColumn, refs, run, sort, text, valuesOf, window } from './support/plans.ts';

const db = openTestStore();
const txn = db.store.begin();
afterAll(async () => {
  txn.rollback();
  await db.close();
});
const key = (r: unknown[]): string => JSON.stringify(r, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v));
const multiset = (rows: unknown[][]): string[] => rows.map(key).sort();
const nullableInt = fc.option(fc.integer({ min: -3, max: 3 }), { nil: null });
const table2 = fc.array(fc.tuple(nullableInt, fc.integer({ min: 0, max: 99 })), { maxLength: 25 });

function reference(jt: JoinType, l: [number | null, number][], r: [number | null, number][]): unknown[][] {
  const out: unknown[][] = [];
  const matchedR = new Set<number>();
  for (const a of l) {
    const hits = r.map((b, j) => [b, j] as const).filter(([b]) => a[0] !== null && b[0] !== null && a[0] === b[0]);
    if (jt === 'semi') {
      if (hits.length > 0) out.push([...a]);
      continue;
    }
    if (jt === 'anti') {
      if (hits.length === 0) out.push([...a]);
      continue;
    }
    for (const [b, j] of hits) {
      out.push([...a, ...b]);
      matchedR.add(j);
    }
    if (hits.length === 0 && (jt === 'left' || jt === 'full')) out.push([...a, null, null]);
  }
  if (jt === 'right' || jt === 'full') r.forEach((b, j) => matchedR.has(j) || out.push([null, null, ...b]));
  return out;
}

describe('join algorithms agree with a reference on random data', () => {
  for (const jt of ['inner', 'left', 'right', 'full', 'semi', 'anti'] as const) {
    test(jt, () => {
      fc.assert(
        fc.property(table2, table2, fc.integer({ min: 1, max: 8 }), (l, r, batch) => {
          const want = multiset(reference(jt, l, r));
          for (const kind of ['hash-join', 'merge-join', 'nested-loop-join'] as const) {
            const lv = valuesOf([T.int32, T.int32], l, ['k', 'a']);
            const rv = valuesOf([T.int32, T.int32], r, ['k', 'b']);
            const left = kind === 'merge-join' ? sort(lv, [asc(refs(lv).k!)]) : lv;
            const right = kind === 'merge-join' ? sort(rv, [asc(refs(rv).k!)]) : rv;
            const on = kind === 'nested-loop-join' ? { residual: cmp('=', refs(lv).k!, refs(rv).k!) } : { leftKeys: [refs(lv).k!], rightKeys: [refs(rv).k!] };
            expect(multiset(run(join(kind, jt, left, right, on), txn, { batchSize: batch }))).toEqual(want);
          }
        }),
        { numRuns: 60 },
      );
    });
  }
});

describe('aggregates and sorts', () => {
  test('decimal sum and count match exact bigint arithmetic', () => {
    const D: DataType = { kind: 'decimal', precision: 18, scale: 3 };
    const val = fc.option(fc.bigInt({ min: -(10n ** 15n), max: 10n ** 15n }), { nil: null });
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 3 }), val), { minLength: 1, maxLength: 40 }), fc.integer({ min: 1, max: 7 }), (rows, batch) => {
        const text = (v: bigint): string => {
          const neg = v < 0n;
          const s = (neg ? -v : v).toString().padStart(4, '0');
          return `${neg ? '-' : ''}${s.slice(0, -3)}.${s.slice(-3)}`;
        };
        const v = valuesOf([T.int32, D], rows.map(([g, x]) => [g, x === null ? null : text(x)]), ['g', 'x']);
        const a = aggregate(v, { g: refs(v).g! }, { s: { fn: 'sum', args: [refs(v).x!], type: T.decimal }, n: { fn: 'count', args: [refs(v).x!], type: T.int64 } });
        const want = new Map<number, { s: bigint; n: number }>();
        for (const [g, x] of rows) {
          const e = want.get(g) ?? { s: 0n, n: 0 };
          if (x !== null) {
            e.s += x;
            e.n++;
          }
          want.set(g, e);
        }
        for (const [g, s, n] of run(a, txn, { batchSize: batch }) as [number, string | null, bigint][]) {
          const e = want.get(g)!;
          expect(n).toBe(BigInt(e.n));
          expect(s === null ? null : BigInt(s.replace('.', ''))).toBe(e.n === 0 ? null : e.s);
        }
      }),
      { numRuns: 100 },
    );
  });
  test('sort aggregate (runs of sorted keys, streamed) equals hash aggregate', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(nullableInt, nullableInt, fc.integer({ min: -5, max: 5 })), { maxLength: 40 }), fc.integer({ min: 1, max: 6 }), (rows, batch) => {
        const mk = (kind: 'hash-aggregate' | 'sort-aggregate'): PhysicalPlan => {
          const v = valuesOf([T.int32, T.int32, T.int32], rows, ['a', 'b', 'x']);
          const c = refs(v);
          const input = kind === 'sort-aggregate' ? sort(v, [asc(c.a!), asc(c.b!)]) : v;
          return aggregate(input, { a: c.a!, b: c.b! }, {
            s: { fn: 'sum', args: [c.x!], type: T.int64 },
            n: { fn: 'count', args: [], type: T.int64 },
            d: { fn: 'count', args: [c.x!], type: T.int64, distinct: true },
            l: { fn: 'string_agg', args: [fn('||', [c.x!, text('')], T.text), text(',')], type: T.text, orderBy: [asc(c.x!)] },
          }, kind);
        };
        expect(multiset(run(mk('sort-aggregate'), txn, { batchSize: batch }))).toEqual(multiset(run(mk('hash-aggregate'), txn, { batchSize: batch })));
      }),
      { numRuns: 100 },
    );
  });
  test('sort matches a reference comparator (direction and NULLS FIRST/LAST)', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(nullableInt, fc.option(fc.string({ maxLength: 2 }), { nil: null })), { maxLength: 40 }), fc.boolean(), fc.boolean(), fc.boolean(), (rows, d1, n1, n2) => {
        const v = valuesOf([T.int32, T.text], rows, ['a', 'b']);
        const k1 = d1 ? desc(refs(v).a!, n1) : asc(refs(v).a!, n1);
        const k2 = asc(refs(v).b!, n2);
        const got = run(sort(v, [k1, k2]), txn, { batchSize: 5 });
        const cmpNull = (x: unknown, y: unknown, nullsFirst: boolean, descending: boolean): number => {
          if (x === null || y === null) return x === y ? 0 : (x === null) === nullsFirst ? -1 : 1;
          const c = (x as number | string) < (y as number | string) ? -1 : (x as number | string) > (y as number | string) ? 1 : 0;
          return descending ? -c : c;
        };
        const want = [...rows].sort((x, y) => cmpNull(x[0], y[0], n1, d1) || cmpNull(x[1], y[1], n2, false));
        expect(got.map((r) => [r[0], r[1]])).toEqual(want.map((r) => [r[0], r[1]]));
      }),
      { numRuns: 100 },
    );
  });
  test('set operations match multiset references', () => {
    const col = fc.array(nullableInt, { maxLength: 15 });
    fc.assert(
      fc.property(col, col, fc.constantFrom('union', 'intersect', 'except'), fc.boolean(), (l, r, op, all) => {
        const plan: PhysicalPlan = { kind: 'set-op', op, all, left: valuesOf([T.int32], l.map((x) => [x]), ['x']), right: valuesOf([T.int32], r.map((x) => [x]), ['x']), schema: [newColumn('x', T.int32)], est };
        const count = (xs: (number | null)[]): Map<string, number> => {
          const m = new Map<string, number>();
          for (const x of xs) m.set(String(x), (m.get(String(x)) ?? 0) + 1);
          return m;
        };
        const cl = count(l);
        const cr = count(r);
        const want: string[] = [];
        for (const k of new Set([...cl.keys(), ...cr.keys()])) {
          const a = cl.get(k) ?? 0;
          const b = cr.get(k) ?? 0;
          const n = op === 'union' ? (all ? a + b : 1) : op === 'intersect' ? (all ? Math.min(a, b) : a > 0 && b > 0 ? 1 : 0) : all ? Math.max(0, a - b) : a > 0 && b === 0 ? 1 : 0;
          for (let i = 0; i < n; i++) want.push(k);
        }
        expect(run(plan, txn, { batchSize: 4 }).map((r) => String(r[0])).sort()).toEqual(want.sort());
      }),
      { numRuns: 150 },
    );
  });
});

describe('window frames', () => {
  test('ROWS frames with offsets match a reference per partition', () => {
    const row = fc.tuple(fc.integer({ min: 0, max: 2 }), fc.integer({ min: 0, max: 1000 }), fc.option(fc.integer({ min: -50, max: 50 }), { nil: null }));
    fc.assert(
      fc.property(fc.uniqueArray(row, { selector: (r) => r[1], maxLength: 30 }), fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 3 }), (rows, before, after) => {
        const v = valuesOf([T.int32, T.int32, T.int32], rows, ['p', 'o', 'x']);
        const c = refs(v);
        const frame = { units: 'rows' as const, start: { kind: 'preceding' as const, offset: i64(BigInt(before)) }, end: { kind: 'following' as const, offset: i64(BigInt(after)) } };
        const w = window(v, {
          s: { fn: 'sum', type: T.int64, args: [c.x!], partitionBy: [c.p!], orderBy: [asc(c.o!)], frame },
          n: { fn: 'count', type: T.int64, args: [c.x!], partitionBy: [c.p!], orderBy: [asc(c.o!)], frame },
          f: { fn: 'first_value', type: T.int32, args: [c.x!], partitionBy: [c.p!], orderBy: [asc(c.o!)], frame },
        });
        const got = new Map(run(w, txn).map((r) => [r[1] as number, r.slice(3)]));
        for (const [p, o] of rows) {
          const part = rows.filter((r) => r[0] === p).sort((a, b) => a[1] - b[1]);
          const i = part.findIndex((r) => r[1] === o);
          const frameRows = part.slice(Math.max(0, i - before), Math.min(part.length, i + after + 1));
          const xs = frameRows.map((r) => r[2]).filter((x): x is number => x !== null);
          expect(got.get(o)).toEqual([xs.length === 0 ? null : BigInt(xs.reduce((a, b) => a + b, 0)), BigInt(xs.length), frameRows[0]![2]]);
        }
      }),
      { numRuns: 100 },
    );
  });
});
