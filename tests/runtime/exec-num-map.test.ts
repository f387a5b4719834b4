// NumMap, the typed-array hash table under grouping and hash joins, against a JavaScript Map.

import { describe, expect, test } from 'bun:test';
import fc from 'fast-check';
import { NumMap } from '../../runtime/exec/num-map.ts';

/** SQL grouping equality on doubles: -0 equals 0 and NaN equals NaN, as Map's SameValueZero has it. */
function check(keys: readonly number[], probes: readonly number[], capacity: number): void {
  const m = new NumMap(capacity);
  const ref = new Map<number, number>();
  for (const k of keys) {
    if (m.get(k) >= 0) {
      expect(ref.has(k)).toBe(true);
      continue;
    }
    expect(ref.has(k)).toBe(false);
    m.set(k, ref.size);
    ref.set(k, ref.size);
  }
  expect(m.size).toBe(ref.size);
  for (const k of [...keys, ...probes]) expect(m.get(k)).toBe(ref.get(k) ?? -1);
}

describe('NumMap', () => {
  test('agrees with Map on random doubles, integers, -0 and NaN', () => {
    const num = fc.oneof(fc.integer({ min: -50, max: 50 }), fc.integer(), fc.double(), fc.constantFrom(0, -0, Number.NaN, 2 ** 53, -(2 ** 31)));
    fc.assert(
      fc.property(fc.array(num, { maxLength: 300 }), fc.array(num, { maxLength: 100 }), fc.nat(64), (keys, probes, cap) => check(keys, probes, cap)),
      { numRuns: 1000 },
    );
  });
  test('large tables (with the miss filter in front) keep every key and reject the rest', () => {
    const keys = Array.from({ length: 150_000 }, (_, i) => i * 40 + (i % 7));
    const probes = Array.from({ length: 150_000 }, (_, i) => i * 40 + 3 + (i % 11) * 0.5);
    check(keys, probes, 0);
    check(keys, probes, keys.length);
  });
});
