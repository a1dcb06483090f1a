/**
 * Training checkpoints: `<output>/checkpoints/step-00001234/` holding
 *   model.safetensors + config.json   the weights and model config (src/models/clip saveClipCheckpoint)
 *   optimizer.safetensors + .json     AdamW moments and step counts (src/optim optimizerStateToFiles)
 *   train_config.yaml                 the run's config in full
 *   trainer.json                      step, data position, schedule, RNG rule, ... (state.ts)
 * A checkpoint is written into a hidden temporary directory, every file fsynced, then the directory is renamed
 * into place and its parent fsynced: a crash at any moment leaves either the complete checkpoint or none.
 * After a successful write only the newest `keep` checkpoints are kept.
 */
import { mkdir, readdir, readFile, rename, rm, open } from "node:fs/promises";
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import type { Tensor } from "../../engine/index.js";
import { writeAll, writeFileAtomic } from "../../io/file/atomic_write.js";
import { readSafetensors } from "../../io/safetensors/reader.js";
import { writeSafetensors } from "../../io/safetensors/writer.js";
import { saveClipCheckpoint, WEIGHTS_FILE, type CLIP } from "../../models/clip/index.js";
import { optimizerStateFromFiles, optimizerStateToFiles, type AdamW, type OptimizerStateJson } from "../../optim/index.js";
import { formatConfig } from "../config/index.js";
import { CheckpointError } from "./errors/checkpoint_error.js";
import { STATE_FORMAT, STATE_VERSION, type TrainerState } from "./state.js";

export const CHECKPOINTS_DIR = "checkpoints";
const STATE_FILE = "trainer.json";
export const OPTIMIZER_TENSORS = "optimizer.safetensors";
export const OPTIMIZER_JSON = "optimizer.json";
const CONFIG_YAML = "train_config.yaml";
const NAME = /^step-(\d+)$/;

export const checkpointName = (step: number): string => `step-${String(step).padStart(8, "0")}`;

async function writeText(path: string, text: string): Promise<void> {
  const bytes = new TextEncoder().encode(text);
  await writeFileAtomic(path, async (h) => void (await writeAll(h, bytes, 0)));
}

async function syncDir(dir: string): Promise<void> {
  const h = await open(dir, "r").catch(() => undefined);
  await h?.sync().catch(() => undefined);
  await h?.close();
}

/** Writes a complete checkpoint of `state.step` and prunes older ones; returns its directory. */
export async function saveCheckpoint(outputDir: string, model: CLIP, optimizer: AdamW, state: TrainerState, keep: number): Promise<string> {
  const root = join(outputDir, CHECKPOINTS_DIR);
  await mkdir(root, { recursive: true });
  const final = join(root, checkpointName(state.step));
  const tmp = join(root, `.tmp-${checkpointName(state.step)}-${process.pid}-${randomBytes(4).toString("hex")}`);
  await mkdir(tmp);
  try {
    await saveClipCheckpoint(model, tmp, { metadata: { "laclip.step": String(state.step) } });
    const { tensors, json } = optimizerStateToFiles(optimizer.stateDict());
    await writeSafetensors(join(tmp, OPTIMIZER_TENSORS), new Map([...tensors].map(([k, t]: [string, Tensor]) => [k, t.toHost()])));
    await writeText(join(tmp, OPTIMIZER_JSON), JSON.stringify(json));
    await writeText(join(tmp, CONFIG_YAML), formatConfig(state.config));
    await writeText(join(tmp, STATE_FILE), JSON.stringify(state, null, 2) + "\n");
    await syncDir(tmp);
    await rm(final, { recursive: true, force: true }); // only a re-run of the same step can leave one
    await rename(tmp, final);
    await syncDir(root);
  } catch (err) {
    await rm(tmp, { recursive: true, force: true });
    throw err;
  }
  await prune(root, keep, final);
  return final;
}

export async function listCheckpoints(root: string): Promise<{ step: number; dir: string }[]> {
  const names = await readdir(root).catch(() => [] as string[]);
  return names
    .map((n) => ({ m: NAME.exec(n), n }))
    .filter((x) => x.m !== null)
    .map((x) => ({ step: Number(x.m![1]), dir: join(root, x.n) }))
    .sort((a, b) => a.step - b.step);
}

async function prune(root: string, keep: number, current: string): Promise<void> {
  const all = await listCheckpoints(root);
  for (const c of all.slice(0, Math.max(0, all.length - keep))) if (c.dir !== current) await rm(c.dir, { recursive: true, force: true });
  for (const n of await readdir(root)) if (n.startsWith(".tmp-") && !n.includes(`-${process.pid}-`)) await rm(join(root, n), { recursive: true, force: true });
}

export async function readState(dir: string): Promise<TrainerState> {
  const path = join(dir, STATE_FILE);
  let parsed: TrainerState;
  try {
    parsed = JSON.parse(await readFile(path, "utf8")) as TrainerState;
  } catch (err) {
    throw new CheckpointError(`cannot read the trainer state (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}); is this a 'laclip train' checkpoint directory?`, path, { cause: err });
  }
  if (parsed?.format !== STATE_FORMAT || parsed.version !== STATE_VERSION) {
    throw new CheckpointError(`not a trainer state of version ${STATE_VERSION} (format '${parsed?.format}', version ${parsed?.version})`, path);
  }
  return parsed;
}

/** The newest complete checkpoint under `outputDir`, or undefined when there is none. */
export async function latestCheckpoint(outputDir: string): Promise<string | undefined> {
  const all = await listCheckpoints(join(outputDir, CHECKPOINTS_DIR));
  return all.at(-1)?.dir;
}

/** Loads weights and optimizer state from checkpoint `dir` into the run's model and optimizer. */
export async function loadCheckpointInto(dir: string, model: CLIP, optimizer: AdamW): Promise<void> {
  try {
    model.loadStateDict((await readSafetensors(join(dir, WEIGHTS_FILE))).tensors);
    const { tensors } = await readSafetensors(join(dir, OPTIMIZER_TENSORS));
    const json = JSON.parse(await readFile(join(dir, OPTIMIZER_JSON), "utf8")) as OptimizerStateJson;
    optimizer.loadStateDict(optimizerStateFromFiles(tensors, json));
  } catch (err) {
    if (err instanceof CheckpointError) throw err;
    throw new CheckpointError(`cannot restore the model and optimizer: ${(err as Error).message}`, dir, { cause: err });
  }
}
