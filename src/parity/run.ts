/**
 * The parity suite: every parity directory's tokenizer cases and fixture families, one ParityResult per
 * family and quantity. Directories come from the arguments, else LACLIP_PARITY_DIRS (colon-separated), else
 * `../shared/reference/parity` beside the project root.
 */
import { existsSync, readdirSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import type { Device } from "../engine/index.js";
import { ClipTokenizer, builtinMergesPath } from "../tokenizer/index.js";
import { checkFamily } from "./family.js";
import { failure, type ParityResult } from "./result.js";
import { checkTokenizerCases } from "./tokenizer_cases.js";
import { projectRoot } from "../util/project_root.js";

export function defaultParityDirs(env: NodeJS.ProcessEnv = process.env): string[] {
  const list = env.LACLIP_PARITY_DIRS;
  if (list !== undefined && list.trim() !== "") return list.split(":").filter((d) => d !== "").map((d) => resolve(d));
  return [join(projectRoot(), "..", "shared", "reference", "parity")];
}

export interface ParityOptions {
  /** BPE merges file; else $LACLIP_BPE; else `<dir>/../bpe_simple_vocab_16e6.txt.gz`; else the shipped one. */
  merges?: string;
  /** Called with each result as soon as it is known (the CLI prints it). */
  onResult?: (r: ParityResult) => void;
  /** Called with one line for each directory that does not exist (then skipped). */
  onMissing?: (dir: string) => void;
  /** Where the model's numbers are computed (default cpu). */
  device?: Device;
  /** Families: only embeddings, logit scale, losses and gradients (no checkpoint.pt reading). */
  numbersOnly?: boolean;
}

const isDir = (p: string): boolean => existsSync(p) && statSync(p).isDirectory();

function mergesFor(dir: string, o: ParityOptions): string | undefined {
  for (const p of [o.merges, process.env.LACLIP_BPE, join(dir, "..", "bpe_simple_vocab_16e6.txt.gz"), builtinMergesPath()]) {
    if (p !== undefined && p !== "" && existsSync(p)) return p;
  }
  return undefined;
}

/** Checks one directory; a directory that does not exist gives no results (and onMissing). */
export async function checkParityDir(dir: string, o: ParityOptions = {}): Promise<ParityResult[]> {
  const results: ParityResult[] = [];
  const emit = (r: ParityResult): void => {
    results.push(r);
    o.onResult?.(r);
  };
  if (!isDir(dir)) {
    o.onMissing?.(dir);
    return results;
  }
  const merges = mergesFor(dir, o);
  const tokenizer = merges === undefined ? undefined : ClipTokenizer.fromFile(merges);
  const cases = join(dir, "tokenizer_cases.jsonl");
  if (existsSync(cases)) {
    emit(tokenizer === undefined
      ? failure(dir, "tokenizer", "token_ids", "no BPE merges file: pass --merges FILE or set LACLIP_BPE")
      : await checkTokenizerCases(dir, cases, tokenizer));
  }
  const families = readdirSync(dir).filter((f) => existsSync(join(dir, f, "config.json"))).sort();
  if (families.length === 0 && !existsSync(cases)) emit(failure(dir, "-", "fixtures", "no tokenizer_cases.jsonl and no <family>/config.json here"));
  for (const family of families) for (const r of await checkFamily(dir, family, tokenizer, { device: o.device, numbersOnly: o.numbersOnly })) emit(r);
  return results;
}

export async function runParity(dirs: readonly string[] = defaultParityDirs(), o: ParityOptions = {}): Promise<ParityResult[]> {
  const all: ParityResult[] = [];
  for (const d of dirs) all.push(...(await checkParityDir(resolve(d), o)));
  return all;
}
