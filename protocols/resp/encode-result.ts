// Reply encoding: the key-value model's ReplySink written as RESP2 or RESP3 frames into one growing buffer.
//
// A whole pipelined packet's replies accumulate here and leave in one socket write (spec: "Pipelining").
import { kv } from '../../runtime/index.ts';
import { TYPE } from './messages.ts';

const CRLF = '\r\n';
/** Strings up to this length are copied by a loop rather than a native call. */
const SHORT = 64;

/** Writes replies into a reusable buffer; `take()` hands over the bytes written since the last take. */
export class RespWriter implements kv.ReplySink {
  protocol: 2 | 3 = 2;
  private buf = Buffer.allocUnsafe(64 * 1024);
  length = 0;

  private ensure(n: number): void {
    if (this.length + n <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < this.length + n) cap *= 2;
    const next = Buffer.allocUnsafe(cap);
    this.buf.copy(next, 0, 0, this.length);
    this.buf = next;
  }

  /** ASCII/latin1 text as is. */
  private raw(s: string): void {
    this.ensure(s.length);
    this.text(s);
  }

  /** Writes latin1 text into room already ensured; short strings byte by byte (a native call costs more). */
  private text(s: string): void {
    const n = s.length;
    if (n > SHORT) {
      this.length += this.buf.write(s, this.length, 'latin1');
      return;
    }
    const buf = this.buf;
    let at = this.length;
    for (let i = 0; i < n; i++) buf[at++] = s.charCodeAt(i);
    this.length = at;
  }

  /** A type byte, a decimal integer (safe) and CRLF, into room already ensured; digits are written without making a string. */
  private header(type: number, n: number): void {
    const buf = this.buf;
    let at = this.length;
    buf[at++] = type;
    if (n < 0) {
      buf[at++] = 45;
      n = -n;
    }
    if (n < 10) buf[at++] = 48 + n;
    else {
      let digits = 1;
      for (let v = n; v >= 10; v = Math.floor(v / 10)) digits++;
      at += digits;
      for (let k = at - 1, v = n; k >= at - digits; k--) {
        const q = Math.floor(v / 10);
        buf[k] = 48 + (v - q * 10);
        v = q;
      }
    }
    buf[at++] = 13;
    buf[at++] = 10;
    this.length = at;
  }

  /** The bytes written so far (a copy), and the writer emptied. */
  take(): Buffer {
    const out = Buffer.allocUnsafe(this.length);
    this.buf.copy(out, 0, 0, this.length);
    this.clear();
    return out;
  }

  /** The buffer holding the bytes written so far (its first `length` bytes): valid only until the next write or `clear()`. */
  get buffer(): Buffer {
    return this.buf;
  }

  /** Empties the writer. */
  clear(): void {
    this.length = 0;
    // Give back a buffer that one huge reply made large.
    if (this.buf.length > 4 * 1024 * 1024) this.buf = Buffer.allocUnsafe(64 * 1024);
  }

  simple(s: string): void {
    this.ensure(s.length + 3);
    this.buf[this.length++] = TYPE.simple;
    this.text(s);
    this.buf[this.length++] = 13;
    this.buf[this.length++] = 10;
  }

  error(text: string): void {
    // Error text must be one line.
    this.raw('-' + text.replace(/[\r\n]+/g, ' ') + CRLF);
  }

  integer(n: number | bigint): void {
    if (typeof n === 'bigint' || !Number.isSafeInteger(n)) return this.raw(':' + n + CRLF);
    this.ensure(24);
    this.header(TYPE.integer, n);
  }

  bulk(s: string | null): void {
    if (s === null) {
      this.raw(this.protocol === 3 ? '_\r\n' : '$-1\r\n');
      return;
    }
    const n = s.length;
    this.ensure(n + 24);
    this.header(TYPE.bulk, n);
    this.text(s);
    this.buf[this.length++] = 13;
    this.buf[this.length++] = 10;
  }

  bulkBytes(src: Buffer, start: number, end: number): void {
    const n = end - start;
    this.ensure(n + 24);
    this.header(TYPE.bulk, n);
    const buf = this.buf;
    let at = this.length;
    if (n > SHORT) {
      src.copy(buf, at, start, end);
      at += n;
    } else for (let i = start; i < end; i++) buf[at++] = src[i]!;
    buf[at++] = 13;
    buf[at++] = 10;
    this.length = at;
  }

  nullArray(): void {
    this.raw(this.protocol === 3 ? '_\r\n' : '*-1\r\n');
  }

  array(n: number): void {
    this.ensure(24);
    this.header(TYPE.array, n);
  }

  map(n: number): void {
    this.raw(this.protocol === 3 ? '%' + n + CRLF : '*' + n * 2 + CRLF);
  }

  set(n: number): void {
    this.raw(this.protocol === 3 ? '~' + n + CRLF : '*' + n + CRLF);
  }

  /** RESP3 push frame header (pub/sub messages); RESP2 sends them as arrays. */
  push(n: number): void {
    this.raw(this.protocol === 3 ? '>' + n + CRLF : '*' + n + CRLF);
  }

  double(d: number): void {
    // Redis 7.0 writes a double with `%.17g` in both protocols (addReplyDouble).
    const text = kv.formatScore(d);
    if (this.protocol === 3) this.raw(',' + text + CRLF);
    else this.bulk(text);
  }

  boolean(b: boolean): void {
    if (this.protocol === 3) this.raw(b ? '#t\r\n' : '#f\r\n');
    else this.integer(b ? 1 : 0);
  }

  verbatim(s: string): void {
    if (this.protocol === 3) {
      this.raw('=' + (s.length + 4) + CRLF + 'txt:');
      this.raw(s + CRLF);
    } else this.bulk(s);
  }
}
