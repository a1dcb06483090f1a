/**
 * Draws the in-context examples of one prompt. Like the reference script: k distinct pairs without replacement;
 * for a group pool, k distinct groups, and from each group 2 distinct captions in random order.
 */
import type { Rng } from "../../util/rng.js";
import type { Pool } from "./pool.js";

export type Example = readonly [input: string, output: string];

export function drawExamples(pool: Pool, k: number, rng: Rng): Example[] {
  if (pool.kind === "pairs") return rng.sample(pool.pairs, k).map((p) => [p[0], p[1]] as const);
  return rng.sample(pool.groups, k).map((group) => {
    const [a, b] = rng.sample(group, 2);
    return [a!, b!] as const;
  });
}
