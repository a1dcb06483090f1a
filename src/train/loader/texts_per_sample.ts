/**
 * How many texts per sample laclip-mt contrasts (K + 1). It fixes the shape of every text block, so it must not
 * depend on where a run starts: for a CSV it is 1 + the number of rewrite files; otherwise it is read from the
 * first batch of epoch 0 (the largest count there), whichever batch a resumed run starts at.
 */
import type { TrainConfig } from "../config/index.js";
import type { TrainData } from "../data/index.js";

export async function textsPerSampleOf(cfg: TrainConfig, data: TrainData): Promise<number> {
  if (cfg.text.augment !== "laclip-mt") return 1;
  if (cfg.data.format === "csv") return 1 + cfg.data.rewrites.length;
  if (cfg.data.format === "jsonl" && cfg.data.rewrite_sources !== null) return 1 + cfg.data.rewrite_sources.length;
  const it = data.batches({ epoch: 0, step: 0 });
  try {
    const first = await it.next();
    if (first.done) return 1;
    return Math.max(1, ...first.value.samples.map((s) => s.texts.length));
  } finally {
    await it.return(undefined);
  }
}
