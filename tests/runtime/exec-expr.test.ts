// Executor expressions: arithmetic errors, three-valued logic, casts, functions, PostgreSQL text forms.

import { afterAll, describe, expect, test } from 'bun:test';
import { type Expr, cast, caseExpr } from '../../compiler/ir/expr.ts';
import { type DataType, T } from '../../compiler/ir/types.ts';
import { openTestStore } from './support/store.ts';
import { bool, cmp, evalExpr, fn, i32, i64, lit, num, project, refs, run, text, valuesOf } from './support/plans.ts';

const db = openTestStore();
const txn = db.store.begin();
afterAll(async () => {
  txn.rollback();
  await db.close();
});
const ev = (e: Expr, params: unknown[] = []): unknown => evalExpr(e, txn, params);
const sqlstate = (f: () => unknown): string | undefined => {
  try {
    f();
  } catch (e) {
    return (e as { sqlstate?: string }).sqlstate;
  }
  return undefined;
};
const message = (f: () => unknown): string => {
  try {
    f();
  } catch (e) {
    return (e as Error).message;
  }
  return '';
};
const castTo = (e: Expr, t: DataType): Expr => cast(e, t, false);

describe('arithmetic', () => {
  test('integer arithmetic truncates division and checks overflow', () => {
    expect(ev(fn('/', [i32(7), i32(2)], T.int32))).toBe(3);
    expect(ev(fn('/', [i32(-7), i32(2)], T.int32))).toBe(-3);
    expect(ev(fn('%', [i32(-7), i32(2)], T.int32))).toBe(-1);
    expect(sqlstate(() => ev(fn('+', [i32(2147483647), i32(1)], T.int32)))).toBe('22003');
    expect(message(() => ev(fn('*', [i32(65536), i32(65536)], T.int32)))).toBe('integer out of range');
    expect(sqlstate(() => ev(fn('/', [i32(1), i32(0)], T.int32)))).toBe('22012');
    expect(message(() => ev(fn('/', [i32(1), i32(0)], T.int32)))).toBe('division by zero');
  });
  test('bigint arithmetic is exact beyond 2^53 and overflows at 2^63', () => {
    expect(ev(fn('+', [i64(9007199254740993n), i64(2n)], T.int64))).toBe(9007199254740995n);
    expect(sqlstate(() => ev(fn('*', [i64(4294967296n), i64(4294967296n)], T.int64)))).toBe('22003');
    expect(ev(fn('*', [i64(3037000499n), i64(3037000499n)], T.int64))).toBe(9223372030926249001n);
  });
  test('numeric arithmetic keeps exact scales', () => {
    expect(ev(fn('+', [num('1.10'), num('2.205')], T.decimal))).toBe('3.305');
    expect(ev(fn('*', [num('1.10'), num('2.5')], T.decimal))).toBe('2.750');
    expect(ev(fn('/', [num('1'), num('3')], T.decimal))).toBe('0.33333333333333333333');
    expect(ev(fn('/', [num('10'), num('4')], T.decimal))).toBe('2.5000000000000000');
    expect(ev(fn('-', [num('0.1'), num('0.3')], T.decimal))).toBe('-0.2');
    expect(ev(fn('*', [num('123456789012.34'), num('98765432109.87')], T.decimal))).toBe('12193263113700810839665.7958');
    expect(sqlstate(() => ev(fn('/', [num('1.5'), num('0')], T.decimal)))).toBe('22012');
  });
  test('float division by zero is an error, overflow too', () => {
    expect(sqlstate(() => ev(fn('/', [lit(1, T.float64), lit(0, T.float64)], T.float64)))).toBe('22012');
    expect(sqlstate(() => ev(fn('*', [lit(1e308, T.float64), lit(10, T.float64)], T.float64)))).toBe('22003');
    expect(ev(fn('/', [lit(1, T.float64), lit(4, T.float64)], T.float64))).toBe(0.25);
  });
  test('unary minus of the smallest integer overflows', () => {
    expect(sqlstate(() => ev(fn('neg', [i32(-2147483648)], T.int32)))).toBe('22003');
    expect(ev(fn('neg', [num('1.50')], T.decimal))).toBe('-1.50');
  });
  test('null operands give null', () => {
    expect(ev(fn('+', [i32(null), i32(1)], T.int32))).toBeNull();
    expect(ev(fn('/', [i32(null), i32(0)], T.int32))).toBeNull();
  });
});

describe('three-valued logic', () => {
  const N = bool(null);
  const Tr = bool(true);
  const F = bool(false);
  const and = (a: Expr, b: Expr): Expr => fn('and', [a, b], T.bool);
  const or = (a: Expr, b: Expr): Expr => fn('or', [a, b], T.bool);
  test('AND', () => {
    expect(ev(and(Tr, N))).toBeNull();
    expect(ev(and(F, N))).toBe(false);
    expect(ev(and(N, F))).toBe(false);
    expect(ev(and(Tr, Tr))).toBe(true);
    expect(ev(and(N, N))).toBeNull();
  });
  test('OR', () => {
    expect(ev(or(Tr, N))).toBe(true);
    expect(ev(or(N, Tr))).toBe(true);
    expect(ev(or(F, N))).toBeNull();
    expect(ev(or(F, F))).toBe(false);
  });
  test('NOT and null tests', () => {
    expect(ev(fn('not', [N], T.bool))).toBeNull();
    expect(ev(fn('not', [F], T.bool))).toBe(true);
    expect(ev(fn('is_null', [N], T.bool))).toBe(true);
    expect(ev(fn('is_not_null', [i32(null)], T.bool))).toBe(false);
    expect(ev(fn('is_distinct_from', [i32(null), i32(null)], T.bool))).toBe(false);
    expect(ev(fn('is_distinct_from', [i32(1), i32(null)], T.bool))).toBe(true);
    expect(ev(fn('is_not_distinct_from', [i32(2), i32(2)], T.bool))).toBe(true);
  });
  test('AND does not evaluate its right side where the left is false', () => {
    const guarded = and(cmp('<>', i32(0), i32(0)), cmp('>', fn('/', [i32(10), i32(0)], T.int32), i32(1)));
    expect(ev(guarded)).toBe(false);
  });
  test('IN lists with nulls', () => {
    expect(ev(fn('in', [i32(1), i32(2), i32(1)], T.bool))).toBe(true);
    expect(ev(fn('in', [i32(1), i32(2), i32(null)], T.bool))).toBeNull();
    expect(ev(fn('in', [i32(null), i32(2)], T.bool))).toBeNull();
    expect(ev(fn('in', [i32(3), i32(2), i32(4)], T.bool))).toBe(false);
  });
  test('comparisons of nulls are null', () => {
    expect(ev(cmp('=', i32(null), i32(null)))).toBeNull();
    expect(ev(cmp('<', text('a'), text('b')))).toBe(true);
    expect(ev(cmp('=', num('1.50'), num('1.5')))).toBe(true);
    expect(ev(cmp('<', num('1.49'), num('1.5')))).toBe(true);
  });
});

describe('CASE, COALESCE and friends', () => {
  test('CASE takes the first true branch and only evaluates it', () => {
    const e = caseExpr([{ when: cmp('=', i32(0), i32(0)), then: i32(1) }, { when: bool(true), then: fn('/', [i32(1), i32(0)], T.int32) }], i32(3), T.int32);
    expect(ev(e)).toBe(1);
    const e2 = caseExpr([{ when: bool(null), then: i32(1) }], undefined, T.int32);
    expect(ev(e2)).toBeNull();
    const e3 = caseExpr([{ when: bool(false), then: num('1.5') }], num('2.25'), T.decimal);
    expect(ev(e3)).toBe('2.25');
  });
  test('coalesce, nullif, greatest, least', () => {
    expect(ev(fn('coalesce', [i32(null), i32(null), i32(3)], T.int32))).toBe(3);
    expect(ev(fn('coalesce', [text(null), text('x')], T.text))).toBe('x');
    expect(ev(fn('nullif', [i32(1), i32(1)], T.int32))).toBeNull();
    expect(ev(fn('nullif', [i32(1), i32(2)], T.int32))).toBe(1);
    expect(ev(fn('greatest', [i32(1), i32(null), i32(5)], T.int32))).toBe(5);
    expect(ev(fn('least', [text('b'), text('a')], T.text))).toBe('a');
  });
});

describe('casts', () => {
  test('text to integer with PostgreSQL errors', () => {
    expect(ev(castTo(text(' 42 '), T.int32))).toBe(42);
    expect(sqlstate(() => ev(castTo(text('x'), T.int32)))).toBe('22P02');
    expect(message(() => ev(castTo(text('x'), T.int32)))).toBe('invalid input syntax for type integer: "x"');
    expect(message(() => ev(castTo(text('99999999999'), T.int32)))).toBe('value "99999999999" is out of range for type integer');
    expect(ev(castTo(text('12345678901234'), T.int64))).toBe(12345678901234n);
  });
  test('numeric rounding and typmods', () => {
    expect(ev(castTo(num('2.345'), { kind: 'decimal', precision: 10, scale: 2 }))).toBe('2.35');
    expect(ev(castTo(num('-2.345'), { kind: 'decimal', precision: 10, scale: 2 }))).toBe('-2.35');
    expect(sqlstate(() => ev(castTo(num('1234.5'), { kind: 'decimal', precision: 4, scale: 1 })))).toBe('22003');
    expect(ev(castTo(num('2.5'), T.int32))).toBe(3);
    expect(ev(castTo(lit(2.5, T.float64), T.int32))).toBe(2);
    expect(ev(castTo(lit(3.5, T.float64), T.int32))).toBe(4);
    expect(ev(castTo(i32(7), { kind: 'decimal', precision: 5, scale: 2 }))).toBe('7.00');
    expect(ev(castTo(num('0.1'), T.float64))).toBe(0.1);
  });
  test('text forms of every scalar type', () => {
    expect(ev(castTo(lit(true, T.bool), T.text))).toBe('true');
    expect(ev(castTo(lit(1e20, T.float64), T.text))).toBe('1e+20');
    expect(ev(castTo(lit(0.1, T.float64), T.text))).toBe('0.1');
    expect(ev(castTo(lit(19723, T.date), T.text))).toBe('2024-01-01');
    expect(ev(castTo(lit(Date.UTC(2024, 0, 1, 13, 5, 9, 500) * 1000, T.timestamp), T.text))).toBe('2024-01-01 13:05:09.5');
    expect(ev(castTo(lit({ months: 14, days: 3, micros: 3_723_000_000 }, T.interval), T.text))).toBe('1 year 2 mons 3 days 01:02:03');
    expect(ev(castTo(lit({ a: 1, b: [1, 2] }, T.jsonb), T.text))).toBe('{"a": 1, "b": [1, 2]}');
    expect(ev(castTo(lit([1, null, 3], { kind: 'list', element: T.int32 }), T.text))).toBe('{1,NULL,3}');
  });
  test('text to date, timestamp, interval, bool', () => {
    expect(ev(castTo(text('2024-02-29'), T.date))).toBe(19782);
    expect(sqlstate(() => ev(castTo(text('2023-02-29'), T.date)))).toBe('22008');
    expect(ev(castTo(text('1970-01-02 00:00:01'), T.timestamp))).toBe(86_401_000_000);
    expect(ev(castTo(text('1 day 02:00:00'), T.interval))).toEqual({ months: 0, days: 1, micros: 7_200_000_000 });
    expect(ev(castTo(text('yes'), T.bool))).toBe(true);
    expect(sqlstate(() => ev(castTo(text('maybe'), T.bool)))).toBe('22P02');
  });
});

describe('string functions', () => {
  test('basics', () => {
    expect(ev(fn('length', [text('héllo')], T.int32))).toBe(5);
    expect(ev(fn('upper', [text('abc')], T.text))).toBe('ABC');
    expect(ev(fn('substring', [text('hello'), i32(2), i32(3)], T.text))).toBe('ell');
    expect(ev(fn('substring', [text('hello'), i32(0), i32(3)], T.text))).toBe('he');
    expect(ev(fn('position', [text('lo'), text('hello')], T.int32))).toBe(4);
    expect(ev(fn('strpos', [text('hello'), text('z')], T.int32))).toBe(0);
    expect(ev(fn('btrim', [text('xxhixx'), text('x')], T.text))).toBe('hi');
    expect(ev(fn('trim', [text('  hi  ')], T.text))).toBe('hi');
    expect(ev(fn('replace', [text('a-b-c'), text('-'), text('+')], T.text))).toBe('a+b+c');
    expect(ev(fn('concat', [text('a'), i32(null), i32(1)], T.text))).toBe('a1');
    expect(ev(fn('concat_ws', [text(','), text('a'), text(null), text('b')], T.text))).toBe('a,b');
    expect(ev(fn('||', [text('a'), text(null)], T.text))).toBeNull();
    expect(ev(fn('||', [text('n='), i32(3)], T.text))).toBe('n=3');
    expect(ev(fn('split_part', [text('a,b,c'), text(','), i32(2)], T.text))).toBe('b');
    expect(ev(fn('split_part', [text('a,b,c'), text(','), i32(-1)], T.text))).toBe('c');
    expect(ev(fn('regexp_replace', [text('foo bar'), text('(o+)'), text('[\\1]')], T.text))).toBe('f[oo] bar');
    expect(ev(fn('regexp_replace', [text('aaa'), text('a'), text('b'), text('g')], T.text))).toBe('bbb');
    expect(ev(fn('left', [text('hello'), i32(-2)], T.text))).toBe('hel');
    expect(ev(fn('right', [text('hello'), i32(2)], T.text))).toBe('lo');
    expect(ev(fn('lpad', [text('7'), i32(3), text('0')], T.text))).toBe('007');
    expect(ev(fn('rpad', [text('abcd'), i32(2)], T.text))).toBe('ab');
  });
  test('LIKE with wildcards and escapes', () => {
    expect(ev(fn('like', [text('hello'), text('h%o')], T.bool))).toBe(true);
    expect(ev(fn('like', [text('hello'), text('h_llo')], T.bool))).toBe(true);
    expect(ev(fn('like', [text('50%'), text('50\\%')], T.bool))).toBe(true);
    expect(ev(fn('like', [text('500'), text('50\\%')], T.bool))).toBe(false);
    expect(ev(fn('ilike', [text('HeLLo'), text('hel%')], T.bool))).toBe(true);
    expect(ev(fn('like', [text('a.b'), text('a.b')], T.bool))).toBe(true);
    expect(ev(fn('like', [text('axb'), text('a.b')], T.bool))).toBe(false);
    expect(ev(fn('like', [text(null), text('%')], T.bool))).toBeNull();
  });
});

describe('math functions', () => {
  test('round, trunc, ceil, floor, abs, mod, power, sqrt, sign', () => {
    expect(ev(fn('round', [num('2.5')], T.decimal))).toBe('3');
    expect(ev(fn('round', [num('-2.5')], T.decimal))).toBe('-3');
    expect(ev(fn('round', [num('3.14159'), i32(2)], T.decimal))).toBe('3.14');
    expect(ev(fn('round', [num('1234.5'), i32(-2)], T.decimal))).toBe('1200');
    expect(ev(fn('round', [lit(2.5, T.float64)], T.float64))).toBe(2);
    expect(ev(fn('trunc', [num('-3.99')], T.decimal))).toBe('-3');
    expect(ev(fn('ceil', [num('-3.5')], T.decimal))).toBe('-3');
    expect(ev(fn('floor', [num('-3.5')], T.decimal))).toBe('-4');
    expect(ev(fn('abs', [i32(-4)], T.int32))).toBe(4);
    expect(ev(fn('mod', [i32(10), i32(3)], T.int32))).toBe(1);
    expect(ev(fn('power', [lit(2, T.float64), lit(10, T.float64)], T.float64))).toBe(1024);
    expect(ev(fn('sqrt', [lit(16, T.float64)], T.float64))).toBe(4);
    expect(sqlstate(() => ev(fn('sqrt', [lit(-1, T.float64)], T.float64)))).toBe('2201F');
    expect(ev(fn('sign', [num('-0.5')], T.decimal))).toBe('-1');
    const r = ev(fn('random', [], T.float64)) as number;
    expect(r >= 0 && r < 1).toBe(true);
  });
});

describe('date and time', () => {
  const ts = (s: string): Expr => lit(Date.parse(s + 'Z') * 1000, T.timestamp);
  const iv = (months: number, days: number, micros: number): Expr => lit({ months, days, micros }, T.interval);
  test('interval arithmetic', () => {
    expect(ev(castTo(fn('+', [ts('2024-01-31T00:00:00'), iv(1, 0, 0)], T.timestamp), T.text))).toBe('2024-02-29 00:00:00');
    expect(ev(castTo(fn('-', [lit(10561, T.date), iv(0, 90, 0)], T.timestamp), T.text))).toBe('1998-09-02 00:00:00');
    expect(ev(fn('+', [lit(0, T.date), i32(31)], T.date))).toBe(31);
    expect(ev(fn('-', [lit(31, T.date), lit(1, T.date)], T.int32))).toBe(30);
    expect(ev(castTo(fn('-', [ts('2024-01-02T03:00:00'), ts('2024-01-01T00:00:00')], T.interval), T.text))).toBe('1 day 03:00:00');
  });
  test('date_trunc, extract, date_part, age, to_char, now', () => {
    expect(ev(castTo(fn('date_trunc', [text('month'), ts('2024-05-17T10:11:12')], T.timestamp), T.text))).toBe('2024-05-01 00:00:00');
    expect(ev(castTo(fn('date_trunc', [text('week'), ts('2024-05-17T10:11:12')], T.timestamp), T.text))).toBe('2024-05-13 00:00:00');
    expect(ev(fn('extract', [text('year'), ts('2024-05-17T10:11:12')], T.decimal))).toBe('2024');
    expect(ev(fn('extract', [text('dow'), lit(19860, T.date)], T.decimal))).toBe('5');
    expect(ev(fn('date_part', [text('second'), ts('2024-05-17T10:11:12.5')], T.float64))).toBe(12.5);
    expect(ev(castTo(fn('age', [ts('2024-03-01T00:00:00'), ts('2023-01-15T00:00:00')], T.interval), T.text))).toBe('1 year 1 mon 15 days');
    expect(ev(fn('to_char', [ts('2024-05-07T14:05:09'), text('YYYY-MM-DD HH24:MI:SS')], T.text))).toBe('2024-05-07 14:05:09');
    expect(ev(fn('to_char', [ts('2024-05-07T14:05:09'), text('Mon DD, YYYY HH12 AM')], T.text))).toBe('May 07, 2024 02 PM');
    expect(ev(fn('to_char', [ts('2024-05-07T14:05:09'), text('FMMonth FMDD Day')], T.text))).toBe('May 7 Tuesday  ');
    expect(ev(castTo(fn('now', [], T.timestamptz), T.text))).toBe('2024-01-15 12:30:00+00');
    expect(ev(castTo(fn('current_date', [], T.date), T.text))).toBe('2024-01-15');
  });
});

describe('json', () => {
  const doc = lit({ a: { b: [10, 20] }, s: 'x' }, T.jsonb);
  test('operators and builders', () => {
    expect(ev(fn('->', [doc, text('a')], T.jsonb))).toEqual({ b: [10, 20] });
    expect(ev(fn('->>', [doc, text('s')], T.text))).toBe('x');
    expect(ev(fn('#>', [doc, lit(['a', 'b', '1'], { kind: 'list', element: T.text })], T.jsonb))).toBe(20);
    expect(ev(fn('#>>', [doc, lit(['a', 'b'], { kind: 'list', element: T.text })], T.text))).toBe('[10,20]');
    expect(ev(fn('->', [doc, text('missing')], T.jsonb))).toBeNull();
    expect(ev(fn('jsonb_build_object', [text('k'), i32(1), text('d'), num('1.5')], T.jsonb))).toEqual({ k: 1, d: 1.5 });
    expect(ev(fn('to_json', [text('hi')], T.json))).toBe('hi');
    expect(ev(fn('@>', [doc, lit({ s: 'x' }, T.jsonb)], T.bool))).toBe(true);
  });
});

describe('parameters', () => {
  test('params are read from the context', () => {
    expect(ev(fn('+', [{ kind: 'param', index: 1, type: T.int32, nullable: true }, i32(1)], T.int32), [41])).toBe(42);
  });
});

describe('fused numeric expression trees', () => {
  const D2: DataType = { kind: 'decimal', precision: 15, scale: 2 };
  const rowsOf = (types: DataType[], rows: unknown[][], make: (c: Record<string, Expr>) => Expr): unknown[] => {
    const v = valuesOf(types, rows, types.map((_, j) => `c${j}`));
    return run(project(v, { r: make(refs(v)) }), txn).map((r) => r[0]);
  };
  test('decimal charge expression is exact, nulls propagate', () => {
    const got = rowsOf([D2, D2, D2], [['901.23', '0.05', '0.08'], ['0.01', '0.00', '0.00'], [null, '0.01', '0.02'], ['99999999.99', '0.10', '0.08']], (c) =>
      fn('*', [fn('*', [c.c0!, fn('-', [num('1'), c.c1!], T.decimal)], T.decimal), fn('+', [num('1'), c.c2!], T.decimal)], T.decimal));
    expect(got).toEqual(['924.661980', '0.010000', null, '97199999.990280']);
  });
  test('integer overflow inside a fused tree still raises 22003; null rows never raise', () => {
    expect(() => rowsOf([T.int32, T.int32], [[2147483647, 1], [1, 1]], (c) => fn('*', [fn('+', [c.c0!, c.c1!], T.int32), i32(2)], T.int32))).toThrow('integer out of range');
    expect(rowsOf([T.int32, T.int32], [[null, 0], [6, 3]], (c) => fn('+', [fn('/', [c.c0!, c.c1!], T.int32), i32(1)], T.int32))).toEqual([null, 3]);
  });
  test('bigint trees leave the exact float range for bigint', () => {
    expect(rowsOf([T.int64], [[2305843009213693952n], [3n]], (c) => fn('+', [fn('+', [c.c0!, i64(1000n)], T.int64), c.c0!], T.int64))).toEqual([4611686018427388904n, 1006n]);
    expect(() => rowsOf([T.int64], [[4611686018427387904n]], (c) => fn('+', [fn('+', [c.c0!, c.c0!], T.int64), i64(-1n)], T.int64))).toThrow('bigint out of range');
  });
  test('comparison over arithmetic with mixed decimal scales', () => {
    expect(rowsOf([D2, T.int32], [['1.50', 1], ['0.99', 1], [null, 1]], (c) => cmp('>', fn('*', [c.c0!, num('2.0')], T.decimal), fn('+', [cast(c.c1!, T.decimal, true), num('1.5')], T.decimal)))).toEqual([true, false, null]);
  });
  test('float trees and date arithmetic', () => {
    expect(rowsOf([T.float64, T.float64], [[1.5, 2], [3, 0.5]], (c) => fn('-', [fn('*', [c.c0!, c.c1!], T.float64), lit(1, T.float64)], T.float64))).toEqual([2, 0.5]);
    expect(() => rowsOf([T.float64, T.float64], [[1.5, 0]], (c) => fn('+', [fn('/', [c.c0!, c.c1!], T.float64), lit(1, T.float64)], T.float64))).toThrow('division by zero');
  });
});

describe('interval text form', () => {
  const show = (months: number, days: number, micros: number): unknown => evalExpr(cast(lit({ months, days, micros }, T.interval), T.text, false), txn);
  test('signs and plurals as PostgreSQL prints them', () => {
    expect(show(0, -1, 0)).toBe('-1 days');
    expect(show(0, 1, -3_600_000_000)).toBe('1 day -01:00:00');
    expect(show(0, -1, 3_600_000_000)).toBe('-1 days +01:00:00');
    expect(show(-14, 0, 0)).toBe('-1 years -2 mons');
    expect(show(0, 0, 0)).toBe('00:00:00');
    expect(show(0, 0, 1_500_000)).toBe('00:00:01.5');
  });
});

describe('extract returns numeric with PostgreSQL scales', () => {
  const ts = lit(Date.UTC(2024, 4, 17, 10, 11, 12, 500) * 1000, T.timestamp);
  test('second, millisecond, epoch', () => {
    expect(ev(fn('extract', [text('second'), ts], T.decimal))).toBe('12.500000');
    expect(ev(fn('extract', [text('milliseconds'), ts], T.decimal))).toBe('12500.000');
    expect(ev(fn('extract', [text('epoch'), ts], T.decimal))).toBe('1715940672.500000');
    expect(ev(fn('extract', [text('epoch'), lit(1, T.date)], T.decimal))).toBe('86400');
    expect(ev(fn('extract', [text('quarter'), ts], T.decimal))).toBe('2');
  });
});

describe('IN over literal lists (hash probe)', () => {
  test('hits, misses and NULL semantics', () => {
    const list = (extra: Expr[]): Expr[] => [text('MAIL'), text('SHIP'), text('AIR'), text('RAIL'), ...extra];
    const v = valuesOf([T.text], [['AIR'], ['TRUCK'], [null]], ['m']);
    const m = refs(v).m!;
    expect(run(project(v, { r: fn('in', [m, ...list([])], T.bool) }), txn).map((r) => r[0])).toEqual([true, false, null]);
    expect(run(project(v, { r: fn('in', [m, ...list([text(null)])], T.bool) }), txn).map((r) => r[0])).toEqual([true, null, null]);
    const n = valuesOf([T.int64], [[3n], [7n]], ['k']);
    expect(run(project(n, { r: fn('in', [refs(n).k!, i64(1n), i64(2n), i64(3n), i64(4n)], T.bool) }), txn).map((r) => r[0])).toEqual([true, false]);
  });
});

describe('to_char for numbers', () => {
  const tc = (v: Expr, f: string): unknown => ev(fn('to_char', [v, text(f)], T.text));
  test('digit masks, group separators, sign, FM and overflow', () => {
    expect(tc(num('1234.5'), '9,999.99')).toBe(' 1,234.50');
    expect(tc(num('-12.345'), '999.99')).toBe(' -12.35');
    expect(tc(i32(7), '000')).toBe(' 007');
    expect(tc(i32(0), '999')).toBe('   0');
    expect(tc(num('3.10'), 'FM999.99')).toBe('3.1');
    expect(tc(num('12345'), '999')).toBe(' ###');
  });
});
