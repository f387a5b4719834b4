// The in-memory value types of the key-value model: strings, lists (a ring deque), hashes, sets, sorted sets.
//
// Keys, members and string values are binary-safe strings with one byte per code unit (latin1): they are
// compact, hashable as Map keys, and compare in byte order with `<`, which is the order Redis uses.

/** A list: a ring buffer, so pushes and pops at both ends are O(1) (LPUSH/RPOP queues stay flat). */
export class Deque {
  private items: (string | undefined)[];
  private head = 0;
  length = 0;

  constructor(capacity = 8) {
    this.items = new Array<string | undefined>(capacity);
  }

  private grow(): void {
    const next = new Array<string | undefined>(this.items.length * 2);
    for (let i = 0; i < this.length; i++) next[i] = this.items[(this.head + i) & (this.items.length - 1)];
    this.items = next;
    this.head = 0;
  }

  pushBack(v: string): void {
    if (this.length === this.items.length) this.grow();
    this.items[(this.head + this.length) & (this.items.length - 1)] = v;
    this.length++;
  }

  pushFront(v: string): void {
    if (this.length === this.items.length) this.grow();
    this.head = (this.head - 1) & (this.items.length - 1);
    this.items[this.head] = v;
    this.length++;
  }

  popFront(): string | undefined {
    if (this.length === 0) return undefined;
    const v = this.items[this.head];
    this.items[this.head] = undefined;
    this.head = (this.head + 1) & (this.items.length - 1);
    this.length--;
    return v;
  }

  popBack(): string | undefined {
    if (this.length === 0) return undefined;
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
    if (old !== undefined) {
      if (old === score) return false;
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
export type Value = string | Deque | Map<string, string> | Set<string> | ZSet;

/** Redis's name for a value's type (TYPE, SCAN TYPE). */
export function typeName(v: Value): 'string' | 'list' | 'hash' | 'set' | 'zset' {
  if (typeof v === 'string') return 'string';
  if (v instanceof Deque) return 'list';
  if (v instanceof Map) return 'hash';
  if (v instanceof Set) return 'set';
  return 'zset';
}
