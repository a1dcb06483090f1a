/**
 * `laclip eval`: zero-shot classification accuracy of a checkpoint on an image folder or a path,label list,
 * written as a CLIP_benchmark-style JSON result. Only option parsing lives here (library: src/eval/;
 * formats and meaning of the numbers: docs/eval.md).
 */
import { parseArgs } from "node:util";
import type { Device } from "../../engine/index.js";
import { ConfigError } from "../../errors/config_error.js";
import { evalFromFiles } from "../../eval/index.js";
import { checkOutputFile } from "../output.js";
import type { ClipOverrides } from "../../models/clip/index.js";

export const summary = "zero-shot classification accuracy of a checkpoint (CLIP_benchmark-style JSON result)";

const USAGE = `usage: laclip eval --checkpoint CKPT --images DIR|LIST --classes FILE [options]     (docs/eval.md)
  --checkpoint  LaCLIP/open_clip .pt, .safetensors, or a project checkpoint directory
  --images      ImageFolder directory (DIR/<class>/<image>) or a .csv/.jsonl list of path,label
  --classes     class names: JSON list (items may be lists of synonyms) or text, one per line
  --templates   JSON list or text file of prompts with {}, or the built-in 'laclip-7' (default)
  --folder-map  JSON {"folder": classIndex} when the folders are not in class order
  --image-root  folder the relative paths of a label list are under (default: the list's folder)
  --dataset     name in the result (default: the images' base name)
  --merges      CLIP BPE merges file (default: $LACLIP_BPE)
  --batch N     images per batch (default 64)      --workers N   decode threads (default 0: inline)
  --dtype       fp32 (default) or bf16 autocast     --device      cpu (default), cuda, cuda:N
  --resampler   libvips (default) or pillow (bit-exact to Pillow, slower)
  --out FILE    write the full result JSON there; stdout then gets one summary line
  --vision-heads N  --text-heads N  --vision-activation A  --text-activation A  --vision-ln-eps E  --text-ln-eps E
                override what the checkpoint cannot show (as in 'laclip embed'; A is gelu or quick_gelu)`;

const OPTIONS = {
  checkpoint: { type: "string" }, images: { type: "string" }, classes: { type: "string" }, templates: { type: "string" },
  "folder-map": { type: "string" }, "image-root": { type: "string" }, dataset: { type: "string" }, merges: { type: "string" },
  batch: { type: "string" }, workers: { type: "string" }, dtype: { type: "string" }, device: { type: "string" },
  resampler: { type: "string" }, out: { type: "string" }, help: { type: "boolean", short: "h" },
  "vision-heads": { type: "string" }, "text-heads": { type: "string" }, "vision-activation": { type: "string" },
  "text-activation": { type: "string" }, "vision-ln-eps": { type: "string" }, "text-ln-eps": { type: "string" },
} as const;

type Values = ReturnType<typeof parseArgs<{ options: typeof OPTIONS }>>["values"];

function int(v: string | undefined, key: string, min: number): number | undefined {
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v) || Number(v) < min) throw new ConfigError(`--${key} must be an integer >= ${min}, got '${v}'`, key);
  return Number(v);
}

function required(v: string | undefined, key: string): string {
  if (v === undefined || v === "") throw new ConfigError(`--${key} is required\n${USAGE}`, key);
  return v;
}

function oneOf<T extends string>(v: string | undefined, key: string, choices: readonly T[]): T | undefined {
  if (v === undefined) return undefined;
  if (!(choices as readonly string[]).includes(v)) throw new ConfigError(`--${key} must be one of ${choices.join(", ")}, got '${v}'`, key);
  return v as T;
}

function positive(v: string | undefined, key: string): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (v.trim() === "" || !Number.isFinite(n) || n <= 0) throw new ConfigError(`--${key} must be a positive number, got '${v}'`, key);
  return n;
}

/** The --vision-* / --text-* options as model overrides; undefined when none is given. */
function overrides(v: Values): ClipOverrides | undefined {
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
  return Object.keys(vision).length + Object.keys(text).length === 0 ? undefined : { vision, text };
}

export async function run(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: OPTIONS, allowPositionals: false, strict: true });
  } catch (err) {
    throw new ConfigError(`${(err as Error).message}\n${USAGE}`, "argv", { cause: err });
  }
  const v = parsed.values;
  if (v.help) {
    console.log(USAGE);
    return 0;
  }
  if (v.out !== undefined) checkOutputFile(v.out, "--out");
  let reported = 0;
  const result = await evalFromFiles({
    checkpoint: required(v.checkpoint, "checkpoint"),
    images: required(v.images, "images"),
    classes: required(v.classes, "classes"),
    templates: v.templates ?? "laclip-7",
    folderMap: v["folder-map"],
    imageRoot: v["image-root"],
    dataset: v.dataset,
    merges: v.merges,
    batch: int(v.batch, "batch", 1),
    workers: int(v.workers, "workers", 0),
    bf16: oneOf(v.dtype, "dtype", ["fp32", "bf16"] as const) === "bf16",
    device: v.device as Device | undefined,
    resampler: oneOf(v.resampler, "resampler", ["libvips", "pillow"] as const),
    out: v.out,
    overrides: overrides(v),
    log: (line) => console.error(`laclip eval: ${line}`),
    onProgress: (done, total) => {
      // about ten lines per run, whatever its size
      if (done === total || done >= reported + total / 10) {
        reported = done;
        console.error(`laclip eval: ${done}/${total} images`);
      }
    },
  });
  if (v.out === undefined) console.log(JSON.stringify(result, null, 2));
  else {
    const { dataset, model, pretrained, metrics, n_images, n_classes, n_skipped } = result;
    console.log(JSON.stringify({ dataset, model, pretrained, metrics, n_images, n_classes, n_skipped, out: v.out }));
  }
  return 0;
}
