// The cluster's key → slot → shard function against the Redis Cluster specification, and recorded replies surviving the wire.
import { describe, expect, test } from 'bun:test';
import fc from 'fast-check';
import { decodeValue, encodeValue } from '../../runtime/cluster/codec.ts';
import { kv } from '../../runtime/index.ts';

/** CRC16/XMODEM one bit at a time, straight from its definition (no table), as the reference. */
function crc16Bitwise(bytes: readonly number[]): number {
  let crc = 0;
  for (const b of bytes) {
    crc ^= b << 8;
    for (let i = 0; i < 8; i++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
  }
  return crc;
}

const latin1 = (bytes: readonly number[]): string => String.fromCharCode(...bytes);
const byteString = fc.array(fc.integer({ min: 0, max: 255 }), { maxLength: 64 }).map(latin1);

describe('key slots', () => {
  test('known values: the CRC16 check value and slots Redis Cluster reports', () => {
    expect(kv.crc16('123456789')).toBe(0x31c3);
    expect(kv.keySlot('key')).toBe(12539);
    expect(kv.keySlot('key2')).toBe(4998);
    expect(kv.keySlot('key3')).toBe(935);
    expect(kv.keySlot('somekey')).toBe(11058);
    expect(kv.keySlot('{user1}.following')).toBe(8106);
    expect(kv.keySlot('id:{key}')).toBe(kv.keySlot('key'));
  });

  test('hash tag rules of the specification', () => {
    // Only the first `{` and the first `}` after it count.
    expect(kv.keySlot('foo{bar}{zap}')).toBe(kv.keySlot('bar'));
    expect(kv.keySlot('foo{{bar}}zap')).toBe(kv.keySlot('{bar'));
    // An empty tag hashes the whole key.
    expect(kv.keySlot('foo{}{bar}')).toBe(kv.crc16('foo{}{bar}') % 16384);
    expect(kv.keySlot('{}')).toBe(kv.crc16('{}') % 16384);
    expect(kv.keySlot('foo{bar')).toBe(kv.crc16('foo{bar') % 16384);
  });

  test('property: the table CRC equals the bitwise definition on any bytes', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 255 }), { maxLength: 200 }), (bytes) => {
        expect(kv.crc16(latin1(bytes))).toBe(crc16Bitwise(bytes));
      }),
    );
  });

  test('property: a key with a non-empty tag hashes like the tag; slot and shard in range and consistent', () => {
    fc.assert(
      fc.property(
        byteString.filter((s) => !s.includes('{')),
        byteString.filter((s) => s.length > 0 && !s.includes('}')),
        byteString,
        (prefix, tag, suffix) => {
          const key = `${prefix}{${tag}}${suffix}`;
          expect(kv.keySlot(key)).toBe(crc16Bitwise([...tag].map((c) => c.charCodeAt(0))) % 16384);
          expect(kv.keyShard(key)).toBe(kv.keyShard(`x{${tag}}y`));
        },
      ),
    );
    fc.assert(
      fc.property(byteString, (key) => {
        const slot = kv.keySlot(key);
        expect(slot).toBeGreaterThanOrEqual(0);
        expect(slot).toBeLessThan(kv.SLOTS);
        expect(kv.keyShard(key)).toBe(Math.floor(slot / (kv.SLOTS / kv.KV_SHARDS)));
        expect(kv.keyShard(key)).toBeLessThan(kv.KV_SHARDS);
      }),
    );
  });

  test('every shard owns the same number of slots', () => {
    const counts = new Array<number>(kv.KV_SHARDS).fill(0);
    for (let s = 0; s < kv.SLOTS; s++) counts[kv.slotShard(s)]!++;
    expect(new Set(counts)).toEqual(new Set([kv.SLOTS / kv.KV_SHARDS]));
  });
});

type Call = { m: 'simple' | 'error' | 'bulk' | 'verbatim'; v: string } | { m: 'nullBulk' } | { m: 'integer'; v: number | bigint } | { m: 'array' | 'map' | 'set'; v: number } | { m: 'double'; v: number } | { m: 'boolean'; v: boolean } | { m: 'nullArray' };

const call: fc.Arbitrary<Call> = fc.oneof(
  fc.record({ m: fc.constantFrom('simple' as const, 'error' as const, 'bulk' as const, 'verbatim' as const), v: byteString }),
  fc.constant({ m: 'nullBulk' as const }),
  fc.record({ m: fc.constant('integer' as const), v: fc.oneof(fc.integer(), fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n })) }),
  fc.record({ m: fc.constantFrom('array' as const, 'map' as const, 'set' as const), v: fc.nat(1000) }),
  fc.record({ m: fc.constant('double' as const), v: fc.double() }),
  fc.record({ m: fc.constant('boolean' as const), v: fc.boolean() }),
  fc.constant({ m: 'nullArray' as const }),
);

function play(calls: readonly Call[], out: kv.ReplySink): void {
  for (const c of calls) {
    if (c.m === 'nullBulk') out.bulk(null);
    else if (c.m === 'nullArray') out.nullArray();
    else if (c.m === 'integer') out.integer(c.v);
    else if (c.m === 'double') out.double(c.v);
    else if (c.m === 'boolean') out.boolean(c.v);
    else if (c.m === 'array' || c.m === 'map' || c.m === 'set') out[c.m](c.v);
    else if (c.m === 'simple' || c.m === 'error' || c.m === 'bulk' || c.m === 'verbatim') out[c.m](c.v);
  }
}

describe('recorded replies', () => {
  test('property: any reply recorded, sent as MessagePack and replayed writes the same calls', () => {
    fc.assert(
      fc.property(fc.array(call, { maxLength: 40 }), fc.constantFrom(2 as const, 3 as const), (calls, protocol) => {
        const first = new kv.ReplyRecorder(protocol);
        play(calls, first);
        const wire = decodeValue(encodeValue(first.reply)) as kv.RecordedReply;
        const second = new kv.ReplyRecorder(protocol);
        kv.replayReply(wire, second);
        expect(second.reply).toEqual(first.reply);
        // Big integers keep every digit (tag 3: a 64-bit integer as its digits).
        const bigs = calls.filter((c): c is { m: 'integer'; v: bigint } => c.m === 'integer' && typeof c.v === 'bigint').map((c) => c.v.toString());
        expect(second.reply.filter((_, i) => i % 2 === 1 && second.reply[i - 1] === 3)).toEqual(bigs);
      }),
    );
  });

  test('bulkBytes records the bytes of the slice', () => {
    const r = new kv.ReplyRecorder(2);
    r.bulkBytes(Buffer.from([0x61, 0xff, 0x00, 0x62]), 1, 3);
    const back = new kv.ReplyRecorder(2);
    kv.replayReply(decodeValue(encodeValue(r.reply)) as kv.RecordedReply, back);
    expect(back.reply).toEqual([4, '\xff\x00']);
  });
});
