/**
 * CLIP's byte-level BPE tokenizer: cleanup (NFC, HTML unescaping twice, strip, lower case), the CLIP
 * pre-tokenizer, BPE per pre-token with a bounded per-word cache, then `SOT ids... EOT` padded with 0 to the
 * context length. Too-long texts keep their first (contextLength - 2) ids and still end in EOT, as OpenAI's
 * `tokenize(..., truncate=True)` does.
 *
 * Where it knowingly differs from OpenAI's simple_tokenizer: `<|startoftext|>`/`<|endoftext|>` inside a text are
 * encoded as ordinary text (OpenAI maps them to SOT/EOT; the parity reference does not); of ftfy only NFC is
 * applied (see clean.ts); a lone UTF-16 surrogate is encoded as the bytes of U+FFFD (Python would raise).
 * Ids are int32 in `encodeBatch` and int64 in `encodeBatchI64`; CLIP's vocabulary needs 16 bits.
 */
import { endianness } from "node:os";
import { ConfigError } from "../errors/config_error.js";
import type { HostTensor } from "../io/host_tensor.js";
import { applyMerges } from "./bpe.js";
import { BYTE_TO_ID } from "./bytes_unicode.js";
import { prepareForTokens } from "./clean.js";
import { TokenDecoder } from "./decoder.js";
import { readMergesFile, type MergeList, type ReadMergesOptions } from "./merges_file.js";
import { scanPretokens } from "./pretokenize.js";
import { BpeVocab } from "./vocab.js";
import { WordCache } from "./word_cache.js";

export interface TokenizerOptions extends ReadMergesOptions {
  /** Tokens per encoded sequence, SOT and EOT included. Default 77, CLIP's. */
  contextLength?: number;
  /** Pre-tokens kept per cache generation (up to twice this many in all). Default 100000. */
  cacheSize?: number;
}

/** A batch of token ids, row-major: row b is data[b*L .. (b+1)*L). */
export interface TokenBatch {
  data: Int32Array;
  /** [batch, contextLength] */
  shape: [number, number];
}

/** A cached pre-token: one id (most words) or several. */
type WordIds = number | number[];

export class ClipTokenizer {
  readonly vocab: BpeVocab;
  readonly contextLength: number;
  readonly padId = 0;
  readonly cache: WordCache<WordIds>;
  private readonly decoder: TokenDecoder;
  private readonly utf8 = new TextEncoder();
  private bytes = new Uint8Array(256);
  private symbols = new Int32Array(256);

  /** Loads a merges file (plain or gzip); see ReadMergesOptions for how many merges are used. */
  static fromFile(path: string, options: TokenizerOptions = {}): ClipTokenizer {
    return new ClipTokenizer(readMergesFile(path, options), options);
  }

  constructor(merges: MergeList, options: TokenizerOptions = {}) {
    this.vocab = new BpeVocab(merges);
    this.contextLength = checkContext(options.contextLength ?? 77);
    this.cache = new WordCache(options.cacheSize ?? 100_000);
    this.decoder = new TokenDecoder(this.vocab);
  }

  get vocabSize(): number {
    return this.vocab.size;
  }
  get sotId(): number {
    return this.vocab.sot;
  }
  get eotId(): number {
    return this.vocab.eot;
  }

  private bpe(word: string): WordIds {
    if (this.bytes.length < word.length * 3) this.bytes = new Uint8Array(word.length * 3);
    const n = this.utf8.encodeInto(word, this.bytes).written;
    if (this.symbols.length < n) this.symbols = new Int32Array(n);
    const sym = this.symbols;
    for (let k = 0; k < n; k++) sym[k] = BYTE_TO_ID[this.bytes[k]!]!;
    sym[n - 1] += 256; // the word's last byte carries </w>
    const len = applyMerges(sym, n, this.vocab.ranks, this.vocab.mergedId);
    return len === 1 ? sym[0]! : Array.from(sym.subarray(0, len));
  }

  private wordIds(word: string): WordIds {
    let ids = this.cache.get(word);
    if (ids === undefined) {
      ids = this.bpe(word);
      this.cache.set(word, ids);
    }
    return ids;
  }

  /** The BPE ids of a text, without SOT/EOT, padding or truncation. */
  tokenize(text: string): number[] {
    const clean = prepareForTokens(text);
    const out: number[] = [];
    scanPretokens(clean, (s, e) => {
      const ids = this.wordIds(clean.slice(s, e));
      if (typeof ids === "number") out.push(ids);
      else for (const id of ids) out.push(id);
    });
    return out;
  }

  /**
   * Writes `SOT ids... EOT 0...` for one text into out[offset .. offset+contextLength) and returns how many
   * tokens are not padding.
   */
  encodeInto(text: string, out: Int32Array, offset: number, contextLength = this.contextLength): number {
    const clean = prepareForTokens(text);
    const limit = offset + contextLength - 1; // the slot EOT may always take
    let pos = offset;
    out[pos++] = this.vocab.sot;
    scanPretokens(clean, (s, e) => {
      const ids = this.wordIds(clean.slice(s, e));
      if (typeof ids === "number") out[pos++] = ids;
      else for (let k = 0; k < ids.length && pos < limit; k++) out[pos++] = ids[k]!;
      return pos < limit;
    });
    if (pos > limit) pos = limit;
    out[pos++] = this.vocab.eot;
    out.fill(this.padId, pos, offset + contextLength);
    return pos - offset;
  }

  /** One text as a row of contextLength ids. */
  encode(text: string, contextLength = this.contextLength): Int32Array {
    const out = new Int32Array(checkContext(contextLength));
    this.encodeInto(text, out, 0, contextLength);
    return out;
  }

  /** Texts as a [B, contextLength] batch of int32 ids. */
  encodeBatch(texts: readonly string[], contextLength = this.contextLength): TokenBatch {
    checkContext(contextLength);
    const data = new Int32Array(texts.length * contextLength);
    for (let b = 0; b < texts.length; b++) this.encodeInto(texts[b]!, data, b * contextLength, contextLength);
    return { data, shape: [texts.length, contextLength] };
  }

  /** Texts as an int64 [B, contextLength] HostTensor, the dtype CLIP's text tower indexes its embedding with. */
  encodeBatchI64(texts: readonly string[], contextLength = this.contextLength): HostTensor {
    const { data, shape } = this.encodeBatch(texts, contextLength);
    const bytes = new Uint8Array(data.length * 8);
    if (endianness() === "LE") {
      const words = new Int32Array(bytes.buffer); // (B*L, 2): low word = id, high word = 0 (ids are >= 0)
      for (let i = 0; i < data.length; i++) words[2 * i] = data[i]!;
    } else {
      const view = new DataView(bytes.buffer);
      for (let i = 0; i < data.length; i++) view.setBigInt64(8 * i, BigInt(data[i]!), true);
    }
    return { dtype: "i64", shape, data: bytes };
  }

  /** Ids back to text (see TokenDecoder.decode: SOT skipped, stops at EOT, pre-tokens joined by spaces). */
  decode(ids: ArrayLike<number>): string {
    return this.decoder.decode(ids);
  }

  /** The vocabulary entry of an id, `</w>` included, e.g. 'dog</w>'. */
  idToToken(id: number): string | undefined {
    return this.vocab.tokens[id];
  }
}

function checkContext(n: number): number {
  if (!(Number.isInteger(n) && n >= 2)) {
    throw new ConfigError(`context length must be an integer >= 2 (room for SOT and EOT), got ${n}`, "contextLength");
  }
  return n;
}
