// `orbit sql`: runs statements against a data directory and prints results as a table, CSV or JSON.
import { readFileSync } from 'node:fs';
import { lineCol } from '../../../compiler/index.ts';
import { Engine, formatValue, OrbitError, resultRows, toOrbitError, type StatementResult } from '../../index.ts';
import { readSource, UsageError, type Command } from '../command.ts';

const NUMERIC = new Set(['int16', 'int32', 'int64', 'float32', 'float64', 'decimal']);

/** psql's aligned format: centered headers, numbers right-aligned, a row count footer. */
export function formatTable(r: StatementResult): string {
  if (r.columns.length === 0) return r.tag;
  const rows = resultRows(r).map((row) => row.map((v, i) => formatValue(v, r.columns[i]!.type) ?? ''));
  const widths = r.columns.map((c, i) => Math.max(c.name.length, ...rows.map((row) => row[i]!.length)));
  const center = (s: string, w: number) => {
    const left = Math.floor((w - s.length) / 2);
    return ' '.repeat(left) + s + ' '.repeat(w - s.length - left);
  };
  const lines = [
    r.columns.map((c, i) => ` ${center(c.name, widths[i]!)} `).join('|').trimEnd(),
    widths.map((w) => '-'.repeat(w + 2)).join('+'),
    ...rows.map((row) => row.map((v, i) => ` ${NUMERIC.has(r.columns[i]!.type.kind) ? v.padStart(widths[i]!) : v.padEnd(widths[i]!)} `).join('|').trimEnd()),
    `(${rows.length} ${rows.length === 1 ? 'row' : 'rows'})`,
  ];
  return lines.join('\n');
}

const csvField = (s: string | null): string => (s === null ? '' : /[",\n\r]/.test(s) || s === '' ? `"${s.replace(/"/g, '""')}"` : s);

/** CSV with a header row; NULL is an empty unquoted field, the empty string is `""` (as COPY … CSV writes). */
export function formatCsv(r: StatementResult): string {
  const lines = [r.columns.map((c) => csvField(c.name)).join(',')];
  for (const row of resultRows(r)) lines.push(row.map((v, i) => csvField(formatValue(v, r.columns[i]!.type))).join(','));
  return lines.join('\n');
}

/** JSON: numbers and booleans native when exact, everything else in PostgreSQL's text form; json values embedded. */
export function jsonRows(r: StatementResult): Record<string, unknown>[] {
  return resultRows(r).map((row) =>
    Object.fromEntries(
      row.map((v, i) => {
        const c = r.columns[i]!;
        if (v === null) return [c.name, null];
        if (c.type.kind === 'json') return [c.name, v];
        if (c.type.kind === 'bool') return [c.name, v];
        if ((c.type.kind === 'int16' || c.type.kind === 'int32' || c.type.kind === 'float32' || c.type.kind === 'float64') && Number.isFinite(v)) return [c.name, v];
        return [c.name, formatValue(v, c.type)];
      }),
    ),
  );
}

/** psql-style error report: `ERROR <SQLSTATE>: message`, then the line and a caret at the position. */
export function formatError(e: OrbitError, source: string): string {
  const out = [`ERROR ${e.sqlstate}: ${e.message}`];
  if (e.detail) out.push(`DETAIL: ${e.detail}`);
  if (e.hint) out.push(`HINT: ${e.hint}`);
  if (e.position !== undefined) {
    const { line, col } = lineCol(source, e.position - 1);
    const text = source.split('\n')[line - 1] ?? '';
    const prefix = `LINE ${line}: `;
    out.push(`${prefix}${text}`, `${' '.repeat(prefix.length + col - 1)}^`);
  }
  return out.join('\n');
}

export const sqlCommand: Command = {
  name: 'sql',
  summary: 'Run SQL statements against a data directory',
  usage: '--data <dir> ["SQL" | -f file.sql] [--format table|csv|json]',
  options: {
    data: { type: 'string', short: 'd', description: 'Data directory (default ./data or $ORBIT_DATA)', valueName: 'dir' },
    file: { type: 'string', short: 'f', description: 'Read statements from a file', valueName: 'file' },
    format: { type: 'string', description: 'table (default), csv or json', valueName: 'fmt' },
    param: { type: 'string', short: 'p', multiple: true, description: 'A value for $1, $2, … (repeatable, text form)', valueName: 'value' },
  },
  notes: 'Without a statement or -f, statements are read from standard input. Errors print `ERROR <SQLSTATE>: <message>` and exit 1.',
  async run(args) {
    const format = (args.values['format'] as string | undefined) ?? 'table';
    if (!['table', 'csv', 'json'].includes(format)) throw new UsageError(`unknown format "${format}" (table, csv, json)`);
    const dataDir = (args.values['data'] as string | undefined) ?? process.env['ORBIT_DATA'] ?? './data';
    const src = await readSource(args, (p) => readFileSync(p, 'utf8'));
    const params = (args.values['param'] as string[] | undefined) ?? [];
    const engine = await Engine.open({ dataDir });
    const session = engine.session();
    try {
      const results = await session.execute(src.text, params);
      const printable = results.filter((r) => r.columns.length > 0 || format === 'table');
      if (format === 'json') {
        const data = results.filter((r) => r.columns.length > 0).map(jsonRows);
        console.log(JSON.stringify(data.length === 1 ? data[0] : data, null, 2));
      } else {
        console.log(printable.map((r) => (format === 'csv' ? formatCsv(r) : formatTable(r))).join('\n\n'));
      }
      return 0;
    } catch (e) {
      console.error(formatError(toOrbitError(e), src.text));
      return 1;
    } finally {
      session.close();
      await engine.close();
    }
  },
};
