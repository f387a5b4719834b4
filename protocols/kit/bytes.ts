// Shared byte helpers for wire protocols: a growable big-endian writer and a bounds-checked reader.

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Thrown by `ByteReader` when a message body is shorter than its fields claim. */
export class TruncatedError extends Error {
  override name = 'TruncatedError';
}

/** Appends big-endian integers, strings and bytes into one growing buffer. */
export class ByteWriter {
  private buf: Uint8Array;
  private view: DataView;
  length = 0;

  constructor(capacity = 4096) {
    this.buf = new Uint8Array(capacity);
    this.view = new DataView(this.buf.buffer);
  }

  private ensure(n: number): void {
    if (this.length + n <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < this.length + n) cap *= 2;
    const next = new Uint8Array(cap);
    next.set(this.buf.subarray(0, this.length));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }

  u8(v: number): this {
    this.ensure(1);
    this.buf[this.length++] = v;
    return this;
  }

  i16(v: number): this {
    this.ensure(2);
    this.view.setInt16(this.length, v);
    this.length += 2;
    return this;
  }

  i32(v: number): this {
    this.ensure(4);
    this.view.setInt32(this.length, v);
    this.length += 4;
    return this;
  }

  i64(v: bigint): this {
    this.ensure(8);
    this.view.setBigInt64(this.length, v);
    this.length += 8;
    return this;
  }

  f32(v: number): this {
    this.ensure(4);
    this.view.setFloat32(this.length, v);
    this.length += 4;
    return this;
  }

  f64(v: number): this {
    this.ensure(8);
    this.view.setFloat64(this.length, v);
    this.length += 8;
    return this;
  }

  bytes(b: Uint8Array): this {
    this.ensure(b.length);
    this.buf.set(b, this.length);
    this.length += b.length;
    return this;
  }

  /** UTF-8 text without a terminator. */
  text(s: string): this {
    // A UTF-8 encoding takes at most three bytes per UTF-16 code unit.
    this.ensure(s.length * 3);
    const buf = this.buf;
    const n = s.length;
    // Short ASCII (numbers, names, tags: most fields) is copied directly; a TextEncoder call and
    // the view it needs cost more than the copy.
    if (n <= 32) {
      let i = 0;
      for (; i < n; i++) {
        const c = s.charCodeAt(i);
        if (c >= 0x80) break;
        buf[this.length + i] = c;
      }
      if (i === n) {
        this.length += n;
        return this;
      }
    }
    this.length += encoder.encodeInto(s, buf.subarray(this.length)).written;
    return this;
  }

  /** UTF-8 text followed by a NUL byte. */
  cstring(s: string): this {
    return this.text(s).u8(0);
  }

  /** Overwrites a big-endian int32 at `at` (for length prefixes known only afterwards). */
  patch32(at: number, v: number): void {
    this.view.setInt32(at, v);
  }

  /** The bytes written so far, copied out; the writer is emptied. */
  take(): Uint8Array {
    const out = this.buf.slice(0, this.length);
    this.length = 0;
    return out;
  }
}

/** Reads big-endian fields from one message body; throws `TruncatedError` past its end. */
export class ByteReader {
  private readonly view: DataView;
  pos = 0;

  constructor(readonly buf: Uint8Array) {
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }

  get remaining(): number {
    return this.buf.length - this.pos;
  }

  private need(n: number): void {
    if (n < 0 || this.pos + n > this.buf.length) throw new TruncatedError('message truncated');
  }

  u8(): number {
    this.need(1);
    return this.buf[this.pos++]!;
  }

  i16(): number {
    this.need(2);
    const v = this.view.getInt16(this.pos);
    this.pos += 2;
    return v;
  }

  i32(): number {
    this.need(4);
    const v = this.view.getInt32(this.pos);
    this.pos += 4;
    return v;
  }

  bytes(n: number): Uint8Array {
    this.need(n);
    const out = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  /** A NUL-terminated UTF-8 string. */
  cstring(): string {
    const end = this.buf.indexOf(0, this.pos);
    if (end < 0) throw new TruncatedError('string not terminated');
    const s = decoder.decode(this.buf.subarray(this.pos, end));
    this.pos = end + 1;
    return s;
  }
}

export const utf8 = {
  encode: (s: string): Uint8Array => encoder.encode(s),
  decode: (b: Uint8Array): string => decoder.decode(b),
};
