/**
 * Random access to the entries of a zip archive. Stored entries (what torch.save writes) are read by
 * position, whole or in part, so a tensor that views a slice of a large storage reads only that slice.
 * Deflated entries are inflated whole with node:zlib, since deflate has no random access.
 */
import { inflateRawSync } from "node:zlib";
import { FormatError } from "../../errors/index.js";
import { PositionedFile } from "../file/positioned_file.js";
import { readCentralDirectory, type ZipEntry } from "./central_directory.js";
import { crc32 } from "./crc32.js";

export type { ZipEntry } from "./central_directory.js";

const LOCAL_SIG = 0x04034b50;

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
        byName.set(e.name, e);
      }
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
    const bytes = entry.method === 0 ? await this.readStored(entry, 0, entry.size) : await this.inflate(entry);
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
    // A copy, so the caller gets an exact, offset-0 buffer rather than a view pinning the whole entry.
    return (await this.read(entry)).slice(start, start + length);
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

  private async inflate(entry: ZipEntry): Promise<Uint8Array> {
    if (entry.method !== 8) {
      throw new FormatError(`compression method ${entry.method} is not supported (only stored and deflate)`, {
        file: this.path,
        key: entry.name,
      });
    }
    const packed = await this.file.readAt(await this.dataStart(entry), entry.compressedSize, entry.name);
    let out: Buffer;
    try {
      out = inflateRawSync(packed, { maxOutputLength: Math.max(1, entry.size) });
    } catch (err) {
      throw new FormatError(`deflate data is corrupt (${(err as Error).message})`, { file: this.path, key: entry.name }, {
        cause: err,
      });
    }
    if (out.byteLength !== entry.size) {
      throw new FormatError(`inflates to ${out.byteLength} bytes, not the ${entry.size} the directory says`, {
        file: this.path,
        key: entry.name,
      });
    }
    return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
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
