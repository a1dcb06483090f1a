/**
 * The vocabulary that a merge list implies, laid out as OpenAI's CLIP tokenizer lays it out: the 256 byte symbols
 * in byte-alphabet order, the same 256 with `</w>`, one entry per merge (its two symbols joined), then
 * `<|startoftext|>` and `<|endoftext|>`. So SOT = size - 2 and EOT = size - 1 (49406 and 49407 for CLIP).
 */
import { BYTE_ORDER, BYTE_TO_CHAR, END_OF_WORD } from "./bytes_unicode.js";
import type { MergeList } from "./merges_file.js";
import { PairTable } from "./pair_table.js";

export const SOT_TOKEN = "<|startoftext|>";
export const EOT_TOKEN = "<|endoftext|>";

export class BpeVocab {
  /** id -> token string. */
  readonly tokens: string[];
  /** token string -> id; a string that occurs twice maps to its last id, as Python's dict(zip(vocab, ids)) does. */
  readonly ids: Map<string, number>;
  /** (left id, right id) -> merge rank; the lowest rank merges first. */
  readonly ranks: PairTable;
  /** merge rank -> id of the merged symbol. */
  readonly mergedId: Int32Array;
  readonly sot: number;
  readonly eot: number;

  constructor(list: MergeList) {
    const tokens: string[] = [];
    for (const b of BYTE_ORDER) tokens.push(BYTE_TO_CHAR[b]!);
    for (let i = 0; i < 256; i++) tokens.push(tokens[i]! + END_OF_WORD);
    for (const [a, b] of list.merges) tokens.push(a + b);
    tokens.push(SOT_TOKEN, EOT_TOKEN);
    this.tokens = tokens;
    this.ids = new Map();
    tokens.forEach((t, i) => this.ids.set(t, i));
    this.sot = tokens.length - 2;
    this.eot = tokens.length - 1;

    this.ranks = new PairTable(list.merges.length);
    this.mergedId = new Int32Array(list.merges.length);
    list.merges.forEach(([a, b], rank) => {
      const left = this.ids.get(a);
      const right = this.ids.get(b);
      this.mergedId[rank] = this.ids.get(a + b)!;
      // A merge whose halves are no vocabulary entry can never apply (no word ever holds such a symbol).
      if (left !== undefined && right !== undefined) this.ranks.set(left, right, rank);
    });
  }

  get size(): number {
    return this.tokens.length;
  }
}
