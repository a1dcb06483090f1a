/**
 * Plain text input: one caption per line, the layout of LaCLIP's rewrite script. Every line is a slot, empty lines
 * included (they are captions with nothing to rewrite), so line i of every output is line i+1 of the input.
 */
import { FormatError } from "../../errors/format_error.js";
import type { CaptionSource, InputEvent } from "./input_item.js";
import { decodeUtf8, readRawLines, type ReadProgress } from "./line_reader.js";

export function textSource(path: string): CaptionSource {
  const progress: ReadProgress = { done: 0, total: 0 };
  return {
    files: [path],
    fraction: () => (progress.total > 0 ? progress.done / progress.total : 0),
    async *[Symbol.asyncIterator](): AsyncGenerator<InputEvent> {
      for await (const raw of readRawLines(path, progress)) {
        const index = raw.line - 1;
        const where = { file: path, line: raw.line, offset: raw.offset };
        const caption = decodeUtf8(raw.bytes);
        if (caption === undefined) {
          const problem = new FormatError("the line is not valid UTF-8", where);
          yield { record: { index, id: String(index), caption: "" }, where, problem };
        } else {
          yield { record: { index, id: String(index), caption }, where };
        }
      }
    },
  };
}
