/**
 * The BPE merge loop on one pre-token, on symbol ids in place: repeatedly find the adjacent pair with the lowest
 * merge rank and merge every occurrence of it, left to right without overlap (so `a a a` becomes `aa a`), until no
 * adjacent pair has a rank. This is the order of OpenAI's `bpe()`, so the same merges give the same symbols.
 */
import type { PairTable } from "./pair_table.js";

const NONE = 0x7fffffff;

/** Merges `symbols[0..n)` in place and returns the new length. */
export function applyMerges(symbols: Int32Array, n: number, ranks: PairTable, mergedId: Int32Array): number {
  while (n > 1) {
    let best = NONE;
    let left = -1;
    let right = -1;
    for (let i = 0; i + 1 < n; i++) {
      const r = ranks.get(symbols[i]!, symbols[i + 1]!);
      if (r !== -1 && r < best) {
        best = r;
        left = symbols[i]!;
        right = symbols[i + 1]!;
      }
    }
    if (best === NONE) break;
    const merged = mergedId[best]!;
    let w = 0;
    let i = 0;
    while (i < n) {
      if (i + 1 < n && symbols[i] === left && symbols[i + 1] === right) {
        symbols[w++] = merged;
        i += 2;
      } else {
        symbols[w++] = symbols[i++]!;
      }
    }
    n = w;
  }
  return n;
}
