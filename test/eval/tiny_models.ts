/**
 * Tiny zero-shot models made of engine ops whose answers can be computed by hand, and a tokenizer with a few
 * learned merges (so each colour word is one token) for tests that must not need the real BPE file.
 */
import { eye, tensor, type Tensor } from "../../src/engine/index.js";
import { ClipTokenizer, trainBpeFromCounts, type MergeList } from "../../src/tokenizer/index.js";
import type { ZeroShotModel } from "../../src/eval/index.js";

export const COLOURS: Readonly<Record<string, readonly [number, number, number]>> = {
  red: [1, 0, 0], green: [0, 1, 0], blue: [0, 0, 1], yellow: [1, 1, 0], cyan: [0, 1, 1], magenta: [1, 0, 1],
};

export function colourMerges(words: readonly string[] = Object.keys(COLOURS)): MergeList {
  return trainBpeFromCounts(new Map(words.map((w) => [w, 3])), { numMerges: 200, minFrequency: 1 });
}

/**
 * Text: the sum of a (V, D) table's rows over every token of the prompt (padding included), times the identity.
 * Image: the per-channel mean of the pixels, times a (3, D) projection.
 */
export class TableModel implements ZeroShotModel {
  training = true;
  readonly modes: boolean[] = [];
  constructor(
    readonly table: Float32Array,
    readonly vocab: number,
    readonly dim: number,
    readonly projection: Float32Array,
  ) {}

  encodeText(tokens: Tensor): Tensor {
    const [b, t] = tokens.shape as [number, number];
    const e = tensor(this.table, { shape: [this.vocab, this.dim] }); // (V, D)
    const summed = e.indexSelect(0, tokens.reshape(-1)).reshape(b, t, this.dim).sum(1); // (B, T, D) -> (B, D)
    return summed.matmul(eye(this.dim)); // exact in fp32; a matmul, so bf16 autocast rounds it
  }

  encodeImage(images: Tensor): Tensor {
    const p = tensor(this.projection, { shape: [3, this.dim] });
    return images.mean([2, 3]).matmul(p); // (B, 3) @ (3, D)
  }

  train(mode: boolean): void {
    this.modes.push(mode);
    this.training = mode;
  }
}

/** Table rows: the colour of each colour word's single token, zero for every other token. */
export function colourModel(tok: ClipTokenizer): TableModel {
  const table = new Float32Array(tok.vocabSize * 3);
  for (const [word, rgb] of Object.entries(COLOURS)) {
    const ids = tok.tokenize(word);
    if (ids.length !== 1) throw new Error(`'${word}' is ${ids.length} tokens; the test tokenizer should make it one`);
    table.set(rgb, ids[0]! * 3);
  }
  return new TableModel(table, tok.vocabSize, 3, Float32Array.from([1, 0, 0, 0, 1, 0, 0, 0, 1]));
}

export function colourTokenizer(contextLength = 16): ClipTokenizer {
  return new ClipTokenizer(colourMerges(), { contextLength });
}
