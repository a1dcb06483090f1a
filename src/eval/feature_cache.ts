/**
 * Image features on disk, so a second evaluation of the same split (another task, another run, the linear
 * probe's weight decay search) skips the image tower. An entry is keyed by the checkpoint (resolved path, size,
 * modification time), the dataset and split, a digest of the sample list, and the preprocessing (transform and
 * dtype): change any of them and the key changes. Two files per entry, `<key>.f32` (the rows) then
 * `<key>.json` (shape, labels, skipped images), each written atomically; an entry without its JSON is absent.
 */
import { createHash } from "node:crypto";
import { existsSync, statSync } from "node:fs";
import { mkdir, readFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { writeAll, writeFileAtomic } from "../io/file/atomic_write.js";
import type { SplitFeatures } from "./encode_set.js";
import type { EvalSample } from "./types.js";

export interface FeatureKey {
  checkpoint: string;
  dataset: string;
  split: string;
  samples: readonly EvalSample[];
  /** The eval transform and anything else that changes the features (dtype). */
  preprocessing: unknown;
}

const VERSION = 1;

/** The entry name for `k`: a hex digest. */
export function featureKey(k: FeatureKey): string {
  const ckpt = resolve(k.checkpoint);
  const st = existsSync(ckpt) ? statSync(ckpt) : undefined;
  const h = createHash("sha256");
  h.update(JSON.stringify({ v: VERSION, ckpt, size: st?.size, mtime: st?.mtimeMs, dataset: k.dataset, split: k.split, pre: k.preprocessing }));
  for (const s of k.samples) h.update(`\n${s.path}\t${s.label}\t${s.member?.offset ?? ""}`);
  return h.digest("hex").slice(0, 32);
}

export class FeatureCache {
  constructor(readonly dir: string) {}

  async get(k: FeatureKey): Promise<SplitFeatures | undefined> {
    const name = featureKey(k);
    const meta = join(this.dir, `${name}.json`);
    if (!existsSync(meta)) return undefined;
    const m = JSON.parse(await readFile(meta, "utf8")) as { dim: number; rows: number; labels: number[]; skipped: SplitFeatures["skipped"]; seconds: number };
    const bytes = await readFile(join(this.dir, `${name}.f32`));
    if (bytes.byteLength !== m.rows * m.dim * 4) return undefined; // a damaged entry is recomputed and rewritten
    const data = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
    return { data, dim: m.dim, labels: Int32Array.from(m.labels), skipped: m.skipped, seconds: m.seconds };
  }

  async put(k: FeatureKey, f: SplitFeatures): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    const name = featureKey(k);
    const bytes = new Uint8Array(f.data.buffer, f.data.byteOffset, f.data.byteLength);
    await writeFileAtomic(join(this.dir, `${name}.f32`), async (h) => void (await writeAll(h, bytes, 0)));
    const meta = { dataset: k.dataset, split: k.split, checkpoint: resolve(k.checkpoint), dim: f.dim, rows: f.labels.length, labels: Array.from(f.labels), skipped: f.skipped, seconds: f.seconds };
    await writeFileAtomic(join(this.dir, `${name}.json`), async (h) => void (await writeAll(h, new TextEncoder().encode(JSON.stringify(meta)), 0)));
  }
}
