/**
 * Finding image files in folders, in a fixed order. Names are compared by Unicode code point, as Python's
 * `sorted` does (torchvision's ImageFolder sorts class folders that way), not by UTF-16 unit as JS's sort.
 */
import { readdir, realpath, stat } from "node:fs/promises";
import { extname, join } from "node:path";
import { ConfigError } from "../errors/config_error.js";

/** The extensions (any case) taken as images: the formats the decoder reads. */
export const EVAL_IMAGE_EXTENSIONS: readonly string[] = [".jpg", ".jpeg", ".png", ".webp", ".gif", ".tif", ".tiff", ".avif"];

export function compareCodePoints(a: string, b: string): number {
  const x = [...a];
  const y = [...b];
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const d = x[i]!.codePointAt(0)! - y[i]!.codePointAt(0)!;
    if (d !== 0) return d;
  }
  return x.length - y.length;
}

export const isImageName = (name: string): boolean => EVAL_IMAGE_EXTENSIONS.includes(extname(name).toLowerCase());

export interface DirEntries {
  dirs: string[];
  files: string[];
}

/** Sub-folder and file names of `dir` (symbolic links followed), each sorted; `key` names the option in errors. */
export async function listDir(dir: string, key: string): Promise<DirEntries> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? String(err);
    const hint = code === "ENOENT" ? "no such folder" : code === "ENOTDIR" ? "not a folder" : code;
    throw new ConfigError(`cannot list the image folder '${dir}' (${hint})`, key, { cause: err });
  }
  const dirs: string[] = [];
  const files: string[] = [];
  for (const e of entries) {
    let isDir = e.isDirectory();
    let isFile = e.isFile();
    if (e.isSymbolicLink()) {
      const s = await stat(join(dir, e.name)).catch(() => undefined); // a dangling link is neither
      isDir = s?.isDirectory() ?? false;
      isFile = s?.isFile() ?? false;
    }
    if (isDir) dirs.push(e.name);
    else if (isFile) files.push(e.name);
  }
  return { dirs: dirs.sort(compareCodePoints), files: files.sort(compareCodePoints) };
}

/** Image files anywhere below `dir` as joined paths: each folder's files, then its sub-folders, each in sorted order. */
export async function imagesBelow(dir: string, key: string): Promise<{ images: string[]; otherFiles: number }> {
  const images: string[] = [];
  let otherFiles = 0;
  const seen = new Set<string>(); // real paths walked, so a link back up the tree cannot loop forever
  const walk = async (d: string): Promise<void> => {
    const real = await realpath(d);
    if (seen.has(real)) return;
    seen.add(real);
    const { dirs, files } = await listDir(d, key);
    for (const f of files) {
      if (isImageName(f)) images.push(join(d, f));
      else otherFiles++;
    }
    for (const sub of dirs) await walk(join(d, sub));
  };
  await walk(dir);
  return { images, otherFiles };
}
