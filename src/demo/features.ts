/**
 * Held-out features for the demo's tasks: every held-out picture decoded once per demo (the pixels are reused
 * by every model, where src/eval's imageFeatures decodes per model), then each model's normalised image
 * features and class-text features as host rows. The tasks (zero-shot, retrieval, probe, few-shot) are
 * computed from these matrices, so a model's images are encoded once for all of them.
 */
import { decodedBatches, type ClassifierOptions, type EvalSample, classWeightRows, type EvalClass, type ZeroShotModel } from "../eval/index.js";
import { InlineDecoder, type EvalTransformSpec } from "../image/index.js";
import { LaclipError } from "../errors/laclip_error.js";
import { encodeImageRows } from "../eval/run_model.js";
import { scoreBlock } from "../eval/scores.js";

/** Host rows: `count` vectors of `dim` floats, row-major. */
export interface Rows {
  data: Float32Array;
  count: number;
  dim: number;
}

export interface DecodedSet {
  /** count x (3, size, size) floats, in sample order. */
  pixels: Float32Array;
  labels: Int32Array;
  count: number;
  size: number;
}

/** Decodes every sample with the eval transform; a picture that cannot be decoded is an error here (the demo rendered them). */
export async function decodeSet(samples: readonly EvalSample[], transform: EvalTransformSpec): Promise<DecodedSet> {
  const per = 3 * transform.size * transform.size;
  const pixels = new Float32Array(samples.length * per);
  const labels = new Int32Array(samples.length);
  const decoder = new InlineDecoder();
  let at = 0;
  try {
    for await (const b of decodedBatches(samples, transform, decoder, 256)) {
      if (b.skipped.length > 0) throw new LaclipError(`cannot decode held-out picture ${b.skipped[0]!.path}: ${b.skipped[0]!.reason}; delete the demo's work dir and run again`);
      pixels.set(b.pixels.subarray(0, b.rows * per), at * per);
      labels.set(b.labels, at);
      at += b.rows;
    }
  } finally {
    await decoder.close();
  }
  return { pixels, labels, count: at, size: transform.size };
}

/** L2-normalised image features of a decoded set, encoded in batches (src/eval's encodeImageRows). */
export function imageRows(model: ZeroShotModel, set: DecodedSet, o: { bf16: boolean; batch?: number }): Rows {
  const batch = o.batch ?? 256;
  const per = 3 * set.size * set.size;
  let out: Float32Array | undefined;
  let dim = 0;
  for (let s = 0; s < set.count; s += batch) {
    const rows = Math.min(batch, set.count - s);
    const f = encodeImageRows((x) => model.encodeImage(x), set.pixels.subarray(s * per, (s + rows) * per), rows, set.size, { bf16: o.bf16 });
    if (out === undefined) {
      dim = f.dim;
      out = new Float32Array(set.count * dim);
    }
    out.set(f.data, s * dim);
  }
  if (out === undefined) throw new LaclipError("no held-out pictures to encode");
  return { data: out, count: set.count, dim };
}

/** One normalised row per class: the mean of its prompts' features (CLIP's recipe), for one template set. */
export function classRows(model: ZeroShotModel, classes: readonly EvalClass[], templates: readonly string[], o: ClassifierOptions): Rows {
  const { data, dim } = classWeightRows(model, classes, templates, o);
  return { data, count: classes.length, dim };
}

/** a (n, D) @ b (m, D)^T: the (n, m) cosine similarities of normalised rows, as host floats. */
export function similarities(a: Rows, b: Rows): Float32Array {
  if (a.dim !== b.dim) throw new RangeError(`feature widths differ: ${a.dim} and ${b.dim}`);
  return scoreBlock(a, 0, a.count, b);
}
