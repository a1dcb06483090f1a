/** The demo's readable summary: one table per held-out style, methods side by side, with the chance levels. */
import type { DemoLine } from "./run_demo.js";

/** Column titles; LaCLIP's names its rewrite engine, since eda rewrites are not the paper's LLM rewrites. */
const title = (method: string, engine: string): string => (method === "clip" ? "CLIP" : method === "laclip" ? `LaCLIP (${engine})` : method);

const cell = (v: number | null | undefined): string => (v === null || v === undefined ? "-" : `${(100 * v).toFixed(2)}%`); // fractions shown in percent

function table(rows: string[][]): string[] {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  return rows.map((r) => r.map((x, c) => (c === 0 ? x.padEnd(widths[c]!) : x.padStart(widths[c]!))).join("   ").trimEnd());
}

export function formatSummary(line: DemoLine): string {
  const s = line.settings;
  const methods = Object.keys(line.methods);
  const engine = s.rewrite.engine === "eda" ? "eda (rule-based)" : `${s.rewrite.engine}${s.rewrite.model ? ` ${s.rewrite.model}` : ""}`;
  const out: string[] = [
    "",
    `laclip demo: CLIP vs LaCLIP on emoji, ${s.emoji} names, trained on ${s.train_styles.join(", ")} (${s.train_images} images, ${s.size} px)`,
    `  rewrites: ${engine}, ${s.rewrite.sources.length} per caption (${s.rewrite.fell_back} of ${s.rewrite.fell_back + s.rewrite.accepted} fell back to the original)`,
    `  training: ${s.epochs} epoch${s.epochs === 1 ? "" : "s"} = ${s.steps} steps of ${s.batch} per method, same seed (${s.seed}), initial weights, data order and crops; ${s.dtype}`,
  ];
  for (const style of s.eval_styles) {
    const name = line.chance[`${style}/name`];
    const sub = line.chance[`${style}/subgroup`];
    out.push("", `zero-shot on held-out ${style} (${name?.images ?? "?"} pictures never seen in training):`);
    const head = ["", ...methods.map((m) => title(m, s.rewrite.engine)), "chance"];
    const row = (title: string, key: string, metric: "acc1" | "acc5", chance: string): string[] => [title, ...methods.map((m) => cell(line.methods[m as keyof typeof line.methods]?.zeroshot[key]?.[metric])), chance];
    out.push(...table([
      head,
      row(`name, top-1 of ${name?.classes}`, `${style}/name`, "acc1", cell(name?.acc1)),
      row("name, top-5", `${style}/name`, "acc5", cell(name?.acc5)),
      row(`subgroup, top-1 of ${sub?.classes}`, `${style}/subgroup`, "acc1", `${cell(sub?.acc1)} (largest class ${cell(sub?.majority_acc1)})`),
      row("subgroup, top-5", `${style}/subgroup`, "acc5", cell(sub?.acc5)),
    ]).map((l) => `  ${l}`));
  }
  out.push(
    "",
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
