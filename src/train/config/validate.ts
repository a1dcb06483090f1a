/**
 * Checks a merged config object against the schema: unknown keys (with the nearest known key suggested), types,
 * ranges, and the rules that tie keys together. Every problem is a `ConfigError` whose `key` is the dotted key
 * and whose message names where the value came from.
 */
import { ConfigError } from "../../errors/config_error.js";
import { FIELDS, FIELD_BY_KEY, type Field } from "./schema.js";
import type { TrainConfig } from "./types.js";

export function validateConfig(raw: unknown, origin = "config"): TrainConfig {
  if (!isObject(raw)) throw new ConfigError(`${origin}: the config must be a mapping of sections, got ${describe(raw)}`);
  for (const [section, body] of Object.entries(raw)) {
    if (!FIELDS.some((x) => x.key.startsWith(section + "."))) throw unknownKey(section, origin);
    if (!isObject(body)) throw new ConfigError(`${origin}: '${section}' must be a mapping, got ${describe(body)}`, section);
    for (const key of Object.keys(body)) if (!FIELD_BY_KEY.has(`${section}.${key}`)) throw unknownKey(`${section}.${key}`, origin);
  }
  for (const field of FIELDS) checkField(field, getPath(raw, field.key), origin);
  const cfg = raw as unknown as TrainConfig;
  crossChecks(cfg, origin);
  return cfg;
}

function checkField(field: Field, v: unknown, origin: string): void {
  const bad = (what: string) => new ConfigError(`${origin}: ${field.key} must be ${what}, got ${describe(v)}`, field.key);
  if (v === undefined) throw new ConfigError(`${origin}: ${field.key} is missing`, field.key);
  if (v === null) {
    if (field.nullable) return;
    throw bad(`set (${field.doc})`);
  }
  const t = field.type;
  switch (t.t) {
    case "string":
      if (typeof v !== "string") throw bad("a string");
      if (t.nonEmpty && v === "") throw bad("a non-empty string");
      return;
    case "bool":
      if (typeof v !== "boolean") throw bad("true or false");
      return;
    case "enum":
      if (typeof v !== "string" || !t.values.includes(v)) throw bad(`one of ${t.values.join(", ")}`);
      return;
    case "int":
      if (typeof v !== "number" || !Number.isSafeInteger(v)) throw bad("an integer");
      if (t.min !== undefined && v < t.min) throw bad(`at least ${t.min}`);
      return;
    case "number":
      if (typeof v !== "number" || !Number.isFinite(v)) throw bad("a finite number");
      if (t.min !== undefined && v < t.min) throw bad(`at least ${t.min}`);
      if (t.above !== undefined && !(v > t.above)) throw bad(`greater than ${t.above}`);
      return;
    case "strings":
      if (!Array.isArray(v) || !v.every((s) => typeof s === "string")) throw bad("a list of strings");
      return;
    case "pair":
      if (!Array.isArray(v) || v.length !== 2 || !v.every((x) => typeof x === "number" && Number.isFinite(x))) throw bad("a list of two numbers");
      if (t.above !== undefined && !v.every((x) => x > t.above!)) throw bad(`two numbers greater than ${t.above}`);
      return;
    case "weights":
      if (!isObject(v) || !Object.values(v).every((x) => typeof x === "number" && Number.isFinite(x) && x >= 0)) {
        throw bad("a mapping of source names to non-negative numbers");
      }
      return;
  }
}

function crossChecks(c: TrainConfig, origin: string): void {
  const fail = (key: string, msg: string) => new ConfigError(`${origin}: ${key} ${msg}`, key);
  if (c.data.train === "") throw fail("data.train", "is not set: give the CSV, JSONL or shard pattern to train on");
  if (c.data.format === "jsonl" && c.data.image_root === null) throw fail("data.image_root", "is required with format jsonl (ids are joined to it)");
  if (c.data.format === "csv" && c.data.rewrite_sources !== null && c.data.rewrite_sources.length !== c.data.rewrites.length) {
    throw fail("data.rewrite_sources", `names ${c.data.rewrite_sources.length} sources for ${c.data.rewrites.length} rewrite files`);
  }
  if (c.data.format !== "csv" && c.data.rewrites.length > 0) throw fail("data.rewrites", `is for format csv; ${c.data.format} data carries its rewrites itself`);
  const [s0, s1] = c.data.crop_scale;
  if (!(s0 <= s1 && s1 <= 1)) throw fail("data.crop_scale", `must be [min, max] with min <= max <= 1, got [${s0}, ${s1}]`);
  if (!(c.data.crop_ratio[0] <= c.data.crop_ratio[1])) throw fail("data.crop_ratio", "must be [min, max] with min <= max");
  if (!c.optim.betas.every((b) => b < 1)) throw fail("optim.betas", `must both be in (0, 1), got [${c.optim.betas.join(", ")}]`);
  // as long as the run (the default 1 epoch in a 1-epoch run): the trainer shortens it and says so (schedule.ts)
  if (c.optim.warmup_steps === null && c.optim.warmup_epochs > c.train.epochs) {
    throw fail("optim.warmup_epochs", `(${c.optim.warmup_epochs}) must be shorter than the run (train.epochs ${c.train.epochs})`);
  }
  const evalKeys = ["class_names", "templates", "images"] as const;
  const set = evalKeys.filter((k) => c.eval[k] !== null);
  if (set.length > 0 && set.length < 3) {
    const missing = evalKeys.filter((k) => c.eval[k] === null)[0]!;
    throw fail(`eval.${missing}`, `is needed too: zero-shot evaluation needs class_names, templates and images (or none of them)`);
  }
  const r = c.checkpoint.resume;
  if (r !== "auto" && r !== "never" && r.trim() === "") throw fail("checkpoint.resume", "must be auto, never or a checkpoint path");
}

export function getPath(obj: unknown, key: string): unknown {
  let v = obj;
  for (const part of key.split(".")) v = isObject(v) ? v[part] : undefined;
  return v;
}

export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function describe(v: unknown): string {
  if (v === undefined) return "nothing";
  const s = JSON.stringify(v);
  return s.length > 60 ? s.slice(0, 57) + "..." : s;
}

function unknownKey(key: string, origin: string): ConfigError {
  const known = [...new Set([...FIELDS.map((x) => x.key), ...FIELDS.map((x) => x.key.split(".")[0]!)])];
  const best = known.map((k) => [k, editDistance(k, key)] as const).sort((a, b) => a[1] - b[1])[0]!;
  const hint = best[1] <= Math.max(2, key.length / 3) ? `; did you mean '${best[0]}'?` : "";
  return new ConfigError(`${origin}: unknown key '${key}'${hint}`, key);
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[b.length]!;
}
