/**
 * Names of the outputs: one text file per rewrite slot (LaCLIP's layout: `<source>.txt`, or `<source>_<k>.txt`
 * for k = 1..K when K > 1), the `.json` keys the rewrites get in new WebDataset shards (`rewrite_<source>` /
 * `rewrite_<source>_<k>`, beside the original's `caption`), and the open_clip flags that sample among them.
 */

export interface Slot {
  source: string;
  /** 0-based rewrite number within the source. */
  k: number;
  file: string;
  jsonKey: string;
}

export function slots(sources: readonly string[], perSource: number): Slot[] {
  return sources.flatMap((source) =>
    Array.from({ length: perSource }, (_, k) => {
      const stem = perSource === 1 ? source : `${source}_${k + 1}`;
      return { source, k, file: `${stem}.txt`, jsonKey: `rewrite_${stem}` };
    }),
  );
}

/** The key holding the original caption in the new shards' .json (img2dataset writes it already). */
export const ORIGINAL_KEY = "caption";

/**
 * open_clip reads a caption from `.json` keys: `--json-text-key "a;b;c"` tries them in order, and with
 * `--json-text-key-probs` it first draws the order at random with these weights, then takes the first
 * non-empty one. Equal weights over the original and the K rewrites per source is LaCLIP's uniform text sampling.
 */
export function openClipFlags(all: Slot[]): { jsonTextKey: string; jsonTextKeyProbs: number[]; flags: string } {
  const keys = [ORIGINAL_KEY, ...all.map((s) => s.jsonKey)];
  const p = Math.round(10000 / keys.length) / 10000;
  const probs = keys.map(() => p);
  const jsonTextKey = keys.join(";");
  return { jsonTextKey, jsonTextKeyProbs: probs, flags: `--json-text-key "${jsonTextKey}" --json-text-key-probs ${probs.join(" ")}` };
}

// every character some line splitter (Python's readlines/splitlines, editors) treats as a line break
const BREAKS = /\r\n|[\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029]/g;

/** Text files are line-aligned: a line break inside a text (an original caption from CSV/JSON) becomes a space. */
export function oneLine(text: string): string {
  BREAKS.lastIndex = 0;
  return BREAKS.test(text) ? text.replace(BREAKS, " ") : text;
}
