/**
 * A laclip state dict in transformers' CLIPModel names and layouts (models/clip/modeling_clip.py):
 *   text_model.embeddings.{token_embedding,position_embedding}.weight, text_model.encoder.layers.N.
 *   {layer_norm1, self_attn.{q,k,v,out}_proj, layer_norm2, mlp.fc1, mlp.fc2}, text_model.final_layer_norm,
 *   vision_model.embeddings.{class_embedding, patch_embedding.weight, position_embedding.weight},
 *   vision_model.pre_layrnorm (sic), vision_model.encoder.layers.N..., vision_model.post_layernorm,
 *   text_projection.weight and visual_projection.weight (nn.Linear: (embed, width), our matrices transposed),
 *   logit_scale.
 * The packed in_proj / qkv rows (q, k, v) split into three Linears; a patch bias folds into the positions.
 */
import type { HostTensor } from "../../io/host_tensor.js";
import type { ClipConfig } from "../../models/clip/index.js";
import { chunkRows, foldPatchBias, reshape, transpose2d } from "../host_weights.js";

type Sd = ReadonlyMap<string, HostTensor>;

function take(sd: Sd, key: string): HostTensor {
  const t = sd.get(key);
  if (t === undefined) throw new RangeError(`the model has no '${key}'`);
  return t;
}

/** Names of one block's tensors in laclip's two block styles. */
const OPENAI_BLOCK = { ln1: "ln_1", qkvW: "attn.in_proj_weight", qkvB: "attn.in_proj_bias", out: "attn.out_proj", ln2: "ln_2", fc1: "mlp.c_fc", fc2: "mlp.c_proj" };
const TIMM_BLOCK = { ln1: "norm1", qkvW: "attn.qkv.weight", qkvB: "attn.qkv.bias", out: "attn.proj", ln2: "norm2", fc1: "mlp.fc1", fc2: "mlp.fc2" };

function block(out: Map<string, HostTensor>, sd: Sd, from: string, to: string, n: typeof OPENAI_BLOCK): void {
  const copy = (a: string, b: string) => {
    out.set(`${to}.${b}.weight`, take(sd, `${from}.${a}.weight`));
    out.set(`${to}.${b}.bias`, take(sd, `${from}.${a}.bias`));
  };
  copy(n.ln1, "layer_norm1");
  const [qw, kw, vw] = chunkRows(take(sd, `${from}.${n.qkvW}`), 3);
  const [qb, kb, vb] = chunkRows(take(sd, `${from}.${n.qkvB}`), 3);
  out.set(`${to}.self_attn.q_proj.weight`, qw!);
  out.set(`${to}.self_attn.q_proj.bias`, qb!);
  out.set(`${to}.self_attn.k_proj.weight`, kw!);
  out.set(`${to}.self_attn.k_proj.bias`, kb!);
  out.set(`${to}.self_attn.v_proj.weight`, vw!);
  out.set(`${to}.self_attn.v_proj.bias`, vb!);
  copy(n.out, "self_attn.out_proj");
  copy(n.ln2, "layer_norm2");
  copy(n.fc1, "mlp.fc1");
  copy(n.fc2, "mlp.fc2");
}

function ln(out: Map<string, HostTensor>, sd: Sd, from: string, to: string): void {
  out.set(`${to}.weight`, take(sd, `${from}.weight`));
  out.set(`${to}.bias`, take(sd, `${from}.bias`));
}

/** Call only for configs `hfUnsupported` accepts (ln_pre present, no qk-norm). */
export function hfStateDict(sd: Sd, c: ClipConfig): Map<string, HostTensor> {
  const out = new Map<string, HostTensor>();
  const t = c.text;
  out.set("text_model.embeddings.token_embedding.weight", take(sd, "token_embedding.weight"));
  out.set("text_model.embeddings.position_embedding.weight", take(sd, "positional_embedding"));
  for (let i = 0; i < t.layers; i++) block(out, sd, `transformer.resblocks.${i}`, `text_model.encoder.layers.${i}`, OPENAI_BLOCK);
  ln(out, sd, "ln_final", "text_model.final_layer_norm");
  out.set("text_projection.weight", transpose2d(take(sd, "text_projection")));

  const v = c.vision;
  const ve = "vision_model.embeddings";
  const tokens = (v.imageSize / v.patchSize) ** 2 + 1;
  const laclip = c.layout === "laclip";
  const bias = sd.get(laclip ? "visual.patch_embed.proj.bias" : "visual.conv1.bias");
  let pos = reshape(take(sd, laclip ? "visual.pos_embed" : "visual.positional_embedding"), [tokens, v.width]);
  if (bias !== undefined) pos = foldPatchBias(pos, bias);
  out.set(`${ve}.class_embedding`, reshape(take(sd, laclip ? "visual.cls_token" : "visual.class_embedding"), [v.width]));
  out.set(`${ve}.patch_embedding.weight`, take(sd, laclip ? "visual.patch_embed.proj.weight" : "visual.conv1.weight"));
  out.set(`${ve}.position_embedding.weight`, pos);
  ln(out, sd, laclip ? "visual.norm_pre" : "visual.ln_pre", "vision_model.pre_layrnorm");
  for (let i = 0; i < v.layers; i++) {
    const from = laclip ? `visual.blocks.${i}` : `visual.transformer.resblocks.${i}`;
    block(out, sd, from, `vision_model.encoder.layers.${i}`, laclip ? TIMM_BLOCK : OPENAI_BLOCK);
  }
  ln(out, sd, laclip ? "visual.norm" : "visual.ln_post", "vision_model.post_layernorm");
  out.set("visual_projection.weight", transpose2d(take(sd, laclip ? "image_projection" : "visual.proj")));
  out.set("logit_scale", take(sd, "logit_scale"));
  return out;
}
