/**
 * Which checkpoints of a run can be continued from: the trainer state reads, both safetensors files are whole,
 * and every weight is finite. A run resumes from the newest such checkpoint, saying which newer ones it passed
 * over and why; a checkpoint holding NaN or infinite weights is never one to go back to.
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import type { HostTensor } from "../../io/host_tensor.js";
import { readSafetensors } from "../../io/safetensors/reader.js";
import { WEIGHTS_FILE } from "../../models/clip/index.js";
import { listCheckpoints, readState, OPTIMIZER_JSON, OPTIMIZER_TENSORS, CHECKPOINTS_DIR } from "./checkpoint.js";
import { CheckpointError } from "./errors/checkpoint_error.js";
import type { TrainerState } from "./state.js";

/** The first tensor holding a NaN or an infinity, or undefined (floating types only). */
export function nonFiniteTensor(tensors: ReadonlyMap<string, HostTensor>): string | undefined {
  for (const [name, t] of tensors) {
    const d = t.data;
    if (t.dtype === "f32" || t.dtype === "f64") {
      const a = t.dtype === "f32" ? new Float32Array(d.buffer, d.byteOffset, d.byteLength / 4) : new Float64Array(d.buffer, d.byteOffset, d.byteLength / 8);
      for (let i = 0; i < a.length; i++) if (!Number.isFinite(a[i]!)) return name;
    } else if (t.dtype === "bf16" || t.dtype === "f16") {
      const mask = t.dtype === "bf16" ? 0x7f80 : 0x7c00; // all exponent bits set: an infinity or a NaN
      for (let i = 1; i < d.length; i += 2) if (((d[i]! << 8) & mask) === mask) return name;
    }
  }
  return undefined;
}

/** The state of checkpoint `dir` when it can be continued from; otherwise a CheckpointError saying why. */
export async function checkCheckpoint(dir: string): Promise<TrainerState> {
  const state = await readState(dir);
  const read = async (file: string) => {
    try {
      return (await readSafetensors(join(dir, file))).tensors;
    } catch (err) {
      throw new CheckpointError(`${file} cannot be read (${(err as Error).message})`, dir, { cause: err });
    }
  };
  const bad = nonFiniteTensor(await read(WEIGHTS_FILE));
  if (bad !== undefined) throw new CheckpointError(`its weights hold NaN or infinite values (${bad})`, dir);
  await read(OPTIMIZER_TENSORS);
  try {
    JSON.parse(await readFile(join(dir, OPTIMIZER_JSON), "utf8"));
  } catch (err) {
    throw new CheckpointError(`${OPTIMIZER_JSON} cannot be read (${(err as Error).message})`, dir, { cause: err });
  }
  return state;
}

export interface ValidCheckpoint {
  dir: string;
  state: TrainerState;
  /** Newer checkpoints passed over, with the reason. */
  skipped: { dir: string; reason: string }[];
}

/**
 * The newest checkpoint under `outputDir` that can be continued from; undefined when there is none at all.
 * Throws when there are checkpoints but none is usable (starting over silently would discard the run).
 */
export async function newestValidCheckpoint(outputDir: string, below = Infinity): Promise<ValidCheckpoint | undefined> {
  const all = (await listCheckpoints(join(outputDir, CHECKPOINTS_DIR))).filter((c) => c.step < below).reverse();
  const skipped: ValidCheckpoint["skipped"] = [];
  for (const c of all) {
    try {
      return { dir: c.dir, state: await checkCheckpoint(c.dir), skipped };
    } catch (err) {
      if (!(err instanceof CheckpointError)) throw err;
      skipped.push({ dir: c.dir, reason: err.message });
    }
  }
  if (skipped.length === 0) return undefined;
  throw new CheckpointError(
    `no checkpoint here can be continued from:\n  ${skipped.map((s) => s.reason).join("\n  ")}\n` +
      "Set checkpoint.resume=never (or another checkpoint.output_dir) to start over, or checkpoint.resume=DIR for a copy you trust",
    join(outputDir, CHECKPOINTS_DIR),
  );
}
