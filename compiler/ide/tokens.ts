// Semantic tokens: keywords, names, literals and OrbitQL forms, from the SQL scanner and the OrbitQL parse.

import { scanToken, skipTrivia } from '../frontends/sql/split.ts';
import { orbitGrammar } from '../frontends/orbitql/index.ts';
import type { Analysis } from './analysis.ts';

export type TokenType = 'keyword' | 'string' | 'number' | 'operator' | 'function' | 'variable' | 'type' | 'property' | 'comment';

export interface SemanticToken {
  readonly start: number;
  readonly end: number;
  readonly type: TokenType;
}

/** Keywords are the grammar's keyword rules (`SELECT = #("SELECT" ~idPart)`): read from the grammar, not listed. */
const KEYWORDS: ReadonlySet<string> = keywordRules();

function keywordRules(): Set<string> {
  const out = new Set<string>();
  // Inherited rules live on the prototype chain of `rules`, so a for-in walks them all.
  const rules = (orbitGrammar as unknown as { rules: Record<string, unknown> }).rules;
  for (const r in rules) if (/^[A-Z][A-Z_]+$/.test(r)) out.add(r.toLowerCase());
  return out;
}

/** Tokens in document order, none overlapping. */
export function semanticTokens(a: Analysis): SemanticToken[] {
  const text = a.text;
  const forms = a.statements.flatMap((s) => s.statement?.forms ?? []);
  const out: SemanticToken[] = [];
  let pos = 0;
  while (pos < text.length) {
    const next = skipTrivia(text, pos);
    if (next > pos) commentsIn(text, pos, next, out);
    if (next < 0) {
      out.push({ start: -1 - next, end: text.length, type: 'comment' });
      break;
    }
    if (next >= text.length) break;
    const form = forms.find((f) => f.span.start === next);
    if (form) {
      const type = form.kind === 'function' ? 'function' : form.kind === 'variable' ? 'variable' : form.kind === 'duration' ? 'number' : form.kind === 'record-id' ? 'string' : undefined;
      if (type) {
        out.push({ start: next, end: form.span.end, type });
        pos = form.span.end;
        continue;
      }
    }
    const tok = scanToken(text, next);
    const word = text.slice(tok.start, tok.end);
    const type: TokenType | undefined =
      tok.kind === 'string' || tok.kind === 'dollar-string' ? 'string'
      : tok.kind === 'number' ? 'number'
      : tok.kind === 'param' ? 'variable'
      : tok.kind === 'operator' ? 'operator'
      : tok.kind === 'word' && KEYWORDS.has(word.toLowerCase()) ? 'keyword'
      : tok.kind === 'word' && text[skipTrivia(text, tok.end)] === '(' ? 'function'
      : undefined;
    if (type) out.push({ start: tok.start, end: tok.end, type });
    pos = Math.max(tok.end, next + 1);
  }
  return out;
}

/** `--` and `/* … *​/` comments between two tokens. */
function commentsIn(text: string, from: number, to: number, out: SemanticToken[]): void {
  for (let i = from; i < to; i++) {
    if (text.startsWith('--', i)) {
      const nl = text.indexOf('\n', i);
      const end = nl < 0 || nl > to ? to : nl;
      out.push({ start: i, end, type: 'comment' });
      i = end;
    } else if (text.startsWith('/*', i)) {
      const close = text.indexOf('*/', i + 2);
      const end = close < 0 ? to : Math.min(to, close + 2);
      out.push({ start: i, end, type: 'comment' });
      i = end - 1;
    }
  }
}
