/**
 * Assembles CSV rows (RFC 4180) from decoded lines: quoted fields may hold separators, doubled quotes and line
 * breaks, so a row can span lines. Row boundaries match Python's csv.reader (which LaCLIP's loader uses), so row i
 * here is row i there; where Python silently guesses, a row is flagged instead:
 * - text after a closing quote (`"abc"def`) is malformed;
 * - a file that ends inside a quoted field is malformed (the row starts where the quote opened);
 * - a quote inside an unquoted field (`5" screen`) is kept literally, as Python does.
 */

export interface CsvRow {
  fields: string[];
  /** 1-based line where the row starts, and where it ends. */
  line: number;
  endLine: number;
  /** Why the row is malformed; its fields are then unreliable. */
  error?: string;
}

export class CsvRowAssembler {
  private fields: string[] = [];
  private field = "";
  private inQuotes = false;
  private quoted = false;
  private afterQuote = false;
  private startLine = 0;
  private error?: string;

  constructor(private readonly sep: string) {
    if (sep.length !== 1) throw new RangeError(`CSV separator must be one character, got '${sep}'`);
  }

  /** Feeds one line (without its line break); returns the row when it is complete. */
  feed(text: string, line: number, invalid?: string): CsvRow | undefined {
    if (!this.inQuotes) {
      this.startLine = line;
      // the common case, a line without quotes, needs no character loop
      if (!text.includes('"')) {
        const fields = text === "" ? [] : text.split(this.sep);
        return invalid ? { fields, line, endLine: line, error: invalid } : { fields, line, endLine: line };
      }
    } else {
      this.field += "\n";
    }
    if (invalid) this.error ??= invalid;
    this.scan(text);
    if (this.inQuotes) return undefined;
    return this.emit(line);
  }

  /** Ends the input; a row still open inside quotes is returned as malformed. */
  finish(line: number): CsvRow | undefined {
    if (!this.inQuotes) return undefined;
    this.error ??= `a quoted field opened on line ${this.startLine} is never closed (the file ends inside it)`;
    this.inQuotes = false;
    return this.emit(line);
  }

  private scan(text: string): void {
    for (let i = 0; i < text.length; i++) {
      const c = text[i]!;
      if (this.inQuotes) {
        if (c !== '"') this.field += c;
        else if (text[i + 1] === '"') {
          this.field += '"';
          i++;
        } else {
          this.inQuotes = false;
          this.afterQuote = true;
        }
      } else if (c === this.sep) {
        this.endField();
      } else if (c === '"' && this.field === "" && !this.quoted && !this.afterQuote) {
        this.inQuotes = true;
        this.quoted = true;
      } else {
        if (this.afterQuote) this.error ??= `text after the closing quote of field ${this.fields.length + 1}`;
        this.field += c;
      }
    }
  }

  private endField(): void {
    this.fields.push(this.field);
    this.field = "";
    this.quoted = false;
    this.afterQuote = false;
  }

  private emit(endLine: number): CsvRow {
    this.endField();
    const row: CsvRow = { fields: this.fields, line: this.startLine, endLine };
    if (this.error !== undefined) row.error = this.error;
    this.fields = [];
    this.error = undefined;
    return row;
  }
}
