// Reply encoding: the key-value model's ReplySink written as RESP2 or RESP3 frames into one growing buffer.
//
// A whole pipelined packet's replies accumulate here and leave in one socket write (spec: "Pipelining").
import type { kv } from '../../runtime/index.ts';

const CRLF = '\r\n';

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
    this.length += this.buf.write(s, this.length, 'latin1');
  }

  /** The bytes written so far (a copy), and the writer emptied. */
  take(): Buffer {
    const out = Buffer.allocUnsafe(this.length);
    this.buf.copy(out, 0, 0, this.length);
    this.length = 0;
    // Give back a buffer that one huge reply made large.
    if (this.buf.length > 4 * 1024 * 1024) this.buf = Buffer.allocUnsafe(64 * 1024);
    return out;
  }

  simple(s: string): void {
    this.raw('+' + s + CRLF);
  }

  error(text: string): void {
    // Error text must be one line.
    this.raw('-' + text.replace(/[\r\n]+/g, ' ') + CRLF);
  }

  integer(n: number | bigint): void {
    this.raw(':' + n + CRLF);
  }

  bulk(s: string | null): void {
    if (s === null) {
      this.raw(this.protocol === 3 ? '_\r\n' : '$-1\r\n');
      return;
    }
    const n = s.length;
    this.ensure(n + 16);
    this.length += this.buf.write('$' + n + CRLF, this.length, 'latin1');
    this.length += this.buf.write(s, this.length, 'latin1');
    this.buf[this.length++] = 13;
    this.buf[this.length++] = 10;
  }

  nullArray(): void {
    this.raw(this.protocol === 3 ? '_\r\n' : '*-1\r\n');
  }

  array(n: number): void {
    this.raw('*' + n + CRLF);
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
    const text = d === Infinity ? 'inf' : d === -Infinity ? '-inf' : Number.isNaN(d) ? 'nan' : String(d);
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
