// Rule reorder-joins: picks the order of each cluster of inner joins by dynamic programming over connected subsets (≤ 10 relations), greedily beyond; never a cross product where a predicate connects the sides.

import { filter, join, project } from '../ir/build.ts';
import { call, colRef, exprColumns, type ColumnId, type ColumnRef, type Expr } from '../ir/expr.ts';
import { T } from '../ir/types.ts';
import { children, type LogicalPlan } from '../ir/plan.ts';
import type { OptimizeContext, Rule } from './rule.ts';
import { conjoin, conjuncts, replaceChildren } from './util.ts';

/** Largest cluster ordered exhaustively; DP over connected pairs costs up to 3^n split checks. */
export const DP_LIMIT = 10;

interface Pred {
  readonly expr: Expr;
  /** Bit set of the leaves whose columns the predicate reads. */
  readonly rels: number;
  readonly sel: number;
}

interface Entry {
  readonly cost: number;
  readonly left?: number;
  readonly right?: number;
}

const popcount = (x: number): number => {
  let n = 0;
  for (let v = x; v; v &= v - 1) n++;
  return n;
};

/** Flattens a tree of inner/cross joins into its inputs and predicates. */
function collect(p: LogicalPlan, leaves: LogicalPlan[], preds: Expr[]): void {
  if (p.kind === 'join' && (p.joinType === 'inner' || p.joinType === 'cross')) {
    collect(p.left, leaves, preds);
    collect(p.right, leaves, preds);
    preds.push(...conjuncts(p.condition));
    return;
  }
  leaves.push(p);
}

/** Columns made equal by `a = b` join predicates, transitively (a = b, b = c gives a = c). */
interface EquivalenceClass {
  readonly members: readonly { readonly ref: ColumnRef; readonly leaf: number }[];
  /** Bit set of the leaves with a member. */
  readonly leaves: number;
}

/** Groups `col = col` predicates between different leaves into equivalence classes; returns the other predicates. */
function equivalenceClasses(exprs: readonly Expr[], owner: ReadonlyMap<ColumnId, number>): { classes: EquivalenceClass[]; originals: Expr[]; rest: Expr[] } {
  const parent = new Map<ColumnId, ColumnId>();
  const refs = new Map<ColumnId, ColumnRef>();
  const find = (x: ColumnId): ColumnId => {
    let r = x;
    while (parent.get(r) !== r) r = parent.get(r)!;
    parent.set(x, r);
    return r;
  };
  const originals: Expr[] = [];
  const rest: Expr[] = [];
  for (const e of exprs) {
    const [a, b] = e.kind === 'call' && e.fn === '=' ? e.args : [];
    if (a?.kind === 'column' && b?.kind === 'column' && owner.has(a.id) && owner.has(b.id) && owner.get(a.id) !== owner.get(b.id)) {
      for (const r of [a, b]) {
        if (!parent.has(r.id)) parent.set(r.id, r.id);
        refs.set(r.id, r);
      }
      parent.set(find(a.id), find(b.id));
      originals.push(e);
    } else rest.push(e);
  }
  const byRoot = new Map<ColumnId, { ref: ColumnRef; leaf: number }[]>();
  for (const [id, ref] of refs) {
    const root = find(id);
    const list = byRoot.get(root) ?? [];
    list.push({ ref, leaf: owner.get(id)! });
    byRoot.set(root, list);
  }
  const classes = [...byRoot.values()].map((members) => ({ members, leaves: members.reduce((m, x) => m | (1 << x.leaf), 0) }));
  return { classes, originals, rest };
}

/** Orders one cluster; `leaves` are already reordered inside. */
function orderCluster(root: LogicalPlan, leaves: readonly LogicalPlan[], exprs: readonly Expr[], ctx: OptimizeContext): LogicalPlan {
  const n = leaves.length;
  const { cost } = ctx;
  const rows = leaves.map((l) => cost.rows(l));
  const owner = new Map<ColumnId, number>();
  leaves.forEach((l, i) => {
    for (const c of l.schema) owner.set(c.id, i);
  });
  const { classes, originals, rest: others } = equivalenceClasses(exprs, owner);
  const preds: Pred[] = others.map((expr) => {
    let rels = 0;
    for (const c of exprColumns(expr)) {
      const o = owner.get(c);
      if (o !== undefined) rels |= 1 << o;
    }
    const width = popcount(rels);
    const sel = width >= 2 ? cost.selectivity(expr, undefined, rows.reduce((a, b) => a * b, 1)) : 1;
    return { expr, rels, sel };
  });
  const edges = preds.filter((p) => popcount(p.rels) >= 2);
  // Per class and leaf: the largest distinct count among the leaf's members (capped by its rows), 0 when none.
  const classNdv = classes.map((c) => {
    const byLeaf = new Float64Array(n);
    for (const x of c.members) byLeaf[x.leaf] = Math.max(byLeaf[x.leaf]!, cost.ndv(x.ref, rows[x.leaf]!));
    return byLeaf;
  });
  // Key joins on several columns: each pair of leaves sharing classes that cover a unique key of one side.
  const corrections: { mask: number; factor: number }[] = [];
  for (let a = 0; a < n; a++) {
    for (let b = a + 1; b < n; b++) {
      const shared = classes.filter((c) => c.leaves & (1 << a) && c.leaves & (1 << b));
      if (shared.length < 2) continue;
      const aKeys = shared.map((c) => c.members.find((x) => x.leaf === a)!.ref);
      const bKeys = shared.map((c) => c.members.find((x) => x.leaf === b)!.ref);
      const keyed = cost.uniqueKeySelectivity(aKeys, bKeys);
      if (keyed !== undefined) corrections.push({ mask: (1 << a) | (1 << b), factor: keyed / cost.equiSelectivity(aKeys, bKeys, rows[a]!, rows[b]!) });
    }
  }
  const classMasks = classes.map((c) => c.leaves);
  const edgeMasks = edges.map((e) => e.rels);
  const cardMemo = new Map<number, number>();
  const ndvs: number[] = [];
  const card = (mask: number): number => {
    let c = cardMemo.get(mask);
    if (c !== undefined) return c;
    c = 1;
    for (let i = 0; i < n; i++) if (mask & (1 << i)) c *= rows[i]!;
    // k leaves of one class: divide by the k-1 largest distinct counts (the smallest domain survives).
    for (let k = 0; k < classes.length; k++) {
      if (popcount(classMasks[k]! & mask) < 2) continue;
      ndvs.length = 0;
      const byLeaf = classNdv[k]!;
      for (let i = 0; i < n; i++) if (mask & (1 << i) && byLeaf[i]! > 0) ndvs.push(byLeaf[i]!);
      ndvs.sort((x, y) => y - x);
      for (let i = 0; i < ndvs.length - 1; i++) c /= ndvs[i]!;
    }
    for (const e of edges) if ((e.rels & mask) === e.rels) c *= e.sel;
    for (const k of corrections) if ((k.mask & mask) === k.mask) c *= k.factor;
    c = Math.max(1, c);
    cardMemo.set(mask, c);
    return c;
  };
  const connected = (a: number, b: number): boolean => {
    for (const m of classMasks) if ((m & a) !== 0 && (m & b) !== 0) return true;
    const ab = a | b;
    for (const m of edgeMasks) if ((m & ab) === m && (m & a) !== 0 && (m & b) !== 0) return true;
    return false;
  };
  // Cost of a join: its output plus the hash table built on the smaller input (C_out with a build term).
  const joinCost = (a: number, b: number, ca: number, cb: number): number => ca + cb + card(a | b) + 0.5 * Math.min(card(a), card(b));

  const best = new Map<number, Entry>();
  for (let i = 0; i < n; i++) best.set(1 << i, { cost: 0 });
  const full = (1 << n) - 1;
  if (n <= DP_LIMIT) {
    // Typed arrays indexed by subset: this loop runs up to 3^n times.
    const cards = new Float64Array(full + 1);
    const costs = new Float64Array(full + 1).fill(-1);
    for (let mask = 1; mask <= full; mask++) cards[mask] = card(mask);
    for (let i = 0; i < n; i++) costs[1 << i] = 0;
    for (let mask = 1; mask <= full; mask++) {
      if ((mask & (mask - 1)) === 0) continue;
      let bestCost = Infinity;
      let bestSub = 0;
      for (let sub = (mask - 1) & mask; sub > 0; sub = (sub - 1) & mask) {
        const other = mask ^ sub;
        if (sub < other) continue;
        const cl = costs[sub]!;
        const cr = costs[other]!;
        if (cl < 0 || cr < 0 || !connected(sub, other)) continue;
        const c = cl + cr + cards[mask]! + 0.5 * Math.min(cards[sub]!, cards[other]!);
        if (c < bestCost) {
          bestCost = c;
          bestSub = sub;
        }
      }
      if (bestSub) {
        costs[mask] = bestCost;
        best.set(mask, { cost: bestCost, left: bestSub, right: mask ^ bestSub });
      }
    }
  }
  // Components: what DP connected, or (greedy) merge the connected pair with the smallest result first.
  let parts: number[] = [];
  if (n <= DP_LIMIT && best.has(full)) parts = [full];
  else {
    parts = n <= DP_LIMIT ? maximalComponents(full, best) : leaves.map((_, i) => 1 << i);
    for (;;) {
      let pick: [number, number] | undefined;
      let pickCard = Infinity;
      for (let i = 0; i < parts.length; i++) {
        for (let j = i + 1; j < parts.length; j++) {
          if (!connected(parts[i]!, parts[j]!)) continue;
          const c = card(parts[i]! | parts[j]!);
          if (c < pickCard) {
            pickCard = c;
            pick = [i, j];
          }
        }
      }
      if (!pick) break;
      const [a, b] = [parts[pick[0]]!, parts[pick[1]]!];
      best.set(a | b, { cost: joinCost(a, b, best.get(a)!.cost, best.get(b)!.cost), left: a, right: b });
      parts = [...parts.filter((_, k) => k !== pick![0] && k !== pick![1]), a | b];
    }
  }

  /** How many classes two leaves share: key pairs are taken from the most closely linked leaves. */
  const affinity = (a: number, b: number): number => classes.reduce((k, c) => k + (c.leaves & (1 << a) && c.leaves & (1 << b) ? 1 : 0), 0);
  /**
   * One equality per class joining the two sides. Members are paired from the leaves sharing the
   * most classes, so a multi-column key join keeps its keys on one table (estimates and index use
   * see the key); among equal choices a predicate the query wrote wins.
   */
  const classConditions = (l: number, r: number): Expr[] => {
    const out: Expr[] = [];
    for (const c of classes) {
      if (!(c.leaves & l) || !(c.leaves & r)) continue;
      let pick: Expr | undefined;
      let score = -1;
      for (const x of c.members) {
        if (!(l & (1 << x.leaf))) continue;
        for (const y of c.members) {
          if (!(r & (1 << y.leaf))) continue;
          const written = originals.find((e) => {
            const [a, b] = (e as Extract<Expr, { kind: 'call' }>).args as [ColumnRef, ColumnRef];
            return (a.id === x.ref.id && b.id === y.ref.id) || (a.id === y.ref.id && b.id === x.ref.id);
          });
          const sc = affinity(x.leaf, y.leaf) * 2 + (written ? 1 : 0);
          if (sc > score) {
            score = sc;
            pick = written ?? call('=', [x.ref, y.ref], T.bool);
          }
        }
      }
      out.push(pick!);
    }
    return out;
  };
  /** Members of one class on the same leaf are equal too (a.x = b.y AND a.z = b.y gives a.x = a.z). */
  const leafConditions = (leaf: number): Expr[] => {
    const out: Expr[] = [];
    for (const c of classes) {
      const mine = c.members.filter((m) => m.leaf === leaf);
      for (let i = 1; i < mine.length; i++) out.push(call('=', [mine[0]!.ref, mine[i]!.ref], T.bool));
    }
    return out;
  };

  const placed = new Set<Pred>();
  const build = (mask: number): LogicalPlan => {
    const e = best.get(mask)!;
    if (e.left === undefined || e.right === undefined) {
      const leaf = 31 - Math.clz32(mask);
      const mine = [...leafConditions(leaf), ...preds.filter((p) => !placed.has(p) && p.rels === mask).map((p) => p.expr)];
      preds.forEach((p) => p.rels === mask && placed.add(p));
      return mine.length ? filter(leaves[leaf]!, conjoin(mine)!) : leaves[leaf]!;
    }
    // The larger input probes, the smaller one is built into the hash table (the right side).
    const [big, small] = card(e.left) >= card(e.right) ? [e.left, e.right] : [e.right, e.left];
    const l = build(big);
    const r = build(small);
    const here = preds.filter((p) => !placed.has(p) && p.rels !== 0 && (p.rels & mask) === p.rels);
    here.forEach((p) => placed.add(p));
    const cond = [...classConditions(big, small), ...here.map((p) => p.expr)];
    return join(cond.length ? 'inner' : 'cross', l, r, conjoin(cond));
  };
  // Cross products only between unconnected components, smallest first.
  parts.sort((a, b) => card(a) - card(b));
  let plan = build(parts[parts.length - 1]!);
  for (let i = parts.length - 2; i >= 0; i--) plan = join('cross', plan, build(parts[i]!));
  const rest = preds.filter((p) => !placed.has(p)).map((p) => p.expr);
  if (rest.length) plan = plan.kind === 'join' ? join(plan.joinType === 'cross' ? 'inner' : plan.joinType, plan.left, plan.right, conjoin([...conjuncts(plan.condition), ...rest])) : filter(plan, conjoin(rest)!);
  const same = plan.schema.length === root.schema.length && plan.schema.every((c, i) => c.id === root.schema[i]!.id);
  return same ? plan : project(plan, root.schema.map((c) => ({ column: c, expr: colRef(c) })));
}

/** Maximal connected sets the DP found, largest first, covering every leaf. */
function maximalComponents(full: number, best: ReadonlyMap<number, Entry>): number[] {
  const masks = [...best.keys()].sort((a, b) => popcount(b) - popcount(a));
  const out: number[] = [];
  let covered = 0;
  for (const m of masks) {
    if ((m & covered) !== 0) continue;
    out.push(m);
    covered |= m;
    if (covered === full) break;
  }
  return out;
}

function reorder(p: LogicalPlan, ctx: OptimizeContext): LogicalPlan {
  if (p.kind === 'join' && (p.joinType === 'inner' || p.joinType === 'cross')) {
    const leaves: LogicalPlan[] = [];
    const preds: Expr[] = [];
    collect(p, leaves, preds);
    const done = leaves.map((l) => reorder(l, ctx));
    if (done.length < 3 || done.length > 30) {
      return done.every((l, i) => l === leaves[i]) ? p : rebuildInOrder(p, new Map(leaves.map((l, i) => [l, done[i]!])));
    }
    return orderCluster(p, done, preds, ctx);
  }
  const kids = children(p);
  return kids.length ? replaceChildren(p, kids.map((k) => reorder(k, ctx))) : p;
}

/** Same join shape with reordered leaves substituted. */
function rebuildInOrder(p: LogicalPlan, leaves: ReadonlyMap<LogicalPlan, LogicalPlan>): LogicalPlan {
  const direct = leaves.get(p);
  if (direct) return direct;
  if (p.kind === 'join') return join(p.joinType, rebuildInOrder(p.left, leaves), rebuildInOrder(p.right, leaves), p.condition);
  return p;
}

/** Rule reorder-joins. */
export const reorderJoins: Rule = {
  name: 'reorder-joins',
  apply: (plan, ctx) => {
    const out = reorder(plan, ctx);
    return out === plan ? undefined : out;
  },
};
