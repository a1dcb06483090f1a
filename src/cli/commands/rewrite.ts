/**
 * `laclip rewrite`: rewrite every caption of a dataset with an LLM (or the offline eda engine), resumably and in
 * shards; `laclip rewrite merge` joins finished shards. Only option parsing lives here: the job is
 * src/rewrite/job/, the rewriting src/rewrite/rewriter.ts. docs/rewrite.md explains every option.
 */
import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { ConfigError } from "../../errors/config_error.js";
import { LaclipError } from "../../errors/laclip_error.js";
import { INPUT_FORMATS, type InputFormat } from "../../rewrite/io/input_item.js";
import type { JobConfig } from "../../rewrite/job/config.js";
import { runRewriteJob } from "../../rewrite/job/job.js";
import { mergeShards, shardDirsOf } from "../../rewrite/job/merge.js";
import { RewriteFailedError } from "../../rewrite/job/rewrite_failed_error.js";
import { parseShard, shardFromEnv, WHOLE } from "../../rewrite/job/shard.js";
import { summaryLine } from "../../rewrite/job/summary.js";
import { checkRewriterOptions, createRewriter } from "../../rewrite/rewriter.js";
import type { RewriterOptions } from "../../rewrite/types.js";
import { intOption as int, oneOfOption as oneOf } from "../option_values.js";
import { parseCommandArgs } from "../parse_command_args.js";

export const summary = "rewrite captions with an LLM (LaCLIP), resumable and sharded; 'rewrite merge' joins shards";

const USAGE = `usage: laclip rewrite --input FILE|DIR --output DIR [options]     (docs/rewrite.md)
  input     --format text|csv|jsonl|parquet|wds  --caption-key K (--caption-column)  --id-key K (--id-column)
            --csv-separator C  --csv-header auto|yes|no  --csv-image-rows  --on-error stop|skip
            --csv-caption-key K  --csv-img-key K   (open_clip's names: CSV caption and image columns)
  engine    --engine eda|openai|llama  --base-url URL...  --model NAME  --api-key-env VAR  --model-path GGUF
            --batch-size N  --threads N  --context-size N  --timeout SECONDS  --max-retries N  --backoff-ms MS
  rewriting --sources a,b,c  --pairs FILE  --template laclip|clean|qa  --per-source K  --seed S  --max-attempts N
            --examples N  --share-examples  --temperature T  --top-p P  --max-tokens N  --on-engine-failure fail|fallback
  job       --concurrency N  --window N  --shard i/N  --shard-count N  --no-shards  --progress auto|bar|log|none
            --log-every SECONDS
usage: laclip rewrite merge --output DIR (--shards N | SHARD_DIR...)`;

const OPTIONS = {
  input: { type: "string", multiple: true }, output: { type: "string" }, format: { type: "string" },
  "caption-key": { type: "string" }, "caption-column": { type: "string" }, "id-key": { type: "string" }, "id-column": { type: "string" },
  "csv-separator": { type: "string" }, "csv-header": { type: "string" }, "csv-caption-key": { type: "string" }, "csv-img-key": { type: "string" }, "csv-image-rows": { type: "boolean" }, "on-error": { type: "string" },
  engine: { type: "string" }, "base-url": { type: "string", multiple: true }, model: { type: "string" }, "api-key-env": { type: "string" },
  "model-path": { type: "string" }, "batch-size": { type: "string" }, threads: { type: "string" }, "context-size": { type: "string" },
  timeout: { type: "string" }, "max-retries": { type: "string" }, "backoff-ms": { type: "string" }, sources: { type: "string" }, pairs: { type: "string" },
  template: { type: "string" }, "per-source": { type: "string" }, seed: { type: "string" }, "max-attempts": { type: "string" },
  examples: { type: "string" }, "share-examples": { type: "boolean" }, temperature: { type: "string" }, "top-p": { type: "string" },
  "max-tokens": { type: "string" }, "on-engine-failure": { type: "string" }, concurrency: { type: "string" }, window: { type: "string" },
  shard: { type: "string" }, "shard-count": { type: "string" }, shards: { type: "string" }, "no-shards": { type: "boolean" },
  progress: { type: "string" }, "log-every": { type: "string" }, help: { type: "boolean", short: "h" },
} as const;

type Values = ReturnType<typeof parseCommandArgs<{ options: typeof OPTIONS; allowPositionals: true }>>["values"];

function num(v: string | undefined, key: string): number | undefined {
  if (v === undefined) return undefined;
  if (!Number.isFinite(Number(v)) || v.trim() === "") throw new ConfigError(`--${key} must be a number, got '${v}'`, key);
  return Number(v);
}

async function fileIdentity(path: string | undefined, key: string): Promise<string | undefined> {
  if (path === undefined) return undefined;
  const data = await readFile(path).catch((err: unknown) => {
    throw new ConfigError(`--${key} ${path} cannot be read (${(err as Error).message})`, key, { cause: err });
  });
  return `sha256:${createHash("sha256").update(data).digest("hex").slice(0, 32)}`;
}

function rewriterOptions(v: Values): RewriterOptions {
  const engine = oneOf(v.engine, "engine", ["openai", "llama", "eda"] as const) ?? (v["base-url"] ? "openai" : v["model-path"] ? "llama" : "eda");
  const timeout = num(v.timeout, "timeout");
  return {
    engine, sources: v.sources?.split(",").map((s) => s.trim()).filter(Boolean), pairsFile: v.pairs, template: v.template,
    perSource: int(v["per-source"], "per-source", 1) ?? 1, seed: int(v.seed, "seed", 0) ?? 0,
    maxAttempts: int(v["max-attempts"], "max-attempts", 1), examplesPerPrompt: int(v.examples, "examples", 1),
    shareExamples: v["share-examples"], onEngineFailure: oneOf(v["on-engine-failure"], "on-engine-failure", ["fail", "fallback"] as const),
    baseUrls: v["base-url"], model: v.model, apiKeyEnv: v["api-key-env"], concurrency: int(v.concurrency, "concurrency", 1),
    timeoutMs: timeout === undefined ? undefined : timeout * 1000, maxRetries: int(v["max-retries"], "max-retries", 0),
    backoffBaseMs: int(v["backoff-ms"], "backoff-ms", 0),
    temperature: num(v.temperature, "temperature"), topP: num(v["top-p"], "top-p"), maxTokens: int(v["max-tokens"], "max-tokens", 1),
    modelPath: v["model-path"], batchSize: int(v["batch-size"], "batch-size", 1), threads: int(v.threads, "threads", 1),
    contextSize: int(v["context-size"], "context-size", 16),
  };
}

/** The settings that decide results; a resume must repeat them (src/rewrite/job/settings.ts). */
async function resultSettings(o: RewriterOptions): Promise<Record<string, unknown>> {
  const model = o.engine === "openai" ? (o.model ?? "first listed by the server") : o.engine === "llama" ? await fileIdentity(o.modelPath, "model-path") : null;
  return {
    engine: o.engine, model, sources: o.sources ?? "all", pairs: (await fileIdentity(o.pairsFile, "pairs")) ?? "builtin",
    template: o.template ?? "laclip", perSource: o.perSource, seed: o.seed, maxAttempts: o.maxAttempts ?? 3,
    examplesPerPrompt: o.examplesPerPrompt ?? "default", shareExamples: o.shareExamples ?? false,
    temperature: o.temperature ?? 0.9, topP: o.topP ?? 0.95, maxTokens: o.maxTokens ?? 77,
  };
}

async function jobConfig(v: Values, settings: Record<string, unknown>, concurrency: number): Promise<JobConfig> {
  if (!v.input?.length) throw new ConfigError("give --input FILE|DIR (the captions to rewrite)", "--input");
  if (v.output === undefined) throw new ConfigError("give --output DIR (where the rewrites go)", "--output");
  const shardCount = int(v["shard-count"], "shard-count", 1);
  const fromEnv = v.shard === undefined ? shardFromEnv(process.env, shardCount) : undefined;
  if (fromEnv) process.stderr.write(`laclip rewrite: shard ${fromEnv.spec.index}/${fromEnv.spec.count} from ${fromEnv.from}\n`);
  return {
    input: {
      paths: v.input, format: oneOf(v.format, "format", INPUT_FORMATS) as InputFormat | undefined,
      captionField: v["caption-key"] ?? v["csv-caption-key"] ?? v["caption-column"], idField: v["id-key"] ?? v["id-column"], imageField: v["csv-img-key"],
      csvSeparator: v["csv-separator"] === "\\t" ? "\t" : v["csv-separator"], csvHeader: oneOf(v["csv-header"], "csv-header", ["auto", "yes", "no"] as const),
      csvImageRowsOnly: v["csv-image-rows"],
    },
    outputDir: resolve(v.output),
    shard: v.shard !== undefined ? parseShard(v.shard) : (fromEnv?.spec ?? WHOLE),
    concurrency, window: int(v.window, "window", 1),
    onError: oneOf(v["on-error"], "on-error", ["skip", "stop"] as const) ?? "stop",
    settings, progress: oneOf(v.progress, "progress", ["auto", "bar", "log", "none"] as const),
    logEverySeconds: num(v["log-every"], "log-every"), writeShards: !v["no-shards"],
  };
}

async function merge(v: Values, positionals: string[]): Promise<number> {
  if (v.output === undefined) throw new ConfigError("give --output DIR (the merged output; with --shards N, also where the shards are)", "--output");
  const count = int(v.shards, "shards", 1);
  const dirs = count !== undefined ? shardDirsOf(resolve(v.output), count) : positionals;
  const merged = await mergeShards(resolve(v.output), dirs, (line) => process.stderr.write(line + "\n"));
  console.log(summaryLine(merged));
  return 0;
}

export async function run(argv: string[]): Promise<number> {
  const parsed = parseCommandArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true }, USAGE);
  const { values: v, positionals } = parsed;
  if (v.help) return console.log(USAGE), 0;
  try {
    if (positionals[0] === "merge") return await merge(v, positionals.slice(1));
    if (positionals.length > 0) throw new ConfigError(`unexpected argument '${positionals[0]}'\n${USAGE}`, "argv");
    const options = rewriterOptions(v);
    checkRewriterOptions(options);
    const config = await jobConfig(v, await resultSettings(options), options.concurrency ?? 64);
    const result = await runRewriteJob(config, () => createRewriter({ ...options, concurrency: config.concurrency }));
    console.log(summaryLine(result));
    if (result.openClip) console.log(`open_clip: --dataset-type webdataset ${result.openClip.flags}`);
    return 0;
  } catch (err) {
    // file-system failures (disk full, permissions) end the run with one line too; bugs keep their stack
    if (!(err instanceof LaclipError) && typeof (err as NodeJS.ErrnoException).code === "string") {
      throw new RewriteFailedError(`${(err as Error).message}; finished captions are kept, run again to resume`, { cause: err });
    }
    throw err;
  }
}
