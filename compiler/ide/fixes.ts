// Quick fixes: a misspelled table, column or function name gets "did you mean …?" replacements.

import type { Diagnostic, Span } from '../diagnostics/index.ts';
import { allFunctions } from '../functions/index.ts';
import { NAMESPACED_FUNCTIONS } from '../frontends/orbitql/index.ts';
import type { Analysis } from './analysis.ts';

/** A replacement of the diagnostic's range that fixes it. */
export interface QuickFix {
  readonly title: string;
  readonly span: Span;
  readonly newText: string;
  /** The diagnostic it fixes. */
  readonly diagnostic: Diagnostic;
}

/** Names closer than this many edits, relative to the name's length, are offered. */
const MAX_SHARE = 1 / 3;

/** Edit distance counting a swap of neighbouring letters as one edit (typos), cut short past `limit`. */
function distance(a: string, b: string, limit: number): number {
  if (Math.abs(a.length - b.length) > limit) return limit + 1;
  let older: number[] = [];
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    let best = i;
    for (let j = 1; j <= b.length; j++) {
      let d = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, older[j - 2]! + 1);
      row[j] = d;
      best = Math.min(best, d);
    }
    if (best > limit) return limit + 1;
    older = prev;
    prev = row;
  }
  return prev[b.length]!;
}

/** Up to three candidates nearest to `name`, nearest first. */
export function nearestNames(name: string, candidates: Iterable<string>): string[] {
  const limit = Math.max(1, Math.floor(name.length * MAX_SHARE));
  const scored: [string, number][] = [];
  for (const c of new Set(candidates)) {
    if (c === name) continue;
    const d = distance(name.toLowerCase(), c.toLowerCase(), limit);
    if (d <= limit) scored.push([c, d]);
  }
  return scored.sort((x, y) => x[1] - y[1] || x[0].localeCompare(y[0])).slice(0, 3).map(([c]) => c);
}

/** Fixes for the unknown-name diagnostics that overlap `range`. */
export function quickFixes(a: Analysis, diagnostics: readonly Diagnostic[], range: Span): QuickFix[] {
  const out: QuickFix[] = [];
  for (const d of diagnostics) {
    if (d.span.end < range.start || d.span.start > range.end) continue;
    const written = a.text.slice(d.span.start, d.span.end);
    // A qualified column (`p.nme`) keeps its qualifier; only the last part is replaced.
    const dot = d.code === 'undefined_qualified_column' ? written.lastIndexOf('.') : -1;
    const name = written.slice(dot + 1);
    const span = { start: d.span.start + dot + 1, end: d.span.end };
    let candidates: Iterable<string>;
    switch (d.code) {
      case 'undefined_table':
        candidates = a.catalog.listRelations().map((r) => r.name);
        break;
      case 'undefined_column':
      case 'undefined_qualified_column':
        candidates = columnsNear(a, d.span.start);
        break;
      case 'undefined_function':
        candidates = name.includes('::') ? Object.keys(NAMESPACED_FUNCTIONS) : allFunctions().map((f) => f.name);
        break;
      default:
        continue;
    }
    for (const c of nearestNames(name, candidates)) out.push({ title: `Did you mean \`${c}\`?`, span, newText: c, diagnostic: d });
  }
  return out;
}

/** The columns of the catalog tables the statement at `offset` names. */
function columnsNear(a: Analysis, offset: number): string[] {
  const r = a.rangeAt(offset);
  const text = a.text.slice(r.start, r.end);
  const out: string[] = [];
  for (const m of text.matchAll(/\b(?:from|join|update|into)\s+([A-Za-z_][A-Za-z0-9_]*)/gi)) {
    const rel = a.relation(m[1]!);
    if (rel?.kind === 'table') out.push(...rel.columns.map((c) => c.name));
  }
  return out;
}
