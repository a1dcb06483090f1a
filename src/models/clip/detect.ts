/**
 * Works out a model config from a checkpoint's keys and shapes. Shapes give the layout, widths, depths, patch
 * and image size, context length, vocabulary, MLP ratio, embedding width and which optional tensors exist
 * (qk-norm, ln_pre, patch bias). They do not give:
 * - attention heads. Rule, in order: the user's override; the named model in a LaCLIP checkpoint's
 *   `args.model` (CLIP_VITB16 ...) when its widths match; for the laclip image tower with qk-norm,
 *   width / q_norm width (q_norm normalises one head); otherwise width / 64 (OpenAI, open_clip and timm's
 *   ViT-S/B/L all use 64-wide heads) when that divides; else detection fails and asks for an override.
 * - LayerNorm epsilons and activations: the layout's defaults (config.ts), which are those of the released
 *   models; override them for weights trained otherwise (e.g. `quick_gelu` for OpenAI-trained open_clip weights).
 */
import { ConfigError } from "../../errors/config_error.js";
import type { PyValue } from "../../io/pickle/py_value.js";
import { resolveClipConfig, type ClipConfig, type ClipConfigInput, type ClipLayout, type TextConfig, type VisionConfig } from "./config.js";
import { LACLIP_MODEL_NAMES, clipPreset } from "./presets.js";

/** Anything with a shape per key: HostTensor maps, engine tensor maps, shape records. */
export type ShapeSource = ReadonlyMap<string, { readonly shape: readonly number[] }>;

/** Fields to force, applied over what detection found. */
export interface ClipOverrides {
  embedDim?: number;
  vision?: Partial<VisionConfig>;
  text?: Partial<TextConfig>;
  imageMeanStd?: ClipConfig["imageMeanStd"];
}

export interface Detection {
  config: ClipConfig;
  /** How each field that shapes cannot show was chosen, one line each (for logs and error messages). */
  notes: string[];
}

class Shapes {
  constructor(private readonly src: ShapeSource) {}
  has(k: string): boolean {
    return this.src.has(k);
  }
  get(k: string, rank: number): number[] {
    const t = this.src.get(k);
    if (t === undefined) throw new ConfigError(`cannot detect the model: key '${k}' is missing from the checkpoint`, k);
    if (t.shape.length !== rank) throw new ConfigError(`cannot detect the model: '${k}' has shape [${t.shape.join(", ")}], expected ${rank} dimensions`, k);
    return [...t.shape];
  }
  /** Number of consecutive blocks `${prefix}.0.`, `${prefix}.1.`, ... present. */
  depth(prefix: string): number {
    let max = -1;
    const re = new RegExp(`^${prefix.replace(/\./g, "\\.")}\\.(\\d+)\\.`);
    for (const k of this.src.keys()) {
      const m = re.exec(k);
      if (m) max = Math.max(max, Number(m[1]));
    }
    return max + 1;
  }
}

export function detectLayout(keys: Iterable<string>): ClipLayout {
  const set = new Set(keys);
  if (set.has("visual.patch_embed.proj.weight")) return "laclip";
  if (set.has("visual.conv1.weight")) return "open_clip";
  const sample = [...set].slice(0, 8).join(", ");
  throw new ConfigError(
    `cannot tell the checkpoint's layout: it has neither 'visual.patch_embed.proj.weight' (laclip) nor 'visual.conv1.weight' (open_clip). ` +
      `First keys: ${sample}${set.size > 8 ? ", ..." : ""}. Is it a CLIP image-text model with a ViT image tower?`,
    "checkpoint",
  );
}

function gridSide(tokens: number, key: string): number {
  const side = Math.round(Math.sqrt(tokens - 1));
  if (side * side !== tokens - 1) throw new ConfigError(`'${key}' holds ${tokens} positions, not 1 + a square number of patches`, key);
  return side;
}

function heads(width: number, which: string, notes: string[], override?: number, named?: number, headWidth?: number): number {
  if (override !== undefined) {
    notes.push(`${which}.heads = ${override} (override)`);
    return override;
  }
  if (named !== undefined) {
    notes.push(`${which}.heads = ${named} (from the named model in args)`);
    return named;
  }
  if (headWidth !== undefined && headWidth > 0 && width % headWidth === 0) {
    notes.push(`${which}.heads = ${width / headWidth} (width ${width} / qk-norm width ${headWidth})`);
    return width / headWidth;
  }
  if (width % 64 === 0) {
    notes.push(`${which}.heads = ${width / 64} (width ${width} / 64, the released models' head width)`);
    return width / 64;
  }
  throw new ConfigError(
    `cannot infer ${which}.heads: width ${width} is not a multiple of 64 and the checkpoint names no known model; ` +
      `give the number of heads (e.g. --${which}-heads N, or overrides.${which}.heads)`,
    `${which}.heads`,
  );
}

/** The named LaCLIP model in `args.model`, if it is one we know. */
function namedPreset(args: Readonly<Record<string, PyValue>> | undefined, notes: string[]): ClipConfig | undefined {
  const name = args?.["model"];
  if (typeof name !== "string") return undefined;
  const preset = LACLIP_MODEL_NAMES[name];
  if (preset === undefined) {
    notes.push(`args.model '${name}' is not a model this project knows; using shapes and rules only`);
    return undefined;
  }
  return clipPreset(preset);
}

export function detectClipConfig(src: ShapeSource, options: { args?: Readonly<Record<string, PyValue>>; overrides?: ClipOverrides } = {}): Detection {
  const s = new Shapes(src);
  const notes: string[] = [];
  const o = options.overrides ?? {};
  const layout = detectLayout(src.keys());
  const named = layout === "laclip" ? namedPreset(options.args, notes) : undefined;
  const laclip = layout === "laclip";

  const patchKey = laclip ? "visual.patch_embed.proj" : "visual.conv1";
  const [vWidth, inCh, patch, patchW] = s.get(`${patchKey}.weight`, 4);
  if (inCh !== 3 || patch !== patchW) throw new ConfigError(`'${patchKey}.weight' is not a square RGB patch embedding`, `${patchKey}.weight`);
  const posKey = laclip ? "visual.pos_embed" : "visual.positional_embedding";
  const pos = s.get(posKey, laclip ? 3 : 2);
  const tokens = pos[pos.length - 2]!;
  const blocks = laclip ? "visual.blocks" : "visual.transformer.resblocks";
  const fc1 = laclip ? "mlp.fc1" : "mlp.c_fc";
  const vLayers = s.depth(blocks);
  const qkNorm = laclip && s.has(`${blocks}.0.attn.q_norm.weight`);
  const qWidth = qkNorm ? s.get(`${blocks}.0.attn.q_norm.weight`, 1)[0] : undefined;
  const proj = s.get(laclip ? "image_projection" : "visual.proj", 2);

  const tWidth = s.get("token_embedding.weight", 2)[1]!;
  const tLayers = s.depth("transformer.resblocks");
  const namedFits = named !== undefined && named.vision.width === vWidth && named.text.width === tWidth;
  const vision: Partial<VisionConfig> = {
    imageSize: gridSide(tokens, posKey) * patch!,
    patchSize: patch,
    width: vWidth,
    layers: vLayers,
    heads: heads(vWidth!, "vision", notes, o.vision?.heads, namedFits ? named.vision.heads : undefined, qWidth),
    mlpRatio: vLayers > 0 ? s.get(`${blocks}.0.${fc1}.weight`, 2)[0]! / vWidth! : 4,
    qkNorm,
    lnPre: s.has(laclip ? "visual.norm_pre.weight" : "visual.ln_pre.weight"),
    patchBias: s.has(`${patchKey}.bias`),
  };
  const text: Partial<TextConfig> = {
    contextLength: s.get("positional_embedding", 2)[0],
    vocabSize: s.get("token_embedding.weight", 2)[0],
    width: tWidth,
    layers: tLayers,
    heads: heads(tWidth, "text", notes, o.text?.heads, namedFits ? named.text.heads : undefined),
    mlpRatio: tLayers > 0 ? s.get("transformer.resblocks.0.mlp.c_fc.weight", 2)[0]! / tWidth : 4,
  };
  const input: ClipConfigInput = {
    layout,
    embedDim: proj[1],
    vision: { ...vision, ...o.vision },
    text: { ...text, ...o.text },
    imageMeanStd: o.imageMeanStd,
  };
  if (o.embedDim !== undefined) input.embedDim = o.embedDim;
  const config = resolveClipConfig(input);
  notes.push(
    `vision.lnEps ${config.vision.lnEps}, text.lnEps ${config.text.lnEps}, vision.activation ${config.vision.activation}, ` +
      `text.activation ${config.text.activation}${qkNorm ? `, vision.qkNormEps ${config.vision.qkNormEps}` : ""} ` +
      "(checkpoints do not store these: layout defaults unless overridden)",
  );
  return { config, notes };
}
