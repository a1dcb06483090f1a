/** The `data` section of a config as the spec `openTrainData` (src/train/data) takes. */
import type { TrainDataSpec } from "../data/open.js";
import type { TrainConfig } from "./types.js";

export function dataSpec(cfg: TrainConfig): TrainDataSpec {
  const d = cfg.data;
  const opt = <T>(v: T | null): T | undefined => (v === null ? undefined : v);
  switch (d.format) {
    case "csv":
      return {
        format: "csv",
        csv: d.train,
        imageRoot: opt(d.image_root),
        rewrites: d.rewrites,
        rewriteSources: opt(d.rewrite_sources),
        header: d.csv_header,
        imageExtensions: d.image_extensions,
        separator: d.csv_separator === "tab" ? "\t" : d.csv_separator === "comma" ? "," : "auto",
        imageKey: opt(d.csv_img_key),
        captionKey: opt(d.csv_caption_key),
        stride: d.index_stride,
        checkImages: d.check_images,
        syncReads: d.sync_reads,
      };
    case "jsonl":
      return {
        format: "jsonl",
        jsonl: d.train,
        imageRoot: d.image_root ?? ".",
        imageTemplate: opt(d.image_template),
        sources: opt(d.rewrite_sources),
        stride: d.index_stride,
        checkImages: d.check_images,
        syncReads: d.sync_reads,
      };
    case "wds":
      return { format: "wds", shards: d.train, shuffleBuffer: d.shuffle_buffer, textKeys: d.json_text_keys };
  }
}
