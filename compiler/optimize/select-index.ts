// Rule select-index: a filter whose equalities (and one range) cover an index prefix turns its scan into an index access; the primary key wins ties.

import { filter, scan } from '../ir/build.ts';
import { exprColumns, type ColumnId, type Expr } from '../ir/expr.ts';
import type { LogicalPlan, Scan, ScanAccess } from '../ir/plan.ts';
import type { IndexInfo } from '../catalog/index.ts';
import { rewriteTopDown, type OptimizeContext, type Rule } from './rule.ts';
import { conjoin, conjuncts, intersects } from './util.ts';

/** Non-unique index access pays a random read per row; beyond this share of the table a full scan is cheaper. */
export const INDEX_MAX_SELECTIVITY = 0.1;

const FLIP: Record<string, string> = { '<': '>', '<=': '>=', '>': '<', '>=': '<=' };

interface Match {
  readonly index: IndexInfo;
  readonly access: Extract<ScanAccess, { kind: 'index' }>;
  readonly used: ReadonlySet<Expr>;
  readonly score: number;
}

/** `col op value` with the column on either side; `value` must not read this scan. */
function comparison(e: Expr, scanIds: ReadonlySet<ColumnId>): { col: ColumnId; op: string; value: Expr } | undefined {
  if (e.kind !== 'call' || e.args.length !== 2 || !['=', '<', '<=', '>', '>='].includes(e.fn)) return undefined;
  const [a, b] = e.args as [Expr, Expr];
  const usable = (v: Expr): boolean => v.kind !== 'subquery' && !intersects(exprColumns(v), scanIds) && v.kind !== 'call';
  if (a.kind === 'column' && scanIds.has(a.id) && usable(b)) return { col: a.id, op: e.fn, value: b };
  if (b.kind === 'column' && scanIds.has(b.id) && usable(a)) return { col: b.id, op: FLIP[e.fn] ?? e.fn, value: a };
  return undefined;
}

function matchIndex(s: Scan, index: IndexInfo, preds: readonly Expr[]): Match | undefined {
  const scanIds = new Set(s.columns.map((c) => c.id));
  const idOf = (name: string): ColumnId | undefined => s.columns.find((c) => (s.table.columns[c.ordinal]?.name ?? c.name) === name)?.id;
  const parsed = preds.map((e) => ({ e, c: comparison(e, scanIds) }));
  const eq: Expr[] = [];
  const used = new Set<Expr>();
  let k = 0;
  for (; k < index.columns.length; k++) {
    const id = idOf(index.columns[k]!);
    const hit = parsed.find((x) => x.c && x.c.col === id && x.c.op === '=');
    if (!hit) break;
    eq.push(hit.c!.value);
    used.add(hit.e);
  }
  let range: Extract<ScanAccess, { kind: 'index' }>['range'];
  if (k < index.columns.length) {
    const id = idOf(index.columns[k]!);
    const low = parsed.find((x) => x.c && x.c.col === id && (x.c.op === '>' || x.c.op === '>='));
    const high = parsed.find((x) => x.c && x.c.col === id && (x.c.op === '<' || x.c.op === '<='));
    if (low || high) {
      range = {
        ...(low ? { low: { expr: low.c!.value, inclusive: low.c!.op === '>=' } } : {}),
        ...(high ? { high: { expr: high.c!.value, inclusive: high.c!.op === '<=' } } : {}),
      };
      if (low) used.add(low.e);
      if (high) used.add(high.e);
    }
  }
  if (eq.length === 0 && !range) return undefined;
  const unique = index.unique && eq.length === index.columns.length;
  const score = (unique ? 1000 : 0) + eq.length * 10 + (range ? 5 : 0) + (index.primary ? 1 : 0);
  return { index, access: { kind: 'index', index, eq, ...(range ? { range } : {}) }, used, score };
}

function selectNode(p: LogicalPlan, ctx: OptimizeContext): LogicalPlan | undefined {
  if (p.kind !== 'filter' || p.input.kind !== 'scan' || p.input.access.kind !== 'full') return undefined;
  const s = p.input;
  const preds = conjuncts(p.predicate);
  const indexes = [...s.table.indexes].sort((a, b) => Number(b.primary) - Number(a.primary));
  let best: Match | undefined;
  for (const index of indexes) {
    const m = matchIndex(s, index, preds);
    if (m && (!best || m.score > best.score)) best = m;
  }
  if (!best) return undefined;
  const unique = best.index.unique && best.access.eq.length === best.index.columns.length;
  if (!unique) {
    const matched = conjoin([...best.used]);
    if (matched && ctx.cost.selectivity(matched, s) > INDEX_MAX_SELECTIVITY) return undefined;
  }
  const next = scan(s.table, s.alias, s.columns, best.access);
  const rest = preds.filter((e) => !best!.used.has(e));
  return rest.length ? filter(next, conjoin(rest)!) : next;
}

/** Rule select-index. */
export const selectIndex: Rule = {
  name: 'select-index',
  apply: (plan, ctx) => rewriteTopDown(plan, (p) => selectNode(p, ctx)),
};
