/** What every exporter is handed, and the small file helper they share. */
import { writeAll, writeFileAtomic } from "../io/file/atomic_write.js";
import type { CLIP, ClipConfig } from "../models/clip/index.js";
import type { MergeList } from "../tokenizer/index.js";

export interface ExportContext {
  /** The loaded model (float32, eval mode); the dispatcher disposes it after the exporter returns. */
  model: CLIP;
  config: ClipConfig;
  /** The tokenizer the model's texts use (--merges, LACLIP_BPE, or OpenAI's shipped vocabulary). */
  merges: MergeList;
  /** Whether `merges` is OpenAI's CLIP vocabulary (what open_clip's and OpenAI's own tokenizers use). */
  openaiVocab: boolean;
  /** The output folder (created before the exporter runs). */
  out: string;
  /** The checkpoint path as given. */
  checkpoint: string;
  log: (line: string) => void;
}

/** Writes one export format into ctx.out; resolves to the paths written. */
export type Exporter = (ctx: ExportContext) => Promise<string[]>;

/** Pretty JSON with a final newline, written atomically. */
export async function writeJson(path: string, value: unknown): Promise<void> {
  const bytes = new TextEncoder().encode(`${JSON.stringify(value, null, 2)}\n`);
  await writeFileAtomic(path, async (h) => void (await writeAll(h, bytes, 0)));
}
