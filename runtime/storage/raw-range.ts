// Zero-copy range reads: a second lmdb-js handle whose key reader and value decoder hand LMDB's
// own buffers to a visitor instead of copying every key and value into fresh Buffers.
//
// lmdb-js calls `keyEncoder.readKey(buffer, start, end)` and then `decoder.decode(buffer, size)`
// for each entry of a range while the bytes sit in its shared buffers; with `needsStableBuffer`
// false it passes them without copying (measured ~3× faster than a `binary` range under Bun).
// The bytes are valid only during the call, so the visitor must consume them at once. The
// handle is read-only: every write goes through the store's `binary` handle.

import type { Database, RootDatabase } from 'lmdb';

/** Receives each entry of a range: its key, then its value, both in volatile buffers. */
export interface RowVisitor {
  key(buf: Uint8Array, start: number, end: number): void;
  row(buf: Uint8Array): void;
}

/** Pulls one entry at a time (so scans can stop and yield between entries). */
export interface RawCursor {
  /** Visits the next entry; false once the range is exhausted (the cursor is then closed). */
  next(): boolean;
  close(): void;
}

/** Opens cursors over `[start, end)` of `snapshot`, visiting entries with a visitor. */
export type RawRange = (start: Uint8Array, end: Uint8Array, snapshot: unknown, visitor: RowVisitor) => RawCursor;

/** The visitor of the cursor being advanced right now (cursors interleave, so it is set per step). */
let current: RowVisitor | undefined;

/** Opens the zero-copy handle on database `name` of `env`. */
export function openRawRange(env: RootDatabase, name: string): RawRange {
  const db = env.openDB({
    name,
    keyEncoder: {
      writeKey: (key: Uint8Array, target: Uint8Array, start: number): number => {
        target.set(key, start);
        return start + key.length;
      },
      readKey: (buf: Uint8Array, start: number, end: number): null => {
        current!.key(buf, start, end);
        return null;
      },
    },
    encoder: {
      encode: (v: unknown): Uint8Array => v as Uint8Array,
      decode: (buf: Uint8Array): null => {
        current!.row(buf);
        return null;
      },
      needsStableBuffer: false,
    },
  } as never) as Database<null, Uint8Array>;
  return (start, end, snapshot, visitor) => {
    const it = db.getRange({ start, end, transaction: snapshot as never })[Symbol.iterator]();
    let open = true;
    return {
      next(): boolean {
        if (!open) return false;
        const prev = current;
        current = visitor;
        try {
          if (!it.next().done) return true;
          open = false;
          return false;
        } finally {
          current = prev;
        }
      },
      close(): void {
        if (!open) return;
        open = false;
        it.return?.();
      },
    };
  };
}
