/**
 * Embeddings of image files and text lines with a checkpoint of either layout, written to one safetensors
 * file (format in docs/models.md), or one of the two arrays alone to a NumPy `.npy` file:
 *   image_embeds (N, D) f32 and/or text_embeds (M, D) f32, each row L2-normalised;
 *   metadata: `images` (JSON list of the image paths relative to the images directory, row order),
 *   `texts` (JSON list of the text lines, row order), `checkpoint`, `layout`, `config` (JSON), `normalised: "l2"`.
 * Images go through the model's own eval transform (its image size; ImageNet mean/std for laclip, OpenAI's for
 * open_clip); texts through the CLIP tokenizer at the model's context length.
 */
import { readdir, readFile } from "node:fs/promises";
import { extname, join, relative } from "node:path";
import { fromHost, noGrad, tensor, tidy } from "../../engine/index.js";
import { ConfigError } from "../../errors/config_error.js";
import type { HostTensor } from "../../io/host_tensor.js";
import { writeNpy } from "../../io/npy/writer.js";
import { writeSafetensors } from "../../io/safetensors/writer.js";
import { InlineDecoder, preprocessBatch, type Resampler } from "../../image/index.js";
import { openTokenizerFile, type ClipTokenizer } from "../../tokenizer/index.js";
import { loadClipCheckpoint } from "./checkpoint.js";
import type { ClipOverrides } from "./detect.js";
import type { CLIP } from "./model.js";
import { imageTransformFor } from "./preprocess.js";

export const IMAGE_EXTENSIONS = [".jpg", ".jpeg", ".png", ".webp", ".gif", ".tif", ".tiff", ".heic", ".heif"];

export interface EmbedOptions {
  checkpoint: string;
  /** Directory searched recursively for image files (by extension), embedded in path order. */
  images?: string;
  /** A text file: every line (empty ones included) is one text; a final newline adds none. */
  texts?: string;
  out: string;
  /** Images or texts per forward pass. Default 64. */
  batch?: number;
  /** BPE merges file; default $LACLIP_BPE, else the shipped OpenAI vocabulary. */
  merges?: string;
  overrides?: ClipOverrides;
  /** `--model NAME|config.json` (see LoadClipOptions.model). */
  model?: string;
  resampler?: Resampler;
}

export interface EmbedSummary {
  images: number;
  texts: number;
  dim: number;
  /** Files in the images directory skipped for not having an image extension. */
  skippedFiles: number;
  notes: string[];
}

/** Image files below `dir`, relative paths sorted by code unit, plus the count of other files. */
export async function listImages(dir: string): Promise<{ files: string[]; skipped: number }> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch((err: NodeJS.ErrnoException) => {
    throw new ConfigError(`cannot read the images directory '${dir}': ${err.code ?? err.message}`, "images", { cause: err });
  });
  const files: string[] = [];
  let skipped = 0;
  for (const e of entries) {
    if (!e.isFile()) continue;
    const rel = relative(dir, join(e.parentPath, e.name));
    if (IMAGE_EXTENSIONS.includes(extname(e.name).toLowerCase())) files.push(rel);
    else skipped++;
  }
  files.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return { files, skipped };
}

export async function readTextLines(file: string): Promise<string[]> {
  const text = await readFile(file, "utf8").catch((err: NodeJS.ErrnoException) => {
    throw new ConfigError(`cannot read the texts file '${file}': ${err.code ?? err.message}`, "texts", { cause: err });
  });
  const lines = text.split(/\r?\n/);
  if (lines[lines.length - 1] === "") lines.pop();
  return lines;
}

function hostRows(data: Float32Array, rows: number, dim: number): HostTensor {
  return { dtype: "f32", shape: [rows, dim], data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) };
}

/** Normalised features of `count` items computed `batch` at a time by `encode(start, end)`. */
async function embedAll(count: number, dim: number, batch: number, encode: (start: number, end: number) => Promise<Float32Array>): Promise<Float32Array> {
  const out = new Float32Array(count * dim);
  for (let s = 0; s < count; s += batch) {
    const e = Math.min(count, s + batch);
    out.set(await encode(s, e), s * dim);
  }
  return out;
}

function encodeImages(model: CLIP, pixels: Float32Array, n: number): Float32Array {
  const size = model.config.vision.imageSize;
  return noGrad(() => tidy(() => {
    const x = tensor(pixels, { shape: [n, 3, size, size] });
    return model.encodeImage(x).normalize({ dim: -1 }).toTypedArray() as Float32Array;
  }));
}

function encodeTexts(model: CLIP, tokenizer: ClipTokenizer, lines: readonly string[]): Float32Array {
  const ids = tokenizer.encodeBatchI64(lines, model.config.text.contextLength);
  return noGrad(() => tidy(() => {
    const x = fromHost(ids);
    return model.encodeText(x).normalize({ dim: -1 }).toTypedArray() as Float32Array;
  }));
}

/** `.safetensors` (both arrays and the row lists) or `.npy` (one array: images or texts, not both). */
function outputKind(o: EmbedOptions): "safetensors" | "npy" {
  const ext = extname(o.out).toLowerCase();
  if (ext === ".safetensors") return "safetensors";
  if (ext !== ".npy") throw new ConfigError(`--out ${o.out}: write .safetensors (both arrays, with the row lists) or .npy (one array)`, "out");
  if (o.images !== undefined && o.texts !== undefined) {
    throw new ConfigError(`--out ${o.out}: a .npy file holds one array; embed images or texts into it, or write .safetensors for both`, "out");
  }
  return "npy";
}

export async function embedToFile(o: EmbedOptions): Promise<EmbedSummary> {
  if (o.images === undefined && o.texts === undefined) throw new ConfigError("nothing to embed: give an images directory, a texts file, or both", "images");
  const batch = o.batch ?? 64;
  if (!Number.isInteger(batch) || batch < 1) throw new ConfigError(`batch must be a positive integer, got ${batch}`, "batch");
  const kind = outputKind(o);
  const images = o.images === undefined ? undefined : await listImages(o.images);
  const lines = o.texts === undefined ? undefined : await readTextLines(o.texts);
  const tokenizer = lines === undefined ? undefined : openTokenizerFile(o.merges);
  const { model, config, notes } = await loadClipCheckpoint(o.checkpoint, { overrides: o.overrides, model: o.model });
  try {
    model.eval();
    const dim = config.embedDim;
    const tensors = new Map<string, HostTensor>();
    if (images !== undefined && o.images !== undefined) {
      const spec = imageTransformFor(config, { resampler: o.resampler });
      const decoder = new InlineDecoder();
      try {
        const root = o.images;
        const data = await embedAll(images.files.length, dim, batch, async (s, e) => {
          const pixels = await preprocessBatch(images.files.slice(s, e).map((f) => ({ path: join(root, f) })), spec, { decoder });
          return encodeImages(model, pixels, e - s);
        });
        tensors.set("image_embeds", hostRows(data, images.files.length, dim));
      } finally {
        await decoder.close();
      }
    }
    if (lines !== undefined) {
      const data = await embedAll(lines.length, dim, batch, async (s, e) => encodeTexts(model, tokenizer!, lines.slice(s, e)));
      tensors.set("text_embeds", hostRows(data, lines.length, dim));
    }
    const metadata: Record<string, string> = {
      checkpoint: o.checkpoint, layout: config.layout, config: JSON.stringify(config), normalised: "l2",
    };
    if (images !== undefined) metadata["images"] = JSON.stringify(images.files);
    if (lines !== undefined) metadata["texts"] = JSON.stringify(lines);
    if (kind === "npy") await writeNpy(o.out, [...tensors.values()][0]!); // the one array; row order as listed
    else await writeSafetensors(o.out, tensors, { metadata });
    return { images: images?.files.length ?? 0, texts: lines?.length ?? 0, dim, skippedFiles: images?.skipped ?? 0, notes };
  } finally {
    model.dispose();
  }
}
