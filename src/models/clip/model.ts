/**
 * CLIP: an image tower and a text tower mapping into one embedding space, compared by cosine similarity
 * scaled by a learned temperature. Parameter names are the released checkpoints' keys of the chosen layout.
 *
 *   const model = new CLIP(clipPreset("laclip-vit-b16"));
 *   const { imageFeatures, textFeatures, logitsPerImage, loss } = model.forward(images, tokens, { loss: true });
 */
import { cat, empty, tidy, type Tensor } from "../../engine/index.js";
import { Module, type FactoryOptions } from "../../nn/index.js";
import { resolveClipConfig, type ClipConfig, type ClipConfigInput } from "./config.js";
import { initClip } from "./init.js";
import { clipLogits, clipLossFromLogits, multiTextClipLoss } from "./loss.js";
import { TextTower } from "./text.js";
import { LaclipVisionTransformer } from "./vision_laclip.js";
import { OpenClipVisionTransformer } from "./vision_openclip.js";

export interface ClipForwardOptions {
  /** Also return the symmetric CLIP loss. */
  loss?: boolean;
  /**
   * LaCLIP-MT: K more text batches, row i of each another text of image i. The multi-text loss is the mean of
   * the CLIP losses of the K+1 batches (`texts` and these) against the same images.
   */
  multiText?: readonly Tensor[];
}

export interface ClipOutput {
  /** (B, D), L2-normalised, f32 (also under autocast). */
  imageFeatures: Tensor;
  /** (B, D), L2-normalised, of `texts`. */
  textFeatures: Tensor;
  /** (B, B): exp(logit_scale) * cosine similarity; row i is image i against every text. */
  logitsPerImage: Tensor;
  /** (B, B): the transpose. */
  logitsPerText: Tensor;
  /** exp(logit_scale), 0-d. */
  logitScale: Tensor;
  loss?: Tensor;
  multiTextLoss?: Tensor;
}

export interface ClipBuildOptions extends FactoryOptions {
  /** Initialise as the reference code does (default true); false leaves weights uninitialised, for loading. */
  init?: boolean;
}

const widen = (x: Tensor): Tensor => (x.dtype === "bf16" || x.dtype === "f16" ? x.to("f32") : x);

export class CLIP extends Module {
  readonly config: ClipConfig;
  readonly visual: LaclipVisionTransformer | OpenClipVisionTransformer;
  readonly text: TextTower;

  constructor(config: ClipConfig | ClipConfigInput, o: ClipBuildOptions = {}) {
    super();
    const c = (this.config = resolveClipConfig(config));
    const f = { dtype: o.dtype ?? "f32", device: o.device };
    if (c.layout === "laclip") {
      this.visual = this.registerModule("visual", new LaclipVisionTransformer(c.vision, o));
      this.registerParameter("image_projection", empty([c.vision.width, c.embedDim], f));
    } else {
      this.visual = this.registerModule("visual", new OpenClipVisionTransformer(c.vision, c.embedDim, o));
    }
    this.text = new TextTower(this, c.text, c.embedDim, o);
    this.registerParameter("logit_scale", empty([], f));
    if (o.init ?? true) initClip(this, o.generator);
  }

  /** The learnable log temperature (0-d); clamp it to [0, ln 100] after optimizer steps, as CLIP does. */
  get logitScale(): Tensor {
    return this.param("logit_scale");
  }

  /** images (B, 3, S, S), normalised with the model's mean/std → image features (B, D), not normalised. */
  encodeImage(images: Tensor): Tensor {
    if (this.visual instanceof OpenClipVisionTransformer) return this.visual.forward(images);
    const visual = this.visual;
    return tidy(() => visual.forward(images).matmul(this.param("image_projection"))); // (B, D)
  }

  /** tokens (B, T) integer ids (SOT ... EOT, zero padded) → text features (B, D), not normalised. */
  encodeText(tokens: Tensor): Tensor {
    return this.text.encode(tokens);
  }

  forward(images: Tensor, texts: Tensor, o: ClipForwardOptions = {}): ClipOutput {
    return tidy(() => {
      // Under autocast the towers end in bf16 matrix products; the loss is computed in f32, as the PyTorch peer does.
      const imageFeatures = widen(this.encodeImage(images)).normalize({ dim: -1 });
      const extra = o.multiText ?? [];
      // All text batches through the tower at once: one pass over bigger matrices instead of K+1 small ones.
      const allText = extra.length === 0 ? this.encodeText(texts) : this.encodeText(cat([texts, ...extra], 0));
      const allFeatures = widen(allText).normalize({ dim: -1 }); // ((K+1) B, D)
      const perBatch = extra.length === 0 ? [allFeatures] : allFeatures.split(texts.shape[0]!, 0);
      const textFeatures = perBatch[0]!;
      const scale = this.logitScale;
      const { logitsPerImage, logitsPerText } = clipLogits(imageFeatures, textFeatures, scale);
      const out: ClipOutput = { imageFeatures, textFeatures, logitsPerImage, logitsPerText, logitScale: scale.exp() };
      if (o.loss) out.loss = clipLossFromLogits(logitsPerImage);
      if (extra.length > 0) out.multiTextLoss = multiTextClipLoss(imageFeatures, perBatch, scale);
      return out;
    });
  }
}
