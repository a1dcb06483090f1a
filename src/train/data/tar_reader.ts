/**
 * Walks the members of a tar file with positioned reads of its 512-byte headers, never reading member data it
 * is not asked for: counting the samples of a thousand shards, or replaying a stream up to a resume point,
 * costs a few small reads per member instead of reading every image. Understands ustar (with its name prefix),
 * pax `x` headers (path, size) and GNU `L` long names, which covers what Python's tarfile (img2dataset),
 * GNU tar and tar-stream write. A bad header checksum or a member running past the end of the file is a
 * `FormatError` naming the shard and byte offset.
 */
import type { FileHandle } from "node:fs/promises";
import { FormatError } from "../../errors/format_error.js";

export interface TarMember {
  name: string;
  /** Byte offset of the member's data in the tar file. */
  offset: number;
  size: number;
}

const BLOCK = 512;

export async function* tarMembers(fh: FileHandle, file: string): AsyncGenerator<TarMember> {
  const { size: fileSize } = await fh.stat();
  const header = Buffer.alloc(BLOCK);
  let at = 0;
  let longName: string | undefined;
  let pax: Record<string, string> = {};
  for (;;) {
    if (at + BLOCK > fileSize) {
      // writers always close a tar with zero blocks; a file that stops before them was cut short
      throw new FormatError("the file ends without tar's end-of-archive blocks; the shard is truncated", { file, offset: at });
    }
    const { bytesRead } = await fh.read(header, 0, BLOCK, at);
    if (bytesRead < BLOCK) throw new FormatError("short read of a tar header", { file, offset: at });
    if (header.every((b) => b === 0)) return; // end-of-archive marker
    verifyChecksum(header, file, at);
    const type = String.fromCharCode(header[156]!);
    let size = parseNumber(header.subarray(124, 136), file, at);
    if (pax.size !== undefined) size = Number(pax.size);
    const dataAt = at + BLOCK;
    if (dataAt + size > fileSize) {
      throw new FormatError(`member data (${size} bytes) runs past the end of the file; the shard is truncated`, { file, offset: at });
    }
    at = dataAt + Math.ceil(size / BLOCK) * BLOCK;
    if (type === "x" || type === "L") {
      const data = Buffer.alloc(size);
      await fh.read(data, 0, size, dataAt);
      if (type === "L") longName = data.toString("utf8").replace(/\0+$/, "");
      else pax = parsePax(data, file, dataAt);
      continue;
    }
    if (type === "g") continue;
    const name = pax.path ?? longName ?? ustarName(header);
    longName = undefined;
    pax = {};
    if (type === "0" || type === "\0" || type === "7") yield { name, offset: dataAt, size };
  }
}

/** Reads a member's bytes. */
export async function readMember(fh: FileHandle, m: TarMember): Promise<Buffer> {
  const buf = Buffer.alloc(m.size);
  const { bytesRead } = await fh.read(buf, 0, m.size, m.offset);
  if (bytesRead !== m.size) throw new Error(`short read of ${m.name}: ${bytesRead} of ${m.size} bytes`);
  return buf;
}

function cString(b: Buffer): string {
  const z = b.indexOf(0);
  return b.toString("utf8", 0, z < 0 ? b.length : z);
}

function ustarName(h: Buffer): string {
  const name = cString(h.subarray(0, 100));
  const isUstar = h.toString("latin1", 257, 262) === "ustar";
  const prefix = isUstar ? cString(h.subarray(345, 500)) : "";
  return prefix ? `${prefix}/${name}` : name;
}

function parseNumber(field: Buffer, file: string, offset: number): number {
  if (field[0]! & 0x80) {
    // GNU base-256 for sizes past 8 GiB: big-endian, first byte's top bit is the marker
    let v = field[0]! & 0x7f;
    for (let i = 1; i < field.length; i++) v = v * 256 + field[i]!;
    return v;
  }
  const text = cString(field).trim();
  if (text === "") return 0;
  if (!/^[0-7]+$/.test(text)) throw new FormatError(`bad octal number '${text}' in a tar header`, { file, offset });
  return parseInt(text, 8);
}

function verifyChecksum(h: Buffer, file: string, offset: number): void {
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 0x20 : h[i]!;
  const stored = parseNumber(h.subarray(148, 156), file, offset);
  if (stored !== sum) throw new FormatError(`tar header checksum ${stored} != computed ${sum}; the shard is corrupt here`, { file, offset });
}

function parsePax(data: Buffer, file: string, offset: number): Record<string, string> {
  const out: Record<string, string> = {};
  let i = 0;
  while (i < data.length && data[i] !== 0) {
    const space = data.indexOf(0x20, i);
    const len = space < 0 ? NaN : parseInt(data.toString("latin1", i, space), 10);
    if (!(len > 0) || i + len > data.length) throw new FormatError("bad pax extended header record", { file, offset: offset + i });
    const rec = data.toString("utf8", space + 1, i + len - 1);
    const eq = rec.indexOf("=");
    if (eq > 0) out[rec.slice(0, eq)] = rec.slice(eq + 1);
    i += len;
  }
  return out;
}
