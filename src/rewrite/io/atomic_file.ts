/**
 * A final output file that appears whole or not at all: written to a temp name beside it, fsync'd, then renamed
 * over the final name (and the directory fsync'd), so a crash leaves either no file or the previous one, never
 * half of one. Writes are buffered so many small appends cost one syscall per 1 MiB; a short write (full disk) is
 * retried and then fails, so what reaches the final name is always whole.
 */
import { open, rename, rm, type FileHandle } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { writeAll } from "../../io/file/atomic_write.js";

const BUFFER = 1 << 20;

export class AtomicFile {
  private parts: (string | Buffer)[] = [];
  private size = 0;
  private finished = false;

  private constructor(
    readonly path: string,
    readonly tempPath: string,
    private readonly fh: FileHandle,
  ) {}

  static async create(path: string): Promise<AtomicFile> {
    const temp = join(dirname(path), `.${basename(path)}.tmp-${process.pid}`);
    return new AtomicFile(path, temp, await open(temp, "w"));
  }

  async write(data: string | Buffer): Promise<void> {
    this.parts.push(data);
    this.size += data.length;
    if (this.size >= BUFFER) await this.drain();
  }

  private async drain(): Promise<void> {
    if (this.parts.length === 0) return;
    const chunk = Buffer.concat(this.parts.map((p) => (typeof p === "string" ? Buffer.from(p) : p)));
    this.parts = [];
    this.size = 0;
    await writeAll(this.fh, chunk, null);
  }

  /** Writes the rest, fsyncs and closes; the file is still under its temp name. Safe to call twice. */
  async finish(): Promise<void> {
    if (this.finished) return;
    this.finished = true;
    await this.drain();
    await this.fh.sync();
    await this.fh.close();
  }

  async abort(): Promise<void> {
    await this.fh.close().catch(() => undefined);
    await rm(this.tempPath, { force: true });
  }
}

/** Finishes every file, then renames them all into place and fsyncs their directories. */
export async function commitAll(files: AtomicFile[]): Promise<void> {
  for (const f of files) await f.finish();
  for (const f of files) await rename(f.tempPath, f.path);
  for (const dir of new Set(files.map((f) => dirname(f.path)))) await syncDir(dir);
}

export async function syncDir(dir: string): Promise<void> {
  const fh = await open(dir, "r");
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/** Writes a small file atomically in one go. */
export async function writeAtomic(path: string, data: string): Promise<void> {
  const f = await AtomicFile.create(path);
  try {
    await f.write(data);
    await commitAll([f]);
  } catch (err) {
    await f.abort();
    throw err;
  }
}
