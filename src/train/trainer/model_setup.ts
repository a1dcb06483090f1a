/**
 * The model and optimizer of a run, from the config: `model.name` is a preset of src/models/clip (`bench-s`,
 * `laclip-vit-b16`, ...; the short LaCLIP names `vit-s16`/`vit-b16`/`vit-l16` mean the `laclip-` presets) or
 * the path of a JSON/YAML file holding a CLIP config (`{layout, embedDim, vision: {...}, text: {...}}`).
 * AdamW gets two groups: weight decay on >= 2-D non-norm weights (schedule.ts's rule), none on the rest.
 * Also the tokenizer (a merges file) and `model.init` weights.
 */
import { readFileSync } from "node:fs";
import { extname } from "node:path";
import { parse as parseYaml } from "yaml";
import { Generator, manualSeed, type Device } from "../../engine/index.js";
import { ConfigError } from "../../errors/config_error.js";
import { CLIP, clipPreset, loadClipCheckpoint, presetNames, resolveClipConfig, type ClipConfig, type ClipConfigInput } from "../../models/clip/index.js";
import { ClipTokenizer } from "../../tokenizer/index.js";
import { AdamW } from "../../optim/index.js";
import type { TrainConfig } from "../config/index.js";
import { decayGroups } from "../schedule.js";
import { deriveSeed } from "../../util/rng.js";

const FILE_EXTENSIONS = [".json", ".yaml", ".yml"];

/** The CLIP config `model.name` stands for. */
export function modelConfigOf(name: string): ClipConfig {
  if (FILE_EXTENSIONS.includes(extname(name).toLowerCase())) {
    let text: string;
    try {
      text = readFileSync(name, "utf8");
    } catch (err) {
      throw new ConfigError(`model.name '${name}' looks like a model config file but cannot be read (${(err as NodeJS.ErrnoException).code ?? err})`, "model.name", { cause: err });
    }
    let parsed: unknown;
    try {
      parsed = extname(name).toLowerCase() === ".json" ? JSON.parse(text) : parseYaml(text);
    } catch (err) {
      throw new ConfigError(`model config file ${name} is not valid ${extname(name).slice(1).toUpperCase()}: ${(err as Error).message}`, "model.name", { cause: err });
    }
    return resolveClipConfig(parsed as ClipConfigInput);
  }
  const names = presetNames();
  if (names.includes(name)) return clipPreset(name);
  if (names.includes(`laclip-${name}`)) return clipPreset(`laclip-${name}`);
  throw new ConfigError(`model.name '${name}' is neither a preset (${names.join(", ")}) nor a .json/.yaml model config file`, "model.name");
}

/** A freshly initialised model; the same weights for the same seed on every rank and every run. */
export function buildModel(config: ClipConfig, seed: number, device: Device = "cpu"): CLIP {
  manualSeed(seed); // anything that draws from the global generator during the build is seeded too
  return new CLIP(config, { device, generator: new Generator(deriveSeed(seed, "model-init")) });
}

export function buildOptimizer(model: CLIP, cfg: TrainConfig): AdamW {
  const named = [...model.namedParameters()].map(([name, p]) => ({ name, shape: p.shape, p }));
  const { decay, noDecay } = decayGroups(named, cfg.optim.decay_rule);
  const groups = [
    { params: decay.map((x) => x.p), weightDecay: cfg.optim.weight_decay },
    { params: noDecay.map((x) => x.p), weightDecay: 0 },
  ].filter((g) => g.params.length > 0);
  return new AdamW(groups, { lr: cfg.optim.lr, betas: [...cfg.optim.betas], eps: cfg.optim.eps });
}

/** The tokenizer of merges file `path` (see chooseMerges: --merges, LACLIP_BPE, or the shipped OpenAI vocabulary). */
export function openTokenizer(path: string, contextLength: number, vocabSize: number): ClipTokenizer {
  const tok = ClipTokenizer.fromFile(path, { contextLength });
  if (tok.vocabSize > vocabSize) {
    throw new ConfigError(`the tokenizer of ${path} has ${tok.vocabSize} tokens but the model's text.vocabSize is ${vocabSize}; use a model with a vocabulary at least that large`, "model.name");
  }
  return tok;
}

/** model.init: weights from any checkpoint the project can read, into the run's (same-shaped) model. */
export async function initWeights(model: CLIP, path: string, log: (line: string) => void): Promise<void> {
  const loaded = await loadClipCheckpoint(path, { config: model.config });
  try {
    model.loadStateDict(loaded.model.stateDict());
  } finally {
    loaded.model.dispose();
  }
  log(`initialised the weights from ${path}`);
}
