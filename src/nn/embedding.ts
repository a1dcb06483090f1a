/** torch.nn.Embedding: a (num, dim) table initialised N(0, 1), the padding row (if any) zeroed. */
import { embedding, noGrad, type Tensor } from "../engine/index.js";
import { ConfigError } from "../errors/config_error.js";
import { emptyParam, type FactoryOptions } from "./factory.js";
import { normal_ } from "./init.js";
import { Module } from "./module.js";

export interface EmbeddingOptions extends FactoryOptions {
  /** Row that stays zero and gets no gradient (negative counts from the end, as PyTorch). */
  paddingIdx?: number;
}

export class Embedding extends Module {
  readonly paddingIdx: number | undefined;

  constructor(readonly numEmbeddings: number, readonly embeddingDim: number, o: EmbeddingOptions = {}) {
    super();
    let pad = o.paddingIdx;
    if (pad !== undefined) {
      if (pad >= numEmbeddings || pad < -numEmbeddings) {
        throw new ConfigError(`Embedding: padding_idx ${pad} is outside [-${numEmbeddings}, ${numEmbeddings})`, "paddingIdx");
      }
      if (pad < 0) pad += numEmbeddings;
    }
    this.paddingIdx = pad;
    const w = this.registerParameter("weight", emptyParam([numEmbeddings, embeddingDim], o))!;
    normal_(w, 0, 1, o.generator);
    if (pad !== undefined) noGrad(() => w.select(0, pad).zero_().dispose());
  }

  get weight(): Tensor {
    return this.param("weight");
  }

  /** Integer indices (...) → (..., dim). */
  forward(indices: Tensor): Tensor {
    return embedding(this.weight, indices, this.paddingIdx ?? -1);
  }
}
