/**
 * Walks the members of a tar file with positioned reads: headers are read, bodies only when asked for, so counting
 * a WebDataset shard's samples or replaying a stream to a resume point skips the image bytes. Understands ustar
 * (name prefix), pax `x` headers (path, size), pax `g` globals (skipped; they end any pending `x` state) and GNU
 * `L` long names, which covers what Python's tarfile (img2dataset), GNU tar and tar-stream write. The rewrite job
 * and the training loader both read tars through this one reader.
 *
 * Every break is a FormatError naming the file, byte offset and member: a bad checksum, a size that is negative,
 * not a number or runs past the end of the file, a malformed pax record. Each header moves the walk forward by at
 * least one block, so no input can make it loop. A file ending cleanly at a header boundary without the
 * end-of-archive blocks is accepted as GNU tar does, unless `requireEnd` asks for them.
 */
import { open, type FileHandle } from "node:fs/promises";
import { FormatError } from "../../errors/format_error.js";
import { BLOCK, parsePax, parseTarHeader } from "./header.js";

export interface TarMember {
  name: string;
  size: number;
  mode: number;
  mtime: number;
  headerOffset: number;
  bodyOffset: number;
}

export interface TarReaderOptions {
  /** A file without the end-of-archive blocks is truncated (default: accepted at a header boundary). */
  requireEnd?: boolean;
}

const WINDOW = 64 * 1024;
/** Largest pax or long-name body read into memory; real ones are a few hundred bytes. */
const META_LIMIT = 1 << 20;

export class TarReader {
  private win = Buffer.alloc(0);
  private winPos = 0;
  /** Bytes of the archive walked past so far (for progress). */
  position = 0;
  /** After a break: the name in the last valid header when its body is what is cut off. */
  brokenMember?: string;

  private constructor(
    readonly path: string,
    private readonly fh: FileHandle,
    readonly size: number,
    private readonly options: TarReaderOptions,
  ) {}

  static async open(path: string, options: TarReaderOptions = {}): Promise<TarReader> {
    const fh = await open(path, "r");
    try {
      return new TarReader(path, fh, (await fh.stat()).size, options);
    } catch (err) {
      await fh.close();
      throw err;
    }
  }

  async close(): Promise<void> {
    await this.fh.close();
  }

  /** Regular-file members in archive order; pax and GNU long names applied, other entry types passed over. */
  async *members(): AsyncGenerator<TarMember> {
    let pos = 0;
    let longName: string | undefined;
    let pax: Record<string, string> = {};
    for (;;) {
      this.position = pos;
      if (pos >= this.size && !this.options.requireEnd) break;
      if (pos + BLOCK > this.size) throw this.broken(pos, "the file ends without tar's end-of-archive blocks (truncated)");
      const h = parseTarHeader(await this.read(pos, BLOCK));
      if (h === "end") break;
      if ("bad" in h) throw this.broken(pos, h.name === undefined ? h.bad : `member '${h.name}': ${h.bad}`);
      const meta = h.type === "x" || h.type === "g" || h.type === "L";
      const name = meta ? h.name : (pax.path ?? longName ?? h.name);
      // pax and long-name state describe the next real member only; a metadata header's own size is its own
      const size = !meta && pax.size !== undefined ? Number(pax.size) : h.size;
      const bodyOffset = pos + BLOCK;
      if (size > this.size - bodyOffset) {
        this.brokenMember = name;
        throw this.broken(pos, `member '${name}' needs ${size} bytes but the file ends first (truncated)`);
      }
      if (meta && size > META_LIMIT) throw this.broken(pos, `member '${name}': a ${size}-byte '${h.type}' header is larger than ${META_LIMIT} bytes`);
      if (h.type === "x") {
        const parsed = parsePax(await this.read(bodyOffset, size));
        if ("bad" in parsed) throw this.broken(pos, `member '${name}': ${parsed.bad}`);
        pax = parsed;
      } else if (h.type === "L") {
        longName = (await this.read(bodyOffset, size)).toString("utf8").replace(/\0+$/, "");
      } else if (h.type === "g") {
        pax = {};
        longName = undefined;
      } else {
        pax = {};
        longName = undefined;
        if (h.type === "0" || h.type === "7") yield { name, size, mode: h.mode, mtime: h.mtime, headerOffset: pos, bodyOffset };
      }
      pos = bodyOffset + Math.ceil(size / BLOCK) * BLOCK;
    }
    this.position = this.size;
  }

  /** The body of a member. */
  body(m: TarMember): Promise<Buffer> {
    return this.read(m.bodyOffset, m.size);
  }

  private broken(offset: number, why: string): FormatError {
    return new FormatError(why, { file: this.path, offset });
  }

  private async read(pos: number, len: number): Promise<Buffer> {
    if (pos >= this.winPos && pos + len <= this.winPos + this.win.length) {
      return this.win.subarray(pos - this.winPos, pos - this.winPos + len);
    }
    const want = Math.max(len, Math.min(WINDOW, this.size - pos));
    const buf = Buffer.allocUnsafe(want);
    let got = 0;
    while (got < want) {
      const { bytesRead } = await this.fh.read(buf, got, want - got, pos + got);
      if (bytesRead === 0) break;
      got += bytesRead;
    }
    if (got < len) throw this.broken(pos, `short read: wanted ${len} bytes, got ${got} (the file shrank while being read?)`);
    this.win = buf.subarray(0, got);
    this.winPos = pos;
    return this.win.subarray(0, len);
  }
}
