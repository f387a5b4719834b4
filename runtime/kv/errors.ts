// The key-value model's errors: one table of Redis's own error texts, thrown as KvError.

/** Redis's error texts by our code; the text's first word is the error code clients see. */
export const KV_ERRORS = {
  wrongtype: 'WRONGTYPE Operation against a key holding the wrong kind of value',
  not_integer: 'ERR value is not an integer or out of range',
  not_float: 'ERR value is not a valid float',
  overflow: 'ERR increment or decrement would overflow',
  decrement_overflow: 'ERR decrement would overflow',
  increment_not_finite: 'ERR value is NaN or Infinity',
  long_range: 'ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807',
  out_of_range: 'ERR value is out of range',
  nan: 'ERR increment would produce NaN or Infinity',
  syntax: 'ERR syntax error',
  no_such_key: 'ERR no such key',
  index_out_of_range: 'ERR index out of range',
  hash_not_integer: 'ERR hash value is not an integer',
  hash_not_float: 'ERR hash value is not a float',
  min_max_not_float: 'ERR min or max is not a float',
  min_max_not_lex: 'ERR min or max not valid string range item',
  bit_offset: 'ERR bit offset is not an integer or out of range',
  bit_value: 'ERR bit is not an integer or out of range',
  timeout_not_float: 'ERR timeout is not a float or out of range',
  timeout_negative: 'ERR timeout is negative',
  must_be_positive: 'ERR value is out of range, must be positive',
  db_out_of_range: 'ERR DB index is out of range',
  string_too_long: 'ERR string exceeds maximum allowed size (proto-max-bulk-len)',
  zadd_nx_xx: 'ERR XX and NX options at the same time are not compatible',
  zadd_gt_lt_nx: 'ERR GT, LT, and/or NX options at the same time are not compatible',
  zadd_incr_pair: 'ERR INCR option supports a single increment-element pair',
  expire_options: 'ERR NX and XX, GT or LT options at the same time are not compatible',
  expire_gt_lt: 'ERR GT and LT options at the same time are not compatible',
  weights_not_float: 'ERR weight value is not a float',
  hll_invalid: 'WRONGTYPE Key is not a valid HyperLogLog string value.',
  bitop_not_one: 'ERR BITOP NOT must be called with a single source key.',
  offset_out_of_range: 'ERR offset is out of range',
  rank_zero: "ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use negative to start from the end of the list",
  count_negative: "ERR COUNT can't be negative",
  maxlen_negative: "ERR MAXLEN can't be negative",
  withscores_byscore: 'ERR syntax error, WITHSCORES not supported in combination with BYLEX',
  limit_needs_by: 'ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX',
  same_object: 'ERR source and destination objects are the same',
  invalid_cursor: 'ERR invalid cursor',
  no_lfu: 'ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.',
} as const;

export type KvErrorCode = keyof typeof KV_ERRORS;

/** A command's failure: its message is the Redis error text sent to the client. */
export class KvError extends Error {
  override name = 'KvError';
  constructor(
    readonly code: KvErrorCode | 'custom',
    message?: string,
  ) {
    super(message ?? KV_ERRORS[code as KvErrorCode]);
  }
}

/** Throws the table's error for `code`. */
export function fail(code: KvErrorCode): never {
  throw new KvError(code);
}

/** An error whose text depends on the call (`ERR invalid expire time in 'set' command`). */
export function failWith(text: string): never {
  throw new KvError('custom', text);
}

const EXPIRE_FAMILY = new Set(['EXPIRE', 'PEXPIRE', 'EXPIREAT', 'PEXPIREAT']);

/**
 * Two keywords of one option block given together (`ZADD key NX XX …`): Redis's error text for the
 * pair, or undefined when the command accepts it (`EXPIRE key 10 XX GT`). Commands without their own
 * rule answer `syntax error`, as Redis's option parsers do.
 */
export function exclusiveOptionsError(command: string, first: string, second: string): string | undefined {
  const pair = new Set([first, second]);
  if (command === 'ZADD') return pair.has('NX') && pair.has('XX') ? KV_ERRORS.zadd_nx_xx : KV_ERRORS.zadd_gt_lt_nx;
  if (EXPIRE_FAMILY.has(command)) {
    if (pair.has('NX')) return KV_ERRORS.expire_options;
    if (pair.has('GT') && pair.has('LT')) return KV_ERRORS.expire_gt_lt;
    return undefined;
  }
  return KV_ERRORS.syntax;
}
