// The pure, incremental decoder of frontend messages: push bytes in any chunking, take whole messages out.
import { ByteReader, TruncatedError } from '../kit/bytes.ts';
import { CANCEL_REQUEST, GSSENC_REQUEST, PROTOCOL_3_0, SSL_REQUEST, type FrontendMessage, type StartupMessage } from './messages.ts';

/** A violation of the wire protocol: the server answers 08P01 and closes the connection. */
export class ProtocolViolation extends Error {
  override name = 'ProtocolViolation';
  constructor(
    message: string,
    readonly sqlstate = '08P01',
  ) {
    super(message);
  }
}

/** PostgreSQL's MAX_STARTUP_PACKET_LENGTH. */
const MAX_STARTUP_LENGTH = 10_000;

export const DEFAULT_MAX_MESSAGE_LENGTH = 1 << 30;

/** Until the client has authenticated, no message may be longer than PostgreSQL's PG_MAX_AUTH_TOKEN_LENGTH. */
const MAX_PRE_AUTH_LENGTH = 65_535;

export type Decoded = { readonly phase: 'startup'; readonly message: StartupMessage } | { readonly phase: 'normal'; readonly message: FrontendMessage };

/**
 * Splits the byte stream into messages. Starts in the startup phase (length-prefixed packets with
 * no type byte) and switches to typed messages after a StartupMessage. A length is checked before
 * anything is buffered for it, so an absurd length is an error, not an allocation.
 */
export class Decoder {
  private buf = new Uint8Array(0);
  private start = 0;
  private end = 0;
  private phase: 'startup' | 'normal' = 'startup';
  private limit = MAX_PRE_AUTH_LENGTH;

  constructor(private readonly maxMessageLength = DEFAULT_MAX_MESSAGE_LENGTH) {}

  /** The client has logged in: from now on messages up to the configured maximum are accepted. */
  authenticated(): void {
    this.limit = this.maxMessageLength;
  }

  /** Bytes received but not yet part of a complete message. */
  get buffered(): number {
    return this.end - this.start;
  }

  /** Appends bytes and returns every message now complete. Throws `ProtocolViolation` on bad input. */
  push(chunk: Uint8Array): Decoded[] {
    this.append(chunk);
    const out: Decoded[] = [];
    for (;;) {
      const d = this.next();
      if (!d) break;
      out.push(d);
    }
    return out;
  }

  private append(chunk: Uint8Array): void {
    if (this.end + chunk.length > this.buf.length) {
      const live = this.end - this.start;
      let cap = Math.max(this.buf.length, 8192);
      while (cap < live + chunk.length) cap *= 2;
      const next = cap === this.buf.length ? this.buf : new Uint8Array(cap);
      next.set(this.buf.subarray(this.start, this.end), 0);
      this.buf = next;
      this.start = 0;
      this.end = live;
    }
    this.buf.set(chunk, this.end);
    this.end += chunk.length;
  }

  /** The big-endian int32 at `at` (an absolute offset into the buffer). */
  private i32At(at: number): number {
    const b = this.buf;
    return (b[at]! << 24) | (b[at + 1]! << 16) | (b[at + 2]! << 8) | b[at + 3]!;
  }

  private next(): Decoded | undefined {
    const avail = this.end - this.start;
    if (this.phase === 'startup') {
      if (avail < 4) return undefined;
      const len = this.i32At(this.start);
      if (len < 8 || len > MAX_STARTUP_LENGTH) throw new ProtocolViolation('invalid length of startup packet');
      if (avail < len) return undefined;
      const body = this.buf.subarray(this.start + 4, this.start + len);
      this.start += len;
      const message = decodeStartup(body);
      if (message.type === 'startup') this.phase = 'normal';
      return { phase: 'startup', message };
    }
    if (avail < 5) return undefined;
    const type = this.buf[this.start]!;
    const len = this.i32At(this.start + 1);
    if (len < 4) throw new ProtocolViolation(`invalid message length ${len}`);
    if (len > this.limit) throw new ProtocolViolation(`invalid message length ${len}: exceeds the maximum ${this.limit}`);
    if (avail < len + 1) return undefined;
    const at = this.start + 5;
    this.start += len + 1;
    const fast = decodeHot(type, this.buf, at, this.start);
    if (fast) return fast;
    return { phase: 'normal', message: decodeMessage(type, this.buf.subarray(at, this.start)) };
  }
}

const SYNC: Decoded = { phase: 'normal', message: { type: 'sync' } };

/**
 * The messages of every extended-protocol round trip (Bind, Describe, Execute, Sync, Close) read in place: no reader
 * object, names and parameters without a text decoder while they are ASCII. Anything unusual (a
 * non-ASCII name, a malformed body) returns undefined and takes the general path, which also
 * produces its errors.
 */
function decodeHot(type: number, b: Uint8Array, at: number, end: number): Decoded | undefined {
  if (type === 0x53) return end === at ? SYNC : undefined;
  if (type === 0x45) {
    const zero = b.indexOf(0, at);
    if (zero < 0 || zero + 5 !== end) return undefined;
    const portal = asciiText(b, at, zero);
    if (portal === undefined) return undefined;
    return { phase: 'normal', message: { type: 'execute', portal, maxRows: i32(b, zero + 1) } };
  }
  if (type === 0x44 || type === 0x43) {
    // Describe and Close: 'S' or 'P', then a name.
    const target = b[at];
    if ((target !== 0x53 && target !== 0x50) || end - at < 2 || b[end - 1] !== 0) return undefined;
    const name = asciiText(b, at + 1, end - 1);
    if (name === undefined || name.includes('\0')) return undefined;
    return { phase: 'normal', message: { type: type === 0x44 ? 'describe' : 'close', target: target === 0x53 ? 'S' : 'P', name } };
  }
  if (type !== 0x42) return undefined;
  let p = b.indexOf(0, at);
  if (p < 0 || p >= end) return undefined;
  const portal = asciiText(b, at, p);
  const q = b.indexOf(0, p + 1);
  if (q < 0 || q >= end) return undefined;
  const statement = asciiText(b, p + 1, q);
  if (portal === undefined || statement === undefined) return undefined;
  p = q + 1;
  const nFormats = p + 2 <= end ? i16(b, p) : -1;
  if (nFormats < 0 || p + 2 + nFormats * 2 + 2 > end) return undefined;
  p += 2;
  const paramFormats: number[] = [];
  for (let i = 0; i < nFormats; i++, p += 2) {
    const f = i16(b, p);
    if (f !== 0 && f !== 1) return undefined;
    paramFormats.push(f);
  }
  const n = i16(b, p);
  p += 2;
  if (n < 0) return undefined;
  const params: (Uint8Array | null)[] = [];
  for (let i = 0; i < n; i++) {
    if (p + 4 > end) return undefined;
    const len = i32(b, p);
    p += 4;
    if (len === -1) params.push(null);
    else {
      if (len < 0 || p + len > end) return undefined;
      params.push(b.slice(p, p + len));
      p += len;
    }
  }
  if (p + 2 > end) return undefined;
  const nResults = i16(b, p);
  p += 2;
  if (nResults < 0 || p + nResults * 2 !== end) return undefined;
  const resultFormats: number[] = [];
  for (let i = 0; i < nResults; i++, p += 2) {
    const f = i16(b, p);
    if (f !== 0 && f !== 1) return undefined;
    resultFormats.push(f);
  }
  return { phase: 'normal', message: { type: 'bind', portal, statement, paramFormats, params, resultFormats } };
}

const i16 = (b: Uint8Array, at: number): number => ((b[at]! << 24) | (b[at + 1]! << 16)) >> 16;
const i32 = (b: Uint8Array, at: number): number => (b[at]! << 24) | (b[at + 1]! << 16) | (b[at + 2]! << 8) | b[at + 3]!;

/** Bytes [from, to) as text when they are short ASCII (names, numbers: the common case); undefined otherwise. */
export function asciiText(b: Uint8Array, from: number, to: number): string | undefined {
  if (to - from > 64) return undefined;
  let s = '';
  for (let i = from; i < to; i++) {
    const c = b[i]!;
    if (c >= 0x80) return undefined;
    s += String.fromCharCode(c);
  }
  return s;
}

function decodeStartup(body: Uint8Array): StartupMessage {
  const r = new ByteReader(body);
  try {
    const code = r.i32();
    if (code === SSL_REQUEST && r.remaining === 0) return { type: 'ssl-request' };
    if (code === GSSENC_REQUEST && r.remaining === 0) return { type: 'gssenc-request' };
    if (code === CANCEL_REQUEST && r.remaining === 8) return { type: 'cancel', pid: r.i32(), secret: r.i32() };
    if (code !== PROTOCOL_3_0) {
      if (code >>> 16 === 3 || code >>> 16 === 2) throw new ProtocolViolation(`unsupported frontend protocol ${code >>> 16}.${code & 0xffff}: server supports 3.0`, '0A000');
      throw new ProtocolViolation('invalid startup packet layout');
    }
    const params: Record<string, string> = {};
    for (;;) {
      const key = r.cstring();
      if (key === '') break;
      params[key] = r.cstring();
    }
    if (r.remaining !== 0) throw new ProtocolViolation('invalid startup packet layout: trailing bytes');
    return { type: 'startup', params };
  } catch (e) {
    if (e instanceof TruncatedError) throw new ProtocolViolation('invalid startup packet layout: expected terminator as last byte');
    throw e;
  }
}

function decodeMessage(type: number, body: Uint8Array): FrontendMessage {
  const r = new ByteReader(body);
  try {
    const m = decodeBody(type, r);
    if (r.remaining !== 0) throw new ProtocolViolation(`invalid message format: ${r.remaining} trailing bytes in message type "${String.fromCharCode(type)}"`);
    return m;
  } catch (e) {
    if (e instanceof TruncatedError) throw new ProtocolViolation(`invalid message format: message type "${String.fromCharCode(type)}" truncated`);
    throw e;
  }
}

function decodeBody(type: number, r: ByteReader): FrontendMessage {
  switch (type) {
    case 0x51: // Q
      return { type: 'query', sql: r.cstring() };
    case 0x50: {
      // P
      const name = r.cstring();
      const sql = r.cstring();
      const n = count(r);
      const paramOids: number[] = [];
      for (let i = 0; i < n; i++) paramOids.push(r.i32() >>> 0);
      return { type: 'parse', name, sql, paramOids };
    }
    case 0x42: {
      // B
      const portal = r.cstring();
      const statement = r.cstring();
      const paramFormats = formats(r);
      const n = count(r);
      const params: (Uint8Array | null)[] = [];
      for (let i = 0; i < n; i++) {
        const len = r.i32();
        if (len < -1) throw new ProtocolViolation(`invalid parameter length ${len}`);
        params.push(len === -1 ? null : r.bytes(len).slice());
      }
      return { type: 'bind', portal, statement, paramFormats, params, resultFormats: formats(r) };
    }
    case 0x44: // D
    case 0x43: {
      // C
      const t = r.u8();
      if (t !== 0x53 && t !== 0x50) throw new ProtocolViolation(`invalid ${type === 0x44 ? 'DESCRIBE' : 'CLOSE'} message subtype ${t}`);
      return { type: type === 0x44 ? 'describe' : 'close', target: t === 0x53 ? 'S' : 'P', name: r.cstring() };
    }
    case 0x45: // E
      return { type: 'execute', portal: r.cstring(), maxRows: r.i32() };
    case 0x53: // S
      return { type: 'sync' };
    case 0x48: // H
      return { type: 'flush' };
    case 0x58: // X
      return { type: 'terminate' };
    case 0x46: {
      // F
      const oid = r.i32() >>> 0;
      const argFormats = formats(r);
      const n = count(r);
      const args: (Uint8Array | null)[] = [];
      for (let i = 0; i < n; i++) {
        const len = r.i32();
        if (len < -1) throw new ProtocolViolation(`invalid argument length ${len}`);
        args.push(len === -1 ? null : r.bytes(len).slice());
      }
      const resultFormat = r.i16();
      if (resultFormat !== 0 && resultFormat !== 1) throw new ProtocolViolation(`unsupported format code: ${resultFormat}`);
      return { type: 'function-call', oid, argFormats, args, resultFormat };
    }
    case 0x70: // p
      return { type: 'password', data: r.bytes(r.remaining).slice() };
    case 0x64: // d
      return { type: 'copy-data', data: r.bytes(r.remaining).slice() };
    case 0x63: // c
      return { type: 'copy-done' };
    case 0x66: // f
      return { type: 'copy-fail', message: r.cstring() };
    default:
      throw new ProtocolViolation(`invalid frontend message type ${type}`);
  }
}

function count(r: ByteReader): number {
  const n = r.i16();
  if (n < 0) throw new ProtocolViolation(`invalid count ${n}`);
  return n;
}

function formats(r: ByteReader): number[] {
  const n = count(r);
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const f = r.i16();
    if (f !== 0 && f !== 1) throw new ProtocolViolation(`unsupported format code: ${f}`);
    out.push(f);
  }
  return out;
}
