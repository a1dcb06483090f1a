/**
 * Random access to the entries of a zip archive. Stored entries (what torch.save writes) are read by
 * position, whole or in part, so a tensor that views a slice of a large storage reads only that slice.
 * Deflated entries are inflated as a stream (deflate has no random access) that keeps only the bytes asked for and
 * stops after them, so memory follows the range read, never what a hostile entry inflates to; an entry that
 * inflates past its declared size, or declares more than deflate can produce from its bytes, is refused.
 */
import { Readable, pipeline } from "node:stream";
import { createInflateRaw } from "node:zlib";
import { FormatError } from "../../errors/index.js";
import { PositionedFile } from "../file/positioned_file.js";
import { readCentralDirectory, type ZipEntry } from "./central_directory.js";
import { crc32 } from "./crc32.js";

export type { ZipEntry } from "./central_directory.js";

const LOCAL_SIG = 0x04034b50;
/** Deflate's best case is 1032:1 (258-byte matches at 2 bits each); a larger declared ratio is a lie. */
const MAX_DEFLATE_RATIO = 1032;
const PACKED_CHUNK = 1 << 20;

/**
 * Entries' data must lie inside the file and not overlap: a directory whose entries share bytes could declare
 * any number of large entries over a small file.
 */
function checkLayout(entries: ZipEntry[], fileSize: number, path: string): void {
  const sorted = [...entries].sort((a, b) => a.localHeaderOffset - b.localHeaderOffset);
  for (let i = 0; i < sorted.length; i++) {
    const e = sorted[i]!;
    const end = e.localHeaderOffset + 30 + e.compressedSize;
    if (end > fileSize) throw new FormatError(`data (${e.compressedSize} bytes at ${e.localHeaderOffset}) runs past the end of the ${fileSize}-byte file; truncated?`, { file: path, key: e.name });
    const next = sorted[i + 1];
    if (next !== undefined && end > next.localHeaderOffset) {
      throw new FormatError(`overlaps entry '${next.name}' (the zip directory is corrupt or hostile)`, { file: path, key: e.name });
    }
  }
}

export class ZipReader {
  /** Data start of each entry, found from its local header on first use. */
  private readonly dataStarts = new Map<ZipEntry, number>();

  private constructor(
    private readonly file: PositionedFile,
    private readonly byName: Map<string, ZipEntry>,
  ) {}

  static async open(path: string): Promise<ZipReader> {
    const file = await PositionedFile.open(path);
    try {
      const byName = new Map<string, ZipEntry>();
      for (const e of await readCentralDirectory(file)) {
        if (byName.has(e.name)) throw new FormatError("appears twice in the zip directory", { file: path, key: e.name });
        if (e.method === 8 && e.size > e.compressedSize * MAX_DEFLATE_RATIO + 64) {
          throw new FormatError(`declares ${e.size} bytes from ${e.compressedSize} deflated bytes, more than deflate can produce: the archive is corrupt or hostile`, { file: path, key: e.name });
        }
        byName.set(e.name, e);
      }
      checkLayout([...byName.values()], file.size, path);
      return new ZipReader(file, byName);
    } catch (err) {
      await file.close();
      throw err;
    }
  }

  get path(): string {
    return this.file.path;
  }

  names(): string[] {
    return [...this.byName.keys()];
  }

  entry(name: string): ZipEntry | undefined {
    return this.byName.get(name);
  }

  /** The whole entry, checked against its CRC-32. */
  async read(entry: ZipEntry): Promise<Uint8Array> {
    const bytes = entry.method === 0 ? await this.readStored(entry, 0, entry.size) : await this.inflate(entry, 0, entry.size);
    if (crc32(bytes) !== entry.crc32) {
      throw new FormatError("CRC-32 does not match: the entry is corrupt", { file: this.path, key: entry.name });
    }
    return bytes;
  }

  /** Bytes [start, start + length) of the entry's uncompressed content. */
  async readRange(entry: ZipEntry, start: number, length: number): Promise<Uint8Array> {
    if (start < 0 || start + length > entry.size) {
      throw new FormatError(`range ${start}..${start + length} lies outside the entry's ${entry.size} bytes`, {
        file: this.path,
        key: entry.name,
      });
    }
    if (entry.method === 0) return this.readStored(entry, start, length);
    if (start === 0 && length === entry.size) return this.read(entry);
    return this.inflate(entry, start, length);
  }

  async close(): Promise<void> {
    await this.file.close();
  }

  private async readStored(entry: ZipEntry, start: number, length: number): Promise<Uint8Array> {
    if (entry.compressedSize !== entry.size) {
      throw new FormatError(`stored entry has compressed size ${entry.compressedSize} != size ${entry.size}`, {
        file: this.path,
        key: entry.name,
      });
    }
    return this.file.readAt((await this.dataStart(entry)) + start, length, entry.name);
  }

  /** Bytes [start, start + length) of a deflated entry; a whole-entry read also checks that it ends where declared. */
  private async inflate(entry: ZipEntry, start: number, length: number): Promise<Uint8Array> {
    const loc = { file: this.path, key: entry.name };
    if (entry.method !== 8) throw new FormatError(`compression method ${entry.method} is not supported (only stored and deflate)`, loc);
    const at = await this.dataStart(entry);
    const file = this.file;
    async function* packed(): AsyncGenerator<Uint8Array> {
      for (let pos = 0; pos < entry.compressedSize; pos += PACKED_CHUNK) {
        yield await file.readAt(at + pos, Math.min(PACKED_CHUNK, entry.compressedSize - pos), entry.name);
      }
    }
    const out = new Uint8Array(length);
    const end = start + length;
    let produced = 0;
    try {
      for await (const chunk of pipeline(Readable.from(packed()), createInflateRaw(), () => undefined) as AsyncIterable<Buffer>) {
        const from = produced;
        produced += chunk.length;
        if (produced > entry.size) throw new FormatError(`inflates past the ${entry.size} bytes the directory says`, loc);
        const a = Math.max(from, start);
        const b = Math.min(produced, end);
        if (b > a) out.set(chunk.subarray(a - from, b - from), a - start);
        if (produced >= end && end < entry.size) break;
      }
    } catch (err) {
      if (err instanceof FormatError) throw err;
      throw new FormatError(`deflate data is corrupt (${(err as Error).message})`, loc, { cause: err });
    }
    if (produced < end || (end === entry.size && produced !== entry.size)) {
      throw new FormatError(`inflates to ${produced} bytes, not the ${entry.size} the directory says`, loc);
    }
    return out;
  }

  private async dataStart(entry: ZipEntry): Promise<number> {
    const known = this.dataStarts.get(entry);
    if (known !== undefined) return known;
    const loc = { file: this.path, key: entry.name, offset: entry.localHeaderOffset };
    if (entry.flags & 0x1) throw new FormatError("is encrypted; encrypted zip entries are not supported", loc);
    const head = await this.file.readAt(entry.localHeaderOffset, 30, entry.name);
    const v = new DataView(head.buffer, head.byteOffset, 30);
    if (v.getUint32(0, true) !== LOCAL_SIG) throw new FormatError("local header signature is missing", loc);
    // The local extra field may differ from the central one (torch.save pads it to align the data).
    const start = entry.localHeaderOffset + 30 + v.getUint16(26, true) + v.getUint16(28, true);
    if (start + entry.compressedSize > this.file.size) {
      throw new FormatError(`data (${entry.compressedSize} bytes at ${start}) runs past the end of the file; truncated?`, loc);
    }
    this.dataStarts.set(entry, start);
    return start;
  }
}
