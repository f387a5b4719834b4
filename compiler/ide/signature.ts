// Signature help and document symbols: the call around the cursor, and the names a document defines.

import type { Span } from '../diagnostics/index.ts';
import { lookupFunction } from '../functions/index.ts';
import { registryName } from '../frontends/orbitql/index.ts';
import { scanToken, skipTrivia } from '../frontends/sql/split.ts';
import type { Analysis } from './analysis.ts';
import { signatureText } from './hover.ts';

export interface SignatureHelp {
  /** One line per overload: `name(arg, …) → result`. */
  readonly signatures: readonly string[];
  /** The argument the cursor is in, 0-based. */
  readonly activeParameter: number;
}

/** The signatures of the function whose argument list holds the cursor, and which argument it is in. */
export function signatureHelp(a: Analysis, offset: number): SignatureHelp | undefined {
  const range = a.rangeAt(offset);
  const text = a.text;
  // Tokens from the statement's start to the cursor; strings and comments are skipped by the scanner.
  const opens: { name: string; commas: number }[] = [];
  let pos = range.start;
  while (pos < offset) {
    const next = skipTrivia(text, pos);
    if (next < 0 || next >= offset) break;
    const tok = scanToken(text, next);
    const word = text.slice(tok.start, tok.end);
    if (word === '(') {
      // The callee is the (possibly namespaced) name just before the parenthesis, if any.
      const callee = /([A-Za-z_]\w*(?:::[A-Za-z_]\w*)*)\s*$/.exec(text.slice(range.start, tok.start));
      opens.push({ name: callee?.[1] ?? '', commas: 0 });
    } else if (word === ')') opens.pop();
    else if (word === ',' && opens.length > 0) opens[opens.length - 1]!.commas++;
    pos = Math.max(tok.end, next + 1);
  }
  const call = opens[opens.length - 1];
  if (!call || call.name === '') return undefined;
  const name = call.name.toLowerCase();
  const target = registryName(name) ?? name;
  const f = lookupFunction(target);
  if (!f) return undefined;
  return { signatures: f.signatures.map((s) => signatureText(name, s)), activeParameter: call.commas };
}

export interface DocumentSymbol {
  readonly name: string;
  readonly kind: 'variable' | 'cte' | 'statement';
  readonly span: Span;
  /** The range of the name itself. */
  readonly selection: Span;
}

/** The LET variables, the CTEs and the statements of a document, in order. */
export function documentSymbols(a: Analysis): DocumentSymbol[] {
  const out: DocumentSymbol[] = [];
  for (const s of a.statements) {
    const st = s.statement;
    if (!st) continue;
    if (st.kind === 'let') {
      out.push({ name: `$${st.name}`, kind: 'variable', span: st.span, selection: st.nameSpan });
      continue;
    }
    // A statement is named by its first words, as an outline shows it (`SELECT name FROM people …`).
    const lead = st.text.trim().replace(/\s+/g, ' ');
    const name = lead.length > 40 ? `${lead.slice(0, 40)}…` : lead;
    const at = st.span.start + (st.text.length - st.text.trimStart().length);
    out.push({ name, kind: 'statement', span: st.span, selection: { start: at, end: at + (/^\S+/.exec(lead)?.[0].length ?? 0) } });
  }
  for (const d of a.definitions) if (d.kind === 'cte') out.push({ name: d.name, kind: 'cte', span: d.span, selection: d.span });
  return out.sort((x, y) => x.span.start - y.span.start);
}
