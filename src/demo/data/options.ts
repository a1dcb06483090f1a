/** Checks `DemoDataOptions` and fills in the defaults; every problem is a ConfigError naming the option. */
import { ConfigError } from "../../errors/config_error.js";
import { checkBackground, type Background } from "./background.js";
import type { DemoDataOptions } from "./types.js";

export interface DemoDataSettings {
  workDir: string;
  trainStyles: string[];
  evalStyles: string[];
  size: number;
  seed: number;
  maxEmoji?: number;
  background: Background;
  captionKeywords: boolean;
  includeSkinTones: boolean;
  keepDuplicateGlyphs: boolean;
  concurrency: number;
}

export function demoDataSettings(o: DemoDataOptions): DemoDataSettings {
  if (typeof o.workDir !== "string" || o.workDir === "") throw new ConfigError("workDir is required", "workDir");
  const trainStyles = styleList(o.trainStyles, "trainStyles");
  const evalStyles = styleList(o.evalStyles, "evalStyles");
  const both = trainStyles.filter((s) => evalStyles.includes(s));
  if (both.length) {
    throw new ConfigError(`${both.join(", ")} is both a training and an evaluation style; a held-out style must not be trained on`, "evalStyles");
  }
  const size = o.size ?? 32;
  int(size, 8, 1024, "size");
  const seed = o.seed ?? 0;
  int(seed, 0, 2 ** 32 - 1, "seed");
  if (o.maxEmoji !== undefined) int(o.maxEmoji, 1, Number.MAX_SAFE_INTEGER, "maxEmoji");
  const concurrency = o.concurrency ?? 4;
  int(concurrency, 1, 256, "concurrency");
  return {
    workDir: o.workDir,
    trainStyles,
    evalStyles,
    size,
    seed,
    ...(o.maxEmoji !== undefined ? { maxEmoji: o.maxEmoji } : {}),
    background: checkBackground(o.background ?? "white"),
    captionKeywords: o.captionKeywords ?? false,
    includeSkinTones: o.includeSkinTones ?? false,
    keepDuplicateGlyphs: o.keepDuplicateGlyphs ?? false,
    concurrency,
  };
}

function styleList(list: unknown, key: string): string[] {
  if (!Array.isArray(list) || list.length === 0 || list.some((s) => typeof s !== "string" || s.trim() === "")) {
    throw new ConfigError(`${key} must be a non-empty list of @iconify-json set names (e.g. twemoji,noto)`, key);
  }
  const names = list.map((s: string) => s.trim().replace(/^@iconify-json\//, ""));
  const dup = names.find((s, i) => names.indexOf(s) !== i);
  if (dup !== undefined) throw new ConfigError(`${key} names '${dup}' twice`, key);
  return names;
}

function int(v: number, lo: number, hi: number, key: string): void {
  if (!Number.isInteger(v) || v < lo || v > hi) throw new ConfigError(`${key} must be an integer in [${lo}, ${hi}], got ${v}`, key);
}
