/**
 * A suite's table, laid out like the paper's: one row per checkpoint, one column per dataset/task (its
 * headline metric, in percent with one decimal), and the mean of the row. Headline metrics: zero-shot
 * classification and the linear probe report what the dataset's paper reports (mean per-class recall for
 * Aircraft, Pets, Caltech-101 and Flowers; top-1 elsewhere; mean average precision on a multilabel set, the only
 * metric it has), retrieval its image and text recall@1 (two columns), few-shot its mean episode accuracy. A missing result is an empty cell and leaves the mean out.
 */
import type { TaskResult } from "./benchmark_types.js";
import { builtinDataset, isBuiltinDataset } from "./builtin.js";
import { datasetBaseName } from "./dataset_open.js";

export interface SuiteTable {
  columns: string[];
  rows: { name: string; values: (number | null)[]; mean: number | null }[];
}

/** The (column, metric key) pairs one result contributes. */
function headline(r: TaskResult): [string, string][] {
  const name = datasetBaseName(r.dataset);
  const perClass = isBuiltinDataset(name) && builtinDataset(name).metric === "mean_per_class_recall";
  switch (r.task) {
    case "zeroshot_classification":
      if ("mean_average_precision" in r.metrics) return [[`${name}/zero-shot`, "mean_average_precision"]];
      return [[`${name}/zero-shot`, perClass ? "mean_per_class_recall" : "acc1"]];
    case "linear_probe":
      return [[`${name}/linear probe`, perClass ? "lp_mean_per_class_recall" : "lp_acc1"]];
    case "few_shot":
      return [[`${name}/few-shot`, "fewshot_acc"]];
    case "zeroshot_retrieval":
      return [[`${name}/image R@1`, "image_retrieval_recall@1"], [`${name}/text R@1`, "text_retrieval_recall@1"]];
  }
}

/** `rows` maps each checkpoint path to its row name, in row order. */
export function suiteTable(results: readonly TaskResult[], rows: readonly { path: string; name: string }[]): SuiteTable {
  const columns: string[] = [];
  const cells = new Map<string, number | null>();
  for (const r of results) {
    for (const [col, key] of headline(r)) {
      if (!columns.includes(col)) columns.push(col);
      const v = r.metrics[key];
      cells.set(`${r.pretrained}\u0000${col}`, typeof v === "number" ? v * 100 : null);
    }
  }
  return {
    columns,
    rows: rows.map(({ path, name }) => {
      const values = columns.map((c) => cells.get(`${path}\u0000${c}`) ?? null);
      const present = values.filter((v): v is number => v !== null);
      return { name, values, mean: present.length === values.length && present.length > 0 ? present.reduce((a, b) => a + b) / present.length : null };
    }),
  };
}

const cell = (v: number | null): string => (v === null ? "" : v.toFixed(1));

export function tableMarkdown(t: SuiteTable): string {
  const head = ["checkpoint", ...t.columns, "mean"];
  const lines = [`| ${head.join(" | ")} |`, `|${head.map((_, i) => (i === 0 ? "---" : "---:")).join("|")}|`];
  for (const r of t.rows) lines.push(`| ${[r.name, ...r.values.map(cell), cell(r.mean)].join(" | ")} |`);
  return `${lines.join("\n")}\n`;
}

const csvField = (s: string): string => (/[",\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s);

export function tableCsv(t: SuiteTable): string {
  const lines = [["checkpoint", ...t.columns, "mean"].map(csvField).join(",")];
  for (const r of t.rows) lines.push([csvField(r.name), ...r.values.map(cell), cell(r.mean)].join(","));
  return `${lines.join("\n")}\n`;
}
