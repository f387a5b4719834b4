// COPY's text and CSV data formats (PostgreSQL's COPY reference, "File Formats"): rows to lines and an incremental line parser.
import { type EscapeRules, unescapeBackslashes } from '../../compiler/frontends/sql/escapes.ts';
import type { CopyFormat } from '../../compiler/index.ts';
import { OrbitError } from './errors.ts';

/** One row as COPY text: `null` is SQL NULL, other values are already in their output text form. */
export type CopyRow = readonly (string | null)[];

const TEXT_ESCAPES: Readonly<Record<string, string>> = { '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t', '\b': '\\b', '\f': '\\f', '\v': '\\v' };

/** One line of output, newline included. */
export function encodeCopyRow(row: CopyRow, f: CopyFormat): string {
  let out = '';
  for (let i = 0; i < row.length; i++) {
    if (i > 0) out += f.delimiter;
    const v = row[i]!;
    if (v === null) out += f.null;
    else if (f.format === 'text') out += escapeText(v, f.delimiter);
    else out += quoteCsv(v, f);
  }
  return `${out}\n`;
}

function escapeText(v: string, delimiter: string): string {
  let out = '';
  for (const ch of v) {
    const e = TEXT_ESCAPES[ch];
    out += e ?? (ch === delimiter ? `\\${ch}` : ch);
  }
  return out;
}

/** CSV quoting: a value is quoted when it holds a delimiter, quote, newline, or reads as the NULL text or the end marker. */
function quoteCsv(v: string, f: CopyFormat): string {
  const needs = v === f.null || v === '\\.' || v.includes(f.delimiter) || v.includes(f.quote) || v.includes('\n') || v.includes('\r') || (f.escape !== f.quote && v.includes(f.escape));
  if (!needs) return v;
  let out = f.quote;
  for (const ch of v) out += ch === f.quote || ch === f.escape ? f.escape + ch : ch;
  return out + f.quote;
}

/** A field as read: its value and whether it was quoted (a quoted field is never NULL). */
interface Field {
  readonly raw: string;
  readonly quoted: boolean;
}

/**
 * Splits COPY input into rows as bytes arrive: decodes UTF-8 across chunk boundaries, keeps an
 * unfinished line (or an open CSV quote) until its end comes, stops at the `\.` end marker.
 */
export class CopyParser {
  private readonly decoder = new TextDecoder('utf-8', { fatal: true });
  private buf = '';
  private line = 0;
  private done = false;
  private skipHeader: boolean;

  constructor(
    private readonly f: CopyFormat,
    private readonly width: number,
    private readonly table: string,
  ) {
    this.skipHeader = f.header;
  }

  /** The line number of the last row returned, for error context. */
  get lineNumber(): number {
    return this.line;
  }

  /** Rows completed by this chunk. */
  push(chunk: Uint8Array): CopyRow[] {
    if (this.done) return [];
    try {
      this.buf += this.decoder.decode(chunk, { stream: true });
    } catch {
      throw new OrbitError('22021', 'invalid byte sequence for encoding "UTF8"', { where: `COPY ${this.table}, line ${this.line + 1}` });
    }
    return this.take(false);
  }

  /** Rows left when the input ends (a last line without a newline). */
  end(): CopyRow[] {
    if (this.done) return [];
    this.buf += this.decoder.decode();
    return this.take(true);
  }

  private take(final: boolean): CopyRow[] {
    const rows: CopyRow[] = [];
    let at = 0;
    while (!this.done) {
      const rec = this.f.format === 'csv' ? this.csvRecord(at, final) : this.textRecord(at, final);
      if (!rec) break;
      at = rec.next;
      this.line++;
      if (rec.fields.length === 1 && !rec.fields[0]!.quoted && rec.fields[0]!.raw === '\\.') {
        this.done = true;
        break;
      }
      if (this.skipHeader) {
        this.skipHeader = false;
        continue;
      }
      rows.push(this.row(rec.fields));
    }
    this.buf = this.done ? '' : this.buf.slice(at);
    return rows;
  }

  private row(fields: readonly Field[]): CopyRow {
    if (fields.length < this.width) throw this.error('22P04', `missing data for column ${fields.length + 1}`);
    if (fields.length > this.width) throw this.error('22P04', 'extra data after last expected column');
    return fields.map((fl) => {
      if (!fl.quoted && fl.raw === this.f.null) return null;
      return this.f.format === 'csv' ? fl.raw : unescapeBackslashes(fl.raw, COPY_TEXT);
    });
  }

  private error(code: string, message: string): OrbitError {
    return new OrbitError(code, message, { where: `COPY ${this.table}, line ${this.line}` });
  }

  /** Text format: one line per row, fields split at unescaped delimiters (a backslash escapes the next character). */
  private textRecord(from: number, final: boolean): { fields: Field[]; next: number } | undefined {
    const buf = this.buf;
    let nl = buf.indexOf('\n', from);
    if (nl < 0) {
      if (!final || from >= buf.length) return undefined;
      nl = buf.length;
    }
    const end = nl > from && buf[nl - 1] === '\r' ? nl - 1 : nl;
    const fields: Field[] = [];
    let start = from;
    for (let i = from; i < end; i++) {
      const c = buf[i];
      if (c === '\\') i++;
      else if (c === this.f.delimiter) {
        fields.push({ raw: buf.slice(start, i), quoted: false });
        start = i + 1;
      }
    }
    fields.push({ raw: buf.slice(start, end), quoted: false });
    return { fields, next: nl + 1 };
  }

  /** CSV: fields may be quoted, and a quoted field may span lines. */
  private csvRecord(from: number, final: boolean): { fields: Field[]; next: number } | undefined {
    const { delimiter, quote, escape } = this.f;
    const buf = this.buf;
    const fields: Field[] = [];
    let i = from;
    let value = '';
    let quoted = false;
    let inQuotes = false;
    for (;;) {
      if (i >= buf.length) {
        if (!final || (i === from && fields.length === 0)) return undefined;
        if (inQuotes) throw this.error('22P04', 'unterminated CSV quoted field');
        fields.push({ raw: value, quoted });
        return { fields, next: i };
      }
      const c = buf[i]!;
      if (inQuotes) {
        // Inside quotes the escape character makes a following quote or escape character literal
        // (with the default escape, the quote itself, that is the doubled quote "").
        const n = buf[i + 1];
        if (c === escape && (n === quote || n === escape)) {
          value += n;
          i += 2;
        } else if (c === escape && i + 1 >= buf.length && !final) {
          return undefined;
        } else if (c === quote) {
          inQuotes = false;
          i++;
        } else {
          value += c;
          i++;
        }
        continue;
      }
      if (c === quote) {
        inQuotes = true;
        quoted = true;
        i++;
      } else if (c === delimiter) {
        fields.push({ raw: value, quoted });
        value = '';
        quoted = false;
        i++;
      } else if (c === '\n' || c === '\r') {
        fields.push({ raw: value, quoted });
        const next = c === '\r' && buf[i + 1] === '\n' ? i + 2 : i + 1;
        if (c === '\r' && i + 1 >= buf.length && !final) return undefined;
        return { fields, next };
      } else {
        value += c;
        i++;
      }
    }
  }
}

/** COPY text format's backslash sequences: \\v too, no Unicode escapes, quotes are plain. */
const COPY_TEXT: EscapeRules = { doubledQuote: false, unicode: false, verticalTab: true };
