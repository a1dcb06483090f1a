/**
 * The `openai` engine: text completions from any OpenAI-compatible /v1/completions server (vLLM, llama-server,
 * Ollama, TGI). Requests are spread over the base URLs (endpoints.ts), at most `concurrency` in flight (a
 * semaphore: excess callers wait), each with its own timeout. Transient failures (timeouts, resets, refused
 * connections, 408/429/5xx, malformed answers) are retried with full-jitter exponential backoff, or after the
 * server's Retry-After; other 4xx answers stop the run with the URL and status. When a prompt wants several
 * completions the engine asks for `n` at once, and goes back to one request per completion for good as soon as
 * a server refuses n > 1.
 */
import { ConfigError } from "../../../errors/config_error.js";
import type { CompletionRequest, CompletionResult, Engine, EngineStats } from "../engine.js";
import { EngineError } from "../engine_error.js";
import { Semaphore } from "../semaphore.js";
import { backoffMs, parseRetryAfter, sleep } from "./backoff.js";
import { Endpoints } from "./endpoints.js";
import { HttpClient, RequestTimeout } from "./http.js";
import { openAIOptions, type OpenAIEngineOptions } from "./options.js";
import { fatalStatus, isRetryableStatus, parseCompletionReply, serverMessage } from "./reply.js";

export { openAIOptionsFrom } from "./options.js";

const N_REFUSED = Symbol("n refused");

export async function createOpenAIEngine(opts: Partial<OpenAIEngineOptions> & { baseUrls: string[] }): Promise<Engine> {
  const o = openAIOptions(opts);
  const http = new HttpClient(o.concurrency);
  const endpoints = new Endpoints(o.baseUrls);
  const sem = new Semaphore(o.concurrency);
  const headers: Record<string, string> = o.apiKey ? { authorization: `Bearer ${o.apiKey}` } : {};
  const counters = { requests: 0, retries: 0, errors: 0, completions: 0, timeouts: 0, networkErrors: 0, http429: 0, http5xx: 0, malformed: 0, nFallbacks: 0 };
  let nSupported = o.useN;
  // Before any work: a server that is not there fails the run in seconds, naming its URL (not after retries).
  const probe = await probeServers(http, endpoints, headers, o.timeoutMs);
  if (probe.reachable === 0) {
    http.close();
    throw new ConfigError(`no LLM server answers at ${o.baseUrls.join(", ")} (${probe.problems.join("; ")}); start it or fix --base-url`, "base-url");
  }
  if (o.model === undefined && probe.model === undefined) {
    http.close();
    throw new ConfigError(`no --model given and no server listed one (${probe.problems.join("; ")}); pass --model NAME`, "model");
  }
  const model = o.model ?? probe.model!;

  async function send(prompt: string, n: number, seed: number, signal?: AbortSignal): Promise<CompletionResult | typeof N_REFUSED> {
    const body = JSON.stringify({ model, prompt, max_tokens: o.maxTokens, temperature: o.temperature, top_p: o.topP, n, stop: o.stop, seed });
    let last = "";
    for (let retry = 0; ; retry++) {
      const e = endpoints.pick();
      counters.requests++;
      let wait: number | undefined;
      try {
        const reply = await http.post(e.completionsUrl, body, headers, o.timeoutMs, signal);
        if (reply.status === 200) {
          const parsed = parseCompletionReply(reply.body);
          if (parsed) {
            endpoints.succeeded(e);
            counters.completions += parsed.texts.length;
            return parsed;
          }
          counters.malformed++;
          endpoints.failed(e, false);
          last = `${e.completionsUrl} answered 200 without usable choices: ${reply.body.slice(0, 80).replace(/\s+/g, " ")}`;
        } else if (n > 1 && (reply.status === 400 || reply.status === 422)) {
          endpoints.succeeded(e);
          return N_REFUSED;
        } else if (!isRetryableStatus(reply.status)) {
          endpoints.succeeded(e);
          throw fatalStatus(e.completionsUrl, reply);
        } else {
          if (reply.status === 429) {
            counters.http429++;
            endpoints.succeeded(e); // busy, not broken
            const ra = parseRetryAfter(headerValue(reply.headers["retry-after"]));
            if (ra !== undefined) wait = Math.min(ra, o.maxRetryAfterMs);
          } else {
            if (reply.status >= 500) counters.http5xx++;
            endpoints.failed(e, false);
          }
          last = `${e.completionsUrl} answered HTTP ${reply.status}: ${serverMessage(reply)}`;
        }
      } catch (err) {
        if (err instanceof EngineError) throw err;
        if (signal?.aborted) {
          endpoints.released(e);
          throw signal.reason;
        }
        const code = (err as NodeJS.ErrnoException).code;
        endpoints.failed(e, code === "ECONNREFUSED");
        if (err instanceof RequestTimeout) {
          counters.timeouts++;
          last = `${e.completionsUrl} did not answer within ${o.timeoutMs} ms`;
        } else {
          counters.networkErrors++;
          last = `${e.completionsUrl}: ${code ?? (err as Error).message}`;
        }
      }
      counters.errors++;
      if (retry >= o.maxRetries) throw new EngineError(`gave up after ${retry + 1} tries; last: ${last}`, true);
      counters.retries++;
      await sleep(wait ?? backoffMs(retry, o.backoffBaseMs, o.backoffMaxMs), signal);
    }
  }

  async function one(prompt: string, seed: number, signal?: AbortSignal): Promise<CompletionResult> {
    return (await sem.run(() => send(prompt, 1, seed, signal))) as CompletionResult;
  }

  return {
    name: "openai",
    async complete(req: CompletionRequest, signal?: AbortSignal): Promise<CompletionResult> {
      const n = req.seeds.length;
      if (n === 1) return one(req.prompt, req.seeds[0]!, signal);
      if (nSupported) {
        const r = await sem.run(() => send(req.prompt, n, req.seeds[0]!, signal));
        if (r !== N_REFUSED) return r;
        if (nSupported) counters.nFallbacks++;
        nSupported = false;
      }
      const parts = await Promise.all(req.seeds.map((seed) => one(req.prompt, seed, signal)));
      return { texts: parts.flatMap((p) => p.texts.slice(0, 1)), tokens: parts.reduce((s, p) => s + p.tokens, 0) };
    },
    stats(): EngineStats {
      return { ...counters, endpointDeaths: endpoints.deaths, liveEndpoints: endpoints.liveCount(), inFlight: sem.inUse, queued: sem.queued };
    },
    async close() {
      http.close();
    },
  };
}

function headerValue(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

/**
 * GET {base}/models on every endpoint: how many answer at all (any HTTP status: a server without that route is
 * still there), and the first model listed, for servers that host one model and users who did not name it.
 */
async function probeServers(http: HttpClient, endpoints: Endpoints, headers: Record<string, string>, timeoutMs: number): Promise<{ reachable: number; model?: string; problems: string[] }> {
  const problems: string[] = [];
  let reachable = 0;
  let model: string | undefined;
  await Promise.all(endpoints.all.map(async (e) => {
    const url = e.completionsUrl.replace(/\/completions$/, "/models");
    try {
      const reply = await http.get(url, headers, Math.min(timeoutMs, 10_000));
      reachable++;
      let id: unknown;
      try {
        id = reply.status === 200 ? (JSON.parse(reply.body) as { data?: { id?: unknown }[] }).data?.[0]?.id : undefined;
      } catch {
        id = undefined;
      }
      if (typeof id === "string") model ??= id;
      else problems.push(`${url}: HTTP ${reply.status}${reply.status === 200 ? " without a model list" : ""}`);
    } catch (err) {
      problems.push(`${url}: ${err instanceof RequestTimeout ? `no answer within ${Math.min(timeoutMs, 10_000)} ms` : ((err as NodeJS.ErrnoException).code ?? (err as Error).message)}`);
    }
  }));
  return { reachable, model, problems };
}
