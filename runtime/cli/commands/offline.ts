// Shared pieces of the offline commands: loading a schema (and optional statistics) into a catalog.
import { readFileSync } from 'node:fs';
import { catalogFromSchema, type Catalog, type Diagnostic, type TableStats, lineCol } from '../../../compiler/index.ts';
import { UsageError } from '../command.ts';

export const readText = (path: string): string => {
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    throw new UsageError(`cannot read ${path}: ${(e as Error).message}`);
  }
};

/** Formats a diagnostic as `file:line:col: error CODE: message`. */
export function formatDiagnostic(file: string, source: string, d: Diagnostic): string {
  const { line, col } = lineCol(source, d.span.start);
  const extra = [d.detail ? `  detail: ${d.detail}` : '', d.hint ? `  hint: ${d.hint}` : ''].filter(Boolean);
  return [`${file}:${line}:${col}: ${d.severity} ${d.sqlstate}: ${d.message}`, ...extra].join('\n');
}

/** Builds the catalog from `--schema` (CREATE statements) and `--stats` (JSON: table → TableStats). */
export function loadCatalog(schemaPath: string | undefined, statsPath: string | undefined): { catalog: Catalog; errors: string[] } {
  const schema = schemaPath ? readText(schemaPath) : '';
  let stats: Record<string, TableStats> | undefined;
  if (statsPath) {
    try {
      stats = JSON.parse(readText(statsPath)) as Record<string, TableStats>;
    } catch (e) {
      throw new UsageError(`cannot parse ${statsPath}: ${(e as Error).message}`);
    }
  }
  const { catalog, diagnostics } = catalogFromSchema(schema, stats);
  return { catalog, errors: diagnostics.map((d) => formatDiagnostic(schemaPath ?? '<schema>', schema, d)) };
}

/** Whether a command reads OrbitQL: `--language orbitql`, or a `.oql` file when no language is given. */
export function isOrbitQL(language: unknown, name: string): boolean {
  if (language !== undefined && language !== 'sql' && language !== 'orbitql') throw new UsageError(`unknown language "${String(language)}" (sql, orbitql)`);
  return language === 'orbitql' || (language === undefined && /\.oql$/i.test(name));
}
