// "Orbit: Run Query" without the editor: send a statement to the server's REST API, format its results as text tables, place its errors.

import { requestJson, RemoteError, type ServerEndpoint } from '../../lsp/remote.ts';
import type { StatementText } from '../../lsp/statement-at.ts';

export { statementAt, type StatementText } from '../../lsp/statement-at.ts';
export { RemoteError, type ServerEndpoint } from '../../lsp/remote.ts';

/** A JSON value of a result row. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** One statement's result as `POST /v1/query` answers it. */
export interface QueryResult {
  readonly columns: readonly { readonly name: string; readonly type: string }[];
  readonly rows: readonly (readonly Json[])[];
  readonly command: string;
  readonly notices?: readonly { readonly severity: string; readonly sqlstate: string; readonly message: string }[];
}

/** Runs OrbitQL text on the server; one result per statement. Throws `RemoteError` with the server's error. */
export async function runQuery(endpoint: ServerEndpoint, query: string): Promise<QueryResult[]> {
  const answer = await requestJson(endpoint, '/v1/query', { query, language: 'orbitql' });
  const results = Array.isArray(answer) ? answer : [answer];
  for (const r of results) {
    if (typeof r !== 'object' || r === null || !Array.isArray((r as QueryResult).columns) || !Array.isArray((r as QueryResult).rows)) {
      throw new RemoteError('the server answered something that is not a query result');
    }
  }
  return results as QueryResult[];
}

/** A cell as it reads in a table: text unquoted, null as `NULL`, documents and arrays as JSON, one line. */
function cell(v: Json): string {
  if (v === null) return 'NULL';
  const s = typeof v === 'string' ? v : JSON.stringify(v);
  return s.replace(/\r?\n/g, '\\n');
}

/**
 * Results as aligned text tables in psql's layout: a header, a rule, rows (numbers right-aligned),
 * then `(n rows)`; a statement without columns shows its command tag (`INSERT 0 1`).
 */
export function formatResults(results: readonly QueryResult[]): string {
  return results
    .map((r) => {
      const notices = (r.notices ?? []).map((n) => `${n.severity}:  ${n.message}`);
      if (r.columns.length === 0) return [...notices, r.command].join('\n');
      const cells = r.rows.map((row) => row.map(cell));
      const widths = r.columns.map((c, i) => Math.max(c.name.length, ...cells.map((row) => row[i]!.length)));
      const numeric = r.columns.map((_, i) => r.rows.length > 0 && r.rows.every((row) => row[i] === null || typeof row[i] === 'number'));
      const line = (values: readonly string[], right: readonly boolean[]): string =>
        values.map((v, i) => ` ${right[i] ? v.padStart(widths[i]!) : v.padEnd(widths[i]!)} `).join('|').trimEnd();
      const header = line(r.columns.map((c, i) => center(c.name, widths[i]!)), r.columns.map(() => false));
      const rule = widths.map((w) => '-'.repeat(w + 2)).join('+');
      const n = r.rows.length;
      return [...notices, header, rule, ...cells.map((row) => line(row, numeric)), `(${n} ${n === 1 ? 'row' : 'rows'})`].join('\n');
    })
    .join('\n\n');
}

function center(s: string, width: number): string {
  const left = Math.floor((width - s.length) / 2);
  return ' '.repeat(left) + s.padEnd(width - left);
}

/** Where an error belongs in the document: `[start, end)` offsets of the token at its position. */
export interface ErrorPlace {
  readonly start: number;
  readonly end: number;
  readonly message: string;
}

/** The server's error as one message: `ERROR 42P01: relation "x" does not exist`, then detail and hint lines. */
export function errorMessage(e: RemoteError): string {
  const head = e.sqlstate ? `ERROR ${e.sqlstate}: ${e.message}` : e.message;
  return [head, ...(e.detail ? [`DETAIL: ${e.detail}`] : []), ...(e.hint ? [`HINT: ${e.hint}`] : [])].join('\n');
}

/**
 * The document range of an error with a position: the server counts 1-based characters of the text
 * it was sent, which starts at `statement.offset` in the document. Undefined without a position.
 */
export function errorPlace(e: RemoteError, statement: StatementText): ErrorPlace | undefined {
  if (e.position === undefined || e.position < 1 || e.position > statement.text.length + 1) return undefined;
  const at = e.position - 1;
  const word = /^[\p{L}\p{N}_$]+/u.exec(statement.text.slice(at))?.[0].length ?? 1;
  const start = statement.offset + at;
  return { start, end: Math.min(start + word, statement.offset + statement.text.length), message: errorMessage(e) };
}
