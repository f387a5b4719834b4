// Parsing entry points: one statement, or a script split on top-level `;` so each broken statement costs
// exactly one diagnostic (Ohm has no error recovery).

import { diagnostic, type Diagnostic, type Span } from '../../diagnostics/index.ts';
import type { Statement } from './ast.ts';
import { splitStatements, tokenAt } from './split.ts';
import { matchStatement } from './to-ast.ts';

/** One statement of a script: its tree, its range in the script (without the `;`) and its text. */
export interface ParsedStatement {
  readonly ast: Statement;
  readonly span: Span;
  readonly text: string;
}

export interface ParseResult {
  readonly statements: ParsedStatement[];
  readonly diagnostics: Diagnostic[];
}

export interface StatementParseResult {
  readonly ast: Statement | undefined;
  readonly diagnostics: Diagnostic[];
}

/**
 * Parses a script. Spans in trees and diagnostics are offsets into `source`. A statement that fails to
 * parse is left out of `statements` and reported once in `diagnostics`; the others still parse.
 */
export function parseSql(source: string): ParseResult {
  const statements: ParsedStatement[] = [];
  const diagnostics: Diagnostic[] = [];
  for (const range of splitStatements(source)) {
    const text = source.slice(range.start, range.end);
    const r = parseAt(text, range.start);
    if (r.ast) statements.push({ ast: r.ast, span: { start: range.start, end: range.end }, text });
    else diagnostics.push(r.diagnostic);
  }
  return { statements, diagnostics };
}

/** Parses one statement (an optional trailing `;` is allowed); spans are offsets into `text`. */
export function parseStatement(text: string): StatementParseResult {
  const r = parseAt(text, 0);
  return r.ast ? { ast: r.ast, diagnostics: [] } : { ast: undefined, diagnostics: [r.diagnostic] };
}

type One = { ast: Statement; diagnostic?: undefined } | { ast?: undefined; diagnostic: Diagnostic };

function parseAt(text: string, offset: number): One {
  try {
    const m = matchStatement(text, offset);
    if (m.ok) return { ast: m.ast };
    return { diagnostic: syntaxError(text, offset, m.failurePos, m.expected) };
  } catch (e) {
    // Deep nesting can exhaust the stack inside the matcher; PostgreSQL reports the same condition.
    if (e instanceof RangeError) {
      return {
        diagnostic: diagnostic('statement_too_complex', 'statement is nested too deeply', { start: offset, end: offset + text.length }),
      };
    }
    throw e;
  }
}

const MAX_TOKEN_ECHO = 60;

/** PostgreSQL's wording: `syntax error at or near "tok"` / `at end of input`, pointing at the token. */
export function syntaxError(text: string, offset: number, failurePos: number, expected: string): Diagnostic {
  // A failure found after matching (a non-associative operator) has no list of alternatives.
  // Keywords are listed upper-case, as they are written in PostgreSQL's documentation.
  const extra = expected === '' ? {} : { detail: `expected ${expected.replace(/"([a-z_]+)"/g, (_, w: string) => `"${w.toUpperCase()}"`)}` };
  const tok = tokenAt(text, failurePos);
  if (tok === undefined) {
    return diagnostic('syntax_error', 'syntax error at end of input', { start: offset + text.length, end: offset + text.length }, extra);
  }
  const end = 'kind' in tok ? tok.end : text.length;
  const span = { start: offset + tok.start, end: offset + end };
  const shown = echo(text.slice(tok.start, end));
  if (!('kind' in tok)) return diagnostic('syntax_error', `unterminated /* comment at or near "${shown}"`, span);
  if (tok.unterminated) {
    const what =
      tok.kind === 'quoted-identifier' ? 'quoted identifier' : tok.kind === 'dollar-string' ? 'dollar-quoted string' : 'quoted string';
    return diagnostic('syntax_error', `unterminated ${what} at or near "${shown}"`, span);
  }
  return diagnostic('syntax_error', `syntax error at or near "${shown}"`, span, extra);
}

function echo(token: string): string {
  return token.length > MAX_TOKEN_ECHO ? token.slice(0, MAX_TOKEN_ECHO) + '…' : token;
}
