/**
 * Exporting a checkpoint for other toolkits (docs/export.md):
 *
 *   await exportCheckpoint({ checkpoint: "runs/x/checkpoint", format: "hf", out: "export/hf" });
 *
 * The checkpoint loads as every command loads one (its own config, `model`, or shape inference; overrides),
 * then the format's exporter (formats.ts) writes the folder.
 */
import { existsSync } from "node:fs";
import { mkdir, readdir, readFile, rmdir } from "node:fs/promises";
import { join } from "node:path";
import { ConfigError } from "../errors/config_error.js";
import { loadClipCheckpoint, type ClipOverrides } from "../models/clip/index.js";
import { builtinMergesPath, chooseMerges, readMergesFile, type MergeList } from "../tokenizer/index.js";
import type { ExportContext } from "./context.js";
import { EXPORTERS, exportFormats } from "./formats.js";

export { EXPORTERS, exportFormats } from "./formats.js";
export { writeJson, type ExportContext, type Exporter } from "./context.js";
export { HF_TEXT_FILES, writeHfTextFiles } from "./hf/text_files.js";
export { hfUnsupported } from "./hf/config_json.js";
export { hfStateDict } from "./hf/weights.js";
export { OPEN_CLIP_CONFIG, OPEN_CLIP_WEIGHTS, openClipStateDict } from "./open_clip.js";

export interface ExportOptions {
  checkpoint: string;
  format: string;
  out: string;
  /** `NAME|config.json`, as the CLI's --model. */
  model?: string;
  overrides?: ClipOverrides;
  /**
   * The merges file the model's texts were tokenized with. Default: the one a training checkpoint's
   * trainer.json records (the demo's learned merges, say), else LACLIP_BPE, else OpenAI's (shipped).
   */
  merges?: string;
  log?: (line: string) => void;
}

export interface ExportResult {
  format: string;
  out: string;
  files: string[];
  notes: string[];
}

/** Whether `list` is OpenAI's CLIP vocabulary (compared with the shipped file, merge by merge). */
function isOpenAiVocab(list: MergeList, path: string): boolean {
  if (path === builtinMergesPath() || list.header.includes("bpe_simple_vocab_16e6")) return true;
  const openai = readMergesFile(builtinMergesPath());
  return list.merges.length === openai.merges.length && list.merges.every(([a, b], i) => openai.merges[i]![0] === a && openai.merges[i]![1] === b);
}

/** The merges file a training checkpoint directory's trainer.json records, when it still exists. */
async function recordedMerges(checkpoint: string): Promise<string | undefined> {
  const text = await readFile(join(checkpoint, "trainer.json"), "utf8").catch(() => undefined);
  if (text === undefined) return undefined;
  let merges: unknown;
  try {
    merges = (JSON.parse(text) as { tokenizer?: { merges?: unknown } }).tokenizer?.merges;
  } catch {
    return undefined;
  }
  return typeof merges === "string" && existsSync(merges) ? merges : undefined;
}

export async function exportCheckpoint(o: ExportOptions): Promise<ExportResult> {
  const exporter = EXPORTERS[o.format];
  if (exporter === undefined) throw new ConfigError(`unknown export format '${o.format}'; known: ${exportFormats().join(", ")}`, "format");
  const log = o.log ?? (() => undefined);
  const recorded = o.merges === undefined ? await recordedMerges(o.checkpoint) : undefined;
  const { path: mergesPath } = chooseMerges(o.merges ?? recorded);
  const merges = readMergesFile(mergesPath);
  const { model, config, notes } = await loadClipCheckpoint(o.checkpoint, { model: o.model, overrides: o.overrides });
  notes.push(`tokenizer: ${mergesPath}${recorded !== undefined ? " (recorded in the checkpoint's trainer.json)" : ""}`);
  try {
    model.eval();
    const created = await mkdir(o.out, { recursive: true });
    const ctx: ExportContext = { model, config, merges, openaiVocab: isOpenAiVocab(merges, mergesPath), out: o.out, checkpoint: o.checkpoint, log };
    try {
      const files = await exporter(ctx);
      return { format: o.format, out: o.out, files, notes };
    } catch (err) {
      // A refused model (the format cannot represent it) leaves no empty folder behind.
      if (created !== undefined && (await readdir(o.out).catch(() => ["?"])).length === 0) await rmdir(o.out).catch(() => undefined);
      throw err;
    }
  } finally {
    model.dispose();
  }
}
