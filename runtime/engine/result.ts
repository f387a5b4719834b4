// Statement results as the engine hands them to protocols and tools: columns, row batches, command tag.
import type { CopyFormat, DataType } from '../../compiler/index.ts';

export interface ResultColumn {
  readonly name: string;
  readonly type: DataType;
  readonly nullable: boolean;
  /** Relation id and 1-based column number when the column comes straight from a table (PostgreSQL RowDescription). */
  readonly tableId?: number;
  readonly columnNumber?: number;
}

/** A batch of result rows, column-major, values in the IR conventions (see `DataType`). */
export interface RowBatch {
  readonly length: number;
  /** `columns[c][r]`: value of column c in row r (null for SQL NULL). */
  readonly columns: readonly (readonly unknown[])[];
}

export interface Notice {
  readonly severity: 'WARNING' | 'NOTICE' | 'INFO';
  readonly sqlstate: string;
  readonly message: string;
}

/** Events of one statement's execution, in order: start, any number of batches, end. */
export type ResultEvent =
  | { readonly kind: 'start'; readonly statement: number; readonly command: string; readonly columns: readonly ResultColumn[] }
  | { readonly kind: 'batch'; readonly statement: number; readonly batch: RowBatch }
  | { readonly kind: 'notice'; readonly statement: number; readonly notice: Notice }
  /**
   * COPY … FROM STDIN waits for data: the engine reads it from `ExecuteOptions.copyIn` (text, CSV)
   * or `copyInRows` (binary) once this event is consumed. `types` are the columns' types.
   */
  | { readonly kind: 'copy-in'; readonly statement: number; readonly columns: readonly string[]; readonly types: readonly DataType[]; readonly format: CopyFormat['format'] }
  /** COPY … TO STDOUT starts; its lines follow as `copy-data` events, or its rows as `copy-rows` in binary format. */
  | { readonly kind: 'copy-out'; readonly statement: number; readonly columns: readonly string[]; readonly types: readonly DataType[]; readonly format: CopyFormat['format'] }
  /** Lines of COPY output, each ending in a newline. */
  | { readonly kind: 'copy-data'; readonly statement: number; readonly lines: readonly string[] }
  /** Rows of binary COPY output as values: the wire protocol writes them in its binary format. */
  | { readonly kind: 'copy-rows'; readonly statement: number; readonly batch: RowBatch }
  | { readonly kind: 'end'; readonly statement: number; readonly tag: string; readonly rowCount: number };

/** One statement's whole result, collected. */
export interface StatementResult {
  readonly command: string;
  readonly tag: string;
  readonly columns: readonly ResultColumn[];
  readonly batches: readonly RowBatch[];
  readonly rowCount: number;
  readonly notices: readonly Notice[];
}

/** Rows of a collected result as arrays (row-major), for tools and tests. */
export function resultRows(r: StatementResult): unknown[][] {
  const rows: unknown[][] = [];
  for (const b of r.batches) {
    for (let i = 0; i < b.length; i++) rows.push(b.columns.map((c) => c[i] ?? null));
  }
  return rows;
}

/** Rows as objects keyed by column name (later duplicates win), for tests and scripts. */
export function resultObjects(r: StatementResult): Record<string, unknown>[] {
  return resultRows(r).map((row) => Object.fromEntries(r.columns.map((c, i) => [c.name, row[i]])));
}
