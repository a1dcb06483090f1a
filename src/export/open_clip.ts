/**
 * `laclip export --format open_clip`: a folder open_clip loads with
 * `open_clip.create_model_and_transforms("local-dir:DIR")`: `open_clip_model.safetensors` with open_clip's key
 * names and layouts, and `open_clip_config.json` (`model_cfg`, `preprocess_cfg`; open_clip_config.ts).
 * - open_clip layout: the keys are already open_clip's (`visual.conv1`, `visual.transformer.resblocks.N`, ...);
 *   a patch bias, which open_clip's conv1 lacks, is folded into `visual.positional_embedding`.
 * - laclip layout: open_clip's timm tower, `visual.trunk.*` (timm's names, which are laclip's) and
 *   `visual.head.proj.weight` = image_projection transposed. timm's patch conv has a bias unless pre_norm: a
 *   missing one is written as zeros, an unwanted one folded into `pos_embed`.
 * The text tower keys are the same in all three. A tokenizer other than OpenAI's is written beside the weights
 * (tokenizer.json & co) and named by `text_cfg.hf_tokenizer_name`, which open_clip resolves to the folder.
 */
import { join } from "node:path";
import { writeSafetensors } from "../io/safetensors/writer.js";
import type { HostTensor } from "../io/host_tensor.js";
import { toOpenClipConfig } from "../models/clip/open_clip_config.js";
import type { ClipConfig } from "../models/clip/index.js";
import { foldPatchBias, transpose2d, zerosLike } from "./host_weights.js";
import { writeHfTextFiles } from "./hf/text_files.js";
import { writeJson, type ExportContext } from "./context.js";

export const OPEN_CLIP_WEIGHTS = "open_clip_model.safetensors";
export const OPEN_CLIP_CONFIG = "open_clip_config.json";

/** The state dict in open_clip's names and layouts. */
export function openClipStateDict(sd: ReadonlyMap<string, HostTensor>, c: ClipConfig): Map<string, HostTensor> {
  const out = new Map<string, HostTensor>();
  if (c.layout === "open_clip") {
    const bias = sd.get("visual.conv1.bias");
    for (const [k, t] of sd) {
      if (k === "visual.conv1.bias") continue;
      out.set(k, bias !== undefined && k === "visual.positional_embedding" ? foldPatchBias(t, bias) : t);
    }
    return out;
  }
  const timmHasBias = !c.vision.lnPre; // timm: patch_embed bias = not pre_norm
  const bias = sd.get("visual.patch_embed.proj.bias");
  for (const [k, t] of sd) {
    if (k === "image_projection") out.set("visual.head.proj.weight", transpose2d(t));
    else if (k === "visual.patch_embed.proj.bias") {
      if (timmHasBias) out.set("visual.trunk.patch_embed.proj.bias", t);
    } else if (k === "visual.pos_embed" && bias !== undefined && !timmHasBias) out.set("visual.trunk.pos_embed", foldPatchBias(t, bias));
    else if (k.startsWith("visual.")) out.set(`visual.trunk.${k.slice("visual.".length)}`, t);
    else out.set(k, t);
  }
  if (timmHasBias && bias === undefined) out.set("visual.trunk.patch_embed.proj.bias", zerosLike([c.vision.width], sd.get("visual.pos_embed")!));
  return out;
}

export async function exportOpenClip(ctx: ExportContext): Promise<string[]> {
  const cfg = toOpenClipConfig(ctx.config);
  const files: string[] = [];
  if (!ctx.openaiVocab) {
    (cfg.model_cfg.text_cfg as Record<string, unknown>)["hf_tokenizer_name"] = ".";
    files.push(...(await writeHfTextFiles(ctx.out, ctx.config, ctx.merges)));
    ctx.log(`the tokenizer is not OpenAI's CLIP vocabulary: wrote its Hugging Face tokenizer files beside the weights`);
  }
  const weights = join(ctx.out, OPEN_CLIP_WEIGHTS);
  await writeSafetensors(weights, openClipStateDict(ctx.model.hostStateDict(), ctx.config), { metadata: { format: "pt" } });
  const config = join(ctx.out, OPEN_CLIP_CONFIG);
  await writeJson(config, cfg);
  return [weights, config, ...files];
}
