/**
 * Per-channel mean/std normalisation, and the lookup tables that apply it. The tables hold, for every uint8 value,
 * exactly what torchvision's ToTensor + Normalize compute in float32 ((v / 255 - mean) / std, each step rounded to
 * float32), so our tensors equal PyTorch's bit for bit once the uint8 pixels agree.
 */
import { ConfigError } from "../errors/config_error.js";

export type Triple = readonly [number, number, number];

export interface Normalisation {
  mean: Triple;
  std: Triple;
}

export type NormalisationName = "imagenet" | "openai";

export const NORMALISATIONS: Readonly<Record<NormalisationName, Normalisation>> = {
  // ImageNet statistics: what the LaCLIP (SLIP-derived) layout was trained with.
  imagenet: { mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] },
  // OpenAI CLIP's statistics: what open_clip checkpoints expect.
  openai: { mean: [0.48145466, 0.4578275, 0.40821073], std: [0.26862954, 0.26130258, 0.27577711] },
};

export function resolveNormalisation(n: NormalisationName | Normalisation, key = "normalize"): Normalisation {
  if (typeof n === "string") {
    const found = NORMALISATIONS[n as NormalisationName];
    if (!found) throw new ConfigError(`unknown normalisation '${n}'; use one of ${Object.keys(NORMALISATIONS).join(", ")} or {mean, std}`, key);
    return found;
  }
  for (const field of ["mean", "std"] as const) {
    const v = n?.[field];
    if (!Array.isArray(v) || v.length !== 3 || !v.every((x) => Number.isFinite(x))) {
      throw new ConfigError(`normalisation ${field} must be three finite numbers (R, G, B)`, `${key}.${field}`);
    }
  }
  if (!n.std.every((s) => s > 0)) throw new ConfigError("normalisation std must be positive", `${key}.std`);
  return n;
}

/** (3, 256) float32: table[c * 256 + v] is channel c's normalised value for uint8 v. */
export function normalisationTable(n: Normalisation): Float32Array {
  const f = Math.fround;
  const table = new Float32Array(3 * 256);
  for (let c = 0; c < 3; c++) {
    const mean = f(n.mean[c]!);
    const std = f(n.std[c]!);
    for (let v = 0; v < 256; v++) table[c * 256 + v] = f(f(f(v / 255) - mean) / std);
  }
  return table;
}
