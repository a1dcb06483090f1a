/**
 * OpenAI CLIP's text tower, the same in both layouts. Its tensors sit at the top level of the checkpoint
 * (`token_embedding`, `positional_embedding`, `transformer`, `ln_final`, `text_projection`), so it registers
 * them on the CLIP module itself rather than under a child; this object only holds the forward pass.
 */
import { empty, tidy, type Tensor } from "../../engine/index.js";
import { ConfigError } from "../../errors/config_error.js";
import { Embedding, LayerNorm, type FactoryOptions, type Module } from "../../nn/index.js";
import type { TextConfig } from "./config.js";
import { inferencePaths } from "./pooled_block.js";
import { Transformer } from "./transformer.js";

export class TextTower {
  readonly token_embedding: Embedding;
  readonly transformer: Transformer;
  readonly ln_final: LayerNorm;

  constructor(private readonly owner: Module, readonly config: TextConfig, embedDim: number, o: FactoryOptions = {}) {
    const t = config;
    const f = { dtype: o.dtype ?? "f32", device: o.device };
    this.token_embedding = owner.registerModule("token_embedding", new Embedding(t.vocabSize, t.width, o));
    owner.registerParameter("positional_embedding", empty([t.contextLength, t.width], f));
    this.transformer = owner.registerModule("transformer", new Transformer({
      ...o, width: t.width, layers: t.layers, heads: t.heads, mlpRatio: t.mlpRatio, lnEps: t.lnEps, activation: t.activation,
    }));
    this.ln_final = owner.registerModule("ln_final", new LayerNorm(t.width, { eps: t.lnEps, dtype: o.dtype, device: o.device }));
    owner.registerParameter("text_projection", empty([t.width, embedDim], f));
  }

  /**
   * tokens (B, T) integer ids, T <= contextLength, each row ending its text with EOT, the largest id (CLIP's
   * convention: the feature is taken at argmax of the ids) → projected text features (B, embedDim).
   */
  encode(tokens: Tensor): Tensor {
    const t = tokens.shape[1]!;
    if (tokens.ndim !== 2 || t > this.config.contextLength || t < 1) {
      throw new ConfigError(
        `text tokens must be (batch, length) with length <= context length ${this.config.contextLength}, got [${tokens.shape.join(", ")}]`,
        "tokens",
      );
    }
    return tidy(() => {
      const eot = tokens.argmax(-1); // (B,)
      // Inference: under the causal mask nothing after a row's EOT reaches its EOT, so the batch is cut after
      // its last EOT (captions are mostly far shorter than the context). Training keeps the shapes as given.
      const used = !inferencePaths(this.owner) ? t : Number(eot.max().item()) + 1;
      const ids = used < t ? tokens.narrow(1, 0, used) : tokens; // (B, T')
      let pos = this.owner.param("positional_embedding"); // (contextLength, width)
      if (used < this.config.contextLength) pos = pos.narrow(0, 0, used); // (T', width)
      const x0 = this.token_embedding.forward(ids).add(pos); // (B, T', width)
      const pooled = this.transformer.forwardAt(x0, eot, true); // (B, width)
      // ln_final is per token, so normalising only the pooled rows gives the same features with less work.
      return this.ln_final.forward(pooled).matmul(this.owner.param("text_projection")); // (B, embedDim)
    });
  }
}
