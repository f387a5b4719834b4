// The OrbitQL syntax tree: SQL statements (OrbitQL forms already turned into their SQL equivalents) and LET.

import type { Span } from '../../diagnostics/index.ts';
import type { Statement as SqlStatement } from '../sql/ast.ts';
import type { SpanMapping } from './span-map.ts';

/**
 * A rewrite of one OrbitQL form into SQL text, over `[start, end)` of the statement: either fixed text
 * or a `$name` variable, whose text depends on the LET statements before it.
 */
export type Edit =
  | { readonly kind: 'text'; readonly start: number; readonly end: number; readonly text: string }
  | { readonly kind: 'variable'; readonly start: number; readonly end: number; readonly name: string };

/** What one OrbitQL form is, for tools (semantic tokens, hover): its kind and range in the script. */
export interface OrbitForm {
  readonly kind: 'record-id' | 'object' | 'array' | 'duration' | 'function' | 'variable' | 'graph-path';
  readonly span: Span;
  /** The namespaced function's name, the variable's name, the record id's table or the path's edge table. */
  readonly name?: string;
}

/**
 * A piece of how a statement rewritten whole (RELATE, CREATE, TRAVERSE, …) is printed by the formatter:
 * canonical text, or the range of an expression printed in its own canonical form.
 */
export type LayoutPart = string | Span;

/** `LET $name = value`: binds a variable for the statements after it. */
export interface LetStatement {
  readonly kind: 'let';
  readonly name: string;
  readonly nameSpan: Span;
  /** The value as SQL text (a parenthesized expression or subquery), spliced where `$name` is used. */
  readonly valueSql: string;
  readonly valueSpan: Span;
  readonly span: Span;
  readonly text: string;
  readonly forms: readonly OrbitForm[];
}

/**
 * `GROUP BY … FILL (mode)`: how gap filling gives values to buckets no row fell into. A constant's
 * value is kept as SQL text (OrbitQL forms rewritten), bound against each filled column's type.
 */
export interface FillSpec {
  readonly mode: 'null' | 'previous' | 'linear' | 'value';
  readonly valueSql?: string;
  readonly span: Span;
}

/** `LIVE [DIFF]` before a query: it compiles to a live-query plan. */
export interface LiveSpec {
  readonly diff: boolean;
  readonly span: Span;
}

/** Any other statement: its SQL equivalent, parsed by the SQL front end, with spans into `sql`. */
export interface QueryStatement {
  readonly kind: 'statement';
  readonly ast: SqlStatement;
  /** The SQL text `ast`'s spans point into. */
  readonly sql: string;
  /** Maps offsets of `sql` back to offsets of the OrbitQL script. */
  readonly map: SpanMapping;
  readonly span: Span;
  readonly text: string;
  readonly forms: readonly OrbitForm[];
  /** The FILL clause of its GROUP BY, which the SQL text leaves out. */
  readonly fill?: FillSpec;
  /** Its LIVE prefix, which the SQL text leaves out. */
  readonly live?: LiveSpec;
  /** Tables the statement writes that are created first when missing (document or edge tables). */
  readonly ensure?: readonly { readonly table: string; readonly kind: 'document' | 'edge' }[];
  /** `FETCH a, b` after a query: result columns whose record ids become the records they name. */
  readonly fetch?: { readonly names: readonly string[]; readonly span: Span };
  /** A TRAVERSE with WHERE: lowering makes the condition prune the walk instead of filtering its rows. */
  readonly traverseWhere?: true;
  /** A statement rewritten whole: its canonical text around its expressions' ranges (see `LayoutPart`). */
  readonly layout?: readonly LayoutPart[];
}

export type OrbitStatement = LetStatement | QueryStatement;
