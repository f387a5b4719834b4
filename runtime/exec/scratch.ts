// Scratch arrays: large typed arrays an operator uses only inside itself (a join's build keys,
// its direct table, its materialized build side), handed back when the operator closes and lent
// again to the next statement.
//
// A fresh large array costs more than its bytes here: the allocator gives memory back to the
// kernel soon after the collector frees it, and each page the next statement touches again costs
// a page fault (in a virtual machine a trip to the hypervisor, 10-40 µs measured). Arrays kept in
// this pool stay mapped and written, so reuse costs nothing but the fill a caller asks for.
// Nothing here is ever visible outside the operator that borrowed it: an array handed back must
// not be referenced by any chunk the operator returned.

/** Arrays smaller than this come from the allocator as usual (its size classes reuse them well). */
const MIN_BYTES = 64 << 10;
/** The largest array the pool lends. */
const MAX_BYTES = 256 << 20;
/** Bytes of returned buffers the pool keeps; beyond it, a returned buffer is left to the collector. */
const KEEP_BYTES = 96 << 20;

/** Returned buffers by size class (log2 of their byte length). */
const free: ArrayBuffer[][] = [];
/**
 * Buffers out on loan, each with the array it was lent as: only that array returns it, so a stale
 * second return (of an array whose buffer has since been lent to someone else) is ignored.
 */
const lent = new WeakMap<ArrayBuffer, ArrayBufferView>();
let kept = 0;

function classOf(bytes: number): number {
  return Math.max(16, 32 - Math.clz32(bytes - 1));
}

function take(bytes: number): ArrayBuffer | null {
  if (bytes < MIN_BYTES || bytes > MAX_BYTES) return null;
  const c = classOf(bytes);
  const list = free[c];
  let buf = list !== undefined && list.length > 0 ? list.pop()! : undefined;
  if (buf !== undefined) kept -= buf.byteLength;
  else buf = new ArrayBuffer(2 ** c);
  return buf;
}

/** Records `a` as the holder of its (pooled) buffer and returns it. */
function lend<T extends ArrayBufferView>(a: T): T {
  lent.set(a.buffer as ArrayBuffer, a);
  return a;
}

/** An Int32Array of `n` entries, each `fill`; without `fill` the contents are unspecified (the caller writes every entry). */
export function scratchInt32(n: number, fill?: number): Int32Array<ArrayBuffer> {
  const buf = take(n * 4);
  const a = buf === null ? new Int32Array(n) : lend(new Int32Array(buf, 0, n));
  if (fill !== undefined && (fill !== 0 || buf !== null)) a.fill(fill);
  return a;
}

/** A Uint32Array of `n` zeros. */
export function scratchUint32Zeros(n: number): Uint32Array<ArrayBuffer> {
  const buf = take(n * 4);
  return buf === null ? new Uint32Array(n) : lend(new Uint32Array(buf, 0, n).fill(0));
}

/** A Float64Array of `n` entries whose contents are unspecified: the caller writes every entry. */
export function scratchFloat64(n: number): Float64Array<ArrayBuffer> {
  const buf = take(n * 8);
  return buf === null ? new Float64Array(n) : lend(new Float64Array(buf, 0, n));
}

/** A Uint8Array of `n` entries whose contents are unspecified: the caller writes every entry. */
export function scratchUint8(n: number): Uint8Array<ArrayBuffer> {
  const buf = take(n);
  return buf === null ? new Uint8Array(n) : lend(new Uint8Array(buf, 0, n));
}

/** Hands an array back (any typed array: those the pool did not lend, or lent and took back, are ignored). */
export function giveBack(a: ArrayBufferView | null | undefined): void {
  if (a === null || a === undefined) return;
  const buf = a.buffer as ArrayBuffer;
  if (lent.get(buf) !== a) return;
  lent.delete(buf);
  if (kept + buf.byteLength > KEEP_BYTES) return;
  const c = classOf(buf.byteLength);
  (free[c] ??= []).push(buf);
  kept += buf.byteLength;
}
