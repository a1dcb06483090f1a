/**
 * CSV input, LaCLIP's training layout (`path,caption`, one image per row) or any CSV/TSV with a caption column.
 * Every data row is a slot (the header is not); a malformed row keeps its slot as a placeholder. With
 * `imageRowsOnly`, rows whose first field does not end in .png/.jpg/.jpeg take no slot, exactly as LaCLIP's loader
 * counts rows, so the rewrite files line up with what that loader reads.
 */
import { ConfigError } from "../../errors/config_error.js";
import { FormatError } from "../../errors/format_error.js";
import { CsvRowAssembler, type CsvRow } from "./csv_rows.js";
import type { CaptionSource, InputEvent, InputItem, InputSpec } from "./input_item.js";
import { decodeUtf8, readRawLines, type ReadProgress } from "./line_reader.js";

const IMAGE_SUFFIXES = [".png", ".jpg", ".jpeg"];

interface Columns {
  caption: number;
  id?: number;
  captionName: string;
}

export function csvSource(path: string, spec: Pick<InputSpec, "captionField" | "idField" | "csvSeparator" | "csvHeader" | "csvImageRowsOnly">): CaptionSource {
  const progress: ReadProgress = { done: 0, total: 0 };
  const sep = spec.csvSeparator ?? (path.toLowerCase().endsWith(".tsv") ? "\t" : ",");
  return {
    files: [path],
    fraction: () => (progress.total > 0 ? progress.done / progress.total : 0),
    async *[Symbol.asyncIterator](): AsyncGenerator<InputEvent> {
      const rows = new CsvRowAssembler(sep);
      let columns: Columns | undefined;
      let index = 0;
      let lastLine = 0;
      const toItem = (row: CsvRow): InputItem | undefined => {
        if (columns === undefined) {
          const header = isHeader(row, spec);
          columns = resolveColumns(path, header, row.fields, spec);
          if (header) return undefined;
        }
        if (spec.csvImageRowsOnly && !IMAGE_SUFFIXES.some((s) => (row.fields[0] ?? "").endsWith(s))) return undefined;
        return makeItem(path, row, columns, index++);
      };
      for await (const raw of readRawLines(path, progress)) {
        lastLine = raw.line;
        const text = decodeUtf8(raw.bytes);
        const row = rows.feed(text ?? raw.bytes.toString("utf8"), raw.line, text === undefined ? `line ${raw.line} is not valid UTF-8` : undefined);
        const item = row && toItem(row);
        if (item) yield item;
      }
      const last = rows.finish(lastLine);
      const item = last && toItem(last);
      if (item) yield item;
    },
  };
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

function isHeader(first: CsvRow, spec: Pick<InputSpec, "captionField" | "idField" | "csvHeader">): boolean {
  if (spec.csvHeader === "yes") return true;
  if (spec.csvHeader === "no") return false;
  const names = [spec.captionField ?? "caption", spec.idField].filter((n) => n !== undefined && !isNumber(n));
  return first.error === undefined && names.some((n) => first.fields.includes(n!));
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
  // LaCLIP's CSV has no header in some copies: `path,caption` rows, the caption second
  const captionName = spec.captionField ?? (header ? "caption" : "1");
  const caption = find(captionName, "--caption-column");
  const id = spec.idField === undefined ? undefined : find(spec.idField, "--id-column");
  return { caption, id, captionName };
}
