/**
 * `laclip train`: trains CLIP/LaCLIP from a config file (JSON or YAML; a name like `cpu-small` means
 * configs/cpu-small.yaml) with `--set section.key=value` overrides. Options and the files the config names are
 * checked first; then the keys that differ from the config file are printed (the whole config with
 * --print-config) and the full config is saved beside the checkpoints; started again with the same output
 * directory, the run resumes from its last checkpoint. Library: src/train (docs/train.md).
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { ConfigError } from "../../errors/config_error.js";
import { UsageError } from "../../errors/usage_error.js";
import { projectRoot } from "../../util/project_root.js";

export const summary = "train CLIP / LaCLIP from a config file, with auto-resume (docs/train.md)";

const USAGE = `usage: laclip train --config FILE|PRESET [--set section.key=value]... [--output DIR] [options]
  --config FILE      JSON or YAML training config; a bare name means configs/NAME.yaml
  --set K=V          override one key (repeatable), e.g. --set train.batch_size=128 --set data.rewrites=[a.txt,b.txt]
  --output DIR       same as --set checkpoint.output_dir=DIR
  --merges FILE      CLIP BPE merges file for the tokenizer (default: $LACLIP_BPE, else OpenAI's, shipped)
  --accumulation M   exact (default: the loss over the whole step's batch) or local (LaCLIP's --update-freq)
  --keep N           checkpoints to keep (default 3)
  --device D         cpu (default), cuda, cuda:N
  --nproc N          run as N local worker processes, data-parallel (docs/distributed.md); a process started
                     with WORLD_SIZE > 1 (torchrun-style variables) joins that job instead
  --print-config     print the resolved config (with comments) and exit
  --csv-separator S  --csv-img-key K  --csv-caption-key K   open_clip's CSV flags (data.csv_separator: tab|comma|auto, ...)`;

const OPTIONS = {
  config: { type: "string" }, set: { type: "string", multiple: true }, output: { type: "string" }, merges: { type: "string" },
  accumulation: { type: "string" }, keep: { type: "string" }, device: { type: "string" }, nproc: { type: "string" },
  "print-config": { type: "boolean" }, help: { type: "boolean", short: "h" },
  "csv-separator": { type: "string" }, "csv-img-key": { type: "string" }, "csv-caption-key": { type: "string" },
} as const;

/** open_clip's CSV flags as `--set` overrides (a separator may be given as the character itself). */
function csvOverrides(v: { "csv-separator"?: string; "csv-img-key"?: string; "csv-caption-key"?: string }): string[] {
  const out: string[] = [];
  const sep = v["csv-separator"];
  if (sep !== undefined) out.push(`data.csv_separator=${sep === "\t" || sep === "\\t" ? "tab" : sep === "," ? "comma" : sep}`);
  if (v["csv-img-key"] !== undefined) out.push(`data.csv_img_key=${v["csv-img-key"]}`);
  if (v["csv-caption-key"] !== undefined) out.push(`data.csv_caption_key=${v["csv-caption-key"]}`);
  return out;
}

/** A config path as given, or a preset name from the project's configs/ folder. */
export function configPath(given: string): string {
  if (existsSync(given)) return given;
  for (const ext of [".yaml", ".yml", ".json"]) {
    const preset = join(projectRoot(), "configs", given + ext);
    if (!/[\\/]/.test(given) && existsSync(preset)) return preset;
  }
  throw new ConfigError(`config '${given}' is neither a file nor a preset in configs/ (e.g. cpu-small)`, "config");
}

export async function run(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: OPTIONS });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const { loadConfig, formatConfig, formatConfigChanges, checkInputs } = await import("../../train/config/index.js");
  const overrides = [...(values.set ?? []), ...csvOverrides(values)];
  if (values.output !== undefined) overrides.push(`checkpoint.output_dir=${values.output}`);
  const file = values.config === undefined ? undefined : configPath(values.config);
  const cfg = await loadConfig({ file, overrides });
  if (values["print-config"]) {
    process.stdout.write(formatConfig(cfg));
    return 0;
  }
  if (values.config === undefined && (values.set ?? []).length === 0) throw new UsageError("--config is required (a YAML/JSON file or a preset such as cpu-small)", "config");
  const accumulation = values.accumulation ?? "exact";
  if (accumulation !== "exact" && accumulation !== "local") throw new UsageError(`--accumulation must be exact or local, got '${accumulation}'`, "accumulation");
  const keep = values.keep === undefined ? 3 : Number(values.keep);
  if (!/^\d+$/.test(values.keep ?? "3") || keep < 1) throw new UsageError(`--keep must be an integer >= 1, got '${values.keep}'`, "keep");
  const device = (values.device ?? "cpu") as "cpu";
  if (!/^(cpu|cuda(:\d+)?)$/.test(device)) throw new UsageError(`--device must be cpu, cuda or cuda:N, got '${device}'`, "device");
  const dist = await import("../../dist/index.js");
  const nproc = dist.parseNproc(values.nproc);
  const { modelConfigOf } = await import("../../train/trainer/index.js");
  modelConfigOf(cfg.model.name);
  checkInputs(cfg, values.merges);
  if (nproc > 1 && !dist.isDistributedEnv()) return dist.launchFromCli("train", argv, nproc);
  const context = dist.contextFromEnv({ device }); // undefined unless this process is a worker of a job

  const main = context === undefined || context.isMain;
  if (main) {
    const base = await loadConfig({ file, validate: false });
    const changes = formatConfigChanges(base, cfg);
    const from = file ?? "the defaults";
    process.stdout.write(`# laclip train: config ${from}${changes === "" ? ", unchanged" : ", changed here:"} (all of it: --print-config, or config.yaml in the output folder)\n${changes}`);
  }
  const { train, stopOnSignals, TrainingStoppedError } = await import("../../train/trainer/index.js");
  // SIGINT/SIGTERM: a checkpoint at the current step, then exit 128 + signal; a second signal exits at once.
  const signals = stopOnSignals((line) => process.stderr.write(`laclip train: ${line}\n`));
  let r;
  try {
    // On failure the process exits without leaving the group: its closed connections end the peers' collectives.
    r = await train(cfg, { merges: values.merges, accumulation, keepCheckpoints: keep, device: dist.workerDevice(device, context) as "cpu", context, stop: signals.request });
  } catch (err) {
    if (!(err instanceof TrainingStoppedError)) throw err;
    await context?.close();
    console.error(`laclip train: ${err.message}`); // every rank: they name the same step
    return err.exitCode;
  } finally {
    signals.dispose();
  }
  await context?.close();
  if (main) console.log(JSON.stringify({ done: true, step: r.step, epoch: r.position.epoch, last_loss: r.lastLoss ?? null, checkpoint: r.lastCheckpoint ?? null, resumed_from: r.resumedFrom ?? null }));
  return 0;
}
