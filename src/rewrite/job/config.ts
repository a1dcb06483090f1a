/** Settings of one `laclip rewrite` job (one shard of it); the CLI fills it from its options. */
import type { InputSpec } from "../io/input_item.js";
import type { ShardSpec } from "./shard.js";

export type OnError = "skip" | "stop";
export type ProgressMode = "auto" | "bar" | "log" | "none";

export interface JobConfig {
  input: InputSpec;
  /** The output root; a shard of a sharded run writes into `shard-IIIII-of-NNNNN/` below it. */
  outputDir: string;
  shard: ShardSpec;
  /** Captions in flight at once. */
  concurrency: number;
  /**
   * How far ahead of the oldest unfinished caption the job may run (captions); bounds the memory used to put
   * out-of-order completions back in order. Default max(4096, 32 x concurrency).
   */
  window?: number;
  onError: OnError;
  /** The rewriter settings that decide the results (seed, sources, model, ...): a resume must match them. */
  settings: Record<string, unknown>;
  progress?: ProgressMode;
  /** Seconds between plain progress lines when stderr is not a terminal. */
  logEverySeconds?: number;
  /** Write new WebDataset shards with the rewrites in their .json members (WebDataset input only). Default true. */
  writeShards?: boolean;
  /** Where messages go (default: process.stderr). */
  log?: (line: string) => void;
}
