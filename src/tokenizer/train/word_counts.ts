/**
 * The first pass of BPE training: how often each pre-token occurs in a corpus, after the same cleanup and
 * pre-tokenizer the CLIP tokenizer applies, so that trained merges fit what the tokenizer will see.
 */
import { prepareForTokens } from "../clean.js";
import { scanPretokens } from "../pretokenize.js";

export class WordCounter {
  readonly counts = new Map<string, number>();
  lines = 0;
  words = 0;

  add(line: string): void {
    this.lines++;
    const clean = prepareForTokens(line);
    scanPretokens(clean, (s, e) => {
      const word = clean.slice(s, e);
      this.counts.set(word, (this.counts.get(word) ?? 0) + 1);
      this.words++;
    });
  }

  async addAll(lines: Iterable<string> | AsyncIterable<string>): Promise<void> {
    for await (const line of lines) this.add(line);
  }
}
