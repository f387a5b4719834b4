// Diagnostics: the compiler's only way of reporting a user's mistake (it never throws for one).

/** A half-open range of UTF-16 offsets into the statement source: [start, end). */
export interface Span {
  readonly start: number;
  readonly end: number;
}

export type Severity = 'error' | 'warning' | 'info';

export interface Diagnostic {
  /** Stable machine-readable code from `ERRORS` (for example `undefined_table`). */
  readonly code: ErrorCode;
  /** PostgreSQL SQLSTATE, so every protocol can map it to its own error format. */
  readonly sqlstate: string;
  readonly message: string;
  readonly span: Span;
  readonly severity: Severity;
  readonly detail?: string;
  readonly hint?: string;
}

/** The one table of error codes, their SQLSTATEs and message templates. */
export const ERRORS = {
  syntax_error: { sqlstate: '42601', message: (what: string) => what },
  undefined_table: { sqlstate: '42P01', message: (name: string) => `relation "${name}" does not exist` },
  undefined_column: { sqlstate: '42703', message: (name: string) => `column "${name}" does not exist` },
  /** `t.c` where t exists but has no column c (PostgreSQL prints it unquoted). */
  undefined_qualified_column: { sqlstate: '42703', message: (name: string) => `column ${name} does not exist` },
  /** A column named by a target list or USING clause (`column "c" of relation "t" does not exist`), worded at the call site. */
  undefined_target_column: { sqlstate: '42703', message: (what: string) => what },
  missing_from_entry: { sqlstate: '42P01', message: (name: string) => `missing FROM-clause entry for table "${name}"` },
  undefined_type: { sqlstate: '42704', message: (name: string) => `type "${name}" does not exist` },
  invalid_datetime_format: { sqlstate: '22007', message: (what: string) => what },
  undefined_function: {
    sqlstate: '42883',
    message: (sig: string) => `function ${sig} does not exist`,
  },
  undefined_operator: { sqlstate: '42883', message: (sig: string) => `operator does not exist: ${sig}` },
  undefined_parameter: { sqlstate: '42P02', message: (n: string) => `there is no parameter $${n}` },
  undefined_object: { sqlstate: '42704', message: (what: string) => what },
  ambiguous_column: { sqlstate: '42702', message: (name: string) => `column reference "${name}" is ambiguous` },
  ambiguous_function: { sqlstate: '42725', message: (sig: string) => `function ${sig} is not unique` },
  ambiguous_operator: { sqlstate: '42725', message: (sig: string) => `operator is not unique: ${sig}` },
  duplicate_alias: { sqlstate: '42712', message: (name: string) => `table name "${name}" specified more than once` },
  duplicate_cte: { sqlstate: '42712', message: (name: string) => `WITH query name "${name}" specified more than once` },
  duplicate_column: { sqlstate: '42701', message: (name: string) => `column "${name}" specified more than once` },
  duplicate_table: { sqlstate: '42P07', message: (name: string) => `relation "${name}" already exists` },
  duplicate_object: { sqlstate: '42710', message: (what: string) => what },
  datatype_mismatch: { sqlstate: '42804', message: (what: string) => what },
  cannot_coerce: { sqlstate: '42846', message: (what: string) => what },
  invalid_text_representation: { sqlstate: '22P02', message: (what: string) => what },
  numeric_value_out_of_range: { sqlstate: '22003', message: (what: string) => what },
  string_data_right_truncation: { sqlstate: '22001', message: (type: string) => `value too long for type ${type}` },
  division_by_zero: { sqlstate: '22012', message: () => 'division by zero' },
  grouping_error: { sqlstate: '42803', message: (what: string) => what },
  windowing_error: { sqlstate: '42P20', message: (what: string) => what },
  invalid_column_reference: { sqlstate: '42P10', message: (what: string) => what },
  wrong_object_type: { sqlstate: '42809', message: (what: string) => what },
  feature_not_supported: { sqlstate: '0A000', message: (what: string) => what },
  invalid_parameter_value: { sqlstate: '22023', message: (what: string) => what },
  invalid_recursion: { sqlstate: '42P19', message: (what: string) => what },
  undefined_schema: { sqlstate: '3F000', message: (name: string) => `schema "${name}" does not exist` },
  invalid_table_definition: { sqlstate: '42P16', message: (what: string) => what },
  invalid_foreign_key: { sqlstate: '42830', message: (what: string) => what },
  dependent_objects_still_exist: { sqlstate: '2BP01', message: (what: string) => what },
  too_many_arguments: { sqlstate: '54023', message: (what: string) => what },
  statement_too_complex: { sqlstate: '54001', message: (what: string) => what },
  internal_error: { sqlstate: 'XX000', message: (what: string) => what },
} as const satisfies Record<string, { sqlstate: string; message: (arg: string) => string }>;

export type ErrorCode = keyof typeof ERRORS;

/** Builds an error diagnostic from the table; the only way call sites create one. */
export function diagnostic(
  code: ErrorCode,
  arg: string,
  span: Span,
  extra: { detail?: string; hint?: string; severity?: Severity } = {},
): Diagnostic {
  const entry = ERRORS[code];
  return {
    code,
    sqlstate: entry.sqlstate,
    message: entry.message(arg),
    span,
    severity: extra.severity ?? 'error',
    ...(extra.detail !== undefined ? { detail: extra.detail } : {}),
    ...(extra.hint !== undefined ? { hint: extra.hint } : {}),
  };
}

/** 1-based line and column of an offset, for `file:line:col` output. */
export function lineCol(source: string, offset: number): { line: number; col: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < source.length; i++) {
    if (source.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, col: offset - lineStart + 1 };
}

/** Thrown only for the compiler's own bugs (an invariant broken), never for user input. */
export class CompilerBug extends Error {
  override name = 'CompilerBug';
}
