/**
 * Loading any CLIP checkpoint into a model, and saving the project's own.
 *
 * Project checkpoints are a directory with `model.safetensors` (the state dict, keys as the layout names
 * them, with the config JSON also in its metadata under `laclip.config`) and `config.json` (the same config,
 * for people). Each file is written atomically (temporary file, fsync, rename); because the weights file
 * carries its own config, a reader never pairs weights with another save's config. Optimizer and trainer
 * state belong in a separate file written by the trainer.
 */
import { mkdir, readdir, readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { ConfigError } from "../../errors/config_error.js";
import type { HostTensor } from "../../io/host_tensor.js";
import { writeFileAtomic, writeAll } from "../../io/file/atomic_write.js";
import { readSafetensors } from "../../io/safetensors/reader.js";
import { writeSafetensors } from "../../io/safetensors/writer.js";
import { StateDictError, type FactoryOptions, type MismatchedKey } from "../../nn/index.js";
import { readCheckpointWeights, type CheckpointFormat } from "./checkpoint_read.js";
import { resolveClipConfig, type ClipConfig } from "./config.js";
import { detectClipConfig, type ClipOverrides } from "./detect.js";
import { CLIP } from "./model.js";
import { configBeside, resolveModelSpec } from "./model_spec.js";
import { expectedStateShapes } from "./state_shapes.js";

export const WEIGHTS_FILE = "model.safetensors";
export const CONFIG_FILE = "config.json";
const CONFIG_METADATA_KEY = "laclip.config";

export interface LoadClipOptions extends Omit<FactoryOptions, "generator"> {
  /** Fields to force over what detection finds (heads, epsilons, activations; see detect.ts). */
  overrides?: ClipOverrides;
  /** Skip detection and use this config (the weights must still fit it). */
  config?: ClipConfig;
  /**
   * `NAME|FILE.json` as the CLI's `--model` (model_spec.ts): a built-in name or a laclip / open_clip config file.
   * Without it (and without `config`), a file's own config wins: its metadata, else a config.json or
   * open_clip_config.json beside it; only then are shapes inferred.
   */
  model?: string;
}

export interface LoadedClip {
  model: CLIP;
  config: ClipConfig;
  source: CheckpointFormat | "project";
  /** How the file was read and the config chosen, one line each. */
  notes: string[];
}

const sameShape = (a: readonly number[], b: readonly number[]): boolean => a.length === b.length && a.every((s, i) => s === b[i]);

/** Throws one StateDictError listing every missing, unexpected and mis-shaped key of `tensors` against `config`. */
export function checkWeightsFit(tensors: ReadonlyMap<string, { readonly shape: readonly number[] }>, config: ClipConfig, file: string, notes: readonly string[] = []): void {
  const expected = expectedStateShapes(config);
  const missingKeys = [...expected.keys()].filter((k) => !tensors.has(k));
  const unexpectedKeys = [...tensors.keys()].filter((k) => !expected.has(k));
  const mismatchedKeys: MismatchedKey[] = [];
  for (const [k, shape] of expected) {
    const t = tensors.get(k);
    if (t !== undefined && !sameShape(shape, t.shape)) mismatchedKeys.push({ key: k, expected: shape, got: [...t.shape] });
  }
  if (missingKeys.length + unexpectedKeys.length + mismatchedKeys.length === 0) return;
  const v = config.vision;
  const t = config.text;
  const summary = `${config.layout} layout, image ${v.imageSize}/${v.patchSize} width ${v.width} x ${v.layers} layers, ` +
    `text width ${t.width} x ${t.layers} layers context ${t.contextLength}, embed ${config.embedDim}`;
  throw new StateDictError(
    `${file} does not fit the model it describes (${summary})`,
    { missingKeys, unexpectedKeys, mismatchedKeys },
    `Nothing was loaded.${notes.length > 0 ? ` Detection: ${notes.join("; ")}.` : ""} Check the file is a complete CLIP checkpoint of this layout, or override the config fields that were guessed`,
  );
}

async function isDirectory(path: string): Promise<boolean> {
  return (await stat(path).catch(() => undefined))?.isDirectory() ?? false;
}

/**
 * A `laclip train` output folder (no weights of its own, a `checkpoints/step-N` folder per checkpoint) stands for
 * its newest checkpoint that has weights; any other folder stands for itself.
 */
async function newestRunCheckpoint(dir: string, notes: string[]): Promise<string> {
  if (await stat(join(dir, WEIGHTS_FILE)).catch(() => undefined)) return dir;
  const steps = (await readdir(join(dir, "checkpoints")).catch(() => [] as string[]))
    .filter((n) => /^step-\d+$/.test(n))
    .sort((a, b) => Number(b.slice(5)) - Number(a.slice(5)));
  for (const name of steps) {
    const candidate = join(dir, "checkpoints", name);
    if (await stat(join(candidate, WEIGHTS_FILE)).catch(() => undefined)) {
      notes.push(`the run's newest checkpoint: ${candidate}`);
      return candidate;
    }
  }
  return dir;
}

/** A project checkpoint directory's config and weights; the config in the weights' metadata wins. */
async function readProjectCheckpoint(given: string, notes: string[]): Promise<{ config: ClipConfig; tensors: Map<string, HostTensor> }> {
  const dir = await newestRunCheckpoint(given, notes);
  const weights = join(dir, WEIGHTS_FILE);
  if (!(await stat(weights).catch(() => undefined))) {
    throw new ConfigError(`'${dir}' is a directory without ${WEIGHTS_FILE}; give a project checkpoint directory or a .pt/.safetensors file`, "checkpoint");
  }
  const { tensors, metadata } = await readSafetensors(weights);
  let text = metadata?.[CONFIG_METADATA_KEY];
  if (text !== undefined) notes.push(`config from ${WEIGHTS_FILE} metadata`);
  else {
    text = await readFile(join(dir, CONFIG_FILE), "utf8").catch(() => undefined);
    if (text === undefined) throw new ConfigError(`'${dir}' has neither a config in ${WEIGHTS_FILE} nor ${CONFIG_FILE}`, "checkpoint");
    notes.push(`config from ${CONFIG_FILE}`);
  }
  return { config: configFromText(text, `the model config of '${dir}'`), tensors };
}

/** A model config stored as JSON text (a file's `laclip.config` metadata, config.json), checked; `where` names it. */
function configFromText(text: string, where: string): ClipConfig {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new ConfigError(`${where} is not valid JSON (${(err as Error).message}); fix or remove it, or pass the model's settings as options`, "config", { cause: err });
  }
  try {
    return resolveClipConfig(parsed as ClipConfig);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    throw new ConfigError(`${where} is not a usable model config: ${err.message}; fix or remove it, or pass the model's settings as options`, "config", { cause: err });
  }
}

/** `config`, else `model` resolved (a built-in name or a config file), else undefined. */
async function givenConfig(o: LoadClipOptions, notes: string[]): Promise<ClipConfig | undefined> {
  if (o.config !== undefined) return resolveClipConfig(o.config);
  if (o.model === undefined) return undefined;
  notes.push(`config from --model ${o.model}`);
  return resolveModelSpec(o.model);
}

/** `c` with the fields of `o` forced (the CLI's --vision-heads and friends). */
function withOverrides(c: ClipConfig, o: ClipOverrides | undefined): ClipConfig {
  if (o === undefined) return c;
  return resolveClipConfig({
    ...c, embedDim: o.embedDim ?? c.embedDim, vision: { ...c.vision, ...o.vision }, text: { ...c.text, ...o.text },
    imageMeanStd: o.imageMeanStd ?? c.imageMeanStd,
  });
}

/** Reads, detects, checks and loads a checkpoint of either layout (file or project directory) into a new CLIP. */
export async function loadClipCheckpoint(path: string, o: LoadClipOptions = {}): Promise<LoadedClip> {
  const notes: string[] = [];
  let config: ClipConfig;
  let tensors: Map<string, HostTensor>;
  let source: LoadedClip["source"];
  if (await isDirectory(path)) {
    ({ config, tensors } = await readProjectCheckpoint(path, notes));
    source = "project";
    const given = await givenConfig(o, notes);
    if (given !== undefined) config = given;
    else if (o.overrides !== undefined) config = withOverrides(config, o.overrides);
  } else {
    const w = await readCheckpointWeights(path);
    notes.push(...w.notes);
    tensors = w.tensors;
    source = w.format;
    const embedded = w.metadata?.[CONFIG_METADATA_KEY];
    const given = await givenConfig(o, notes);
    const beside = given === undefined && embedded === undefined ? await configBeside(path) : undefined;
    if (given !== undefined) config = given;
    else if (embedded !== undefined) {
      config = withOverrides(configFromText(embedded, `the '${CONFIG_METADATA_KEY}' metadata of ${path}`), o.overrides);
      notes.push("config from the file's metadata");
    } else if (beside !== undefined) {
      config = withOverrides(beside.config, o.overrides);
      notes.push(`config from ${beside.path} (beside the checkpoint)`);
    } else {
      const d = detectClipConfig(tensors, { args: w.args, overrides: o.overrides });
      config = d.config;
      notes.push(...d.notes);
    }
  }
  checkWeightsFit(tensors, config, path, notes);
  const model = new CLIP(config, { init: false, dtype: o.dtype, device: o.device });
  try {
    model.loadStateDict(tensors);
  } catch (err) {
    model.dispose();
    throw err;
  }
  return { model, config, source, notes };
}

/** Writes `dir/model.safetensors` and `dir/config.json` (creating dir), each atomically. */
export async function saveClipCheckpoint(model: CLIP, dir: string, o: { metadata?: Readonly<Record<string, string>> } = {}): Promise<{ weights: string; config: string }> {
  await mkdir(dir, { recursive: true });
  const json = JSON.stringify(model.config, null, 2);
  const weights = join(dir, WEIGHTS_FILE);
  const config = join(dir, CONFIG_FILE);
  await writeSafetensors(weights, model.hostStateDict(), { metadata: { ...o.metadata, [CONFIG_METADATA_KEY]: json, format: "pt" } });
  const bytes = new TextEncoder().encode(`${json}\n`);
  await writeFileAtomic(config, async (h) => void (await writeAll(h, bytes, 0)));
  return { weights, config };
}
