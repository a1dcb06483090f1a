/**
 * Finds record boundaries in a byte stream, chunk by chunk, without decoding it: `lines` ends a record at each
 * LF; `csv` ends one at each LF outside a quoted field (the quoting of Python's `csv` module, excel dialect: a
 * field is quoted only when its first byte is `"`, `""` inside it is a quote, and bytes after the closing quote
 * up to the delimiter are kept literally). Working on bytes is safe for UTF-8: no multi-byte sequence contains an
 * ASCII byte. Records are reported as absolute [start, end) byte ranges that exclude the LF.
 */
import { FormatError } from "../../errors/format_error.js";

export type Splitter = "lines" | "csv";

const LF = 0x0a;
const QUOTE = 0x22;
const COMMA = 0x2c;
// csv states: at a field's first byte, inside an unquoted field, inside quotes, just after a quote inside quotes
const START = 0, FIELD = 1, QUOTED = 2, QUOTE_SEEN = 3;

export type OnRecord = (start: number, end: number) => void;

export class RecordSplitter {
  private state = START;
  private recordStart: number;
  private quoteOpenedAt = -1;

  constructor(
    readonly kind: Splitter,
    readonly file: string,
    start = 0,
  ) {
    this.recordStart = start;
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
          this.quoteOpenedAt = at + i;
        } else if (c !== COMMA) s = FIELD;
      } else if (s === FIELD) {
        if (c === COMMA) s = START;
      } else {
        // QUOTE_SEEN: `""` is an escaped quote, anything else closed the quoted part
        s = c === QUOTE ? QUOTED : c === COMMA ? START : FIELD;
      }
    }
    this.state = s;
  }

  /** Ends the data at absolute offset `end`: reports a last record without LF, rejects an open quote. */
  finish(end: number, onRecord: OnRecord): void {
    if (this.state === QUOTED) {
      throw new FormatError("a quoted field is never closed; the file is truncated or has a stray quote", {
        file: this.file,
        offset: this.quoteOpenedAt,
      });
    }
    if (end > this.recordStart) onRecord(this.recordStart, end);
    this.recordStart = end;
    this.state = START;
  }
}

/**
 * Splits one CSV record (the bytes between two record boundaries, without the LF) into fields, with the same
 * rules as the splitter. A CR before the LF and CRLF inside quoted fields become what Python's universal
 * newlines make of them (nothing, and LF).
 */
export function parseCsvRecord(record: string): string[] {
  if (record.endsWith("\r")) record = record.slice(0, -1);
  const fields: string[] = [];
  let field = "";
  let s = START;
  for (let i = 0; i < record.length; i++) {
    const c = record[i]!;
    if (s === QUOTED) {
      if (c === '"') s = QUOTE_SEEN;
      else field += c;
    } else if (s === QUOTE_SEEN) {
      if (c === '"') {
        field += '"';
        s = QUOTED;
      } else if (c === ",") {
        fields.push(field);
        field = "";
        s = START;
      } else {
        field += c;
        s = FIELD;
      }
    } else if (c === ",") {
      fields.push(field);
      field = "";
      s = START;
    } else if (s === START && c === '"') {
      s = QUOTED;
    } else {
      field += c;
      s = FIELD;
    }
  }
  fields.push(field);
  return fields.map((f) => (f.includes("\r\n") ? f.replaceAll("\r\n", "\n") : f));
}
