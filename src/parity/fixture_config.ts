/**
 * A parity fixture's `config.json` (snake_case, written by the reference generator) as a ClipConfig. Every
 * field is read: sizes are required; behaviour switches (epsilons, activations, qk-norm, ln_pre, patch bias,
 * MLP ratios) default to the layout's defaults with a warning when absent; fields that cannot be honoured
 * (another pooling or attention scale) are errors; fields this reader does not know are reported as warnings.
 */
import { ConfigError } from "../errors/config_error.js";
import { resolveClipConfig, type ClipConfig, type ClipConfigInput, type ClipLayout } from "../models/clip/config.js";

export interface FixtureConfig {
  config: ClipConfig;
  /** The captions `input.text` was tokenized from, when the fixture records them. */
  texts?: string[];
  warnings: string[];
}

/** Descriptive fields: read, but they do not change the model. */
const INFO = new Set(["family", "batch", "texts", "notes", "image_mean_std", "seed"]);

const FAMILY_LAYOUT: Record<string, ClipLayout> = { laclip_slip: "laclip", laclip: "laclip", slip: "laclip", open_clip: "open_clip", openai: "open_clip" };

export function parseFixtureConfig(raw: unknown, layout: ClipLayout, file: string): FixtureConfig {
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) throw new ConfigError(`${file}: not a JSON object`, "config");
  const j = raw as Record<string, unknown>;
  const warnings: string[] = [];
  const used = new Set<string>();
  const get = (k: string): unknown => {
    used.add(k);
    return j[k];
  };
  const need = (k: string): number => {
    const v = get(k);
    if (typeof v !== "number") throw new ConfigError(`${file}: '${k}' must be a number, got ${JSON.stringify(v)}`, k);
    return v;
  };
  const opt = <T>(k: string, kind: "number" | "boolean" | "string"): T | undefined => {
    const v = get(k);
    if (v === undefined) {
      warnings.push(`'${k}' absent: using the ${layout} layout default`);
      return undefined;
    }
    if (v === null) return undefined; // e.g. qk_norm_eps when qk_norm is false
    if (typeof v !== kind) throw new ConfigError(`${file}: '${k}' must be a ${kind}, got ${JSON.stringify(v)}`, k);
    return v as T;
  };

  const family = j["family"];
  if (typeof family === "string" && FAMILY_LAYOUT[family] !== undefined && FAMILY_LAYOUT[family] !== layout) {
    warnings.push(`family '${family}' suggests the ${FAMILY_LAYOUT[family]} layout but the weights have ${layout} keys; following the weights`);
  }
  const pooling = get("image_pooling");
  if (pooling !== undefined && pooling !== "cls") throw new ConfigError(`${file}: image_pooling '${String(pooling)}' is not supported (only 'cls')`, "image_pooling");
  const scale = get("attention_scale");
  if (scale !== undefined && String(scale).replace(/\s+/g, "") !== "head_dim**-0.5") {
    throw new ConfigError(`${file}: attention_scale '${String(scale)}' is not supported (only head_dim ** -0.5)`, "attention_scale");
  }
  const patch = j["patch"] !== undefined ? need("patch") : need("patch_size");
  const mlp = opt<number>("mlp_ratio", "number");
  if (mlp === undefined) warnings.pop(); // a shared ratio is optional; the per-tower ones below say it if absent
  const input: ClipConfigInput = {
    layout,
    embedDim: need("embed_dim"),
    vision: {
      imageSize: need("image_size"),
      patchSize: patch,
      width: need("vision_width"),
      layers: need("vision_layers"),
      heads: need("vision_heads"),
      mlpRatio: (j["vision_mlp_ratio"] !== undefined ? opt<number>("vision_mlp_ratio", "number") : mlp) ?? 4,
      lnEps: opt<number>("vision_ln_eps", "number"),
      qkNorm: opt<boolean>("qk_norm", "boolean"),
      qkNormEps: opt<number>("qk_norm_eps", "number"),
      lnPre: opt<boolean>("vision_ln_pre", "boolean"),
      patchBias: opt<boolean>("patch_bias", "boolean"),
      activation: opt<"gelu" | "quick_gelu">("vision_activation", "string"),
    },
    text: {
      contextLength: need("context_length"),
      vocabSize: need("vocab_size"),
      width: need("text_width"),
      layers: need("text_layers"),
      heads: need("text_heads"),
      mlpRatio: (j["text_mlp_ratio"] !== undefined ? opt<number>("text_mlp_ratio", "number") : mlp) ?? 4,
      lnEps: opt<number>("text_ln_eps", "number"),
      activation: opt<"gelu" | "quick_gelu">("text_activation", "string"),
    },
  };
  for (const k of Object.keys(j)) if (!used.has(k) && !INFO.has(k)) warnings.push(`unknown field '${k}' ignored`);
  const texts = Array.isArray(j["texts"]) && j["texts"].every((t) => typeof t === "string") ? (j["texts"] as string[]) : undefined;
  return { config: resolveClipConfig(input), texts, warnings };
}
