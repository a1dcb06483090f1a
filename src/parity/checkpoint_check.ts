/**
 * checkpoint.pt against weights.safetensors: the released-style torch.save file must read to exactly the same
 * tensors, and loading it as a user would (layout and sizes detected from keys, shapes and args) must build
 * the fixture's model with those weights.
 */
import { ConfigError } from "../errors/config_error.js";
import type { HostTensor } from "../io/host_tensor.js";
import { loadClipCheckpoint, type LoadedClip } from "../models/clip/checkpoint.js";
import { readCheckpointWeights } from "../models/clip/checkpoint_read.js";
import type { ClipConfig } from "../models/clip/config.js";
import type { ClipOverrides } from "../models/clip/detect.js";
import { failure, type ParityResult } from "./result.js";

const message = (err: unknown): string => (err instanceof Error ? err.message : String(err));

/** Largest |a - b| over two host tensors of one dtype and shape (Infinity when they differ in either). */
function hostMaxDiff(a: HostTensor, b: HostTensor): number {
  if (a.dtype !== b.dtype || a.shape.length !== b.shape.length || a.shape.some((s, i) => s !== b.shape[i])) return Infinity;
  if (a.dtype !== "f32") return Buffer.compare(Buffer.from(a.data), Buffer.from(b.data)) === 0 ? 0 : Infinity;
  const x = new Float32Array(a.data.slice().buffer);
  const y = new Float32Array(b.data.slice().buffer);
  let m = 0;
  for (let i = 0; i < x.length; i++) {
    const d = Math.abs(x[i]! - y[i]!);
    if (!(d <= m)) m = Number.isNaN(d) ? Infinity : d;
  }
  return m;
}

function compareMaps(got: ReadonlyMap<string, HostTensor>, want: ReadonlyMap<string, HostTensor>): { n: number; max: number; bad: string[] } {
  const bad: string[] = [];
  let max = 0;
  let n = 0;
  for (const [k, w] of want) {
    const g = got.get(k);
    if (g === undefined) {
      bad.push(`${k} (missing)`);
      continue;
    }
    const d = hostMaxDiff(g, w);
    n += w.data.byteLength / 4;
    max = Math.max(max, d);
    if (d !== 0) bad.push(k);
  }
  for (const k of got.keys()) if (!want.has(k)) bad.push(`${k} (unexpected)`);
  return { n, max, bad };
}

const STRUCTURAL: [string, (c: ClipConfig) => unknown][] = [
  ["layout", (c) => c.layout], ["embedDim", (c) => c.embedDim],
  ...(["imageSize", "patchSize", "width", "layers", "heads", "mlpRatio", "qkNorm", "lnPre", "patchBias"] as const)
    .map((k): [string, (c: ClipConfig) => unknown] => [`vision.${k}`, (c) => c.vision[k]]),
  ...(["contextLength", "vocabSize", "width", "layers", "heads", "mlpRatio"] as const)
    .map((k): [string, (c: ClipConfig) => unknown] => [`text.${k}`, (c) => c.text[k]]),
];
const BEHAVIOUR: [string, (c: ClipConfig) => unknown][] = [
  ["vision.lnEps", (c) => c.vision.lnEps], ["vision.activation", (c) => c.vision.activation],
  ["vision.qkNormEps", (c) => (c.vision.qkNorm ? c.vision.qkNormEps : undefined)],
  ["text.lnEps", (c) => c.text.lnEps], ["text.activation", (c) => c.text.activation],
];

/** Loads as a user would; heads that cannot be inferred are given from config.json, as a user would pass them. */
async function loadAsUser(path: string, config: ClipConfig): Promise<{ loaded: LoadedClip; given: string[] }> {
  const overrides: ClipOverrides = {};
  const given: string[] = [];
  for (;;) {
    try {
      return { loaded: await loadClipCheckpoint(path, { overrides: given.length > 0 ? overrides : undefined }), given };
    } catch (err) {
      const key = err instanceof ConfigError ? err.key : undefined;
      if (key === "vision.heads" && overrides.vision === undefined) overrides.vision = { heads: config.vision.heads };
      else if (key === "text.heads" && overrides.text === undefined) overrides.text = { heads: config.text.heads };
      else throw err;
      given.push(key);
    }
  }
}

export async function checkCheckpoint(dir: string, family: string, path: string, weights: ReadonlyMap<string, HostTensor>, config: ClipConfig): Promise<ParityResult[]> {
  const out: ParityResult[] = [];
  try {
    const ck = await readCheckpointWeights(path);
    const c = compareMaps(ck.tensors, weights);
    out.push({ dir, family, quantity: "checkpoint_weights", n: c.n, maxAbsErr: c.max, maxRelErr: 0, atol: 0, rtol: 0, ok: c.bad.length === 0,
      detail: c.bad.length > 0 ? `differ: ${c.bad.slice(0, 10).join(", ")}` : ck.notes.join("; ") });
  } catch (err) {
    return [failure(dir, family, "checkpoint_weights", message(err))];
  }
  try {
    const { loaded, given } = await loadAsUser(path, config);
    try {
      const c = compareMaps(loaded.model.hostStateDict(), weights);
      const wrong = STRUCTURAL.filter(([, f]) => f(loaded.config) !== f(config)).map(([k, f]) => `${k} ${String(f(loaded.config))} != ${String(f(config))}`);
      const differ = BEHAVIOUR.filter(([, f]) => f(loaded.config) !== f(config)).map(([k, f]) => `${k} ${String(f(loaded.config))} (fixture ${String(f(config))}; not stored in checkpoints)`);
      const detail = [...wrong.map((w) => `detected ${w}`), ...c.bad.slice(0, 10).map((k) => `weight ${k} differs`), ...differ,
        given.length > 0 ? `${given.join(", ")} given from config.json (not inferable: width not a multiple of 64, no known model named)` : "heads detected"].join("; ");
      out.push({ dir, family, quantity: "checkpoint_load", n: c.n, maxAbsErr: c.max, maxRelErr: 0, atol: 0, rtol: 0, ok: c.bad.length === 0 && wrong.length === 0, detail });
    } finally {
      loaded.model.dispose();
    }
  } catch (err) {
    out.push(failure(dir, family, "checkpoint_load", message(err)));
  }
  return out;
}
