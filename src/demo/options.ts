/**
 * The settings of one `laclip demo` run, their defaults, and their checks. Everything here that changes a
 * result goes into the demo's JSON line, so a line says how to get the same numbers again.
 */
import { ConfigError } from "../errors/config_error.js";
import type { RewriterOptions } from "../rewrite/types.js";

export const DEMO_METHODS = ["clip", "laclip"] as const;
export type DemoMethod = (typeof DEMO_METHODS)[number];

export interface DemoOptions {
  /** Holds the render cache, the dataset, rewrites, tokenizer and training runs. Default `.work/demo`. */
  workDir: string;
  trainStyles: string[];
  evalStyles: string[];
  /** Image side in pixels. Default 32. */
  size: number;
  /** Training seeds; both methods train once per seed (same initial weights, data order and crops within a seed). */
  seeds: number[];
  /** The training budget in minutes of the reference machine (budget.ts); ignored when `epochs` is set. */
  minutes: number;
  /** Epochs per method, instead of deriving them from `minutes`. */
  epochs?: number;
  /** Samples per optimizer step. Default 128. */
  batchSize: number;
  /** A seeded subset of the emoji (quick runs, tests). Default: all. */
  maxEmoji?: number;
  methods: DemoMethod[];
  /** fp32 or bf16 autocast for both methods. */
  dtype: "fp32" | "bf16";
  /** Intra-op threads of the engine (1 by default: see DEFAULTS). */
  threads: number;
  /** Image decode threads of the loader. */
  workers: number;
  /** A CLIP BPE merges file to use instead of training one on the demo's texts. */
  merges?: string;
  /** Learned merges when no merges file is given. */
  bpeMerges: number;
  /** How the captions are rewritten (the engine's settings; `eda` needs nothing installed). */
  rewrite: RewriterOptions;
  /** Retrain even when a finished run with the same settings is in the work dir. */
  fresh: boolean;
  log: (line: string) => void;
}

export const DEFAULTS = {
  workDir: ".work/demo",
  trainStyles: ["twemoji", "noto", "openmoji"],
  evalStyles: ["fluent-emoji-flat"],
  size: 32,
  seeds: [0, 1, 2],
  minutes: 10,
  batchSize: 128,
  methods: [...DEMO_METHODS],
  // bf16 autocast: 1.3x faster per step than fp32 at 32 px on the development machine (a CPU with AVX512-BF16)
  dtype: "bf16",
  // one intra-op thread: on the shared 2-core machine two OpenMP threads made a step 4-5x slower, not faster
  threads: 1,
  workers: 1,
  bpeMerges: 4000,
} as const;

/** Throws a ConfigError naming the option when a value cannot work; the styles are checked by the data step. */
export function checkOptions(o: DemoOptions): void {
  if (o.trainStyles.length === 0) throw new ConfigError("--train-styles needs at least one @iconify-json set name", "train-styles");
  if (o.evalStyles.length === 0) throw new ConfigError("--eval-styles needs at least one @iconify-json set name", "eval-styles");
  if (!Number.isInteger(o.size) || o.size < 8 || o.size > 256) throw new ConfigError(`--size must be an integer from 8 to 256, got ${o.size}`, "size");
  if (!(o.minutes > 0) || !Number.isFinite(o.minutes)) throw new ConfigError(`--minutes must be a positive number, got ${o.minutes}`, "minutes");
  if (o.epochs !== undefined && (!Number.isInteger(o.epochs) || o.epochs < 1)) throw new ConfigError(`--epochs must be a positive integer, got ${o.epochs}`, "epochs");
  if (!Number.isInteger(o.batchSize) || o.batchSize < 2) throw new ConfigError(`--batch must be an integer >= 2 (a contrastive batch needs negatives), got ${o.batchSize}`, "batch");
  if (o.seeds.length === 0) throw new ConfigError("--seeds needs at least one seed, e.g. --seeds 0,1,2", "seeds");
  for (const s of o.seeds) if (!Number.isInteger(s) || s < 0) throw new ConfigError(`--seeds takes non-negative integers, got ${s}`, "seeds");
  if (new Set(o.seeds).size !== o.seeds.length) throw new ConfigError(`--seeds lists a seed twice: ${o.seeds.join(",")}`, "seeds");
  if (o.methods.length === 0) throw new ConfigError(`--methods needs at least one of ${DEMO_METHODS.join(", ")}`, "methods");
  for (const m of o.methods) {
    if (!(DEMO_METHODS as readonly string[]).includes(m)) throw new ConfigError(`--methods: unknown method '${m}'; known: ${DEMO_METHODS.join(", ")}`, "methods");
  }
  if (new Set(o.methods).size !== o.methods.length) throw new ConfigError(`--methods lists a method twice: ${o.methods.join(",")}`, "methods");
}
