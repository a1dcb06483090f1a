/**
 * The report page: one self-contained HTML file (styles inline, charts as inline SVG, pictures as data URIs,
 * no script and nothing fetched), laid out to print: figures do not split across pages.
 *
 * Sections: per demo, its settings, accuracy per task (per-seed points, means and 95% intervals, and the paired
 * LaCLIP - CLIP difference), sample captions with their rewrites, held-out pictures with each model's top-5
 * names; then for every run, loss and learning-rate curves, and per-epoch evaluations when the runs have them.
 */
import { readFile } from "node:fs/promises";
import { basename, resolve } from "node:path";
import { taskLabel } from "../demo/report.js";
import type { DemoInput, ReportInput, RunCurves } from "./read.js";
import { esc, intervalChart, lineChart, type IntervalRow, type Series } from "./svg.js";

const COLORS: Record<string, string> = { clip: "#1f5fa8", laclip: "#c0392b" };
const OTHER = ["#2e7d32", "#7b1fa2", "#ef6c00", "#00838f"];
const DASHES = ["", "6 3", "2 2", "8 2 2 2", "1 3", "10 4"];

export function methodColor(method: string, known: readonly string[]): string {
  return COLORS[method] ?? OTHER[Math.max(0, known.filter((m) => COLORS[m] === undefined).indexOf(method)) % OTHER.length]!;
}

const METHOD_TITLE: Record<string, string> = { clip: "CLIP", laclip: "LaCLIP" };
const title = (m: string): string => METHOD_TITLE[m] ?? m;

/** Series style per run: colour by method, dash by seed (or by order among a method's runs). */
function runStyles(runs: readonly RunCurves[]): { color: string; dash: string }[] {
  const methods = [...new Set(runs.map((r) => r.method))];
  const count = new Map<string, number>();
  return runs.map((r) => {
    const k = count.get(r.method) ?? 0;
    count.set(r.method, k + 1);
    return { color: methodColor(r.method, methods), dash: DASHES[k % DASHES.length]! };
  });
}

/** Mean of each window of `w` consecutive points (the per-step loss is noisy). */
export function smooth(points: [number, number][], w: number): [number, number][] {
  if (w <= 1) return points;
  const out: [number, number][] = [];
  for (let i = 0; i + w <= points.length; i += w) {
    const win = points.slice(i, i + w);
    out.push([win[win.length - 1]![0], win.reduce((s, p) => s + p[1], 0) / w]);
  }
  const rest = points.length % w;
  if (rest > 0) {
    const win = points.slice(points.length - rest);
    out.push([win[win.length - 1]![0], win.reduce((s, p) => s + p[1], 0) / rest]);
  }
  return out;
}

/** Run labels, with the folder name added where two runs would read the same (`clip seed 0 (clip-1a2b)`). */
function uniqueLabels(runs: readonly RunCurves[]): string[] {
  const count = new Map<string, number>();
  for (const r of runs) count.set(r.label, (count.get(r.label) ?? 0) + 1);
  return runs.map((r) => (count.get(r.label)! > 1 ? `${r.label} (${basename(resolve(r.dir))})` : r.label));
}

function curves(runs: readonly RunCurves[]): string {
  if (runs.length === 0) return "";
  const styles = runStyles(runs);
  // about 60 points per loss line: a window mean of each run's own lines
  const windowOf = (r: RunCurves): number => Math.max(1, Math.floor(r.train.length / 60));
  const labels = uniqueLabels(runs);
  const loss: Series[] = runs.map((r, i) => ({ label: labels[i]!, ...styles[i]!, points: smooth(r.train.map((p) => [p.step, p.loss]), windowOf(r)) }));
  const lr: Series[] = runs.map((r, i) => ({ label: labels[i]!, ...styles[i]!, points: r.train.map((p) => [p.step, p.lr]) }));
  const w = Math.max(...runs.map(windowOf));
  const out = [
    `<section id="curves"><h2>Training curves</h2>`,
    `<p>Per run (colour: method; dash: seed). Loss: the symmetric contrastive loss as logged${w > 1 ? `, averaged over windows of up to ${w} lines` : ""}; learning rate: as logged.</p>`,
    `<div class="figs"><figure>${lineChart({ id: "chart-loss", title: "training loss", xLabel: "optimizer step", yLabel: "loss", series: loss })}</figure>`,
    `<figure>${lineChart({ id: "chart-lr", title: "learning rate", xLabel: "optimizer step", yLabel: "lr", series: lr, yMin: 0 })}</figure></div>`,
  ];
  const withEvals = runs.map((r, i) => ({ r, s: styles[i]! })).filter(({ r }) => r.evals.length > 0);
  if (withEvals.length > 0) {
    const keys = [...new Set(withEvals.flatMap(({ r }) => r.evals.flatMap((e) => Object.keys(e.values))))];
    out.push(`<h3>Per-epoch evaluation</h3><div class="figs">`);
    for (const k of keys) {
      const series = withEvals.map(({ r, s }) => ({ label: labels[runs.indexOf(r)]!, ...s, points: r.evals.filter((e) => e.values[k] !== undefined).map((e) => [e.epoch, 100 * e.values[k]!] as [number, number]) }));
      out.push(`<figure>${lineChart({ id: `chart-eval-${k}`, title: `${k} (%)`, xLabel: "epoch", yLabel: "percent", series })}</figure>`);
    }
    out.push(`</div>`);
  }
  out.push(`</section>`);
  return out.join("\n");
}

function settingsBlock(d: DemoInput): string {
  const s = d.result.line.settings;
  const rows: [string, string][] = [
    ["data", `${s.emoji} emoji; trained on ${s.train_styles.join(", ")} (${s.train_images} pictures, ${s.size} px); held out: ${s.eval_styles.join(", ")} (${s.eval_images} pictures)`],
    ["rewrites", `${s.rewrite.engine}${s.rewrite.model ? ` ${s.rewrite.model}` : ""}, ${s.rewrite.sources.length} per caption; ${s.rewrite.fell_back} of ${s.rewrite.fell_back + s.rewrite.accepted} slots kept the original`],
    ["model", `ViT ${s.model.vision} on ${s.model.image / s.model.patch} x ${s.model.image / s.model.patch} patches of ${s.model.patch} px; text ${s.model.text}, context ${s.tokenizer.context}; embedding ${s.model.embed}`],
    ["training", `${s.epochs} epochs = ${s.steps} steps of ${s.batch} per method and seed; seeds ${s.seeds.join(", ")}; lr ${s.lr}, weight decay ${s.weight_decay}; ${s.dtype}`],
    ["interval", d.result.line.interval],
  ];
  return `<table class="settings">${rows.map(([k, v]) => `<tr><th>${esc(k)}</th><td>${esc(v)}</td></tr>`).join("")}</table>`;
}

/** A fraction of 1 in percent, rounded to 0.01 (fixes float noise like 12.340000000000002). */
const pc = (x: number): number => Math.round(x * 1e4) / 100;
const pcOrNull = (x: number | null | undefined): number | null => (x === null || x === undefined ? null : pc(x));

function taskFigures(d: DemoInput, di: number): string {
  const line = d.result.line;
  const methods = line.settings.methods;
  const out: string[] = [`<section id="tasks-${di}"><h2>Accuracy per task</h2>`,
    `<p>Percent on the held-out style. Circles: one per seed; diamond: the mean; bar: its 95% t interval over seeds. Right: the paired difference LaCLIP - CLIP per seed, with its interval; dashed: chance and zero.</p><div class="figs">`];
  Object.entries(line.tasks).forEach(([key, t], k) => {
    // results hold fractions of 1; the charts show percent
    const rows: IntervalRow[] = methods.filter((m) => t.per_seed[m] !== undefined).map((m) => ({
      label: title(m), color: methodColor(m, methods), points: t.per_seed[m]!.map(pc), mean: pc(t.mean[m]!), lo: pcOrNull(t.ci95[m]?.[0]), hi: pcOrNull(t.ci95[m]?.[1]),
    }));
    const refs = t.chance === null ? [] : [{ value: pc(t.chance), label: `chance ${pc(t.chance)}%` }];
    const name = key.split("/")[0] + ": " + taskLabel(key.split("/").slice(1).join("/"));
    let fig = intervalChart({ id: `task-${di}-${k}`, title: "per method (%)", unit: "", rows, refs });
    if (t.diff !== null) {
      fig += intervalChart({
        id: `diff-${di}-${k}`, title: "LaCLIP - CLIP (points)", unit: "",
        rows: [{ label: "difference", color: "#444", points: t.diff.per_seed.map(pc), mean: pc(t.diff.mean), lo: pcOrNull(t.diff.ci95?.[0]), hi: pcOrNull(t.diff.ci95?.[1]) }],
        refs: [{ value: 0, label: "" }],
      });
    }
    out.push(`<figure class="task" data-task="${esc(key)}"><figcaption>${esc(name)}</figcaption>${fig}</figure>`);
  });
  out.push(`</div></section>`);
  return out.join("\n");
}

function captionTable(d: DemoInput): string {
  const caps = d.result.captions;
  if (caps.length === 0) return "";
  const sources = Object.keys(caps[0]!.rewrites);
  const head = `<tr><th>caption</th>${sources.map((s) => `<th>${esc(s)}</th>`).join("")}</tr>`;
  const body = caps.map((c) => `<tr><td>${esc(c.caption)}</td>${sources.map((s) => `<td>${esc(c.rewrites[s] ?? "")}</td>`).join("")}</tr>`).join("");
  return `<section id="captions"><h2>Sample captions and their rewrites</h2><p>LaCLIP draws one of the caption and its rewrites per sample and epoch; CLIP always sees the caption. A rewrite equal to the caption is a slot that fell back to it.</p><table class="captions">${head}${body}</table></section>`;
}

async function pictures(d: DemoInput): Promise<string> {
  const out: string[] = [];
  for (const group of d.result.pictures) {
    out.push(`<section id="pictures-${esc(group.style)}"><h2>Held-out pictures (${esc(group.style)}) and each model's top-5 names</h2><p>With the bare-name prompt; the true name in bold when it is among the five.</p><div class="pictures">`);
    for (const item of group.items) {
      const png = await readFile(resolve(d.base, item.image));
      const lists = Object.entries(item.top5).map(([model, names]) =>
        `<div class="top5"><div class="model">${esc(model)}</div><ol>${names.map((n) => `<li${n === item.name ? ' class="hit"' : ""}>${esc(n)}</li>`).join("")}</ol></div>`).join("");
      out.push(`<div class="picture"><img alt="${esc(item.name)}" src="data:image/png;base64,${png.toString("base64")}" width="64" height="64"><div class="truth">${esc(item.name)}</div>${lists}</div>`);
    }
    out.push(`</div></section>`);
  }
  return out.join("\n");
}

const STYLE = `
body{font:14px/1.4 system-ui,-apple-system,"Segoe UI",sans-serif;color:#111;background:#fff;margin:24px auto;max-width:1180px;padding:0 16px}
h1{font-size:22px}h2{font-size:18px;margin-top:28px;border-bottom:1px solid #ccc}h3{font-size:15px}
.figs{display:flex;flex-wrap:wrap;gap:12px}figure{margin:0;break-inside:avoid;page-break-inside:avoid}
figure.task{display:flex;flex-wrap:wrap;width:578px;box-sizing:border-box;border:1px solid #eee;padding:4px}figure.task figcaption{flex-basis:100%;font-size:12px;font-weight:600;padding:2px 4px}
svg.chart{width:560px;max-width:100%;height:auto}svg.interval-chart{width:282px}
svg .t{font-size:12px;font-weight:600}svg .tick,svg .reflabel{font-size:10px;fill:#333}svg .label,svg .legend{font-size:11px}
svg .grid{stroke:#e4e4e4}svg .axis{stroke:#333}svg .ref{stroke:#555}
table{border-collapse:collapse;margin:8px 0}th,td{border:1px solid #ccc;padding:3px 6px;text-align:left;vertical-align:top;font-size:13px}
table.settings th{background:#f4f4f4;white-space:nowrap}
.pictures{display:flex;flex-wrap:wrap;gap:10px}.picture{border:1px solid #ddd;padding:6px;width:270px;break-inside:avoid;page-break-inside:avoid}
.picture img{image-rendering:pixelated;border:1px solid #eee}.truth{font-weight:600;margin:2px 0 4px}
.top5{font-size:11px;margin-bottom:3px}.top5 .model{color:#555}.top5 ol{margin:0;padding-left:18px}.top5 li.hit{font-weight:700}
@media print{body{margin:0;max-width:none}h2{break-after:avoid}}
`;

export async function reportHtml(input: ReportInput, o: { title?: string; generated?: string } = {}): Promise<string> {
  const parts: string[] = [];
  const heading = o.title ?? (input.demos.length > 0 ? "laclip demo: CLIP vs LaCLIP" : "laclip training report");
  parts.push(`<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">`);
  parts.push(`<title>${esc(heading)}</title><style>${STYLE}</style></head><body>`);
  parts.push(`<h1>${esc(heading)}</h1>`);
  if (o.generated !== undefined) parts.push(`<p class="generated">${esc(o.generated)}</p>`);
  for (const [i, d] of input.demos.entries()) {
    parts.push(settingsBlock(d), taskFigures(d, i), captionTable(d), await pictures(d));
  }
  parts.push(curves(input.runs));
  if (input.demos.length > 0) {
    parts.push(`<p class="note">Tiny data, a tiny model and a short run: these numbers compare the methods on this one setup only. docs/demo.md says what they show and what they do not.</p>`);
  }
  parts.push(`</body></html>`);
  return parts.join("\n") + "\n";
}
