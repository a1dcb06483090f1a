/**
 * Finds and parses a zip file's central directory: the end-of-central-directory record (searched backwards,
 * since a comment of up to 64 KiB may follow it), its zip64 counterpart when the locator is present, and one
 * record per entry with the zip64 extra field where sizes or offsets overflow 32 bits.
 */
import { FormatError } from "../../errors/index.js";
import type { PositionedFile } from "../file/positioned_file.js";

export interface ZipEntry {
  name: string;
  /** 0 stored, 8 deflate; others are refused when read. */
  method: number;
  flags: number;
  crc32: number;
  compressedSize: number;
  size: number;
  /** Position of the entry's local header; its data follows that header. */
  localHeaderOffset: number;
}

const EOCD_SIG = 0x06054b50;
const ZIP64_LOCATOR_SIG = 0x07064b50;
const ZIP64_EOCD_SIG = 0x06064b50;
const CENTRAL_SIG = 0x02014b50;
const MAX_COMMENT = 0xffff;

export async function readCentralDirectory(file: PositionedFile): Promise<ZipEntry[]> {
  const tailLength = Math.min(file.size, 22 + MAX_COMMENT);
  const tailStart = file.size - tailLength;
  const tail = view(await file.readAt(tailStart, tailLength));
  let eocd = -1;
  for (let i = tailLength - 22; i >= 0; i--) {
    if (tail.getUint32(i, true) === EOCD_SIG && i + 22 + tail.getUint16(i + 20, true) <= tailLength) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new FormatError("no zip end-of-central-directory record: not a zip file, or truncated", { file: file.path });
  let count = tail.getUint16(eocd + 10, true);
  let cdSize = tail.getUint32(eocd + 12, true);
  let cdOffset = tail.getUint32(eocd + 16, true);
  const disk = tail.getUint16(eocd + 4, true);
  if (eocd >= 20 && tail.getUint32(eocd - 20, true) === ZIP64_LOCATOR_SIG) {
    const z64Offset = u64(tail, eocd - 20 + 8, file.path, tailStart + eocd - 20);
    const z = view(await file.readAt(z64Offset, 56));
    if (z.getUint32(0, true) !== ZIP64_EOCD_SIG) {
      throw new FormatError("zip64 locator points at no zip64 end record", { file: file.path, offset: z64Offset });
    }
    count = u64(z, 32, file.path, z64Offset);
    cdSize = u64(z, 40, file.path, z64Offset);
    cdOffset = u64(z, 48, file.path, z64Offset);
  } else if (disk !== 0) {
    throw new FormatError("multi-volume zip archives are not supported", { file: file.path });
  }
  if (cdOffset + cdSize > tailStart + eocd) {
    throw new FormatError(`central directory (${cdSize} bytes at ${cdOffset}) runs past its end record; truncated?`, {
      file: file.path,
    });
  }
  const cd = view(await file.readAt(cdOffset, cdSize));
  const entries: ZipEntry[] = [];
  let p = 0;
  for (let i = 0; i < count; i++) {
    if (p + 46 > cdSize || cd.getUint32(p, true) !== CENTRAL_SIG) {
      throw new FormatError(`central directory record ${i} of ${count} is missing or damaged`, {
        file: file.path,
        offset: cdOffset + p,
      });
    }
    const nameLen = cd.getUint16(p + 28, true);
    const extraLen = cd.getUint16(p + 30, true);
    const commentLen = cd.getUint16(p + 32, true);
    if (p + 46 + nameLen + extraLen + commentLen > cdSize) {
      throw new FormatError(`central directory record ${i} runs past the directory`, { file: file.path, offset: cdOffset + p });
    }
    const flags = cd.getUint16(p + 8, true);
    const nameBytes = new Uint8Array(cd.buffer, cd.byteOffset + p + 46, nameLen);
    const name = new TextDecoder(flags & 0x800 ? "utf-8" : "latin1").decode(nameBytes);
    const entry: ZipEntry = {
      name,
      flags,
      method: cd.getUint16(p + 10, true),
      crc32: cd.getUint32(p + 16, true),
      compressedSize: cd.getUint32(p + 20, true),
      size: cd.getUint32(p + 24, true),
      localHeaderOffset: cd.getUint32(p + 42, true),
    };
    applyZip64Extra(entry, new DataView(cd.buffer, cd.byteOffset + p + 46 + nameLen, extraLen), file.path);
    entries.push(entry);
    p += 46 + nameLen + extraLen + commentLen;
  }
  return entries;
}

/** Replaces the 32-bit fields saturated at 0xFFFFFFFF by the 64-bit values of extra field 0x0001, in order. */
function applyZip64Extra(entry: ZipEntry, extra: DataView, file: string): void {
  const wanted = (["size", "compressedSize", "localHeaderOffset"] as const).filter((f) => entry[f] === 0xffffffff);
  if (wanted.length === 0) return;
  for (let q = 0; q + 4 <= extra.byteLength; ) {
    const id = extra.getUint16(q, true);
    const len = extra.getUint16(q + 2, true);
    if (id === 0x0001) {
      if (len < wanted.length * 8 || q + 4 + len > extra.byteLength) break;
      wanted.forEach((f, k) => (entry[f] = u64(extra, q + 4 + 8 * k, file, undefined, entry.name)));
      return;
    }
    q += 4 + len;
  }
  throw new FormatError("needs a zip64 extra field for its sizes or offset but has none", { file, key: entry.name });
}

function view(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function u64(v: DataView, at: number, file: string, offset?: number, key?: string): number {
  const n = v.getBigUint64(at, true);
  if (n > BigInt(Number.MAX_SAFE_INTEGER)) throw new FormatError(`64-bit zip field ${n} is out of range`, { file, offset, key });
  return Number(n);
}
