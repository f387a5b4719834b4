// Redis's glob-style patterns (KEYS, SCAN MATCH, PSUBSCRIBE): `*`, `?`, `[abc]`, `[^a-z]`, `\x`, byte-wise.

/** Whether `s` matches the glob `p` (both latin1 byte strings). */
export function globMatch(p: string, s: string, nocase = false): boolean {
  return matchAt(p, 0, s, 0, nocase);
}

function fold(c: number, nocase: boolean): number {
  return nocase && c >= 65 && c <= 90 ? c + 32 : c;
}

function matchAt(p: string, pi: number, s: string, si: number, nocase: boolean): boolean {
  while (pi < p.length) {
    const c = p.charCodeAt(pi);
    if (c === 42 /* * */) {
      while (pi + 1 < p.length && p.charCodeAt(pi + 1) === 42) pi++;
      if (pi + 1 === p.length) return true;
      for (let k = si; k <= s.length; k++) if (matchAt(p, pi + 1, s, k, nocase)) return true;
      return false;
    }
    if (si >= s.length) return false;
    if (c === 63 /* ? */) {
      pi++;
      si++;
      continue;
    }
    if (c === 91 /* [ */) {
      pi++;
      const not = p.charCodeAt(pi) === 94; /* ^ */
      if (not) pi++;
      let hit = false;
      const sc = fold(s.charCodeAt(si), nocase);
      while (pi < p.length && p.charCodeAt(pi) !== 93 /* ] */) {
        if (p.charCodeAt(pi) === 92 && pi + 1 < p.length) {
          pi++;
          if (fold(p.charCodeAt(pi), nocase) === sc) hit = true;
        } else if (pi + 2 < p.length && p.charCodeAt(pi + 1) === 45 /* - */ && p.charCodeAt(pi + 2) !== 93) {
          let lo = fold(p.charCodeAt(pi), nocase);
          let hi = fold(p.charCodeAt(pi + 2), nocase);
          if (lo > hi) [lo, hi] = [hi, lo];
          if (sc >= lo && sc <= hi) hit = true;
          pi += 2;
        } else if (fold(p.charCodeAt(pi), nocase) === sc) hit = true;
        pi++;
      }
      if (pi < p.length) pi++;
      if (hit === not) return false;
      si++;
      continue;
    }
    let lit = c;
    if (c === 92 /* \ */ && pi + 1 < p.length) lit = p.charCodeAt(++pi);
    if (fold(lit, nocase) !== fold(s.charCodeAt(si), nocase)) return false;
    pi++;
    si++;
  }
  return si === s.length;
}
