/**
 * `laclip bench llama-batch`: what decoding several sequences in one batch buys the llama engine.
 *
 * What is measured: for each sequence count S, one engine (one context with S sequences) runs the same
 * `--completions` completions of real LaCLIP prompts (project pools, `laclip` template), all submitted at once, so
 * S of them decode together; tokens/s = generated tokens / wall time, and the speed-up over S = 1. Not measured:
 * model loading and context creation. The model is `--model FILE`, else LACLIP_TEST_GGUF, else the tiny random
 * GGUF the test helpers generate (2 layers, width 64: per-step overhead dominates there, so its speed-up says
 * little about a 7B model's). `--prompts short` uses 6-word prompts instead, so that decoding, not prompt
 * evaluation, dominates; prompt tokens are reported on their own (`prompt_tokens`).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { ConfigError } from "../../../errors/config_error.js";
import { createLlamaEngine } from "../../../rewrite/engines/llama/engine.js";
import { drawExamples } from "../../../rewrite/pools/draw.js";
import { loadPools } from "../../../rewrite/pools/load.js";
import { buildPrompt } from "../../../rewrite/prompt/build.js";
import { getTemplate, LACLIP_HEADER } from "../../../rewrite/prompt/templates.js";
import { deriveSeed, Rng } from "../../../util/rng.js";

export const summary = "llama engine: tokens/s decoding 1 vs several sequences in one batch";

function prompts(n: number, kind: string): string[] {
  if (kind === "short") return Array.from({ length: n }, (_, i) => `a photo of a boat ${i} =>`);
  const pools = [...loadPools().pools.values()];
  const template = getTemplate("laclip")!;
  return Array.from({ length: n }, (_, i) => {
    const rng = new Rng(deriveSeed(1, i));
    const pool = pools[i % pools.length]!;
    return buildPrompt(template, LACLIP_HEADER, drawExamples(pool, 3, rng), `a photo of a small red boat on a lake number ${i}`).text;
  });
}

export async function run(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      model: { type: "string" },
      sequences: { type: "string", default: "1,2,4,8" },
      completions: { type: "string", default: "16" },
      "max-tokens": { type: "string", default: "32" },
      threads: { type: "string", default: "1" },
      "context-size": { type: "string", default: "1024" },
      prompts: { type: "string", default: "laclip" },
      json: { type: "boolean", default: false },
      help: { type: "boolean", default: false },
    },
  });
  if (values.help) {
    console.log("usage: laclip bench llama-batch [--model FILE.gguf] [--sequences 1,2,4,8] [--completions N] [--max-tokens T] [--threads N] [--context-size C] [--prompts laclip|short] [--json]");
    return 0;
  }
  const int = (key: "completions" | "max-tokens" | "threads" | "context-size", v = values[key]) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 1) throw new ConfigError(`--${key} must be a positive integer, got '${v}'`, key);
    return n;
  };
  const counts = values.sequences!.split(",").map((s) => int("completions", s));
  let dir: string | undefined;
  let modelPath = values.model ?? process.env.LACLIP_TEST_GGUF;
  if (!modelPath) {
    const { writeTinyLlamaGguf } = await import("../../../../test/helpers/gguf.js");
    dir = mkdtempSync(join(tmpdir(), "laclip-bench-gguf-"));
    modelPath = writeTinyLlamaGguf(join(dir, "tiny.gguf"));
  }
  try {
    if (values.prompts !== "laclip" && values.prompts !== "short") throw new ConfigError(`--prompts must be laclip or short, got '${values.prompts}'`, "prompts");
    const texts = prompts(int("completions"), values.prompts);
    let base: number | undefined;
    for (const sequences of counts) {
      const engine = await createLlamaEngine({ modelPath, sequences, threads: int("threads"), contextSize: int("context-size"), maxTokens: int("max-tokens") });
      await engine.complete({ prompt: texts[0]!, caption: "", seeds: [0] }); // warm-up: first decode allocates buffers
      const prompt0 = engine.stats().promptTokens!;
      const t0 = performance.now();
      const res = await Promise.all(texts.map((prompt, i) => engine.complete({ prompt, caption: "", seeds: [i + 1] })));
      const seconds = (performance.now() - t0) / 1000;
      const st = engine.stats();
      await engine.close();
      const tokens = res.reduce((s, r) => s + r.tokens, 0);
      const rate = tokens / seconds;
      base ??= sequences === 1 ? rate : undefined;
      const line = {
        bench: "llama-batch",
        model: dir ? "generated tiny GGUF (2 layers, width 64, random)" : modelPath,
        sequences,
        max_active: st.maxActive,
        prompts: values.prompts,
        completions: texts.length,
        prompt_tokens: st.promptTokens! - prompt0,
        tokens,
        seconds: Number(seconds.toFixed(3)),
        tokens_per_s: Math.round(rate),
        speedup_vs_1: base ? Number((rate / base).toFixed(2)) : null,
        threads: int("threads"),
      };
      console.log(values.json ? JSON.stringify(line) : `${sequences} sequences: ${line.tokens_per_s} tokens/s (x${line.speedup_vs_1 ?? "?"})`);
    }
  } finally {
    if (dir) rmSync(dir, { recursive: true, force: true });
  }
  return 0;
}
