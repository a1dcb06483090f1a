import { test } from "node:test";
import assert from "node:assert/strict";
import { clampLogitScale, decayGroups, hasWeightDecay, learningRate, LOGIT_SCALE_MAX, makeSchedule } from "../../src/train/schedule.js";

const close = (a: number, b: number, tol = 1e-12) => assert.ok(Math.abs(a - b) <= tol * Math.max(1, Math.abs(b)), `${a} != ${b}`);

/** An independent transcription of numpy-based cosine_scheduler: builds the whole array like the reference. */
function referenceArray(base: number, final: number, epochs: number, perEpoch: number, warmupEpochs: number, start: number): number[] {
  const w = warmupEpochs * perEpoch;
  const warm: number[] = [];
  if (warmupEpochs > 0) {
    // numpy.linspace(start, base, w): step = (base-start)/(w-1), last point forced to base; w == 1 gives [start]
    for (let i = 0; i < w; i++) warm.push(w === 1 ? start : i === w - 1 ? base : start + i * ((base - start) / (w - 1)));
  }
  const n = epochs * perEpoch - w;
  const rest = Array.from({ length: n }, (_, i) => final + 0.5 * (base - final) * (1 + Math.cos((Math.PI * i) / n)));
  return [...warm, ...rest];
}

test("LaCLIP recipe values: step 0, end of warmup, first cosine step, midpoint, last step", () => {
  // 1 warmup epoch from 1e-6 to 1e-3, cosine to 1e-5 over 35 epochs of 100 steps
  const s = makeSchedule({ lr: 1e-3, lrStart: 1e-6, lrEnd: 1e-5, epochs: 35, stepsPerEpoch: 100, warmupEpochs: 1 });
  assert.equal(s.totalSteps, 3500);
  assert.equal(s.warmupSteps, 100);
  close(learningRate(s, 0), 1e-6);
  close(learningRate(s, 50), 1e-6 + (50 / 99) * (1e-3 - 1e-6));
  assert.equal(learningRate(s, 99), 1e-3); // last warmup step is the peak exactly
  assert.equal(learningRate(s, 100), 1e-3); // and so is the first cosine step
  close(learningRate(s, 100 + 1700), (1e-3 + 1e-5) / 2); // i = n/2
  const last = learningRate(s, 3499);
  close(last, 1e-5 + 0.5 * (1e-3 - 1e-5) * (1 + Math.cos((Math.PI * 3399) / 3400)));
  assert.ok(last > 1e-5 && last < 1e-5 + 1e-9);
  assert.equal(learningRate(s, 3500), 1e-5);
  assert.equal(learningRate(s, 10_000), 1e-5);
});

test("matches the reference array at every step, with and without warmup, including a 1-step warmup", () => {
  for (const [warmupEpochs, perEpoch, epochs] of [[0, 7, 3], [1, 7, 3], [2, 5, 4], [1, 1, 5]] as const) {
    const ref = referenceArray(3e-3, 1e-5, epochs, perEpoch, warmupEpochs, 1e-6);
    const s = makeSchedule({ lr: 3e-3, lrStart: 1e-6, lrEnd: 1e-5, epochs, stepsPerEpoch: perEpoch, warmupEpochs });
    assert.equal(ref.length, s.totalSteps);
    ref.forEach((v, i) => close(learningRate(s, i), v, 1e-14));
  }
});

test("warmup in steps takes precedence; bad warmups and steps are RangeErrors", () => {
  const s = makeSchedule({ lr: 1, lrStart: 0, lrEnd: 0, epochs: 2, stepsPerEpoch: 10, warmupEpochs: 1, warmupSteps: 5 });
  assert.equal(s.warmupSteps, 5);
  close(learningRate(s, 2), 0.5);
  assert.throws(() => makeSchedule({ lr: 1, lrStart: 0, lrEnd: 0, epochs: 1, stepsPerEpoch: 10, warmupSteps: 10 }), RangeError);
  assert.throws(() => makeSchedule({ lr: 1, lrStart: 0, lrEnd: 0, epochs: 0, stepsPerEpoch: 10 }), RangeError);
  assert.throws(() => learningRate(s, -1), RangeError);
});

test("weight decay rules: the peer's and LaCLIP's, and where they differ", () => {
  const params = [
    { name: "patch.weight", shape: [192, 3, 8, 8] },
    { name: "patch.bias", shape: [192] },
    { name: "vblocks.0.norm1.weight", shape: [192] },
    { name: "vblocks.0.q_norm.weight", shape: [64] },
    { name: "vblocks.0.qkv.weight", shape: [576, 192] },
    { name: "tblocks.0.ln_1.weight", shape: [256] },
    { name: "tblocks.0.attn.in_proj_weight", shape: [768, 256] },
    { name: "image_projection", shape: [192, 256] },
    { name: "pos", shape: [1, 65, 192] },
    { name: "logit_scale", shape: [] },
  ];
  const peer = decayGroups(params, "peer");
  assert.deepEqual(peer.decay.map((p) => p.name), ["patch.weight", "vblocks.0.qkv.weight", "tblocks.0.attn.in_proj_weight", "image_projection", "pos"]);
  assert.deepEqual(decayGroups(params, "laclip").decay, peer.decay);
  // the rules differ only on 2-D tensors with telling names
  assert.equal(hasWeightDecay("x.norm_proj", [4, 4], "peer"), false);
  assert.equal(hasWeightDecay("x.norm_proj", [4, 4], "laclip"), true);
  assert.equal(hasWeightDecay("x.bias_table", [4, 4], "peer"), true);
  assert.equal(hasWeightDecay("x.bias_table", [4, 4], "laclip"), false);
  assert.equal(hasWeightDecay("kiln.weight", [4, 4], "peer"), false); // substring rule, exactly as the references
});

test("logit scale clamp to [0, ln 100]", () => {
  assert.equal(LOGIT_SCALE_MAX, Math.log(100));
  assert.equal(clampLogitScale(5), Math.log(100));
  assert.equal(clampLogitScale(-1), 0);
  assert.equal(clampLogitScale(2.5), 2.5);
});
