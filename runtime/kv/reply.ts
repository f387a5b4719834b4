// The reply interface commands write to: the protocol implements it for its wire format (RESP2 or RESP3).

/**
 * Where a command writes its reply, streamed in order: an aggregate header is followed by its
 * elements. Strings are binary-safe latin1 strings (one byte per code unit).
 */
export interface ReplySink {
  /** The client's protocol version: replies with pairs (WITHSCORES) nest them under RESP3. */
  readonly protocol: 2 | 3;
  /** A status reply (`OK`, `QUEUED`, `PONG`). */
  simple(s: string): void;
  /** An error reply; the text starts with its code (`ERR …`, `WRONGTYPE …`). */
  error(text: string): void;
  integer(n: number | bigint): void;
  /** A bulk string, or the null bulk for `null`. */
  bulk(s: string | null): void;
  /** A bulk string holding src[start, end) (a value read from storage without making a string). */
  bulkBytes(src: Buffer, start: number, end: number): void;
  /** The null reply for a missing aggregate (RESP2 `*-1`, RESP3 `_`). */
  nullArray(): void;
  array(n: number): void;
  /** n key/value pairs (RESP2: an array of 2n). */
  map(n: number): void;
  /** n members (RESP2: an array). */
  set(n: number): void;
  /** A floating-point number (RESP2: its text as a bulk string). */
  double(d: number): void;
  /** A boolean (RESP2: integer 1 or 0). */
  boolean(b: boolean): void;
  /** Free text (RESP3 verbatim `txt`; RESP2 a bulk string). */
  verbatim(s: string): void;
}
