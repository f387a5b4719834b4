// Storage's one error type and its table of SQLSTATEs and messages (PostgreSQL's wording).

export const STORAGE_ERRORS = {
  unique_violation: { sqlstate: '23505', message: (name: string) => `duplicate key value violates unique constraint "${name}"` },
  not_null_violation: { sqlstate: '23502', message: (what: string) => what },
  serialization_failure: { sqlstate: '40001', message: () => 'could not serialize access due to concurrent update' },
  undefined_table: { sqlstate: '42P01', message: (name: string) => `relation "${name}" does not exist` },
  undefined_column: { sqlstate: '42703', message: (what: string) => what },
  undefined_object: { sqlstate: '42704', message: (what: string) => what },
  duplicate_table: { sqlstate: '42P07', message: (name: string) => `relation "${name}" already exists` },
  duplicate_column: { sqlstate: '42701', message: (what: string) => what },
  invalid_table_definition: { sqlstate: '42P16', message: (what: string) => what },
  dependent_objects_still_exist: { sqlstate: '2BP01', message: (what: string) => what },
  savepoint_missing: { sqlstate: '3B001', message: (name: string) => `savepoint "${name}" does not exist` },
  invalid_transaction_state: { sqlstate: '25000', message: (what: string) => what },
  feature_not_supported: { sqlstate: '0A000', message: (what: string) => what },
  sequence_limit: { sqlstate: '2200H', message: (name: string) => `nextval: reached maximum value of sequence "${name}"` },
  invalid_parameter_value: { sqlstate: '22023', message: (what: string) => what },
  program_limit_exceeded: { sqlstate: '54000', message: (what: string) => what },
  internal_error: { sqlstate: 'XX000', message: (what: string) => what },
} as const satisfies Record<string, { sqlstate: string; message: (arg: string) => string }>;

export type StorageErrorCode = keyof typeof STORAGE_ERRORS;

/** An error raised by storage, carrying the SQLSTATE protocols report. */
export class StorageError extends Error {
  override name = 'StorageError';
  readonly sqlstate: string;
  readonly detail?: string;
  readonly hint?: string;
  /** The violated constraint or affected relation, for drivers that report it. */
  readonly constraint?: string;
  readonly table?: string;

  constructor(
    readonly code: StorageErrorCode,
    arg = '',
    extra: { detail?: string; hint?: string; constraint?: string; table?: string } = {},
  ) {
    super(STORAGE_ERRORS[code].message(arg));
    this.sqlstate = STORAGE_ERRORS[code].sqlstate;
    if (extra.detail !== undefined) this.detail = extra.detail;
    if (extra.hint !== undefined) this.hint = extra.hint;
    if (extra.constraint !== undefined) this.constraint = extra.constraint;
    if (extra.table !== undefined) this.table = extra.table;
  }
}
