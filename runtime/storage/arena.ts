// Small byte arrays carved out of shared 256 KiB ArrayBuffers.
//
// lmdb-js records a native address per ArrayBuffer (cached on it) and Bun materializes the
// ArrayBuffer of a small standalone typed array on first `.buffer` access; slices of one arena pay
// both costs once per arena instead of once per key or row (bulk load ran ~2× faster).

const ARENA_SIZE = 256 * 1024;
const LARGE = 16 * 1024;

let arena = new ArrayBuffer(ARENA_SIZE);
let used = 0;

/** A copy of `src[0, length)` that lives in an arena (or alone, when large). */
export function arenaCopy(src: Uint8Array, length: number): Uint8Array {
  if (length > LARGE) return src.slice(0, length);
  if (used + length > ARENA_SIZE) {
    arena = new ArrayBuffer(ARENA_SIZE);
    used = 0;
  }
  const out = new Uint8Array(arena, used, length);
  out.set(src.subarray(0, length));
  used += length;
  return out;
}
