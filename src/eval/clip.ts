/** What zero-shot evaluation needs to know about a CLIP model of src/models/clip: its inputs and a name. */
import type { Resampler, EvalTransformSpec } from "../image/index.js";
import { clipPreset, imageTransformFor, presetNames, type ClipConfig } from "../models/clip/index.js";

/** The model's eval transform (its image size, ImageNet or OpenAI mean/std) and text context length. */
export function clipEvalInputs(config: ClipConfig, o: { resampler?: Resampler } = {}): { transform: EvalTransformSpec; contextLength: number } {
  return { transform: imageTransformFor(config, o), contextLength: config.text.contextLength };
}

/** JSON with keys sorted at every level, so equal configs give equal strings whatever their key order. */
function canonical(v: unknown): string {
  return JSON.stringify(v, (_k, x: unknown) =>
    x !== null && typeof x === "object" && !Array.isArray(x)
      ? Object.fromEntries(Object.entries(x as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : x,
  );
}

/** The preset whose config equals `config` (e.g. `laclip-vit-b16`), else a one-line description of its shape. */
export function clipModelName(config: ClipConfig): string {
  const want = canonical(config);
  const preset = presetNames().find((p) => canonical(clipPreset(p)) === want);
  if (preset !== undefined) return preset;
  const v = config.vision;
  const t = config.text;
  return `${config.layout} ViT ${v.width}x${v.layers} patch ${v.patchSize} image ${v.imageSize}, text ${t.width}x${t.layers} context ${t.contextLength}, embed ${config.embedDim}`;
}
