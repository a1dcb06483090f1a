/**
 * The contract between the rewrite job (input, sharding, resume, output) and the rewriting itself (prompts,
 * engines, quality control). The job hands captions to a `Rewriter` and writes what comes back, in input order.
 */
import type { QualityOptions } from "./quality/check.js";

/** One caption of the input, with its position in the whole input (not in a shard): line i of the outputs. */
export interface CaptionRecord {
  /** 0-based position in the input; rewrite files are line-aligned with it. */
  index: number;
  /** A stable id: the WebDataset key, the JSONL/Parquet id column, or the index as a string. */
  id: string;
  caption: string;
}

/** Reasons a candidate rewrite is rejected by quality control. */
export type RejectReason =
  | "empty"
  | "too_short"
  | "identical"
  | "prompt_echo"
  | "too_long"
  | "repetition"
  | "non_printable"
  | "engine_error";

export interface RewriteOutcome {
  index: number;
  id: string;
  original: string;
  /** Accepted rewrites per source, `perSource` each; a caption that exhausted its retries holds the original. */
  rewrites: Record<string, string[]>;
  /** How many rewrite slots fell back to the original after the retry budget was spent. */
  fallbacks: number;
  /** Rejected candidates by reason. */
  rejects: Partial<Record<RejectReason, number>>;
  /** Completion tokens the engine reported (0 where it reports none). */
  tokens: number;
}

/**
 * Rewrites captions. Deterministic for a seed: the examples and sampling seed of caption `index`, source `s`,
 * attempt `a` derive from (seed, index, s, a) alone, so sharding, concurrency and resuming change nothing.
 */
export interface Rewriter {
  /** Source names in output order (e.g. the pools' names). */
  readonly sources: readonly string[];
  readonly perSource: number;
  rewrite(item: CaptionRecord, signal?: AbortSignal): Promise<RewriteOutcome>;
  close(): Promise<void>;
}

/** Everything `createRewriter` (src/rewrite/rewriter.ts) needs; the CLI fills it from its options. */
export interface RewriterOptions {
  engine: "openai" | "llama" | "eda";
  /** Pool names to rewrite with, in output order; default: every pool of the pairs file. */
  sources?: string[];
  /** A pools JSON file (the format of LaCLIP's meta pairs); default: the project's own pools. */
  pairsFile?: string;
  /** Prompt template name: `laclip` (byte-identical to the paper's prompt), `clean`, or another shipped one. */
  template?: string;
  /** Rewrites per caption per source (K). Default 1. */
  perSource: number;
  seed: number;
  /** Candidate attempts per rewrite slot before falling back to the original. Default 3. */
  maxAttempts?: number;
  /** In-context examples per prompt; default: the pools file's `sampled_per_prompt`, else 3. */
  examplesPerPrompt?: number;
  /** Prompt budget in characters; longer prompts are cut and ` =>` re-added (src/rewrite/prompt/build.ts). */
  maxPromptChars?: number;
  /**
   * One prompt per (source, attempt) asking for n = pending slots completions (the server's `n`), instead of one
   * prompt per slot. Fewer, cheaper requests when perSource > 1; the slots then share their examples.
   */
  shareExamples?: boolean;
  /** When every attempt of a slot failed in the engine (not in quality control): stop the run (default) or fall back. */
  onEngineFailure?: "fail" | "fallback";
  /** Quality-control limits (src/rewrite/quality/check.ts). */
  quality?: QualityOptions;
  // openai engine
  baseUrls?: string[];
  model?: string;
  /** Name of the environment variable holding the API key (its value is never logged). */
  apiKeyEnv?: string;
  concurrency?: number;
  timeoutMs?: number;
  maxRetries?: number;
  /** Retry backoff: full jitter over [0, min(backoffMaxMs, backoffBaseMs * 2^retry)]. Defaults 500 and 30000. */
  backoffBaseMs?: number;
  backoffMaxMs?: number;
  temperature?: number;
  topP?: number;
  maxTokens?: number;
  // llama engine
  modelPath?: string;
  /** Sequences decoded together in one batch. */
  batchSize?: number;
  /** CPU threads for the llama engine (default: every core). */
  threads?: number;
  /** Context size per sequence for the llama engine, in tokens (default 1024). */
  contextSize?: number;
}
