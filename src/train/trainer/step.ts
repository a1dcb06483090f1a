/**
 * One optimizer step: forward, loss, backward over the step's micro-batches, gradient all-reduce, optional
 * clipping, AdamW update at the scheduled learning rate, gradients cleared, logit scale clamped to [0, ln 100].
 *
 * Gradient accumulation. The CLIP loss is not a sum over samples: every sample's term depends on the whole
 * batch (its negatives), so summing the gradients of micro-batch losses is NOT the gradient of the big batch.
 * - `exact` (default): the step's loss is the CLIP loss over ALL the step's samples, as if it were one batch.
 *   The towers first run on every micro-batch without a graph; the loss and its gradient with respect to the
 *   features are computed over all of them; then each micro-batch runs again with a graph and back-propagates
 *   its slice of that feature gradient ("gradient caching"). Costs one extra forward pass per micro-batch;
 *   memory stays that of one micro-batch (plus the features). A micro-batches of B/A equal one batch of B.
 * - `local`: what LaCLIP/SLIP's `--update-freq` does: each micro-batch's own CLIP loss (its negatives are only
 *   the micro-batch, across ranks), divided by A, gradients summed. Cheaper, but a different objective from
 *   the big batch. (LaCLIP's recipe reaches 8192 with 32 GPUs and no accumulation.)
 * With one micro-batch both are the same single forward/backward.
 *
 * Host reads. `trainStep` reads the loss before the backward pass (a non-finite loss stops the step before any
 * update) and the logit scale after it. On a GPU each such read waits for the whole queue of kernels; with
 * `deferRead` the step reads nothing: `trainStepValues` leaves loss, logit scale and gradient norm in one small
 * device tensor, and `readStepValues` reads many steps' values at once (the trainer does so at log lines and
 * checkpoints), throwing NonFiniteLossError for the first non-finite loss among them.
 */
import { cat, full, keep, noGrad, stack, tidy, type Tensor } from "../../engine/index.js";
import type { CLIP } from "../../models/clip/index.js";
import { clipGradNorm, clipGradNormDeferred, type AdamW } from "../../optim/index.js";
import { LOGIT_SCALE_MAX } from "../schedule.js";
import { contrastiveLoss, textBatch, towerFeatures, type Features, type TowerOptions } from "./contrastive.js";
import type { TrainContext } from "./context.js";
import { NonFiniteLossError } from "./errors/non_finite_loss_error.js";
import { PhaseTimer } from "./profile.js";

export type Accumulation = "exact" | "local";

export interface StepSetup {
  model: CLIP;
  optimizer: AdamW;
  /** model.parameters(), in the optimizer's order. */
  params: readonly Tensor[];
  ctx: TrainContext;
  bf16: boolean;
  device: "cpu" | "cuda";
  /** Max global gradient norm, or null for no clipping. */
  gradClip: number | null;
  accumulation: Accumulation;
  timer: PhaseTimer;
  /** No host read inside the step (see the top of this file); the trainer turns it on for CUDA. Default false. */
  deferRead?: boolean;
}

export interface MicroBatch {
  /** (B, 3, S, S) f32. */
  images: Tensor;
  /** (B, L) i64, or (T, B, L) for laclip-mt. */
  texts: Tensor;
}

export interface StepResult {
  /** The step's loss (the mean over micro-batches for `local` accumulation). */
  loss: number;
  /** Global gradient norm before clipping (only when clipping). */
  gradNorm?: number;
  /** exp(logit_scale) after the clamp. */
  logitScale: number;
}

/** Where the step is, for the message of a non-finite loss. */
export interface StepWhere {
  step: number;
  epoch: number;
}

/** A step's scalars left on its device: (2,) f32 [loss, exp(logit scale)] or (3,) with the gradient norm. */
export interface StepValues {
  /** Owned by the caller (kept out of tidy scopes): dispose it, or pass it to readStepValues. */
  values: Tensor;
  where: StepWhere;
}

export async function trainStep(s: StepSetup, micro: readonly MicroBatch[], lr: number, where: StepWhere): Promise<StepResult> {
  return readStepValues([await trainStepValues(s, micro, lr, where)])[0]!;
}

/** The step without reading its results when `s.deferRead` (else the loss is checked before the backward). */
export async function trainStepValues(s: StepSetup, micro: readonly MicroBatch[], lr: number, where: StepWhere): Promise<StepValues> {
  if (micro.length === 0) throw new RangeError("trainStep needs at least one micro-batch");
  const t = s.timer;
  const loss = micro.length === 1 || s.accumulation === "local" ? backwardPerMicroBatch(s, micro, where) : backwardExact(s, micro, where);
  try {
    await t.timeAsync("allreduce", async () => s.ctx.allReduceGradients(s.params));
    const gradNorm = s.gradClip === null ? undefined
      : t.time("clip_grad", () => (s.deferRead ? clipGradNormDeferred(s.params, s.gradClip!) : clipGradNorm(s.params, s.gradClip!)));
    for (const g of s.optimizer.paramGroups) g.lr = lr;
    t.time("optimizer", () => s.optimizer.step());
    t.time("zero_grad", () => s.optimizer.zeroGrad());
    const values = t.time("clamp", () =>
      noGrad(() => tidy(() => {
        const scale = s.model.logitScale.clamp_(0, LOGIT_SCALE_MAX).exp().to("f32").reshape(1);
        const parts = [loss.reshape(1), scale];
        if (gradNorm !== undefined) parts.push(typeof gradNorm === "number" ? full([1], gradNorm, { device: scale.device }) : gradNorm.to("f32").reshape(1));
        return keep(cat(parts));
      })),
    );
    if (typeof gradNorm !== "number") gradNorm?.dispose();
    return { values, where };
  } finally {
    loss.dispose();
  }
}

/**
 * The host values of steps run with trainStepValues (one wait for the device, then small copies), in order;
 * disposes their tensors. A non-finite loss throws NonFiniteLossError naming the first such step.
 */
export function readStepValues(steps: readonly StepValues[]): StepResult[] {
  try {
    const out: StepResult[] = [];
    for (const st of steps) {
      const v = tidy(() => st.values.to("cpu").toTypedArray()) as Float32Array;
      checkFinite(v[0]!, st.where);
      out.push({ loss: v[0]!, logitScale: v[1]!, ...(v.length > 2 ? { gradNorm: v[2]! } : {}) });
    }
    return out;
  } finally {
    for (const st of steps) st.values.dispose();
  }
}

const towerOptions = (s: StepSetup): TowerOptions => ({ bf16: s.bf16, device: s.device, timer: s.timer });

function textsOf(f: Features): Tensor[] {
  return Array.from({ length: f.textsPerImage }, (_, k) => textBatch(f.text, f.textsPerImage, k));
}

function checkFinite(value: number, where: StepWhere): void {
  if (!Number.isFinite(value)) throw new NonFiniteLossError(value, where.step, where.epoch, undefined);
}

/** Checks the loss on the host before anything is applied, unless reads are deferred. */
function checkNow(s: StepSetup, loss: Tensor, where: StepWhere): void {
  if (!s.deferRead) checkFinite(loss.item(), where);
}

/** A detached f32 copy of a 0-d loss, kept out of the enclosing tidy scope (the caller disposes it). */
const lossValue = (loss: Tensor): Tensor => keep(noGrad(() => loss.detach().to("f32")));

/** Each micro-batch: forward, its own loss / A, backward. Returns the mean loss (a 0-d f32 tensor). */
function backwardPerMicroBatch(s: StepSetup, micro: readonly MicroBatch[], where: StepWhere): Tensor {
  const t = s.timer;
  const losses = micro.map((m) =>
    tidy(() => {
      const f = towerFeatures(s.model, m.images, m.texts, towerOptions(s));
      const loss = t.time("loss", () => contrastiveLoss(s.ctx, f.image, textsOf(f), s.model.logitScale));
      checkNow(s, loss, where);
      t.time("backward", () => (micro.length === 1 ? loss : loss.div(micro.length)).backward());
      return lossValue(loss);
    }),
  );
  if (losses.length === 1) return losses[0]!;
  try {
    return keep(noGrad(() => tidy(() => stack(losses).mean())));
  } finally {
    for (const l of losses) l.dispose();
  }
}

/** Gradient caching: the loss over all micro-batches' features, then per-micro-batch backward of its slice. */
function backwardExact(s: StepSetup, micro: readonly MicroBatch[], where: StepWhere): Tensor {
  const t = s.timer;
  const o = towerOptions(s);
  // 1. Features of every micro-batch without a graph, made leaves so the loss can give their gradients.
  const leaves = t.time("cache_forward", () =>
    tidy(() =>
      noGrad(() =>
        micro.map((m) => {
          const f = towerFeatures(s.model, m.images, m.texts, { ...o, timer: undefined });
          return { ...f, image: f.image.requiresGrad_(), text: f.text.requiresGrad_() };
        }),
      ),
    ),
  );
  try {
    // 2. The loss over the whole step's batch; backward stops at the leaves (and the logit scale).
    const value = tidy(() => {
      const T = leaves[0]!.textsPerImage;
      const image = cat(leaves.map((l) => l.image)); // (B, D), micro-batches in order
      const texts = Array.from({ length: T }, (_, k) => cat(leaves.map((l) => textBatch(l.text, T, k)))); // T x (B, D)
      const loss = t.time("loss", () => contrastiveLoss(s.ctx, image, texts, s.model.logitScale));
      checkNow(s, loss, where);
      t.time("backward", () => loss.backward());
      return lossValue(loss);
    });
    // 3. Each micro-batch again, with a graph, back-propagating its features' share of the gradient.
    micro.forEach((m, i) => {
      const leaf = leaves[i]!;
      tidy(() => {
        const f = towerFeatures(s.model, m.images, m.texts, o);
        t.time("backward", () => {
          f.image.backward(leaf.image.grad!);
          f.text.backward(leaf.text.grad!);
        });
      });
    });
    return value;
  } finally {
    for (const l of leaves) {
      l.image.dispose();
      l.text.dispose();
    }
  }
}
