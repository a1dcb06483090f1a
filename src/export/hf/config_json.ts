/**
 * transformers' `config.json` (CLIPConfig, model_type `clip`) and `preprocessor_config.json` (CLIPImageProcessor)
 * for a laclip model config. Field names are transformers' (models/clip/configuration_clip.py); the full laclip
 * config rides along under `laclip_config`, so nothing about the model is lost even where transformers cannot
 * express it (qk-norm, no ln_pre: see `hfUnsupported`).
 */
import { NORMALISATIONS } from "../../image/normalisation.js";
import type { ClipConfig } from "../../models/clip/index.js";

/** Token ids the text model config names (from the tokenizer the model was trained with). */
export interface SpecialIds {
  bos: number;
  eos: number;
}

export function hfConfigJson(c: ClipConfig, ids: SpecialIds): object {
  const v = c.vision;
  const t = c.text;
  return {
    architectures: ["CLIPModel"],
    model_type: "clip",
    projection_dim: c.embedDim,
    logit_scale_init_value: c.initLogitScale,
    initializer_factor: 1.0,
    torch_dtype: "float32",
    text_config: {
      model_type: "clip_text_model",
      vocab_size: t.vocabSize,
      hidden_size: t.width,
      intermediate_size: t.mlpRatio * t.width,
      projection_dim: c.embedDim,
      num_hidden_layers: t.layers,
      num_attention_heads: t.heads,
      max_position_embeddings: t.contextLength,
      hidden_act: t.activation,
      layer_norm_eps: t.lnEps,
      attention_dropout: 0.0,
      dropout: 0.0,
      initializer_range: 0.02,
      initializer_factor: 1.0,
      // transformers pools the text at the first eos_token_id (eos 2 would mean the legacy argmax); CLIP's EOT
      // is the largest id, so both pick the same position.
      bos_token_id: ids.bos,
      eos_token_id: ids.eos,
      pad_token_id: ids.eos,
    },
    vision_config: {
      model_type: "clip_vision_model",
      hidden_size: v.width,
      intermediate_size: v.mlpRatio * v.width,
      projection_dim: c.embedDim,
      num_hidden_layers: v.layers,
      num_attention_heads: v.heads,
      num_channels: 3,
      image_size: v.imageSize,
      patch_size: v.patchSize,
      hidden_act: v.activation,
      layer_norm_eps: v.lnEps,
      attention_dropout: 0.0,
      dropout: 0.0,
      initializer_range: 0.02,
      initializer_factor: 1.0,
    },
    laclip_config: c,
  };
}

/** The eval transform laclip uses (src/image: shortest side to the image size, bicubic, centre crop, mean/std). */
export function hfPreprocessorJson(c: ClipConfig): object {
  const s = c.vision.imageSize;
  const { mean, std } = NORMALISATIONS[c.imageMeanStd];
  return {
    image_processor_type: "CLIPImageProcessor",
    feature_extractor_type: "CLIPFeatureExtractor",
    processor_class: "CLIPProcessor",
    do_resize: true,
    size: { shortest_edge: s },
    resample: 3, // PIL bicubic
    do_center_crop: true,
    crop_size: { height: s, width: s },
    do_rescale: true,
    rescale_factor: 1 / 255,
    do_normalize: true,
    image_mean: [...mean],
    image_std: [...std],
    do_convert_rgb: true,
  };
}

/**
 * What transformers' CLIPModel cannot represent in `c`, one phrase each (empty: exportable). Its vision tower
 * always has pre_layrnorm, has no qk-norm, and uses one LayerNorm epsilon per tower.
 */
export function hfUnsupported(c: ClipConfig): string[] {
  const out: string[] = [];
  if (c.vision.qkNorm) out.push("qk-norm in the image tower (transformers' CLIPAttention has no q/k LayerNorms)");
  if (!c.vision.lnPre) out.push("an image tower without ln_pre (transformers' CLIPVisionTransformer always applies pre_layrnorm)");
  return out;
}
