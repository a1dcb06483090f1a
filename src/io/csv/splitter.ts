/**
 * Finds record boundaries in a byte stream, chunk by chunk, without decoding it: `lines` ends a record at each
 * LF; `csv` ends one at each LF outside a quoted field (the quoting of Python's `csv` module, excel dialect: a
 * field is quoted only when its first byte is `"`, `""` inside it is a quote, and bytes after the closing quote
 * up to the separator are kept literally). The separator is one ASCII character (`,`, or open_clip's tab).
 * Working on bytes is safe for UTF-8: no multi-byte sequence contains an ASCII byte. Records are reported as
 * absolute [start, end) byte ranges that exclude the LF. The training index and `laclip rewrite` both split CSV
 * with this, and parse a record's fields with `parseCsvRecord` (record.ts), which follows the same rules.
 */
import { FormatError } from "../../errors/format_error.js";

export type Splitter = "lines" | "csv";

const LF = 0x0a;
const QUOTE = 0x22;
// csv states: at a field's first byte, inside an unquoted field, inside quotes, just after a quote inside quotes
const START = 0, FIELD = 1, QUOTED = 2, QUOTE_SEEN = 3;

export type OnRecord = (start: number, end: number) => void;

/** The byte of a one-character ASCII separator other than a quote or line break. */
export function separatorByte(separator: string): number {
  const c = separator.charCodeAt(0);
  if (separator.length !== 1 || c > 0x7f || c === QUOTE || c === LF || c === 0x0d) {
    throw new RangeError(`a CSV separator is one ASCII character other than a quote or line break, got '${separator}'`);
  }
  return c;
}

export class RecordSplitter {
  private state = START;
  private recordStart: number;
  private openedAt = -1;
  private readonly sep: number;

  constructor(
    readonly kind: Splitter,
    readonly file: string,
    start = 0,
    separator = ",",
  ) {
    this.recordStart = start;
    this.sep = separatorByte(separator);
  }

  /** Whether the bytes fed so far end inside a quoted field (opened at byte `quoteOpenedAt`). */
  get inQuotes(): boolean {
    return this.state === QUOTED;
  }

  get quoteOpenedAt(): number {
    return this.openedAt;
  }

  /** Feeds `bytes`, which sit at absolute offset `at`, right after the bytes fed before. */
  feed(bytes: Uint8Array, at: number, onRecord: OnRecord): void {
    if (this.kind === "lines") {
      for (let i = bytes.indexOf(LF); i >= 0; i = bytes.indexOf(LF, i + 1)) {
        onRecord(this.recordStart, at + i);
        this.recordStart = at + i + 1;
      }
      return;
    }
    const sep = this.sep;
    let s = this.state;
    for (let i = 0; i < bytes.length; i++) {
      const c = bytes[i];
      if (s === QUOTED) {
        // most bytes of a quoted caption are plain: jump straight to the next quote
        const q = bytes.indexOf(QUOTE, i);
        if (q < 0) break;
        i = q;
        s = QUOTE_SEEN;
      } else if (c === LF) {
        onRecord(this.recordStart, at + i);
        this.recordStart = at + i + 1;
        s = START;
      } else if (s === START) {
        if (c === QUOTE) {
          s = QUOTED;
          this.openedAt = at + i;
        } else if (c !== sep) s = FIELD;
      } else if (s === FIELD) {
        if (c === sep) s = START;
      } else {
        // QUOTE_SEEN: `""` is an escaped quote, anything else closed the quoted part
        s = c === QUOTE ? QUOTED : c === sep ? START : FIELD;
      }
    }
    this.state = s;
  }

  /** Ends the data at absolute offset `end`: reports a last record without LF, rejects an open quote. */
  finish(end: number, onRecord: OnRecord): void {
    if (this.state === QUOTED) {
      throw new FormatError("a quoted field is never closed; the file is truncated or has a stray quote", {
        file: this.file,
        offset: this.openedAt,
      });
    }
    if (end > this.recordStart) onRecord(this.recordStart, end);
    this.recordStart = end;
    this.state = START;
  }
}
