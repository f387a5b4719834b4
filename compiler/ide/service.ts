// The language service: one object per workspace, answering editor requests over OrbitQL documents.

import type { Catalog } from '../catalog/index.ts';
import { MemoryCatalog } from '../catalog/index.ts';
import type { Diagnostic, Span } from '../diagnostics/index.ts';
import { StatementCache } from '../frontends/orbitql/index.ts';
import { Analysis } from './analysis.ts';
import { complete, type CompletionItem } from './completion.ts';
import { quickFixes, type QuickFix } from './fixes.ts';
import { formatEdits, type TextEdit } from './format.ts';
import { definition, hover, type Hover } from './hover.ts';
import { documentSymbols, signatureHelp, type DocumentSymbol, type SignatureHelp } from './signature.ts';
import { semanticTokens, type SemanticToken } from './tokens.ts';

/**
 * Answers diagnostics, completion, hover, definition, signature help, document symbols, formatting and
 * semantic tokens for OrbitQL text
 * against a catalog. The last analysis is kept per document text, so the requests that follow an edit
 * share one compile. Pure: no I/O, runs wherever the compiler runs.
 */
export class LanguageService {
  private last: Analysis | undefined;
  /** Per-statement work of the last analysis, so an edit recompiles only the statements it touched. */
  private readonly cache = new StatementCache();

  constructor(private catalog: Catalog = new MemoryCatalog()) {}

  /** Replaces the catalog (the schema file changed). */
  setCatalog(catalog: Catalog): void {
    this.catalog = catalog;
    this.last = undefined;
    this.cache.clear();
  }

  private analyze(text: string): Analysis {
    if (this.last && this.last.text === text && this.last.catalog === this.catalog) return this.last;
    this.last = new Analysis(text, this.catalog, this.cache);
    return this.last;
  }

  /** Syntax errors (one per broken statement) and binder errors, spans into `text`. */
  diagnostics(text: string): Diagnostic[] {
    return this.analyze(text).statements.flatMap((s) => {
      // A misspelled table leaves each of its columns unresolved too: the table is the one mistake to show.
      const noTable = s.diagnostics.some((d) => d.code === 'undefined_table');
      return noTable ? s.diagnostics.filter((d) => d.code !== 'undefined_column' && d.code !== 'undefined_qualified_column') : s.diagnostics;
    });
  }

  completion(text: string, offset: number): CompletionItem[] {
    return complete(this.analyze(text), offset);
  }

  hover(text: string, offset: number): Hover | undefined {
    return hover(this.analyze(text), offset);
  }

  definition(text: string, offset: number): Span | undefined {
    return definition(this.analyze(text), offset);
  }

  /** "Did you mean …?" replacements for the unknown-name diagnostics overlapping `[start, end]`. */
  quickFixes(text: string, start: number, end: number): QuickFix[] {
    return quickFixes(this.analyze(text), this.diagnostics(text), { start, end });
  }

  /** The ranges of the statements that have a plan to explain (LET and broken statements have none). */
  explainable(text: string): Span[] {
    return this.analyze(text).statements.filter((s) => s.statement?.kind === 'statement' && s.bound).map((s) => s.span);
  }

  format(text: string): TextEdit[] {
    return formatEdits(this.analyze(text));
  }

  signatureHelp(text: string, offset: number): SignatureHelp | undefined {
    return signatureHelp(this.analyze(text), offset);
  }

  documentSymbols(text: string): DocumentSymbol[] {
    return documentSymbols(this.analyze(text));
  }

  semanticTokens(text: string): SemanticToken[] {
    return semanticTokens(this.analyze(text));
  }
}
