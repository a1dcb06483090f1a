/**
 * Retrieval sets from files: images with one or more captions each.
 * - `.csv`: `image,caption` per row (an optional header `image,caption`); rows naming the same image add
 *   captions to it, images keep the order they first appear in.
 * - `.jsonl`: `{"image": PATH, "caption": TEXT}` or `{"image": PATH, "captions": [TEXT, ...]}` per line.
 * - `.json`: a Karpathy split file (dataset_coco.json, dataset_flickr30k.json): `images[]` with `filename`, an
 *   optional `filepath` folder, `split`, and `sentences[].raw`; only images of the requested split are kept.
 * Relative image paths are joined to `imageRoot` (default: the file's folder).
 */
import { dirname, extname, isAbsolute, join } from "node:path";
import { ConfigError } from "../errors/config_error.js";
import { FormatError } from "../errors/format_error.js";
import { parseCsvRecord } from "../io/csv/index.js";
import { parseJsonAt, readInputText } from "./read_list.js";
import type { RetrievalSet } from "./types.js";

export interface RetrievalListOptions {
  /** Folder relative image paths are under; default the file's folder. */
  imageRoot?: string;
  /** For a Karpathy JSON: which split to keep. Default "test". */
  split?: string;
}

class Gather {
  private readonly index = new Map<string, number>();
  readonly paths: string[] = [];
  readonly captions: string[][] = [];
  add(path: string, captions: readonly string[]): void {
    let i = this.index.get(path);
    if (i === undefined) {
      i = this.paths.length;
      this.index.set(path, i);
      this.paths.push(path);
      this.captions.push([]);
    }
    this.captions[i]!.push(...captions);
  }
}

function parseLines(text: string, file: string, csv: boolean, g: Gather): void {
  const lines = text.split("\n");
  lines.forEach((raw, i) => {
    const line = raw.replace(/\r$/, "");
    if (line.trim() === "") return;
    const at = { file, line: i + 1 };
    if (csv) {
      if ((line.match(/"/g)?.length ?? 0) % 2 !== 0) throw new FormatError("unbalanced quotes (a caption may not span lines)", at);
      const f = parseCsvRecord(line);
      if (f.length !== 2) throw new FormatError(`expected 2 fields 'image,caption', got ${f.length}; quote captions that hold commas`, at);
      if (i === 0 && ["image", "path", "filepath"].includes(f[0]!.trim().toLowerCase()) && ["caption", "title", "text"].includes(f[1]!.trim().toLowerCase())) return;
      if (f[0]!.trim() === "") throw new FormatError("empty image path", at);
      if (f[1]!.trim() === "") throw new FormatError("empty caption; give every row a caption", at);
      g.add(f[0]!, [f[1]!]);
      return;
    }
    const v = parseJsonAt(line, at) as { image?: unknown; caption?: unknown; captions?: unknown } | null;
    const caps = v?.captions ?? (v?.caption === undefined ? undefined : typeof v.caption === "string" ? [v.caption] : v.caption);
    if (typeof v?.image !== "string" || v.image === "") throw new FormatError('each line needs "image": a path', at);
    if (!Array.isArray(caps) || caps.length === 0 || caps.some((c) => typeof c !== "string" || c.trim() === "")) {
      throw new FormatError('each line needs "caption": a non-empty string, or "captions": a non-empty list of them', at);
    }
    g.add(v.image, caps as string[]);
  });
}

function parseKarpathy(text: string, file: string, split: string, g: Gather): void {
  const doc = parseJsonAt(text, { file }) as { images?: unknown } | null;
  if (!Array.isArray(doc?.images)) throw new FormatError('a Karpathy split file has "images": [...]; for other JSON use .jsonl lines', { file });
  doc.images.forEach((im: { filename?: unknown; filepath?: unknown; split?: unknown; sentences?: unknown }, i: number) => {
    const at = { file, key: `images[${i}]` };
    if (typeof im?.filename !== "string") throw new FormatError('needs "filename"', at);
    if (im.split !== split) return;
    const sentences = Array.isArray(im.sentences) ? im.sentences.map((s: { raw?: unknown }) => s?.raw) : [];
    if (sentences.length === 0 || sentences.some((s: unknown) => typeof s !== "string")) throw new FormatError('needs "sentences": [{"raw": caption}, ...]', at);
    g.add(typeof im.filepath === "string" ? join(im.filepath, im.filename) : im.filename, sentences as string[]);
  });
}

export async function openRetrievalList(file: string, o: RetrievalListOptions = {}): Promise<RetrievalSet> {
  const ext = extname(file).toLowerCase();
  if (![".csv", ".jsonl", ".json"].includes(ext)) throw new ConfigError(`'${file}': a retrieval list must be .csv, .jsonl or a Karpathy .json`, "dataset");
  const text = await readInputText(file, "dataset", "retrieval list");
  const g = new Gather();
  const split = o.split ?? "test";
  if (ext === ".json") parseKarpathy(text, file, split, g);
  else parseLines(text, file, ext === ".csv", g);
  if (g.paths.length === 0) {
    throw new FormatError(ext === ".json" ? `no image has split '${split}'; pass --split (Karpathy files use train, restval, val, test)` : "names no image; it needs one image,caption entry at least", { file });
  }
  const root = o.imageRoot ?? dirname(file);
  return {
    source: file,
    images: g.paths.map((p, i) => ({ path: isAbsolute(p) ? p : join(root, p), label: i })),
    captions: g.captions,
    notes: [`${g.paths.length} images with ${g.captions.reduce((n, c) => n + c.length, 0)} captions from '${file}'`],
  };
}
