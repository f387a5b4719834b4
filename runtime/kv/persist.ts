// Durable copy of the keyspace in LMDB: one record per key, written by group commit, read back at start-up.
//
// Record key: db index (1 byte) ++ key bytes. Record value: type tag (1 byte) ++ absolute expiry in ms
// (float64 BE, 0 = none) ++ the payload. TTLs are stored as absolute times, so a restart neither
// extends nor shortens them; keys that expired while the server was down are dropped on load.
//
// A collection of SPILL_AT members or more is stored spilled: its record holds only the type and
// expiry, and each member is an entry of the `members` database under the key's prefix (db ++
// varint key length ++ key) followed by the member; a list is stored in chunks of LIST_CHUNK
// positions instead, keyed by chunk number (8 bytes, in order). A commit then writes only the
// members or chunks its change log names (values.ts), so one HSET on a 100k-field hash writes one
// entry, not the hash. It returns to one record below SPILL_AT / 4.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { open, type Database, type RootDatabase } from 'lmdb';
import { Deque, Hash, LIST_CHUNK, MemberSet, ZSet, newSpill, sortDistinct, type Value } from './values.ts';

const T_STRING = 1;
const T_LIST = 2;
const T_HASH = 3;
const T_SET = 4;
const T_ZSET = 5;
/** Spilled forms: the tag of the compact form plus this. */
const SPILLED = 10;

/** A collection with at least this many members is stored one entry per member. */
export const SPILL_AT = 512;
/** Longest member entry key: lmdb-js takes keys up to 1978 bytes; a longer member keeps its collection in one record. */
const MAX_ENTRY_KEY = 1900;
/** Largest commit log buffer kept for the next commit (a rare huge rewrite's is dropped). */
const MAX_SPARE_LOG = 16 * 1024 * 1024;
/** List chunk numbers are stored offset so every one is a positive float64, whose big-endian bytes sort in order. */
const POSITION_OFFSET = 2 ** 52;

/** Grows as needed; one per process, reused for every record. */
class Out {
  buf = Buffer.allocUnsafe(1024);
  len = 0;
  ensure(n: number): void {
    if (this.len + n <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < this.len + n) cap *= 2;
    const next = Buffer.allocUnsafe(cap);
    this.buf.copy(next, 0, 0, this.len);
    this.buf = next;
  }
  u8(v: number): void {
    this.ensure(1);
    this.buf[this.len++] = v;
  }
  f64(v: number): void {
    this.ensure(8);
    this.buf.writeDoubleBE(v, this.len);
    this.len += 8;
  }
  varint(v: number): void {
    this.ensure(5);
    while (v >= 0x80) {
      this.buf[this.len++] = (v & 0x7f) | 0x80;
      v >>>= 7;
    }
    this.buf[this.len++] = v;
  }
  str(s: string): void {
    this.varint(s.length);
    this.raw(s);
  }
  raw(s: string): void {
    const n = s.length;
    this.ensure(n);
    // Members and fields are mostly short: a loop costs less than the native call.
    if (n > 64) {
      this.len += this.buf.write(s, this.len, 'latin1');
      return;
    }
    const buf = this.buf;
    let at = this.len;
    for (let i = 0; i < n; i++) buf[at++] = s.charCodeAt(i);
    this.len = at;
  }
  take(): Buffer {
    const b = Buffer.from(this.buf.subarray(0, this.len));
    this.len = 0;
    return b;
  }
}

class In {
  pos = 0;
  constructor(readonly buf: Buffer) {}
  u8(): number {
    return this.buf[this.pos++]!;
  }
  f64(): number {
    const v = this.buf.readDoubleBE(this.pos);
    this.pos += 8;
    return v;
  }
  varint(): number {
    let v = 0;
    let shift = 0;
    for (;;) {
      const b = this.buf[this.pos++]!;
      v += (b & 0x7f) * 2 ** shift;
      if (b < 0x80) return v;
      shift += 7;
    }
  }
  str(): string {
    const n = this.varint();
    const s = this.buf.toString('latin1', this.pos, this.pos + n);
    this.pos += n;
    return s;
  }
  rest(): string {
    return this.buf.toString('latin1', this.pos, this.buf.length);
  }
}

const out = new Out();

/** Encodes one key's value and absolute expiry (0 = none). */
export function encodeRecord(v: Value, expireAt: number): Buffer {
  if (typeof v === 'string') {
    out.u8(T_STRING);
    out.f64(expireAt);
    out.raw(v);
  } else if (v instanceof Deque) {
    out.u8(T_LIST);
    out.f64(expireAt);
    out.varint(v.length);
    for (let i = 0; i < v.length; i++) out.str(v.at(i));
  } else if (v instanceof Map) {
    out.u8(T_HASH);
    out.f64(expireAt);
    out.varint(v.size);
    for (const [f, x] of v) {
      out.str(f);
      out.str(x);
    }
  } else if (v instanceof Set) {
    out.u8(T_SET);
    out.f64(expireAt);
    out.varint(v.size);
    for (const m of v) out.str(m);
  } else {
    out.u8(T_ZSET);
    out.f64(expireAt);
    out.varint(v.size);
    for (const m of v.order) {
      out.str(m);
      out.f64(v.scores.get(m)!);
    }
  }
  return out.take();
}

/** Decodes a record written by `encodeRecord`. */
export function decodeRecord(buf: Buffer): { value: Value; expireAt: number } {
  const r = new In(buf);
  const tag = r.u8();
  const expireAt = r.f64();
  switch (tag) {
    case T_STRING:
      return { value: r.rest(), expireAt };
    case T_LIST: {
      const n = r.varint();
      const d = new Deque();
      for (let i = 0; i < n; i++) d.pushBack(r.str());
      return { value: d, expireAt };
    }
    case T_HASH: {
      const n = r.varint();
      const m = new Hash();
      for (let i = 0; i < n; i++) m.set(r.str(), r.str());
      return { value: m, expireAt };
    }
    case T_SET: {
      const n = r.varint();
      const s = new MemberSet();
      for (let i = 0; i < n; i++) s.add(r.str());
      return { value: s, expireAt };
    }
    case T_ZSET: {
      const n = r.varint();
      const z = new ZSet();
      for (let i = 0; i < n; i++) {
        const m = r.str();
        z.scores.set(m, r.f64());
        z.order.push(m);
      }
      return { value: z, expireAt };
    }
    default:
      throw new Error(`keyspace record with unknown type tag ${tag}`);
  }
}

/** The prefix of a spilled collection's member entries: db ++ varint key length ++ key. */
function memberPrefix(db: number, key: string): Buffer {
  out.u8(db);
  out.str(key);
  return out.take();
}

/** Appends a member entry's key (prefix ++ member, or ++ a list chunk number) to `log`, its length first. */
function putMemberKey(log: Out, prefix: Buffer, member: string | number): void {
  const n = prefix.length + (typeof member === 'number' ? 8 : member.length);
  log.varint(n);
  log.ensure(n);
  const buf = log.buf;
  let at = log.len;
  for (let i = 0; i < prefix.length; i++) buf[at++] = prefix[i]!;
  log.len = at;
  if (typeof member === 'number') log.f64(member + POSITION_OFFSET);
  else log.raw(member);
}

function header(tag: number, expireAt: number): Buffer {
  out.u8(tag);
  out.f64(expireAt);
  return out.take();
}

/**
 * Appends one member entry to `log`: its key, then 1 + the length of its value and the value (a
 * list's chunk, a hash field's value, nothing for a set member, a score), or 0 when the member is gone.
 */
function putMemberEntry(log: Out, prefix: Buffer, v: Exclude<Value, string>, member: string | number): void {
  putMemberKey(log, prefix, member);
  // The value's length is known only once written: room for a 5-byte varint is kept and filled after.
  log.ensure(5);
  const at = log.len;
  log.len += 5;
  const start = log.len;
  if (v instanceof Deque) {
    // A chunk: the position of its first element (float64), then each element as varint length ++ bytes.
    const first = Math.max(v.base, (member as number) * LIST_CHUNK);
    const last = Math.min(v.base + v.length, ((member as number) + 1) * LIST_CHUNK);
    if (first >= last) return absent(log, at);
    log.f64(first);
    for (let p = first; p < last; p++) log.str(v.at(p - v.base));
  } else if (v instanceof Map) {
    const x = v.get(member as string);
    if (x === undefined) return absent(log, at);
    log.raw(x);
  } else if (v instanceof Set) {
    if (!v.has(member as string)) return absent(log, at);
  } else {
    const score = v.scores.get(member as string);
    if (score === undefined) return absent(log, at);
    log.f64(score);
  }
  fixedVarint(log.buf, at, log.len - start + 1);
}

/** Marks the entry whose value length belongs at `at` as removed (0), dropping the room kept for it. */
function absent(log: Out, at: number): void {
  log.buf[at] = 0;
  log.len = at + 1;
}

/** Writes `v` as a varint of exactly 5 bytes (padded with continuation bytes), so it fills room kept for it. */
function fixedVarint(buf: Buffer, at: number, v: number): void {
  for (let i = 0; i < 4; i++) {
    buf[at + i] = (v & 0x7f) | 0x80;
    v = Math.floor(v / 128);
  }
  buf[at + 4] = v;
}

/** Every member of a collection (chunk numbers for a list). */
function* membersOf(v: Exclude<Value, string>): Iterable<string | number> {
  if (v instanceof Deque) {
    const end = v.length === 0 ? 0 : Math.floor((v.base + v.length - 1) / LIST_CHUNK) + 1;
    for (let c = Math.floor(v.base / LIST_CHUNK); c < end; c++) yield c;
  }
  else if (v instanceof Map) yield* v.keys();
  else if (v instanceof Set) yield* v;
  else yield* v.order;
}

function sizeOf(v: Exclude<Value, string>): number {
  return v instanceof Deque ? v.length : v.size;
}

function tagOf(v: Exclude<Value, string>): number {
  return v instanceof Deque ? T_LIST : v instanceof Map ? T_HASH : v instanceof Set ? T_SET : T_ZSET;
}

/**
 * One write of a commit, applied in order: a record put or removed, member entries put or removed
 * (those encoded in the commit's log between `from` and `to`), or all of a key's member entries removed.
 */
type Op =
  | { readonly kind: 'record'; readonly key: Buffer; readonly value: Buffer | undefined }
  | { readonly kind: 'members'; readonly from: number; readonly to: number }
  | { readonly kind: 'clear'; readonly prefix: Buffer };

/**
 * The writes of one group commit, staged key by key while the keyspace is consistent. Member entries
 * (there may be many thousands) are encoded one after another into one log buffer rather than a
 * buffer each: LMDB copies what it is given, so they are handed over as views of that log.
 */
export class Commit {
  readonly ops: Op[] = [];

  /** `log`: a buffer to encode into (a previous commit's, already applied), or a new one. */
  constructor(readonly log: Out = new Out()) {}

  get empty(): boolean {
    return this.ops.length === 0;
  }
}

/** A buffer lmdb-js writes from `start` to `end` (its convention for a value inside a larger buffer). */
type Slice = Buffer & { start?: number; end?: number };

/** Record key for (db, key). */
export function recordKey(db: number, key: string): Buffer {
  const b = Buffer.allocUnsafe(1 + key.length);
  b[0] = db;
  b.write(key, 1, 'latin1');
  return b;
}

/** The LMDB environment holding the keyspace (a `kv` directory inside the data directory). */
export class KvStore {
  /** Per database, the keys stored spilled (whose member entries exist). */
  private readonly spilled: Set<string>[] = [];
  /** How long applying the last commit's writes took on this thread, in ms (many member entries cost). */
  applyMs = 0;
  /**
   * The log buffer of the last applied commit, for the next one: a commit of many member changes
   * grows its log to megabytes, and growing a new one by doubling every time left the allocator
   * returning and re-faulting those pages (a helper thread's work, ~1 µs per changed member).
   */
  private spareLog: Out | undefined;

  private constructor(
    private readonly env: RootDatabase,
    private readonly db: Database<Buffer, Buffer>,
    private readonly members: Database<Buffer, Buffer>,
  ) {
    for (let i = 0; i < 256; i++) this.spilled.push(new Set());
  }

  static open(dataDir: string): KvStore {
    const path = join(dataDir, 'kv');
    mkdirSync(path, { recursive: true });
    const env = open({ path, noSubdir: false, maxDbs: 4, overlappingSync: false });
    const db = env.openDB<Buffer, Buffer>({ name: 'keyspace', encoding: 'binary', keyEncoding: 'binary' });
    const members = env.openDB<Buffer, Buffer>({ name: 'members', encoding: 'binary', keyEncoding: 'binary' });
    return new KvStore(env, db, members);
  }

  /** Every stored record: (db, key, value, expireAt). */
  *load(): Iterable<{ db: number; key: string; value: Value; expireAt: number }> {
    for (const { key, value } of this.db.getRange()) {
      const k = key as Buffer;
      const v = value as Buffer;
      const db = k[0]!;
      const name = k.toString('latin1', 1, k.length);
      const tag = v[0]!;
      if (tag > SPILLED) {
        this.spilled[db]!.add(name);
        yield { db, key: name, value: this.loadSpilled(tag - SPILLED, db, name), expireAt: v.readDoubleBE(1) };
        continue;
      }
      const { value: decoded, expireAt } = decodeRecord(v);
      yield { db, key: name, value: decoded, expireAt };
    }
  }

  /** A spilled collection read back from its member entries, logging changes from now on. */
  private loadSpilled(tag: number, db: number, key: string): Value {
    const prefix = memberPrefix(db, key);
    const spill = newSpill(db, key);
    const entries: [Buffer, Buffer][] = [];
    for (const { key: mk, value } of this.members.getRange({ start: prefix })) {
      const m = mk as Buffer;
      if (m.length < prefix.length || m.compare(prefix, 0, prefix.length, 0, prefix.length) !== 0) break;
      // Copied: the range may hand out buffers it reuses.
      entries.push([Buffer.from(m.subarray(prefix.length)), Buffer.from(value as Buffer)]);
    }
    switch (tag) {
      case T_LIST: {
        const d = new Deque();
        let contiguous = true;
        entries.forEach(([, x], i) => {
          const r = new In(x);
          const first = r.f64();
          if (i === 0) d.base = first;
          else if (first !== d.base + d.length) contiguous = false;
          while (r.pos < x.length) d.pushBack(r.str());
        });
        // Positions with gaps cannot take changes by position: the next commit rewrites the list.
        if (contiguous) d.spill = spill;
        return d;
      }
      case T_HASH: {
        const h = new Hash();
        for (const [m, x] of entries) h.set(m.toString('latin1'), x.toString('latin1'));
        h.spill = spill;
        return h;
      }
      case T_SET: {
        const s = new MemberSet();
        for (const [m] of entries) s.add(m.toString('latin1'));
        s.spill = spill;
        return s;
      }
      case T_ZSET: {
        const pairs = entries.map(([m, x]) => [m.toString('latin1'), x.readDoubleBE(0)] as const);
        pairs.sort((a, b) => (a[1] !== b[1] ? a[1] - b[1] : a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
        const z = new ZSet();
        for (const [m, score] of pairs) {
          z.scores.set(m, score);
          z.order.push(m);
        }
        z.spill = spill;
        return z;
      }
      default:
        throw new Error(`keyspace record with unknown spilled type tag ${tag}`);
    }
  }

  /** An empty commit, encoding into the last applied commit's log buffer when there is one. */
  newCommit(): Commit {
    const log = this.spareLog;
    this.spareLog = undefined;
    return new Commit(log);
  }

  /**
   * Stages the writes that make the stored (db, key) match `v` (undefined: deleted): one record,
   * or for a large collection its header and the member entries that changed since its last commit.
   */
  stage(commit: Commit, db: number, key: string, v: Value | undefined, expireAt: number): void {
    const spilled = this.spilled[db]!;
    const wasSpilled = spilled.has(key);
    const rk = recordKey(db, key);
    const ops = commit.ops;
    if (v === undefined) {
      ops.push({ kind: 'record', key: rk, value: undefined });
      if (wasSpilled) {
        ops.push({ kind: 'clear', prefix: memberPrefix(db, key) });
        spilled.delete(key);
      }
      return;
    }
    if (typeof v !== 'string') {
      const size = sizeOf(v);
      const current = wasSpilled && v.spill !== undefined && v.spill.db === db && v.spill.key === key;
      if (size >= SPILL_AT || (current && size >= SPILL_AT / 4)) {
        const prefix = memberPrefix(db, key);
        if (current && this.stageChanges(commit, prefix, v, v.spill!.changed)) {
          ops.push({ kind: 'record', key: rk, value: header(tagOf(v) + SPILLED, expireAt) });
          return;
        }
        if (this.fits(prefix, v)) {
          if (wasSpilled) ops.push({ kind: 'clear', prefix });
          ops.push({ kind: 'record', key: rk, value: header(tagOf(v) + SPILLED, expireAt) });
          const from = commit.log.len;
          for (const m of membersOf(v)) putMemberEntry(commit.log, prefix, v, m);
          ops.push({ kind: 'members', from, to: commit.log.len });
          v.spill = newSpill(db, key);
          spilled.add(key);
          return;
        }
      }
      v.spill = undefined;
    }
    ops.push({ kind: 'record', key: rk, value: encodeRecord(v, expireAt) });
    if (wasSpilled) {
      ops.push({ kind: 'clear', prefix: memberPrefix(db, key) });
      spilled.delete(key);
    }
  }

  /** The changed members' entries; false (nothing staged) when one is too long to be a key. */
  private stageChanges(commit: Commit, prefix: Buffer, v: Exclude<Value, string>, changed: (string | number)[]): boolean {
    const room = MAX_ENTRY_KEY - prefix.length;
    for (const m of changed) if (typeof m === 'string' && m.length > room) return false;
    // In key order: LMDB then walks to neighbouring entries one after another (pages already at hand)
    // instead of descending to a random page for each change.
    sortDistinct(changed);
    const from = commit.log.len;
    for (const m of changed) putMemberEntry(commit.log, prefix, v, m);
    changed.length = 0;
    commit.ops.push({ kind: 'members', from, to: commit.log.len });
    return true;
  }

  /** Whether every member is short enough to be part of an entry key. */
  private fits(prefix: Buffer, v: Exclude<Value, string>): boolean {
    if (v instanceof Deque) return prefix.length + 8 <= MAX_ENTRY_KEY;
    const room = MAX_ENTRY_KEY - prefix.length;
    for (const m of membersOf(v)) if ((m as string).length > room) return false;
    return true;
  }

  /**
   * Applies one commit as one LMDB transaction (queued after any earlier one, so a key's member
   * entries are cleared only after they were written); resolves once it is durable (fsync).
   */
  write(commit: Commit): Promise<unknown> {
    if (commit.empty) {
      commit.log.len = 0;
      this.spareLog = commit.log;
      return Promise.resolve();
    }
    return this.db.transaction(() => {
      const t0 = performance.now();
      for (const op of commit.ops) {
        if (op.kind === 'members') {
          this.applyMembers(commit.log.buf, op.from, op.to);
          continue;
        }
        if (op.kind === 'clear') {
          const doomed: Buffer[] = [];
          for (const k of this.members.getKeys({ start: op.prefix })) {
            const m = k as Buffer;
            if (m.length < op.prefix.length || m.compare(op.prefix, 0, op.prefix.length, 0, op.prefix.length) !== 0) break;
            doomed.push(Buffer.from(m));
          }
          for (const k of doomed) this.members.removeSync(k);
          continue;
        }
        const target = op.kind === 'record' ? this.db : this.members;
        if (op.value === undefined) target.removeSync(op.key);
        else target.putSync(op.key, op.value);
      }
      this.applyMs = performance.now() - t0;
      // LMDB has copied every entry: the log's bytes may be written over by the next commit.
      if (commit.log.buf.length <= MAX_SPARE_LOG) {
        commit.log.len = 0;
        this.spareLog = commit.log;
      }
    });
  }

  /**
   * Puts or removes the member entries encoded in log[from, to) (inside the commit's transaction).
   * Each key is a view of the log; each value is the log itself with `start`/`end` set, which
   * lmdb-js reads in place (it keeps the log's address), so no buffer is made per value.
   */
  private applyMembers(log: Slice, from: number, to: number): void {
    let p = from;
    while (p < to) {
      let klen = 0;
      for (let scale = 1; ; scale *= 128) {
        const b = log[p++]!;
        klen += (b & 0x7f) * scale;
        if (b < 0x80) break;
      }
      const key = log.subarray(p, p + klen);
      p += klen;
      let vlen = 0;
      for (let scale = 1; ; scale *= 128) {
        const b = log[p++]!;
        vlen += (b & 0x7f) * scale;
        if (b < 0x80) break;
      }
      if (vlen === 0) {
        this.members.removeSync(key);
        continue;
      }
      vlen--;
      if (vlen === 0) this.members.putSync(key, EMPTY);
      else {
        log.start = p;
        log.end = p + vlen;
        this.members.putSync(key, log);
      }
      p += vlen;
    }
  }

  close(): Promise<void> {
    return this.env.close();
  }
}

const EMPTY = Buffer.alloc(0);
