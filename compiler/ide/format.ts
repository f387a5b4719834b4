// Formatting through the SQL formatter: statements written in plain SQL take its canonical form.

import { formatSql } from '../frontends/sql/format.ts';
import type { Span } from '../diagnostics/index.ts';
import type { Analysis } from './analysis.ts';

export interface TextEdit {
  readonly span: Span;
  readonly newText: string;
}

/**
 * Edits that give each statement its canonical text (`orbit fmt`'s). A statement with OrbitQL forms is
 * left as written, since the formatter prints SQL; so is one with comments, which the tree does not keep.
 */
export function formatEdits(a: Analysis): TextEdit[] {
  const edits: TextEdit[] = [];
  for (const s of a.statements) {
    const st = s.statement;
    if (st?.kind !== 'statement' || st.forms.length > 0) continue;
    if (/--|\/\*/.test(st.text)) continue;
    const formatted = formatSql(st.ast);
    if (formatted !== st.text) edits.push({ span: st.span, newText: formatted });
  }
  return edits;
}
