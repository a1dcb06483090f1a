/**
 * Named model configs. Sources:
 * - `laclip-vit-*`: LaCLIP's model builders (inherited from SLIP): CLIP_VITS16 / B16 / L16 wrap timm's
 *   vit_small / vit_base / vit_large _patch16_224 (widths 384 / 768 / 1024, depths 12 / 12 / 24, heads 6 / 12 / 16),
 *   with embed_dim 512 and the OpenAI text tower (width 512, 12 layers, 8 heads, context 77) for all three.
 *   qk-norm with eps 1e-6, LayerNorm eps 1e-6 in the image tower (../shared/LACLIP.md).
 * - `ViT-B-32`, `ViT-B-16`, `ViT-L-14`: open_clip's model configs of those names (B: embed 512, vision width
 *   768 x 12 layers, text 512 x 12 layers, 8 heads; L/14: embed 768, vision 1024 x 24, text 768 x 12, 12 heads;
 *   open_clip's heads are width / 64). open_clip's plain configs use GELU; the `-quickgelu` names use QuickGELU,
 *   which OpenAI-trained weights need.
 * - `bench-s`: exactly the config of ../shared/bench/torch_clip_step.py (the PyTorch peer of the benchmark).
 * - `laclip-tiny`, `open_clip-tiny`: the sizes of the parity fixtures, for CPU tests.
 */
import { ConfigError } from "../../errors/config_error.js";
import { resolveClipConfig, type ClipConfig, type ClipConfigInput } from "./config.js";

const TEXT_B = { contextLength: 77, vocabSize: 49408, width: 512, layers: 12, heads: 8 };
const TINY_TEXT = { contextLength: 16, width: 40, layers: 2, heads: 4 };
const TINY_VISION = { imageSize: 32, patchSize: 8, width: 48, layers: 2, heads: 4 };

const openClip = (name: string, quick: boolean): ClipConfigInput => {
  const act = quick ? "quick_gelu" : "gelu";
  const large = name === "ViT-L-14";
  return {
    layout: "open_clip",
    embedDim: large ? 768 : 512,
    vision: large
      ? { imageSize: 224, patchSize: 14, width: 1024, layers: 24, heads: 16, activation: act }
      : { imageSize: 224, patchSize: name === "ViT-B-32" ? 32 : 16, width: 768, layers: 12, heads: 12, activation: act },
    text: large ? { ...TEXT_B, width: 768, heads: 12, activation: act } : { ...TEXT_B, activation: act },
  };
};

const PRESETS: Record<string, ClipConfigInput> = {
  "laclip-vit-s16": { layout: "laclip", embedDim: 512, vision: { patchSize: 16, width: 384, layers: 12, heads: 6 }, text: TEXT_B },
  "laclip-vit-b16": { layout: "laclip", embedDim: 512, vision: { patchSize: 16, width: 768, layers: 12, heads: 12 }, text: TEXT_B },
  "laclip-vit-l16": { layout: "laclip", embedDim: 512, vision: { patchSize: 16, width: 1024, layers: 24, heads: 16 }, text: TEXT_B },
  "ViT-B-32": openClip("ViT-B-32", false),
  "ViT-B-16": openClip("ViT-B-16", false),
  "ViT-L-14": openClip("ViT-L-14", false),
  "ViT-B-32-quickgelu": openClip("ViT-B-32", true),
  "ViT-B-16-quickgelu": openClip("ViT-B-16", true),
  "ViT-L-14-quickgelu": openClip("ViT-L-14", true),
  "bench-s": {
    layout: "laclip",
    embedDim: 256,
    vision: { imageSize: 64, patchSize: 8, width: 192, layers: 6, heads: 3, lnEps: 1e-6, qkNorm: true, qkNormEps: 1e-6, lnPre: false, patchBias: true, activation: "gelu" },
    text: { contextLength: 32, vocabSize: 49408, width: 256, layers: 4, heads: 4, lnEps: 1e-5, activation: "quick_gelu" },
  },
  "laclip-tiny": { layout: "laclip", embedDim: 32, vision: TINY_VISION, text: TINY_TEXT },
  "open_clip-tiny": { layout: "open_clip", embedDim: 32, vision: TINY_VISION, text: TINY_TEXT },
};

export function presetNames(): string[] {
  return Object.keys(PRESETS);
}

/** A resolved copy of preset `name` (a fresh object each call: callers may change it). */
export function clipPreset(name: string): ClipConfig {
  const p = PRESETS[name];
  if (p === undefined) throw new ConfigError(`unknown model preset '${name}'; known: ${presetNames().join(", ")}`, "model");
  return resolveClipConfig(structuredClone(p));
}

/** LaCLIP's own model names (args.model in its checkpoints) to presets. */
export const LACLIP_MODEL_NAMES: Readonly<Record<string, string>> = {
  CLIP_VITS16: "laclip-vit-s16",
  CLIP_VITB16: "laclip-vit-b16",
  CLIP_VITL16: "laclip-vit-l16",
};
