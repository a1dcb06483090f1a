/**
 * The data zero-shot evaluation works on: a model seen only through its two encoders, classes with the names
 * prompts are built from, and an evaluation set of image paths with class indices (paths only: pixels are
 * decoded a batch at a time, so a set of any size costs a few bytes per image).
 */
import type { Tensor } from "../engine/index.js";

/**
 * What zero-shot classification needs of a CLIP-like model. `CLIP` from src/models/clip satisfies it; so does
 * any object with these methods (tests use tiny hand-made ones).
 */
export interface ZeroShotModel {
  /** images (B, 3, S, S), normalised as the model expects → features (B, D), any scale. */
  encodeImage(images: Tensor): Tensor;
  /** tokens (N, T) int64 ids → features (N, D), any scale. */
  encodeText(tokens: Tensor): Tensor;
  /** When present, evaluation runs in eval mode (`train(false)`) and restores this mode afterwards. */
  training?: boolean;
  train?(mode: boolean): unknown;
}

/** One class: the name it is reported under, and every name prompts are made from (the first is `name`). */
export interface EvalClass {
  name: string;
  /** Non-empty; SLIP-style label lists give several synonyms, whose prompts are averaged together. */
  synonyms: readonly string[];
}

export interface EvalSample {
  /** Path of the image file (absolute, or relative to the working directory); with `member`, the tar holding it. */
  path: string;
  /** Index into the set's classes (a retrieval set: the image's own index). */
  label: number;
  /** The image is this member of the tar file `path` (a WebDataset shard): where its bytes are, and its name. */
  member?: { name: string; offset: number; size: number };
}

/** Images with their captions, for retrieval: caption lists parallel to `images`, at least one each. */
export interface RetrievalSet {
  source: string;
  images: readonly EvalSample[];
  captions: readonly (readonly string[])[];
  notes: string[];
}

export interface EvalSet {
  /** Where the set came from (the image folder or list file), for messages and the result JSON. */
  source: string;
  classes: readonly EvalClass[];
  samples: readonly EvalSample[];
  /** How folders or labels were matched to classes, and anything skipped while listing; one line each. */
  notes: string[];
}

/**
 * A multilabel classification set (CLIP_benchmark's `dataset_type.txt` = multilabel): each image may show
 * several classes. Samples carry their own index as `label` (as a retrieval set's do), so features keep track
 * of which target a row has; `targets[i]` is sample i's 0/1 vector over the classes.
 */
export interface MultilabelSet {
  source: string;
  classes: readonly EvalClass[];
  samples: readonly EvalSample[];
  targets: readonly Uint8Array[];
  notes: string[];
}
