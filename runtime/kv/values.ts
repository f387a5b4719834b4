// The in-memory value types of the key-value model: strings, lists (a ring deque), hashes, sets, sorted sets.
//
// Keys, members and string values are binary-safe strings with one byte per code unit (latin1): they are
// compact, hashable as Map keys, and compare in byte order with `<`, which is the order Redis uses.
// A large collection is stored one LMDB entry per member (persist.ts); while it is, its `spill` log
// records which members (or list positions) changed, so a commit writes only those.

/** Where a collection's members are stored one per entry, and what changed since they were last written. */
export interface Spill {
  readonly db: number;
  readonly key: string;
  /**
   * Changed members (lists: chunk numbers, see LIST_CHUNK), in the order of the changes and with
   * repeats; their current state is what gets written. An array rather than a set: a push costs a few
   * nanoseconds where adding to a set of thousands of members costs most of a microsecond, and the
   * commit sorts the members anyway (for LMDB's sake), which is where repeats are dropped.
   */
  readonly changed: (string | number)[];
  /** Length of `changed` past which repeats are dropped at once (a member changed over and over between commits). */
  limit: number;
}

/** Length of a change log at which its repeats are first dropped. */
const COMPACT_AT = 1 << 16;

/** A fresh change log for a collection stored at (db, key). */
export function newSpill(db: number, key: string): Spill {
  return { db, key, changed: [], limit: COMPACT_AT };
}

/** Logs one changed member. */
function logChange(spill: Spill, member: string | number): void {
  if (spill.changed.push(member) > spill.limit) spill.limit = Math.max(COMPACT_AT, 2 * sortDistinct(spill.changed));
}

/**
 * Sorts a change log in place (chunk numbers numerically, members by bytes) and drops repeats;
 * returns the new length.
 */
export function sortDistinct(changed: (string | number)[]): number {
  if (typeof changed[0] === 'number') changed.sort((a, b) => (a as number) - (b as number));
  else changed.sort();
  let n = 0;
  for (let i = 0; i < changed.length; i++) if (n === 0 || changed[i] !== changed[n - 1]) changed[n++] = changed[i]!;
  changed.length = n;
  return n;
}

/**
 * A stored list is cut into chunks of this many positions, one entry each: a burst of pushes
 * rewrites a few chunks rather than adding an entry per element.
 */
export const LIST_CHUNK = 256;

/** A hash: field → value, logging changed fields while its members are stored one per entry. */
export class Hash extends Map<string, string> {
  spill: Spill | undefined = undefined;

  override set(field: string, value: string): this {
    if (this.spill) logChange(this.spill, field);
    return super.set(field, value);
  }

  override delete(field: string): boolean {
    if (this.spill) logChange(this.spill, field);
    return super.delete(field);
  }

  override clear(): void {
    this.spill = undefined;
    super.clear();
  }
}

/** A set of members, logging changed members while they are stored one per entry. */
export class MemberSet extends Set<string> {
  spill: Spill | undefined = undefined;

  override add(member: string): this {
    if (this.spill) logChange(this.spill, member);
    return super.add(member);
  }

  override delete(member: string): boolean {
    if (this.spill) logChange(this.spill, member);
    return super.delete(member);
  }

  override clear(): void {
    this.spill = undefined;
    super.clear();
  }
}

/** A list: a ring buffer, so pushes and pops at both ends are O(1) (LPUSH/RPOP queues stay flat). */
export class Deque {
  private items: (string | undefined)[];
  private head = 0;
  length = 0;
  /**
   * Position number of the first element: pushes at the front count down, so an element keeps its
   * number while it stays in the list and a stored entry per element needs no renumbering.
   */
  base = 0;
  spill: Spill | undefined = undefined;

  constructor(capacity = 8) {
    this.items = new Array<string | undefined>(capacity);
  }

  private grow(): void {
    const next = new Array<string | undefined>(this.items.length * 2);
    for (let i = 0; i < this.length; i++) next[i] = this.items[(this.head + i) & (this.items.length - 1)];
    this.items = next;
    this.head = 0;
  }

  /** Logs the chunk holding position `pos` as changed. */
  private mark(pos: number): void {
    logChange(this.spill!, Math.floor(pos / LIST_CHUNK));
  }

  pushBack(v: string): void {
    if (this.spill) this.mark(this.base + this.length);
    if (this.length === this.items.length) this.grow();
    this.items[(this.head + this.length) & (this.items.length - 1)] = v;
    this.length++;
  }

  pushFront(v: string): void {
    this.base--;
    if (this.spill) this.mark(this.base);
    if (this.length === this.items.length) this.grow();
    this.head = (this.head - 1) & (this.items.length - 1);
    this.items[this.head] = v;
    this.length++;
  }

  popFront(): string | undefined {
    if (this.length === 0) return undefined;
    if (this.spill) this.mark(this.base);
    this.base++;
    const v = this.items[this.head];
    this.items[this.head] = undefined;
    this.head = (this.head + 1) & (this.items.length - 1);
    this.length--;
    return v;
  }

  popBack(): string | undefined {
    if (this.length === 0) return undefined;
    if (this.spill) this.mark(this.base + this.length - 1);
    const at = (this.head + this.length - 1) & (this.items.length - 1);
    const v = this.items[at];
    this.items[at] = undefined;
    this.length--;
    return v;
  }

  /** Element at a non-negative index below length. */
  at(i: number): string {
    return this.items[(this.head + i) & (this.items.length - 1)]!;
  }

  setAt(i: number, v: string): void {
    if (this.spill) this.mark(this.base + i);
    this.items[(this.head + i) & (this.items.length - 1)] = v;
  }

  /** Elements [start, end) as an array. */
  slice(start: number, end: number): string[] {
    const out = new Array<string>(Math.max(0, end - start));
    for (let i = start; i < end; i++) out[i - start] = this.at(i);
    return out;
  }

  /** Replaces the whole content (for LINSERT, LREM, LTRIM, which rebuild anyway). */
  replace(values: readonly string[]): void {
    // Positions shift: the stored entries are rewritten whole.
    this.spill = undefined;
    let cap = 8;
    while (cap < values.length) cap *= 2;
    this.items = new Array<string | undefined>(cap);
    for (let i = 0; i < values.length; i++) this.items[i] = values[i];
    this.head = 0;
    this.length = values.length;
  }
}

/** A sorted set: member → score, plus members kept ordered by (score, member) for ranges and ranks. */
export class ZSet {
  readonly scores = new Map<string, number>();
  /** Ordered by score, then member bytes. */
  readonly order: string[] = [];
  spill: Spill | undefined = undefined;

  get size(): number {
    return this.scores.size;
  }

  private less(sa: number, ma: string, sb: number, mb: string): boolean {
    return sa < sb || (sa === sb && ma < mb);
  }

  /** Index where (score, member) is or would be. */
  private locate(score: number, member: string): number {
    let lo = 0;
    let hi = this.order.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const m = this.order[mid]!;
      if (this.less(this.scores.get(m)!, m, score, member)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Sets a member's score; returns whether it was new. */
  add(member: string, score: number): boolean {
    const old = this.scores.get(member);
    if (old === score) return false;
    if (this.spill) logChange(this.spill, member);
    if (old !== undefined) {
      this.order.splice(this.locate(old, member), 1);
      this.scores.set(member, score);
      this.order.splice(this.locate(score, member), 0, member);
      return false;
    }
    this.scores.set(member, score);
    this.order.splice(this.locate(score, member), 0, member);
    return true;
  }

  remove(member: string): boolean {
    if (this.spill) logChange(this.spill, member);
    const old = this.scores.get(member);
    if (old === undefined) return false;
    this.order.splice(this.locate(old, member), 1);
    this.scores.delete(member);
    return true;
  }

  rank(member: string): number | undefined {
    const s = this.scores.get(member);
    return s === undefined ? undefined : this.locate(s, member);
  }

  /** First index whose score is >= min (or > min when exclusive). */
  firstAtLeast(min: number, exclusive: boolean): number {
    let lo = 0;
    let hi = this.order.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const s = this.scores.get(this.order[mid]!)!;
      if (s < min || (exclusive && s === min)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** First index whose member is >= min (or > min when exclusive); meaningful when all scores are equal. */
  firstLexAtLeast(min: string, exclusive: boolean): number {
    let lo = 0;
    let hi = this.order.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const m = this.order[mid]!;
      if (m < min || (exclusive && m === min)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}

/** Every value type a key can hold; a string is stored as itself. */
export type Value = string | Deque | Hash | MemberSet | ZSet;

/** Redis's name for a value's type (TYPE, SCAN TYPE). */
export function typeName(v: Value): 'string' | 'list' | 'hash' | 'set' | 'zset' {
  if (typeof v === 'string') return 'string';
  if (v instanceof Deque) return 'list';
  if (v instanceof Map) return 'hash';
  if (v instanceof Set) return 'set';
  return 'zset';
}
