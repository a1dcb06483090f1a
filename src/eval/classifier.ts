/**
 * The zero-shot classifier (OpenAI's and CLIP_benchmark's recipe): for each class, every template filled with
 * every name of the class is encoded and L2-normalised; the mean of those is L2-normalised again and becomes
 * the class's weight column. Texts are encoded in batches that may span classes.
 */
import { tensor, tidy, type Tensor } from "../engine/index.js";
import type { HostTensor } from "../io/host_tensor.js";
import { LaclipError } from "../errors/laclip_error.js";
import { encodeTokens, type RunOptions } from "./run_model.js";
import { fillTemplate } from "./templates.js";
import type { EvalClass, ZeroShotModel } from "./types.js";

/** What the classifier needs of a tokenizer (ClipTokenizer has it). */
export interface TextTokenizer {
  encodeBatchI64(texts: readonly string[], contextLength?: number): HostTensor;
}

export interface ClassifierOptions extends RunOptions {
  tokenizer: TextTokenizer;
  /** Tokens per text, the model's text context. */
  contextLength: number;
  /** Texts per encodeText call. Default 256. */
  textBatch?: number;
}

/** The prompts of every class, and which class each belongs to. */
export function classPrompts(classes: readonly EvalClass[], templates: readonly string[]): { texts: string[]; owner: Int32Array } {
  const texts: string[] = [];
  const owners: number[] = [];
  classes.forEach((c, i) => {
    for (const t of templates) for (const s of c.synonyms) {
      texts.push(fillTemplate(t, s));
      owners.push(i);
    }
  });
  return { texts, owner: Int32Array.from(owners) };
}

/** The (C, D) class weights as host floats, each row the normalised mean of its prompts' normalised features. */
export function classWeightRows(model: ZeroShotModel, classes: readonly EvalClass[], templates: readonly string[], o: ClassifierOptions): { data: Float32Array; dim: number } {
  if (classes.length === 0) throw new LaclipError("zero-shot classification needs at least one class");
  if (templates.length === 0) throw new LaclipError("zero-shot classification needs at least one template");
  const batch = o.textBatch ?? 256;
  if (!Number.isInteger(batch) || batch < 1) throw new RangeError(`textBatch must be a positive integer, got ${batch}`);
  const { texts, owner } = classPrompts(classes, templates);
  const count = new Float64Array(classes.length);
  let sums: Float64Array | undefined; // (C, D), sized once the first batch shows D
  let dim = 0;
  for (let s = 0; s < texts.length; s += batch) {
    const e = Math.min(texts.length, s + batch);
    const ids = o.tokenizer.encodeBatchI64(texts.slice(s, e), o.contextLength); // (n, T) int64
    const f = encodeTokens((x) => model.encodeText(x), ids, o);
    if (sums === undefined) {
      dim = f.dim;
      sums = new Float64Array(classes.length * dim);
    }
    for (let r = 0; r < e - s; r++) {
      const c = owner[s + r]!;
      count[c]!++;
      for (let d = 0; d < dim; d++) sums[c * dim + d]! += f.data[r * dim + d]!;
    }
  }
  const rows = new Float32Array(classes.length * dim);
  for (let c = 0; c < classes.length; c++) {
    let norm = 0;
    for (let d = 0; d < dim; d++) norm += (sums![c * dim + d]! / count[c]!) ** 2;
    // the mean's length; F.normalize's eps keeps an all-zero mean zero instead of NaN
    const scale = 1 / (count[c]! * Math.max(Math.sqrt(norm), 1e-12));
    for (let d = 0; d < dim; d++) rows[c * dim + d] = sums![c * dim + d]! * scale;
  }
  return { data: rows, dim };
}

/** The classifier as a (D, C) float32 tensor on `o.device`: image features (B, D) @ it = cosine logits (B, C). */
export function buildZeroShotClassifier(model: ZeroShotModel, classes: readonly EvalClass[], templates: readonly string[], o: ClassifierOptions): Tensor {
  const { data, dim } = classWeightRows(model, classes, templates, o);
  return tidy(() => tensor(data, { shape: [classes.length, dim], device: o.device }).t().contiguous()); // (C, D) -> (D, C)
}
