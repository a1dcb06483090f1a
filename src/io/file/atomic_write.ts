/**
 * Writes a file so that readers see either the old file or the complete new one, never a partial write:
 * the content goes to a temporary file in the same directory (rename is only atomic within one filesystem),
 * is fsynced, renamed over the target, and the directory is fsynced so the rename itself survives a crash.
 */
import { open, rename, unlink, type FileHandle } from "node:fs/promises";
import { randomBytes } from "node:crypto";
import { basename, dirname, join } from "node:path";

export async function writeFileAtomic(path: string, write: (handle: FileHandle) => Promise<void>): Promise<void> {
  const dir = dirname(path);
  const tmp = join(dir, `.${basename(path)}.${process.pid}.${randomBytes(6).toString("hex")}.tmp`);
  const handle = await open(tmp, "wx");
  let renamed = false;
  try {
    await write(handle);
    await handle.sync();
    await handle.close();
    await rename(tmp, path);
    renamed = true;
    await syncDirectory(dir);
  } finally {
    if (!renamed) {
      await handle.close().catch(() => undefined);
      await unlink(tmp).catch(() => undefined);
    }
  }
}

/**
 * Writes all of `bytes` at `position` (null: the handle's current position, or its end in append mode) and returns
 * the position after them. One `write` may write less than asked (a full disk writes what fits, then fails), so
 * this loops, and a write that makes no progress is an error rather than a silent loss.
 */
export async function writeAll(handle: FileHandle, bytes: Uint8Array, position: number | null): Promise<number> {
  let done = 0;
  while (done < bytes.byteLength) {
    const { bytesWritten } = await handle.write(bytes, done, bytes.byteLength - done, position === null ? null : position + done);
    if (bytesWritten <= 0) throw new Error(`ENOSPC: a write made no progress after ${done} of ${bytes.byteLength} bytes (is the disk full?)`);
    done += bytesWritten;
  }
  return (position ?? 0) + done;
}

async function syncDirectory(dir: string): Promise<void> {
  let handle: FileHandle | undefined;
  try {
    handle = await open(dir, "r");
    await handle.sync();
  } catch {
    // Some platforms cannot open or fsync a directory; the rename has still happened.
  } finally {
    await handle?.close().catch(() => undefined);
  }
}
