/**
 * CSV input, LaCLIP's training layout (`path,caption`, one image per row) or any CSV/TSV with a caption column.
 * Every data row is a slot (the header is not); a malformed row keeps its slot as a placeholder. With
 * `imageRowsOnly`, rows whose first field does not end in .png/.jpg/.jpeg take no slot, exactly as LaCLIP's loader
 * counts rows, so the rewrite files line up with what that loader reads.
 */
import { ConfigError } from "../../errors/config_error.js";
import { FormatError } from "../../errors/format_error.js";
import { detectSeparator, splitCsvRecord } from "../../io/csv/record.js";
import { RecordSplitter } from "../../io/csv/splitter.js";
import type { CaptionSource, InputEvent, InputItem, InputSpec } from "./input_item.js";
import { decodeUtf8, readRawLines, type RawLine, type ReadProgress } from "./line_reader.js";

const IMAGE_SUFFIXES = [".png", ".jpg", ".jpeg"];
const LF = Buffer.from("\n");

interface Columns {
  caption: number;
  id?: number;
  captionName: string;
}

export interface CsvRow {
  fields: string[];
  /** 1-based line where the row starts, and where it ends. */
  line: number;
  endLine: number;
  /** Why the row is malformed; its fields are then unreliable. */
  error?: string;
}

type CsvSpec = Pick<InputSpec, "captionField" | "idField" | "imageField" | "csvSeparator" | "csvHeader" | "csvImageRowsOnly">;

export function csvSource(path: string, spec: CsvSpec): CaptionSource {
  const progress: ReadProgress = { done: 0, total: 0 };
  return {
    files: [path],
    fraction: () => (progress.total > 0 ? progress.done / progress.total : 0),
    async *[Symbol.asyncIterator](): AsyncGenerator<InputEvent> {
      let columns: Columns | undefined;
      let index = 0;
      const toItem = (row: CsvRow): InputItem | undefined => {
        if (columns === undefined) {
          const header = isHeader(row, spec);
          columns = resolveColumns(path, header, row.fields, spec);
          if (header) return undefined;
        }
        if (spec.csvImageRowsOnly && !IMAGE_SUFFIXES.some((s) => (row.fields[0] ?? "").endsWith(s))) return undefined;
        return makeItem(path, row, columns, index++);
      };
      for await (const row of csvRows(path, spec.csvSeparator, progress)) {
        const item = toItem(row);
        if (item) yield item;
      }
    },
  };
}

/**
 * The rows of a CSV file with the line numbers they span, split by the shared RecordSplitter fed line by line.
 * The separator, when not given, is detected from the first line (a tab there means open_clip's TSV).
 */
export async function* csvRows(path: string, separator: string | undefined, progress?: ReadProgress): AsyncGenerator<CsvRow> {
  let sep = separator;
  let splitter: RecordSplitter | undefined;
  let pending: RawLine[] = [];
  let offset = 0;
  for await (const raw of readRawLines(path, progress)) {
    sep ??= detectSeparator(raw.bytes.toString("latin1"));
    splitter ??= new RecordSplitter("csv", path, 0, sep);
    pending.push(raw);
    let ended = false;
    splitter.feed(raw.bytes, offset, () => undefined);
    splitter.feed(LF, offset + raw.bytes.length, () => (ended = true));
    offset += raw.bytes.length + 1;
    if (!ended) continue;
    yield assemble(pending, sep);
    pending = [];
  }
  if (pending.length > 0) {
    const row = assemble(pending, sep!);
    row.error ??= `a quoted field opened on line ${row.line} is never closed (the file ends inside it)`;
    yield row;
  }
}

function assemble(lines: RawLine[], sep: string): CsvRow {
  let invalid: string | undefined;
  const texts = lines.map((l) => {
    const text = decodeUtf8(l.bytes);
    if (text === undefined) invalid ??= `line ${l.line} is not valid UTF-8`;
    return text ?? l.bytes.toString("utf8");
  });
  const text = texts.join("\n");
  const { fields, problem } = text === "" ? { fields: [], problem: undefined } : splitCsvRecord(text, sep);
  const row: CsvRow = { fields, line: lines[0]!.line, endLine: lines[lines.length - 1]!.line };
  const error = invalid ?? problem;
  if (error !== undefined) row.error = error;
  return row;
}

function makeItem(path: string, row: CsvRow, columns: Columns, index: number): InputItem {
  const where = { file: path, line: row.line };
  const idText = columns.id === undefined ? undefined : row.fields[columns.id];
  const id = idText === undefined || idText === "" ? String(index) : idText;
  let error = row.error;
  if (error === undefined && row.fields.length <= columns.caption) {
    error = `the row has ${row.fields.length} field(s); the caption column '${columns.captionName}' is field ${columns.caption + 1}`;
  }
  if (error !== undefined) return { record: { index, id, caption: "" }, where, problem: new FormatError(`malformed CSV row: ${error}`, where) };
  return { record: { index, id, caption: row.fields[columns.caption]! }, where };
}

function isNumber(field: string | undefined): boolean {
  return field !== undefined && /^\d+$/.test(field);
}

/** Column names open_clip (`filepath`, `title`) and LaCLIP-style files use in a header row. */
const HEADER_NAMES = ["filepath", "title", "caption", "image", "image_path", "path", "url"];

function isHeader(first: CsvRow, spec: Pick<InputSpec, "captionField" | "idField" | "imageField" | "csvHeader">): boolean {
  if (spec.csvHeader === "yes") return true;
  if (spec.csvHeader === "no") return false;
  if (first.error !== undefined) return false;
  const named = [spec.captionField, spec.idField, spec.imageField].filter((n) => n !== undefined && !isNumber(n));
  if (named.length > 0) return named.some((n) => first.fields.includes(n!));
  // no column named: a first row of known column names (open_clip's `filepath,title`) is a header, not caption 1
  return first.fields.length >= 2 && first.fields.every((f) => HEADER_NAMES.includes(f.trim().toLowerCase()));
}

function resolveColumns(path: string, hasHeader: boolean, first: string[], spec: Pick<InputSpec, "captionField" | "idField">): Columns {
  const header = hasHeader ? first : undefined;
  const find = (name: string, option: string): number => {
    if (isNumber(name)) return Number(name);
    const at = header?.indexOf(name) ?? -1;
    if (at >= 0) return at;
    const has = `${header ? "its header" : "its first row"} has ${first.map((h) => `'${h}'`).join(", ")}`;
    throw new ConfigError(`${path}: no CSV column named '${name}' (${has}); pass ${option} with a column name or 0-based number`, option);
  };
  // LaCLIP's CSV has no header in some copies: `path,caption` rows, the caption second; open_clip names it `title`
  const captionName = spec.captionField ?? (header ? (["caption", "title"].find((n) => header.includes(n)) ?? "caption") : "1");
  const caption = find(captionName, "--caption-column");
  const id = spec.idField === undefined ? undefined : find(spec.idField, "--id-column");
  return { caption, id, captionName };
}
