/**
 * JSON Lines input: one object per line, the caption under `captionKey` (default "caption") and an optional id under
 * `idKey`. Blank lines are not records and take no slot; every other line does, a broken one included, so record i
 * of the input is line i of the outputs. A null caption is an empty caption (nothing to rewrite).
 */
import { FormatError } from "../../errors/format_error.js";
import type { CaptionSource, InputEvent } from "./input_item.js";
import { decodeUtf8, readRawLines, type ReadProgress } from "./line_reader.js";

export function jsonlSource(path: string, captionKey = "caption", idKey?: string): CaptionSource {
  const progress: ReadProgress = { done: 0, total: 0 };
  return {
    files: [path],
    fraction: () => (progress.total > 0 ? progress.done / progress.total : 0),
    async *[Symbol.asyncIterator](): AsyncGenerator<InputEvent> {
      let index = 0;
      for await (const raw of readRawLines(path, progress)) {
        const where = { file: path, line: raw.line };
        const text = decodeUtf8(raw.bytes);
        if (text !== undefined && text.trim() === "") continue;
        const parsed = text === undefined ? { error: "the line is not valid UTF-8" } : parseRecord(text, captionKey, idKey);
        const id = parsed.id ?? String(index);
        if (parsed.error !== undefined) {
          yield { record: { index, id, caption: "" }, where, problem: new FormatError(parsed.error, where) };
        } else {
          yield { record: { index, id, caption: parsed.caption ?? "" }, where };
        }
        index++;
      }
    },
  };
}

function parseRecord(text: string, captionKey: string, idKey?: string): { caption?: string; id?: string; error?: string } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    return { error: `not valid JSON (${(err as Error).message})` };
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) return { error: "the line is not a JSON object" };
  const obj = value as Record<string, unknown>;
  let id: string | undefined;
  if (idKey !== undefined) {
    const raw = obj[idKey];
    if (typeof raw === "string" || typeof raw === "number" || typeof raw === "bigint") id = String(raw);
    else return { error: `id key '${idKey}' is missing or not a string/number` };
  }
  const caption = obj[captionKey];
  if (caption === null) return { caption: "", id };
  if (typeof caption !== "string") {
    const what = caption === undefined ? "is missing" : `holds a ${typeof caption}, not text`;
    return { id, error: `caption key '${captionKey}' ${what} (choose another with --caption-key)` };
  }
  return { caption, id };
}
