// The statement an editor command acts on: the selection when there is one, else the statement under the cursor.

import { splitStatements } from '../compiler/frontends/sql/index.ts';

/** A piece of a document to run: its text and where it starts (UTF-16 offset) in the document. */
export interface StatementText {
  readonly text: string;
  readonly offset: number;
}

/**
 * The selection `[start, end)` of `text` when it holds more than blanks; otherwise the statement the
 * cursor `start` is in, or the last one ending before it (a cursor just after `;` means that
 * statement). Undefined when there is no statement at or before the cursor.
 */
export function statementAt(text: string, start: number, end = start): StatementText | undefined {
  if (end > start && text.slice(start, end).trim() !== '') return { text: text.slice(start, end), offset: start };
  let found: { start: number; end: number } | undefined;
  for (const range of splitStatements(text)) {
    if (range.start > start) {
      // Blanks only between the cursor and this statement: it is the one meant, when none came before.
      if (!found && text.slice(start, range.start).trim() === '') found = range;
      break;
    }
    found = range;
  }
  return found && { text: text.slice(found.start, found.end), offset: found.start };
}
