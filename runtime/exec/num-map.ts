// An open-addressing hash map from numbers to non-negative int32 ids on typed arrays: the hot
// structure of grouping and hash joins, several times faster than a `Map` once it outgrows the
// caches (no per-entry objects, linear probing over adjacent slots).

import { giveBack, scratchFloat64, scratchInt32, scratchUint32Zeros } from './scratch.ts';

const EMPTY = -1;
const bits = new Float64Array(1);
const words = new Uint32Array(bits.buffer);

/** A 32-bit hash of a double; equal numbers (0 and -0 included) hash alike. */
function hashOf(x: number): number {
  if ((x | 0) === x) return Math.imul(x, 0x9e3779b1);
  bits[0] = x;
  return Math.imul(words[0]! ^ Math.imul(words[1]!, 0x85ebca6b), 0x9e3779b1);
}

/** Tables of at least this many slots keep a one-bit-per-key filter in front of the probe. */
const FILTER_FROM = 1 << 16;

/**
 * The id of `x` in `m`, or -1 when absent: `NumMap.get` as a self-contained function, so that hot
 * loops can take a copy of it per key type (see specialize.ts) and inline it monomorphically.
 */
export function probeNum(m: NumMap, x: number): number {
  if (x !== x) return m.nan;
  const h = (x | 0) === x ? Math.imul(x, 0x9e3779b1) : m.hashDouble(x);
  const f = m.filter;
  if (f !== null) {
    const b = Math.imul(h, 0x85ebca6b) >>> m.filterShift;
    if (((f[b >>> 5]! >>> (b & 31)) & 1) === 0) return -1;
  }
  const keys = m.keys;
  const vals = m.vals;
  const mask = m.mask;
  for (let i = h >>> m.shift; ; i = (i + 1) & mask) {
    const v = vals[i]!;
    if (v === -1 || keys[i] === x) return v;
  }
}

/** The map's fields are read by `probeNum`; only the map's own methods write them. */
export class NumMap {
  keys: Float64Array;
  vals: Int32Array;
  shift: number;
  mask: number;
  /**
   * Once the table outgrows the caches, most probes of a selective join miss: a bit array of
   * 8 bits per key (it stays cache-resident) answers most misses without touching the table.
   */
  filter: Uint32Array | null = null;
  filterShift = 0;
  /** The id stored for NaN (NaN never equals itself, so it lives outside the table). */
  nan = EMPTY;
  /** Number of keys held. */
  size = 0;

  /**
   * `capacity`: keys to size for. `filtered`: keep the miss filter once the table is large — for
   * join builds, whose probes mostly miss; grouping tables mostly hit and only pay for it.
   */
  constructor(
    capacity = 16,
    private readonly filtered = true,
  ) {
    let cap = 16;
    while (cap < capacity * 2) cap *= 2;
    // Large tables live in scratch arrays (see scratch.ts): a key slot is read only where its
    // value slot is filled, so only the values need clearing.
    this.keys = scratchFloat64(cap);
    this.vals = scratchInt32(cap, EMPTY);
    this.shift = 32 - Math.log2(cap);
    this.mask = cap - 1;
    this.sizeFilter(cap);
  }

  /** Hands the table's arrays back to the scratch pool; the map is empty and unusable afterwards. */
  dispose(): void {
    giveBack(this.keys);
    giveBack(this.vals);
    giveBack(this.filter);
    this.keys = new Float64Array(0);
    this.vals = new Int32Array(0);
    this.filter = null;
    this.size = 0;
  }

  private sizeFilter(cap: number): void {
    if (cap < FILTER_FROM || !this.filtered) return;
    // cap slots hold at most cap/2 keys: 4·cap bits is 8 bits per key.
    const bits = cap * 4;
    this.filter = scratchUint32Zeros(bits >>> 5);
    this.filterShift = 32 - Math.log2(bits);
  }

  /** The id of `x`, or -1 when absent. */
  get(x: number): number {
    return probeNum(this, x);
  }

  /** The hash of a key that is not an int32 (see hashOf). */
  hashDouble(x: number): number {
    return hashOf(x);
  }

  /** Stores `id` for `x` (which must be absent). */
  set(x: number, id: number): void {
    if (x !== x) {
      this.nan = id;
      this.size++;
      return;
    }
    if ((this.size + 1) * 2 > this.vals.length) this.grow();
    this.place(x, id);
    this.size++;
  }

  private place(x: number, id: number): void {
    const keys = this.keys;
    const vals = this.vals;
    const mask = this.mask;
    const h = hashOf(x);
    const f = this.filter;
    if (f !== null) {
      const b = Math.imul(h, 0x85ebca6b) >>> this.filterShift;
      f[b >>> 5]! |= 1 << (b & 31);
    }
    let i = h >>> this.shift;
    while (vals[i] !== EMPTY) i = (i + 1) & mask;
    keys[i] = x;
    vals[i] = id;
  }

  private grow(): void {
    const keys = this.keys;
    const vals = this.vals;
    const cap = vals.length * 2;
    giveBack(this.filter);
    this.filter = null;
    this.keys = scratchFloat64(cap);
    this.vals = scratchInt32(cap, EMPTY);
    this.shift = 32 - Math.log2(cap);
    this.mask = cap - 1;
    this.sizeFilter(cap);
    for (let i = 0; i < vals.length; i++) if (vals[i] !== EMPTY) this.place(keys[i]!, vals[i]!);
    giveBack(keys);
    giveBack(vals);
  }
}
