/** Checks a fully resolved ClipConfig; every failure names its field and what would be accepted. */
import { ConfigError } from "../../errors/config_error.js";
import type { ClipConfig } from "./config.js";

function int(v: unknown, key: string, min: number, max = 1 << 24): void {
  if (typeof v !== "number" || !Number.isInteger(v) || v < min || v > max) {
    throw new ConfigError(`${key} must be an integer in [${min}, ${max}], got ${JSON.stringify(v)}`, key);
  }
}

function positive(v: unknown, key: string, max = Infinity): void {
  if (typeof v !== "number" || !Number.isFinite(v) || v <= 0 || v > max) {
    throw new ConfigError(`${key} must be a positive number${max < Infinity ? ` <= ${max}` : ""}, got ${JSON.stringify(v)}`, key);
  }
}

function oneOf(v: unknown, key: string, allowed: readonly unknown[]): void {
  if (!allowed.includes(v)) throw new ConfigError(`${key} must be one of ${allowed.map((a) => JSON.stringify(a)).join(", ")}, got ${JSON.stringify(v)}`, key);
}

function bool(v: unknown, key: string): void {
  if (typeof v !== "boolean") throw new ConfigError(`${key} must be true or false, got ${JSON.stringify(v)}`, key);
}

function divisible(width: number, heads: number, key: string): void {
  if (width % heads !== 0) {
    throw new ConfigError(`${key}.width ${width} is not a multiple of ${key}.heads ${heads}; pick heads that divide the width`, `${key}.heads`);
  }
}

const KNOWN = {
  top: ["layout", "embedDim", "vision", "text", "imageMeanStd", "initLogitScale"],
  vision: ["imageSize", "patchSize", "width", "layers", "heads", "mlpRatio", "lnEps", "qkNorm", "qkNormEps", "lnPre", "patchBias", "activation", "pooling"],
  text: ["contextLength", "vocabSize", "width", "layers", "heads", "mlpRatio", "lnEps", "activation"],
};

function noUnknown(o: object, allowed: string[], where: string): void {
  for (const k of Object.keys(o)) {
    if (!allowed.includes(k)) throw new ConfigError(`unknown field '${where}${k}'; known: ${allowed.join(", ")}`, `${where}${k}`);
  }
}

export function validateClipConfig(c: ClipConfig): void {
  noUnknown(c, KNOWN.top, "");
  noUnknown(c.vision, KNOWN.vision, "vision.");
  noUnknown(c.text, KNOWN.text, "text.");
  oneOf(c.layout, "layout", ["laclip", "open_clip"]);
  int(c.embedDim, "embedDim", 1);
  oneOf(c.imageMeanStd, "imageMeanStd", ["imagenet", "openai"]);
  if (typeof c.initLogitScale !== "number" || !Number.isFinite(c.initLogitScale)) {
    throw new ConfigError(`initLogitScale must be a finite number, got ${JSON.stringify(c.initLogitScale)}`, "initLogitScale");
  }

  const v = c.vision;
  int(v.imageSize, "vision.imageSize", 1, 8192);
  int(v.patchSize, "vision.patchSize", 1, 8192);
  if (v.imageSize % v.patchSize !== 0) {
    throw new ConfigError(`vision.imageSize ${v.imageSize} is not a multiple of vision.patchSize ${v.patchSize}`, "vision.patchSize");
  }
  int(v.width, "vision.width", 1);
  int(v.layers, "vision.layers", 0, 4096);
  int(v.heads, "vision.heads", 1);
  divisible(v.width, v.heads, "vision");
  positive(v.mlpRatio, "vision.mlpRatio", 64);
  if (!Number.isInteger(v.mlpRatio * v.width)) throw new ConfigError("vision.mlpRatio * vision.width must be an integer", "vision.mlpRatio");
  positive(v.lnEps, "vision.lnEps", 1);
  bool(v.qkNorm, "vision.qkNorm");
  positive(v.qkNormEps, "vision.qkNormEps", 1);
  bool(v.lnPre, "vision.lnPre");
  bool(v.patchBias, "vision.patchBias");
  oneOf(v.activation, "vision.activation", ["gelu", "quick_gelu"]);
  oneOf(v.pooling, "vision.pooling", ["cls"]);
  if (c.layout === "open_clip" && v.qkNorm) {
    throw new ConfigError("the open_clip layout has no qk-norm parameters; set vision.qkNorm false or use the laclip layout", "vision.qkNorm");
  }

  const t = c.text;
  int(t.contextLength, "text.contextLength", 2, 1 << 16);
  int(t.vocabSize, "text.vocabSize", 2);
  int(t.width, "text.width", 1);
  int(t.layers, "text.layers", 0, 4096);
  int(t.heads, "text.heads", 1);
  divisible(t.width, t.heads, "text");
  positive(t.mlpRatio, "text.mlpRatio", 64);
  if (!Number.isInteger(t.mlpRatio * t.width)) throw new ConfigError("text.mlpRatio * text.width must be an integer", "text.mlpRatio");
  positive(t.lnEps, "text.lnEps", 1);
  oneOf(t.activation, "text.activation", ["gelu", "quick_gelu"]);
}
