/**
 * `laclip eval --suite suite.yaml`: datasets x tasks x checkpoints in one run, every result JSON under `out`,
 * and one table (`table.md`, `table.csv`) comparing the checkpoints. Relative paths in the file are relative
 * to the file's folder. The format (docs/eval.md):
 *
 *   checkpoints:                 # table rows, in order; a path, or {name, path}
 *     - { name: CLIP, path: runs/clip/checkpoint }
 *     - { name: LaCLIP, path: runs/laclip/checkpoint }
 *   tasks: [zeroshot_classification, linear_probe]    # default for every dataset
 *   datasets:
 *     - { dataset: wds/cifar10, root: data/wds_cifar10 }
 *     - { dataset: wds/flickr30k, root: data/wds_flickr30k, tasks: [zeroshot_retrieval] }
 *   out: results/                # JSONs, table.md, table.csv
 *   settings: { batch: 64, dtype: fp32, split: test, recall_k: [1, 5, 10], epochs: 10, lr: 0.1, fewshot_k: -1, ... }
 */
import { readFile } from "node:fs/promises";
import { dirname, isAbsolute, join } from "node:path";
import { parse } from "yaml";
import { ConfigError } from "../errors/config_error.js";
import { FormatError } from "../errors/format_error.js";
import { EVAL_TASKS, type EvalTaskName, type TaskResult } from "./benchmark_types.js";
import { evalBenchmark, type EvalBenchmarkOptions } from "./run_benchmark.js";
import { writeJson } from "./result_files.js";
import { suiteTable, tableCsv, tableMarkdown, type SuiteTable } from "./suite_table.js";
import { writeAll, writeFileAtomic } from "../io/file/atomic_write.js";

export interface SuiteRun {
  results: TaskResult[];
  table: SuiteTable;
  markdown: string;
  csv: string;
}

type Obj = Record<string, unknown>;
const SETTINGS = ["batch", "workers", "dtype", "device", "split", "train_split", "val_split", "val_proportion", "recall_k", "lr", "epochs", "lp_batch", "seed", "fewshot_k", "fewshot_ways", "fewshot_shots", "fewshot_queries", "fewshot_episodes", "feature_cache", "merges"];

function taskList(v: unknown, file: string, key: string): EvalTaskName[] {
  if (!Array.isArray(v) || v.length === 0 || v.some((t) => !(EVAL_TASKS as readonly unknown[]).includes(t))) {
    throw new FormatError(`must be a non-empty list of ${EVAL_TASKS.join(", ")}`, { file, key });
  }
  return v as EvalTaskName[];
}

function num(s: Obj, k: string, file: string): number | undefined {
  const v = s[k];
  if (v === undefined) return undefined;
  if (typeof v !== "number" || !Number.isFinite(v)) throw new FormatError(`must be a number, got ${JSON.stringify(v)}`, { file, key: `settings.${k}` });
  return v;
}

function str(v: unknown, file: string, key: string): string | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== "string" || v === "") throw new FormatError(`must be a non-empty string, got ${JSON.stringify(v)}`, { file, key });
  return v;
}

export async function runSuite(file: string, o: { merges?: string; log?: (l: string) => void; onResult?: (r: TaskResult, path: string | undefined) => void } = {}): Promise<SuiteRun> {
  let doc: Obj;
  try {
    doc = parse(await readFile(file, "utf8")) as Obj;
  } catch (err) {
    throw new ConfigError(`cannot read the suite '${file}' (${(err as Error).message})`, "suite", { cause: err });
  }
  if (doc === null || typeof doc !== "object") throw new FormatError("a suite is a YAML mapping with checkpoints, datasets and tasks", { file });
  const here = dirname(file);
  const rel = (p: string): string => (isAbsolute(p) ? p : join(here, p));
  for (const k of Object.keys(doc)) if (!["checkpoints", "datasets", "tasks", "out", "settings"].includes(k)) throw new FormatError(`unknown key (expected checkpoints, datasets, tasks, out, settings)`, { file, key: k });
  if (!Array.isArray(doc.checkpoints) || doc.checkpoints.length === 0) throw new FormatError("needs a non-empty list of checkpoint paths or {name, path}", { file, key: "checkpoints" });
  const rows = doc.checkpoints.map((c: unknown, i: number) => {
    const key = `checkpoints[${i}]`;
    if (typeof c === "string") return { path: rel(c), name: c };
    const path = str((c as Obj)?.path, file, `${key}.path`);
    if (path === undefined) throw new FormatError("needs a path", { file, key });
    return { path: rel(path), name: str((c as Obj).name, file, `${key}.name`) ?? path };
  });
  const tasks = doc.tasks === undefined ? undefined : taskList(doc.tasks, file, "tasks");
  if (!Array.isArray(doc.datasets) || doc.datasets.length === 0) throw new FormatError("needs a non-empty list of {dataset, root, tasks?, split?, classes?, templates?}", { file, key: "datasets" });
  const datasets = doc.datasets.map((d: Obj, i: number) => {
    const key = `datasets[${i}]`;
    const dataset = str(d?.dataset, file, `${key}.dataset`);
    if (dataset === undefined) throw new FormatError("needs dataset: a name (wds/NAME, built-in) or a file", { file, key });
    const dTasks = d.tasks === undefined ? tasks : taskList(d.tasks, file, `${key}.tasks`);
    if (dTasks === undefined) throw new FormatError("has no tasks: give the suite a tasks list or this dataset its own", { file, key });
    const path = (k: string) => {
      const v = str(d[k], file, `${key}.${k}`);
      return v === undefined ? undefined : rel(v);
    };
    const isFile = /\.(csv|jsonl|json)$/i.test(dataset) || dataset.startsWith(".") || dataset.startsWith("/");
    const templates = str(d.templates, file, `${key}.templates`);
    return {
      dataset: isFile ? rel(dataset) : dataset, root: path("root"), classes: path("classes"),
      templates: templates !== undefined && /[./]/.test(templates) ? rel(templates) : templates, imageRoot: path("image_root"),
      tasks: dTasks, split: str(d.split, file, `${key}.split`),
    };
  });
  const out = rel(str(doc.out, file, "out") ?? "results");
  const s = (doc.settings ?? {}) as Obj;
  for (const k of Object.keys(s)) if (!SETTINGS.includes(k)) throw new FormatError(`unknown setting (known: ${SETTINGS.join(", ")})`, { file, key: `settings.${k}` });
  const recallK = s.recall_k === undefined ? undefined : Array.isArray(s.recall_k) && s.recall_k.every((k) => Number.isInteger(k) && k >= 1) ? (s.recall_k as number[]) : undefined;
  if (s.recall_k !== undefined && recallK === undefined) throw new FormatError("must be a list of positive integers", { file, key: "settings.recall_k" });
  const dtype = str(s.dtype, file, "settings.dtype");
  if (dtype !== undefined && dtype !== "fp32" && dtype !== "bf16") throw new FormatError(`must be fp32 or bf16, got ${dtype}`, { file, key: "settings.dtype" });
  const opts: EvalBenchmarkOptions = {
    checkpoints: rows.map((r: { path: string }) => r.path),
    datasets,
    tasks: tasks ?? [],
    split: str(s.split, file, "settings.split"),
    trainSplit: str(s.train_split, file, "settings.train_split"),
    valSplit: str(s.val_split, file, "settings.val_split"),
    valProportion: num(s, "val_proportion", file),
    recallK,
    linearProbe: { lr: num(s, "lr", file), epochs: num(s, "epochs", file), batchSize: num(s, "lp_batch", file), seed: num(s, "seed", file), fewshotK: num(s, "fewshot_k", file) },
    fewShot: { ways: num(s, "fewshot_ways", file), shots: num(s, "fewshot_shots", file), queries: num(s, "fewshot_queries", file), episodes: num(s, "fewshot_episodes", file), seed: num(s, "seed", file) },
    merges: o.merges ?? (s.merges === undefined ? undefined : rel(str(s.merges, file, "settings.merges")!)),
    batch: num(s, "batch", file),
    workers: num(s, "workers", file),
    bf16: dtype === "bf16",
    device: str(s.device, file, "settings.device") as EvalBenchmarkOptions["device"],
    featureCache: s.feature_cache === false ? null : s.feature_cache === undefined ? undefined : rel(str(s.feature_cache, file, "settings.feature_cache")!),
    out: `${out}/`,
    log: o.log,
    onResult: o.onResult,
  };
  const results = await evalBenchmark(opts);
  const table = suiteTable(results, rows);
  const markdown = join(out, "table.md");
  const csv = join(out, "table.csv");
  await writeText(markdown, tableMarkdown(table));
  await writeText(csv, tableCsv(table));
  await writeJson(join(out, "suite.json"), { suite: file, rows, columns: table.columns, table: table.rows });
  return { results, table, markdown, csv };
}

async function writeText(path: string, text: string): Promise<void> {
  const bytes = new TextEncoder().encode(text);
  await writeFileAtomic(path, async (h) => void (await writeAll(h, bytes, 0)));
}
