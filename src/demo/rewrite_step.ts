/**
 * Step 2 of the demo: rewrite the training captions with `laclip rewrite`'s resumable job, then lay the
 * rewrites out as LaCLIP rewrite files, line-aligned with the training CSV.
 *
 * The CSV repeats each emoji name once per training style, and a rewrite is a function of the text alone, so
 * only the distinct captions are sent to the engine (a third of the work with three styles, which matters for
 * an LLM); every CSV row then gets the rewrites of its caption. The job's folder is named by a fingerprint of
 * the captions and the engine settings: a rerun with the same settings reuses it (or resumes it when it was
 * interrupted), and other settings get a folder of their own.
 */
import { existsSync } from "node:fs";
import { mkdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { LaclipError } from "../errors/laclip_error.js";
import { csvSource } from "../rewrite/io/csv_reader.js";
import { writeAtomic } from "../rewrite/io/atomic_file.js";
import { runRewriteJob } from "../rewrite/job/job.js";
import { oneLine, slots } from "../rewrite/job/output_names.js";
import { WHOLE } from "../rewrite/job/shard.js";
import type { RunSummary } from "../rewrite/job/summary.js";
import { createRewriter } from "../rewrite/rewriter.js";
import type { RewriterOptions } from "../rewrite/types.js";
import { fileFingerprint, fingerprint } from "./fingerprint.js";

export interface DemoRewrites {
  /** One file per rewrite slot, line i = a rewrite of the caption of CSV row i. */
  files: string[];
  /** Source name of each file (`concise`, `scene_2`, ...). */
  sources: string[];
  /** Caption of each CSV row, and the distinct captions that were rewritten. */
  rowCaptions: string[];
  uniqueCaptions: number;
  summary: RunSummary;
  dir: string;
}

/** The captions of a LaCLIP CSV without header (`path,caption`), read as `laclip rewrite` reads them. */
export async function readCsvCaptions(csv: string): Promise<string[]> {
  const out: string[] = [];
  for await (const ev of csvSource(csv, { captionField: "1", csvHeader: "no" })) {
    if ("loss" in ev) throw ev.loss;
    if (ev.problem) throw ev.problem;
    out.push(ev.record.caption);
  }
  return out;
}

/** What decides the rewrites (a folder is reused only when all of it is equal). */
async function settingsOf(o: RewriterOptions): Promise<Record<string, unknown>> {
  return {
    engine: o.engine,
    model: o.engine === "openai" ? (o.model ?? "first listed by the server") : o.engine === "llama" && o.modelPath ? await fileFingerprint(o.modelPath) : null,
    sources: o.sources ?? "all", pairs: o.pairsFile ? await fileFingerprint(o.pairsFile) : "builtin", template: o.template ?? "laclip",
    perSource: o.perSource, seed: o.seed, maxAttempts: o.maxAttempts ?? 3, examplesPerPrompt: o.examplesPerPrompt ?? "default",
    temperature: o.temperature ?? 0.9, topP: o.topP ?? 0.95, maxTokens: o.maxTokens ?? 77,
  };
}

async function readLines(path: string, expected: number): Promise<string[]> {
  const text = await readFile(path, "utf8");
  const lines = text.endsWith("\n") ? text.slice(0, -1).split("\n") : text.split("\n");
  if (lines.length !== expected) throw new LaclipError(`${path} has ${lines.length} lines, expected ${expected} (one per caption); delete its folder and run again`);
  return lines;
}

export async function rewriteCaptions(trainCsv: string, workDir: string, o: RewriterOptions, log: (line: string) => void): Promise<DemoRewrites> {
  const rowCaptions = await readCsvCaptions(trainCsv);
  const unique = [...new Set(rowCaptions)];
  const settings = await settingsOf(o);
  const dir = join(workDir, "rewrites", `${o.engine}-${fingerprint({ settings, captions: unique })}`);
  await mkdir(dir, { recursive: true });
  const captionsFile = join(dir, "captions.txt");
  // the folder's name fixes these bytes, so an existing file is the same and is left alone (a resume checks it)
  if (!existsSync(captionsFile)) await writeAtomic(captionsFile, unique.map(oneLine).join("\n") + "\n");
  const outputDir = join(dir, "job");
  log(`rewrites: ${unique.length} distinct captions of ${rowCaptions.length} rows, engine ${o.engine}, ${o.perSource} per source -> ${outputDir}`);
  const summary = await runRewriteJob(
    { input: { paths: [captionsFile], format: "text" }, outputDir, shard: WHOLE, concurrency: o.concurrency ?? 64, onError: "stop", settings, progress: "none", log },
    () => createRewriter(o),
  );

  const rowsDir = join(dir, "rows");
  await mkdir(rowsDir, { recursive: true });
  const indexOf = new Map(unique.map((c, i) => [c, i]));
  const files: string[] = [];
  const sources: string[] = [];
  for (const slot of slots(summary.sources, summary.perSource)) {
    const lines = await readLines(join(outputDir, slot.file), unique.length);
    const file = join(rowsDir, slot.file);
    await writeAtomic(file, rowCaptions.map((c) => lines[indexOf.get(c)!]).join("\n") + "\n");
    files.push(file);
    sources.push(slot.file.replace(/\.txt$/, ""));
  }
  log(`rewrites: ${summary.rewrites} accepted, ${summary.fallbacks} slots fell back to the original (${Object.entries(summary.rejects).map(([k, v]) => `${k} ${v}`).join(", ") || "no rejects"})`);
  return { files, sources, rowCaptions, uniqueCaptions: unique.length, summary, dir };
}
