/**
 * The options every command that loads a checkpoint shares (embed, eval, export), parsed in one place:
 * `--checkpoint`, `--model NAME|config.json` (as open_clip's --model beside --pretrained) and the
 * `--vision-*` / `--text-*` overrides of what a checkpoint cannot show.
 */
import { ConfigError } from "../errors/config_error.js";
import type { ClipOverrides } from "../models/clip/detect.js";

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

function int(v: string | undefined, key: string): number | undefined {
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v) || Number(v) < 1) throw new ConfigError(`--${key} must be a positive integer, got '${v}'`, key);
  return Number(v);
}

function positive(v: string | undefined, key: string): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (v.trim() === "" || !Number.isFinite(n) || n <= 0) throw new ConfigError(`--${key} must be a positive number, got '${v}'`, key);
  return n;
}

function activation(v: string | undefined, key: string): "gelu" | "quick_gelu" | undefined {
  if (v === undefined) return undefined;
  if (v !== "gelu" && v !== "quick_gelu") throw new ConfigError(`--${key} must be gelu or quick_gelu, got '${v}'`, key);
  return v;
}

/** The parsed checkpoint options; `usage` is appended to the error when --checkpoint is missing. */
export function checkpointChoice(v: Values, usage: string): CheckpointChoice {
  if (v.checkpoint === undefined || v.checkpoint === "") throw new ConfigError(`--checkpoint is required\n${usage}`, "checkpoint");
  const tower = (t: "vision" | "text") => {
    const o = {
      heads: int(v[`${t}-heads`], `${t}-heads`),
      activation: activation(v[`${t}-activation`], `${t}-activation`),
      lnEps: positive(v[`${t}-ln-eps`], `${t}-ln-eps`),
    };
    return Object.fromEntries(Object.entries(o).filter(([, x]) => x !== undefined));
  };
  const vision = tower("vision");
  const text = tower("text");
  const any = Object.keys(vision).length + Object.keys(text).length > 0;
  return { checkpoint: v.checkpoint, model: v.model, overrides: any ? { vision, text } : undefined };
}
