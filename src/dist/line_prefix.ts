/**
 * Forwards a child's output line by line with a prefix (`[rank 1] ...`), so that the lines of several workers
 * interleave whole. A last line without a newline is flushed when the stream ends.
 */
import { StringDecoder } from "node:string_decoder";

export function forwardLines(from: NodeJS.ReadableStream, to: NodeJS.WritableStream, prefix: string): void {
  const decoder = new StringDecoder("utf8");
  let pending = "";
  const emit = (text: string): void => {
    pending += text;
    const lines = pending.split("\n");
    pending = lines.pop()!;
    if (lines.length > 0) to.write(lines.map((l) => `${prefix}${l}\n`).join(""));
  };
  from.on("data", (chunk: Buffer | string) => emit(typeof chunk === "string" ? chunk : decoder.write(chunk)));
  from.on("end", () => {
    emit(decoder.end());
    if (pending !== "") to.write(`${prefix}${pending}\n`);
    pending = "";
  });
}
