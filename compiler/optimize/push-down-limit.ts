// Rule push-down-limit: moves LIMIT below projections, merges stacked limits, and copies a bound into UNION ALL inputs and the outer side of left joins; a Sort under it becomes a top-N in the physical plan.

import { limit } from '../ir/build.ts';
import { literal, type Expr } from '../ir/expr.ts';
import type { Limit, LogicalPlan } from '../ir/plan.ts';
import { T } from '../ir/types.ts';
import { rewriteTopDown, type Rule } from './rule.ts';
import { replaceChildren } from './util.ts';

const count = (e: Expr | undefined): bigint | undefined => {
  if (!e || e.kind !== 'literal') return undefined;
  if (typeof e.value === 'bigint') return e.value;
  if (typeof e.value === 'number' && Number.isInteger(e.value)) return BigInt(e.value);
  return undefined;
};

/** The rows an input must deliver for `l` to be satisfied (limit + offset), when both are constants. */
function bound(l: Limit): bigint | undefined {
  const n = count(l.limit);
  if (n === undefined) return undefined;
  const off = l.offset ? count(l.offset) : 0n;
  return off === undefined ? undefined : n + off;
}

/** Caps `p` at `n` rows unless it is already capped at most that. */
function capped(p: LogicalPlan, n: bigint): LogicalPlan {
  if (p.kind === 'limit' && !p.offset) {
    const m = count(p.limit);
    if (m !== undefined && m <= n) return p;
  }
  return limit(p, literal(n, T.int64));
}

function pushNode(p: LogicalPlan): LogicalPlan | undefined {
  if (p.kind !== 'limit') return undefined;
  const input = p.input;
  switch (input.kind) {
    case 'project':
      return replaceChildren(input, [limit(input.input, p.limit, p.offset)]);
    case 'limit': {
      const inner = bound(input);
      const outerN = count(p.limit);
      const outerOff = p.offset ? count(p.offset) : 0n;
      const innerN = count(input.limit);
      const innerOff = input.offset ? count(input.offset) : 0n;
      if (inner === undefined || outerN === undefined || outerOff === undefined || innerN === undefined || innerOff === undefined) return undefined;
      // Skipping outerOff of the inner's rows, then taking outerN of what remains of innerN.
      const rest = innerN - outerOff;
      const n = rest < 0n ? 0n : rest < outerN ? rest : outerN;
      const off = innerOff + outerOff;
      return limit(input.input, literal(n, T.int64), off > 0n ? literal(off, T.int64) : undefined);
    }
    case 'set-op': {
      const n = bound(p);
      if (n === undefined || input.op !== 'union' || !input.all) return undefined;
      const left = capped(input.left, n);
      const right = capped(input.right, n);
      if (left === input.left && right === input.right) return undefined;
      return replaceChildren(p, [replaceChildren(input, [left, right])]);
    }
    case 'join': {
      const n = bound(p);
      if (n === undefined || input.joinType !== 'left' || input.left.kind === 'limit') return undefined;
      // Every left row yields at least one output row, so at most n left rows are needed.
      return replaceChildren(p, [replaceChildren(input, [capped(input.left, n), input.right])]);
    }
    default:
      return undefined;
  }
}

/** Rule push-down-limit. */
export const pushDownLimit: Rule = {
  name: 'push-down-limit',
  apply: (plan) => rewriteTopDown(plan, pushNode),
};
