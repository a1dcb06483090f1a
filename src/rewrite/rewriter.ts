/**
 * The rewriting core: for each caption, each source and each of its `perSource` slots, build an ICL prompt from
 * examples drawn with a seed derived from (seed, index, source, slot, attempt), ask the engine, judge the answer,
 * and retry a rejected slot with fresh examples until `maxAttempts`; then fall back to the original caption.
 * Nothing depends on the order or concurrency in which captions arrive, so shards and resumed runs agree.
 *
 * - Pools (pools/load.ts): a JSON file in the layout of LaCLIP's meta pairs; default data/pools/laclip_own.json,
 *   the project's own pools `concise`, `descriptive`, `scene`, `alt-text` (16 pairs each) and `peer` (16 groups of
 *   4 captions of one image, MSCOCO style). `--pairs ../shared/reference/laclip_meta_pairs.json --sources
 *   chatgpt,bard,mscoco,human` gives the paper's setup.
 * - Prompt (prompt/): `laclip` is the paper's prompt byte for byte, `clean` drops its 12 leaked spaces, `qa` uses
 *   labelled blocks. 3 examples (the file's `sampled_per_prompt`), prompts over `maxPromptChars` (2000) cut on the
 *   caption with ` =>` re-added; the llama engine cuts again by tokens.
 * - Sampling: temperature 0.9, top-p 0.95, at most 77 new tokens, stop at a newline; the sampling seed of a slot
 *   derives from the same tuple as its examples.
 * - Quality (quality/check.ts): first line, stripped; rejects empty, under 2 words, identical to the input, prompt
 *   echo, too long, degenerate repetition, non-printable. Engine failures that survived the engine's own retries
 *   count as `engine_error` attempts; when all attempts of a slot failed that way the run stops (or, with
 *   `onEngineFailure: "fallback"`, the slot falls back like a rejected one).
 * - `shareExamples`: one prompt per (source, attempt) asking for n = pending slots completions.
 */
import { ConfigError } from "../errors/config_error.js";
import { deriveSeed, Rng } from "../util/rng.js";
import { createEngine } from "./engines/create.js";
import type { Engine, EngineStats } from "./engines/engine.js";
import { EngineError } from "./engines/engine_error.js";
import { drawExamples } from "./pools/draw.js";
import { loadPools, selectPools } from "./pools/load.js";
import type { Pool } from "./pools/pool.js";
import { buildPrompt, DEFAULT_MAX_PROMPT_CHARS } from "./prompt/build.js";
import { getTemplate, templateNames, type PromptTemplate } from "./prompt/templates.js";
import { checkRewrite, type QualityOptions } from "./quality/check.js";
import { addOutcome, addReject, emptyStats, type RewriterStats } from "./quality/tally.js";
import type { CaptionRecord, RewriteOutcome, Rewriter, RewriterOptions } from "./types.js";

export type { RewriterStats } from "./quality/tally.js";

/** A Rewriter that also reports running totals and its engine's counters. */
export interface LaclipRewriter extends Rewriter {
  stats(): RewriterStats & { engine: EngineStats };
  /** The exact prompt for (caption, source, slot, attempt), as the engine would receive it. */
  promptFor(item: CaptionRecord, source: string, slot: number, attempt: number): string;
}

interface Plan {
  pools: Pool[];
  template: PromptTemplate;
  header: string;
  examples: number;
  maxPromptChars: number;
  maxAttempts: number;
  quality: QualityOptions;
}

export async function createRewriter(o: RewriterOptions, engine?: Engine): Promise<LaclipRewriter> {
  const plan = makePlan(o);
  const eng = engine ?? (await createEngine(o));
  const stats = emptyStats();
  const sources = plan.pools.map((p) => p.name);
  const slotSeed = (index: number, source: string, slot: number | "shared", attempt: number) => deriveSeed(o.seed, index, source, slot, attempt);

  function prompt(item: CaptionRecord, pool: Pool, seed: number): string {
    const rng = new Rng(seed);
    const built = buildPrompt(plan.template, plan.header, drawExamples(pool, plan.examples, rng), item.caption, plan.maxPromptChars);
    if (built.truncated) stats.truncatedPrompts++;
    return built.text;
  }

  async function fillSource(item: CaptionRecord, pool: Pool, out: RewriteOutcome, signal?: AbortSignal): Promise<string[]> {
    const filled: (string | undefined)[] = new Array(o.perSource).fill(undefined);
    const engineFailures: number[] = new Array(o.perSource).fill(0);
    let lastError: unknown;
    for (let attempt = 0; attempt < plan.maxAttempts; attempt++) {
      const pending = filled.flatMap((v, slot) => (v === undefined ? [slot] : []));
      if (pending.length === 0) break;
      // One request per pending slot, or one shared request for all of them (the server's n)
      const groups = o.shareExamples ? [pending] : pending.map((s) => [s]);
      await Promise.all(
        groups.map(async (slots) => {
          const exampleSeed = o.shareExamples ? slotSeed(item.index, pool.name, "shared", attempt) : slotSeed(item.index, pool.name, slots[0]!, attempt);
          const req = {
            prompt: prompt(item, pool, exampleSeed),
            caption: item.caption,
            seeds: slots.map((s) => deriveSeed(o.seed, item.index, pool.name, s, attempt, "sample")),
          };
          let texts: string[];
          try {
            const res = await eng.complete(req, signal);
            out.tokens += res.tokens;
            texts = res.texts;
          } catch (err) {
            if (!(err instanceof EngineError) || !err.retryable || signal?.aborted) throw err;
            lastError = err;
            addReject(out.rejects, "engine_error", slots.length);
            for (const s of slots) engineFailures[s]!++;
            return;
          }
          slots.forEach((slot, j) => {
            const raw = texts[j];
            if (raw === undefined) return addReject(out.rejects, "empty");
            const verdict = checkRewrite(raw, item.caption, plan.quality);
            if (verdict.ok) filled[slot] = verdict.text;
            else addReject(out.rejects, verdict.reason);
          });
        }),
      );
    }
    return filled.map((v, slot) => {
      if (v !== undefined) return v;
      if (engineFailures[slot] === plan.maxAttempts && o.onEngineFailure !== "fallback") {
        throw new EngineError(
          `caption ${item.index} (id ${item.id}), source '${pool.name}': every one of ${plan.maxAttempts} attempts failed in the ${eng.name} engine: ${(lastError as Error).message}`,
          false,
          { cause: lastError },
        );
      }
      out.fallbacks++;
      return item.caption;
    });
  }

  return {
    sources,
    perSource: o.perSource,
    async rewrite(item, signal) {
      const out: RewriteOutcome = { index: item.index, id: item.id, original: item.caption, rewrites: {}, fallbacks: 0, rejects: {}, tokens: 0 };
      const lists = await Promise.all(plan.pools.map((pool) => fillSource(item, pool, out, signal)));
      plan.pools.forEach((pool, i) => (out.rewrites[pool.name] = lists[i]!));
      addOutcome(stats, out, sources.length * o.perSource);
      return out;
    },
    stats: () => ({ ...stats, rejects: { ...stats.rejects }, engine: eng.stats() }),
    promptFor(item, source, slot, attempt) {
      const pool = plan.pools.find((p) => p.name === source);
      if (!pool) throw new ConfigError(`unknown source '${source}'`, "sources");
      return prompt(item, pool, slotSeed(item.index, source, o.shareExamples ? "shared" : slot, attempt));
    },
    close: () => eng.close(),
  };
}

/** Rewrites per caption per source: each is an output file and a JSON key per sample (LaCLIP uses 1). */
export const MAX_PER_SOURCE = 64;

/** Checks the options' values and ranges (and reads the pairs file) without starting an engine: before any work. */
export function checkRewriterOptions(o: RewriterOptions): void {
  makePlan(o);
}

function makePlan(o: RewriterOptions): Plan {
  if (!Number.isInteger(o.perSource) || o.perSource < 1) throw new ConfigError(`perSource must be a positive integer, got ${o.perSource}`, "perSource");
  if (o.perSource > MAX_PER_SOURCE) {
    throw new ConfigError(`--per-source ${o.perSource} is more than ${MAX_PER_SOURCE} rewrites per caption per source (each is an output file); use at most ${MAX_PER_SOURCE}`, "per-source");
  }
  if (!Number.isInteger(o.seed)) throw new ConfigError(`seed must be an integer, got ${o.seed}`, "seed");
  const maxAttempts = o.maxAttempts ?? 3;
  if (!Number.isInteger(maxAttempts) || maxAttempts < 1) throw new ConfigError(`maxAttempts must be a positive integer, got ${maxAttempts}`, "maxAttempts");
  const template = getTemplate(o.template ?? "laclip");
  if (!template) throw new ConfigError(`unknown template '${o.template}'; choose one of ${templateNames().join(", ")}`, "template");
  const set = loadPools(o.pairsFile);
  const examples = o.examplesPerPrompt ?? set.examplesPerPrompt ?? 3;
  const header = template.usesFileHeader ? (set.header ?? template.header) : template.header;
  const maxPromptChars = o.maxPromptChars ?? DEFAULT_MAX_PROMPT_CHARS;
  if (!(maxPromptChars > template.suffix.length)) throw new ConfigError(`maxPromptChars must exceed ${template.suffix.length}`, "maxPromptChars");
  return {
    pools: selectPools(set, o.sources, examples),
    template,
    header,
    examples,
    maxPromptChars,
    maxAttempts,
    quality: { echoMarkers: template.echoMarkers, ...o.quality },
  };
}
