/** The CLIP BPE tokenizer: encoding and decoding, merges files, and training merges from captions. */
export { ClipTokenizer, type TokenBatch, type TokenizerOptions } from "./clip_tokenizer.js";
export { cleanText, prepareForTokens } from "./clean.js";
export { unescapeHtml } from "./html_unescape.js";
export { pretokenize, scanPretokens } from "./pretokenize.js";
export {
  DEFAULT_HEADER,
  OPENAI_CLIP_MERGES,
  formatMerges,
  parseMerges,
  readMergesFile,
  writeMergesFile,
  type MergeList,
  type ReadMergesOptions,
} from "./merges_file.js";
export { BpeVocab, EOT_TOKEN, SOT_TOKEN } from "./vocab.js";
export { trainBpe, trainBpeFromCounts, type TrainBpeOptions, type TrainResult, type TrainStats } from "./train/train_bpe.js";
export { WordCounter } from "./train/word_counts.js";
export { readLines } from "./train/read_lines.js";
export { builtinMergesPath, chooseMerges, openTokenizerFile, readDefaultMerges, type MergesChoice } from "./default_merges.js";
