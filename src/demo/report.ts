/**
 * The demo's readable summary: per held-out style, one row per task with each method's mean over seeds and
 * its per-seed values, the paired LaCLIP - CLIP difference with its 95% t interval, and the chance level.
 */
import type { DemoLine } from "./run_demo.js";
import type { TaskResult } from "./results.js";

/** Column titles; LaCLIP's names its rewrite engine, since eda rewrites are not the paper's LLM rewrites. */
const title = (method: string, engine: string): string => (method === "clip" ? "CLIP" : method === "laclip" ? `LaCLIP (${engine})` : method);

// scores are fractions of 1; the table shows percent (differences in percentage points)
const f2 = (v: number): string => (100 * v).toFixed(2);
const signed = (v: number): string => (v >= 0 ? "+" : "") + (100 * v).toFixed(2);

/** Readable names of the task keys' tails (`name/bare/acc1`). */
const KIND: Record<string, string> = { bare: "bare name", templates: "templates" };
const METRIC: Record<string, string> = { acc1: "top-1", acc5: "top-5", r1: "R@1", r5: "R@5", r10: "R@10" };

export function taskLabel(tail: string): string {
  const [task, kind, metric] = tail.split("/");
  return [task, KIND[kind!] ?? kind?.replace(/_/g, " "), METRIC[metric!] ?? metric].filter((x) => x !== undefined).join(", ");
}

function table(rows: string[][]): string[] {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  return rows.map((r) => r.map((x, c) => (c === 0 ? x.padEnd(widths[c]!) : x.padStart(widths[c]!))).join("   ").trimEnd());
}

function methodCell(t: TaskResult, m: string): string {
  const xs = t.per_seed[m];
  if (xs === undefined) return "-";
  return xs.length === 1 ? f2(xs[0]!) : `${f2(t.mean[m]!)} (${xs.map(f2).join(" ")})`;
}

function diffCell(t: TaskResult): string {
  if (t.diff === null) return "-";
  return t.diff.ci95 === null ? signed(t.diff.mean) : `${signed(t.diff.mean)} [${signed(t.diff.ci95[0])}, ${signed(t.diff.ci95[1])}]`;
}

export function formatSummary(line: DemoLine): string {
  const s = line.settings;
  const methods = s.methods;
  const engine = s.rewrite.engine === "eda" ? "eda (rule-based)" : `${s.rewrite.engine}${s.rewrite.model ? ` ${s.rewrite.model}` : ""}`;
  const n = s.seeds.length;
  const out: string[] = [
    "",
    `laclip demo: CLIP vs LaCLIP on emoji, ${s.emoji} names, trained on ${s.train_styles.join(", ")} (${s.train_images} images, ${s.size} px)`,
    `  rewrites: ${engine}, ${s.rewrite.sources.length} per caption (${s.rewrite.fell_back} of ${s.rewrite.fell_back + s.rewrite.accepted} fell back to the original)`,
    `  training: ${s.epochs} epoch${s.epochs === 1 ? "" : "s"} = ${s.steps} steps of ${s.batch} per method and seed; seeds ${s.seeds.join(",")}; within a seed both methods share initial weights, data order and crops; ${s.dtype}`,
  ];
  const hasDiff = methods.includes("clip") && methods.includes("laclip");
  for (const style of s.eval_styles) {
    const name = line.chance[`${style}/name`];
    const sub = line.chance[`${style}/subgroup`];
    out.push("", `held-out ${style} (${name?.images ?? "?"} pictures never seen in training), percent; ${n > 1 ? `mean over ${n} seeds (per seed)` : "one seed"}:`);
    const head = ["", ...methods.map((m) => title(m, s.rewrite.engine))];
    if (hasDiff) head.push(n > 1 ? "LaCLIP - CLIP [95% CI]" : "LaCLIP - CLIP");
    head.push("chance");
    const rows = [head];
    for (const [key, t] of Object.entries(line.tasks)) {
      if (!key.startsWith(`${style}/`)) continue;
      const row = [taskLabel(key.slice(style.length + 1)), ...methods.map((m) => methodCell(t, m))];
      if (hasDiff) row.push(diffCell(t));
      row.push(t.chance === null ? "" : f2(t.chance));
      rows.push(row);
    }
    out.push(...table(rows).map((l) => `  ${l}`));
    if (name !== undefined && sub !== undefined) {
      out.push(`  classes: ${name.classes} names, ${sub.classes} subgroups (always answering the largest subgroup: ${f2(sub.majority_acc1)}% top-1)`);
    }
  }
  out.push("");
  if (hasDiff && n > 1) out.push(`95% CI: Student t over the ${n} seeds of the paired per-seed difference (seed-to-seed variation of training only, not over pictures or datasets).`);
  if (hasDiff && n === 1) out.push("One seed: no interval. Differences of a few pictures are noise; run --seeds 0,1,2.");
  out.push(
    "Tiny data, a tiny model and a short run: the numbers compare the methods on this one setup and say nothing",
    "about natural images.",
  );
  if (s.rewrite.engine === "eda") {
    out.push(
      "Rule-based (eda) rewrites are much weaker than LLM rewrites and can hurt at this scale (the paper, CC12M:",
      "EDA 41.2% vs LLM rewrites 48.4% ImageNet zero-shot). Try an LLM: --rewrite-engine openai --base-url URL.",
    );
  }
  out.push("docs/demo.md explains what the numbers mean and do not mean.", "");
  return out.join("\n");
}
