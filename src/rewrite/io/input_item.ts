/**
 * What every input reader yields: one item per caption slot of the input, in input order, bad rows included (with
 * `problem` set) so that a skipped row still holds its line of the outputs and alignment never shifts.
 */
import type { FileLocation, FormatError } from "../../errors/format_error.js";
import type { CaptionRecord } from "../types.js";

export type InputFormat = "text" | "csv" | "jsonl" | "parquet" | "wds";
export const INPUT_FORMATS: readonly InputFormat[] = ["text", "csv", "jsonl", "parquet", "wds"];

export interface InputItem {
  record: CaptionRecord;
  /** Where the caption sits in its file (line for text/CSV/JSONL, row for Parquet, byte offset and key for tars). */
  where: FileLocation;
  /** Set when the row could not be read; `record.caption` is then "" and the row is a placeholder. */
  problem?: FormatError;
  /** For WebDataset input: the position of the tar in the input list, so sharding can go by whole tars. */
  tar?: number;
}

/**
 * A break that loses an unknown number of captions (a truncated or corrupt tar: the rest of it cannot be read). It
 * takes no slot; the run stops or counts it and goes on, as `--on-error` says.
 */
export interface InputLoss {
  loss: FormatError;
  tar?: number;
}

export type InputEvent = InputItem | InputLoss;

/** A streaming reader: constant memory, one pass, in input order. */
export interface CaptionSource extends AsyncIterable<InputEvent> {
  /** The files read, in order (for the run's fingerprint). */
  readonly files: readonly string[];
  /** How far the reader got, 0..1, by bytes or rows; drives the progress bar's ETA. */
  fraction(): number;
}

/** How to find captions in the input; the CLI fills it from `--input`, `--format` and the key options. */
export interface InputSpec {
  /** One file, a directory of tars, or tar paths / brace patterns (WebDataset). */
  paths: string[];
  format?: InputFormat;
  /** CSV column (name or 0-based number), JSONL key, Parquet column, or WebDataset member extension. */
  captionField?: string;
  /** CSV column / JSONL key / Parquet column holding an id; default: the index (tars: the sample key). */
  idField?: string;
  /** CSV column holding the image path (open_clip's --csv-img-key); only used to recognise the header row. */
  imageField?: string;
  /** CSV field separator; default: a tab when the first line has one (open_clip's TSV), else ",". */
  csvSeparator?: string;
  /** Whether the CSV's first row is a header: "auto" looks for the caption column's name in it. */
  csvHeader?: "auto" | "yes" | "no";
  /** Index only rows whose first field ends in .png/.jpg/.jpeg, as LaCLIP's training loader does. */
  csvImageRowsOnly?: boolean;
}
