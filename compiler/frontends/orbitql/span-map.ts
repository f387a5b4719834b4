// Offsets of a rewritten text mapped back to the text it was rewritten from.

import type { Span } from '../../diagnostics/index.ts';

/** One piece of the rewritten text: copied from the original (`copied`) or replacing a range of it. */
interface Piece {
  readonly to: number;
  readonly toEnd: number;
  readonly from: number;
  readonly fromEnd: number;
  readonly copied: boolean;
}

/** Maps a span of a rewritten text back onto the text it came from. */
export interface SpanMapping {
  span(s: Span): Span;
}

/**
 * Built while the rewritten text is assembled, piece by piece. A position inside a copied piece maps
 * one to one; one inside a replacement maps to the whole range it replaced, so an error in generated
 * text points at the OrbitQL form it came from.
 */
export class SpanMap implements SpanMapping {
  private readonly pieces: Piece[] = [];
  private length = 0;

  /** Appends a piece of `n` characters standing for `[from, fromEnd)` of the original. */
  add(n: number, from: number, fromEnd: number, copied: boolean): void {
    this.pieces.push({ to: this.length, toEnd: this.length + n, from, fromEnd, copied });
    this.length += n;
  }

  /** The original offset of rewritten offset `pos`; `end` picks the end of a replaced range. */
  position(pos: number, end = false): number {
    for (const p of this.pieces) {
      if (pos < p.to || pos > p.toEnd) continue;
      if (pos === p.toEnd && !end && p.toEnd > p.to) continue;
      if (p.copied) return p.from + (pos - p.to);
      return end ? p.fromEnd : p.from;
    }
    const last = this.pieces[this.pieces.length - 1];
    return last ? last.fromEnd : 0;
  }

  /** A rewritten span as an original span. */
  span(s: Span): Span {
    const start = this.position(s.start);
    return { start, end: Math.max(start, this.position(s.end, true)) };
  }
}
