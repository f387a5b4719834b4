// RESP frame types and protocol limits (Redis protocol specification, "RESP protocol description").

/** RESP2 and RESP3 type bytes (spec: "RESP protocol description" → data types). */
export const TYPE = {
  simple: 0x2b, // '+'
  error: 0x2d, // '-'
  integer: 0x3a, // ':'
  bulk: 0x24, // '$'
  array: 0x2a, // '*'
  null: 0x5f, // '_' (RESP3)
  double: 0x2c, // ',' (RESP3)
  boolean: 0x23, // '#' (RESP3)
  verbatim: 0x3d, // '=' (RESP3)
  map: 0x25, // '%' (RESP3)
  set: 0x7e, // '~' (RESP3)
  push: 0x3e, // '>' (RESP3)
} as const;

/** One request: the command name and its arguments as binary-safe latin1 strings. */
export type Argv = string[];

/** Request limits (Redis's defaults: proto-max-bulk-len, the multibulk cap, PROTO_INLINE_MAX_SIZE). */
export interface Limits {
  /** Largest bulk string in a request (default 512 MB). */
  readonly maxBulkLength: number;
  /** Most arguments in one request (default 1,048,576). */
  readonly maxMultibulkLength: number;
  /** Longest inline command line and length header (default 64 KB). */
  readonly maxInlineLength: number;
}

export const DEFAULT_LIMITS: Limits = {
  maxBulkLength: 512 * 1024 * 1024,
  maxMultibulkLength: 1024 * 1024,
  maxInlineLength: 64 * 1024,
};
