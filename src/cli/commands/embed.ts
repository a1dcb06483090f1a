/**
 * `laclip embed --checkpoint X [--images DIR] [--texts FILE] --out F`: L2-normalised embeddings of image files
 * and/or text lines with a checkpoint of either layout, written as safetensors (format: docs/models.md).
 */
import { parseArgs } from "node:util";
import { checkOutputFile } from "../output.js";
import { ConfigError } from "../../errors/config_error.js";
import type { Resampler } from "../../image/index.js";
import type { Activation } from "../../models/clip/config.js";
import type { ClipOverrides } from "../../models/clip/detect.js";
import { embedToFile } from "../../models/clip/embed.js";

export const summary = "write L2-normalised image and/or text embeddings of a checkpoint (either layout) to safetensors";

const USAGE = `usage: laclip embed --checkpoint X [--images DIR] [--texts FILE] --out F.safetensors
                    [--batch 64] [--merges FILE] [--resampler libvips|pillow]
                    [--vision-heads N] [--text-heads N] [--vision-activation gelu|quick_gelu]
                    [--text-activation gelu|quick_gelu] [--vision-ln-eps E] [--text-ln-eps E]
  --checkpoint  a .pt (LaCLIP / open_clip torch.save), a .safetensors, or a project checkpoint directory
  --images      directory searched recursively for .jpg/.jpeg/.png/.webp/.gif/.tif/.tiff/.heic/.heif files
  --texts       text file, one text per line
  --merges      CLIP BPE merges file (default $LACLIP_BPE); needed with --texts
  The --vision-*/--text-* options override what the checkpoint cannot tell (heads when widths are not
  multiples of 64, activations and LayerNorm epsilons of weights trained unlike the released models).`;

const STRING = { type: "string" } as const;

function int(v: string | undefined, key: string): number | undefined {
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v) || Number(v) < 1) throw new ConfigError(`--${key} must be a positive integer, got '${v}'`, key);
  return Number(v);
}

function num(v: string | undefined, key: string): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new ConfigError(`--${key} must be a positive number, got '${v}'`, key);
  return n;
}

function act(v: string | undefined, key: string): Activation | undefined {
  if (v === undefined) return undefined;
  if (v !== "gelu" && v !== "quick_gelu") throw new ConfigError(`--${key} must be gelu or quick_gelu, got '${v}'`, key);
  return v;
}

export async function run(argv: string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        checkpoint: STRING, images: STRING, texts: STRING, out: STRING, batch: STRING, merges: STRING, resampler: STRING,
        "vision-heads": STRING, "text-heads": STRING, "vision-activation": STRING, "text-activation": STRING,
        "vision-ln-eps": STRING, "text-ln-eps": STRING, help: { type: "boolean", short: "h" },
      },
      strict: true,
    }));
  } catch (err) {
    throw new ConfigError(`${(err as Error).message}\n${USAGE}`, "argv", { cause: err });
  }
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  if (values.checkpoint === undefined) throw new ConfigError(`give --checkpoint\n${USAGE}`, "checkpoint");
  if (values.out === undefined) throw new ConfigError(`give --out FILE.safetensors\n${USAGE}`, "out");
  checkOutputFile(values.out, "--out");
  const resampler = values.resampler;
  if (resampler !== undefined && resampler !== "libvips" && resampler !== "pillow") {
    throw new ConfigError(`--resampler must be libvips or pillow, got '${resampler}'`, "resampler");
  }
  const overrides: ClipOverrides = {
    vision: clean({ heads: int(values["vision-heads"], "vision-heads"), activation: act(values["vision-activation"], "vision-activation"), lnEps: num(values["vision-ln-eps"], "vision-ln-eps") }),
    text: clean({ heads: int(values["text-heads"], "text-heads"), activation: act(values["text-activation"], "text-activation"), lnEps: num(values["text-ln-eps"], "text-ln-eps") }),
  };
  const anyOverride = Object.keys(overrides.vision!).length + Object.keys(overrides.text!).length > 0;
  const result = await embedToFile({
    checkpoint: values.checkpoint, images: values.images, texts: values.texts, out: values.out,
    batch: int(values.batch, "batch"), merges: values.merges, resampler: resampler as Resampler | undefined,
    overrides: anyOverride ? overrides : undefined,
  });
  console.log(JSON.stringify({ out: values.out, ...result }));
  return 0;
}

function clean<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
