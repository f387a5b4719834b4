// Where a key lives in a cluster: Redis Cluster's hash slot of a key, and the shard owning that slot.
//
// Redis Cluster specification, "Key distribution model": HASH_SLOT = CRC16(key) mod 16384, with
// CRC16 the XMODEM variant (polynomial 0x1021, initial value 0, neither input nor output reflected,
// no final xor; "123456789" gives 0x31C3), and "Hash tags": when the key holds a `{` followed later
// by a `}` with at least one byte between them, only the bytes between the first `{` and the first
// `}` after it are hashed.

/** Redis Cluster's number of hash slots. */
export const SLOTS = 16384;
/** Shards of the keyspace in a cluster: each owns SLOTS / KV_SHARDS consecutive slots. */
export const KV_SHARDS = 16;
const SLOTS_PER_SHARD = SLOTS / KV_SHARDS;

const TABLE = (() => {
  const t = new Uint16Array(256);
  for (let i = 0; i < 256; i++) {
    let crc = i << 8;
    for (let bit = 0; bit < 8; bit++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
    t[i] = crc;
  }
  return t;
})();

/** CRC16/XMODEM of s[start, end), a latin1 string (one byte per code unit). */
export function crc16(s: string, start = 0, end = s.length): number {
  let crc = 0;
  for (let i = start; i < end; i++) crc = ((crc << 8) & 0xffff) ^ TABLE[((crc >> 8) ^ s.charCodeAt(i)) & 0xff]!;
  return crc;
}

/** The hash slot of a key (0 … 16383), hash tags included. */
export function keySlot(key: string): number {
  const open = key.indexOf('{');
  if (open >= 0) {
    const close = key.indexOf('}', open + 1);
    if (close > open + 1) return crc16(key, open + 1, close) & (SLOTS - 1);
  }
  return crc16(key) & (SLOTS - 1);
}

/** The shard owning a slot: slots are split into KV_SHARDS equal ranges. */
export function slotShard(slot: number): number {
  return Math.floor(slot / SLOTS_PER_SHARD);
}

/** The shard owning a key. */
export function keyShard(key: string): number {
  return slotShard(keySlot(key));
}
