/**
 * The text side of a batch: which caption(s) each sample trains with (text_aug.ts), tokenised into one int64
 * block. For laclip-mt the block is (T, B, L), text-batch-major, so that slice k is a (B, L) batch of every
 * sample's k-th text: the layout the multi-text loss contrasts batch by batch.
 */
import type { HostTensor } from "../../io/host_tensor.js";
import { selectTexts, type TextAugOptions } from "../text_aug.js";
import type { Sample } from "../data/index.js";

/** What the loader needs of a tokenizer (ClipTokenizer has it). */
export interface BatchTokenizer {
  encodeBatchI64(texts: readonly string[], contextLength?: number): HostTensor;
}

export function tokenizeBatch(
  samples: readonly Sample[],
  epoch: number,
  text: TextAugOptions,
  textsPerSample: number,
  tokenizer: BatchTokenizer,
  contextLength: number,
): HostTensor {
  const perSample = samples.map((s) => selectTexts(s, epoch, text, textsPerSample));
  if (text.mode !== "laclip-mt") return tokenizer.encodeBatchI64(perSample.map((t) => t[0]!), contextLength); // (B, L)
  const b = samples.length;
  const ordered: string[] = [];
  for (let k = 0; k < textsPerSample; k++) for (let i = 0; i < b; i++) ordered.push(perSample[i]![k]!);
  const ids = tokenizer.encodeBatchI64(ordered, contextLength); // (T * B, L)
  return { ...ids, shape: [textsPerSample, b, contextLength] }; // (T, B, L)
}
