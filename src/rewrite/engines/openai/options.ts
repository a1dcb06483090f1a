/** Settings of the openai engine, and their translation from the rewriter's options (with validation). */
import { ConfigError } from "../../../errors/config_error.js";
import type { RewriterOptions } from "../../types.js";

export interface OpenAIEngineOptions {
  baseUrls: string[];
  /** Model name; when absent, the first model the server lists at GET {base}/models. */
  model?: string;
  /** The key itself (read from the environment variable the user named; never logged). */
  apiKey?: string;
  /** Requests in flight at once, over all base URLs. Default 64. */
  concurrency: number;
  /** Per-request timeout. Default 60 s. */
  timeoutMs: number;
  /** Retries of one request after a transient failure (429, 408, 5xx, timeout, reset, malformed answer). Default 6. */
  maxRetries: number;
  temperature: number;
  topP: number;
  maxTokens: number;
  stop: string[];
  backoffBaseMs: number;
  backoffMaxMs: number;
  /** Longest Retry-After honoured; longer ones are cut to this. Default 120 s. */
  maxRetryAfterMs: number;
  /** Ask for n completions in one request when a prompt wants several (falls back when a server refuses). */
  useN: boolean;
}

export const OPENAI_DEFAULTS = {
  concurrency: 64,
  timeoutMs: 60_000,
  maxRetries: 6,
  temperature: 0.9,
  topP: 0.95,
  maxTokens: 77,
  stop: ["\n"],
  backoffBaseMs: 500,
  backoffMaxMs: 30_000,
  maxRetryAfterMs: 120_000,
  useN: true,
} as const;

export function openAIOptions(o: Partial<OpenAIEngineOptions> & { baseUrls: string[] }): OpenAIEngineOptions {
  const r: OpenAIEngineOptions = { ...OPENAI_DEFAULTS, stop: [...OPENAI_DEFAULTS.stop], ...o };
  if (r.baseUrls.length === 0) throw new ConfigError("the openai engine needs at least one --base-url (e.g. http://127.0.0.1:8000/v1)", "baseUrls");
  for (const b of r.baseUrls) {
    let u: URL;
    try {
      u = new URL(b);
    } catch (err) {
      throw new ConfigError(`--base-url '${b}' is not a URL; write it like http://127.0.0.1:8000/v1`, "baseUrls", { cause: err });
    }
    if (u.protocol !== "http:" && u.protocol !== "https:") throw new ConfigError(`--base-url '${b}' must be http or https`, "baseUrls");
  }
  const positiveInt = (key: "concurrency" | "maxTokens") => {
    if (!Number.isInteger(r[key]) || r[key] < 1) throw new ConfigError(`${key} must be a positive integer, got ${r[key]}`, key);
  };
  positiveInt("concurrency");
  positiveInt("maxTokens");
  if (!Number.isInteger(r.maxRetries) || r.maxRetries < 0) throw new ConfigError(`maxRetries must be a non-negative integer, got ${r.maxRetries}`, "maxRetries");
  if (!(r.timeoutMs > 0)) throw new ConfigError(`timeoutMs must be positive, got ${r.timeoutMs}`, "timeoutMs");
  if (!(r.temperature >= 0)) throw new ConfigError(`temperature must be >= 0, got ${r.temperature}`, "temperature");
  if (!(r.topP > 0 && r.topP <= 1)) throw new ConfigError(`topP must be in (0, 1], got ${r.topP}`, "topP");
  return r;
}

export function openAIOptionsFrom(o: RewriterOptions, env: NodeJS.ProcessEnv = process.env): OpenAIEngineOptions {
  let apiKey: string | undefined;
  if (o.apiKeyEnv !== undefined) {
    apiKey = env[o.apiKeyEnv];
    if (!apiKey) throw new ConfigError(`environment variable ${o.apiKeyEnv} (named by --api-key-env) is unset or empty`, "apiKeyEnv");
  }
  const defined = <T>(v: T | undefined, d: T): T => (v === undefined ? d : v);
  return openAIOptions({
    baseUrls: o.baseUrls ?? [],
    model: o.model,
    apiKey,
    concurrency: defined(o.concurrency, OPENAI_DEFAULTS.concurrency),
    timeoutMs: defined(o.timeoutMs, OPENAI_DEFAULTS.timeoutMs),
    maxRetries: defined(o.maxRetries, OPENAI_DEFAULTS.maxRetries),
    temperature: defined(o.temperature, OPENAI_DEFAULTS.temperature),
    topP: defined(o.topP, OPENAI_DEFAULTS.topP),
    maxTokens: defined(o.maxTokens, OPENAI_DEFAULTS.maxTokens),
    backoffBaseMs: defined(o.backoffBaseMs, OPENAI_DEFAULTS.backoffBaseMs),
    backoffMaxMs: defined(o.backoffMaxMs, OPENAI_DEFAULTS.backoffMaxMs),
  });
}
