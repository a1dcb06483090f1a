/**
 * Picks the reader for an input: `--format` when given, else by extension (.txt, .csv/.tsv, .jsonl/.ndjson,
 * .parquet, .tar or a directory of tars / brace pattern for WebDataset).
 */
import { stat } from "node:fs/promises";
import { ConfigError } from "../../errors/config_error.js";
import { csvSource } from "./csv_reader.js";
import type { CaptionSource, InputFormat, InputSpec } from "./input_item.js";
import { jsonlSource } from "./jsonl_reader.js";
import { parquetSource } from "./parquet_reader.js";
import { listTars } from "./tar_list.js";
import { textSource } from "./text_reader.js";
import { wdsSource } from "./wds_reader.js";

const BY_EXTENSION: [RegExp, InputFormat][] = [
  [/\.txt$/i, "text"],
  [/\.(csv|tsv)$/i, "csv"],
  [/\.(jsonl|ndjson)$/i, "jsonl"],
  [/\.parquet$/i, "parquet"],
  [/\.tar$/i, "wds"],
];

export async function detectFormat(paths: string[]): Promise<InputFormat> {
  if (paths.length === 0) throw new ConfigError("no input given; pass --input FILE|DIR", "--input");
  const first = paths[0]!;
  if (paths.length > 1 || first.includes("{")) return "wds";
  const info = await stat(first).catch(() => undefined);
  if (!info) throw new ConfigError(`input not found: ${first}`, "--input");
  if (info.isDirectory()) return "wds";
  for (const [re, format] of BY_EXTENSION) if (re.test(first)) return format;
  throw new ConfigError(`cannot tell the format of ${first} from its name; pass --format text|csv|jsonl|parquet|wds`, "--format");
}

export interface OpenedInput {
  format: InputFormat;
  source: CaptionSource;
  /** WebDataset tars in order (empty for other formats). */
  tars: string[];
}

/** Opens the input; `ownsTar` restricts a WebDataset read to one job shard's tars. */
export async function openInput(spec: InputSpec, ownsTar?: (tar: number) => boolean): Promise<OpenedInput> {
  const format = spec.format ?? (await detectFormat(spec.paths));
  if (format === "wds") {
    const tars = await listTars(spec.paths);
    return { format, tars, source: wdsSource(tars, { captionExt: spec.captionField, owns: ownsTar }) };
  }
  if (spec.paths.length !== 1) throw new ConfigError(`--format ${format} reads one file, got ${spec.paths.length}`, "--input");
  const path = spec.paths[0]!;
  const info = await stat(path).catch(() => undefined);
  if (!info?.isFile()) throw new ConfigError(`input file not found: ${path}`, "--input");
  const source =
    format === "text" ? textSource(path)
    : format === "csv" ? csvSource(path, spec)
    : format === "jsonl" ? jsonlSource(path, spec.captionField, spec.idField)
    : parquetSource(path, spec.captionField, spec.idField);
  return { format, source, tars: [] };
}
