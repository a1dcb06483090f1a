/**
 * `laclip bench tokenizer`: CLIP tokenizer throughput on one core (the Node main thread).
 *
 * What is measured: `encodeBatch` (cleanup, pre-tokenizer, BPE with its word cache, writing [B, context] int32
 * ids) over n captions in batches, wall and CPU time. Not measured: loading the merges file (reported on its own
 * line) and making the captions. Captions are variants of a base file (default: ../shared/reference/
 * laclip_source_sample.txt), each built from one base caption with seeded random edits: with probability
 * --novel one word is replaced by a fresh random lower-case pseudo-word (a sure cache miss), with probability 0.3
 * a word is capitalised, 0.3 a number is appended, 0.2 a word is dropped.
 * Two passes: "cold" starts from an empty cache; "steady" runs a second, freshly drawn set of n variants on the
 * now-warm cache, so the only misses are new pseudo-words and evicted entries.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { ConfigError } from "../../../errors/config_error.js";
import { ClipTokenizer } from "../../../tokenizer/clip_tokenizer.js";
import { deriveSeed, Rng } from "../../../util/rng.js";
import { sharedDir } from "../../../util/project_root.js";

export const summary = "CLIP tokenizer throughput: captions/s and tokens/s, cold cache and steady state";

function variants(base: string[], n: number, novel: number, rng: Rng): string[] {
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    const words = base[rng.int(base.length)]!.split(" ");
    if (rng.float() < novel) {
      let w = "";
      for (let k = 4 + rng.int(6); k > 0; k--) w += String.fromCharCode(0x61 + rng.int(26));
      words[rng.int(words.length)] = w;
    }
    if (rng.float() < 0.3) {
      const j = rng.int(words.length);
      words[j] = words[j]!.charAt(0).toUpperCase() + words[j]!.slice(1);
    }
    if (rng.float() < 0.3) words.push(String(rng.int(10000)));
    if (rng.float() < 0.2 && words.length > 1) words.splice(rng.int(words.length), 1);
    out.push(words.join(" "));
  }
  return out;
}

function pass(name: string, tok: ClipTokenizer, captions: string[], batch: number): Record<string, unknown> {
  const L = tok.contextLength;
  const hits0 = tok.cache.hits;
  const misses0 = tok.cache.misses;
  const rows: Int32Array[] = [];
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  for (let i = 0; i < captions.length; i += batch) rows.push(tok.encodeBatch(captions.slice(i, i + batch)).data);
  const wall = (performance.now() - t0) / 1000;
  const cpuUsed = process.cpuUsage(cpu0);
  let tokens = 0;
  let truncated = 0;
  for (const data of rows) {
    for (let r = 0; r < data.length; r += L) {
      const eot = data.indexOf(tok.eotId, r + 1);
      tokens += eot - r - 1; // BPE tokens, SOT/EOT/padding excluded
      if (eot === r + L - 1) truncated++;
    }
  }
  const hits = tok.cache.hits - hits0;
  const misses = tok.cache.misses - misses0;
  return {
    bench: "tokenizer",
    pass: name,
    captions: captions.length,
    tokens,
    truncated_or_full: truncated,
    wall_s: +wall.toFixed(4),
    cpu_s: +((cpuUsed.user + cpuUsed.system) / 1e6).toFixed(4),
    captions_per_s: Math.round(captions.length / wall),
    captions_per_min: Math.round((60 * captions.length) / wall),
    tokens_per_s: Math.round(tokens / wall),
    cache_hit_rate: +(hits / Math.max(1, hits + misses)).toFixed(4),
    cache_entries: tok.cache.size,
  };
}

export async function run(argv: string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        merges: { type: "string" },
        captions: { type: "string" },
        n: { type: "string", default: "200000" },
        batch: { type: "string", default: "1024" },
        novel: { type: "string", default: "0.25" },
        seed: { type: "string", default: "1" },
        json: { type: "boolean", default: true },
      },
    }));
  } catch (err) {
    throw new ConfigError(`${(err as Error).message}; usage: laclip bench tokenizer [--merges FILE] [--captions FILE] [--n 200000] [--batch 1024] [--novel 0.25] [--seed 1] [--json]`, "argv", { cause: err });
  }
  const n = Number(values.n);
  const batch = Number(values.batch);
  const novel = Number(values.novel);
  if (!(Number.isInteger(n) && n > 0)) throw new ConfigError(`--n must be a positive integer, got '${values.n}'`, "n");
  if (!(Number.isInteger(batch) && batch > 0)) throw new ConfigError(`--batch must be a positive integer, got '${values.batch}'`, "batch");
  if (!(novel >= 0 && novel <= 1)) throw new ConfigError(`--novel must be a probability in [0, 1], got '${values.novel}'`, "novel");
  const merges = values.merges ?? join(sharedDir(), "reference", "bpe_simple_vocab_16e6.txt.gz");
  const captionsFile = values.captions ?? join(sharedDir(), "reference", "laclip_source_sample.txt");
  if (!existsSync(captionsFile)) throw new ConfigError(`caption file not found: ${captionsFile}; pass --captions FILE`, "captions");
  const base = readFileSync(captionsFile, "utf8").split("\n").filter((l) => l.trim() !== "");
  if (base.length === 0) throw new ConfigError(`no captions in ${captionsFile}`, "captions");

  const seed = Number(values.seed);
  const cold = variants(base, n, novel, new Rng(deriveSeed(seed, "tokenizer-bench", "cold")));
  const steady = variants(base, n, novel, new Rng(deriveSeed(seed, "tokenizer-bench", "steady")));

  const t0 = performance.now();
  const tok = ClipTokenizer.fromFile(merges);
  const loadS = (performance.now() - t0) / 1000;
  console.log(JSON.stringify({ bench: "tokenizer", pass: "load", merges, vocab_size: tok.vocabSize, wall_s: +loadS.toFixed(4) }));
  console.log(JSON.stringify({ ...pass("cold", tok, cold, batch), base_captions: base.length, novel, batch }));
  console.log(JSON.stringify({ ...pass("steady", tok, steady, batch), base_captions: base.length, novel, batch }));
  return 0;
}
