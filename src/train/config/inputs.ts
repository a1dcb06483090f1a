/**
 * Checks that the files and folders a config names are there and of the right kind, before anything is printed,
 * loaded or written: the training data, rewrite files, image root, init weights, resume checkpoint, the merges
 * file and the output folder. Each problem is one `ConfigError` naming the key, the path and what to do.
 */
import { statSync, type Stats } from "node:fs";
import { ConfigError } from "../../errors/config_error.js";
import { expandShards } from "../data/braces.js";
import type { TrainConfig } from "./types.js";
import { chooseMerges } from "../../tokenizer/default_merges.js";

function stat(path: string): Stats | undefined {
  try {
    return statSync(path);
  } catch {
    return undefined;
  }
}

function needFile(path: string, key: string, what: string): void {
  const s = stat(path);
  if (s === undefined) throw new ConfigError(`${key}: ${what} '${path}' does not exist; check the path`, key);
  if (s.isDirectory()) throw new ConfigError(`${key}: '${path}' is a directory; give the ${what} itself`, key);
}

function needDir(path: string, key: string, what: string): void {
  const s = stat(path);
  if (s === undefined) throw new ConfigError(`${key}: ${what} '${path}' does not exist; check the path`, key);
  if (!s.isDirectory()) throw new ConfigError(`${key}: '${path}' is a file, not a ${what}`, key);
}

/** Throws on the first input of `cfg` that is missing or of the wrong kind; `merges` is --merges if given. */
export function checkInputs(cfg: TrainConfig, merges: string | undefined): void {
  const bpe = chooseMerges(merges); // --merges, else LACLIP_BPE, else the shipped OpenAI vocabulary
  if (bpe.source !== "builtin") needFile(bpe.path, bpe.source === "option" ? "--merges" : "LACLIP_BPE", "merges file");
  const d = cfg.data;
  if (d.format === "wds") {
    for (const shard of expandShards(d.train)) needFile(shard, "data.train", "shard");
  } else {
    needFile(d.train, "data.train", `${d.format.toUpperCase()} file`);
  }
  d.rewrites.forEach((file, i) => needFile(file, `data.rewrites[${i}]`, "rewrite file"));
  if (d.image_root !== null) needDir(d.image_root, "data.image_root", "image folder");
  if (cfg.model.init !== null) {
    if (stat(cfg.model.init) === undefined) throw new ConfigError(`model.init: '${cfg.model.init}' does not exist; give a checkpoint file or folder`, "model.init");
  }
  const r = cfg.checkpoint.resume;
  if (r !== "auto" && r !== "never") needDir(r, "checkpoint.resume", "checkpoint folder");
  const out = stat(cfg.checkpoint.output_dir);
  if (out !== undefined && !out.isDirectory()) {
    throw new ConfigError(`checkpoint.output_dir: '${cfg.checkpoint.output_dir}' is an existing file; name a folder (new or a previous run's)`, "checkpoint.output_dir");
  }
}
