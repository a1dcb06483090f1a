/**
 * Splits a file into lines as raw bytes, streaming with a fixed-size read buffer. Bytes stay undecoded so the
 * caller can tell a non-UTF-8 line apart and name it. A final line without a newline counts; a file that ends with
 * a newline has no extra empty line after it. A trailing "\r" (CRLF files) is dropped.
 */
import { isUtf8 } from "node:buffer";
import { open } from "node:fs/promises";

export interface RawLine {
  bytes: Buffer;
  /** 1-based line number. */
  line: number;
  /** Byte offset of the line's first byte. */
  offset: number;
}

/** Bytes read so far and the file's size, updated as the reader goes (for progress). */
export interface ReadProgress {
  done: number;
  total: number;
}

const CHUNK = 1 << 20;

export async function* readRawLines(path: string, progress?: ReadProgress): AsyncGenerator<RawLine> {
  const fh = await open(path, "r");
  try {
    const size = (await fh.stat()).size;
    if (progress) progress.total += size;
    let carry: Buffer | undefined;
    let carryOffset = 0;
    let position = 0;
    let line = 0;
    for (;;) {
      // a fresh buffer per chunk: yielded subarrays must stay valid after the next read
      const buf = Buffer.allocUnsafe(CHUNK);
      const { bytesRead } = await fh.read(buf, 0, CHUNK, position);
      if (bytesRead === 0) break;
      if (progress) progress.done += bytesRead;
      let data = buf.subarray(0, bytesRead);
      let dataOffset = position;
      position += bytesRead;
      if (carry) {
        data = Buffer.concat([carry, data]);
        dataOffset = carryOffset;
        carry = undefined;
      }
      let start = 0;
      for (let nl = data.indexOf(10, start); nl !== -1; nl = data.indexOf(10, start)) {
        const end = nl > start && data[nl - 1] === 13 ? nl - 1 : nl;
        yield { bytes: data.subarray(start, end), line: ++line, offset: dataOffset + start };
        start = nl + 1;
      }
      if (start < data.length) {
        carry = data.subarray(start);
        carryOffset = dataOffset + start;
      }
    }
    if (carry && carry.length > 0) {
      const end = carry[carry.length - 1] === 13 ? carry.length - 1 : carry.length;
      yield { bytes: carry.subarray(0, end), line: ++line, offset: carryOffset };
    }
  } finally {
    await fh.close();
  }
}

/** Decodes UTF-8, or returns undefined when the bytes are not valid UTF-8. */
export function decodeUtf8(bytes: Buffer): string | undefined {
  const text = bytes.toString("utf8");
  // the decoder replaces bad sequences with U+FFFD; only then is the slower validity check needed
  if (text.includes("\uFFFD") && !isUtf8(bytes)) return undefined;
  return text;
}
