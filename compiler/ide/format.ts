// Formatting: each statement takes the canonical text of the OrbitQL formatter (`orbit fmt`'s).

import { formatOrbitStatement, hasComments } from '../frontends/orbitql/index.ts';
import type { Span } from '../diagnostics/index.ts';
import type { Analysis } from './analysis.ts';

export interface TextEdit {
  readonly span: Span;
  readonly newText: string;
}

/**
 * Edits that give each statement its canonical text, as `orbit fmt` prints it. A statement with comments
 * is left as written, since the tree does not keep them; so is one that does not parse.
 */
export function formatEdits(a: Analysis): TextEdit[] {
  const edits: TextEdit[] = [];
  for (const s of a.statements) {
    const st = s.statement;
    if (!st || hasComments(st.text)) continue;
    const formatted = formatOrbitStatement(st, a.text);
    if (formatted !== st.text.trim()) {
      // Keep the whitespace around the statement; replace only its text.
      const lead = st.text.length - st.text.trimStart().length;
      const start = st.span.start + lead;
      edits.push({ span: { start, end: start + st.text.trim().length }, newText: formatted });
    }
  }
  return edits;
}
