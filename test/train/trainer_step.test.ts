/**
 * One optimizer step of the trainer on a tiny CLIP: the loss falls on a fixed batch, exact accumulation equals
 * the big batch, local accumulation equals LaCLIP's per-micro-batch objective, the laclip-mt loss is the
 * model's multi-text loss, the logit scale is clamped, a non-finite loss stops before anything is applied.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { manualSeed, randint, randn, tidy, type Tensor, setNumThreads } from "../../src/engine/index.js";
import { resolveClipConfig, type CLIP } from "../../src/models/clip/index.js";
import { AdamW } from "../../src/optim/index.js";
import { loadConfig } from "../../src/train/config/index.js";
import {
  LocalContext, NonFiniteLossError, PhaseTimer, buildModel, buildOptimizer, contrastiveLoss, readStepValues, textBatch, towerFeatures, trainStep,
  trainStepValues, type Accumulation, type MicroBatch, type StepSetup,
} from "../../src/train/trainer/index.js";
import { tinyModel } from "./trainer_fixtures.js";

// One intra-op thread: on 2 shared cores, 2 OpenMP threads make these tiny ops ~20x slower (docs/train.md).
setNumThreads(1);

const CONFIG = resolveClipConfig(tinyModel(600) as never);

/** AdamW that keeps a host copy of every gradient it is asked to apply. */
class RecordingAdamW extends AdamW {
  grads: Float32Array[] = [];
  override step(): void {
    this.grads = this.paramGroups.flatMap((g) => g.params.map((p) => p.grad!.toTypedArray() as Float32Array));
    super.step();
  }
}

async function setupFor(o: { lr?: number; accumulation?: Accumulation; record?: boolean } = {}): Promise<StepSetup & { model: CLIP }> {
  const model = buildModel(CONFIG, 11);
  const cfg = await loadConfig({ overrides: ["data.train=unused.csv", `optim.lr=${o.lr ?? 0.01}`, "optim.weight_decay=0.1"] });
  const groups = buildOptimizer(model, cfg).paramGroups.map((g) => ({ params: g.params, weightDecay: g.weightDecay }));
  const optimizer = o.record ? new RecordingAdamW(groups, { lr: 0.01, betas: [0.9, 0.98], eps: 1e-8 }) : new AdamW(groups, { lr: 0.01, betas: [0.9, 0.98], eps: 1e-8 });
  return { model, optimizer, params: model.parameters(), ctx: new LocalContext(), bf16: false, device: "cpu", gradClip: null, accumulation: o.accumulation ?? "exact", timer: new PhaseTimer(false) };
}

function batch(n: number, textsPerImage = 1, seed = 5): MicroBatch {
  manualSeed(seed);
  const images = randn([n, 3, 16, 16]);
  const shape = textsPerImage === 1 ? [n, 8] : [textsPerImage, n, 8];
  const texts = randint(1, 590, shape);
  texts.narrow(-1, 7, 1).fill_(599); // EOT last
  return { images, texts };
}

const halves = (b: MicroBatch, textsDim = 0): MicroBatch[] => {
  const n = b.images.shape[0]! / 2;
  return [0, 1].map((i) => ({ images: b.images.narrow(0, i * n, n), texts: b.texts.narrow(textsDim, i * n, n) }));
};

function close(a: Float32Array[], b: Float32Array[], atol: number, rtol: number): { ok: boolean; worst: number } {
  let worst = 0;
  a.forEach((x, i) => x.forEach((v, j) => (worst = Math.max(worst, Math.abs(v - b[i]![j]!) - rtol * Math.abs(b[i]![j]!)))));
  return { ok: worst <= atol, worst };
}

test("the loss falls over a few steps on a fixed batch", async () => {
  const s = await setupFor();
  const b = batch(8);
  const losses: number[] = [];
  for (let i = 0; i < 6; i++) losses.push((await trainStep(s, [b], 0.01, { step: i, epoch: 0 })).loss);
  assert.ok(losses[5]! < losses[0]! - 0.1, `losses ${losses.map((l) => l.toFixed(3)).join(" ")}`);
  assert.ok(losses.every(Number.isFinite));
  s.model.dispose();
  s.optimizer.dispose();
});

test("exact accumulation: 2 micro-batches of B/2 give the gradients of 1 batch of B (clip and laclip-mt)", async () => {
  for (const T of [1, 3]) {
    const big = batch(8, T);
    const one = await setupFor({ record: true });
    const two = await setupFor({ record: true, accumulation: "exact" });
    const r1 = await trainStep(one, [big], 0.01, { step: 0, epoch: 0 });
    const r2 = await trainStep(two, halves(big, T === 1 ? 0 : 1), 0.01, { step: 0, epoch: 0 });
    assert.ok(Math.abs(r1.loss - r2.loss) < 1e-5, `loss ${r1.loss} vs ${r2.loss}`);
    const c = close((two.optimizer as RecordingAdamW).grads, (one.optimizer as RecordingAdamW).grads, 1e-6, 1e-4);
    assert.ok(c.ok, `T=${T}: gradients differ by ${c.worst}`);
    for (const s of [one, two]) { s.model.dispose(); s.optimizer.dispose(); }
  }
});

test("local accumulation is LaCLIP's --update-freq: the mean of the micro-batches' own losses, not the big batch's", async () => {
  const big = batch(8);
  const local = await setupFor({ record: true, accumulation: "local" });
  const exact = await setupFor({ record: true, accumulation: "exact" });
  const rLocal = await trainStep(local, halves(big), 0.01, { step: 0, epoch: 0 });
  const rExact = await trainStep(exact, halves(big), 0.01, { step: 0, epoch: 0 });
  // by hand: each half's CLIP loss over its own 4 pairs, halved, back-propagated into a fresh copy
  const ref = await setupFor();
  const expectLoss = halves(big).reduce((sum, m) => sum + tidy(() => {
    const f = towerFeatures(ref.model, m.images, m.texts, { bf16: false, device: "cpu" });
    const loss = contrastiveLoss(new LocalContext(), f.image, [textBatch(f.text, 1, 0)], ref.model.logitScale).div(2);
    loss.backward();
    return loss.item();
  }), 0);
  const refGrads = ref.params.map((p) => p.grad!.toTypedArray() as Float32Array);
  assert.ok(Math.abs(rLocal.loss - 2 * expectLoss / 2) < 1e-5, `local loss ${rLocal.loss}, by hand ${expectLoss}`);
  const grads = (local.optimizer as RecordingAdamW).grads;
  const order = local.optimizer.paramGroups.flatMap((g) => g.params.map((p) => local.params.indexOf(p)));
  const c = close(grads, order.map((i) => refGrads[i]!), 1e-6, 1e-4);
  assert.ok(c.ok, `local gradients differ from the by-hand ones by ${c.worst}`);
  assert.ok(Math.abs(rLocal.loss - rExact.loss) > 1e-3, "the two objectives differ on the same data");
  for (const s of [local, exact, ref]) { s.model.dispose(); s.optimizer.dispose(); }
});

test("laclip-mt: the step's loss is the model's multi-text loss of the K+1 text batches", async () => {
  const s = await setupFor();
  const b = batch(6, 3);
  const expected = tidy(() => {
    const [t0, t1, t2] = b.texts.unbind(0) as [Tensor, Tensor, Tensor];
    return s.model.forward(b.images, t0, { multiText: [t1, t2] }).multiTextLoss!.item();
  });
  const r = await trainStep(s, [b], 0.01, { step: 0, epoch: 0 });
  assert.ok(Math.abs(r.loss - expected) < 1e-5, `step loss ${r.loss}, model ${expected}`);
  s.model.dispose();
  s.optimizer.dispose();
});

test("the logit scale is clamped to ln 100 after the step; gradient clipping reports the norm", async () => {
  const s = await setupFor();
  tidy(() => s.model.logitScale.requiresGrad_(false).fill_(7).requiresGrad_(true));
  const r = await trainStep({ ...s, gradClip: 0.5 }, [batch(4)], 0.01, { step: 0, epoch: 0 });
  assert.ok(Math.abs(r.logitScale - 100) < 1e-3, `exp(logit_scale) ${r.logitScale}`);
  assert.ok(r.gradNorm !== undefined && r.gradNorm > 0);
  s.model.dispose();
  s.optimizer.dispose();
});

test("a non-finite loss throws before any update, naming the step", async () => {
  const s = await setupFor();
  const before = s.params.map((p) => p.toTypedArray() as Float32Array);
  const b = batch(4);
  b.images.fill_(Number.NaN);
  await assert.rejects(trainStep(s, [b], 0.01, { step: 41, epoch: 3 }), (err: unknown) => {
    assert.ok(err instanceof NonFiniteLossError);
    assert.match(err.message, /optimizer step 42 \(epoch 3\) is NaN/);
    return true;
  });
  s.params.forEach((p, i) => assert.deepEqual(p.toTypedArray(), before[i], "weights untouched"));
  s.model.dispose();
  s.optimizer.dispose();
});

test("a bf16 autocast step runs and gives a finite loss near the fp32 one", async () => {
  const b = batch(4);
  const f32 = await setupFor();
  const bf = await setupFor();
  const want = (await trainStep(f32, [b], 0.01, { step: 0, epoch: 0 })).loss;
  const got = (await trainStep({ ...bf, bf16: true }, [b], 0.01, { step: 0, epoch: 0 })).loss;
  assert.ok(Math.abs(got - want) < 0.05, `bf16 ${got} vs fp32 ${want}`);
  assert.notEqual(got, want, "bf16 really ran in lower precision");
  for (const s of [f32, bf]) { s.model.dispose(); s.optimizer.dispose(); }
});

test("deferred reads (the CUDA mode): the same losses, logit scale and weights; a NaN loss shows at the read", async () => {
  const now = await setupFor();
  const later = await setupFor();
  later.deferRead = true;
  const b = batch(4);
  const want = [];
  const pending = [];
  for (let i = 0; i < 3; i++) {
    want.push(await trainStep({ ...now, gradClip: 0.5 }, [b], 0.01, { step: i, epoch: 0 }));
    pending.push(await trainStepValues({ ...later, gradClip: 0.5 }, [b], 0.01, { step: i, epoch: 0 }));
  }
  assert.deepEqual(readStepValues(pending), want);
  later.params.forEach((p, i) => assert.deepEqual(p.toTypedArray(), now.params[i]!.toTypedArray()));
  const bad = batch(4);
  bad.images.fill_(Number.NaN);
  const ok = await trainStepValues(later, [b], 0.01, { step: 3, epoch: 1 });
  const nan = await trainStepValues(later, [bad], 0.01, { step: 4, epoch: 1 }); // no throw: nothing was read
  assert.throws(() => readStepValues([ok, nan]), (err: unknown) => err instanceof NonFiniteLossError && /optimizer step 5 \(epoch 1\) is NaN/.test(err.message));
  assert.ok(ok.values.isDisposed && nan.values.isDisposed, "read values are disposed, also on a throw");
  for (const s of [now, later]) { s.model.dispose(); s.optimizer.dispose(); }
});
