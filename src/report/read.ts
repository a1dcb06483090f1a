/**
 * What `laclip report` reads: training run folders (`laclip train`'s output: config.yaml and metrics.jsonl) and
 * demo results (`<workDir>/result/demo.json`, which names its run folders). A folder given on the command line
 * may be either, or a demo work dir (its `result/demo.json` is used).
 */
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { basename, dirname, join, resolve } from "node:path";
import { parse } from "yaml";
import { ConfigError } from "../errors/config_error.js";
import { FormatError } from "../errors/format_error.js";
import { readMetrics } from "../train/log/index.js";
import { DEMO_RESULT_FILE, type DemoResultFile } from "../demo/result_file.js";

export interface TrainPoint {
  step: number;
  epoch: number;
  loss: number;
  lr: number;
}

export interface EvalPoint {
  step: number;
  /** Epochs completed when evaluated. */
  epoch: number;
  values: Record<string, number>;
}

export interface RunCurves {
  /** `clip seed 0`, or the folder name when the config does not say. */
  label: string;
  method: string;
  seed: number | null;
  dir: string;
  train: TrainPoint[];
  evals: EvalPoint[];
}

export interface DemoInput {
  file: string;
  result: DemoResultFile;
  /** The result file's folder: its relative paths start there. */
  base: string;
}

export interface ReportInput {
  runs: RunCurves[];
  demos: DemoInput[];
}

const num = (v: unknown): v is number => typeof v === "number" && Number.isFinite(v);

export async function readRunDir(dir: string): Promise<RunCurves> {
  const metricsFile = join(dir, "metrics.jsonl");
  if (!existsSync(metricsFile)) throw new ConfigError(`${dir} holds no metrics.jsonl; give a laclip train output folder or a demo result`, "RUN_DIR");
  let method = "run";
  let seed: number | null = null;
  const configFile = join(dir, "config.yaml");
  if (existsSync(configFile)) {
    let cfg: { text?: { augment?: unknown }; train?: { seed?: unknown } };
    try {
      cfg = (parse(await readFile(configFile, "utf8")) ?? {}) as typeof cfg;
    } catch (err) {
      throw new FormatError(`cannot parse the run's config: ${(err as Error).message}`, { file: configFile }, { cause: err });
    }
    if (typeof cfg.text?.augment === "string") method = cfg.text.augment;
    if (num(cfg.train?.seed)) seed = cfg.train.seed;
  }
  const train: TrainPoint[] = [];
  const evals: EvalPoint[] = [];
  for (const r of readMetrics(metricsFile)) {
    if (num(r.loss) && num(r.lr)) train.push({ step: r.step, epoch: r.epoch, loss: r.loss, lr: r.lr });
    const values = Object.fromEntries(Object.entries(r).filter(([k, v]) => k.startsWith("zeroshot_") && num(v))) as Record<string, number>;
    if (Object.keys(values).length > 0) evals.push({ step: r.step, epoch: r.epoch + 1, values });
  }
  const label = seed === null ? basename(resolve(dir)) : `${method} seed ${seed}`;
  return { label, method, seed, dir, train, evals };
}

async function readDemo(file: string): Promise<DemoInput> {
  let result: DemoResultFile;
  try {
    result = JSON.parse(await readFile(file, "utf8")) as DemoResultFile;
  } catch (err) {
    throw new FormatError(`cannot read the demo result: ${(err as Error).message}`, { file }, { cause: err });
  }
  if (result.line?.demo !== "laclip" || !Array.isArray(result.runs)) throw new FormatError("not a laclip demo result (no line.demo or runs)", { file });
  return { file, result, base: dirname(file) };
}

/** Reads every folder; a demo's runs come in as runs too (once, even if also given on their own). */
export async function readReportInputs(dirs: readonly string[]): Promise<ReportInput> {
  if (dirs.length === 0) throw new ConfigError("give at least one RUN_DIR (a laclip train output folder or a demo work dir)", "RUN_DIR");
  const runs: RunCurves[] = [];
  const demos: DemoInput[] = [];
  const seen = new Set<string>();
  const addRun = async (dir: string, label?: string): Promise<void> => {
    const key = resolve(dir);
    if (seen.has(key)) return;
    seen.add(key);
    const r = await readRunDir(dir);
    runs.push(label === undefined ? r : { ...r, label });
  };
  for (const dir of dirs) {
    if (!existsSync(dir)) throw new ConfigError(`${dir} does not exist`, "RUN_DIR");
    const demoFile = [join(dir, DEMO_RESULT_FILE), join(dir, "result", DEMO_RESULT_FILE)].find((f) => existsSync(f));
    if (demoFile !== undefined) {
      const d = await readDemo(demoFile);
      demos.push(d);
      for (const r of d.result.runs) await addRun(resolve(d.base, r.dir), `${r.method} seed ${r.seed}`);
    } else {
      await addRun(dir);
    }
  }
  return { runs, demos };
}
