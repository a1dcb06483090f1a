/**
 * An evaluation set from a list of `path,label` pairs: a CSV (`.csv`; an optional header row `path,label`)
 * or JSON lines (`.jsonl`; `{"path": ..., "label": ...}` per line). A label is a class index or a class name:
 * in JSON by its type (number or string); in CSV a label of digits only is an index, anything else a name.
 * Relative paths are joined to `imageRoot`, by default the list file's folder. Blank lines are skipped.
 */
import { dirname, extname, isAbsolute, join } from "node:path";
import { ConfigError } from "../errors/config_error.js";
import { FormatError } from "../errors/format_error.js";
import { parseCsvRecord } from "../io/csv/record.js";
import { parseJsonAt, readInputText } from "./read_list.js";
import type { EvalClass, EvalSample, EvalSet } from "./types.js";

export interface LabelListOptions {
  /** Folder relative paths are joined to; default: the list file's folder. */
  imageRoot?: string;
}

export type Resolve = (label: unknown, line: number) => number;

/** Class index of a label (an index or a class name) on line `line` of `file`; anything else is an error naming both. */
export function labelResolver(file: string, classes: readonly EvalClass[]): Resolve {
  const byName = new Map<string, number>();
  classes.forEach((c, i) => byName.set(c.name, byName.has(c.name) ? -1 : i));
  return (label, line) => {
    if (typeof label === "number") {
      if (Number.isInteger(label) && label >= 0 && label < classes.length) return label;
      throw new FormatError(`label ${label} is not a class index in [0, ${classes.length - 1}]`, { file, line });
    }
    if (typeof label !== "string" || label === "") throw new FormatError(`label must be a class index or a class name, got ${JSON.stringify(label)}`, { file, line });
    const i = byName.get(label);
    if (i === undefined) throw new FormatError(`unknown label '${label}': no class has that name (labels must equal a class name exactly, or be its index)`, { file, line });
    if (i < 0) throw new FormatError(`label '${label}' is ambiguous: several classes have that name; use the class index instead`, { file, line });
    return i;
  };
}

function csvRow(text: string, line: number, file: string, resolve: Resolve): { path: string; label: number } | "header" {
  if ((text.match(/"/g)?.length ?? 0) % 2 !== 0) throw new FormatError("unbalanced quotes (a path may not span lines)", { file, line });
  const fields = parseCsvRecord(text);
  if (fields.length !== 2) throw new FormatError(`expected 2 fields 'path,label', got ${fields.length}`, { file, line });
  const [path, label] = fields as [string, string];
  if (line === 1 && path.trim().toLowerCase() === "path" && label.trim().toLowerCase() === "label") return "header";
  if (path === "") throw new FormatError("empty image path", { file, line });
  return { path, label: resolve(/^\d+$/.test(label) ? Number(label) : label, line) };
}

function jsonRow(text: string, line: number, file: string, resolve: Resolve): { path: string; label: number } {
  const v = parseJsonAt(text, { file, line });
  const o = v as { path?: unknown; label?: unknown };
  if (v === null || typeof v !== "object" || typeof o.path !== "string" || o.path === "") {
    throw new FormatError('each line must be an object {"path": "...", "label": index or name}', { file, line });
  }
  return { path: o.path, label: resolve(o.label, line) };
}

export async function openLabelList(file: string, classes: readonly EvalClass[], o: LabelListOptions = {}): Promise<EvalSet> {
  const ext = extname(file).toLowerCase();
  if (ext !== ".csv" && ext !== ".jsonl") throw new ConfigError(`'${file}': a label list must be a .csv or .jsonl file`, "images");
  const text = await readInputText(file, "images", "label list");
  const root = o.imageRoot ?? dirname(file);
  const resolve = labelResolver(file, classes);
  const samples: EvalSample[] = [];
  let blank = 0;
  const lines = text.split("\n");
  if (lines[lines.length - 1] === "") lines.pop(); // the final newline ends the last row
  lines.forEach((raw, i) => {
    const line = raw.endsWith("\r") ? raw.slice(0, -1) : raw;
    if (line.trim() === "") return void blank++;
    const row = ext === ".csv" ? csvRow(line, i + 1, file, resolve) : jsonRow(line, i + 1, file, resolve);
    if (row === "header") return;
    samples.push({ path: isAbsolute(row.path) ? row.path : join(root, row.path), label: row.label });
  });
  if (samples.length === 0) throw new ConfigError(`the label list '${file}' names no images`, "images");
  const notes = [`${samples.length} images listed in '${file}', relative paths under '${root}'`];
  if (blank > 0) notes.push(`${blank} blank line(s) skipped`);
  return { source: file, classes, samples, notes };
}
