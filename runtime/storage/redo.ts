// The redo log: each group commit's writes, made durable beside LMDB's own commit so LMDB can skip its meta-page flush.
//
// Why: a durable LMDB commit flushes the device twice, one after the other: its data pages
// (fdatasync), then its meta page (written through an O_DSYNC descriptor). With MDB_NOMETASYNC
// the second flush is left out and LMDB keeps its integrity (the data flush of the next commit
// carries the meta page), but a system crash may undo the last commit. This log gives that commit
// back: its record is written with O_DSYNC while LMDB commits, so a commit waits for about one
// flush instead of two, and `Store.open` re-applies every record newer than LMDB's `commit-seq`.
//
// The file is preallocated (zeros), because an O_DSYNC write that grows a file must also flush
// its size through the filesystem journal. Records are written one after another from offset 0;
// when the next one does not fit, the store makes LMDB fully durable (`mdb_env_sync`) and starts
// again at 0. Records left over from an earlier round are older than LMDB's durable state, so
// replay skips them by sequence number; a torn or foreign record stops the scan (CRC-32).
//
// Record: u32 magic, u32 body length, u32 CRC-32 of the body; body: f64 sequence number, u32 write
// count, then per write u32 key length, key, u32 value length (0xFFFFFFFF for a delete), value.
// Big-endian throughout, as every other key and number this store writes.

import { closeSync, constants, fstatSync, openSync, readSync, write, writeSync } from 'node:fs';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';

/** One key's new bytes, or null for a delete. */
export interface RedoWrite {
  readonly key: Uint8Array;
  readonly value: Uint8Array | null;
}

/** The writes of one group commit, with the sequence number LMDB's `commit-seq` takes with them. */
export interface RedoRecord {
  readonly seq: number;
  readonly writes: readonly RedoWrite[];
}

const MAGIC = 0x4f52444c; // "ORDL"
const HEADER = 12;
const DELETE = 0xffffffff;
/** What the file grows by when a record would pass its end, and where it stops growing. */
const GROW_BYTES = 1 << 20;
export const DEFAULT_REDO_BYTES = 32 << 20;

/** Encodes one record (header included) for the writes of `groups`, in order. */
export function encodeRedo(seq: number, groups: readonly (readonly RedoWrite[])[]): Uint8Array {
  let size = HEADER + 12;
  for (const g of groups) for (const w of g) size += 8 + w.key.length + (w.value ? w.value.length : 0);
  const out = new Uint8Array(size);
  const dv = new DataView(out.buffer);
  let count = 0;
  let at = HEADER + 12;
  for (const g of groups) {
    for (const w of g) {
      dv.setUint32(at, w.key.length);
      out.set(w.key, at + 4);
      at += 4 + w.key.length;
      if (w.value) {
        dv.setUint32(at, w.value.length);
        out.set(w.value, at + 4);
        at += 4 + w.value.length;
      } else {
        dv.setUint32(at, DELETE);
        at += 4;
      }
      count++;
    }
  }
  dv.setFloat64(HEADER, seq);
  dv.setUint32(HEADER + 8, count);
  dv.setUint32(0, MAGIC);
  dv.setUint32(4, size - HEADER);
  dv.setUint32(8, crc32(out.subarray(HEADER)));
  return out;
}

/**
 * The records at the start of `bytes`, in file order, up to the first position that does not hold
 * a whole, intact record (zeros, a torn write, leftovers of an earlier round). Never throws.
 */
export function decodeRedo(bytes: Uint8Array): RedoRecord[] {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const records: RedoRecord[] = [];
  let at = 0;
  while (at + HEADER + 12 <= bytes.length) {
    if (dv.getUint32(at) !== MAGIC) break;
    const length = dv.getUint32(at + 4);
    if (length < 12 || at + HEADER + length > bytes.length) break;
    const body = bytes.subarray(at + HEADER, at + HEADER + length);
    if (crc32(body) !== dv.getUint32(at + 8)) break;
    const record = decodeBody(body);
    if (!record) break;
    records.push(record);
    at += HEADER + length;
  }
  return records;
}

function decodeBody(body: Uint8Array): RedoRecord | undefined {
  const dv = new DataView(body.buffer, body.byteOffset, body.byteLength);
  const seq = dv.getFloat64(0);
  const count = dv.getUint32(8);
  const writes: RedoWrite[] = [];
  let at = 12;
  for (let i = 0; i < count; i++) {
    if (at + 4 > body.length) return undefined;
    const kl = dv.getUint32(at);
    if (at + 4 + kl + 4 > body.length) return undefined;
    const key = body.slice(at + 4, at + 4 + kl);
    at += 4 + kl;
    const vl = dv.getUint32(at);
    at += 4;
    if (vl === DELETE) {
      writes.push({ key, value: null });
      continue;
    }
    if (at + vl > body.length) return undefined;
    writes.push({ key, value: body.slice(at, at + vl) });
    at += vl;
  }
  return at === body.length && Number.isFinite(seq) ? { seq, writes } : undefined;
}

/** The log file of one data directory; one writer at a time (the store's group commit). */
export class RedoLog {
  /** Where the next record goes. */
  private position = 0;

  private constructor(
    private readonly fd: number,
    /** Bytes the file holds now (zeros past the last record). */
    private size: number,
    /** Bytes the file may grow to before records start again at 0. */
    readonly capacity: number,
  ) {}

  /** Opens (creating and preallocating when missing) `redo.log` in `dir`. */
  static open(dir: string, capacity = DEFAULT_REDO_BYTES): RedoLog {
    const fd = openSync(join(dir, 'redo.log'), constants.O_RDWR | constants.O_CREAT | constants.O_DSYNC, 0o600);
    const log = new RedoLog(fd, fstatSync(fd).size, Math.max(capacity, GROW_BYTES));
    if (log.size < GROW_BYTES) log.grow(GROW_BYTES);
    return log;
  }

  /** Every intact record in the file, in file order (records of an earlier round included). */
  read(): RedoRecord[] {
    const bytes = new Uint8Array(this.size);
    let at = 0;
    while (at < bytes.length) {
      const n = readSync(this.fd, bytes, at, bytes.length - at, at);
      if (n === 0) break;
      at += n;
    }
    return decodeRedo(bytes.subarray(0, at));
  }

  /** Whether `record` may go into the log at all (larger ones make the store flush LMDB fully instead). */
  accepts(record: Uint8Array): boolean {
    return record.length <= this.capacity / 4;
  }

  /** Whether `record` fits after the records written since the last `rewind`. */
  fits(record: Uint8Array): boolean {
    return this.position + record.length <= this.capacity;
  }

  /** Starts again at offset 0: only once every record written so far is durable in LMDB. */
  rewind(): void {
    this.position = 0;
  }

  /** Writes `record` at the current position, durably (O_DSYNC), off the JavaScript thread. */
  append(record: Uint8Array): Promise<void> {
    const at = this.position;
    if (at + record.length > this.size) this.grow(Math.min(this.capacity, Math.max(this.size + GROW_BYTES, at + record.length)));
    this.position = at + record.length;
    return new Promise<void>((resolve, reject) => {
      write(this.fd, record, 0, record.length, at, (error, written) => {
        if (error) reject(error);
        else if (written !== record.length) reject(new Error(`redo log: short write (${written} of ${record.length} bytes)`));
        else resolve();
      });
    });
  }

  /**
   * Unwrites the last appended record (its LMDB commit failed, so it must never be replayed): its
   * magic becomes zero, durably, and the next record takes its place.
   */
  cancel(record: Uint8Array): void {
    const at = this.position - record.length;
    writeSync(this.fd, new Uint8Array(4), 0, 4, at);
    this.position = at;
  }

  close(): void {
    closeSync(this.fd);
  }

  /** Extends the file with zeros to `size` bytes and makes the new length durable. */
  private grow(size: number): void {
    if (size <= this.size) return;
    const zeros = new Uint8Array(size - this.size);
    let at = 0;
    // The descriptor is O_DSYNC: each write returns once its bytes and the new length are durable.
    while (at < zeros.length) at += writeSync(this.fd, zeros, at, zeros.length - at, this.size + at);
    this.size = size;
  }
}
