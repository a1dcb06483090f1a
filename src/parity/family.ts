/**
 * Checks one fixture family directory (`config.json`, `weights.safetensors`, `checkpoint.pt`, `io.safetensors`)
 * against the project's model: weights fit the config; forward outputs, both losses and the gradient of every
 * parameter match; the torch checkpoint reads to the same weights and its layout and sizes are detected.
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { fromHost, tidy, type Device, type Tensor } from "../engine/index.js";
import type { HostTensor } from "../io/host_tensor.js";
import { readSafetensors } from "../io/safetensors/reader.js";
import { checkWeightsFit } from "../models/clip/checkpoint.js";
import { detectLayout } from "../models/clip/detect.js";
import { CLIP } from "../models/clip/model.js";
import type { ClipTokenizer } from "../tokenizer/index.js";
import { checkCheckpoint } from "./checkpoint_check.js";
import { compareTensors } from "./compare.js";
import { parseFixtureConfig, type FixtureConfig } from "./fixture_config.js";
import { failure, TOLERANCE, type ParityResult, type Tolerance } from "./result.js";
import { checkConfigTexts } from "./tokenizer_cases.js";

const message = (err: unknown): string => (err instanceof Error ? err.message : String(err));

async function readTensors(path: string): Promise<Map<string, HostTensor>> {
  return (await readSafetensors(path)).tensors;
}

export interface FamilyOptions {
  /** Where the forward, losses and gradients run (default cpu); the comparison reads them back to the host. */
  device?: Device;
  /** Only the numbers (embeddings, logit scale, losses, gradients): no checkpoint.pt needed. */
  numbersOnly?: boolean;
}

export async function checkFamily(dir: string, family: string, tokenizer: ClipTokenizer | undefined, o: FamilyOptions = {}): Promise<ParityResult[]> {
  const root = join(dir, family);
  const out: ParityResult[] = [];
  let weights: Map<string, HostTensor>;
  let fixture: FixtureConfig;
  try {
    weights = await readTensors(join(root, "weights.safetensors"));
    const raw = JSON.parse(await readFile(join(root, "config.json"), "utf8")) as unknown;
    fixture = parseFixtureConfig(raw, detectLayout(weights.keys()), join(root, "config.json"));
  } catch (err) {
    return [failure(dir, family, "config", message(err))];
  }
  const config = fixture.config;
  out.push({ dir, family, quantity: "config", n: 1, maxAbsErr: 0, maxRelErr: 0, atol: 0, rtol: 0, ok: true, detail: [`${config.layout} layout`, ...fixture.warnings].join("; ") });
  try {
    checkWeightsFit(weights, config, join(root, "weights.safetensors"));
    out.push({ dir, family, quantity: "state_dict_keys", n: weights.size, maxAbsErr: 0, maxRelErr: 0, atol: 0, rtol: 0, ok: true });
  } catch (err) {
    out.push(failure(dir, family, "state_dict_keys", message(err)));
    return out;
  }
  let io: Map<string, HostTensor>;
  try {
    io = await readTensors(join(root, "io.safetensors"));
  } catch (err) {
    out.push(failure(dir, family, "io", message(err)));
    return out;
  }
  const text = io.get("input.text");
  if (fixture.texts !== undefined && tokenizer !== undefined && text?.dtype === "i64") {
    const ids = new BigInt64Array(text.data.buffer, text.data.byteOffset, text.data.byteLength / 8);
    out.push(checkConfigTexts(dir, family, fixture.texts, ids, text.shape[1] ?? 0, tokenizer));
  }
  const device = o.device ?? "cpu";
  const model = new CLIP(config, { init: false, device });
  try {
    model.loadStateDict(weights);
    out.push(...tidy(() => checkNumbers(dir, family, model, io, device)));
  } catch (err) {
    out.push(failure(dir, family, "forward", message(err)));
  } finally {
    model.dispose();
  }
  if (!o.numbersOnly) out.push(...(await checkCheckpoint(dir, family, join(root, "checkpoint.pt"), weights, config)));
  return out;
}

function line(dir: string, family: string, quantity: string, got: Tensor, want: Tensor, tol: Tolerance, detail?: string): ParityResult {
  const c = compareTensors(got.reshape(-1).to("cpu"), want.reshape(-1), tol);
  return { dir, family, quantity, n: c.n, maxAbsErr: c.maxAbsErr, maxRelErr: c.maxRelErr, ...tol, ok: c.ok, detail };
}

/** Rows of unit length: the fixture stored normalised features. */
function isNormalised(t: Tensor): boolean {
  return t.norm(2, -1).sub(1).abs().max().item() < 1e-3;
}

function checkNumbers(dir: string, family: string, model: CLIP, io: Map<string, HostTensor>, device: Device): ParityResult[] {
  const need = (k: string): Tensor => {
    const h = io.get(k);
    if (h === undefined) throw new Error(`io.safetensors has no '${k}'`);
    return fromHost(h);
  };
  const input = (k: string): Tensor => (device === "cpu" ? need(k) : need(k).to(device));
  const out: ParityResult[] = [];
  const images = input("input.image");
  const texts = input("input.text");
  const multi = [...io.keys()]
    .filter((k) => /^input\.text_mt\.\d+$/.test(k))
    .sort((a, b) => Number(a.split(".").pop()) - Number(b.split(".").pop()))
    .map(input);
  const o = model.forward(images, texts, { loss: true, multiText: multi });
  for (const [q, raw, normed] of [
    ["image_embed", () => model.encodeImage(images), o.imageFeatures],
    ["text_embed", () => model.encodeText(texts), o.textFeatures],
  ] as const) {
    const want = need(`output.${q}`);
    const unit = isNormalised(want);
    const got = unit ? normed : raw();
    out.push(line(dir, family, q, got, want, TOLERANCE.output, unit ? "normalised features" : "features before normalisation"));
  }
  if (io.has("output.logit_scale")) out.push(line(dir, family, "logit_scale", o.logitScale, need("output.logit_scale"), TOLERANCE.output, "exp(logit_scale)"));
  out.push(line(dir, family, "loss", o.loss!, need("output.loss"), TOLERANCE.output, "symmetric CLIP loss"));
  if (multi.length > 0) {
    out.push(line(dir, family, "loss_multi_text", o.multiTextLoss!, need("output.loss_multi_text"), TOLERANCE.output, `mean over ${multi.length + 1} text batches`));
  } else if (io.has("output.loss_multi_text")) {
    out.push(failure(dir, family, "loss_multi_text", "output.loss_multi_text present but no input.text_mt.K inputs"));
  }
  o.loss!.backward();
  out.push(checkGrads(dir, family, model, io));
  return out;
}

/** The gradient of the CLIP loss (output.loss) for every parameter against `grad.<name>`. */
function checkGrads(dir: string, family: string, model: CLIP, io: Map<string, HostTensor>): ParityResult {
  const tol = TOLERANCE.grad;
  const params = model.namedParameters();
  const refKeys = [...io.keys()].filter((k) => k.startsWith("grad.")).map((k) => k.slice(5));
  const missing = [...params.keys()].filter((k) => !io.has(`grad.${k}`));
  const extra = refKeys.filter((k) => !params.has(k));
  if (missing.length > 0 || extra.length > 0) {
    return failure(dir, family, "grad", `gradients missing from io.safetensors: [${missing.join(", ")}]; for no parameter: [${extra.join(", ")}]`);
  }
  let n = 0;
  let maxAbsErr = 0;
  let maxRelErr = 0;
  let worst = -Infinity;
  let worstKey = "";
  const failed: string[] = [];
  for (const [k, p] of params) {
    const g = p.grad;
    const want = tidy(() => fromHost(io.get(`grad.${k}`)!));
    const c = g === undefined ? undefined : tidy(() => compareTensors(g.reshape(-1).to("cpu"), want.reshape(-1), tol));
    want.dispose();
    if (c === undefined) {
      failed.push(`${k} (no gradient)`);
      continue;
    }
    n += c.n;
    maxAbsErr = Math.max(maxAbsErr, c.maxAbsErr);
    maxRelErr = Math.max(maxRelErr, c.maxRelErr);
    if (c.worstExcess > worst) {
      worst = c.worstExcess;
      worstKey = k;
    }
    if (!c.ok) failed.push(k);
  }
  const detail = failed.length > 0 ? `out of tolerance: ${failed.join(", ")}` : `${params.size} parameters; closest to tolerance: ${worstKey}`;
  return { dir, family, quantity: "grad", n, maxAbsErr, maxRelErr, ...tol, ok: failed.length === 0, detail };
}
