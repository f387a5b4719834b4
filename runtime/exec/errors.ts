// The executor's one error type and its table of SQLSTATE codes and message templates.

/** The executor's error codes: SQLSTATE plus a message template, the only source of messages. */
export const EXEC_ERRORS = {
  numeric_value_out_of_range: { sqlstate: '22003', message: (what: string) => what },
  division_by_zero: { sqlstate: '22012', message: () => 'division by zero' },
  invalid_text_representation: { sqlstate: '22P02', message: (what: string) => what },
  invalid_datetime_format: { sqlstate: '22007', message: (what: string) => what },
  datetime_field_overflow: { sqlstate: '22008', message: (what: string) => what },
  cardinality_violation: { sqlstate: '21000', message: (what: string) => what },
  invalid_parameter_value: { sqlstate: '22023', message: (what: string) => what },
  invalid_regular_expression: { sqlstate: '2201B', message: (what: string) => what },
  invalid_escape_sequence: { sqlstate: '22025', message: (what: string) => what },
  invalid_argument_for_power: { sqlstate: '2201F', message: (what: string) => what },
  invalid_argument_for_log: { sqlstate: '2201E', message: (what: string) => what },
  invalid_row_count: { sqlstate: '2201W', message: (what: string) => what },
  invalid_offset_count: { sqlstate: '2201X', message: (what: string) => what },
  invalid_window_frame: { sqlstate: '22013', message: (what: string) => what },
  invalid_ntile_argument: { sqlstate: '22014', message: (what: string) => what },
  string_data_right_truncation: { sqlstate: '22001', message: (what: string) => what },
  not_null_violation: { sqlstate: '23502', message: (what: string) => what },
  check_violation: { sqlstate: '23514', message: (what: string) => what },
  foreign_key_violation: { sqlstate: '23503', message: (what: string) => what },
  cardinality_upsert: { sqlstate: '21000', message: (what: string) => what },
  object_not_in_prerequisite_state: { sqlstate: '55000', message: (what: string) => what },
  query_canceled: { sqlstate: '57014', message: () => 'canceling statement due to user request' },
  undefined_function: { sqlstate: '42883', message: (what: string) => `function ${what} does not exist` },
  feature_not_supported: { sqlstate: '0A000', message: (what: string) => what },
  internal_error: { sqlstate: 'XX000', message: (what: string) => what },
} as const satisfies Record<string, { sqlstate: string; message: (arg: string) => string }>;

export type ExecErrorCode = keyof typeof EXEC_ERRORS;

/** A runtime error of query execution, carrying a PostgreSQL SQLSTATE every protocol can map. */
export class ExecError extends Error {
  readonly code: ExecErrorCode;
  readonly sqlstate: string;
  readonly detail?: string;
  readonly hint?: string;

  constructor(code: ExecErrorCode, arg = '', extra: { detail?: string; hint?: string } = {}) {
    super(EXEC_ERRORS[code].message(arg));
    this.name = 'ExecError';
    this.code = code;
    this.sqlstate = EXEC_ERRORS[code].sqlstate;
    if (extra.detail !== undefined) this.detail = extra.detail;
    if (extra.hint !== undefined) this.hint = extra.hint;
  }
}

/** Shorthand used by kernels: build and throw in one expression position. */
export function fail(code: ExecErrorCode, arg = '', extra: { detail?: string; hint?: string } = {}): never {
  throw new ExecError(code, arg, extra);
}

/** Storage's errors pass through the executor unchanged (SQLSTATEs 23505, 23502, 40001, …). */
export { StorageError, STORAGE_ERRORS, type StorageErrorCode } from '../storage/errors.ts';
