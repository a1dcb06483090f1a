/**
 * Writes the `<slot>.txt` files (line i = record i's rewrite in that slot) a group at a time, one pass over the
 * records per group, each group's files closed before the next opens: however many slots a run has
 * (sources x --per-source), no more than MAX_OPEN_SLOT_FILES files are open at once. Files stay under their temp
 * names until the caller commits them all together.
 */
import { join } from "node:path";
import { AtomicFile } from "../io/atomic_file.js";
import { oneLine, type Slot } from "./output_names.js";

export const MAX_OPEN_SLOT_FILES = 16;

/** `records()` starts a fresh pass over every record's rewrites (source -> K texts), in output order. */
export async function writeSlotFiles(dir: string, all: readonly Slot[], records: () => AsyncIterable<Record<string, string[]>>, files: AtomicFile[]): Promise<void> {
  for (let g = 0; g < all.length; g += MAX_OPEN_SLOT_FILES) {
    const group = all.slice(g, g + MAX_OPEN_SLOT_FILES);
    const outs: AtomicFile[] = [];
    for (const s of group) {
      const f = await AtomicFile.create(join(dir, s.file));
      files.push(f);
      outs.push(f);
    }
    for await (const r of records()) {
      for (let s = 0; s < group.length; s++) await outs[s]!.write(oneLine(r[group[s]!.source]![group[s]!.k]!) + "\n");
    }
    for (const f of outs) await f.finish();
  }
}
