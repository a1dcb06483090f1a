/**
 * The tokenizer every command uses unless told otherwise: OpenAI CLIP's merges, shipped in the package
 * (data/tokenizer/, MIT, source and licence in its README). `--merges FILE` wins, then `LACLIP_BPE`.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { FormatError } from "../errors/format_error.js";
import { projectRoot } from "../util/project_root.js";
import { ClipTokenizer, type TokenizerOptions } from "./clip_tokenizer.js";
import { readMergesFile, type MergeList, type ReadMergesOptions } from "./merges_file.js";

/** Where the shipped `bpe_simple_vocab_16e6.txt.gz` is. */
export function builtinMergesPath(): string {
  return join(projectRoot(), "data", "tokenizer", "bpe_simple_vocab_16e6.txt.gz");
}

export interface MergesChoice {
  path: string;
  /** Which rule chose it: the option, LACLIP_BPE, or the shipped OpenAI vocabulary. */
  source: "option" | "env" | "builtin";
}

/** `given` (a --merges value), else $LACLIP_BPE when set and non-empty, else the shipped OpenAI merges. */
export function chooseMerges(given?: string): MergesChoice {
  if (given !== undefined && given !== "") return { path: given, source: "option" };
  const env = process.env.LACLIP_BPE;
  if (env !== undefined && env !== "") return { path: env, source: "env" };
  const path = builtinMergesPath();
  if (!existsSync(path)) {
    throw new FormatError(
      "the CLIP vocabulary that ships with laclip is missing (a partial install?); pass --merges FILE or set LACLIP_BPE",
      { file: path },
    );
  }
  return { path, source: "builtin" };
}

/** The merge list `chooseMerges(given)` names. */
export function readDefaultMerges(given?: string, options: ReadMergesOptions = {}): MergeList {
  return readMergesFile(chooseMerges(given).path, options);
}

/** A tokenizer of the merges `chooseMerges(given)` names. */
export function openTokenizerFile(given?: string, options: TokenizerOptions = {}): ClipTokenizer {
  return ClipTokenizer.fromFile(chooseMerges(given).path, options);
}
