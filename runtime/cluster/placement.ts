// Placement: rendezvous (highest random weight) hashing of an actor's identity over the live nodes.
//
// Rendezvous hashing moves only the actors of a node that joins or leaves (about 1/n of them),
// needs no ring or virtual nodes, and every node computes the same answer from the same member list.

/** 32-bit FNV-1a of a string's UTF-16 code units, then a murmur3 finalizer so nearby inputs spread. */
function hash32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/**
 * The node among `nodes` that should host `identity`: the one with the highest hash of
 * (identity, node id); ties go to the smaller id. `undefined` when `nodes` is empty.
 */
export function placeActor(identity: string, nodes: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestScore = -1;
  for (const node of nodes) {
    const score = hash32(`${identity}\u0000${node}`);
    if (score > bestScore || (score === bestScore && best !== undefined && node < best)) {
      best = node;
      bestScore = score;
    }
  }
  return best;
}
