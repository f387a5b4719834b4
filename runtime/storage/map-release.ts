// Gives back this process's mappings of LMDB data pages after large sequential reads.
//
// LMDB reads through a shared read-only memory map of data.mdb. A full scan (the warm tier
// decoding a table's columns) touches every page of the table, and each touched page stays in
// the process's page tables, so resident memory grows by the size of the table although the
// scan keeps none of it: the decoded columns are copies. On Linux, madvise(MADV_DONTNEED) over a
// shared file mapping drops those page-table entries; the pages stay in the kernel's page cache
// (as a PostgreSQL heap read through read() does), and a later access maps them again from
// there, with the same contents. LMDB never holds pointers into the map across our calls
// (lmdb-js copies every value it hands us), and without MDB_WRITEMAP the map is never written,
// so dropping the entries changes no data. Elsewhere (no /proc, no libc) this does nothing.

import { FFIType, dlopen } from 'bun:ffi';
import fs from 'node:fs';
import path from 'node:path';
import type { RawRange } from './raw-range.ts';

/** Bytes of rows a range read visits between releases: about 64 MB of mapped pages. */
const RELEASE_EVERY = 64 * 1024 * 1024;

/** madvise(2) advice: drop the range's page-table entries (file pages stay in the page cache). */
const MADV_DONTNEED = 4;

type Madvise = (addr: bigint, length: bigint, advice: number) => number;

let madviseFn: Madvise | null | undefined;

/** libc's madvise through Bun's FFI, or null where it is unavailable. */
function madvise(): Madvise | null {
  if (madviseFn !== undefined) return madviseFn;
  madviseFn = null;
  if (process.platform !== 'linux') return null;
  try {
    const lib = dlopen('libc.so.6', { madvise: { args: [FFIType.u64, FFIType.u64, FFIType.i32], returns: FFIType.i32 } });
    madviseFn = lib.symbols.madvise as unknown as Madvise;
  } catch {
    madviseFn = null;
  }
  return madviseFn;
}

/** Releases the pages of one data file's mappings in this process. */
export class MapRelease {
  private readonly file: string;

  constructor(dataDir: string) {
    let dir = dataDir;
    try {
      dir = fs.realpathSync(dataDir);
    } catch {
      // The directory is created by LMDB; the name as given is the best guess before that.
    }
    this.file = path.join(dir, 'data.mdb');
  }

  /** Drops every mapping of the data file from resident memory; the number of bytes advised. */
  release(): number {
    const fn = madvise();
    if (fn === null) return 0;
    let maps: string;
    try {
      maps = fs.readFileSync('/proc/self/maps', 'utf8');
    } catch {
      return 0;
    }
    let bytes = 0;
    for (const line of maps.split('\n')) {
      if (!line.endsWith(this.file)) continue;
      // "start-end perms offset dev inode path", addresses in hex.
      const dash = line.indexOf('-');
      const space = line.indexOf(' ');
      const start = BigInt(`0x${line.slice(0, dash)}`);
      const end = BigInt(`0x${line.slice(dash + 1, space)}`);
      // Only read-only mappings: a writable map (MDB_WRITEMAP) may hold pages not yet written back.
      if (line.slice(space + 1, space + 3) !== 'r-') continue;
      if (fn(start, end - start, MADV_DONTNEED) === 0) bytes += Number(end - start);
    }
    return bytes;
  }
}

/**
 * `raw` with its long reads releasing: every `every` bytes of rows visited, and when a cursor
 * that visited that many closes, the data file's mappings are dropped.
 */
export function releasing(raw: RawRange, pages: MapRelease, every: number = RELEASE_EVERY): RawRange {
  return (start, end, snapshot, visitor) => {
    let since = 0;
    let total = 0;
    const cursor = raw(start, end, snapshot, {
      key: (buf, s, e) => visitor.key(buf, s, e),
      row: (buf) => {
        since += buf.length;
        if (since >= every) {
          total += since;
          since = 0;
          pages.release();
        }
        visitor.row(buf);
      },
    });
    let done = false;
    const finish = (): void => {
      if (done) return;
      done = true;
      if (total + since >= every) pages.release();
    };
    return {
      next(): boolean {
        if (cursor.next()) return true;
        finish();
        return false;
      },
      close(): void {
        cursor.close();
        finish();
      },
    };
  };
}
