/**
 * Splits one CSV record (the text between two record boundaries found by RecordSplitter, without the LF) into
 * fields, with the splitter's rules. A CR before the LF and CRLF inside quoted fields become what Python's
 * universal newlines make of them (nothing, and LF). Where Python's reader silently guesses (text after a
 * closing quote, `"abc"def`, is kept literally), `problem` says so; strict readers reject such a row.
 */

export interface CsvFields {
  fields: string[];
  /** Why the row is doubtful; its fields are then Python's guess. */
  problem?: string;
}

const START = 0, FIELD = 1, QUOTED = 2, QUOTE_SEEN = 3;

export function splitCsvRecord(record: string, separator = ","): CsvFields {
  if (record.endsWith("\r")) record = record.slice(0, -1);
  const fields: string[] = [];
  let problem: string | undefined;
  let field = "";
  let s = START;
  const end = () => {
    fields.push(field.includes("\r\n") ? field.replaceAll("\r\n", "\n") : field);
    field = "";
    s = START;
  };
  for (let i = 0; i < record.length; i++) {
    const c = record[i]!;
    if (s === QUOTED) {
      if (c === '"') s = QUOTE_SEEN;
      else field += c;
    } else if (s === QUOTE_SEEN) {
      if (c === '"') {
        field += '"';
        s = QUOTED;
      } else if (c === separator) end();
      else {
        problem ??= `text after the closing quote of field ${fields.length + 1}`;
        field += c;
        s = FIELD;
      }
    } else if (c === separator) end();
    else if (s === START && c === '"') s = QUOTED;
    else {
      field += c;
      s = FIELD;
    }
  }
  end();
  return problem === undefined ? { fields } : { fields, problem };
}

/** The fields alone, as Python's csv.reader gives them. */
export function parseCsvRecord(record: string, separator = ","): string[] {
  return splitCsvRecord(record, separator).fields;
}

/** open_clip's default separator is a tab; a header line (or first row) with a tab says tab, otherwise comma. */
export function detectSeparator(firstLine: string): "\t" | "," {
  return firstLine.includes("\t") ? "\t" : ",";
}
