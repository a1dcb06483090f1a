/**
 * The options every command that loads a checkpoint shares (embed, eval, export), parsed in one place:
 * `--checkpoint`, `--model NAME|config.json` (as open_clip's --model beside --pretrained) and the
 * `--vision-*` / `--text-*` overrides of what a checkpoint cannot show.
 */
import { UsageError } from "../errors/usage_error.js";
import type { ClipOverrides } from "../models/clip/detect.js";
import { intOption as int, oneOfOption as oneOf, positiveOption as positive } from "./option_values.js";

export const CHECKPOINT_OPTIONS = {
  checkpoint: { type: "string" }, model: { type: "string" },
  "vision-heads": { type: "string" }, "text-heads": { type: "string" }, "vision-activation": { type: "string" },
  "text-activation": { type: "string" }, "vision-ln-eps": { type: "string" }, "text-ln-eps": { type: "string" },
} as const;

export const CHECKPOINT_USAGE = `  --checkpoint  a .pt (LaCLIP / open_clip torch.save), a .safetensors, or a project checkpoint directory
  --model       NAME (ViT-B-32, ViT-B-16, ViT-L-14 and -quickgelu forms, laclip-vit-s16/b16/l16, ...) or a
                config.json (laclip's, or open_clip's model config / open_clip_config.json). Default: the
                checkpoint's own config (metadata, or config.json / open_clip_config.json beside it), else
                inferred from tensor shapes
  --vision-heads N  --text-heads N  --vision-activation gelu|quick_gelu  --text-activation gelu|quick_gelu
  --vision-ln-eps E  --text-ln-eps E
                force what the checkpoint cannot show (heads when widths are not multiples of 64, activations
                and LayerNorm epsilons of weights trained unlike the released models)`;

type Values = { [K in keyof typeof CHECKPOINT_OPTIONS]?: string };

export interface CheckpointChoice {
  checkpoint: string;
  model?: string;
  overrides?: ClipOverrides;
}

/** The parsed checkpoint options; `usage` is appended to the error when --checkpoint is missing. */
export function checkpointChoice(v: Values, usage: string): CheckpointChoice {
  if (v.checkpoint === undefined || v.checkpoint === "") throw new UsageError(`give --checkpoint (a .pt, a .safetensors, or a checkpoint or run folder)\n${usage}`, "checkpoint");
  const tower = (t: "vision" | "text") => {
    const o = {
      heads: int(v[`${t}-heads`], `${t}-heads`, 1),
      activation: oneOf(v[`${t}-activation`], `${t}-activation`, ["gelu", "quick_gelu"] as const),
      lnEps: positive(v[`${t}-ln-eps`], `${t}-ln-eps`),
    };
    return Object.fromEntries(Object.entries(o).filter(([, x]) => x !== undefined));
  };
  const vision = tower("vision");
  const text = tower("text");
  const any = Object.keys(vision).length + Object.keys(text).length > 0;
  return { checkpoint: v.checkpoint, model: v.model, overrides: any ? { vision, text } : undefined };
}
