/**
 * The image tower of the open_clip layout: OpenAI CLIP's VisionTransformer as open_clip names it
 * (`visual.conv1`, `class_embedding`, `positional_embedding`, `ln_pre`, `transformer.resblocks.N`, `ln_post`,
 * `proj`). The CLS token after ln_post, projected by `proj`, is the image feature.
 */
import { cat, empty, tidy, zeros, type Tensor } from "../../engine/index.js";
import { Conv2d, LayerNorm, Module, type FactoryOptions } from "../../nn/index.js";
import type { VisionConfig } from "./config.js";
import { Transformer } from "./transformer.js";

export class OpenClipVisionTransformer extends Module {
  readonly conv1: Conv2d;
  readonly ln_pre: LayerNorm | undefined;
  readonly transformer: Transformer;
  readonly ln_post: LayerNorm;

  constructor(readonly config: VisionConfig, embedDim: number, o: FactoryOptions = {}) {
    super();
    const v = config;
    const tokens = (v.imageSize / v.patchSize) ** 2 + 1;
    const f = { dtype: o.dtype ?? "f32", device: o.device };
    this.registerParameter("class_embedding", empty([v.width], f));
    this.registerParameter("positional_embedding", empty([tokens, v.width], f));
    this.registerParameter("proj", empty([v.width, embedDim], f));
    this.conv1 = this.registerModule("conv1", new Conv2d(3, v.width, v.patchSize, { ...o, stride: v.patchSize, bias: v.patchBias }));
    const ln = { eps: v.lnEps, dtype: o.dtype, device: o.device };
    this.ln_pre = v.lnPre ? this.registerModule("ln_pre", new LayerNorm(v.width, ln)) : undefined;
    this.transformer = this.registerModule("transformer", new Transformer({
      ...o, width: v.width, layers: v.layers, heads: v.heads, mlpRatio: v.mlpRatio, lnEps: v.lnEps, activation: v.activation,
    }));
    this.ln_post = this.registerModule("ln_post", new LayerNorm(v.width, ln));
  }

  /** images (B, 3, H, W), normalised → projected image features (B, embedDim), not normalised. */
  forward(images: Tensor): Tensor {
    return tidy(() => {
      const b = images.shape[0]!;
      const w = this.config.width;
      const patches = this.conv1.forward(images) // (B, width, H/p, W/p)
        .flatten(2) // (B, width, N)
        .transpose(1, 2); // (B, N, width)
      const cls = this.param("class_embedding").expand(b, 1, w); // (B, 1, width)
      let x = cat([cls, patches], 1).add(this.param("positional_embedding")); // (B, N + 1, width)
      if (this.ln_pre !== undefined) x = this.ln_pre.forward(x);
      const pooled = this.transformer.forwardAt(x, zeros([b], { dtype: "i64", device: x.device }), false); // (B, width)
      return this.ln_post.forward(pooled).matmul(this.param("proj")); // (B, embedDim)
    });
  }
}
