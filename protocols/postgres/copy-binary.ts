// PostgreSQL's binary COPY format (COPY reference, "File Formats" → "Binary Format"): header, tuples of length-prefixed fields, trailer.
import type { DataType } from '../../compiler/index.ts';
import { OrbitError } from '../../runtime/index.ts';
import { ByteWriter, TruncatedError } from '../kit/bytes.ts';
import { ProtocolViolation } from './codec.ts';
import { decodeBinaryParam, writeField } from './encode-result.ts';

/** The 11-byte signature `PGCOPY\n\377\r\n\0` that opens every binary COPY stream. */
const SIGNATURE = Uint8Array.of(0x50, 0x47, 0x43, 0x4f, 0x50, 0x59, 0x0a, 0xff, 0x0d, 0x0a, 0x00);

/** Signature, flags (no OIDs) and an empty header extension. */
export function writeBinaryCopyHeader(w: ByteWriter): void {
  w.bytes(SIGNATURE).i32(0).i32(0);
}

/** One tuple: the field count, then each field as its length (-1 for NULL) and its binary send form. */
export function writeBinaryCopyRow(w: ByteWriter, values: readonly unknown[], types: readonly DataType[]): void {
  w.i16(values.length);
  for (let i = 0; i < values.length; i++) writeField(w, values[i], types[i]!, true);
}

/** The file trailer: a field count of -1. */
export function writeBinaryCopyTrailer(w: ByteWriter): void {
  w.i16(-1);
}

const badFormat = (message: string): OrbitError => new OrbitError('22P04', message);

/** A field's value; a malformed one fails the COPY (22P03), not the connection as a malformed message would. */
function field(bytes: Uint8Array, t: DataType): unknown {
  try {
    return decodeBinaryParam(bytes, t);
  } catch (e) {
    if (e instanceof ProtocolViolation) throw new OrbitError(e.sqlstate === '08P01' ? '22P03' : e.sqlstate, e.message.replace('bind parameter', 'COPY field'));
    if (e instanceof TruncatedError) throw new OrbitError('22P03', 'insufficient data left in COPY field');
    throw e;
  }
}

/**
 * Reads binary COPY data as it arrives in CopyData messages of any size: the header once, then
 * whole tuples, decoded into values of `types` by each type's binary receive form; stops at the
 * trailer. End of data is allowed only between tuples (PostgreSQL accepts a missing trailer there).
 */
export class BinaryCopyDecoder {
  private buf = new Uint8Array(0);
  private headerRead = false;
  private finished = false;

  constructor(private readonly types: readonly DataType[]) {}

  /** Tuples completed by this chunk. Throws 22P04 for a malformed stream, 22P03 for a bad field. */
  push(chunk: Uint8Array): unknown[][] {
    // Data after the trailer is ignored, as PostgreSQL does.
    if (this.finished) return [];
    const joined = new Uint8Array(this.buf.length + chunk.length);
    joined.set(this.buf, 0);
    joined.set(chunk, this.buf.length);
    const view = new DataView(joined.buffer, joined.byteOffset, joined.byteLength);
    let at = 0;
    if (!this.headerRead) {
      const fixed = SIGNATURE.length + 8;
      for (let i = 0; i < Math.min(SIGNATURE.length, joined.length); i++) if (joined[i] !== SIGNATURE[i]) throw badFormat('COPY file signature not recognized');
      if (joined.length < fixed) {
        this.buf = joined;
        return [];
      }
      const flags = view.getInt32(SIGNATURE.length);
      if ((flags & (1 << 16)) !== 0) throw badFormat('COPY with OIDs is not supported');
      if ((flags >>> 17) !== 0) throw badFormat('unrecognized critical flags in COPY file header');
      const extension = view.getInt32(SIGNATURE.length + 4);
      if (extension < 0) throw badFormat('invalid COPY file header (wrong length)');
      if (joined.length < fixed + extension) {
        this.buf = joined;
        return [];
      }
      at = fixed + extension;
      this.headerRead = true;
    }
    const rows: unknown[][] = [];
    for (;;) {
      if (joined.length - at < 2) break;
      const count = view.getInt16(at);
      if (count === -1) {
        this.finished = true;
        at = joined.length;
        break;
      }
      if (count !== this.types.length) throw badFormat(`row field count is ${count}, expected ${this.types.length}`);
      const row = this.tuple(joined, view, at + 2);
      if (!row) break;
      rows.push(row.values);
      at = row.end;
    }
    this.buf = joined.slice(at);
    return rows;
  }

  /** The client's data ended (CopyDone): only whole tuples may have come before it. */
  end(): void {
    if (!this.headerRead && this.buf.length > 0) throw badFormat('invalid COPY file header (missing signature)');
    if (this.buf.length > 0) throw badFormat('unexpected EOF in COPY data');
  }

  /** One tuple's fields from `at`, or undefined when its bytes have not all arrived. */
  private tuple(bytes: Uint8Array, view: DataView, at: number): { values: unknown[]; end: number } | undefined {
    const values: unknown[] = [];
    for (const t of this.types) {
      if (bytes.length - at < 4) return undefined;
      const len = view.getInt32(at);
      at += 4;
      if (len === -1) {
        values.push(null);
        continue;
      }
      if (len < -1) throw badFormat('invalid field size');
      if (bytes.length - at < len) return undefined;
      values.push(field(bytes.subarray(at, at + len), t));
      at += len;
    }
    return { values, end: at };
  }
}
