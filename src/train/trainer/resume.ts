/**
 * Which checkpoint a run continues from, and whether it may. `checkpoint.resume`: `auto` takes the newest
 * usable checkpoint in the output directory (checkpoint_check.ts: newer broken ones are named and passed over;
 * none at all: a fresh run), `never` always starts fresh, anything else
 * is a checkpoint directory to continue from.
 *
 * A resumed run must be the same run: the settings that decide the weights, the schedule and the data order
 * (model, data, text, optim, train) must equal those saved in the checkpoint. Logging, evaluation,
 * checkpointing and the decode-thread count may change, and so may train.epochs: a finished run is extended (or
 * a running one shortened) and continues on the schedule its new length defines, saying so.
 */
import { ConfigError } from "../../errors/config_error.js";
import type { BatchPlan, TrainConfig } from "../config/index.js";
import { checkCheckpoint, newestValidCheckpoint } from "./checkpoint_check.js";
import { CheckpointError } from "./errors/checkpoint_error.js";
import type { TrainerState } from "./state.js";

const FREE_KEYS = ["log.", "eval.", "checkpoint.", "data.workers", "data.sync_reads", "data.check_images"];
/** May change on resume: a longer (or shorter, not yet reached) run continues on the schedule of its new length. */
const LENGTH_KEY = "train.epochs";

export async function findResume(cfg: TrainConfig, log: (line: string) => void = () => {}): Promise<{ dir: string; state: TrainerState } | undefined> {
  const r = cfg.checkpoint.resume;
  if (r === "never") return undefined;
  if (r !== "auto") return { dir: r, state: await checkCheckpoint(r) };
  const found = await newestValidCheckpoint(cfg.checkpoint.output_dir);
  for (const s of found?.skipped ?? []) log(`skipping checkpoint ${s.reason}`);
  if (found !== undefined && found.skipped.length > 0) log(`resuming from the newest usable checkpoint instead: ${found.dir}`);
  return found;
}

function flatten(cfg: TrainConfig): Map<string, string> {
  const out = new Map<string, string>();
  for (const [section, body] of Object.entries(cfg)) {
    for (const [key, value] of Object.entries(body as Record<string, unknown>)) out.set(`${section}.${key}`, JSON.stringify(value));
  }
  return out;
}

/**
 * Throws a ConfigError listing every pinned setting that differs from the checkpoint's. Returns what changed
 * that may change (the run's length), one line each, for the log.
 */
export function checkSameRun(cfg: TrainConfig, plan: BatchPlan, stepsPerEpoch: number, dir: string, state: TrainerState): string[] {
  const now = flatten(cfg);
  const then = flatten(state.config);
  const differ: string[] = [];
  for (const key of new Set([...now.keys(), ...then.keys()])) {
    if (FREE_KEYS.some((p) => key.startsWith(p)) || key === LENGTH_KEY) continue;
    if (now.get(key) !== then.get(key)) differ.push(`${key}: checkpoint ${then.get(key) ?? "(absent)"}, now ${now.get(key) ?? "(absent)"}`);
  }
  if (state.batch.world !== plan.world || state.batch.accum !== plan.accum) {
    differ.push(`ranks x accumulation: checkpoint ${state.batch.world} x ${state.batch.accum}, now ${plan.world} x ${plan.accum}`);
  }
  if (state.schedule.stepsPerEpoch !== stepsPerEpoch) {
    differ.push(`optimizer steps per epoch: checkpoint ${state.schedule.stepsPerEpoch}, now ${stepsPerEpoch} (did the data change?)`);
  }
  if (differ.length > 0) {
    throw new ConfigError(
      `cannot resume from ${dir}: this run's settings differ from the checkpoint's:\n  ${differ.join("\n  ")}\n` +
        "Use the same settings, another checkpoint.output_dir, or checkpoint.resume=never to start over",
      "checkpoint.resume",
    );
  }
  if (state.position.step % plan.accum !== 0) {
    throw new CheckpointError(`its data position (epoch ${state.position.epoch}, batch ${state.position.step}) is not at an optimizer step boundary`, dir);
  }
  const [was, will] = [state.config.train.epochs, cfg.train.epochs];
  if (was === will) return [];
  const done = state.position.epoch + (state.position.step > 0 ? 1 : 0); // epochs begun
  if (will < done) {
    throw new ConfigError(`cannot resume from ${dir} with train.epochs ${will}: the checkpoint already covers ${done} of its ${was} epochs; use train.epochs >= ${done}`, LENGTH_KEY);
  }
  const old = state.schedule;
  return [
    `train.epochs: checkpoint ${was}, now ${will}: ${will > was ? "extending" : "shortening"} the run from ${old.totalSteps} to ${will * stepsPerEpoch} optimizer steps; ` +
      `the learning rate follows the cosine schedule of ${will} epochs from step ${state.step + 1} on`,
  ];
}
