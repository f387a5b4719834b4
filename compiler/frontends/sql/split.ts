// A small PostgreSQL token scanner: splits scripts on top-level `;`, prepares text for the grammar, and
// finds the token an error points at.
//
// It knows just enough of the lexical structure to never mistake a `;` inside a string, quoted identifier,
// comment or dollar-quoted body for a statement end. Ohm is not used here: this runs on every script and
// must be a single pass.

/** A token's kind, only as fine as splitting and error messages need. */
export type TokenKind =
  | 'word'
  | 'number'
  | 'string'
  | 'quoted-identifier'
  | 'dollar-string'
  | 'param'
  | 'operator'
  | 'punctuation';

export interface Token {
  readonly kind: TokenKind;
  readonly start: number;
  readonly end: number;
  /** Set when a string, quoted identifier or dollar-quoted string runs to the end of the text. */
  readonly unterminated: boolean;
}

/** A comment that runs to the end of the text (`/*` without its closing `*​/`). */
export interface OpenComment {
  readonly start: number;
}

const OPERATOR_CHARS = '+-*/<>=~!@#%^&|`?';

function isWordStart(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95 || c >= 128;
}

function isWordPart(c: number): boolean {
  return isWordStart(c) || (c >= 48 && c <= 57) || c === 36;
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

function isSpace(c: number): boolean {
  return c === 32 || c === 9 || c === 10 || c === 13 || c === 12 || c === 11;
}

/**
 * Skips whitespace and comments from `pos`. Returns the next significant offset, or -1 - start of an
 * unterminated block comment (so callers can report it).
 */
export function skipTrivia(text: string, pos: number): number {
  const n = text.length;
  while (pos < n) {
    const c = text.charCodeAt(pos);
    if (isSpace(c)) {
      pos++;
    } else if (c === 45 && text.charCodeAt(pos + 1) === 45) {
      const nl = text.indexOf('\n', pos + 2);
      pos = nl < 0 ? n : nl + 1;
    } else if (c === 47 && text.charCodeAt(pos + 1) === 42) {
      const start = pos;
      let depth = 1;
      pos += 2;
      while (pos < n && depth > 0) {
        const d = text.charCodeAt(pos);
        if (d === 47 && text.charCodeAt(pos + 1) === 42) {
          depth++;
          pos += 2;
        } else if (d === 42 && text.charCodeAt(pos + 1) === 47) {
          depth--;
          pos += 2;
        } else pos++;
      }
      if (depth > 0) return -1 - start;
    } else break;
  }
  return pos;
}

/** Length of a dollar-quote delimiter (`$$`, `$tag$`) starting at `pos`, or 0. */
function dollarDelimiter(text: string, pos: number): number {
  let i = pos + 1;
  const n = text.length;
  if (i < n && text.charCodeAt(i) === 36) return 2;
  if (i >= n || !isWordStart(text.charCodeAt(i))) return 0;
  i++;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === 36) return i + 1 - pos;
    if (!isWordStart(c) && !isDigit(c)) return 0;
    i++;
  }
  return 0;
}

function scanQuoted(text: string, pos: number, quote: number, backslash: boolean): { end: number; closed: boolean } {
  const n = text.length;
  let i = pos + 1;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (backslash && c === 92) {
      i += 2;
    } else if (c === quote) {
      if (text.charCodeAt(i + 1) === quote) i += 2;
      else return { end: i + 1, closed: true };
    } else i++;
  }
  return { end: n, closed: false };
}

/** Scans the token starting exactly at `pos` (which must not be whitespace or a comment). */
export function scanToken(text: string, pos: number): Token {
  const n = text.length;
  const c = text.charCodeAt(pos);
  if (c === 39) {
    const q = scanQuoted(text, pos, 39, false);
    return { kind: 'string', start: pos, end: q.end, unterminated: !q.closed };
  }
  if (c === 34) {
    const q = scanQuoted(text, pos, 34, false);
    return { kind: 'quoted-identifier', start: pos, end: q.end, unterminated: !q.closed };
  }
  if ((c === 101 || c === 69) && text.charCodeAt(pos + 1) === 39) {
    const q = scanQuoted(text, pos + 1, 39, true);
    return { kind: 'string', start: pos, end: q.end, unterminated: !q.closed };
  }
  if (isWordStart(c)) {
    let i = pos + 1;
    while (i < n && isWordPart(text.charCodeAt(i))) i++;
    return { kind: 'word', start: pos, end: i, unterminated: false };
  }
  if (isDigit(c) || (c === 46 && isDigit(text.charCodeAt(pos + 1)))) {
    let i = pos;
    while (i < n && isDigit(text.charCodeAt(i))) i++;
    if (text.charCodeAt(i) === 46 && text.charCodeAt(i + 1) !== 46) {
      i++;
      while (i < n && isDigit(text.charCodeAt(i))) i++;
    }
    const e = text.charCodeAt(i);
    if (e === 101 || e === 69) {
      let j = i + 1;
      const s = text.charCodeAt(j);
      if (s === 43 || s === 45) j++;
      if (isDigit(text.charCodeAt(j))) {
        while (j < n && isDigit(text.charCodeAt(j))) j++;
        i = j;
      }
    }
    return { kind: 'number', start: pos, end: i, unterminated: false };
  }
  if (c === 36) {
    if (isDigit(text.charCodeAt(pos + 1))) {
      let i = pos + 1;
      while (i < n && isDigit(text.charCodeAt(i))) i++;
      return { kind: 'param', start: pos, end: i, unterminated: false };
    }
    const len = dollarDelimiter(text, pos);
    if (len > 0) {
      const tag = text.slice(pos, pos + len);
      const close = text.indexOf(tag, pos + len);
      if (close < 0) return { kind: 'dollar-string', start: pos, end: n, unterminated: true };
      return { kind: 'dollar-string', start: pos, end: close + len, unterminated: false };
    }
    return { kind: 'punctuation', start: pos, end: pos + 1, unterminated: false };
  }
  if (OPERATOR_CHARS.includes(text[pos]!)) {
    let i = pos + 1;
    while (i < n && OPERATOR_CHARS.includes(text[i]!)) {
      const d = text.charCodeAt(i);
      // A comment start ends an operator, as in PostgreSQL's lexer.
      if ((d === 45 && text.charCodeAt(i + 1) === 45) || (d === 47 && text.charCodeAt(i + 1) === 42)) break;
      i++;
    }
    return { kind: 'operator', start: pos, end: i, unterminated: false };
  }
  // `::` is PostgreSQL's cast token; any other character stands alone.
  if (c === 58 && text.charCodeAt(pos + 1) === 58) return { kind: 'punctuation', start: pos, end: pos + 2, unterminated: false };
  const cp = text.codePointAt(pos)!;
  return { kind: 'punctuation', start: pos, end: pos + (cp > 0xffff ? 2 : 1), unterminated: false };
}

/** A statement's range in the script: from its first token to the end of its last token (no `;`). */
export interface StatementRange {
  readonly start: number;
  readonly end: number;
}

/** Splits a script on top-level semicolons; empty statements (only whitespace and comments) are dropped. */
export function splitStatements(source: string): StatementRange[] {
  const out: StatementRange[] = [];
  const n = source.length;
  let pos = 0;
  let first = -1;
  let last = -1;
  while (pos < n) {
    const next = skipTrivia(source, pos);
    if (next < 0) {
      // An unclosed comment: keep it in the statement so its parse reports it.
      if (first < 0) first = -1 - next;
      last = n;
      break;
    }
    if (next >= n) break;
    if (source.charCodeAt(next) === 59) {
      if (first >= 0) out.push({ start: first, end: last });
      first = -1;
      pos = next + 1;
      continue;
    }
    const tok = scanToken(source, next);
    if (first < 0) first = tok.start;
    last = tok.end;
    pos = tok.end;
  }
  if (first >= 0) out.push({ start: first, end: last });
  return out;
}

/**
 * The token an error at `pos` points at: the token containing `pos`, else the next one. Returns `undefined`
 * at end of input; an unclosed block comment comes back as an `OpenComment`.
 */
export function tokenAt(text: string, pos: number): Token | OpenComment | undefined {
  let i = 0;
  const n = text.length;
  while (i < n) {
    const next = skipTrivia(text, i);
    if (next < 0) return { start: -1 - next };
    if (next >= n) return undefined;
    const tok = scanToken(text, next);
    if (tok.end > pos || tok.unterminated) return tok;
    i = tok.end;
  }
  return undefined;
}

/**
 * PostgreSQL's reserved words (plus the type/function-name keywords that would make clauses ambiguous, such
 * as JOIN or LEFT): never identifiers unless double-quoted. Must match the UPPER-CASE keywords of sql.ohm.
 */
export const POSTGRES_RESERVED: ReadonlySet<string> = new Set([
  'all', 'analyse', 'analyze', 'and', 'any', 'array', 'as', 'asc', 'asymmetric', 'both', 'case', 'cast',
  'check', 'collate', 'column', 'constraint', 'create', 'cross', 'current_catalog', 'current_date',
  'current_role', 'current_schema', 'current_time', 'current_timestamp', 'current_user', 'default',
  'deferrable', 'desc', 'distinct', 'do', 'else', 'end', 'except', 'exists', 'false', 'fetch', 'for',
  'foreign', 'from', 'full', 'grant', 'group', 'having', 'ilike', 'in', 'inner', 'intersect', 'into', 'is',
  'isnull', 'join', 'lateral', 'leading', 'left', 'like', 'limit', 'localtime', 'localtimestamp', 'natural',
  'not', 'notnull', 'null', 'offset', 'on', 'only', 'or', 'order', 'outer', 'primary', 'references',
  'returning', 'right', 'select', 'session_user', 'some', 'symmetric', 'table', 'then', 'to', 'trailing',
  'true', 'union', 'unique', 'user', 'using', 'verbose', 'when', 'where', 'window', 'with',
]);

/**
 * The text the grammar matches (same length, same offsets; see the header of sql.ohm): words lower-cased
 * except reserved words, which are upper-cased; the `E` of `E'…'` upper-cased (so no name starts with it);
 * the `e` of exponents lower-cased; every `$` inside a dollar-quoted body replaced by a space; closed
 * comments, with the whitespace around them, replaced by spaces. Strings and quoted identifiers are untouched.
 */
export function grammarText(text: string, reserved: ReadonlySet<string> = POSTGRES_RESERVED): string {
  let out = '';
  let from = 0;
  let pos = 0;
  const n = text.length;
  while (pos < n) {
    const next = skipTrivia(text, pos);
    if (next < 0) {
      // Blank the closed comments before an unclosed one; the grammar stops at the unclosed one.
      const open = -1 - next;
      if (hasComment(text, pos, open)) {
        out += text.slice(from, pos) + ' '.repeat(open - pos);
        from = open;
      }
      break;
    }
    if (hasComment(text, pos, next)) {
      out += text.slice(from, pos) + ' '.repeat(next - pos);
      from = next;
    }
    if (next >= n) break;
    const tok = scanToken(text, next);
    pos = tok.end;
    let replacement: string | undefined;
    switch (tok.kind) {
      case 'word': {
        const w = text.slice(tok.start, tok.end);
        const lower = lowerAscii(w);
        replacement = reserved.has(lower) ? lower.toUpperCase() : lower;
        break;
      }
      case 'number':
        replacement = lowerAscii(text.slice(tok.start, tok.end));
        break;
      case 'string':
        if (text.charCodeAt(tok.start) === 101) replacement = 'E' + text.slice(tok.start + 1, tok.end);
        break;
      case 'dollar-string':
        if (!tok.unterminated) replacement = maskDollarBody(text, tok.start, tok.end);
        break;
      default:
        break;
    }
    if (replacement !== undefined && replacement !== text.slice(tok.start, tok.end)) {
      out += text.slice(from, tok.start) + replacement;
      from = tok.end;
    }
  }
  return from === 0 ? text : out + text.slice(from);
}

/** Whether trivia between `start` and `end` holds a comment: anything there that is not whitespace is one. */
function hasComment(text: string, start: number, end: number): boolean {
  for (let i = start; i < end; i++) if (!isSpace(text.charCodeAt(i))) return true;
  return false;
}

function maskDollarBody(text: string, start: number, end: number): string {
  const len = dollarDelimiter(text, start);
  const open = text.slice(start, start + len);
  return open + text.slice(start + len, end - len).replaceAll('$', ' ') + open;
}

function lowerAscii(text: string): string {
  let out = '';
  let from = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 65 && c <= 90) {
      out += text.slice(from, i) + String.fromCharCode(c + 32);
      from = i + 1;
    }
  }
  return from === 0 ? text : out + text.slice(from);
}
