/**
 * Walks the members of a tar file with positional reads: headers are read, bodies are only read when asked for, so
 * listing a WebDataset shard or pulling its captions skips the image bytes. A break (bad header, file ends inside a
 * header or body) throws a FormatError with the byte offset; a file that ends cleanly at a header boundary without
 * the end-of-archive blocks is accepted, as GNU tar does.
 */
import { open, type FileHandle } from "node:fs/promises";
import { FormatError } from "../../errors/format_error.js";
import { parsePax, parseTarHeader } from "./tar_header.js";

export interface TarMember {
  name: string;
  size: number;
  mode: number;
  mtime: number;
  headerOffset: number;
  bodyOffset: number;
}

const WINDOW = 64 * 1024;

export class TarWalker {
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
  ) {}

  static async open(path: string): Promise<TarWalker> {
    const fh = await open(path, "r");
    return new TarWalker(path, fh, (await fh.stat()).size);
  }

  async close(): Promise<void> {
    await this.fh.close();
  }

  /** Regular-file members in archive order; pax and GNU long names applied, other entry types passed over. */
  async *members(): AsyncGenerator<TarMember> {
    let pos = 0;
    let longName: string | undefined;
    let pax: Record<string, string> = {};
    while (pos < this.size) {
      this.position = pos;
      if (pos + 512 > this.size) throw this.broken(pos, "the file ends inside a tar header (truncated)");
      const h = parseTarHeader(await this.read(pos, 512));
      if (h === "end") break;
      if ("bad" in h) throw this.broken(pos, h.bad);
      const size = pax.size !== undefined ? Number(pax.size) : h.size;
      const bodyOffset = pos + 512;
      if (bodyOffset + size > this.size) {
        this.brokenMember = pax.path ?? longName ?? h.name;
        throw this.broken(pos, `member '${this.brokenMember}' needs ${size} bytes but the file ends first (truncated)`);
      }
      const next = bodyOffset + Math.ceil(size / 512) * 512;
      if (h.type === "x") pax = parsePax(await this.read(bodyOffset, size));
      else if (h.type === "L") longName = (await this.read(bodyOffset, size)).toString("utf8").replace(/\0+$/, "");
      else if (h.type !== "g") {
        const name = pax.path ?? longName ?? h.name;
        pax = {};
        longName = undefined;
        if (h.type === "0" || h.type === "7") yield { name, size, mode: h.mode, mtime: h.mtime, headerOffset: pos, bodyOffset };
      }
      pos = next;
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
    const want = Math.max(len, WINDOW);
    const buf = Buffer.allocUnsafe(want);
    const { bytesRead } = await this.fh.read(buf, 0, want, pos);
    if (bytesRead < len) throw this.broken(pos, `short read: wanted ${len} bytes, got ${bytesRead}`);
    this.win = buf.subarray(0, bytesRead);
    this.winPos = pos;
    return this.win.subarray(0, len);
  }
}
