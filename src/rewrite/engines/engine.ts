/**
 * The one interface every engine implements. The rewriter builds prompts and judges completions; an engine only
 * turns a request into raw completion texts. Rule-based engines (eda) ignore the prompt and rewrite `caption`.
 */

export interface CompletionRequest {
  prompt: string;
  /** The caption the prompt ends with, untruncated. */
  caption: string;
  /** One sampling seed per wanted completion; `seeds.length` is n. */
  seeds: readonly number[];
}

export interface CompletionResult {
  /** Raw completions, in the order of `seeds` (fewer when the server returned fewer). */
  texts: string[];
  /** Completion tokens reported by the engine (0 where it reports none). */
  tokens: number;
}

export interface EngineStats {
  requests: number;
  retries: number;
  errors: number;
  [key: string]: number;
}

export interface Engine {
  readonly name: string;
  complete(req: CompletionRequest, signal?: AbortSignal): Promise<CompletionResult>;
  stats(): EngineStats;
  close(): Promise<void>;
}
