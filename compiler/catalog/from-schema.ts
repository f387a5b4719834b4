// Builds an offline catalog from a schema file of CREATE statements, optionally with statistics attached.

import { diagnostic, type Diagnostic } from '../diagnostics/index.ts';
import { parseSql } from '../frontends/sql/parse.ts';
import { bindStatement } from '../bind/index.ts';
import type { Catalog, TableStats } from './index.ts';
import { MemoryCatalog } from './memory.ts';

const SCHEMA_KINDS = new Set(['create-table', 'create-index', 'create-view', 'alter-table', 'drop', 'set', 'transaction', 'analyze']);

/**
 * Parses and binds each statement of `sql` in order against the catalog built so far, applying the
 * DDL. Statements that are not DDL are reported (a schema file holds definitions, not data).
 * `stats` attaches statistics by table name; unknown table names are reported with an empty span.
 */
export function catalogFromSchema(sql: string, stats: Readonly<Record<string, TableStats>> = {}): { catalog: MemoryCatalog & Catalog; diagnostics: Diagnostic[] } {
  const catalog = new MemoryCatalog();
  const parsed = parseSql(sql);
  const diagnostics: Diagnostic[] = [...parsed.diagnostics];
  for (const st of parsed.statements) {
    if (!SCHEMA_KINDS.has(st.ast.kind)) {
      diagnostics.push(diagnostic('feature_not_supported', 'a schema file may contain only CREATE, ALTER and DROP statements', st.span));
      continue;
    }
    const r = bindStatement(st.ast, sql, catalog);
    diagnostics.push(...r.diagnostics);
    if (r.bound) catalog.apply(r.bound);
  }
  for (const [name, s] of Object.entries(stats)) {
    const rel = catalog.getRelation(undefined, name);
    if (rel?.kind === 'table') catalog.setStats(rel.schema, rel.name, s);
    else diagnostics.push(diagnostic('undefined_table', name, { start: 0, end: 0 }, { severity: 'warning' }));
  }
  diagnostics.sort((a, b) => a.span.start - b.span.start);
  return { catalog, diagnostics };
}
