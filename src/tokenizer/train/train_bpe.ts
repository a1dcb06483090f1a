/**
 * BPE training in CLIP's format. Words are the pre-tokens of the corpus (counted once each, see WordCounter),
 * spelled in byte symbols with `</w>` on the last one. Each step merges the most frequent adjacent pair over all
 * words, weighted by word count; ties go to the pair whose left symbol is older, then whose right symbol is
 * older (bytes are oldest, in vocabulary order; merged symbols date from the step that made them). The result
 * therefore depends only on the word counts, never on the order of the corpus lines.
 *
 * Pair counts are updated incrementally: a merge only revisits the words that hold its pair, found through a
 * per-pair list of word indices, and a lazy max-heap yields the next pair.
 */
import { ConfigError } from "../../errors/config_error.js";
import { BYTE_TO_ID } from "../bytes_unicode.js";
import { DEFAULT_HEADER, type MergeList } from "../merges_file.js";
import { BpeVocab } from "../vocab.js";
import { PairHeap } from "./pair_heap.js";
import { WordCounter } from "./word_counts.js";

export interface TrainBpeOptions {
  /** Merges to learn. Give this or vocabSize. */
  numMerges?: number;
  /** Vocabulary size to reach: 512 byte symbols + merges + 2 specials (CLIP's is 49408). */
  vocabSize?: number;
  /** Stop when the best pair occurs fewer times than this. Default 2. */
  minFrequency?: number;
}

export interface TrainStats {
  /** Corpus lines and pre-tokens read (only when training from lines). */
  lines?: number;
  words?: number;
  uniqueWords: number;
  merges: number;
  /** Why training ended: the merge budget was reached, or no pair was frequent enough. */
  stoppedBy: "numMerges" | "minFrequency";
}

export interface TrainResult extends MergeList {
  stats: TrainStats;
}

const SHIFT = 2 ** 20; // pair key = left * SHIFT + right; symbol ids stay below 2^20
const pairKey = (a: number, b: number): number => a * SHIFT + b;

function mergeBudget(options: TrainBpeOptions): number {
  const { numMerges, vocabSize } = options;
  if ((numMerges === undefined) === (vocabSize === undefined)) {
    throw new ConfigError("give exactly one of numMerges and vocabSize", "numMerges");
  }
  const n = numMerges ?? vocabSize! - 514;
  if (!(Number.isInteger(n) && n >= 0 && n < SHIFT - 1024)) {
    const key = numMerges === undefined ? "vocabSize" : "numMerges";
    throw new ConfigError(`${key} gives ${n} merges; it must give an integer from 0 to ${SHIFT - 1024}`, key);
  }
  return n;
}

/** Learns merges from word counts (pre-token -> occurrences). */
export function trainBpeFromCounts(counts: ReadonlyMap<string, number>, options: TrainBpeOptions): TrainResult {
  const budget = mergeBudget(options);
  const minFrequency = options.minFrequency ?? 2;
  const base = new BpeVocab({ header: DEFAULT_HEADER, merges: [] });
  const symbols = base.tokens.slice(0, 512); // symbol id -> string; grows with each new merged symbol
  const symbolId = new Map(symbols.map((s, i) => [s, i]));

  const words: Int32Array[] = [];
  const freq: number[] = [];
  const utf8 = new TextEncoder();
  for (const [word, f] of counts) {
    const bytes = utf8.encode(word);
    if (bytes.length === 0) continue;
    const sym = Int32Array.from(bytes, (b) => BYTE_TO_ID[b]!);
    sym[sym.length - 1] += 256;
    words.push(sym);
    freq.push(f);
  }

  const pairCount = new Map<number, number>();
  const where = new Map<number, number[]>();
  const note = (key: number, w: number): void => {
    const list = where.get(key);
    if (list === undefined) where.set(key, [w]);
    else if (list[list.length - 1] !== w) list.push(w);
  };
  words.forEach((sym, w) => {
    for (let k = 0; k + 1 < sym.length; k++) {
      const key = pairKey(sym[k]!, sym[k + 1]!);
      pairCount.set(key, (pairCount.get(key) ?? 0) + freq[w]!);
      note(key, w);
    }
  });
  const heap = new PairHeap();
  for (const [key, c] of pairCount) heap.push(c, key);

  const merges: Array<[string, string]> = [];
  const visited = new Int32Array(words.length).fill(-1);
  let stoppedBy: TrainStats["stoppedBy"] = "numMerges";
  while (merges.length < budget) {
    while (heap.size > 0 && pairCount.get(heap.topKey()) !== heap.topCount()) heap.pop(); // drop stale entries
    if (heap.size === 0 || heap.topCount() < minFrequency) {
      stoppedBy = "minFrequency";
      break;
    }
    const key = heap.topKey();
    heap.pop();
    const a = Math.floor(key / SHIFT);
    const b = key - a * SHIFT;
    const merged = symbols[a]! + symbols[b]!;
    let c = symbolId.get(merged);
    if (c === undefined) {
      c = symbols.length;
      symbols.push(merged);
      symbolId.set(merged, c);
    }
    const step = merges.length;
    merges.push([symbols[a]!, symbols[b]!]);

    const delta = new Map<number, number>();
    const add = (k: number, d: number): void => void delta.set(k, (delta.get(k) ?? 0) + d);
    for (const w of where.get(key) ?? []) {
      if (visited[w] === step) continue;
      visited[w] = step;
      const sym = words[w]!;
      const f = freq[w]!;
      const out = new Int32Array(sym.length);
      let n = 0;
      for (let i = 0; i < sym.length; ) {
        if (i + 1 < sym.length && sym[i] === a && sym[i + 1] === b) {
          out[n++] = c;
          i += 2;
        } else out[n++] = sym[i++]!;
      }
      if (n === sym.length) continue; // a stale entry: this word no longer holds the pair
      for (let k = 0; k + 1 < sym.length; k++) add(pairKey(sym[k]!, sym[k + 1]!), -f);
      const next = out.slice(0, n);
      for (let k = 0; k + 1 < n; k++) {
        const pk = pairKey(next[k]!, next[k + 1]!);
        add(pk, f);
        if (next[k] === c || next[k + 1] === c) note(pk, w);
      }
      words[w] = next;
    }
    for (const [k, d] of delta) {
      if (d === 0) continue;
      const total = (pairCount.get(k) ?? 0) + d;
      if (total > 0) {
        pairCount.set(k, total);
        heap.push(total, k);
      } else {
        pairCount.delete(k);
        where.delete(k);
      }
    }
  }
  return { header: DEFAULT_HEADER, merges, stats: { uniqueWords: words.length, merges: merges.length, stoppedBy } };
}

/** Counts the words of `lines` (captions), then learns merges from them. */
export async function trainBpe(
  lines: Iterable<string> | AsyncIterable<string>,
  options: TrainBpeOptions,
): Promise<TrainResult> {
  mergeBudget(options); // fail on bad options before reading a large corpus
  const counter = new WordCounter();
  await counter.addAll(lines);
  const result = trainBpeFromCounts(counter.counts, options);
  result.stats = { lines: counter.lines, words: counter.words, ...result.stats };
  return result;
}
