/**
 * Rewrites carried in a WebDataset sample's `.json` member. Each of `textKeys` is a dotted path into the JSON
 * (like open_clip's `--json-text-key`), read in the listed order:
 * - a string gives one text, whose source is the path;
 * - a list of strings gives one text each, source the path;
 * - an object of strings / string lists (the `rewrites: {source: [...]}` shape of `laclip rewrite`) gives its
 *   entries in key order, each with its own key as source.
 * A path whose last part ends with `*` matches every key with that prefix at that level, in the JSON's key
 * order, each key's text(s) with the key minus the prefix as source: the default `rewrite_*` reads what
 * `laclip rewrite` adds to shards (`rewrite_<source>`, or `rewrite_<source>_<k>` when K > 1; see
 * src/rewrite/job/output_names.ts) with sources `<source>` / `<source>_<k>`.
 * A path absent from a sample is tolerated (the sample has fewer texts) but counted per path in
 * `missing`, and logged once per path, so shards without rewrites are noticed rather than silently used.
 */
import { SampleError } from "./sample_error.js";

export const DEFAULT_TEXT_KEYS = ["rewrite_*"];

export interface WdsTextOptions {
  /** Dotted paths of rewrite texts in the `.json` member. Default `["rewrite_*"]`. */
  textKeys?: string[];
  /** JSON key holding the caption when a sample has no `.txt` member. Default `caption`. */
  captionKey?: string;
  /** Samples that lacked each text key; filled in as samples are read. */
  missing?: Map<string, number>;
  log?: (line: string) => void;
}

export function jsonTexts(json: unknown, opts: WdsTextOptions, file: string, key: string): { texts: string[]; sources: string[] } {
  const texts: string[] = [];
  const sources: string[] = [];
  const child = (v: unknown, part: string) => (v !== null && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>)[part] : undefined);
  for (const path of opts.textKeys ?? DEFAULT_TEXT_KEYS) {
    const parts = path.split(".");
    const last = parts.pop()!;
    let v: unknown = json;
    for (const part of parts) v = child(v, part);
    if (last.endsWith("*")) {
      const prefix = last.slice(0, -1);
      const matches = v !== null && typeof v === "object" && !Array.isArray(v) ? Object.entries(v).filter(([k]) => k.startsWith(prefix)) : [];
      if (matches.length === 0) noteMissing(opts, path, file, key);
      for (const [k, value] of matches) addTexts(value, k.slice(prefix.length) || k, path, file, key, texts, sources);
      continue;
    }
    v = child(v, last);
    if (v === undefined) {
      noteMissing(opts, path, file, key);
      continue;
    }
    if (v !== null && typeof v === "object" && !Array.isArray(v)) {
      for (const [src, value] of Object.entries(v)) addTexts(value, src, path, file, key, texts, sources);
    } else addTexts(v, path, path, file, key, texts, sources);
  }
  return { texts, sources };
}

function addTexts(value: unknown, source: string, path: string, file: string, key: string, texts: string[], sources: string[]): void {
  const list = typeof value === "string" ? [value] : Array.isArray(value) && value.every((t) => typeof t === "string") ? (value as string[]) : undefined;
  if (!list) throw new SampleError("bad_json", file, `json text key '${path}' holds neither text nor a list of texts`, { key });
  for (const t of list) {
    texts.push(t);
    sources.push(source);
  }
}

function noteMissing(opts: WdsTextOptions, path: string, file: string, key: string): void {
  const missing = opts.missing;
  const n = (missing?.get(path) ?? 0) + 1;
  missing?.set(path, n);
  if (n === 1) {
    (opts.log ?? ((l: string) => process.stderr.write(l + "\n")))(
      `${file}, key '${key}': no json text key '${path}'; samples without it train on their other texts only (counted)`,
    );
  }
}
