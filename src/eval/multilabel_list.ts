/**
 * A multilabel set from a list file (laclip's own form; CLIP_benchmark reads multilabel sets from WebDataset
 * shards only): JSON lines `{"path": "...", "labels": [index or name, ...]}`, where `[]` is an image with none of
 * the classes (a pure negative), or a CSV whose header row is `path,labels` with the labels of a row separated
 * by `;` (`img1.jpg,dog;person`). Labels resolve as in a single-label list (label_list.ts). A list whose first
 * row is not of this form is not multilabel: `undefined`, and the caller reads it as a single-label list.
 */
import { dirname, extname, isAbsolute, join } from "node:path";
import { ConfigError } from "../errors/config_error.js";
import { FormatError } from "../errors/format_error.js";
import { parseCsvRecord } from "../io/csv/record.js";
import { labelResolver, type LabelListOptions, type Resolve } from "./label_list.js";
import { parseJsonAt, readInputText } from "./read_list.js";
import type { EvalClass, MultilabelSet } from "./types.js";

interface Row {
  path: string;
  labels: number[];
}

function csvRow(text: string, line: number, file: string, resolve: Resolve): Row {
  const fields = parseCsvRecord(text);
  if (fields.length !== 2) throw new FormatError(`expected 2 fields 'path,labels', got ${fields.length}`, { file, line });
  const [path, field] = fields as [string, string];
  if (path === "") throw new FormatError("empty image path", { file, line });
  const items = field.split(";").map((s) => s.trim()).filter((s) => s !== "");
  if (items.length === 0) throw new FormatError("no labels; give the image's classes separated by ';' (an image with none: JSON lines with \"labels\": [])", { file, line });
  return { path, labels: items.map((l) => resolve(/^\d+$/.test(l) ? Number(l) : l, line)) };
}

function jsonRow(text: string, line: number, file: string, resolve: Resolve): Row {
  const v = parseJsonAt(text, { file, line });
  const o = v as { path?: unknown; labels?: unknown };
  if (v === null || typeof v !== "object" || typeof o.path !== "string" || o.path === "" || !Array.isArray(o.labels)) {
    throw new FormatError('each line of a multilabel list must be an object {"path": "...", "labels": [index or name, ...]}', { file, line });
  }
  return { path: o.path, labels: o.labels.map((l: unknown) => resolve(l, line)) };
}

/** Whether the list's first row is multilabel: a CSV header `path,labels`, or a JSON object with `labels`. */
function isMultilabel(first: string, csv: boolean): boolean {
  if (csv) return parseCsvRecord(first).map((f) => f.trim().toLowerCase()).join(",") === "path,labels";
  try {
    const v = JSON.parse(first) as unknown;
    return v !== null && typeof v === "object" && "labels" in v;
  } catch {
    return false; // the single-label reader names the bad line
  }
}

export async function openMultilabelList(file: string, classes: readonly EvalClass[], o: LabelListOptions = {}): Promise<MultilabelSet | undefined> {
  const csv = extname(file).toLowerCase() === ".csv";
  const text = await readInputText(file, "images", "label list");
  const lines = text.split("\n").map((l) => (l.endsWith("\r") ? l.slice(0, -1) : l));
  const firstAt = lines.findIndex((l) => l.trim() !== "");
  if (firstAt < 0 || !isMultilabel(lines[firstAt]!, csv)) return undefined;
  const root = o.imageRoot ?? dirname(file);
  const resolve = labelResolver(file, classes);
  const samples: MultilabelSet["samples"][number][] = [];
  const targets: Uint8Array[] = [];
  lines.forEach((line, i) => {
    if (line.trim() === "" || (csv && i === firstAt)) return;
    const row = csv ? csvRow(line, i + 1, file, resolve) : jsonRow(line, i + 1, file, resolve);
    const target = new Uint8Array(classes.length);
    for (const c of row.labels) target[c] = 1;
    samples.push({ path: isAbsolute(row.path) ? row.path : join(root, row.path), label: samples.length });
    targets.push(target);
  });
  if (samples.length === 0) throw new ConfigError(`the multilabel list '${file}' names no images`, "images");
  return { source: file, classes, samples, targets, notes: [`${samples.length} images listed in '${file}' (multilabel), relative paths under '${root}'`] };
}
