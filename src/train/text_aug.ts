/**
 * Which caption(s) a sample trains with, per epoch.
 *
 * - `clip`: the original only (plain CLIP).
 * - `laclip`: one text drawn uniformly from the original and all rewrites (LaCLIP). If the drawn text has fewer
 *   than 2 words it is replaced by the original. "Words" follows LaCLIP's reader exactly: the text split on
 *   single spaces, `text.split(" ").length < 2`, so a text without any space (`""`, `"dog"`) falls back while
 *   `"dog "` counts as two. Optional `sourceWeights` make the draw weighted: each text weighs its source's
 *   weight (sources not listed weigh 1; `original` is the original's source name).
 * - `laclip-mt`: every text of the sample, for the multi-text loss (each image against all its K+1 texts),
 *   with the same fallback applied to each text and, where a sample has fewer texts, the original repeated.
 *
 * Draws are seeded by (seed, epoch, sample index) alone: the same on every rank, after a resume, and whatever
 * the order or batch the sample lands in.
 */
import { LaclipError } from "../errors/laclip_error.js";
import { Rng, deriveSeed } from "../util/rng.js";

export const TEXT_AUGMENTATIONS = ["clip", "laclip", "laclip-mt"] as const;
export type TextAugmentation = (typeof TEXT_AUGMENTATIONS)[number];

export interface TextSample {
  index: number;
  key?: string;
  texts: readonly string[];
  sources?: readonly string[];
}

export interface TextAugOptions {
  mode: TextAugmentation;
  seed: number;
  sourceWeights?: Readonly<Record<string, number>>;
}

/** LaCLIP's "fewer than 2 words" test (see the module comment). */
export function tooShort(text: string): boolean {
  return text.split(" ").length < 2;
}

/** The text `clip` or `laclip` trains `sample` with in `epoch`. */
export function pickText(sample: TextSample, epoch: number, opts: TextAugOptions): string {
  const original = sample.texts[0];
  if (original === undefined) throw new LaclipError(`sample ${sample.key ?? sample.index} has no text`);
  if (opts.mode === "clip" || sample.texts.length === 1) return original;
  const rng = new Rng(deriveSeed(opts.seed, "text", epoch, sample.index));
  const chosen = sample.texts[opts.sourceWeights ? weightedIndex(sample, opts.sourceWeights, rng) : rng.int(sample.texts.length)]!;
  return tooShort(chosen) ? original : chosen;
}

/** The `count` texts `laclip-mt` trains `sample` with: all of them, short ones and missing ones as the original. */
export function multiTexts(sample: TextSample, count: number): string[] {
  const original = sample.texts[0];
  if (original === undefined) throw new LaclipError(`sample ${sample.key ?? sample.index} has no text`);
  if (sample.texts.length > count) {
    throw new LaclipError(
      `sample ${sample.key ?? sample.index} has ${sample.texts.length} texts, more than the ${count} the multi-text loss was set up ` +
        `for; every sample must carry the same rewrite sources`,
    );
  }
  const out = sample.texts.map((t) => (tooShort(t) ? original : t));
  while (out.length < count) out.push(original);
  return out;
}

/** The texts of a sample for any mode: one for `clip`/`laclip`, `count` for `laclip-mt`. */
export function selectTexts(sample: TextSample, epoch: number, opts: TextAugOptions, count: number): string[] {
  return opts.mode === "laclip-mt" ? multiTexts(sample, count) : [pickText(sample, epoch, opts)];
}

function weightedIndex(sample: TextSample, weights: Readonly<Record<string, number>>, rng: Rng): number {
  const sources = sample.sources;
  if (!sources || sources.length !== sample.texts.length) {
    throw new LaclipError(`sample ${sample.key ?? sample.index}: per-source weights need a source name for each text`);
  }
  let total = 0;
  const w = sources.map((s) => {
    const v = weights[s] ?? 1;
    total += v;
    return v;
  });
  if (!(total > 0)) throw new LaclipError(`sample ${sample.key ?? sample.index}: all its texts' sources (${sources.join(", ")}) weigh 0`);
  let r = rng.float() * total;
  for (let i = 0; i < w.length; i++) {
    r -= w[i]!;
    if (r < 0) return i;
  }
  // rounding left r a hair above 0: the last text that can be drawn
  for (let i = w.length - 1; i >= 0; i--) if (w[i]! > 0) return i;
  return 0;
}
