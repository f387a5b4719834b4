// Name scopes: the relations of one FROM clause, unqualified visibility (USING/NATURAL merges), outer scopes and correlation.

import type { Column, ColumnId } from '../ir/expr.ts';
import type { AggCollector } from './collectors.ts';

/** A column as a name lookup sees it. */
export interface ScopeColumn {
  readonly name: string;
  readonly column: Column;
}

/** One FROM item as `alias.column` and `alias.*` see it. */
export interface ScopeRelation {
  /** Alias, or the table name when there is none; undefined for an unaliased subquery. */
  readonly alias: string | undefined;
  /** Schema of a base table referenced without alias, for `schema.table.column`. */
  readonly schemaName?: string;
  readonly columns: readonly ScopeColumn[];
  /** Column ids of the base table's primary key: grouping by them makes the other columns functionally dependent. */
  readonly primaryKey?: readonly ColumnId[];
}

/**
 * The names one query level can see. `visible` is the unqualified namespace in `*` order (a
 * USING/NATURAL join lists each merged column once); `relations` serve qualified references.
 * Lookups that fall through to `parent` are correlated references: every scope passed on the way
 * records the column id in `outerRefs`.
 */
export class Scope {
  readonly relations: ScopeRelation[] = [];
  readonly visible: ScopeColumn[] = [];
  readonly outerRefs = new Set<ColumnId>();
  /**
   * The aggregate collector of this query level while its current clause allows aggregates: an
   * aggregate in a subquery whose arguments only reference this level belongs here.
   */
  aggs: AggCollector | undefined;

  constructor(readonly parent?: Scope) {}

  /** True when `id` is a column of one of this scope's own relations. */
  defines(id: ColumnId): boolean {
    return this.relations.some((r) => r.columns.some((c) => c.column.id === id)) || this.visible.some((c) => c.column.id === id);
  }

  findRelation(name: string, schema?: string): ScopeRelation[] {
    return this.relations.filter((r) => r.alias === name && (schema === undefined || r.schemaName === schema));
  }
}

export type Lookup =
  | { readonly kind: 'found'; readonly column: Column; readonly depth: number; readonly scope: Scope }
  | { readonly kind: 'ambiguous' }
  | { readonly kind: 'no-relation'; readonly relation: string }
  | { readonly kind: 'no-column'; readonly relation?: string };

function unique(cols: readonly ScopeColumn[]): Column[] {
  const out: Column[] = [];
  for (const c of cols) if (!out.some((o) => o.id === c.column.id)) out.push(c.column);
  return out;
}

/** Records `id`, defined at `home`, as an outer reference of every scope from `from` up to `home`. */
export function markOuter(from: Scope, home: Scope, id: ColumnId): void {
  for (let t: Scope | undefined = from; t && t !== home; t = t.parent) t.outerRefs.add(id);
}

/** Resolves `col`, `rel.col` or `schema.rel.col` from `scope` outwards, recording correlation. */
export function lookupColumn(scope: Scope, parts: readonly string[]): Lookup {
  const name = parts[parts.length - 1]!;
  const relName = parts.length >= 2 ? parts[parts.length - 2] : undefined;
  const schemaName = parts.length >= 3 ? parts[parts.length - 3] : undefined;
  let depth = 0;
  for (let s: Scope | undefined = scope; s; s = s.parent, depth++) {
    let matches: Column[];
    if (relName === undefined) {
      matches = unique(s.visible.filter((c) => c.name === name));
    } else {
      const rels = s.findRelation(relName, schemaName);
      if (rels.length === 0) continue;
      matches = unique(rels.flatMap((r) => r.columns.filter((c) => c.name === name)));
      if (matches.length === 0) return { kind: 'no-column', relation: relName };
    }
    if (matches.length > 1) return { kind: 'ambiguous' };
    if (matches.length === 1) {
      const column = matches[0]!;
      markOuter(scope, s, column.id);
      return { kind: 'found', column, depth, scope: s };
    }
  }
  return relName === undefined ? { kind: 'no-column' } : { kind: 'no-relation', relation: relName };
}

function levenshtein(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[b.length]!;
}

/**
 * PostgreSQL's hint for a misspelled column: the closest column names (edit distance at most
 * half the name's length) among the relations in scope (or the one named), as `"rel.col"`; at
 * most two are named.
 */
export function similarColumns(scope: Scope, name: string, relation?: string): string[] {
  let best = Math.floor(name.length / 2) + 1;
  let found: string[] = [];
  for (let s: Scope | undefined = scope; s; s = s.parent) {
    for (const r of s.relations) {
      if (relation !== undefined && r.alias !== relation) continue;
      for (const c of r.columns) {
        const d = levenshtein(name, c.name);
        if (d === 0 || d > best) continue;
        const label = r.alias !== undefined ? `${r.alias}.${c.name}` : c.name;
        if (d < best) {
          best = d;
          found = [label];
        } else if (!found.includes(label)) found.push(label);
      }
    }
  }
  return found.length <= 2 ? found : [];
}
