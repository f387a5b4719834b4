// The SQL shard function (deterministic, in range, spread) and the tagged JSON scan requests travel in, against fast-check.
import { describe, expect, test } from 'bun:test';
import fc from 'fast-check';
import type { DataType } from '../../compiler/index.ts';
import { fromWire, keyShard, rowShard, splitWrites, SQL_SHARDS, toWire, type WriteOp } from '../../runtime/engine/sql-shards.ts';
import { encodeKey } from '../../runtime/storage/index.ts';

const bytes = fc.uint8Array({ maxLength: 64 });

describe('shard of a primary key', () => {
  test('property: deterministic and in range for any bytes', () => {
    fc.assert(
      fc.property(bytes, (b) => {
        const s = keyShard(b);
        expect(Number.isInteger(s) && s >= 0 && s < SQL_SHARDS).toBe(true);
        expect(keyShard(Uint8Array.from(b))).toBe(s);
      }),
    );
  });

  test('property: a stored row key maps like its encoded primary key, whatever the relation id in front', () => {
    fc.assert(
      fc.property(bytes, fc.integer({ min: 0, max: 0xffffffff }), fc.integer({ min: 0, max: 0xffffffff }), (pk, id1, id2) => {
        const key = (id: number): Uint8Array => {
          const k = new Uint8Array(4 + pk.length);
          new DataView(k.buffer).setUint32(0, id);
          k.set(pk, 4);
          return k;
        };
        expect(rowShard(key(id1))).toBe(keyShard(pk));
        expect(rowShard(key(id2))).toBe(rowShard(key(id1)));
      }),
    );
  });

  test('property: keys of a type spread over every shard, none far from an even share', () => {
    const types: DataType[][] = [[{ kind: 'int32' }], [{ kind: 'int64' }], [{ kind: 'utf8' }], [{ kind: 'int32' }, { kind: 'utf8' }]];
    fc.assert(
      fc.property(fc.constantFrom(...types), fc.integer({ min: -1_000_000, max: 1_000_000 }), (t, start) => {
        const n = 4_000;
        const counts = new Array<number>(SQL_SHARDS).fill(0);
        for (let i = start; i < start + n; i++) {
          const values = t.map((c) => (c.kind === 'int64' ? BigInt(i) : c.kind === 'utf8' ? `user-${i}` : i));
          counts[keyShard(encodeKey(t, values))]!++;
        }
        // An even share is 250 per shard; a binomial's standard deviation here is ~15.
        for (const c of counts) expect(c > 150 && c < 350).toBe(true);
      }),
      { numRuns: 20 },
    );
  });
});

describe('scan requests as tagged JSON', () => {
  test('property: values of every IR convention round-trip exactly', () => {
    const value = fc.oneof(
      fc.bigInt({ min: -(2n ** 70n), max: 2n ** 70n }),
      fc.double(),
      fc.integer(),
      fc.string(),
      fc.uint8Array({ maxLength: 16 }),
      fc.boolean(),
      fc.constant(null),
    );
    fc.assert(
      fc.property(fc.array(value, { maxLength: 12 }), (values) => {
        const back = fromWire(toWire({ params: values, filter: { kind: 'literal', value: values[0] ?? null } })) as { params: unknown[]; filter: { value: unknown } };
        expect(back.params.length).toBe(values.length);
        back.params.forEach((v, i) => {
          const want = values[i];
          if (want instanceof Uint8Array) expect([...(v as Uint8Array)]).toEqual([...want]);
          else expect(Object.is(v, want) || (typeof want === 'bigint' && v === want)).toBe(true);
        });
      }),
    );
  });

  test('property: JSON values survive, even objects whose one key looks like a tag', () => {
    const json = fc.jsonValue();
    const tagLike = fc.record({ key: fc.constantFrom('$b', '$u', '$n', '$o', '$x'), value: fc.jsonValue() }).map(({ key, value }) => ({ [key]: value }));
    fc.assert(
      fc.property(fc.oneof(json, tagLike, fc.array(tagLike, { maxLength: 3 })), (v) => {
        // JSON itself cannot tell -0 from 0.
        const plain = JSON.parse(JSON.stringify(v)) as unknown;
        expect(fromWire(toWire({ kind: 'literal', value: plain }))).toEqual({ kind: 'literal', value: plain });
      }),
    );
  });
});

describe('write batches cut into parts', () => {
  test('property: every write lands in exactly one part, in its shard\'s order; parts stay under the bound', () => {
    const op = fc.tuple(fc.integer({ min: 0, max: SQL_SHARDS - 1 }), fc.uint8Array({ maxLength: 300 }));
    fc.assert(
      fc.property(fc.array(op, { maxLength: 60 }), fc.integer({ min: 100, max: 2000 }), (ops, max) => {
        const writes = new Map<number, WriteOp[]>();
        ops.forEach(([shard, row], i) => {
          let list = writes.get(shard);
          if (!list) writes.set(shard, (list = []));
          list.push(['insert', 'public', `t${i}`, null, row]);
        });
        const parts = splitWrites(writes, max);
        for (const [shard, list] of writes) expect(parts.flatMap((p) => p.get(shard) ?? [])).toEqual(list);
        for (const p of parts) {
          const sizes = [...p.values()].flat().map((o) => 64 + (o[4]?.length ?? 0));
          if (sizes.length > 1) expect(sizes.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(max);
        }
      }),
    );
  });
});
