// One database's dictionary: keys and small string values packed as bytes in one arena, found by open addressing.
//
// A JavaScript Map spends ~185 bytes per string key (the string object, its characters, the entry) and
// ~100 more per small string value. Here an entry is its bytes in an arena (length, key, tag, value) plus
// its place in three int32 slot arrays (offset, hash, access time), ~35–60 bytes for a small key and
// value. Collections (and strings above INLINE_MAX) stay JavaScript objects, referenced by an index into
// `objects`. Replaced and deleted entries leave garbage in the arena; it is compacted when garbage
// outweighs live bytes. Each slot also records when its key was last accessed (OBJECT IDLETIME), in
// seconds of `accessClock`.
import type { Value } from './values.ts';

const EMPTY = -1;
const TOMBSTONE = -2;
/** String values up to this many bytes live in the arena; longer ones are kept as strings. */
const INLINE_MAX = 1024;
const TAG_INLINE = 0;
const TAG_OBJECT = 1;

/**
 * A hash of the key's code units (each a byte: keys are latin1), four per multiply: one multiply per
 * byte makes a chain of dependent multiplies that costs more than the rest of a lookup. The final
 * mix spreads every byte into the low bits that pick the slot.
 */
function hashOf(key: string): number {
  const n = key.length;
  let h = n;
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    h = Math.imul(h ^ (key.charCodeAt(i) | (key.charCodeAt(i + 1) << 8) | (key.charCodeAt(i + 2) << 16) | (key.charCodeAt(i + 3) << 24)), 0x9e3779b1);
    h = (h << 15) | (h >>> 17);
  }
  for (; i < n; i++) h = Math.imul((h << 15) ^ (h >>> 17) ^ key.charCodeAt(i), 0x9e3779b1);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}

/**
 * Seconds since the process started, as last ticked: Redis's LRU clock, which it keeps at 1 s
 * resolution and updates from its cron ten times a second (the keyspace ticks this one as often), so
 * an access stamps a key without reading the time.
 */
export const accessClock = { now: 0 };

const CLOCK_BASE = Date.now();

/** Advances `accessClock` to the current time. */
export function tickAccessClock(): void {
  accessClock.now = Math.floor((Date.now() - CLOCK_BASE) / 1000);
}

/** Where `writeInline` sends a value's bytes (the reply writer). */
export interface BulkBytesSink {
  /** A bulk string reply holding src[start, end). */
  bulkBytes(src: Buffer, start: number, end: number): void;
}

/**
 * The integer written in bytes [from, to) as Redis's string2ll reads it (optional '-', no leading
 * zeros, not `-0`), when it has at most 15 digits (always exact); otherwise undefined.
 */
function parseDigits(a: Buffer, from: number, to: number): number | undefined {
  const neg = a[from] === 45;
  let i = neg ? from + 1 : from;
  const digits = to - i;
  if (digits <= 0 || digits > 15) return undefined;
  if (a[i] === 48) return digits === 1 && !neg ? 0 : undefined;
  let v = 0;
  for (; i < to; i++) {
    const c = a[i]! - 48;
    if (c < 0 || c > 9) return undefined;
    v = v * 10 + c;
  }
  return neg ? -v : v;
}

/** Characters of a safe integer's decimal text (with its '-'). */
function decimalLength(n: number): number {
  let len = n < 0 ? 2 : 1;
  for (let v = Math.abs(n); v >= 10; v = Math.floor(v / 10)) len++;
  return len;
}

/** Node's `Buffer#latin1Slice` (also in Bun): `toString('latin1', …)` without the encoding lookup. */
interface Latin1Slicer {
  latin1Slice(start: number, end: number): string;
}

/** A Map-like dictionary from latin1 keys to values, compact in memory. */
export class KeyTable {
  private slotOff = new Int32Array(16).fill(EMPTY);
  private slotHash = new Int32Array(16);
  /** `accessClock.now` at each slot's last access. */
  private slotClock = new Int32Array(16);
  private mask = 15;
  /** Counts rehashes (which move entries), so a SCAN cursor from before one is recognised. */
  private layout = 0;
  /** Live entries. */
  private count = 0;
  /** Tombstoned slots (they lengthen probes until the next rehash). */
  private dead = 0;
  private arena = Buffer.allocUnsafe(1024);
  private used = 0;
  private garbage = 0;
  private readonly objects: (Value | undefined)[] = [];
  private readonly freeIds: number[] = [];

  get size(): number {
    return this.count;
  }

  // ─── Entry bytes ─────────────────────────────────────────────────────

  private varintAt(off: number): number {
    const a = this.arena;
    const first = a[off]!;
    // Keys and inline values are mostly shorter than 128 bytes: one byte, no loop.
    if (first < 0x80) return first;
    let v = first & 0x7f;
    let scale = 0x80;
    for (;;) {
      const b = a[++off]!;
      v += (b & 0x7f) * scale;
      if (b < 0x80) return v;
      scale *= 0x80;
    }
  }

  private static varintSize(v: number): number {
    if (v < 0x80) return 1;
    let n = 1;
    while (v >= 0x80) {
      v = Math.floor(v / 128);
      n++;
    }
    return n;
  }

  private putVarint(v: number): void {
    const a = this.arena;
    while (v >= 0x80) {
      a[this.used++] = (v & 0x7f) | 0x80;
      v = Math.floor(v / 128);
    }
    a[this.used++] = v;
  }

  /** Offset of the tag byte of the entry at `off`. */
  private tagAt(off: number): number {
    const len = this.varintAt(off);
    return off + KeyTable.varintSize(len) + len;
  }

  /** Bytes the entry at `off` occupies. */
  private entrySize(off: number): number {
    const t = this.tagAt(off);
    if (this.arena[t] === TAG_OBJECT) return t + 5 - off;
    const len = this.varintAt(t + 1);
    return t + 1 + KeyTable.varintSize(len) + len - off;
  }

  private keyEquals(off: number, key: string): boolean {
    const len = this.varintAt(off);
    if (len !== key.length) return false;
    const a = this.arena;
    const start = off + KeyTable.varintSize(len);
    for (let i = 0; i < len; i++) if (a[start + i] !== key.charCodeAt(i)) return false;
    return true;
  }

  private keyAt(off: number): string {
    const len = this.varintAt(off);
    const start = off + KeyTable.varintSize(len);
    return (this.arena as unknown as Latin1Slicer).latin1Slice(start, start + len);
  }

  private valueAt(off: number): Value {
    const t = this.tagAt(off);
    const a = this.arena;
    if (a[t] === TAG_OBJECT) return this.objects[a.readUInt32LE(t + 1)]!;
    const len = this.varintAt(t + 1);
    const start = t + 1 + KeyTable.varintSize(len);
    return len === 0 ? '' : (a as unknown as Latin1Slicer).latin1Slice(start, start + len);
  }

  /** Frees what the entry at `off` holds outside the arena and counts its bytes as garbage. */
  private release(off: number): void {
    const t = this.tagAt(off);
    if (this.arena[t] === TAG_OBJECT) {
      const id = this.arena.readUInt32LE(t + 1);
      this.objects[id] = undefined;
      this.freeIds.push(id);
    }
    this.garbage += this.entrySize(off);
  }

  /** Appends an entry and returns its offset. */
  private append(key: string, value: Value): number {
    const inline = typeof value === 'string' && value.length <= INLINE_MAX;
    const klen = key.length;
    const need = KeyTable.varintSize(klen) + klen + 1 + (inline ? KeyTable.varintSize(value.length) + value.length : 4);
    this.reserve(need);
    const off = this.used;
    this.putVarint(klen);
    this.writeText(key);
    const a = this.arena;
    if (inline) {
      a[this.used++] = TAG_INLINE;
      this.putVarint(value.length);
      this.writeText(value);
    } else {
      a[this.used++] = TAG_OBJECT;
      const id = this.freeIds.length > 0 ? this.freeIds.pop()! : this.objects.length;
      this.objects[id] = value;
      a.writeUInt32LE(id, this.used);
      this.used += 4;
    }
    return off;
  }

  private writeText(s: string): void {
    const a = this.arena;
    if (s.length > 32) {
      this.used += a.write(s, this.used, 'latin1');
      return;
    }
    for (let i = 0; i < s.length; i++) a[this.used++] = s.charCodeAt(i);
  }

  /** Makes room for `need` more bytes: compacts when half the arena is garbage, else grows it. */
  private reserve(need: number): void {
    if (this.used + need <= this.arena.length) return;
    const live = this.used - this.garbage;
    let cap = Math.max(1024, this.arena.length);
    if (this.garbage * 2 < this.used) cap *= 2;
    while (cap < live + need) cap *= 2;
    const next = Buffer.allocUnsafe(cap);
    let at = 0;
    const offs = this.slotOff;
    for (let i = 0; i < offs.length; i++) {
      const off = offs[i]!;
      if (off < 0) continue;
      const n = this.entrySize(off);
      this.arena.copy(next, at, off, off + n);
      offs[i] = at;
      at += n;
    }
    this.arena = next;
    this.used = at;
    this.garbage = 0;
  }

  // ─── Slots ───────────────────────────────────────────────────────────

  /** The slot holding `key`, or -1. */
  private find(key: string, h: number): number {
    const offs = this.slotOff;
    const mask = this.mask;
    for (let i = h & mask; ; i = (i + 1) & mask) {
      const off = offs[i]!;
      if (off === EMPTY) return -1;
      if (off !== TOMBSTONE && this.slotHash[i] === h && this.keyEquals(off, key)) return i;
    }
  }

  private rehash(cap: number): void {
    const oldOff = this.slotOff;
    const oldHash = this.slotHash;
    const oldClock = this.slotClock;
    this.slotOff = new Int32Array(cap).fill(EMPTY);
    this.slotHash = new Int32Array(cap);
    this.slotClock = new Int32Array(cap);
    this.mask = cap - 1;
    this.dead = 0;
    this.layout++;
    for (let i = 0; i < oldOff.length; i++) {
      const off = oldOff[i]!;
      if (off < 0) continue;
      const h = oldHash[i]!;
      let j = h & this.mask;
      while (this.slotOff[j] !== EMPTY) j = (j + 1) & this.mask;
      this.slotOff[j] = off;
      this.slotHash[j] = h;
      this.slotClock[j] = oldClock[i]!;
    }
  }

  // ─── Map-like interface ──────────────────────────────────────────────

  /** The value of `key`, stamping its access time. */
  get(key: string): Value | undefined {
    const i = this.find(key, hashOf(key));
    if (i < 0) return undefined;
    this.slotClock[i] = accessClock.now;
    return this.valueAt(this.slotOff[i]!);
  }

  /** The value of `key` without counting an access (TYPE, TTL, OBJECT, SCAN: Redis's LOOKUP_NOTOUCH). */
  peek(key: string): Value | undefined {
    const i = this.find(key, hashOf(key));
    return i < 0 ? undefined : this.valueAt(this.slotOff[i]!);
  }

  /** Whole seconds since `key` was last accessed (OBJECT IDLETIME), or undefined when absent. */
  idleSeconds(key: string): number | undefined {
    const i = this.find(key, hashOf(key));
    return i < 0 ? undefined : accessClock.now - this.slotClock[i]!;
  }

  has(key: string): boolean {
    return this.find(key, hashOf(key)) >= 0;
  }

  /**
   * Writes the value of `key` to `out` as a bulk string straight from the arena, without making a
   * string, when it is a string kept inline: 1 when written, 0 when the key is absent, -1 when its
   * value is an object or a long string (read it with `get`).
   */
  writeInline(key: string, out: BulkBytesSink): number {
    const i = this.find(key, hashOf(key));
    if (i < 0) return 0;
    this.slotClock[i] = accessClock.now;
    const t = this.tagAt(this.slotOff[i]!);
    const a = this.arena;
    if (a[t] !== TAG_INLINE) return -1;
    const len = this.varintAt(t + 1);
    const start = t + 1 + KeyTable.varintSize(len);
    out.bulkBytes(a, start, start + len);
    return 1;
  }

  /**
   * INCRBY on a string kept inline that holds a decimal integer of at most 15 digits: adds `by` and
   * rewrites the digits (in place when the length is unchanged), without making a string. Returns the
   * new value, or undefined (nothing changed) when the key is absent, holds anything else, or the
   * result would not be exact: the caller then takes the general path.
   */
  incrInline(key: string, by: number): number | undefined {
    const h = hashOf(key);
    const i = this.find(key, h);
    if (i < 0) return undefined;
    this.slotClock[i] = accessClock.now;
    const t = this.tagAt(this.slotOff[i]!);
    const a = this.arena;
    if (a[t] !== TAG_INLINE) return undefined;
    const len = this.varintAt(t + 1);
    const start = t + 1 + KeyTable.varintSize(len);
    const cur = parseDigits(a, start, start + len);
    if (cur === undefined) return undefined;
    const next = cur + by;
    if (!Number.isSafeInteger(next)) return undefined;
    if (decimalLength(next) !== len) {
      this.set(key, String(next));
      return next;
    }
    // The same number of characters: the digits are rewritten in place, last first.
    let v = Math.abs(next);
    let at = start + len;
    do {
      const q = Math.floor(v / 10);
      a[--at] = 48 + (v - q * 10);
      v = q;
    } while (v > 0);
    if (next < 0) a[start] = 45;
    return next;
  }

  set(key: string, value: Value): this {
    const h = hashOf(key);
    const i = this.find(key, h);
    if (i >= 0) {
      // A value stored at a key is accessed as it is written (Redis stamps a new object with the clock).
      this.slotClock[i] = accessClock.now;
      const off = this.slotOff[i]!;
      const t = this.tagAt(off);
      const a = this.arena;
      // The same collection stored again after a change in place: nothing to rewrite.
      if (a[t] === TAG_OBJECT && this.objects[a.readUInt32LE(t + 1)] === value) return this;
      // A string of the same length (a counter, a fixed-size value) is overwritten in place.
      if (a[t] === TAG_INLINE && typeof value === 'string' && this.varintAt(t + 1) === value.length) {
        const save = this.used;
        this.used = t + 1 + KeyTable.varintSize(value.length);
        this.writeText(value);
        this.used = save;
        return this;
      }
      this.release(off);
      // Out of the slot while appending, so a compaction does not copy the replaced entry.
      this.slotOff[i] = TOMBSTONE;
      this.slotOff[i] = this.append(key, value);
      return this;
    }
    if ((this.count + this.dead + 1) * 4 > this.slotOff.length * 3) this.rehash(this.count * 2 + 2 > this.slotOff.length ? this.slotOff.length * 2 : this.slotOff.length);
    const off = this.append(key, value);
    let j = h & this.mask;
    while (this.slotOff[j]! >= 0) j = (j + 1) & this.mask;
    if (this.slotOff[j] === TOMBSTONE) this.dead--;
    this.slotOff[j] = off;
    this.slotHash[j] = h;
    this.slotClock[j] = accessClock.now;
    this.count++;
    return this;
  }

  delete(key: string): boolean {
    const i = this.find(key, hashOf(key));
    if (i < 0) return false;
    this.release(this.slotOff[i]!);
    this.slotOff[i] = TOMBSTONE;
    this.count--;
    this.dead++;
    return true;
  }

  clear(): void {
    this.slotOff = new Int32Array(16).fill(EMPTY);
    this.slotHash = new Int32Array(16);
    this.slotClock = new Int32Array(16);
    this.mask = 15;
    this.layout++;
    this.count = 0;
    this.dead = 0;
    this.arena = Buffer.allocUnsafe(1024);
    this.used = 0;
    this.garbage = 0;
    this.objects.length = 0;
    this.freeIds.length = 0;
  }

  /** Every key, in slot order (stable while the table is not resized). */
  *keys(): IterableIterator<string> {
    for (let i = 0; i < this.slotOff.length; i++) {
      const off = this.slotOff[i]!;
      if (off >= 0) yield this.keyAt(off);
    }
  }

  /**
   * One SCAN step: up to `count` keys from the slot the cursor names, and the next cursor (0 when
   * done). A cursor is slot × 32 + the layout it was made under; after a rehash moved the entries
   * the walk restarts, so a key present throughout is still returned (perhaps twice, as SCAN allows).
   */
  scan(cursor: number, count: number): { next: number; keys: string[] } {
    const keys: string[] = [];
    let slot = Math.floor(cursor / 32);
    if (cursor !== 0 && cursor % 32 !== (this.layout & 31)) slot = 0;
    const offs = this.slotOff;
    for (; slot < offs.length && keys.length < count; slot++) {
      const off = offs[slot]!;
      if (off >= 0) keys.push(this.keyAt(off));
    }
    return { next: slot >= offs.length ? 0 : slot * 32 + (this.layout & 31), keys };
  }

  /** A key picked uniformly at random, or undefined when empty (RANDOMKEY without a full walk). */
  randomKey(): string | undefined {
    if (this.count === 0) return undefined;
    if (this.count * 16 < this.slotOff.length) {
      // Mostly empty after deletions: pick among the live keys instead of probing at random.
      let skip = Math.floor(Math.random() * this.count);
      for (const k of this.keys()) if (skip-- === 0) return k;
    }
    for (;;) {
      const off = this.slotOff[Math.floor(Math.random() * this.slotOff.length)]!;
      if (off >= 0) return this.keyAt(off);
    }
  }
}
