/**
 * `laclip demo`: the README's main command. Builds the emoji dataset from installed packages, rewrites its
 * captions, trains CLIP and LaCLIP with the same budget and seed, and prints zero-shot accuracy on a held-out
 * art style, then one JSON line. `laclip demo prepare` runs the data step alone. Options are only parsed here;
 * the run is src/demo (docs/demo.md).
 */
import { ConfigError } from "../../errors/config_error.js";
import type { DemoMethod, DemoOptions } from "../../demo/options.js";
import type { RewriterOptions } from "../../rewrite/types.js";
import { intOption as int, positiveOption as positive } from "../option_values.js";
import { parseCommandArgs } from "../parse_command_args.js";

export const summary = "train CLIP and LaCLIP on emoji (from npm packages) and compare them zero-shot on a held-out style (docs/demo.md)";

const USAGE = `usage: laclip demo [options]                  (docs/demo.md)
       laclip demo prepare --work-dir DIR ...    (the dataset step alone; --help for its options)
  data      --train-styles twemoji,noto,openmoji  --eval-styles fluent-emoji-flat  (any installed @iconify-json sets)
            --size 32  --max-emoji N  --work-dir .work/demo
  budget    --minutes 10 (minutes of the reference 2-core machine: a fixed number of steps, see docs/demo.md)
            --epochs N (instead of --minutes)  --batch 128  --methods clip,laclip  --seeds 0,1,2 (or --seed N: one)
            --dtype fp32|bf16
            --threads N  --workers 1  --fresh (train again even if a finished run with these settings exists)
            (defaults: bf16, 1 thread, 1 decode worker: the fastest here, docs/demo.md)
  rewrites  --rewrite-engine eda|openai|llama (default eda; openai with --base-url, llama with --model-path)
            --base-url URL...  --model NAME  --api-key-env VAR  --model-path GGUF  --per-source K  --sources a,b
            --pairs FILE  --template laclip|clean|qa  --concurrency N  --timeout SECONDS
  tokenizer --merges FILE (e.g. OpenAI's bpe_simple_vocab_16e6.txt.gz; default: learn one from the demo's texts)
            --bpe-merges 4000`;

const S = { type: "string" } as const;
const OPTIONS = {
  "train-styles": S, "eval-styles": S, size: S, "max-emoji": S, "work-dir": S, minutes: S, epochs: S, batch: S, methods: S,
  seed: S, seeds: S, dtype: S, threads: S, workers: S, fresh: { type: "boolean" }, "rewrite-engine": S, "base-url": { type: "string", multiple: true },
  model: S, "api-key-env": S, "model-path": S, "per-source": S, sources: S, pairs: S, template: S, concurrency: S, timeout: S,
  merges: S, "bpe-merges": S, help: { type: "boolean", short: "h" },
} as const;

type Values = ReturnType<typeof parseCommandArgs<{ options: typeof OPTIONS }>>["values"];

function list(v: string | undefined): string[] | undefined {
  return v?.split(",").map((s) => s.trim()).filter((s) => s !== "");
}

function rewriteOptions(v: Values, threads: number | undefined): RewriterOptions {
  const given = v["rewrite-engine"];
  if (given !== undefined && !["eda", "openai", "llama"].includes(given)) throw new ConfigError(`--rewrite-engine must be eda, openai or llama, got '${given}'`, "rewrite-engine");
  const engine = (given ?? (v["base-url"] ? "openai" : v["model-path"] ? "llama" : "eda")) as RewriterOptions["engine"];
  if (engine === "openai" && !v["base-url"]?.length) throw new ConfigError("--rewrite-engine openai needs --base-url URL (an OpenAI-compatible server: vLLM, llama-server, Ollama)", "base-url");
  if (engine === "llama" && v["model-path"] === undefined) throw new ConfigError("--rewrite-engine llama needs --model-path FILE.gguf", "model-path");
  const timeout = positive(v.timeout, "timeout");
  return {
    engine, sources: list(v.sources), pairsFile: v.pairs, template: v.template, perSource: int(v["per-source"], "per-source", 1) ?? 1, seed: 0,
    baseUrls: v["base-url"], model: v.model, apiKeyEnv: v["api-key-env"], modelPath: v["model-path"], threads,
    concurrency: int(v.concurrency, "concurrency", 1), timeoutMs: timeout === undefined ? undefined : timeout * 1000,
  };
}

function seedList(v: Values, defaults: readonly number[]): number[] {
  if (v.seed !== undefined && v.seeds !== undefined) throw new ConfigError("give --seeds 0,1,2 or --seed N, not both", "seeds");
  if (v.seed !== undefined) return [int(v.seed, "seed", 0)!];
  if (v.seeds === undefined) return [...defaults];
  return v.seeds.split(",").map((x) => int(x.trim(), "seeds", 0)!);
}

async function demoOptions(v: Values): Promise<DemoOptions> {
  const { DEFAULTS } = await import("../../demo/options.js");
  const dtype = v.dtype ?? DEFAULTS.dtype;
  if (dtype !== "fp32" && dtype !== "bf16") throw new ConfigError(`--dtype must be fp32 or bf16, got '${dtype}'`, "dtype");
  const threads = int(v.threads, "threads", 1);
  return {
    workDir: v["work-dir"] ?? DEFAULTS.workDir,
    trainStyles: list(v["train-styles"]) ?? [...DEFAULTS.trainStyles],
    evalStyles: list(v["eval-styles"]) ?? [...DEFAULTS.evalStyles],
    size: int(v.size, "size", 1) ?? DEFAULTS.size,
    seeds: seedList(v, DEFAULTS.seeds),
    minutes: positive(v.minutes, "minutes") ?? DEFAULTS.minutes,
    epochs: int(v.epochs, "epochs", 1),
    batchSize: int(v.batch, "batch", 2) ?? DEFAULTS.batchSize,
    maxEmoji: int(v["max-emoji"], "max-emoji", 1),
    methods: (list(v.methods) ?? [...DEFAULTS.methods]) as DemoMethod[],
    dtype,
    threads: threads ?? DEFAULTS.threads,
    workers: int(v.workers, "workers", 0) ?? DEFAULTS.workers,
    merges: v.merges,
    bpeMerges: int(v["bpe-merges"], "bpe-merges", 0) ?? DEFAULTS.bpeMerges,
    rewrite: rewriteOptions(v, threads), // a llama engine uses every core unless --threads is given
    fresh: v.fresh ?? false,
    log: (line) => void process.stderr.write(`${line}\n`),
  };
}

export async function run(argv: string[]): Promise<number> {
  if (argv[0] === "prepare") return (await import("../../demo/data/prepare_command.js")).run(argv.slice(1));
  const parsed = parseCommandArgs({ args: argv, options: OPTIONS, strict: true }, USAGE);
  const v = parsed.values;
  if (v.help) return console.log(USAGE), 0;
  const options = await demoOptions(v);
  const { runDemo, formatSummary } = await import("../../demo/index.js");
  const result = await runDemo(options);
  process.stdout.write(formatSummary(result.line) + "\n");
  process.stdout.write(`report: ${result.report}\n`);
  process.stdout.write(JSON.stringify(result.line) + "\n");
  return 0;
}
