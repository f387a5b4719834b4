// The keyspace's packed dictionary against a Map: random sets, deletes and reads, with resizing and compaction.
import { describe, expect, test } from 'bun:test';
import fc from 'fast-check';
import { KeyTable } from '../../runtime/kv/key-table.ts';
import { MemberSet, type Value } from '../../runtime/kv/values.ts';

const latin1 = (max: number) => fc.array(fc.integer({ min: 0, max: 255 }), { maxLength: max }).map((cs) => String.fromCharCode(...cs));
const key = fc.oneof(latin1(3), latin1(40));
const value: fc.Arbitrary<Value> = fc.oneof(
  latin1(8),
  latin1(200),
  fc.integer({ min: 1025, max: 3000 }).map((n) => 'v'.repeat(n)),
  latin1(4).map((m) => new MemberSet([m])),
);
const op = fc.oneof(
  fc.tuple(fc.constant('set' as const), key, value),
  fc.tuple(fc.constant('delete' as const), key, fc.constant('')),
  fc.tuple(fc.constant('clear' as const), fc.constant(''), fc.constant('')),
);

describe('KeyTable', () => {
  test('behaves as a Map from latin1 keys to values', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 400 }), (ops) => {
        const t = new KeyTable();
        const m = new Map<string, Value>();
        for (const [kind, k, v] of ops) {
          if (kind === 'set') {
            t.set(k, v);
            m.set(k, v);
          } else if (kind === 'delete') expect(t.delete(k)).toBe(m.delete(k));
          else if (ops.length % 7 === 0) {
            t.clear();
            m.clear();
          }
          expect(t.get(k)).toBe(m.get(k));
        }
        expect(t.size).toBe(m.size);
        for (const [k, v] of m) {
          expect(t.has(k)).toBe(true);
          expect(t.get(k)).toEqual(v);
        }
        expect(new Set(t.keys())).toEqual(new Set(m.keys()));
        const scanned = new Set<string>();
        let cursor = 0;
        do {
          const step = t.scan(cursor, 7);
          for (const k of step.keys) scanned.add(k);
          cursor = step.next;
        } while (cursor !== 0);
        expect(scanned).toEqual(new Set(m.keys()));
        const r = t.randomKey();
        expect(r === undefined ? m.size === 0 : m.has(r)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  test('100,000 keys with rewrites of every size stay readable after resizing and compaction', () => {
    const t = new KeyTable();
    for (let i = 0; i < 100_000; i++) t.set(`key:${i}`, String(i));
    for (let i = 0; i < 100_000; i += 2) t.set(`key:${i}`, 'x'.repeat(i % 50));
    for (let i = 0; i < 100_000; i += 3) t.delete(`key:${i}`);
    let n = 0;
    for (let i = 0; i < 100_000; i++) {
      const want = i % 3 === 0 ? undefined : i % 2 === 0 ? 'x'.repeat(i % 50) : String(i);
      expect(t.get(`key:${i}`)).toBe(want);
      if (want !== undefined) n++;
    }
    expect(t.size).toBe(n);
  });

  test('a SCAN across a resize still returns every key present throughout', () => {
    const t = new KeyTable();
    for (let i = 0; i < 1000; i++) t.set(`old:${i}`, 'v');
    const seen = new Set<string>();
    let step = t.scan(0, 100);
    step.keys.forEach((k) => seen.add(k));
    // Growing the table rehashes every entry while the scan is under way.
    for (let i = 0; i < 5000; i++) t.set(`new:${i}`, 'v');
    while (step.next !== 0) {
      step = t.scan(step.next, 100);
      step.keys.forEach((k) => seen.add(k));
    }
    for (let i = 0; i < 1000; i++) expect(seen.has(`old:${i}`)).toBe(true);
  });
});
