// Durable copy of the keyspace in LMDB: one record per key, written by group commit, read back at start-up.
//
// Record key: db index (1 byte) ++ key bytes. Record value: type tag (1 byte) ++ absolute expiry in ms
// (float64 BE, 0 = none) ++ the payload. TTLs are stored as absolute times, so a restart neither
// extends nor shortens them; keys that expired while the server was down are dropped on load.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { open, type Database, type RootDatabase } from 'lmdb';
import { Deque, ZSet, type Value } from './values.ts';

const T_STRING = 1;
const T_LIST = 2;
const T_HASH = 3;
const T_SET = 4;
const T_ZSET = 5;

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
    this.ensure(s.length);
    this.len += this.buf.write(s, this.len, 'latin1');
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
      const m = new Map<string, string>();
      for (let i = 0; i < n; i++) m.set(r.str(), r.str());
      return { value: m, expireAt };
    }
    case T_SET: {
      const n = r.varint();
      const s = new Set<string>();
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

/** Record key for (db, key). */
export function recordKey(db: number, key: string): Buffer {
  const b = Buffer.allocUnsafe(1 + key.length);
  b[0] = db;
  b.write(key, 1, 'latin1');
  return b;
}

/** The LMDB environment holding the keyspace (a `kv` directory inside the data directory). */
export class KvStore {
  private constructor(
    private readonly env: RootDatabase,
    private readonly db: Database<Buffer, Buffer>,
  ) {}

  static open(dataDir: string): KvStore {
    const path = join(dataDir, 'kv');
    mkdirSync(path, { recursive: true });
    const env = open({ path, noSubdir: false, maxDbs: 2, overlappingSync: false });
    const db = env.openDB<Buffer, Buffer>({ name: 'keyspace', encoding: 'binary', keyEncoding: 'binary' });
    return new KvStore(env, db);
  }

  /** Every stored record: (db, key, value, expireAt). */
  *load(): Iterable<{ db: number; key: string; value: Value; expireAt: number }> {
    for (const { key, value } of this.db.getRange()) {
      const k = key as Buffer;
      const { value: v, expireAt } = decodeRecord(value as Buffer);
      yield { db: k[0]!, key: k.toString('latin1', 1, k.length), value: v, expireAt };
    }
  }

  /**
   * Writes one group: puts and removes issued in the same tick form one LMDB transaction; the promise
   * resolves once it is durable (fsync).
   */
  write(puts: readonly [Buffer, Buffer][], removes: readonly Buffer[]): Promise<unknown> {
    const pending: Promise<unknown>[] = [];
    for (const [k, v] of puts) pending.push(this.db.put(k, v));
    for (const k of removes) pending.push(this.db.remove(k));
    return Promise.all(pending);
  }

  close(): Promise<void> {
    return this.env.close();
  }
}
