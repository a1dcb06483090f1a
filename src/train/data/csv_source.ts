/**
 * LaCLIP's training data: a CSV of `relative_image_path,caption` rows plus K rewrite files with one line per
 * sample row (the released CC3M/CC12M/RedCaps rewrite files), read by row with positioned reads.
 *
 * Which rows are samples follows LaCLIP's reader exactly, because the rewrite files are aligned with those rows
 * only: a row is a sample when its first field ends with one of `imageExtensions` (default LaCLIP's
 * `.png .jpg .jpeg`, case-sensitive), so a header such as `image,caption` is skipped without being declared.
 * `header: "yes"` additionally always skips the first row; `imageExtensions: []` makes every non-blank row a sample.
 * Blank lines are never samples (Python's reader yields an empty row for them, which LaCLIP cannot use).
 * Rewrite line i (LF-separated; a trailing CR is dropped, as Python's universal newlines do) belongs to sample
 * row i; a rewrite file whose line count differs from the sample row count is an error, never a silent shift.
 *
 * open_clip's CSV layout is read too: a header row naming the columns (`filepath`, `title` by default, or
 * `imageKey` / `captionKey`), separated by a tab (open_clip's default) or a comma: `separator` "auto" takes a tab
 * when the first line has one. A caption or rewrite line that is not valid UTF-8 is a bad sample, counted.
 */
import { isUtf8 } from "node:buffer";
import { open, type FileHandle } from "node:fs/promises";
import { basename, extname, isAbsolute, join, dirname } from "node:path";
import { FormatError } from "../../errors/format_error.js";
import { ConfigError } from "../../errors/config_error.js";
import { buildRecordIndex, readRecord, type KeepRecord, type RecordIndex } from "./record_index.js";
import { detectSeparator, parseCsvRecord } from "../../io/csv/record.js";
import { checkImageFile, type IndexedSource } from "./indexed_source.js";
import { SampleError } from "./sample_error.js";
import type { Sample } from "./types.js";

export const LACLIP_IMAGE_EXTENSIONS = [".png", ".jpg", ".jpeg"];

export interface CsvSourceOptions {
  csv: string;
  /** Folder the relative image paths are joined to (absolute paths are used as they are); default: the CSV's folder. */
  imageRoot?: string;
  /** Line-aligned rewrite files, in the order their texts follow the original. */
  rewrites?: string[];
  /** A source name per rewrite file; default: each file's name without its extension. */
  rewriteSources?: string[];
  header?: "auto" | "yes" | "no";
  imageExtensions?: string[];
  /** Field separator: "auto" (default: a tab when the first line has one, else ","), ",", or "\t". */
  separator?: string;
  /** Header names of the image and caption columns (open_clip's --csv-img-key / --csv-caption-key). Either one
   * given means the first row is a header that must hold both (the other defaulting to open_clip's name). */
  imageKey?: string;
  captionKey?: string;
  /** Rows per stored offset (memory: 8 / stride bytes per row per file). Default 8. */
  stride?: number;
  /** Check that the image file exists when a row is read (a `stat`). Default true. */
  checkImages?: boolean;
  /** Blocking positioned reads of the text rows (see `readRecord`). Default true. */
  syncReads?: boolean;
  log?: (line: string) => void;
}

/** Rows the CSV holds that are not samples, by why. */
export interface CsvSkipped {
  header: number;
  blank: number;
  noImageExtension: number;
}

/** Where a row's fields are: LaCLIP's positions (image first, caption second) or a header's named columns. */
interface CsvLayout {
  separator: string;
  image: number;
  caption: number;
  /** The first row names the columns and is not a sample. */
  header: boolean;
}

const OPEN_CLIP_KEYS = { image: "filepath", caption: "title" };

export class CsvSource implements IndexedSource {
  private constructor(
    readonly file: string,
    private readonly imageRoot: string,
    private readonly index: RecordIndex,
    private readonly fh: FileHandle,
    private readonly rewrites: { index: RecordIndex; fh: FileHandle }[],
    readonly sources: string[],
    readonly skipped: CsvSkipped,
    private readonly checkImages: boolean,
    private readonly sync: boolean,
    private readonly layout: CsvLayout,
  ) {}

  get size(): number {
    return this.index.count;
  }

  static async open(options: CsvSourceOptions): Promise<CsvSource> {
    const files = options.rewrites ?? [];
    const names = options.rewriteSources ?? files.map((f) => basename(f, extname(f)));
    if (names.length !== files.length) {
      throw new ConfigError(`${names.length} rewrite source names for ${files.length} rewrite files`, "data.rewrite_sources");
    }
    const sources = ["original", ...names];
    if (new Set(sources).size !== sources.length) {
      throw new ConfigError(`rewrite source names must be distinct and not 'original': ${names.join(", ")}`, "data.rewrite_sources");
    }
    const skipped: CsvSkipped = { header: 0, blank: 0, noImageExtension: 0 };
    const stride = options.stride ?? 8;
    const layout = await csvLayout(options);
    const [index, ...rewriteIndexes] = await Promise.all([
      buildRecordIndex(options.csv, { splitter: "csv", separator: layout.separator, stride, keep: csvRowFilter(options, layout, skipped) }),
      ...files.map((f) => buildRecordIndex(f, { splitter: "lines", stride })),
    ]);
    const plain = { ...index!, keep: csvRowFilter(options, layout) };
    rewriteIndexes.forEach((ri, k) => {
      if (ri.count !== plain.count) {
        throw new FormatError(
          `has ${ri.count} lines but ${options.csv} has ${plain.count} sample rows; rewrite files must have exactly ` +
            `one line per sample row of the CSV (check that both come from the same CSV and neither was cut)`,
          { file: files[k]! },
        );
      }
    });
    const fh = await open(options.csv, "r");
    const rfh = await Promise.all(files.map((f) => open(f, "r")));
    const notSamples = skipped.header + skipped.noImageExtension + skipped.blank;
    if (notSamples > 0) {
      (options.log ?? ((l: string) => process.stderr.write(l + "\n")))(
        `${options.csv}: ${plain.count} sample rows; not samples: ${skipped.header} header, ` +
          `${skipped.noImageExtension} without an image extension, ${skipped.blank} blank`,
      );
    }
    return new CsvSource(
      options.csv,
      options.imageRoot ?? dirname(options.csv),
      plain,
      fh,
      rewriteIndexes.map((ri, k) => ({ index: ri, fh: rfh[k]! })),
      sources,
      skipped,
      options.checkImages ?? true,
      options.syncReads ?? true,
      layout,
    );
  }

  async read(index: number): Promise<Sample> {
    const raw = await readRecord(this.index, this.fh, index, this.sync);
    const fields = parseCsvRecord(raw.toString("utf8"), this.layout.separator);
    const path = stripBom(fields[this.layout.image] ?? "");
    const where = { row: index, key: path };
    // the decoder turns bad bytes into U+FFFD silently; only then is the slower validity check needed
    const badUtf8 = (b: Buffer, s: string) => s.includes("\uFFFD") && !isUtf8(b);
    if (badUtf8(raw, fields.join(""))) throw new SampleError("bad_text", this.file, "the row is not valid UTF-8 (fix the file's encoding)", where);
    const caption = fields[this.layout.caption];
    if (caption === undefined || caption.trim() === "") {
      throw new SampleError("missing_caption", this.file, caption === undefined ? "the row has no caption column" : "the caption is empty", where);
    }
    const lines = await Promise.all(this.rewrites.map((r) => readRecord(r.index, r.fh, index, this.sync)));
    const rewrites = lines.map((b) => b.toString("utf8").replace(/\r$/, ""));
    const bad = rewrites.findIndex((s, k) => badUtf8(lines[k]!, s));
    if (bad >= 0) throw new SampleError("bad_text", this.rewrites[bad]!.index.file, `line ${index + 1} is not valid UTF-8 (fix the file's encoding)`, where);
    const texts = [caption, ...rewrites];
    const image = isAbsolute(path) ? path : join(this.imageRoot, path);
    if (this.checkImages) await checkImageFile(image, this.file, where);
    return { index, key: path, image: { kind: "path", path: image }, texts, sources: this.sources, file: this.file };
  }

  async close(): Promise<void> {
    await Promise.all([this.fh.close(), ...this.rewrites.map((r) => r.fh.close())]);
  }
}

/** The separator and columns: from the options, else from the first line (open_clip's header, or LaCLIP's layout). */
async function csvLayout(options: CsvSourceOptions): Promise<CsvLayout> {
  const firstLine = await readFirstLine(options.csv);
  const given = options.separator === undefined || options.separator === "auto" ? undefined : options.separator;
  const separator = given ?? detectSeparator(firstLine);
  const names = parseCsvRecord(firstLine, separator).map((n, i) => (i === 0 ? stripBom(n) : n).trim());
  const named = options.imageKey !== undefined || options.captionKey !== undefined;
  if (!named && !(names.includes(OPEN_CLIP_KEYS.image) && names.includes(OPEN_CLIP_KEYS.caption))) {
    return { separator, image: 0, caption: 1, header: false };
  }
  const column = (name: string, key: string): number => {
    const at = names.indexOf(name);
    if (at < 0) {
      const sepName = separator === "\t" ? "tab" : `'${separator}'`;
      throw new ConfigError(`${options.csv}: no column '${name}' in its header (${names.map((n) => `'${n}'`).join(", ")}, split at ${sepName}); set ${key} or data.csv_separator`, key);
    }
    return at;
  };
  return {
    separator,
    image: column(options.imageKey ?? OPEN_CLIP_KEYS.image, "data.csv_img_key"),
    caption: column(options.captionKey ?? OPEN_CLIP_KEYS.caption, "data.csv_caption_key"),
    header: true,
  };
}

async function readFirstLine(file: string): Promise<string> {
  const fh = await open(file, "r");
  try {
    const buf = Buffer.alloc(64 * 1024);
    const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
    const text = buf.toString("utf8", 0, bytesRead);
    const nl = text.indexOf("\n");
    return (nl < 0 ? text : text.slice(0, nl)).replace(/\r$/, "");
  } finally {
    await fh.close();
  }
}

/** The sample-row rule of the module comment; counts what it skips into `skipped` when given. */
function csvRowFilter(options: CsvSourceOptions, layout: CsvLayout, skipped?: CsvSkipped): KeepRecord {
  const header = layout.header ? "yes" : (options.header ?? "auto");
  const exts = options.imageExtensions ?? LACLIP_IMAGE_EXTENSIONS;
  return (record, first) => {
    if (record.length === 0 || (record.length === 1 && record[0] === 0x0d)) {
      if (skipped) skipped.blank++;
      return false;
    }
    if (first && header === "yes") {
      if (skipped) skipped.header++;
      return false;
    }
    if (exts.length === 0) return true;
    const path = imageField(record, layout);
    if (exts.some((e) => path.endsWith(e))) return true;
    if (skipped) {
      if (first && header !== "no") skipped.header++;
      else skipped.noImageExtension++;
    }
    return false;
  };
}

/** A record's image path, decoding only the first field in the common case (the scan of a big CSV). */
function imageField(record: Buffer, layout: CsvLayout): string {
  const quoted = record[0] === 0x22 || (record[0] === 0xef && record[3] === 0x22);
  if (layout.image !== 0 || quoted) return stripBom(parseCsvRecord(record.toString("utf8"), layout.separator)[layout.image] ?? "");
  const end = record.indexOf(layout.separator.charCodeAt(0));
  return stripBom(record.toString("utf8", 0, end < 0 ? record.length : end).replace(/\r$/, ""));
}

function stripBom(s: string): string {
  return s.charCodeAt(0) === 0xfeff ? s.slice(1) : s;
}
