/**
 * open_clip's model-config JSON (`model_configs/*.json`, and `model_cfg` of an `open_clip_config.json`) to and
 * from laclip's ClipConfig. Field names and defaults are open_clip's (CLIPVisionCfg / CLIPTextCfg):
 *   embed_dim; quick_gelu (both towers, default false);
 *   vision_cfg: image_size, layers, width, patch_size, head_width (64), mlp_ratio (4), no_ln_pre, qk_norm,
 *               norm_kwargs.eps (1e-5);
 *   text_cfg:   context_length (77), vocab_size (49408), width (512), heads (8), layers (12), mlp_ratio (4),
 *               norm_kwargs.eps.
 * The laclip layout (LaCLIP's timm ViT) is open_clip's timm tower: vision_cfg.timm_model_name with the shape in
 * timm_model_kwargs (img_size, patch_size, embed_dim, depth, num_heads, mlp_ratio, qk_norm, pre_norm), CLS
 * pooling (`timm_pool: "token"`) and a bias-free linear projection; timm uses GELU and LayerNorm eps 1e-6 there.
 * Anything else open_clip can describe (ResNets, HF text towers, layer scale, attentional pooling...) is refused
 * by name, never dropped.
 */
import { ConfigError } from "../../errors/config_error.js";
import { resolveClipConfig, type Activation, type ClipConfig, type ImageMeanStd } from "./config.js";
import { NORMALISATIONS } from "../../image/normalisation.js";

type Json = Record<string, unknown>;

export interface OpenClipModelCfg {
  embed_dim: number;
  quick_gelu?: boolean;
  init_logit_scale?: number;
  vision_cfg: Json;
  text_cfg: Json;
}

/** `open_clip_config.json`: the model config and the image preprocessing open_clip's transforms read. */
export interface OpenClipConfigFile {
  model_cfg: OpenClipModelCfg;
  preprocess_cfg: { mean: number[]; std: number[]; interpolation: string; resize_mode: string; size: number };
}

const TIMM_EPS = 1e-6;
const TORCH_EPS = 1e-5;

/** Which values of these fields open_clip's defaults mean "feature off"; other values are refused. */
const VISION_OFF: Json = {
  ls_init_value: null, patch_dropout: 0, attentional_pool: false, pos_embed_type: "learnable", final_ln_after_pool: false,
  pool_type: "tok", output_tokens: false, scaled_cosine_attn: false, scale_heads: false, scale_attn_inner: false,
  scale_attn: false, scale_fc: false, act_kwargs: null, image_seq_len: null, block_type: null, timm_drop: 0, timm_drop_path: null,
};
const TEXT_OFF: Json = {
  text_arch: "clip", hf_model_name: null, ls_init_value: null, embed_cls: false, no_causal_mask: false,
  final_ln_after_pool: false, pool_type: "argmax", proj_bias: false, proj_type: "linear", output_tokens: false, qk_norm: false,
  scaled_cosine_attn: false, scale_heads: false, scale_attn_inner: false, scale_attn: false, scale_fc: false, act_kwargs: null,
  variable_text: false, tokenizer_type: "", tokenizer_mode: null, tokenizer_kwargs: null, pad_id: 0, block_type: null,
};
const VISION_USED = ["image_size", "layers", "width", "patch_size", "head_width", "mlp_ratio", "no_ln_pre", "qk_norm", "norm_kwargs",
  "timm_model_name", "timm_model_pretrained", "timm_pool", "timm_proj", "timm_proj_bias", "timm_model_kwargs"];
// hf_tokenizer_name names where the tokenizer is (the export folder for learned merges); the model ignores it.
const TEXT_USED = ["context_length", "vocab_size", "width", "heads", "layers", "mlp_ratio", "norm_kwargs", "eos_id", "bos_id", "hf_tokenizer_name"];

function obj(v: unknown, key: string, where: string): Json {
  if (v === null || typeof v !== "object" || Array.isArray(v)) throw new ConfigError(`${where}: '${key}' must be an object`, key);
  return v as Json;
}

function num(o: Json, k: string, where: string, dflt?: number): number {
  const v = o[k] ?? dflt;
  if (typeof v !== "number" || !Number.isFinite(v)) throw new ConfigError(`${where}: '${k}' must be a number, got ${JSON.stringify(v)}`, k);
  return v;
}

/** open_clip's "feature off" value: the default itself, or an empty value where the default is None. */
const isOff = (v: unknown, off: unknown): boolean =>
  v === off || (off === null && (v === null || v === "" || (typeof v === "object" && v !== null && Object.keys(v).length === 0)));

/** Refuses fields laclip does not model, unless they hold open_clip's "off" value. */
function refuseUnknown(o: Json, used: string[], off: Json, prefix: string, where: string): void {
  for (const [k, v] of Object.entries(o)) {
    if (used.includes(k) || (k in off && isOff(v, off[k]))) continue;
    throw new ConfigError(`${where}: ${prefix}.${k} = ${JSON.stringify(v)} is an open_clip feature laclip does not implement`, `${prefix}.${k}`);
  }
}

function eps(o: Json, prefix: string, where: string, dflt: number): number {
  if (o["norm_kwargs"] === undefined || o["norm_kwargs"] === null) return dflt;
  const nk = obj(o["norm_kwargs"], `${prefix}.norm_kwargs`, where);
  for (const k of Object.keys(nk)) if (k !== "eps") throw new ConfigError(`${where}: ${prefix}.norm_kwargs.${k} is not supported (only eps)`, `${prefix}.norm_kwargs.${k}`);
  return nk["eps"] === undefined ? dflt : num(nk, "eps", where);
}

function heads(width: number, headWidth: number, key: string, where: string): number {
  if (!(headWidth > 0) || width % headWidth !== 0) throw new ConfigError(`${where}: ${key} ${headWidth} does not divide width ${width}`, key);
  return width / headWidth;
}

function meanStd(pre: Json | undefined, where: string): ImageMeanStd | undefined {
  const mean = pre?.["mean"];
  if (!Array.isArray(mean)) return undefined;
  for (const [name, n] of Object.entries(NORMALISATIONS)) {
    if (n.mean.every((m, i) => Math.abs(m - Number(mean[i])) < 1e-6)) return name as ImageMeanStd;
  }
  throw new ConfigError(`${where}: preprocess_cfg.mean ${JSON.stringify(mean)} is neither OpenAI's nor ImageNet's mean`, "preprocess_cfg.mean");
}

/**
 * A ClipConfig from an open_clip model config (bare, or an `open_clip_config.json` with model_cfg and
 * preprocess_cfg). `where` names the file in errors.
 */
export function fromOpenClipConfig(json: unknown, where: string): ClipConfig {
  const root = obj(json, "config", where);
  const m = root["model_cfg"] === undefined ? root : obj(root["model_cfg"], "model_cfg", where);
  const pre = root["preprocess_cfg"] === undefined ? undefined : obj(root["preprocess_cfg"], "preprocess_cfg", where);
  for (const k of Object.keys(m)) {
    if (!["embed_dim", "quick_gelu", "vision_cfg", "text_cfg", "init_logit_scale", "custom_text", "cast_dtype"].includes(k)) {
      throw new ConfigError(`${where}: '${k}' is an open_clip model option laclip does not implement`, k);
    }
  }
  const v = obj(m["vision_cfg"], "vision_cfg", where);
  const t = obj(m["text_cfg"], "text_cfg", where);
  refuseUnknown(v, VISION_USED, VISION_OFF, "vision_cfg", where);
  refuseUnknown(t, TEXT_USED, TEXT_OFF, "text_cfg", where);
  const quick = m["quick_gelu"] === true;
  const textAct: Activation = quick ? "quick_gelu" : "gelu";
  const tWidth = num(t, "width", where, 512);
  const text = {
    contextLength: num(t, "context_length", where, 77), vocabSize: num(t, "vocab_size", where, 49408), width: tWidth,
    heads: num(t, "heads", where, 8), layers: num(t, "layers", where, 12), mlpRatio: num(t, "mlp_ratio", where, 4),
    lnEps: eps(t, "text_cfg", where, TORCH_EPS), activation: textAct,
  };
  const imageMeanStd = meanStd(pre, where);
  const initLogitScale = m["init_logit_scale"] === undefined ? undefined : num(m, "init_logit_scale", where);
  if (typeof v["timm_model_name"] === "string" && v["timm_model_name"] !== "") {
    return resolveClipConfig({ layout: "laclip", embedDim: num(m, "embed_dim", where), vision: timmVision(v, where), text, imageMeanStd, initLogitScale });
  }
  if (Array.isArray(v["layers"])) throw new ConfigError(`${where}: vision_cfg.layers is a list (a ResNet image tower); laclip builds ViTs only`, "vision_cfg.layers");
  if (v["qk_norm"] === true) {
    throw new ConfigError(`${where}: vision_cfg.qk_norm in open_clip's own ViT is not implemented; laclip's qk-norm ViT is the timm form (vision_cfg.timm_model_name)`, "vision_cfg.qk_norm");
  }
  const width = num(v, "width", where, 768);
  return resolveClipConfig({
    layout: "open_clip",
    embedDim: num(m, "embed_dim", where),
    vision: {
      imageSize: num(v, "image_size", where, 224), patchSize: num(v, "patch_size", where, 16), width, layers: num(v, "layers", where, 12),
      heads: heads(width, num(v, "head_width", where, 64), "vision_cfg.head_width", where), mlpRatio: num(v, "mlp_ratio", where, 4),
      lnEps: eps(v, "vision_cfg", where, TORCH_EPS), lnPre: v["no_ln_pre"] !== true, patchBias: false, qkNorm: false,
      activation: textAct,
    },
    text, imageMeanStd, initLogitScale,
  });
}

function timmVision(v: Json, where: string): ClipConfig["vision"] | Partial<ClipConfig["vision"]> {
  const kw = v["timm_model_kwargs"] === undefined || v["timm_model_kwargs"] === null ? {} : obj(v["timm_model_kwargs"], "vision_cfg.timm_model_kwargs", where);
  if ((v["timm_pool"] ?? "avg") !== "token" || (v["timm_proj"] ?? "linear") !== "linear" || v["timm_proj_bias"] === true) {
    throw new ConfigError(`${where}: a timm image tower must have timm_pool "token", timm_proj "linear" and no projection bias to be a LaCLIP ViT`, "vision_cfg.timm_pool");
  }
  for (const k of Object.keys(kw)) {
    if (!["img_size", "patch_size", "embed_dim", "depth", "num_heads", "mlp_ratio", "qk_norm", "pre_norm"].includes(k)) {
      throw new ConfigError(`${where}: vision_cfg.timm_model_kwargs.${k} is not supported`, `vision_cfg.timm_model_kwargs.${k}`);
    }
  }
  const preNorm = kw["pre_norm"] === true;
  return {
    imageSize: num(kw, "img_size", where, num(v, "image_size", where, 224)), patchSize: num(kw, "patch_size", where, 16),
    width: num(kw, "embed_dim", where), layers: num(kw, "depth", where), heads: num(kw, "num_heads", where), mlpRatio: num(kw, "mlp_ratio", where, 4),
    lnEps: TIMM_EPS, qkNorm: kw["qk_norm"] === true, qkNormEps: TIMM_EPS, lnPre: preNorm, patchBias: !preNorm, activation: "gelu",
  };
}

function timmName(width: number): string {
  return width === 384 ? "vit_small_patch16_224" : width === 1024 ? "vit_large_patch16_224" : "vit_base_patch16_224";
}

/**
 * What open_clip cannot express in `c`, one phrase each (empty: exportable). The patch-convolution bias is
 * not in this list: the exporter folds it into the position embedding, which is exact.
 */
export function openClipUnsupported(c: ClipConfig): string[] {
  const v = c.vision;
  const out: string[] = [];
  if (c.layout === "open_clip") {
    if (v.activation !== c.text.activation) out.push(`different activations in the two towers (${v.activation} / ${c.text.activation}; open_clip's quick_gelu sets both)`);
    return out;
  }
  if (v.activation !== "gelu") out.push(`a ${v.activation} timm image tower (open_clip's timm towers use GELU)`);
  if (v.lnEps !== TIMM_EPS) out.push(`image LayerNorm eps ${v.lnEps} (timm's is ${TIMM_EPS})`);
  if (v.qkNorm && v.qkNormEps !== TIMM_EPS) out.push(`qk-norm eps ${v.qkNormEps} (timm's is ${TIMM_EPS})`);
  return out;
}

function epsKw(e: number): Json {
  return e === TORCH_EPS ? {} : { norm_kwargs: { eps: e } };
}

/** open_clip's model config for `c`; throws a ConfigError naming what open_clip cannot express. */
export function toOpenClipConfig(c: ClipConfig): OpenClipConfigFile {
  const bad = openClipUnsupported(c);
  if (bad.length > 0) throw new ConfigError(`open_clip cannot represent this model: ${bad.join("; ")}`, "format");
  const v = c.vision;
  const t = c.text;
  const text_cfg: Json = {
    context_length: t.contextLength, vocab_size: t.vocabSize, width: t.width, heads: t.heads, layers: t.layers, mlp_ratio: t.mlpRatio, ...epsKw(t.lnEps),
  };
  const vision_cfg: Json = c.layout === "open_clip"
    ? {
      image_size: v.imageSize, layers: v.layers, width: v.width, patch_size: v.patchSize, head_width: v.width / v.heads, mlp_ratio: v.mlpRatio,
      ...(v.lnPre ? {} : { no_ln_pre: true }), ...epsKw(v.lnEps),
    }
    : {
      image_size: v.imageSize, timm_model_name: timmName(v.width), timm_model_pretrained: false, timm_pool: "token", timm_proj: "linear",
      timm_proj_bias: false,
      timm_model_kwargs: {
        img_size: v.imageSize, patch_size: v.patchSize, embed_dim: v.width, depth: v.layers, num_heads: v.heads, mlp_ratio: v.mlpRatio,
        qk_norm: v.qkNorm, pre_norm: v.lnPre,
      },
    };
  const { mean, std } = NORMALISATIONS[c.imageMeanStd];
  return {
    model_cfg: { embed_dim: c.embedDim, quick_gelu: t.activation === "quick_gelu", vision_cfg, text_cfg, init_logit_scale: c.initLogitScale },
    preprocess_cfg: { mean: [...mean], std: [...std], interpolation: "bicubic", resize_mode: "shortest", size: v.imageSize },
  };
}
