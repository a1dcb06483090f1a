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

/** Writes all of `bytes` at the handle's current end; `write` may write less than asked. */
export async function writeAll(handle: FileHandle, bytes: Uint8Array, position: number): Promise<number> {
  let done = 0;
  while (done < bytes.byteLength) {
    const { bytesWritten } = await handle.write(bytes, done, bytes.byteLength - done, position + done);
    done += bytesWritten;
  }
  return position + done;
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
