/**
 * Puts a cached render into the dataset folder as a hard link (no copy, the dataset stays self-contained if the
 * cache is later cleared); a copy where links are not possible (another file system, a file system without them).
 */
import { copyFile, link, mkdir } from "node:fs/promises";
import { dirname } from "node:path";

export async function linkOrCopy(from: string, to: string): Promise<void> {
  await mkdir(dirname(to), { recursive: true });
  try {
    await link(from, to);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== "EXDEV" && code !== "EPERM" && code !== "ENOTSUP" && code !== "EMLINK") throw err;
    await copyFile(from, to);
  }
}
