// Dense ids for row keys (grouping, DISTINCT, set operations, hash-join tables).
//
// Each key column has a dictionary value → code (NULL = code 0), and a composite id is folded
// level by level through numeric maps, so a row's id costs one Map lookup per key column and no
// per-row string building for numeric and text keys. Equal SQL values share a code across
// representations (1.50 and 1.5, int32 and int64).

import { valueKey } from './compare.ts';
import { MAX_EXACT, pow10 } from './decimal.ts';
import { NumMap, probeNum } from './num-map.ts';
import { giveBack, scratchFloat64, scratchInt32 } from './scratch.ts';
import { freshCopy } from './specialize.ts';
import { type Vec, anyNullAt } from './vector.ts';

type DictKey = number | string;

/** The dictionary key of row `i` of `v` (undefined for NULL). */
function keyAt(v: Vec, i: number): DictKey | undefined {
  if (v.valid !== null && v.valid[i] === 0) return undefined;
  switch (v.rep) {
    case 'i32':
    case 'bool':
      return (v.data as Int32Array)[i]!;
    case 'f64': {
      const x = (v.data as Float64Array)[i]!;
      return v.scale === 0 ? x : decimalKey(x, v.scale);
    }
    case 'big': {
      let x = (v.data as bigint[])[i]!;
      let s = v.scale;
      while (s > 0 && x % 10n === 0n) {
        x /= 10n;
        s--;
      }
      if (x <= BigInt(MAX_EXACT) && x >= -BigInt(MAX_EXACT)) return decimalKey(Number(x), s);
      return `${x}e${s}`;
    }
    case 'obj':
      return valueKey((v.data as unknown[])[i], v.type);
  }
}

/** Normalized key of a scaled decimal: the double value while it is exact to 15 digits, text beyond. */
function decimalKey(x: number, scale: number): DictKey {
  let v = x;
  let s = scale;
  while (s > 0 && v % 10 === 0) {
    v /= 10;
    s--;
  }
  if (s === 0) return v;
  if (Math.abs(v) < 1e15) return v / pow10(s);
  return `${v}e${s}`;
}

const SHIFT = 2 ** 26;

/** Largest product of dictionary sizes that gets a direct id table (see comboIds). */
const COMBO_LIMIT = 1 << 16;

/** Codes of one key column's values: numbers in a typed-array table, text in a Map. */
class Dict {
  constructor(public nums: NumMap) {}
  readonly strs = new Map<string, number>();
  get(k: DictKey): number {
    if (typeof k === 'number') return this.nums.get(k);
    return this.strs.get(k) ?? -1;
  }
  set(k: DictKey, id: number): void {
    if (typeof k === 'number') this.nums.set(k, id);
    else this.strs.set(k, id);
  }
  get size(): number {
    return this.nums.size + this.strs.size;
  }
}

/**
 * Ids of integer keys `data[0..n)` in `m` (see KeyTable.ids), one copy per array type. Keys often
 * come in runs (a table clustered on its key, a child table beside its parent's key): a row equal
 * to the one before reuses its id without touching the table.
 */
function numericLoop(
  t: KeyTable,
  probe: typeof probeNum,
  data: Float64Array | Int32Array,
  valid: Uint8Array | null,
  m: NumMap,
  out: Int32Array,
  n: number,
  insert: boolean,
  nullsNeverMatch: boolean,
  active: Uint8Array | null,
): void {
  let last = NaN;
  let lastId = -1;
  for (let i = 0; i < n; i++) {
    if (active !== null && active[i] === 0) {
      out[i] = -1;
      continue;
    }
    if (valid !== null && valid[i] === 0) {
      out[i] = t.nullId(insert, nullsNeverMatch);
      continue;
    }
    const k = data[i]!;
    if (k === last) {
      out[i] = lastId;
      continue;
    }
    let id = probe(m, k);
    if (id < 0 && insert) {
      id = t.size++;
      m.set(k, id);
    }
    out[i] = id;
    last = k;
    lastId = id;
  }
}

/**
 * Ids of rows `data[0..n)` by a walk over `keys` (ascending, with their `ids`; null when a key's
 * id is its position), or false when the
 * rows' keys descend somewhere. NULL and inactive rows get -1. The walk starts at the first key by
 * binary search and then only moves forward.
 */
function mergeLoop(keys: Float64Array, ids: Int32Array | null, data: Float64Array | Int32Array, valid: Uint8Array | null, active: Uint8Array | null, n: number, out: Int32Array): boolean {
  const len = keys.length;
  let p = -1;
  let prev = -Infinity;
  for (let i = 0; i < n; i++) {
    if (valid !== null && valid[i] === 0) {
      out[i] = -1;
      continue;
    }
    // Inactive rows walk too (their keys ascend with the rest) and are masked at the end: a
    // filter's verdicts are unpredictable, and a branch on them costs more than the walk.
    const k = data[i]!;
    if (k < prev) return false;
    prev = k;
    if (p < 0) {
      let lo = 0;
      let hi = len;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (keys[mid]! < k) lo = mid + 1;
        else hi = mid;
      }
      p = lo;
    } else while (p < len && keys[p]! < k) p++;
    const id = p < len && keys[p] === k ? (ids === null ? p : ids[p]!) : -1;
    out[i] = active === null ? id : id | (active[i]! - 1);
  }
  return true;
}

const MERGE_LOOP = { i32: freshCopy(mergeLoop), f64: freshCopy(mergeLoop) };

/**
 * mergeLoop over the rows `sel[0..n)` only (ascending row numbers): `out[k]` is the id of row
 * `sel[k]`. A probe whose filter passed few rows walks those, not the whole batch. It repeats
 * mergeLoop's walk rather than sharing a helper: per-type copies (freshCopy) must be self-contained.
 */
function mergeLoopSel(keys: Float64Array, ids: Int32Array | null, data: Float64Array | Int32Array, valid: Uint8Array | null, sel: Uint32Array, n: number, out: Int32Array): boolean {
  const len = keys.length;
  let p = -1;
  let prev = -Infinity;
  for (let k = 0; k < n; k++) {
    const i = sel[k]!;
    if (valid !== null && valid[i] === 0) {
      out[k] = -1;
      continue;
    }
    const x = data[i]!;
    if (x < prev) return false;
    prev = x;
    if (p < 0) {
      let lo = 0;
      let hi = len;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (keys[mid]! < x) lo = mid + 1;
        else hi = mid;
      }
      p = lo;
    } else while (p < len && keys[p]! < x) p++;
    out[k] = p < len && keys[p] === x ? (ids === null ? p : ids[p]!) : -1;
  }
  return true;
}

const MERGE_LOOP_SEL = { i32: freshCopy(mergeLoopSel), f64: freshCopy(mergeLoopSel) };

/**
 * `m`'s keys ascending with their ids. Ids count up in insertion order, so a build side that
 * arrived in key order (a join output that kept its probe side's order) needs no sort.
 */
function ascendingKeys(m: NumMap, ids: number): { keys: Float64Array; ids: Int32Array | null; size: number } {
  const { keys, vals } = m;
  if (ids === m.size) {
    const byId = scratchFloat64(ids);
    for (let i = 0; i < vals.length; i++) if (vals[i] !== -1) byId[vals[i]!] = keys[i]!;
    let sorted = true;
    for (let k = 1; k < ids && sorted; k++) sorted = byId[k - 1]! < byId[k]!;
    if (sorted) return { keys: byId, ids: null, size: m.size };
    giveBack(byId);
  }
  const sorted = scratchFloat64(m.size);
  let j = 0;
  for (let i = 0; i < vals.length; i++) if (vals[i] !== -1) sorted[j++] = keys[i]!;
  sorted.sort();
  const idOf = scratchInt32(sorted.length);
  for (let i = 0; i < sorted.length; i++) idOf[i] = m.get(sorted[i]!);
  return { keys: sorted, ids: idOf, size: m.size };
}

/**
 * A direct table spans at most DIRECT_SPREAD slots per key (up to DIRECT_MAX slots), or up to
 * DIRECT_SPARSE slots per key while it stays within DIRECT_ANY slots (4 MiB: a random read there
 * still beats a hash probe, and the table is not large next to the build it serves).
 */
const DIRECT_SPREAD = 4;
const DIRECT_SPARSE = 32;
const DIRECT_ANY = 1 << 20;
const DIRECT_MAX = 1 << 24;

/** The direct table of `m`'s keys (ids at key - min, -1 elsewhere), or null when they are not dense integers. */
function directTable(m: NumMap): { min: number; table: Int32Array; size: number } | null {
  if (m.size === 0 || m.nan !== -1) return null;
  const keys = scratchFloat64(m.size);
  const ids = scratchInt32(m.size);
  let j = 0;
  for (let i = 0; i < m.vals.length; i++) {
    if (m.vals[i] === -1) continue;
    keys[j] = m.keys[i]!;
    ids[j++] = m.vals[i]!;
  }
  const d = directFrom(keys, ids);
  giveBack(keys);
  giveBack(ids);
  return d;
}

/** The direct table of `keys` with ids `ids` (null: an id is its key's position), or null when they are not dense integers. */
function directFrom(keys: Float64Array, ids: Int32Array | null): { min: number; table: Int32Array; size: number } | null {
  const n = keys.length;
  if (n === 0) return null;
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < n; i++) {
    const k = keys[i]!;
    if (!Number.isInteger(k)) return null;
    if (k < min) min = k;
    if (k > max) max = k;
  }
  const span = max - min + 1;
  const dense = span <= Math.max(1024, n * DIRECT_SPREAD) || (span <= DIRECT_ANY && span <= n * DIRECT_SPARSE);
  if (span > DIRECT_MAX || !dense) return null;
  const table = scratchInt32(span, -1);
  for (let i = 0; i < n; i++) table[keys[i]! - min] = ids === null ? i : ids[i]!;
  return { min, table, size: n };
}

/** Ids of rows `data[0..n)` from a direct table (see directTable); NULL, inactive and absent rows get -1. */
function directLoop(table: Int32Array, min: number, data: Float64Array | Int32Array, valid: Uint8Array | null, active: Uint8Array | null, n: number, out: Int32Array): void {
  const len = table.length;
  for (let i = 0; i < n; i++) {
    if ((active !== null && active[i] === 0) || (valid !== null && valid[i] === 0)) {
      out[i] = -1;
      continue;
    }
    const k = data[i]!;
    const j = k - min;
    // A fractional key (float data) equals no table key; the subtraction may round its fraction
    // away, so the slot must map back to the key exactly.
    out[i] = j >= 0 && j < len && (j | 0) === j && j + min === k ? table[j]! : -1;
  }
}

const DIRECT_LOOP = { i32: freshCopy(directLoop), f64: freshCopy(directLoop) };

/** directLoop over the rows `sel[0..n)` only: `out[k]` is the id of row `sel[k]`. */
function directLoopSel(table: Int32Array, min: number, data: Float64Array | Int32Array, valid: Uint8Array | null, sel: Uint32Array, n: number, out: Int32Array): void {
  const len = table.length;
  for (let k = 0; k < n; k++) {
    const i = sel[k]!;
    if (valid !== null && valid[i] === 0) {
      out[k] = -1;
      continue;
    }
    const x = data[i]!;
    const j = x - min;
    out[k] = j >= 0 && j < len && (j | 0) === j && j + min === x ? table[j]! : -1;
  }
}

const DIRECT_LOOP_SEL = { i32: freshCopy(directLoopSel), f64: freshCopy(directLoopSel) };

/** Tables with fewer keys than this stay in the caches: a hash probe beats the merge's setup. */
const MERGE_FROM = 4096;

/** The loop and the probe it inlines, copied per array type. */
const NUMERIC_LOOP = { i32: { loop: freshCopy(numericLoop), probe: freshCopy(probeNum) }, f64: { loop: freshCopy(numericLoop), probe: freshCopy(probeNum) } };

export class KeyTable {
  private readonly dicts: Dict[];
  private readonly levels: NumMap[];
  private readonly wide: Map<string, number>[];
  private readonly counts: number[];
  /** Number of distinct keys seen. */
  size = 0;

  private readonly filtered: boolean;

  /** `expected`: the number of distinct keys to size for (a hash join's build rows), when known. */
  constructor(
    readonly width: number,
    private readonly expected = 0,
  ) {
    // A known size means a join build: its probes mostly miss, which the maps' filters answer.
    // The table is sized for it on the first insert (a sorted build never fills it).
    this.filtered = expected > 0;
    this.dicts = Array.from({ length: width }, () => new Dict(new NumMap(16, this.filtered)));
    this.levels = Array.from({ length: Math.max(0, width - 1) }, () => new NumMap(16, this.filtered));
    this.wide = Array.from({ length: Math.max(0, width - 1) }, () => new Map());
    this.counts = new Array<number>(Math.max(0, width - 1)).fill(0);
    this.resolved = Array.from({ length: width }, () => new Map());
  }

  /** Per key column: dictionary index → this table's code (or id, width 1) for dictionary-encoded text; -2 unresolved. */
  private readonly resolved: Map<readonly string[], Int32Array>[];

  /** The resolution array of `values` for key column `j`, grown to cover every value. */
  private resolution(j: number, values: readonly string[]): Int32Array {
    const m = this.resolved[j]!;
    let r = m.get(values);
    if (r === undefined || r.length < values.length) {
      const next = new Int32Array(Math.max(16, values.length * 2)).fill(-2);
      if (r !== undefined) next.set(r);
      r = next;
      m.set(values, r);
    }
    return r;
  }

  private code(j: number, v: Vec, i: number, insert: boolean): number {
    const k = keyAt(v, i);
    if (k === undefined) return 0;
    return this.codeOf(j, k, insert);
  }

  private codeOf(j: number, k: DictKey, insert: boolean): number {
    const d = this.dicts[j]!;
    let c = d.get(k);
    if (c < 0) {
      if (!insert) return -1;
      c = d.size + 1;
      d.set(k, c);
    }
    return c;
  }

  private fold(level: number, prev: number, code: number, insert: boolean): number {
    if (prev < SHIFT && code < SHIFT) {
      const m = this.levels[level]!;
      const key = prev * SHIFT + code;
      let id = m.get(key);
      if (id < 0) {
        if (!insert) return -1;
        id = this.counts[level]!++;
        m.set(key, id);
      }
      return id;
    }
    const w = this.wide[level]!;
    const key = `${prev},${code}`;
    let id = w.get(key);
    if (id === undefined) {
      if (!insert) return -1;
      id = this.counts[level]!++;
      w.set(key, id);
    }
    return id;
  }

  private nullGroup = -1;

  /** The id of a row whose single key is NULL: -1 for join keys, else the one NULL group (internal). */
  nullId(insert: boolean, nullsNeverMatch: boolean): number {
    if (nullsNeverMatch) return -1;
    if (this.nullGroup < 0 && insert) this.nullGroup = this.size++;
    return this.nullGroup;
  }

  /**
   * Ids of rows `0..n-1` of the key columns. With `insert`, new keys get the next id; without,
   * unknown keys give -1. With `nullsNeverMatch`, a row with any NULL key gives -1 (join keys).
   * Rows whose `active` byte is 0 are skipped: they get -1 and add no key. The ids are written
   * into `into` (a view of its first n entries) when it is long enough: callers reuse a buffer.
   */
  ids(keys: readonly Vec[], n: number, insert: boolean, nullsNeverMatch = false, active: Uint8Array | null = null, into: Int32Array | null = null): Int32Array {
    const out = into !== null && into.length >= n ? into.subarray(0, n) : new Int32Array(n);
    const w = this.width;
    // Only join probes of an integer key can use a sorted build as it is.
    if (this.sorted !== null && (insert || !nullsNeverMatch || keys[0]!.dict !== undefined || !(keys[0]!.rep === 'i32' || (keys[0]!.rep === 'f64' && keys[0]!.scale === 0)))) this.ensureHash();
    if (w === 0) {
      if (insert && this.size === 0 && n > 0) this.size = 1;
      out.fill(!insert && this.size === 0 ? -1 : 0);
      if (active !== null && this.size > 0) for (let i = 0; i < n; i++) if (active[i] === 0) out[i] = -1;
      return out;
    }
    if (w === 1) {
      const v = keys[0]!;
      const d = this.dicts[0]!;
      if (insert && this.size === 0 && d.nums.size === 0 && this.expected > 16) d.nums = new NumMap(this.expected, this.filtered);
      if (v.dict !== undefined) {
        this.dictIds(v, d, out, n, insert, nullsNeverMatch, active);
        return out;
      }
      if ((v.rep === 'i32' || (v.rep === 'f64' && v.scale === 0)) && d.strs.size === 0) {
        if (!insert && nullsNeverMatch && (this.directIds(v, d.nums, out, n, active) || this.mergeIds(v, d.nums, out, n, active))) return out;
        this.ensureHash();
        this.numericIds(v, d.nums, out, n, insert, nullsNeverMatch, active);
        return out;
      }
      for (let i = 0; i < n; i++) {
        if (active !== null && active[i] === 0) {
          out[i] = -1;
          continue;
        }
        const k = keyAt(v, i);
        if (k === undefined) {
          out[i] = this.nullId(insert, nullsNeverMatch);
          continue;
        }
        let id = d.get(k);
        if (id < 0) {
          if (!insert) {
            out[i] = -1;
            continue;
          }
          id = this.size++;
          d.set(k, id);
        }
        out[i] = id;
      }
      return out;
    }
    const res = keys.map((v, j) => (v.dict === undefined ? null : this.resolution(j, v.dict.values)));
    if (res.every((r) => r !== null) && this.comboIds(keys, res as Int32Array[], out, n, insert, nullsNeverMatch, active)) return out;
    for (let i = 0; i < n; i++) out[i] = active !== null && active[i] === 0 ? -1 : this.rowId(keys, res, i, insert, nullsNeverMatch);
    this.size = this.counts[w - 2]!;
    return out;
  }

  /** The id of row `i` over several key columns, folding one column's code at a time. */
  private rowId(keys: readonly Vec[], res: readonly (Int32Array | null)[], i: number, insert: boolean, nullsNeverMatch: boolean): number {
    let id = -1;
    for (let j = 0; j < this.width; j++) {
      const v = keys[j]!;
      const isNull = v.valid !== null && v.valid[i] === 0;
      if (nullsNeverMatch && isNull) return -1;
      let c: number;
      const r = res[j];
      if (r != null && !isNull) {
        const at = v.dict!.codes[i]!;
        c = r[at]!;
        if (c < 0) {
          c = this.codeOf(j, v.dict!.values[at]!, insert);
          if (c >= 0) r[at] = c;
        }
      } else c = this.code(j, v, i, insert);
      if (c < 0) return -1;
      id = j === 0 ? c : this.fold(j - 1, id, c, insert);
      if (id < 0) return -1;
    }
    return id;
  }

  /** Ids already found, indexed by the row's dictionary codes combined (mixed radix); -1 unknown. */
  private combo: { values: (readonly string[])[]; lens: number[]; table: Int32Array } | null = null;

  /**
   * Several dictionary-encoded key columns whose dictionaries are small together: the codes of a
   * row combine into one index of a direct table, so a row's id is one array read and the fold
   * runs once per distinct combination. False when the dictionaries are too large together.
   */
  private comboIds(keys: readonly Vec[], res: readonly Int32Array[], out: Int32Array, n: number, insert: boolean, nullsNeverMatch: boolean, active: Uint8Array | null): boolean {
    const w = this.width;
    const values = keys.map((v) => v.dict!.values);
    let span = 1;
    for (const vs of values) span *= vs.length;
    if (span > COMBO_LIMIT) return false;
    let c = this.combo;
    // Dictionaries only grow at their end, but a longer one changes the radix: start over.
    if (c === null || c.values.some((vs, j) => vs !== values[j] || c!.lens[j] !== vs.length)) {
      c = this.combo = { values, lens: values.map((vs) => vs.length), table: new Int32Array(span).fill(-1) };
    }
    const table = c.table;
    const codes = keys.map((v) => v.dict!.codes);
    const noNulls = keys.every((v) => v.valid === null);
    const c0 = codes[0]!;
    const c1 = codes[1]!;
    const len1 = values[1]!.length;
    for (let i = 0; i < n; i++) {
      if (active !== null && active[i] === 0) {
        out[i] = -1;
        continue;
      }
      if (!noNulls && anyNullAt(keys, i)) {
        out[i] = this.rowId(keys, res, i, insert, nullsNeverMatch);
        continue;
      }
      let at = c0[i]! * len1 + c1[i]!;
      for (let j = 2; j < w; j++) at = at * values[j]!.length + codes[j]![i]!;
      let id = table[at]!;
      if (id < 0) {
        id = this.rowId(keys, res, i, insert, nullsNeverMatch);
        if (id >= 0) table[at] = id;
      }
      out[i] = id;
    }
    this.size = this.counts[w - 2]!;
    return true;
  }

  /** The single-column loop for dictionary-encoded text: one lookup per distinct value, not per row. */
  private dictIds(v: Vec, d: Dict, out: Int32Array, n: number, insert: boolean, nullsNeverMatch: boolean, active: Uint8Array | null): void {
    const { codes, values } = v.dict!;
    const r = this.resolution(0, values);
    const valid = v.valid;
    for (let i = 0; i < n; i++) {
      if (active !== null && active[i] === 0) {
        out[i] = -1;
        continue;
      }
      if (valid !== null && valid[i] === 0) {
        out[i] = this.nullId(insert, nullsNeverMatch);
        continue;
      }
      const at = codes[i]!;
      let id = r[at]!;
      if (id < 0) {
        const s = values[at]!;
        id = d.get(s);
        if (id < 0 && insert) {
          id = this.size++;
          d.set(s, id);
        }
        if (id >= 0) r[at] = id;
      }
      out[i] = id;
    }
  }

  /** Ids by key - min for integer keys over a dense range (see directIds); null when they are not. */
  private direct: { min: number; table: Int32Array; size: number } | null | undefined;

  /**
   * Join probes into a table of integer keys that fill a dense range (surrogate keys such as
   * customer or part numbers) read the id at `key - min` of a flat array: no hash, no compare
   * chain. False when the keys are not integers or spread over more than DIRECT_SPREAD times
   * their count.
   */
  private directIds(v: Vec, m: NumMap, out: Int32Array, n: number, active: Uint8Array | null, sel: Uint32Array | null = null): boolean {
    let d = this.direct;
    if (d === undefined || (d !== null && d.size !== this.keyCount(m))) {
      d = this.direct = this.sorted !== null ? directFrom(this.sorted, null) : directTable(m);
      if (d !== null) this.borrowed.push(d.table);
    }
    if (d === null) return false;
    const data = v.data as Float64Array | Int32Array;
    if (sel !== null) (v.rep === 'i32' ? DIRECT_LOOP_SEL.i32 : DIRECT_LOOP_SEL.f64)(d.table, d.min, data, v.valid, sel, n, out);
    else (v.rep === 'i32' ? DIRECT_LOOP.i32 : DIRECT_LOOP.f64)(d.table, d.min, data, v.valid, active, n, out);
    return true;
  }

  /** The table's integer keys ascending with their ids (see mergeIds); rebuilt when keys were added. */
  private ascending: { keys: Float64Array; ids: Int32Array | null; size: number } | null = null;
  /** Batches whose keys did not ascend: after a few, probes stop trying the merge. */
  private unsorted = 0;

  /**
   * Join probes whose integer keys ascend through the batch (a child table stored in its parent's
   * key order, probing a build side of that parent) walk the table's keys in order instead of
   * hashing each one: a compare per row, and the walk advances only across the keys in the batch's
   * range. False, with nothing decided, when the batch turns out not to ascend or the table is too
   * small for the hash probe to miss the caches.
   */
  private mergeIds(v: Vec, m: NumMap, out: Int32Array, n: number, active: Uint8Array | null, sel: Uint32Array | null = null): boolean {
    if (this.unsorted >= 4 || this.keyCount(m) < MERGE_FROM || m.nan !== -1) return false;
    let a = this.ascending;
    if (a === null || a.size !== this.keyCount(m)) {
      const sorted = this.sorted;
      if (sorted !== null) a = this.ascending = { keys: sorted, ids: null, size: sorted.length };
      else {
        a = this.ascending = ascendingKeys(m, this.size);
        this.borrowed.push(a.keys);
        if (a.ids !== null) this.borrowed.push(a.ids);
      }
    }
    const data = v.data as Float64Array | Int32Array;
    const ok = sel !== null ? (v.rep === 'i32' ? MERGE_LOOP_SEL.i32 : MERGE_LOOP_SEL.f64)(a.keys, a.ids, data, v.valid, sel, n, out) : (v.rep === 'i32' ? MERGE_LOOP.i32 : MERGE_LOOP.f64)(a.keys, a.ids, data, v.valid, active, n, out);
    if (ok) return true;
    this.unsorted++;
    return false;
  }

  /**
   * Join probe ids of only the rows `sel[0..n)` of the key columns (`result[k]` for row `sel[k]`,
   * -1 where none matches), when the table answers them by its direct table or merge walk (a
   * single integer key); null otherwise, with nothing written: the caller probes the whole batch.
   */
  selectedIds(keys: readonly Vec[], sel: Uint32Array, n: number, into: Int32Array): Int32Array | null {
    if (this.width !== 1 || into.length < n) return null;
    const v = keys[0]!;
    if (v.dict !== undefined || !(v.rep === 'i32' || (v.rep === 'f64' && v.scale === 0))) return null;
    const d = this.dicts[0]!;
    if (d.strs.size !== 0) return null;
    const out = into.subarray(0, n);
    return this.directIds(v, d.nums, out, n, null, sel) || this.mergeIds(v, d.nums, out, n, null, sel) ? out : null;
  }

  /**
   * A join build whose single integer key ascends (a side stored, or joined, in key order) keeps
   * its distinct keys as a sorted array, id = position, and fills the hash table only if a probe
   * ever needs it: probes in key order walk the array, dense keys read a direct table.
   */
  private sorted: Float64Array | null = null;

  private keyCount(m: NumMap): number {
    return this.sorted !== null ? this.sorted.length : m.size;
  }

  /** Moves a sorted build into the hash table (once some probe or insert needs it). */
  private ensureHash(): void {
    const sorted = this.sorted;
    if (sorted === null) return;
    this.sorted = null;
    const m = new NumMap(sorted.length, this.filtered);
    this.dicts[0]!.nums = m;
    for (let i = 0; i < sorted.length; i++) m.set(sorted[i]!, i);
  }

  /**
   * Ids of a join build's key column `v` (rows 0..n-1, NULL rows -1) when it is a single integer
   * key ascending through the rows: the table then holds them as a sorted array (see `sorted`).
   * Null, with nothing added, for any other build. The ids are a scratch array the caller hands
   * back (scratch.ts).
   */
  buildAscending(v: Vec, n: number): Int32Array | null {
    if (this.width !== 1 || this.size !== 0 || v.dict !== undefined || !(v.rep === 'i32' || (v.rep === 'f64' && v.scale === 0))) return null;
    const data = v.data as Float64Array | Int32Array;
    const valid = v.valid;
    let prev = -Infinity;
    let distinct = 0;
    for (let i = 0; i < n; i++) {
      if (valid !== null && valid[i] === 0) continue;
      const k = data[i]!;
      if (!(k >= prev)) return null; // descends, or NaN
      if (k !== prev || distinct === 0) distinct++;
      prev = k;
    }
    const keys = scratchFloat64(distinct);
    const out = scratchInt32(n);
    let id = -1;
    prev = -Infinity;
    for (let i = 0; i < n; i++) {
      if (valid !== null && valid[i] === 0) {
        out[i] = -1;
        continue;
      }
      const k = data[i]!;
      if (id < 0 || k !== prev) keys[++id] = k;
      prev = k;
      out[i] = id;
    }
    this.sorted = keys;
    this.borrowed.push(keys);
    this.size = distinct;
    return out;
  }

  /**
   * Hands the table's scratch arrays back (see scratch.ts) once no probe will come: its owner
   * closes. Arrays it returned from `ids` are the caller's to hand back.
   */
  dispose(): void {
    for (const a of this.borrowed) giveBack(a);
    this.borrowed.length = 0;
    for (const d of this.dicts) d.nums.dispose();
    for (const m of this.levels) m.dispose();
    this.sorted = null;
    this.direct = undefined;
    this.ascending = null;
  }

  /** Scratch arrays the table's sorted keys, direct tables and merge arrays occupy (each once). */
  private readonly borrowed: ArrayBufferView[] = [];

  /** The single-column loop for integer keys: straight typed-array reads into the number table. */
  private numericIds(v: Vec, m: NumMap, out: Int32Array, n: number, insert: boolean, nullsNeverMatch: boolean, active: Uint8Array | null): void {
    const { loop, probe } = v.rep === 'i32' ? NUMERIC_LOOP.i32 : NUMERIC_LOOP.f64;
    loop(this, probe, v.data as Float64Array | Int32Array, v.valid, m, out, n, insert, nullsNeverMatch, active);
  }

}
