/**
 * A read-only file read by position: tensor readers fetch one tensor's bytes at a time instead of holding the
 * whole file in memory (plain Node has no mmap). Short reads at end of file become a `FormatError` that names
 * the file and, when given, the key being read, since they always mean a truncated or inconsistent file.
 */
import { open, type FileHandle } from "node:fs/promises";
import { FormatError, type FileLocation } from "../../errors/index.js";

export class PositionedFile {
  private closed = false;

  private constructor(
    readonly path: string,
    readonly size: number,
    private readonly handle: FileHandle,
  ) {}

  static async open(path: string): Promise<PositionedFile> {
    let handle: FileHandle;
    try {
      handle = await open(path, "r");
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? "error";
      throw new FormatError(`cannot open (${code}); check that the path names a readable file`, { file: path }, {
        cause: err,
      });
    }
    try {
      const st = await handle.stat();
      if (!st.isFile()) throw new FormatError("is not a regular file", { file: path });
      return new PositionedFile(path, st.size, handle);
    } catch (err) {
      await handle.close();
      throw err;
    }
  }

  /** Reads exactly `length` bytes at `position` into a new array. */
  async readAt(position: number, length: number, key?: string): Promise<Uint8Array> {
    const out = new Uint8Array(length);
    await this.readInto(out, position, key);
    return out;
  }

  /** Fills `target` entirely from `position`; a read past the end is a truncated file. */
  async readInto(target: Uint8Array, position: number, key?: string): Promise<void> {
    if (this.closed) throw new FormatError("read after close(); open the file again", this.loc(key));
    if (position < 0 || position + target.byteLength > this.size) {
      throw new FormatError(
        `needs bytes ${position}..${position + target.byteLength} but the file has ${this.size}; the file is truncated or corrupt`,
        this.loc(key, position),
      );
    }
    let done = 0;
    while (done < target.byteLength) {
      // Large reads are split because a single read(2) returns at most about 2 GiB.
      const chunk = Math.min(target.byteLength - done, 1 << 30);
      const { bytesRead } = await this.handle.read(target, done, chunk, position + done);
      if (bytesRead === 0) {
        throw new FormatError("ended early while reading; the file changed or is truncated", this.loc(key, position + done));
      }
      done += bytesRead;
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.handle.close();
  }

  private loc(key: string | undefined, offset?: number): FileLocation {
    const loc: FileLocation = { file: this.path };
    if (offset !== undefined) loc.offset = offset;
    if (key !== undefined) loc.key = key;
    return loc;
  }
}
