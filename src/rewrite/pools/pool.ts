/**
 * In-context example pools: one per "source" (a rewriting style). A pair pool holds [input, output] examples; a
 * group pool (MSCOCO style) holds groups of alternative captions of one image, and a pair is 2 distinct captions
 * drawn from one group, so the model sees "same image, different words".
 */

export interface PairPool {
  kind: "pairs";
  name: string;
  pairs: readonly (readonly [string, string])[];
}

export interface GroupPool {
  kind: "groups";
  name: string;
  groups: readonly (readonly string[])[];
}

export type Pool = PairPool | GroupPool;

/** A pools file after validation: the pools in file order, plus its prompt settings when it carries them. */
export interface PoolSet {
  file: string;
  pools: ReadonlyMap<string, Pool>;
  /** The file's `prompt_header`, when present. */
  header?: string;
  /** The file's `sampled_per_prompt`, when present. */
  examplesPerPrompt?: number;
}

/** How many distinct examples a pool can supply to one prompt. */
export function poolCapacity(pool: Pool): number {
  return pool.kind === "pairs" ? pool.pairs.length : pool.groups.length;
}
