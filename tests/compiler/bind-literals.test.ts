// Literal input syntax: compile-time conversion of constants to IR values, and overload/cast rules.

import { describe, expect, test } from 'bun:test';
import { canonicalDecimal, convertText, parseDate, parseInterval, parseTimestamp } from '../../compiler/bind/index.ts';
import { parseArrayText, roundDecimal } from '../../compiler/bind/literals.ts';
import { resolveTypeName } from '../../compiler/bind/type-name.ts';
import { canAssignCast, canImplicitCast, resolveOverload, selectCommonType, binaryOperator, lookupFunction } from '../../compiler/functions/index.ts';
import { listOf, T, typeName, type DataType } from '../../compiler/ir/types.ts';
import { intervalFromText } from '../../compiler/ir/datetime.ts';

describe('literal conversion', () => {
  test('dates are days since the epoch; invalid days are rejected', () => {
    expect(parseDate('1970-01-01')).toBe(0);
    expect(parseDate('1998-12-01')).toBe(10561);
    expect(parseDate('2000-02-29')).toBe(11016);
    expect(parseDate('1900-02-29')).toBeUndefined();
    expect(parseDate('2020-13-01')).toBeUndefined();
  });
  test('timestamps are microseconds; offsets count only with time zone, as in PostgreSQL', () => {
    expect(parseTimestamp('1970-01-01 00:00:01.5')).toBe(1_500_000);
    expect(parseTimestamp('1970-01-01T01:00:00+01:00', true)).toBe(0);
    expect(parseTimestamp('1970-01-01T01:00:00+01:00', false)).toBe(3_600_000_000);
    expect(parseTimestamp('2020-01-01')).toBe(parseDate('2020-01-01')! * 86_400_000_000);
  });
  test('intervals keep months, days and time apart', () => {
    expect(parseInterval('1 year 2 months 3 days 04:05:06')).toEqual({ months: 14, days: 3, micros: (4 * 3600 + 5 * 60 + 6) * 1_000_000 });
    expect(parseInterval('90', 'day')).toEqual({ months: 0, days: 90, micros: 0 });
    expect(parseInterval('3', 'month')).toEqual({ months: 3, days: 0, micros: 0 });
    expect(parseInterval('1.5 days')).toEqual({ months: 0, days: 1, micros: 12 * 3600 * 1_000_000 });
    expect(parseInterval('2 hours ago')).toEqual({ months: 0, days: 0, micros: -7200 * 1_000_000 });
    expect(parseInterval('nonsense')).toBeUndefined();
  });
  test('numeric text is canonical and rounds half away from zero', () => {
    expect(canonicalDecimal('1e3')).toBe('1000');
    expect(canonicalDecimal('.5')).toBe('0.5');
    expect(canonicalDecimal('-0012.50')).toBe('-12.50');
    expect(canonicalDecimal('1.5e-3')).toBe('0.0015');
    expect(roundDecimal('2.555', 2)).toBe('2.56');
    expect(roundDecimal('-2.555', 2)).toBe('-2.56');
    expect(roundDecimal('7', 2)).toBe('7.00');
  });
  test('integers check their range', () => {
    expect(convertText('32767', T.int16)).toEqual({ ok: true, value: 32767 });
    expect(convertText('32768', T.int16)).toEqual({ ok: false, error: 'range' });
    expect(convertText('9223372036854775807', T.int64)).toEqual({ ok: true, value: 9223372036854775807n });
    expect(convertText('12a', T.int32)).toEqual({ ok: false, error: 'syntax' });
  });
  test('booleans, uuids, json, arrays', () => {
    expect(convertText('yes', T.bool)).toEqual({ ok: true, value: true });
    expect(convertText('{A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11}', T.uuid)).toEqual({ ok: true, value: 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11' });
    expect(convertText('{"a": [1]}', T.jsonb)).toEqual({ ok: true, value: { a: [1] } });
    expect(convertText('{1, 2, NULL}', listOf(T.int32))).toEqual({ ok: true, value: [1, 2, null] });
    expect(parseArrayText('{"a,b",c}')).toEqual(['a,b', 'c']);
    expect(parseArrayText('1,2')).toBeUndefined();
  });
});

describe('type names', () => {
  const name = (s: string, mods: number[] = [], dims = 0): string | undefined => {
    const r = resolveTypeName(s, mods, dims);
    return r && typeName(r.type);
  };
  test('PostgreSQL aliases', () => {
    expect(name('int4')).toBe('integer');
    expect(name('double precision')).toBe('double precision');
    expect(name('float', [10])).toBe('real');
    expect(name('decimal', [15, 2])).toBe('numeric(15,2)');
    expect(name('character varying', [25])).toBe('character varying(25)');
    expect(name('char', [1])).toBe('character(1)');
    expect(name('timestamptz')).toBe('timestamp with time zone');
    expect(name('int', [], 1)).toBe('integer[]');
    expect(resolveTypeName('bigserial', [], 0)).toEqual({ type: T.int64, serial: true });
    expect(name('nosuch')).toBeUndefined();
  });
});

describe('casts and overload resolution', () => {
  const result = (op: string, a: DataType, b: DataType): string => {
    const r = resolveOverload(binaryOperator(op)!, [a, b]);
    return r.kind === 'ok' ? `${r.resolved.argTypes.map(typeName).join(',')} → ${typeName(r.resolved.result)}` : r.kind;
  };
  test('numeric promotion int2 < int4 < int8 < numeric < float4 < float8', () => {
    expect(canImplicitCast(T.int16, T.int32)).toBe(true);
    expect(canImplicitCast(T.int64, T.decimal)).toBe(true);
    expect(canImplicitCast(T.decimal, T.float32)).toBe(true);
    expect(canImplicitCast(T.float64, T.decimal)).toBe(false);
    expect(canAssignCast(T.float64, T.int32)).toBe(true);
    expect(canImplicitCast(T.int32, T.text)).toBe(false);
    expect(canAssignCast(T.int32, T.text)).toBe(true);
  });
  test('operators resolve like PostgreSQL', () => {
    expect(result('+', T.int32, T.int64)).toBe('bigint,bigint → bigint');
    expect(result('+', T.int32, T.decimal)).toBe('numeric,numeric → numeric');
    expect(result('=', T.int32, T.unknown)).toBe('integer,integer → boolean');
    expect(result('=', T.unknown, T.unknown)).toBe('text,text → boolean');
    expect(result('-', T.date, T.date)).toBe('date,date → integer');
    expect(result('+', T.date, T.interval)).toBe('date,interval → timestamp without time zone');
    expect(result('<=', T.date, T.timestamp)).toBe('timestamp without time zone,timestamp without time zone → boolean');
    expect(result('||', T.unknown, T.int32)).toBe('text,integer → text');
    expect(result('=', T.int32, T.text)).toBe('none');
  });
  test('aggregates follow PostgreSQL result types', () => {
    const agg = (fn: string, t: DataType): string => {
      const r = resolveOverload(lookupFunction(fn)!.signatures, [t]);
      return r.kind === 'ok' ? typeName(r.resolved.result) : r.kind;
    };
    expect(agg('sum', T.int32)).toBe('bigint');
    expect(agg('sum', T.int64)).toBe('numeric');
    expect(agg('avg', T.int32)).toBe('numeric');
    expect(agg('avg', T.float32)).toBe('double precision');
    expect(agg('count', T.text)).toBe('bigint');
    expect(agg('max', { kind: 'utf8', maxLength: 3 })).toBe('text');
  });
  test('common types (UNION, CASE)', () => {
    const common = (...ts: DataType[]): string => {
      const r = selectCommonType(ts);
      return 'type' in r ? typeName(r.type) : `conflict at ${r.conflict}`;
    };
    expect(common(T.int32, T.int64)).toBe('bigint');
    expect(common(T.int32, T.float64, T.decimal)).toBe('double precision');
    expect(common(T.unknown, T.unknown)).toBe('text');
    expect(common(T.null, T.date)).toBe('date');
    expect(common(T.date, T.timestamptz)).toBe('timestamp with time zone');
    expect(common(T.int32, T.text)).toBe('conflict at 1');
    expect(common({ kind: 'decimal', precision: 15, scale: 2 }, { kind: 'decimal', precision: 15, scale: 2 })).toBe('numeric(15,2)');
    expect(common({ kind: 'decimal', precision: 15, scale: 2 }, T.int32)).toBe('numeric');
  });
});

describe('interval input (one implementation for binder and executor)', () => {
  test('units, fractions, clock parts, qualifiers and ago read as PostgreSQL reads them', () => {
    const iv = (months: number, days: number, micros: number) => ({ months, days, micros });
    expect(intervalFromText('1.5 years')).toEqual(iv(18, 0, 0));
    expect(intervalFromText('1.5 weeks')).toEqual(iv(0, 10, 43_200_000_000));
    expect(intervalFromText('1.5 months')).toEqual(iv(1, 15, 0));
    expect(intervalFromText('1.5 decades')).toEqual(iv(180, 0, 0));
    expect(intervalFromText('90', 'DAY')).toEqual(iv(0, 90, 0));
    expect(intervalFromText('90')).toEqual(iv(0, 0, 90_000_000));
    expect(intervalFromText('-1 day +02:00')).toEqual(iv(0, -1, 7_200_000_000));
    expect(intervalFromText('@ 1 hour ago')).toEqual(iv(0, 0, -3_600_000_000));
    expect(intervalFromText('1 year 2 mons 3 days 04:05:06.5')).toEqual(iv(14, 3, 14_706_500_000));
    // A trailing bare number counts seconds, as in PostgreSQL.
    expect(intervalFromText('1 day 2')).toEqual(iv(0, 1, 2_000_000));
    for (const bad of ['bogus', '3 dayz', '']) expect(intervalFromText(bad)).toBeUndefined();
  });
});
