// Per-statement binding state: diagnostics, id minting, parameter types, the catalog and source text.

import { diagnostic, ERRORS, type Diagnostic, type ErrorCode, type Span } from '../diagnostics/index.ts';
import type { Catalog } from '../catalog/index.ts';
import type { Column, Expr } from '../ir/expr.ts';
import { T, type DataType } from '../ir/types.ts';

/**
 * One BindContext serves one statement. Column, subquery and CTE ids are minted here so they are
 * unique across the whole statement, including view bodies and CTE copies bound on the side.
 */
export class BindContext {
  readonly diagnostics: Diagnostic[] = [];
  /** Source span of column references as written, so later checks (GROUP BY) can point at them. */
  readonly spans = new WeakMap<Expr, Span>();
  private muted = 0;
  private suppressed = 0;
  private firstSuppressed: string | undefined;
  private nextColumn = 1;
  private nextSubquery = 1;
  private nextCte = 1;
  private readonly params: (DataType | undefined)[];

  constructor(
    readonly catalog: Catalog,
    readonly source: string,
    paramTypes: readonly DataType[] = [],
  ) {
    // A declared `unknown` (PostgreSQL's type OID 0) leaves the parameter to inference.
    this.params = paramTypes.map((t) => (t.kind === 'unknown' ? undefined : t));
  }

  /** Reports a user error unless diagnostics are muted (re-binding a copy already checked once). */
  error(code: ErrorCode, arg: string, span: Span, extra: { detail?: string; hint?: string } = {}): void {
    if (this.muted > 0) {
      this.suppressed++;
      this.firstSuppressed ??= ERRORS[code].message(arg);
    } else this.diagnostics.push(diagnostic(code, arg, span, extra));
  }

  /** Runs `f` with diagnostics suppressed; returns its result, whether it would have reported any, and the first message. */
  quietly<R>(f: () => R): { result: R; failed: boolean; firstError?: string } {
    const before = this.suppressed;
    const outerFirst = this.firstSuppressed;
    this.firstSuppressed = undefined;
    this.muted++;
    try {
      const result = f();
      const failed = this.suppressed > before;
      return { result, failed, ...(failed && this.firstSuppressed !== undefined ? { firstError: this.firstSuppressed } : {}) };
    } finally {
      this.muted--;
      this.firstSuppressed = outerFirst;
    }
  }

  get hasErrors(): boolean {
    return this.diagnostics.some((d) => d.severity === 'error');
  }

  column(name: string, type: DataType, nullable: boolean, relation?: string): Column {
    return { id: this.nextColumn++, name, type, nullable, ...(relation !== undefined ? { relation } : {}) };
  }

  subqueryId(): number {
    return this.nextSubquery++;
  }

  cteId(): number {
    return this.nextCte++;
  }

  /** The type fixed for `$index` so far (from options or from an earlier use), if any. */
  paramType(index: number): DataType | undefined {
    return this.params[index - 1];
  }

  /** Records the type context gave `$index`; the first type fixed (declared by the caller or inferred) stays. */
  fixParam(index: number, type: DataType): void {
    this.touchParam(index);
    if (!this.params[index - 1]) this.params[index - 1] = type;
  }

  /** Parameter types for the bound statement: unresolved ones default to text, as PostgreSQL does. */
  paramTypes(): DataType[] {
    return Array.from({ length: this.params.length }, (_, i) => this.params[i] ?? T.text);
  }

  /** Makes sure `$index` is counted even if it never got a type. */
  touchParam(index: number): void {
    while (this.params.length < index) this.params.push(undefined);
  }
}
