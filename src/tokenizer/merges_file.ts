/**
 * Reading and writing BPE merges files in the OpenAI/GPT-2 text format: a version header line, then one merge per
 * line, `left right`, in rank order (the first line's merge is applied first). Files may be gzip-compressed; the
 * reader looks at the magic bytes, the writer compresses when the name ends in `.gz`.
 */
import { readFileSync, renameSync, writeFileSync } from "node:fs";
import { gunzipSync, gzipSync } from "node:zlib";
import { FormatError } from "../errors/format_error.js";
import { CHAR_TO_BYTE, END_OF_WORD } from "./bytes_unicode.js";

/** CLIP's vocabulary is 49408 = 256 bytes + 256 bytes ending a word + this many merges + 2 specials. */
export const OPENAI_CLIP_MERGES = 49152 - 256 - 2;

/** The header `laclip tokenizer train` writes; it is the header GPT-2-style loaders expect. */
export const DEFAULT_HEADER = "#version: 0.2";

export interface MergeList {
  /** The file's first line, kept verbatim. */
  header: string;
  /** Merges in rank order, each `[left, right]` in the byte alphabet, `</w>` marking a word end. */
  merges: Array<[string, string]>;
}

export interface ReadMergesOptions {
  /**
   * How many merges to use. Default: OPENAI_CLIP_MERGES for OpenAI's `bpe_simple_vocab_16e6.txt` (recognised by
   * its header, which names that file) because CLIP uses only the first 48894 of its 262144 merges, and all
   * merges for any other file (Hugging Face's CLIP merges.txt already holds exactly 48894).
   */
  maxMerges?: number;
}

/** Reads a merges file (plain or gzip) from disk. Missing or malformed files throw FormatError naming file and line. */
export function readMergesFile(path: string, options: ReadMergesOptions = {}): MergeList {
  let raw: Buffer;
  try {
    raw = readFileSync(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? String(err);
    throw new FormatError(
      `cannot read the BPE merges file (${code}); pass the path of OpenAI's bpe_simple_vocab_16e6.txt.gz or of a file made by 'laclip tokenizer train'`,
      { file: path },
      { cause: err },
    );
  }
  let bytes: Uint8Array = raw;
  if (raw.length >= 2 && raw[0] === 0x1f && raw[1] === 0x8b) {
    try {
      bytes = gunzipSync(raw);
    } catch (err) {
      throw new FormatError(`gzip data is corrupt or truncated (${String(err)})`, { file: path }, { cause: err });
    }
  }
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch (err) {
    throw new FormatError("the file is not UTF-8 text; a merges file is text with one 'left right' merge per line", { file: path }, { cause: err });
  }
  return parseMerges(text, path, options);
}

function checkSymbol(symbol: string, file: string, line: number): void {
  const body = symbol.endsWith(END_OF_WORD) ? symbol.slice(0, -END_OF_WORD.length) : symbol;
  if (body.length === 0) throw new FormatError(`empty symbol '${symbol}'`, { file, line });
  for (const ch of body) {
    if (!CHAR_TO_BYTE.has(ch)) {
      const cp = ch.codePointAt(0)!.toString(16).toUpperCase().padStart(4, "0");
      throw new FormatError(
        `symbol '${symbol}' contains U+${cp}, which is not in the byte-level BPE alphabet; is this a CLIP/GPT-2 merges file?`,
        { file, line },
      );
    }
  }
}

/** Parses merges-file text; `file` only names the source in errors. */
export function parseMerges(text: string, file: string, options: ReadMergesOptions = {}): MergeList {
  const lines = text.split("\n");
  const header = (lines[0] ?? "").replace(/\r$/, "");
  if (!header.includes("#version")) {
    throw new FormatError(
      `expected a version header such as '${DEFAULT_HEADER}' on the first line, found '${header.slice(0, 60)}'; the first line is never read as a merge`,
      { file, line: 1 },
    );
  }
  let last = lines.length;
  while (last > 1 && lines[last - 1]!.replace(/\r$/, "") === "") last--; // trailing blank lines end the file
  const available = last - 1;
  const openai = header.includes("bpe_simple_vocab_16e6");
  const wanted = options.maxMerges ?? (openai ? OPENAI_CLIP_MERGES : available);
  if (!(Number.isInteger(wanted) && wanted >= 0)) {
    throw new FormatError(`maxMerges must be a non-negative integer, got ${wanted}`, { file });
  }
  if (openai && options.maxMerges === undefined && available < wanted) {
    throw new FormatError(`OpenAI's CLIP merges file must hold at least ${wanted} merges, this one holds ${available}; the file is truncated`, { file, line: last });
  }
  const count = Math.min(wanted, available);
  const merges = new Array<[string, string]>(count);
  for (let i = 0; i < count; i++) {
    const lineNo = i + 2;
    const line = lines[i + 1]!.replace(/\r$/, "");
    const space = line.indexOf(" ");
    if (space <= 0 || space === line.length - 1 || line.indexOf(" ", space + 1) !== -1) {
      throw new FormatError(
        `expected two symbols separated by one space ('left right'), found '${line.slice(0, 60)}'`,
        { file, line: lineNo },
      );
    }
    const left = line.slice(0, space);
    const right = line.slice(space + 1);
    checkSymbol(left, file, lineNo);
    checkSymbol(right, file, lineNo);
    merges[i] = [left, right];
  }
  return { header, merges };
}

/** The file text for a merge list: header, then one merge per line, newline-terminated. */
export function formatMerges(list: MergeList): string {
  const out = [list.header];
  for (const [a, b] of list.merges) out.push(`${a} ${b}`);
  return out.join("\n") + "\n";
}

/** Writes a merges file atomically (temporary file, then rename); gzip when the name ends in `.gz`. */
export function writeMergesFile(path: string, list: MergeList): void {
  const text = Buffer.from(formatMerges(list), "utf8");
  const body = path.endsWith(".gz") ? gzipSync(text, { level: 9 }) : text;
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, body);
  renameSync(tmp, path);
}
