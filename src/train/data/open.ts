/**
 * Opens a training set in any of the supported formats as one rank's `TrainData`. The spec mirrors the `data`
 * section of the training config (src/train/config), which maps onto it.
 */
import { BadSamples } from "./bad_samples.js";
import { expandShards } from "./braces.js";
import { CsvSource, type CsvSourceOptions } from "./csv_source.js";
import { JsonlSource, type JsonlSourceOptions } from "./jsonl_source.js";
import { MapStyleData, type RankSpec } from "./map_data.js";
import type { Tail } from "./partition.js";
import type { TrainData } from "./types.js";
import { WdsData } from "./wds_data.js";

export type TrainDataSpec =
  | ({ format: "csv" } & CsvSourceOptions)
  | ({ format: "jsonl" } & JsonlSourceOptions)
  | {
      format: "wds";
      /** Shard paths or brace patterns (`data/{00000..00012}.tar`), `::`-joined or as a list. */
      shards: string | string[];
      shuffleBuffer?: number;
      textKeys?: string[];
      captionKey?: string;
    };

export interface OpenOptions extends RankSpec {
  /** Map-style formats only; WebDataset always drops what does not fill the last step. */
  tail?: Tail;
  bad?: BadSamples;
  log?: (line: string) => void;
}

export async function openTrainData(spec: TrainDataSpec, options: OpenOptions): Promise<TrainData> {
  const bad = options.bad ?? new BadSamples({ log: options.log });
  const rank = { rank: options.rank, world: options.world, batchSize: options.batchSize, seed: options.seed };
  switch (spec.format) {
    case "csv":
      return new MapStyleData(await CsvSource.open({ log: options.log, ...spec }), { ...rank, tail: options.tail, bad });
    case "jsonl":
      return new MapStyleData(await JsonlSource.open(spec), { ...rank, tail: options.tail, bad });
    case "wds":
      return WdsData.open({
        ...rank,
        shards: expandShards(spec.shards),
        shuffleBuffer: spec.shuffleBuffer,
        text: { textKeys: spec.textKeys, captionKey: spec.captionKey, log: options.log },
        bad,
      });
  }
}
