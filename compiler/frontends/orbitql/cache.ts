// Reuse across analyses of an edited document: each statement's match, SQL parse and binding, keyed by text.

/**
 * Results of pure per-statement steps, keyed by the text they depend on. An analysis looks each
 * statement up; `sweep` then drops what the last analysis did not use, so the cache holds one
 * document's statements and an edit recomputes only the statements it touched.
 */
export class StatementCache {
  private used = new Map<string, unknown>();
  private last = new Map<string, unknown>();

  /** The value for `key`, computed by `make` on a miss. */
  get<T>(key: string, make: () => T): T {
    if (this.used.has(key)) return this.used.get(key) as T;
    const value = this.last.has(key) ? (this.last.get(key) as T) : make();
    this.used.set(key, value);
    return value;
  }

  /** Ends one analysis: entries it did not use are dropped. */
  sweep(): void {
    this.last = this.used;
    this.used = new Map();
  }

  /** Forgets everything (the catalog changed, so bindings are stale). */
  clear(): void {
    this.used = new Map();
    this.last = new Map();
  }
}
