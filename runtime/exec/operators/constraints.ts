// Enforces a write's CHECK and FOREIGN KEY constraints through the statement's storage transaction.
//
// Checks run on each new row before it is written (NULL passes, as in PostgreSQL). Foreign keys
// are verified once the statement's own writes are done, as PostgreSQL's non-deferred RI triggers
// fire at the end of the statement: rows inserted by the same statement (or earlier in the same
// transaction) count as parents, and a parent whose key reappears is no longer missing.

import type { CheckConstraint, ForeignKeyConstraint, ScanColumn, WriteConstraints } from '../../../compiler/ir/plan.ts';
import type { PhysicalPlan } from '../../../compiler/physical/plan.ts';
import type { TableInfo } from '../../../compiler/catalog/index.ts';
import type { DataType } from '../../../compiler/ir/types.ts';
import type { StoredRow } from '../../storage/api.ts';
import { layoutOf } from '../compile.ts';
import type { RunCtx } from '../context.ts';
import { fail } from '../errors.ts';
import { textOf } from '../text.ts';
import { type Vec, chunkFromRows, nullVec, valueAt, vecFromValues } from '../vector.ts';
import { evaluator } from './operator.ts';
import { conform } from './write.ts';

/** A value as PostgreSQL's error details print it (its output text, `null` for NULL). */
function detailText(v: unknown, t: DataType): string {
  if (t.kind === 'bool' && v !== null && v !== undefined) return v ? 't' : 'f';
  return textOf(v, t) ?? 'null';
}

/** Identity of a key tuple for hashing (values already conformed to one side's column types). */
function tupleKey(values: readonly unknown[]): string {
  let s = '';
  for (const v of values) {
    if (v instanceof Uint8Array) s += Array.from(v, (b) => b.toString(16).padStart(2, '0')).join('');
    else if (typeof v === 'object' && v !== null) s += JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? x.toString() : x));
    else s += String(v);
    s += '\u0000';
  }
  return s;
}

/** Constraint names are unique per table only. */
const fkId = (fk: ForeignKeyConstraint): string => `${fk.child.id}:${fk.name}`;

const hasNull = (values: readonly unknown[]): boolean => values.some((v) => v === null || v === undefined);

/** The key `row` holds at `ordinals`, converted to the types of `as`'s columns at `asOrdinals`. */
const keyOf = (row: readonly unknown[], ordinals: readonly number[], as: TableInfo, asOrdinals: readonly number[]): unknown[] =>
  ordinals.map((o, j) => conform(row[o] ?? null, as.columns[asOrdinals[j]!]!.type));

/** Work left for the end of the statement, in the order the rows were written. */
type Pending =
  | { readonly kind: 'child'; readonly fk: ForeignKeyConstraint; readonly row: readonly unknown[] }
  | { readonly kind: 'parent'; readonly fk: ForeignKeyConstraint; readonly op: 'delete' | 'update'; readonly old: readonly unknown[]; readonly next?: readonly unknown[] };

/** One write statement's constraint enforcement; `finish()` runs the foreign-key work at its end. */
export class ConstraintGuard {
  private readonly pending: Pending[] = [];
  private readonly types: readonly DataType[];
  private readonly layout: ReadonlyMap<number, number>;
  /** Parent keys already found present, per constraint (cleared when a cascade deletes from its parent). */
  private readonly present = new Map<string, Set<string>>();
  /** Referencing rows by key, per constraint without a usable child index (cleared when its child changes). */
  private readonly childMaps = new Map<string, Map<string, StoredRow[]>>();

  constructor(
    private readonly rc: RunCtx,
    private readonly node: PhysicalPlan,
    private readonly table: TableInfo,
    rowColumns: readonly ScanColumn[],
    private readonly c: WriteConstraints,
  ) {
    this.types = table.columns.map((col) => col.type);
    this.layout = layoutOf(table.columns.map((col) => rowColumns.find((r) => r.ordinal === col.ordinal)!));
  }

  /** Whether update/delete events must be recorded (callers then keep the old row values). */
  get tracksKeys(): boolean {
    return this.c.references.length > 0 || (this.c.referencedBy[this.table.id]?.length ?? 0) > 0;
  }

  /**
   * Evaluates every check over `n` new rows given as one vector per table ordinal (undefined = all
   * NULL); returns per row the index of the first failing check, -1 for none, or null if all pass.
   */
  checkBatch(columns: readonly (Vec | undefined)[], n: number): Int32Array | null {
    if (!this.c.checks.length || n === 0) return null;
    const chunk = { columns: this.types.map((t, o) => columns[o] ?? nullVec(t, n)), length: n };
    let out: Int32Array | null = null;
    this.c.checks.forEach((chk, k) => {
      const v = evaluator(this.rc, this.node, chk.expr, this.layout)(chunk, this.rc);
      for (let i = 0; i < n; i++) {
        if (valueAt(v, i) !== false) continue;
        out ??= new Int32Array(n).fill(-1);
        if (out[i] === -1) out[i] = k;
      }
    });
    return out;
  }

  /**
   * Raises PostgreSQL's check violation (23514) for `row` failing check number `k`, or its NOT NULL
   * violation (23502) when the row also has one, since PostgreSQL tests NOT NULL first.
   */
  failCheck(row: readonly unknown[], k: number): never {
    const detail = `Failing row contains (${row.map((v, o) => detailText(v, this.types[o]!)).join(', ')}).`;
    const missing = this.table.columns.find((col) => !col.nullable && (row[col.ordinal] === null || row[col.ordinal] === undefined));
    if (missing) fail('not_null_violation', `null value in column "${missing.name}" of relation "${this.table.name}" violates not-null constraint`, { detail });
    const chk: CheckConstraint = this.c.checks[k]!;
    return fail('check_violation', `new row for relation "${this.table.name}" violates check constraint "${chk.name}"`, { detail });
  }

  /** Checks one new row at once (the row an ON CONFLICT DO UPDATE produces). */
  checkRow(row: readonly unknown[]): void {
    if (!this.c.checks.length) return;
    const chunk = chunkFromRows(this.types, [row]);
    const bad = this.checkBatch(chunk.columns, 1);
    if (bad) this.failCheck(row, bad[0]!);
  }

  /** Vector of one table column for `checkBatch`, rebuilt when the producer's type differs. */
  columnVec(ordinal: number, v: Vec, n: number): Vec {
    const t = this.types[ordinal]!;
    if (v.type.kind === t.kind) return v;
    const values = new Array<unknown>(n);
    for (let i = 0; i < n; i++) values[i] = conform(valueAt(v, i), t);
    return vecFromValues(t, values);
  }

  /** Records a written new row: its foreign keys are checked at the end of the statement. */
  inserted(row: readonly unknown[]): void {
    for (const fk of this.c.references) this.pending.push({ kind: 'child', fk, row: [...row] });
  }

  /** Records a changed row: keys it now references, and rows referencing a key it gave up. */
  updated(old: readonly unknown[], next: readonly unknown[]): void {
    this.changed(this.table, this.c.references, old, next);
  }

  /** Records a deleted row: rows still referencing it are looked for at the end of the statement. */
  deleted(old: readonly unknown[]): void {
    for (const fk of this.c.referencedBy[this.table.id] ?? []) this.pending.push({ kind: 'parent', fk, op: 'delete', old });
  }

  /** Records the foreign-key work of a row of `table` changing from `old` to `next`. */
  private changed(table: TableInfo, references: readonly ForeignKeyConstraint[], old: readonly unknown[], next: readonly unknown[]): void {
    const moved = (ordinals: readonly number[]): boolean => ordinals.some((o) => tupleKey([old[o] ?? null]) !== tupleKey([next[o] ?? null]));
    for (const fk of references) if (moved(fk.childOrdinals)) this.pending.push({ kind: 'child', fk, row: [...next] });
    for (const fk of this.c.referencedBy[table.id] ?? []) if (moved(fk.parentOrdinals)) this.pending.push({ kind: 'parent', fk, op: 'update', old: [...old], next: [...next] });
  }

  /** Runs the foreign-key work of the statement, in order; cascaded writes add their own. */
  finish(): void {
    for (let i = 0; i < this.pending.length; i++) {
      const p = this.pending[i]!;
      if (p.kind === 'child') this.checkParent(p.fk, p.row);
      else this.checkChildren(p);
    }
    this.pending.length = 0;
  }

  /** The parent row holding `key` (in the parent's column types, foreign-key column order), if any. */
  private findParent(fk: ForeignKeyConstraint, key: readonly unknown[]): StoredRow | undefined {
    const idx = fk.parentIndex;
    const ordered = idx.columns.map((name) => key[fk.parentOrdinals.findIndex((o) => fk.parent.columns[o]!.name === name)]);
    if (idx.primary) return this.rc.txn.get(fk.parent, ordered);
    for (const r of this.rc.txn.indexScan(fk.parent, idx.name, ordered)) return r;
    return undefined;
  }

  private checkParent(fk: ForeignKeyConstraint, row: readonly unknown[]): void {
    const key = keyOf(row, fk.childOrdinals, fk.parent, fk.parentOrdinals);
    if (hasNull(key)) return;
    let seen = this.present.get(fkId(fk));
    const k = tupleKey(key);
    if (seen?.has(k)) return;
    const parent = this.findParent(fk, key);
    if (!parent) {
      const cols = fk.childOrdinals.map((o) => fk.child.columns[o]!.name).join(', ');
      const vals = fk.childOrdinals.map((o) => detailText(row[o], fk.child.columns[o]!.type)).join(', ');
      fail('foreign_key_violation', `insert or update on table "${fk.child.name}" violates foreign key constraint "${fk.name}"`, {
        detail: `Key (${cols})=(${vals}) is not present in table "${fk.parent.name}".`,
      });
    }
    // A concurrent transaction must not delete the parent before this one commits.
    this.rc.txn.keyShare(fk.parent, parent.key);
    if (!seen) this.present.set(fkId(fk), (seen = new Set()));
    seen.add(k);
  }

  /** Rows of `fk.child` whose key equals `key` (in the child's column types). */
  private referencing(fk: ForeignKeyConstraint, key: readonly unknown[]): readonly StoredRow[] {
    if (fk.childIndex !== undefined) return [...this.rc.txn.indexScan(fk.child, fk.childIndex, key)];
    let m = this.childMaps.get(fkId(fk));
    if (!m) {
      m = new Map();
      for (const batch of this.rc.txn.scan(fk.child, this.rc.batchSize)) {
        for (const r of batch) {
          const rk = fk.childOrdinals.map((o) => r.values[o] ?? null);
          if (hasNull(rk)) continue;
          const s = tupleKey(rk);
          const list = m.get(s);
          if (list) list.push(r);
          else m.set(s, [r]);
        }
      }
      this.childMaps.set(fkId(fk), m);
    }
    return m.get(tupleKey(key)) ?? [];
  }

  /** A write to `table` by a cascading action makes cached lookups over it stale. */
  private touched(table: TableInfo): void {
    for (const fks of [this.c.references, ...Object.values(this.c.referencedBy)]) {
      for (const fk of fks) {
        if (fk.child.id === table.id) this.childMaps.delete(fkId(fk));
        if (fk.parent.id === table.id) this.present.delete(fkId(fk));
      }
    }
  }

  private checkChildren(p: Extract<Pending, { kind: 'parent' }>): void {
    const { fk, op, old } = p;
    const parentKey = fk.parentOrdinals.map((o) => old[o] ?? null);
    if (hasNull(parentKey)) return;
    const action = op === 'delete' ? fk.onDelete : fk.onUpdate;
    // NO ACTION looks at the end state: another row may now hold the same key.
    if (action === 'no action' && this.findParent(fk, keyOf(old, fk.parentOrdinals, fk.parent, fk.parentOrdinals))) return;
    const childKey = keyOf(old, fk.parentOrdinals, fk.child, fk.childOrdinals);
    const rows = this.referencing(fk, childKey);
    if (!rows.length) return;
    if (action === 'no action' || action === 'restrict' || action === 'set default') {
      const cols = fk.parentOrdinals.map((o) => fk.parent.columns[o]!.name).join(', ');
      const vals = fk.parentOrdinals.map((o) => detailText(old[o], fk.parent.columns[o]!.type)).join(', ');
      fail('foreign_key_violation', `update or delete on table "${fk.parent.name}" violates foreign key constraint "${fk.name}" on table "${fk.child.name}"`, {
        detail: `Key (${cols})=(${vals}) is still referenced from table "${fk.child.name}".`,
      });
    }
    const txn = this.rc.txn;
    const childRefs = this.c.referencedBy[fk.child.id] ?? [];
    for (const r of rows) {
      if (action === 'cascade' && op === 'delete') {
        txn.delete(fk.child, r.key);
        for (const f of childRefs) this.pending.push({ kind: 'parent', fk: f, op: 'delete', old: r.values });
      } else {
        const next = [...r.values];
        fk.childOrdinals.forEach((o, j) => {
          next[o] = action === 'set null' ? null : conform(p.next![fk.parentOrdinals[j]!] ?? null, fk.child.columns[o]!.type);
        });
        txn.update(fk.child, r.key, next);
        this.changed(fk.child, [], r.values, next);
      }
      this.touched(fk.child);
    }
  }
}
