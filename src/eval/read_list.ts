/**
 * Reading the small list files evaluation takes (class names, templates): a JSON list when the name ends in
 * `.json`, otherwise UTF-8 text with one entry per line. Errors name the file and the line or index.
 */
import { readFile } from "node:fs/promises";
import { extname } from "node:path";
import { ConfigError } from "../errors/config_error.js";
import { FormatError, type FileLocation } from "../errors/format_error.js";

/** A JSON list's items (any JSON values), or a text file's lines with their 1-based line numbers. */
export type ListItems = { kind: "json"; items: unknown[] } | { kind: "lines"; items: { text: string; line: number }[] };

/** A small UTF-8 input file's text without a leading BOM; a read failure names `description` and the file. */
export async function readInputText(file: string, key: string, description: string): Promise<string> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? String(err);
    throw new ConfigError(`cannot read the ${description} '${file}' (${code})`, key, { cause: err });
  }
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text; // a BOM is not part of the first entry
}

export async function readListFile(file: string, key: string, what: string): Promise<ListItems> {
  const text = await readInputText(file, key, `${what} file`);
  if (extname(file).toLowerCase() === ".json") {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (err) {
      throw new FormatError(`not valid JSON (${(err as Error).message}); ${what} must be a JSON list`, { file }, { cause: err });
    }
    if (!Array.isArray(parsed)) {
      throw new FormatError(`${what} must be a JSON list, got ${parsed === null ? "null" : typeof parsed}`, { file });
    }
    if (parsed.length === 0) throw new FormatError(`the list of ${what} is empty`, { file });
    return { kind: "json", items: parsed };
  }
  const lines = text.split("\n").map((l) => (l.endsWith("\r") ? l.slice(0, -1) : l));
  if (lines[lines.length - 1] === "") lines.pop(); // the final newline ends the last entry, it adds none
  if (lines.length === 0) throw new FormatError(`the file holds no ${what}`, { file });
  lines.forEach((l, i) => {
    if (l.trim() === "") throw new FormatError(`blank line; every line must hold one entry (${what})`, { file, line: i + 1 });
  });
  return { kind: "lines", items: lines.map((text, i) => ({ text, line: i + 1 })) };
}

/** One JSON value from `text` (a JSON-lines row or a whole file); bad JSON is an error naming where it is. */
export function parseJsonAt(text: string, at: FileLocation): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new FormatError(`not valid JSON (${(err as Error).message})`, at, { cause: err });
  }
}
