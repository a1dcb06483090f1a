/**
 * Parquet input (LAION metadata and the like), read one row group at a time so memory stays bounded by the largest
 * row group's caption column. The caption column defaults to `caption`, else `TEXT` (LAION's name). Locations give
 * the 1-based row as the line. A null caption is an empty caption; a row group that cannot be decoded becomes one
 * placeholder per row, so the rows after it keep their slots.
 */
import { asyncBufferFromFile, parquetMetadataAsync, parquetReadObjects, parquetSchema } from "hyparquet";
import { ConfigError } from "../../errors/config_error.js";
import { FormatError } from "../../errors/format_error.js";
import type { CaptionSource, InputEvent } from "./input_item.js";

export function parquetSource(path: string, captionColumn?: string, idColumn?: string): CaptionSource {
  let rowsDone = 0;
  let rowsTotal = 0;
  return {
    files: [path],
    fraction: () => (rowsTotal > 0 ? rowsDone / rowsTotal : 0),
    async *[Symbol.asyncIterator](): AsyncGenerator<InputEvent> {
      const file = await asyncBufferFromFile(path);
      const metadata = await parquetMetadataAsync(file).catch((err: unknown) => {
        throw new FormatError(`not a readable Parquet file (${(err as Error).message})`, { file: path }, { cause: err });
      });
      const names = parquetSchema(metadata).children.map((c) => c.element.name);
      const caption = captionColumn ?? (names.includes("caption") ? "caption" : "TEXT");
      for (const [col, option] of [[caption, "--caption-key"], [idColumn, "--id-key"]] as const) {
        if (col !== undefined && !names.includes(col)) {
          throw new ConfigError(`${path}: no Parquet column '${col}' (columns: ${names.join(", ")}); choose one with ${option}`, option);
        }
      }
      const columns = idColumn === undefined ? [caption] : [caption, idColumn];
      rowsTotal = Number(metadata.num_rows);
      let rowStart = 0;
      for (const [group, rg] of metadata.row_groups.entries()) {
        const rowEnd = rowStart + Number(rg.num_rows);
        let rows: Record<string, unknown>[] | undefined;
        let failure: unknown;
        try {
          rows = await parquetReadObjects({ file, metadata, columns, rowStart, rowEnd });
        } catch (err) {
          failure = err;
        }
        for (let r = rowStart; r < rowEnd; r++) {
          const where = { file: path, line: r + 1 };
          const row = rows?.[r - rowStart];
          const idValue = idColumn === undefined ? undefined : row?.[idColumn];
          const id = idValue === undefined || idValue === null ? String(r) : String(idValue);
          const value = row?.[caption];
          let error: string | undefined;
          if (!row) error = `row group ${group} cannot be decoded (${failure instanceof Error ? failure.message : String(failure)})`;
          else if (value !== null && value !== undefined && typeof value !== "string") error = `column '${caption}' holds a ${typeof value}, not text`;
          rowsDone = r + 1;
          if (error !== undefined) {
            yield { record: { index: r, id, caption: "" }, where, problem: new FormatError(error, where, { cause: failure }) };
          } else {
            yield { record: { index: r, id, caption: typeof value === "string" ? value : "" }, where };
          }
        }
        rowStart = rowEnd;
      }
    },
  };
}
