/**
 * `<workDir>/result/demo.json`: what `laclip report` needs of a demo run besides the training runs' own files:
 * the demo's line, which run folder is which method and seed, sample captions with their rewrites, and a few
 * held-out pictures with each model's top-5 names. Paths are stored relative to the file's folder, so a work
 * dir can be moved.
 */
import { mkdir } from "node:fs/promises";
import { join, relative } from "node:path";
import { writeFileAtomic } from "../io/file/atomic_write.js";
import type { DemoLine } from "./run_demo.js";

export const DEMO_RESULT_FILE = "demo.json";

export interface DemoRunRef {
  method: string;
  seed: number;
  dir: string;
}

export interface DemoPicture {
  image: string;
  /** The picture's true name. */
  name: string;
  /** Per model (`clip seed 0`, ...): its five best names with the bare-name prompt, best first. */
  top5: Record<string, string[]>;
}

export interface DemoResultFile {
  line: DemoLine;
  runs: DemoRunRef[];
  captions: { caption: string; rewrites: Record<string, string> }[];
  pictures: { style: string; items: DemoPicture[] }[];
}

/** Writes the file (atomically) and returns its path. */
export async function writeDemoResult(workDir: string, r: DemoResultFile): Promise<string> {
  const dir = join(workDir, "result");
  await mkdir(dir, { recursive: true });
  const rel = (p: string): string => relative(dir, p);
  const stored: DemoResultFile = {
    ...r,
    runs: r.runs.map((x) => ({ ...x, dir: rel(x.dir) })),
    pictures: r.pictures.map((p) => ({ ...p, items: p.items.map((i) => ({ ...i, image: rel(i.image) })) })),
  };
  const path = join(dir, DEMO_RESULT_FILE);
  await writeFileAtomic(path, async (h) => {
    await h.writeFile(JSON.stringify(stored, null, 1) + "\n");
  });
  return path;
}

