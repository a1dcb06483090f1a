/**
 * Reads and validates a pools JSON file (the layout of LaCLIP's meta pairs file): top-level keys are sources whose
 * values are lists of string lists, plus optional `format`, `prompt_header`, `sampled_per_prompt` and
 * `group_sources`. A source is a group pool when `group_sources` names it or when any of its entries does not hold
 * exactly 2 strings (the paper's `mscoco` holds groups of 5); otherwise it is a pair pool.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { ConfigError } from "../../errors/config_error.js";
import { FormatError } from "../../errors/format_error.js";
import { findProjectRoot } from "../../util/project_root.js";
import type { Pool, PoolSet } from "./pool.js";

const META_KEYS = new Set(["format", "prompt_header", "sampled_per_prompt", "group_sources"]);

/** The project's own pools, shipped in `data/pools/` at the package root. */
export function defaultPoolsFile(): string {
  const root = findProjectRoot();
  if (root === undefined) throw new ConfigError("cannot find the package root (package.json) to locate data/pools/", "pairsFile");
  return join(root, "data", "pools", "laclip_own.json");
}

export function loadPools(file: string = defaultPoolsFile()): PoolSet {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    throw new ConfigError(`cannot read pools file ${file}: ${(err as Error).message}; pass an existing JSON file with --pairs`, "pairsFile", { cause: err });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new FormatError(`not valid JSON (${(err as Error).message})`, { file }, { cause: err });
  }
  if (typeof json !== "object" || json === null || Array.isArray(json)) {
    throw new FormatError("expected a JSON object mapping source names to example lists", { file });
  }
  const obj = json as Record<string, unknown>;
  const groupNames = parseGroupSources(file, obj.group_sources);
  const pools = new Map<string, Pool>();
  for (const [name, value] of Object.entries(obj)) {
    if (META_KEYS.has(name)) continue;
    const entries = parseEntries(file, name, value);
    const isGroup = groupNames.has(name) || entries.some((e) => e.length !== 2);
    if (isGroup) {
      entries.forEach((g, i) => {
        if (new Set(g).size < 2) throw new FormatError(`group ${i} needs at least 2 distinct captions`, { file, key: name });
      });
      pools.set(name, { kind: "groups", name, groups: entries });
    } else {
      pools.set(name, { kind: "pairs", name, pairs: entries as [string, string][] });
    }
  }
  for (const g of groupNames) if (!pools.has(g)) throw new FormatError(`group_sources names '${g}', which is not a source of the file`, { file, key: "group_sources" });
  if (pools.size === 0) throw new FormatError("no sources found (a source is a key whose value is a list of string lists)", { file });
  const set: PoolSet = { file, pools };
  if (obj.prompt_header !== undefined) {
    if (typeof obj.prompt_header !== "string") throw new FormatError("prompt_header must be a string", { file, key: "prompt_header" });
    set.header = obj.prompt_header;
  }
  if (obj.sampled_per_prompt !== undefined) {
    const k = obj.sampled_per_prompt;
    if (typeof k !== "number" || !Number.isInteger(k) || k < 0) throw new FormatError("sampled_per_prompt must be a non-negative integer", { file, key: "sampled_per_prompt" });
    set.examplesPerPrompt = k;
  }
  return set;
}

function parseGroupSources(file: string, value: unknown): Set<string> {
  if (value === undefined) return new Set();
  if (!Array.isArray(value) || !value.every((v) => typeof v === "string")) {
    throw new FormatError("group_sources must be a list of source names", { file, key: "group_sources" });
  }
  return new Set(value as string[]);
}

function parseEntries(file: string, name: string, value: unknown): string[][] {
  if (!Array.isArray(value)) throw new FormatError("a source must be a list of string lists", { file, key: name });
  return value.map((entry, i) => {
    if (!Array.isArray(entry) || entry.length < 2 || !entry.every((s) => typeof s === "string" && s.trim() !== "")) {
      throw new FormatError(`entry ${i} must be a list of at least 2 non-empty strings`, { file, key: name });
    }
    if (entry.some((s: string) => s.includes("\n"))) throw new FormatError(`entry ${i} contains a newline, which would break the one-line prompt format`, { file, key: name });
    return entry as string[];
  });
}

/** Picks the sources to rewrite with, in the order asked; every name must be a pool of the set. */
export function selectPools(set: PoolSet, names: readonly string[] | undefined, examplesPerPrompt: number): Pool[] {
  const chosen = names && names.length > 0 ? names : [...set.pools.keys()];
  const seen = new Set<string>();
  return chosen.map((name) => {
    const pool = set.pools.get(name);
    if (!pool) throw new ConfigError(`source '${name}' is not in ${set.file}; its sources are ${[...set.pools.keys()].join(", ")}`, "sources");
    if (seen.has(name)) throw new ConfigError(`source '${name}' is listed twice`, "sources");
    seen.add(name);
    const have = pool.kind === "pairs" ? pool.pairs.length : pool.groups.length;
    if (have < examplesPerPrompt) throw new ConfigError(`source '${name}' in ${set.file} holds ${have} entries, fewer than the ${examplesPerPrompt} examples each prompt needs`, "sources");
    return pool;
  });
}
