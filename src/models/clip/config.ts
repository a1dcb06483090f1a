/**
 * The shape of a CLIP model as plain data: what `buildClip` needs, what a project checkpoint's `config.json`
 * holds, and what checkpoint detection produces. Every field is explicit once resolved (`resolveClipConfig`
 * fills the defaults below and checks the result), so a saved config rebuilds exactly the same model.
 */
import { ConfigError } from "../../errors/config_error.js";
import { validateClipConfig } from "./validate.js";

/**
 * Whose parameter names the model uses (they equal the released checkpoints' keys):
 * - `laclip`: LaCLIP/SLIP. timm ViT image tower (`visual.patch_embed`, `visual.blocks.N`, `visual.norm`) and
 *   `image_projection`; OpenAI text tower.
 * - `open_clip`: OpenAI CLIP / open_clip. `visual.conv1`, `visual.class_embedding`, `visual.ln_pre`,
 *   `visual.transformer.resblocks.N`, `visual.ln_post`, `visual.proj`; the same text tower.
 */
export type ClipLayout = "laclip" | "open_clip";

/** `gelu`: exact (erf) GELU. `quick_gelu`: x * sigmoid(1.702 x), what OpenAI's weights were trained with. */
export type Activation = "gelu" | "quick_gelu";

/** Which per-channel mean/std the image tower expects its inputs normalised with (src/image/normalisation.ts). */
export type ImageMeanStd = "imagenet" | "openai";

export interface VisionConfig {
  /** Input side in pixels (square images). Default 224. */
  imageSize: number;
  /** Patch side in pixels; imageSize must be a multiple of it. Default 16. */
  patchSize: number;
  /** Token width. Default 768 (ViT-B). */
  width: number;
  /** Transformer blocks. Default 12. */
  layers: number;
  /** Attention heads; width must be a multiple of it. Default width / 64. */
  heads: number;
  /** MLP hidden width = mlpRatio * width. Default 4. */
  mlpRatio: number;
  /** LayerNorm epsilon of the blocks, the final norm and ln_pre. Default 1e-6 (timm) for laclip, 1e-5 for open_clip. */
  lnEps: number;
  /** LayerNorm over head_dim on q and k of every head (LaCLIP's ViTs). Default true for laclip, false for open_clip. */
  qkNorm: boolean;
  /** Epsilon of the qk-norm LayerNorms. Default 1e-6. */
  qkNormEps: number;
  /** A LayerNorm on the tokens before the first block (`ln_pre` / timm's `norm_pre`). Default false for laclip, true for open_clip. */
  lnPre: boolean;
  /** Whether the patch convolution has a bias. Default true for laclip (timm), false for open_clip. */
  patchBias: boolean;
  /** MLP activation. Default gelu. */
  activation: Activation;
  /** How the image feature is pooled: the CLS token after the final norm (the only one supported). */
  pooling: "cls";
}

export interface TextConfig {
  /** Tokens per text, SOT and EOT included. Default 77. */
  contextLength: number;
  /** Token embedding rows. Default 49408 (OpenAI's BPE). */
  vocabSize: number;
  /** Default 512. */
  width: number;
  /** Default 12. */
  layers: number;
  /** Default width / 64 (8 for width 512). */
  heads: number;
  /** Default 4. */
  mlpRatio: number;
  /** LayerNorm epsilon. Default 1e-5. */
  lnEps: number;
  /** Default quick_gelu for laclip (OpenAI's text tower), gelu for open_clip (its own configs' default). */
  activation: Activation;
}

export interface ClipConfig {
  layout: ClipLayout;
  /** Width of the joint embedding space. Default 512. */
  embedDim: number;
  vision: VisionConfig;
  text: TextConfig;
  /** Input normalisation the weights expect. Default imagenet for laclip, openai for open_clip. */
  imageMeanStd: ImageMeanStd;
  /** Initial value of the learnable log temperature, ln(1/0.07) as CLIP. */
  initLogitScale: number;
}

/** A config as users write it: a layout, and any fields to change from the defaults. */
export interface ClipConfigInput {
  layout: ClipLayout;
  embedDim?: number;
  vision?: Partial<VisionConfig>;
  text?: Partial<TextConfig>;
  imageMeanStd?: ImageMeanStd;
  initLogitScale?: number;
}

export const DEFAULT_LOGIT_SCALE = Math.log(1 / 0.07);

function visionDefaults(layout: ClipLayout, width: number): VisionConfig {
  const laclip = layout === "laclip";
  return {
    imageSize: 224, patchSize: 16, width, layers: 12, heads: Math.max(1, Math.round(width / 64)), mlpRatio: 4,
    lnEps: laclip ? 1e-6 : 1e-5, qkNorm: laclip, qkNormEps: 1e-6, lnPre: !laclip, patchBias: laclip,
    activation: "gelu", pooling: "cls",
  };
}

function textDefaults(layout: ClipLayout, width: number): TextConfig {
  return {
    contextLength: 77, vocabSize: 49408, width, layers: 12, heads: Math.max(1, Math.round(width / 64)), mlpRatio: 4,
    lnEps: 1e-5, activation: layout === "laclip" ? "quick_gelu" : "gelu",
  };
}

/** Fills defaults and validates; throws a ConfigError naming the field (e.g. `vision.heads`). */
export function resolveClipConfig(input: ClipConfigInput | ClipConfig): ClipConfig {
  if (input === null || typeof input !== "object") throw new ConfigError("a CLIP config must be an object", "config");
  const layout = input.layout;
  if (layout !== "laclip" && layout !== "open_clip") {
    throw new ConfigError(`layout must be 'laclip' or 'open_clip', got '${String(layout)}'`, "layout");
  }
  const vw = input.vision?.width ?? 768;
  const tw = input.text?.width ?? 512;
  const config: ClipConfig = {
    layout,
    embedDim: input.embedDim ?? 512,
    vision: { ...visionDefaults(layout, vw), ...stripUndefined(input.vision) },
    text: { ...textDefaults(layout, tw), ...stripUndefined(input.text) },
    imageMeanStd: input.imageMeanStd ?? (layout === "laclip" ? "imagenet" : "openai"),
    initLogitScale: input.initLogitScale ?? DEFAULT_LOGIT_SCALE,
  };
  validateClipConfig(config);
  return config;
}

function stripUndefined<T extends object>(o: T | undefined): Partial<T> {
  if (o === undefined) return {};
  if (o === null || typeof o !== "object") throw new ConfigError("vision and text must be objects", "config");
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

