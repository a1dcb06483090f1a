/**
 * The CLIP tokenizer as Hugging Face `tokenizers` describes it (`tokenizer.json`), plus the GPT-2-style
 * `vocab.json` / `merges.txt` pair the slow CLIPTokenizer reads. The pipeline is laclip's (src/tokenizer):
 * NFC, whitespace runs to one space, lower case; CLIP's pre-token pattern; byte-level symbols; BPE with `</w>`
 * on each word's last symbol; `<|startoftext|> ids <|endoftext|>`. Not expressible there: the HTML unescaping
 * laclip (and OpenAI) apply first, so a text holding `&amp;` may tokenize differently (docs/export.md).
 */
import { BpeVocab, EOT_TOKEN, SOT_TOKEN, type MergeList } from "../../tokenizer/index.js";

/** CLIP's pre-token pattern (the special tokens are matched as added tokens before it runs). */
const CLIP_SPLIT = "'s|'t|'re|'ve|'m|'ll|'d|[\\p{L}]+|[\\p{N}]|[^\\s\\p{L}\\p{N}]+";

/** token -> id; a token string that occurs twice keeps its last id, as the Python tokenizer's dict does. */
export function vocabObject(vocab: BpeVocab): Record<string, number> {
  const out: Record<string, number> = {};
  vocab.tokens.forEach((t, i) => {
    out[t] = i;
  });
  return out;
}

/** `merges.txt`: the header transformers expects, then one `left right` merge per line in rank order. */
export function mergesText(list: MergeList): string {
  return ["#version: 0.2", ...list.merges.map(([a, b]) => `${a} ${b}`)].join("\n") + "\n";
}

const special = (id: number, content: string) => ({
  id, content, single_word: false, lstrip: false, rstrip: false, normalized: true, special: true,
});

/** The `tokenizer.json` object for a merge list (its ids are BpeVocab's: bytes, bytes + </w>, merges, SOT, EOT). */
export function tokenizerJson(list: MergeList): object {
  const vocab = new BpeVocab(list);
  return {
    version: "1.0",
    truncation: null,
    padding: null,
    added_tokens: [special(vocab.sot, SOT_TOKEN), special(vocab.eot, EOT_TOKEN)],
    normalizer: {
      type: "Sequence",
      normalizers: [{ type: "NFC" }, { type: "Replace", pattern: { Regex: "\\s+" }, content: " " }, { type: "Lowercase" }],
    },
    pre_tokenizer: {
      type: "Sequence",
      pretokenizers: [
        { type: "Split", pattern: { Regex: CLIP_SPLIT }, behavior: "Removed", invert: true },
        // The split above already made CLIP's pre-tokens; no second (GPT-2) split.
        { type: "ByteLevel", add_prefix_space: false, trim_offsets: true, use_regex: false },
      ],
    },
    post_processor: {
      type: "RobertaProcessing",
      sep: [EOT_TOKEN, vocab.eot],
      cls: [SOT_TOKEN, vocab.sot],
      trim_offsets: false,
      add_prefix_space: false,
    },
    decoder: { type: "ByteLevel", add_prefix_space: true, trim_offsets: true, use_regex: true },
    model: {
      type: "BPE",
      dropout: null,
      unk_token: EOT_TOKEN,
      continuing_subword_prefix: "",
      end_of_word_suffix: "</w>",
      fuse_unk: false,
      byte_fallback: false,
      vocab: vocabObject(vocab),
      merges: list.merges.map(([a, b]) => `${a} ${b}`),
    },
  };
}
