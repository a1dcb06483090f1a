/** A dataset's splits for src/eval/benchmark.ts: each opened and encoded once (or read from the feature cache), whichever task asks first. */
import type { BenchmarkOptions } from "./benchmark_types.js";
import { openDatasetSplit, type DatasetRequest, type OpenedSplit } from "./dataset_open.js";
import { imageFeatures, type SplitFeatures } from "./encode_set.js";
import type { ZeroShotModel } from "./types.js";

export class Splits {
  private readonly opened = new Map<string, Promise<OpenedSplit>>();
  private readonly features = new Map<string, Promise<{ f: SplitFeatures; cached: boolean }>>();
  constructor(private readonly model: ZeroShotModel, private readonly req: DatasetRequest, private readonly o: BenchmarkOptions) {}

  open(split: string): Promise<OpenedSplit> {
    if (!this.opened.has(split)) this.opened.set(split, openDatasetSplit(this.req, split));
    return this.opened.get(split)!;
  }

  encoded(split: string): Promise<{ f: SplitFeatures; cached: boolean }> {
    if (!this.features.has(split)) this.features.set(split, this.encode(split));
    return this.features.get(split)!;
  }

  private async encode(split: string): Promise<{ f: SplitFeatures; cached: boolean }> {
    const opened = await this.open(split);
    const samples = opened.kind === "retrieval" ? opened.set.images : opened.set.samples;
    const key = { checkpoint: this.o.identity.checkpoint, dataset: this.req.dataset, split, samples, preprocessing: { transform: this.o.transform, bf16: this.o.bf16 ?? false, extra: this.o.preprocessing } };
    const hit = await this.o.cache?.get(key);
    if (hit !== undefined) {
      this.o.log?.(`${this.req.dataset} ${split}: ${hit.labels.length} image features from the cache`);
      return { f: hit, cached: true };
    }
    const f = await imageFeatures(this.model, samples, opened.set.source, { ...this.o, log: this.o.log });
    await this.o.cache?.put(key, f);
    return { f, cached: false };
  }
}
