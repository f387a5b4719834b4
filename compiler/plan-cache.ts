// The plan cache: (language, normalized statement text) → prepared physical plan with parameter slots, LRU-bounded, invalidated by catalog version.

import type { Catalog } from './catalog/index.ts';
import type { Diagnostic } from './diagnostics/index.ts';
import { scanToken, skipTrivia } from './frontends/sql/split.ts';
import type { Schema } from './ir/expr.ts';
import type { DataType } from './ir/types.ts';
import type { PhysicalQuery } from './physical/plan.ts';
import { compileSql } from './pipeline.ts';

/** A statement ready to execute: its plan, the types of `$1…$n`, and its result columns. */
export interface PreparedEntry {
  readonly query: PhysicalQuery;
  readonly paramTypes: readonly DataType[];
  readonly schema: Schema;
  /** The catalog version the plan was made against; any DDL since makes it stale. */
  readonly catalogVersion: number;
}

/**
 * Canonical text of a SQL statement for cache keys: comments dropped, whitespace collapsed to one
 * space between tokens, unquoted words lower-cased (PostgreSQL folds keywords and identifiers
 * alike), a trailing `;` dropped. Literals, quoted identifiers and parameters are kept as written,
 * so statements differing only in a constant get different entries.
 */
export function normalizeSql(text: string): string {
  const parts: string[] = [];
  let pos = 0;
  const n = text.length;
  while (pos < n) {
    const next = skipTrivia(text, pos);
    if (next < 0) {
      parts.push(text.slice(-1 - next));
      break;
    }
    if (next >= n) break;
    const tok = scanToken(text, next);
    const raw = text.slice(tok.start, tok.end);
    parts.push(tok.kind === 'word' ? raw.toLowerCase() : raw);
    pos = tok.end;
  }
  while (parts.length && parts[parts.length - 1] === ';') parts.pop();
  return parts.join(' ');
}

export interface PlanCacheStats {
  hits: number;
  misses: number;
  evictions: number;
  invalidations: number;
}

/** Least-recently-used cache of prepared statements. Not thread-shared: one per engine or session. */
export class PlanCache {
  private readonly entries = new Map<string, PreparedEntry>();
  readonly stats: PlanCacheStats = { hits: 0, misses: 0, evictions: 0, invalidations: 0 };

  constructor(readonly capacity = 1024) {}

  get size(): number {
    return this.entries.size;
  }

  /** The cache key of a statement: language, caller-fixed parameter types, normalized text. */
  static key(language: string, text: string, paramTypes: readonly DataType[] = []): string {
    const types = paramTypes.length ? paramTypes.map((t) => t.kind).join(',') : '';
    return `${language}\u0000${types}\u0000${normalizeSql(text)}`;
  }

  /** A fresh entry for the statement, or undefined (stale entries for an older catalog are dropped). */
  get(language: string, text: string, catalog: Catalog, paramTypes: readonly DataType[] = []): PreparedEntry | undefined {
    return this.getByKey(PlanCache.key(language, text, paramTypes), catalog);
  }

  getByKey(key: string, catalog: Catalog): PreparedEntry | undefined {
    const e = this.entries.get(key);
    if (!e) {
      this.stats.misses++;
      return undefined;
    }
    this.entries.delete(key);
    if (e.catalogVersion !== catalog.version) {
      this.stats.invalidations++;
      this.stats.misses++;
      return undefined;
    }
    // Re-inserting moves the key to the most-recently-used end of the Map's order.
    this.entries.set(key, e);
    this.stats.hits++;
    return e;
  }

  set(language: string, text: string, entry: PreparedEntry, paramTypes: readonly DataType[] = []): void {
    this.setByKey(PlanCache.key(language, text, paramTypes), entry);
  }

  setByKey(key: string, entry: PreparedEntry): void {
    this.entries.delete(key);
    this.entries.set(key, entry);
    while (this.entries.size > this.capacity) {
      const oldest = this.entries.keys().next().value as string;
      this.entries.delete(oldest);
      this.stats.evictions++;
    }
  }

  clear(): void {
    this.entries.clear();
  }

  /**
   * Prepares one SQL statement through the cache: a hit skips parsing, binding and optimizing.
   * On a miss the statement is compiled; only plain queries without diagnostics are cached.
   */
  prepareSql(text: string, catalog: Catalog, paramTypes: readonly DataType[] = []): { entry?: PreparedEntry; diagnostics: readonly Diagnostic[] } {
    const key = PlanCache.key('sql', text, paramTypes);
    const hit = this.getByKey(key, catalog);
    if (hit) return { entry: hit, diagnostics: [] };
    const compiled = compileSql(text, catalog, paramTypes.length ? { paramTypes } : {});
    const diagnostics = compiled.flatMap((c) => c.diagnostics);
    const only = compiled.length === 1 ? compiled[0]! : undefined;
    if (!only || !only.physical || only.bound?.kind !== 'query' || diagnostics.some((d) => d.severity === 'error')) return { diagnostics };
    const entry: PreparedEntry = { query: only.physical, paramTypes: only.bound.params, schema: only.physical.plan.schema, catalogVersion: catalog.version };
    this.setByKey(key, entry);
    return { entry, diagnostics };
  }
}
