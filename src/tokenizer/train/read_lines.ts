/** Streams the lines of a text file, gunzipping when the file starts with the gzip magic bytes. */
import { closeSync, createReadStream, openSync, readSync } from "node:fs";
import { createInterface } from "node:readline";
import { createGunzip } from "node:zlib";
import type { Readable } from "node:stream";
import { FormatError } from "../../errors/format_error.js";

function isGzip(path: string): boolean {
  const head = Buffer.alloc(2);
  let fd: number;
  try {
    fd = openSync(path, "r");
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? String(err);
    throw new FormatError(`cannot open the caption file (${code}); pass a text file with one caption per line`, { file: path }, { cause: err });
  }
  try {
    return readSync(fd, head, 0, 2, 0) === 2 && head[0] === 0x1f && head[1] === 0x8b;
  } finally {
    closeSync(fd);
  }
}

export async function* readLines(path: string): AsyncGenerator<string> {
  let stream: Readable = createReadStream(path);
  if (isGzip(path)) stream = stream.pipe(createGunzip());
  const lines = createInterface({ input: stream, crlfDelay: Infinity });
  try {
    for await (const line of lines) yield line;
  } catch (err) {
    throw new FormatError(`reading failed: ${String(err)}`, { file: path }, { cause: err });
  }
}
