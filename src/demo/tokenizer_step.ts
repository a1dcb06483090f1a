/**
 * Step 3 of the demo: the tokenizer. Users may not have OpenAI's merges file, so by default the demo learns a
 * small CLIP-format BPE from its own training texts (the captions and their rewrites; never the evaluation's
 * class names or templates, which the byte-level fallback still encodes). `--merges FILE` uses a given file
 * instead (OpenAI's `bpe_simple_vocab_16e6.txt.gz`: a 49408-token vocabulary, a bigger embedding table).
 * The learned file is cached under a fingerprint of the texts and the merge budget.
 */
import { existsSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { ClipTokenizer, trainBpeFromCounts, WordCounter, writeMergesFile } from "../tokenizer/index.js";
import { fingerprint } from "./fingerprint.js";

export interface DemoTokenizer {
  tokenizer: ClipTokenizer;
  mergesFile: string;
  /** Learned here (false: the file given with --merges). */
  trained: boolean;
  vocabSize: number;
  /** Training texts longer than the context (they keep their first tokens and end in EOT). */
  truncated: number;
}

function countTruncated(tokenizer: ClipTokenizer, texts: readonly string[], contextLength: number): number {
  let n = 0;
  for (const t of new Set(texts)) if (tokenizer.tokenize(t).length > contextLength - 2) n++;
  return n;
}

export async function demoTokenizer(o: { workDir: string; texts: readonly string[]; merges?: string; numMerges: number; contextLength: number; log: (line: string) => void }): Promise<DemoTokenizer> {
  if (o.merges !== undefined) {
    const tokenizer = ClipTokenizer.fromFile(o.merges, { contextLength: o.contextLength });
    const truncated = countTruncated(tokenizer, o.texts, o.contextLength);
    o.log(`tokenizer: ${o.merges} (${tokenizer.vocabSize} tokens); ${truncated} distinct training texts cut to ${o.contextLength} tokens`);
    return { tokenizer, mergesFile: o.merges, trained: false, vocabSize: tokenizer.vocabSize, truncated };
  }
  const dir = join(o.workDir, "tokenizer");
  const file = join(dir, `merges-${fingerprint({ texts: o.texts, numMerges: o.numMerges, minFrequency: 2 })}.txt`);
  if (!existsSync(file)) {
    const words = new WordCounter();
    for (const t of o.texts) words.add(t);
    const learned = trainBpeFromCounts(words.counts, { numMerges: o.numMerges, minFrequency: 2 });
    await mkdir(dir, { recursive: true });
    writeMergesFile(file, learned); // written under a temporary name, then renamed
  }
  const tokenizer = ClipTokenizer.fromFile(file, { contextLength: o.contextLength });
  const truncated = countTruncated(tokenizer, o.texts, o.contextLength);
  o.log(`tokenizer: ${tokenizer.vocabSize} tokens learned from ${o.texts.length} training texts -> ${file}; ${truncated} distinct texts cut to ${o.contextLength} tokens`);
  return { tokenizer, mergesFile: file, trained: true, vocabSize: tokenizer.vocabSize, truncated };
}
