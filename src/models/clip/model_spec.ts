/**
 * Where a model's config comes from when a checkpoint is loaded, as open_clip's `--model` with `--pretrained`:
 * - `--model NAME`: a built-in name (presets.ts: ViT-B-32, ViT-B-16, ViT-L-14 and their -quickgelu forms,
 *   laclip-vit-s16/b16/l16 with qk-norm, ...);
 * - `--model FILE.json`: laclip's own config (`{layout, ...}`) or an open_clip model config (bare, or an
 *   `open_clip_config.json` with `model_cfg`);
 * - otherwise a `config.json` or `open_clip_config.json` beside the checkpoint file, which wins over inference
 *   from tensor shapes (it knows heads, activations and epsilons that shapes cannot show).
 */
import { readFile, stat } from "node:fs/promises";
import { dirname, join } from "node:path";
import { ConfigError } from "../../errors/config_error.js";
import { resolveClipConfig, type ClipConfig } from "./config.js";
import { fromOpenClipConfig } from "./open_clip_config.js";
import { clipPreset, presetNames } from "./presets.js";

type ConfigForm = "laclip" | "laclip-in-hf" | "open_clip";

/** Which model-config form parsed JSON is in, if any. */
export function modelConfigForm(json: unknown): ConfigForm | undefined {
  if (json === null || typeof json !== "object" || Array.isArray(json)) return undefined;
  const o = json as Record<string, unknown>;
  if ("layout" in o) return "laclip";
  if ("laclip_config" in o) return "laclip-in-hf"; // the config.json of our Hugging Face exports
  if ("model_cfg" in o || ("embed_dim" in o && "vision_cfg" in o)) return "open_clip";
  return undefined;
}

/** A model config from parsed JSON in any form laclip reads; `where` names the file in errors. */
export function parseModelConfigJson(json: unknown, where: string): ClipConfig {
  const form = modelConfigForm(json);
  const o = json as Record<string, unknown>;
  if (form === "laclip") return resolveClipConfig(o as unknown as ClipConfig);
  if (form === "laclip-in-hf") return resolveClipConfig(o["laclip_config"] as ClipConfig);
  if (form === "open_clip") return fromOpenClipConfig(o, where);
  throw new ConfigError(`${where}: not a model config laclip knows (neither laclip's {layout, ...} nor open_clip's {embed_dim, vision_cfg, text_cfg})`, "model");
}

async function readJson(path: string): Promise<unknown> {
  const text = await readFile(path, "utf8").catch((err: NodeJS.ErrnoException) => {
    throw new ConfigError(`cannot read the model config '${path}': ${err.code ?? err.message}`, "model", { cause: err });
  });
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new ConfigError(`the model config '${path}' is not valid JSON: ${(err as Error).message}`, "model", { cause: err });
  }
  return json;
}

export async function readModelConfigFile(path: string): Promise<ClipConfig> {
  return parseModelConfigJson(await readJson(path), path);
}

/** `--model NAME|FILE.json` to a config: a file when the value ends in .json or names an existing file, else a built-in name. */
export async function resolveModelSpec(spec: string): Promise<ClipConfig> {
  const isFile = spec.endsWith(".json") || ((await stat(spec).catch(() => undefined))?.isFile() ?? false);
  if (isFile) return readModelConfigFile(spec);
  if (!presetNames().includes(spec)) {
    throw new ConfigError(`--model '${spec}' is neither a .json model config nor a built-in name; built-in: ${presetNames().join(", ")}`, "model");
  }
  return clipPreset(spec);
}

/** Config files looked for beside a checkpoint file, in this order. */
export const CONFIGS_BESIDE = ["open_clip_config.json", "config.json"];

/** The config in a file beside checkpoint `file`, if there is one; JSON files in no model-config form are passed over. */
export async function configBeside(file: string): Promise<{ config: ClipConfig; path: string } | undefined> {
  for (const name of CONFIGS_BESIDE) {
    const path = join(dirname(file), name);
    if (!(await stat(path).then((s) => s.isFile(), () => false))) continue;
    const json = await readJson(path);
    if (modelConfigForm(json) !== undefined) return { config: parseModelConfigJson(json, path), path };
  }
  return undefined;
}
