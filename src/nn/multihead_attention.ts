/**
 * torch.nn.MultiheadAttention with its parameter layout: in_proj_weight (3E, E), in_proj_bias (3E),
 * out_proj.weight (E, E), out_proj.bias (E). Inputs are (L, B, E), or (B, L, E) with batchFirst, or (L, E).
 */
import { linear, scaledDotProductAttention, softmax, tidy, baddbmm, type Generator, type Tensor } from "../engine/index.js";
import { ConfigError } from "../errors/config_error.js";
import { mergeMasks } from "./attention_mask.js";
import { emptyParam, type FactoryOptions } from "./factory.js";
import { xavierUniform_, zeros_ } from "./init.js";
import { Linear } from "./linear.js";
import { Module } from "./module.js";

export interface MultiheadAttentionOptions extends FactoryOptions {
  bias?: boolean;
  /** Inputs and output are (B, L, E) instead of (L, B, E). */
  batchFirst?: boolean;
  /** Dropout on the attention weights in training mode. */
  dropout?: number;
}

export interface AttentionCallOptions {
  /** (L, S) or (B * heads, L, S); bool true = may NOT attend (PyTorch's MHA convention), float = added. */
  attnMask?: Tensor;
  /** (B, S); bool true = padding to ignore, float = added. */
  keyPaddingMask?: Tensor;
}

export class MultiheadAttention extends Module {
  readonly headDim: number;
  readonly batchFirst: boolean;
  readonly dropout: number;
  readonly outProj: Linear;
  readonly #generator: Generator | undefined;

  constructor(readonly embedDim: number, readonly numHeads: number, o: MultiheadAttentionOptions = {}) {
    super();
    this.headDim = Math.floor(embedDim / numHeads);
    if (this.headDim * numHeads !== embedDim) throw new ConfigError(`MultiheadAttention: embed_dim ${embedDim} is not divisible by num_heads ${numHeads}`, "numHeads");
    this.batchFirst = o.batchFirst ?? false;
    this.dropout = o.dropout ?? 0;
    this.#generator = o.generator;
    const bias = o.bias ?? true;
    const w = this.registerParameter("in_proj_weight", emptyParam([3 * embedDim, embedDim], o))!;
    const b = this.registerParameter("in_proj_bias", bias ? emptyParam([3 * embedDim], o) : undefined);
    // PyTorch's draw order: out_proj's Linear init first, then xavier for in_proj_weight; biases end at zero.
    this.outProj = this.registerModule("out_proj", new Linear(embedDim, embedDim, { ...o, bias }));
    xavierUniform_(w, 1, o.generator);
    if (b !== undefined) zeros_(b);
    if (this.outProj.bias !== undefined) zeros_(this.outProj.bias);
  }

  get inProjWeight(): Tensor {
    return this.param("in_proj_weight");
  }

  get inProjBias(): Tensor | undefined {
    return this.optionalParam("in_proj_bias");
  }

  /** The attention output only (need_weights=False): the fast path, one fused attention call. */
  forward(query: Tensor, key: Tensor, value: Tensor, o: AttentionCallOptions = {}): Tensor {
    return this.#run(query, key, value, o, false).output;
  }

  /** Output and attention weights (B, L, S), averaged over heads unless averageWeights is false (B, heads, L, S). */
  forwardWithWeights(query: Tensor, key: Tensor, value: Tensor, o: AttentionCallOptions & { averageWeights?: boolean } = {}): { output: Tensor; weights: Tensor } {
    const r = this.#run(query, key, value, o, true, o.averageWeights ?? true);
    return { output: r.output, weights: r.weights! };
  }

  #run(query: Tensor, key: Tensor, value: Tensor, o: AttentionCallOptions, needWeights: boolean, average = true): { output: Tensor; weights?: Tensor } {
    return tidy(() => {
      const unbatched = query.ndim === 2;
      const [q0, k0, v0] = [query, key, value].map((x) => (unbatched ? x.unsqueeze(1) : this.batchFirst ? x.transpose(0, 1) : x)) as [Tensor, Tensor, Tensor];
      // now (L, B, E) and (S, B, E)
      const [tgtLen, batch, e] = q0.shape as [number, number, number];
      if (e !== this.embedDim) throw new ConfigError(`MultiheadAttention: query has embedding size ${e}, expected ${this.embedDim}`, "query");
      const srcLen = k0.shape[0]!;
      const [q, k, v] = this.#project(query, key, value, q0, k0, v0);
      const h = this.numHeads;
      // (L, B, E) → (L, B * heads, hd) → (B * heads, L, hd)
      const heads = (x: Tensor, len: number): Tensor => x.reshape(len, batch * h, this.headDim).transpose(0, 1);
      const [qh, kh, vh] = [heads(q, tgtLen), heads(k, srcLen), heads(v, srcLen)];
      const mask = mergeMasks(o.attnMask, o.keyPaddingMask, { batch, heads: h, tgtLen, srcLen }, qh);
      const p = this.training ? this.dropout : 0;
      let attn: Tensor;
      let weights: Tensor | undefined;
      if (!needWeights) {
        attn = scaledDotProductAttention(qh, kh, vh, { mask, dropoutP: p, generator: this.#generator });
      } else {
        const qs = qh.div(Math.sqrt(this.headDim));
        const scores = mask === undefined ? qs.bmm(kh.transpose(-2, -1)) : baddbmm(mask, qs, kh.transpose(-2, -1));
        weights = softmax(scores, -1);
        const wd = p > 0 ? weights.dropout(p, true, this.#generator) : weights;
        attn = wd.bmm(vh); // (B * heads, L, hd)
      }
      // (B * heads, L, hd) → (L, B * heads, hd) → (L, B, E)
      const merged = attn.transpose(0, 1).reshape(tgtLen, batch, this.embedDim);
      let out = linear(merged, this.outProj.weight, this.outProj.bias);
      out = unbatched ? out.squeeze(1) : this.batchFirst ? out.transpose(0, 1) : out;
      if (weights === undefined) return { output: out };
      // (B * heads, L, S) → (B, heads, L, S)
      let w = weights.view(batch, h, tgtLen, srcLen);
      if (average) w = w.sum(1).div(h);
      return { output: out, weights: unbatched ? w.squeeze(0) : w };
    });
  }

  /** q, k, v (L|S, B, E): one packed product for self-attention, three slices of the weight otherwise. */
  #project(query: Tensor, key: Tensor, value: Tensor, q0: Tensor, k0: Tensor, v0: Tensor): [Tensor, Tensor, Tensor] {
    const w = this.inProjWeight;
    const b = this.inProjBias;
    if (query === key && key === value) return linear(q0, w, b).chunk(3, -1) as [Tensor, Tensor, Tensor];
    const ws = w.chunk(3, 0);
    const bs = b?.chunk(3, 0);
    return [linear(q0, ws[0]!, bs?.[0]), linear(k0, ws[1]!, bs?.[1]), linear(v0, ws[2]!, bs?.[2])];
  }
}
