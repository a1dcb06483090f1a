/** Loads OpenAI's CLIP merges from the shared folder once per test file, or skips the test when it is absent. */
import type { TestContext } from "node:test";
import { ClipTokenizer } from "../../src/tokenizer/clip_tokenizer.js";
import { sharedPath } from "../helpers/shared.js";

let cached: ClipTokenizer | undefined;

export function openaiMergesPath(t: TestContext): string | undefined {
  return sharedPath(t, "reference", "bpe_simple_vocab_16e6.txt.gz");
}

export function openaiTokenizer(t: TestContext): ClipTokenizer | undefined {
  if (cached) return cached;
  const path = openaiMergesPath(t);
  if (path === undefined) return undefined;
  cached = ClipTokenizer.fromFile(path);
  return cached;
}
