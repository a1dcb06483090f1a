/** The demo's pure parts for seeds: the t interval, the paired difference, the per-task summary, the ETA line. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { chanceFor, DemoProgress, demoEta, pairedInterval, probeSplit, summariseTasks, tInterval, tQuantile975, type TaskChance } from "../../src/demo/index.js";

const close = (a: number, b: number, tol: number, what = ""): void => assert.ok(Math.abs(a - b) <= tol, `${what} ${a} vs ${b}`);

test("t quantiles: the table up to 30 degrees of freedom, the series beyond, the normal limit", () => {
  close(tQuantile975(1), 12.706, 1e-9);
  close(tQuantile975(2), 4.303, 1e-9);
  close(tQuantile975(30), 2.042, 1e-9);
  // published values: t(0.975; 40) = 2.0211, 60: 2.0003, 120: 1.9799
  close(tQuantile975(40), 2.0211, 2e-4, "40");
  close(tQuantile975(60), 2.0003, 2e-4, "60");
  close(tQuantile975(120), 1.9799, 2e-4, "120");
  close(tQuantile975(1e6), 1.96, 1e-3);
  assert.ok(tQuantile975(31) < tQuantile975(30));
  assert.throws(() => tQuantile975(0), /positive integer/);
});

test("tInterval: mean +- t sd / sqrt(n), computed by hand; one value has no interval", () => {
  const xs = [1, 2, 6];
  const mean = 3;
  const sd = Math.sqrt(((1 - 3) ** 2 + (2 - 3) ** 2 + (6 - 3) ** 2) / 2); // sqrt(7)
  const half = (4.303 * sd) / Math.sqrt(3);
  const r = tInterval(xs);
  close(r.mean, mean, 1e-12);
  close(r.sd!, sd, 1e-12);
  close(r.lo!, mean - half, 1e-9);
  close(r.hi!, mean + half, 1e-9);
  assert.deepEqual(tInterval([4]), { n: 1, mean: 4, sd: null, lo: null, hi: null });
  assert.throws(() => tInterval([]), /at least one/);
  assert.throws(() => tInterval([1, NaN]), /finite/);
});

test("pairedInterval: LaCLIP - CLIP seed by seed; a shift common to both methods in a seed cancels", () => {
  const clip = [1.0, 5.0, 9.0];
  const laclip = [1.5, 5.5, 9.5]; // each seed +0.5: the seeds differ a lot, the difference not at all
  const p = pairedInterval(clip, laclip);
  assert.deepEqual(p.diffs, [0.5, 0.5, 0.5]);
  close(p.mean, 0.5, 1e-12);
  close(p.lo!, 0.5, 1e-12);
  close(p.hi!, 0.5, 1e-12);
  // unpaired, the same numbers give intervals that overlap almost entirely
  assert.ok(tInterval(clip).hi! > tInterval(laclip).lo!);
  assert.throws(() => pairedInterval([1], [1, 2]), /one of each per seed/);
});

const chance: Record<string, TaskChance> = {
  "s/name": { classes: 100, images: 100, acc1: 0.01, acc5: 0.05, majority_acc1: 0.01 },
  "s/subgroup": { classes: 10, images: 100, acc1: 0.1, acc5: 0.5, majority_acc1: 0.3 },
};

test("summariseTasks: per-seed arrays, means, method intervals and the paired difference per task", () => {
  const scores = {
    clip: [{ "s/name/bare/acc1": 2, "s/subgroup/fewshot_5way5shot/acc": 30 }, { "s/name/bare/acc1": 4, "s/subgroup/fewshot_5way5shot/acc": 34 }],
    laclip: [{ "s/name/bare/acc1": 3, "s/subgroup/fewshot_5way5shot/acc": 31 }, { "s/name/bare/acc1": 6, "s/subgroup/fewshot_5way5shot/acc": 33 }],
  };
  const t = summariseTasks(scores, chance);
  assert.deepEqual(Object.keys(t), ["s/name/bare/acc1", "s/subgroup/fewshot_5way5shot/acc"]);
  const a = t["s/name/bare/acc1"]!;
  assert.deepEqual(a.per_seed, { clip: [2, 4], laclip: [3, 6] });
  assert.deepEqual(a.mean, { clip: 3, laclip: 4.5 });
  // diffs 1 and 2: mean 1.5, sd 1/sqrt2, half-width 12.706 * 0.5
  assert.deepEqual(a.diff!.per_seed, [1, 2]);
  close(a.diff!.ci95![0], 1.5 - 6.353, 1e-3);
  close(a.diff!.ci95![1], 1.5 + 6.353, 1e-3);
  close(a.ci95.clip![0], 3 - 12.706, 1e-3);
  assert.equal(a.chance, 0.01);
  assert.equal(t["s/subgroup/fewshot_5way5shot/acc"]!.chance, 0.2);
  // one method: no difference
  assert.equal(summariseTasks({ clip: scores.clip }, chance)["s/name/bare/acc1"]!.diff, null);
  assert.throws(() => summariseTasks({ clip: [{ a: 1 }, {}] }, chance), /seed #1 has no score for a/);
});

test("chanceFor: uniform guess for top-k and R@k, 1/ways for few-shot, none otherwise", () => {
  assert.equal(chanceFor("s/name/templates/acc5", chance), 0.05);
  assert.equal(chanceFor("s/name/name2pic/r1", chance), 0.01);
  assert.equal(chanceFor("s/subgroup/linear_probe/acc1", chance), 0.1);
  assert.equal(chanceFor("s/subgroup/fewshot_5way5shot/acc", chance), 0.2);
  assert.equal(chanceFor("t/name/bare/acc1", chance), null);
});

test("probeSplit: half of each class (rounded down) to train, the rest to test, the same for a seed", () => {
  const labels = [0, 0, 0, 0, 1, 1, 1, 2];
  const s = probeSplit(labels, 0);
  assert.deepEqual([...s.train, ...s.test].sort((a, b) => a - b), [0, 1, 2, 3, 4, 5, 6, 7]);
  const count = (rows: number[], c: number): number => rows.filter((r) => labels[r] === c).length;
  assert.deepEqual([count(s.train, 0), count(s.train, 1), count(s.train, 2)], [2, 1, 0]);
  assert.deepEqual(probeSplit(labels, 0), s);
});

test("the demo's progress: phase, seed, method, step and an ETA from measured rates", () => {
  assert.equal(demoEta({ stepsLeft: 10, secondsPerStep: 2, evalsLeft: 3, secondsPerEval: 5 }), 35);
  let now = 0;
  const out: string[] = [];
  const stream = { write: (s: string) => (out.push(s), true), isTTY: false } as unknown as NodeJS.WritableStream;
  const p = new DemoProgress({ seeds: [0, 1], methods: ["clip", "laclip"], stepsPerRun: 10, guessSecondsPerStep: 1, evalGuessSeconds: 4, stream, everySeconds: 100, now: () => now });
  // before anything is measured: 4 runs x 10 steps x 1 s + 4 evaluations x 4 s
  assert.equal(p.eta(), 56);
  p.trainStart(0, "clip");
  assert.equal(out.at(-1), "demo: train, seed 0 (1/2), clip, step 0/10, run 1/4, ETA 56s\n");
  for (let s = 1; s <= 10; s++) {
    now += 2;
    p.trainStep(s);
  }
  // 2 s per step measured: 30 steps and 4 evaluations left
  assert.equal(p.eta(), 30 * 2 + 4 * 4);
  p.trainEnd(true);
  const done = p.evalStart(0, "clip");
  now += 6;
  done();
  assert.equal(p.eta(), 30 * 2 + 3 * 6);
  p.trainStart(1, "laclip");
  assert.match(out.at(-1)!, /^demo: train, seed 1 \(2\/2\), laclip, step 0\/10, run 2\/4, ETA 1m18s\n$/);
});
