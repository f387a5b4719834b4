// Order-preserving key encoding and the row codec, property-tested against SQL value order.

import { describe, expect, test } from 'bun:test';
import fc from 'fast-check';
import type { DataType } from '../../compiler/ir/types.ts';
import { canonicalDecimal, compareBytes, decodeKey, encodeKey } from '../../runtime/storage/keys.ts';
import { decodeRow, encodeRow } from '../../runtime/storage/row-codec.ts';

const sign = (n: number): number => (n < 0 ? -1 : n > 0 ? 1 : 0);

/** SQL order of two non-null values of one type; floats as PostgreSQL (NaN greatest, -0 = 0). */
function cmpValue(t: DataType, a: unknown, b: unknown): number {
  switch (t.kind) {
    case 'bool':
      return Number(a) - Number(b);
    case 'int16':
    case 'int32':
    case 'date':
    case 'timestamp':
      return sign((a as number) - (b as number));
    case 'int64':
      return (a as bigint) < (b as bigint) ? -1 : (a as bigint) > (b as bigint) ? 1 : 0;
    case 'float64': {
      const x = a as number;
      const y = b as number;
      if (Number.isNaN(x)) return Number.isNaN(y) ? 0 : 1;
      if (Number.isNaN(y)) return -1;
      return x < y ? -1 : x > y ? 1 : 0;
    }
    case 'decimal':
      return cmpDecimal(a as string, b as string);
    case 'utf8':
      return cmpCodePoints(a as string, b as string);
    case 'binary':
    case 'uuid':
      return sign(compareBytes(bytesOf(a), bytesOf(b)));
    default:
      throw new Error(t.kind);
  }
}

const bytesOf = (v: unknown): Uint8Array => (v instanceof Uint8Array ? v : Uint8Array.from((v as string).replace(/-/g, '').match(/../g)!.map((h) => parseInt(h, 16))));

function cmpCodePoints(a: string, b: string): number {
  const x = [...a].map((c) => c.codePointAt(0)!);
  const y = [...b].map((c) => c.codePointAt(0)!);
  for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return sign(x[i]! - y[i]!);
  return sign(x.length - y.length);
}

/** Exact decimal comparison via scaled bigints. */
function cmpDecimal(a: string, b: string): number {
  const parse = (s: string): [bigint, number] => {
    const neg = s.startsWith('-');
    const [i, f = ''] = s.replace('-', '').split('.');
    return [BigInt((neg ? '-' : '') + i + f), f.length];
  };
  const [x, xs] = parse(a);
  const [y, ys] = parse(b);
  const s = Math.max(xs, ys);
  const X = x * 10n ** BigInt(s - xs);
  const Y = y * 10n ** BigInt(s - ys);
  return X < Y ? -1 : X > Y ? 1 : 0;
}

const decimalArb = fc
  .tuple(fc.boolean(), fc.bigInt({ min: 0n, max: 10n ** 30n }), fc.integer({ min: 0, max: 12 }))
  .map(([neg, digits, scale]) => {
    let s = digits.toString().padStart(scale + 1, '0');
    if (scale > 0) s = `${s.slice(0, s.length - scale)}.${s.slice(s.length - scale)}`;
    return neg && digits !== 0n ? `-${s}` : s;
  });

const columns: { type: DataType; arb: fc.Arbitrary<unknown> }[] = [
  { type: { kind: 'bool' }, arb: fc.boolean() },
  { type: { kind: 'int16' }, arb: fc.integer({ min: -32768, max: 32767 }) },
  { type: { kind: 'int32' }, arb: fc.integer() },
  { type: { kind: 'int64' }, arb: fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }) },
  { type: { kind: 'float64' }, arb: fc.oneof(fc.double(), fc.constantFrom(0, -0, NaN, Infinity, -Infinity, Number.MIN_VALUE, -Number.MIN_VALUE)) },
  { type: { kind: 'decimal' }, arb: decimalArb },
  { type: { kind: 'utf8' }, arb: fc.oneof(fc.string({ unit: 'binary' }), fc.string({ unit: fc.constantFrom('a', 'b', '\u0000', 'é', '\uffff', '😀') })) },
  { type: { kind: 'binary' }, arb: fc.uint8Array({ maxLength: 12 }) },
  { type: { kind: 'uuid' }, arb: fc.uuid() },
  { type: { kind: 'date' }, arb: fc.integer({ min: -2_000_000, max: 2_000_000 }) },
  { type: { kind: 'timestamp', tz: true }, arb: fc.integer({ min: -(2 ** 52), max: 2 ** 52 }) },
];

/** The value a key round trip must give back: SQL-equal canonical forms. */
function canonical(t: DataType, v: unknown): unknown {
  if (v === null) return null;
  if (t.kind === 'float64' && Object.is(v, -0)) return 0;
  if (t.kind === 'decimal') return canonicalDecimal(v as string);
  return v;
}

/** Tuple order with NULLs first, as the encoding promises. */
function cmpTuple(types: readonly DataType[], a: readonly unknown[], b: readonly unknown[]): number {
  for (let i = 0; i < types.length; i++) {
    const x = a[i];
    const y = b[i];
    if (x === null || y === null) {
      if (x === null && y === null) continue;
      return x === null ? -1 : 1;
    }
    const c = cmpValue(types[i]!, x, y);
    if (c !== 0) return c;
  }
  return 0;
}

const keyCase = fc
  .array(fc.constantFrom(...columns), { minLength: 1, maxLength: 3 })
  .chain((cols) => {
    const row = fc.tuple(...cols.map((c) => fc.option(c.arb, { nil: null, freq: 5 })));
    return fc.tuple(fc.constant(cols.map((c) => c.type)), row, row);
  });

describe('key encoding', () => {
  test('memcmp order of encoded tuples equals SQL tuple order (2,000 cases)', () => {
    fc.assert(
      fc.property(keyCase, ([types, a, b]) => {
        expect(sign(compareBytes(encodeKey(types, a), encodeKey(types, b)))).toBe(cmpTuple(types, a, b));
      }),
      { numRuns: 2000 },
    );
  });

  test('decode(encode(x)) gives x back (canonical form for -0 and decimals) (2,000 cases)', () => {
    fc.assert(
      fc.property(keyCase, ([types, a]) => {
        const back = decodeKey(types, encodeKey(types, a));
        expect(back).toEqual(a.map((v, i) => canonical(types[i]!, v)));
      }),
      { numRuns: 2000 },
    );
  });

  test('PostgreSQL float order: -Infinity < -1 < -0 = 0 < 1 < Infinity < NaN', () => {
    const t: DataType[] = [{ kind: 'float64' }];
    const enc = (x: number): Uint8Array => encodeKey(t, [x]);
    const order = [-Infinity, -1, 0, 1, Infinity, NaN].map(enc);
    for (let i = 1; i < order.length; i++) expect(compareBytes(order[i - 1]!, order[i]!)).toBeLessThan(0);
    expect(compareBytes(enc(-0), enc(0))).toBe(0);
  });

  test('decimals compare numerically and equal values encode equally', () => {
    const t: DataType[] = [{ kind: 'decimal' }];
    const enc = (x: string): Uint8Array => encodeKey(t, [x]);
    expect(compareBytes(enc('1.50'), enc('1.5'))).toBe(0);
    expect(compareBytes(enc('9'), enc('10'))).toBeLessThan(0);
    expect(compareBytes(enc('-10'), enc('-9'))).toBeLessThan(0);
    expect(compareBytes(enc('-0.001'), enc('0'))).toBeLessThan(0);
    expect(compareBytes(enc('123456789012345678901234567890'), enc('NaN'))).toBeLessThan(0);
    expect(decodeKey(t, enc('-0012.3400'))).toEqual(['-12.34']);
  });

  test('NULL sorts before every value, composite keys compare column by column', () => {
    const t: DataType[] = [{ kind: 'int32' }, { kind: 'utf8' }];
    const keys = [
      [null, 'z'],
      [-5, null],
      [-5, ''],
      [-5, 'a'],
      [3, 'a\u0000'],
      [3, 'ab'],
    ].map((v) => encodeKey(t, v));
    for (let i = 1; i < keys.length; i++) expect(compareBytes(keys[i - 1]!, keys[i]!)).toBeLessThan(0);
  });
});

const rowTypes: DataType[] = [
  ...columns.map((c) => c.type),
  { kind: 'float32' },
  { kind: 'interval' },
  { kind: 'json', binary: true },
  { kind: 'list', element: { kind: 'int64' } },
  { kind: 'vector', dimension: 3 },
];
const rowArb = fc.tuple(
  ...columns.map((c) => fc.option(c.arb, { nil: null })),
  fc.option(fc.float({ noNaN: true }).map(Math.fround), { nil: null }),
  fc.option(fc.record({ months: fc.integer({ min: -1000, max: 1000 }), days: fc.integer({ min: -1000, max: 1000 }), micros: fc.integer() }), { nil: null }),
  fc.option(fc.jsonValue().map((j) => JSON.parse(JSON.stringify(j)) as unknown), { nil: null }),
  fc.option(fc.array(fc.option(fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }), { nil: null }), { maxLength: 5 }), { nil: null }),
  fc.option(fc.tuple(fc.float({ noNaN: true }), fc.float({ noNaN: true }), fc.float({ noNaN: true })).map((x) => Float32Array.from(x)), { nil: null }),
);

describe('row codec', () => {
  test('decodeRow(encodeRow(row)) = row for every type, bigint and Uint8Array included (1,000 cases)', () => {
    fc.assert(
      fc.property(rowArb, (row) => {
        const back = decodeRow(rowTypes, encodeRow(rowTypes, row));
        expect(back.length).toBe(row.length);
        back.forEach((v, i) => {
          if (typeof row[i] === 'number' && Number.isNaN(row[i])) expect(Number.isNaN(v as number)).toBe(true);
          else expect(v).toEqual(row[i]);
        });
      }),
      { numRuns: 1000 },
    );
  });

  test('rows written before ADD COLUMN read the fill value', () => {
    const old: DataType[] = [{ kind: 'int32' }];
    const now: DataType[] = [{ kind: 'int32' }, { kind: 'utf8' }];
    expect(decodeRow(now, encodeRow(old, [7]), [null, 'dflt'])).toEqual([7, 'dflt']);
  });
});
