import { test } from "node:test";
import assert from "node:assert/strict";
import { getNumThreads, liveBytes, liveTensors, manualSeed, mseLoss, randn, setNumThreads, tidy } from "../../src/engine/index.js";
import { GELU, Linear, Sequential } from "../../src/nn/index.js";
import { AdamW, clipGradNorm } from "../../src/optim/index.js";

test("1,000 AdamW steps of a small MLP hold the live tensor count exactly flat and RSS roughly flat", async () => {
  // One intra-op thread: at these tiny sizes OpenMP barriers on a shared 2-core machine cost more than the math.
  const threads = getNumThreads();
  setNumThreads(1);
  manualSeed(0);
  const model = new Sequential(new Linear(16, 32), new GELU(), new Linear(32, 4));
  const x = randn([64, 16]);
  const y = randn([64, 4]);
  const opt = new AdamW(model.parameters(), { lr: 3e-3, weightDecay: 0.01 });
  const step = (): number =>
    tidy(() => {
      const loss = mseLoss(model.forward(x), y);
      loss.backward();
      clipGradNorm(model.parameters(), 1.0);
      opt.step();
      opt.zeroGrad();
      return loss.item();
    });
  const first = step(); // creates the optimizer state
  const live = liveTensors();
  const bytes = liveBytes();
  let rssAt100 = 0;
  let last = first;
  for (let i = 2; i <= 1000; i++) {
    last = step();
    if (liveTensors() !== live) assert.fail(`step ${i}: ${liveTensors()} live tensors, ${live} after step 1`);
    if (i === 100) rssAt100 = process.memoryUsage.rss();
    // A real loop awaits its data; letting the event loop turn also lets V8 run finalizers of dead wrappers.
    if (i % 10 === 0) await new Promise((resolve) => setImmediate(resolve));
  }
  assert.equal(liveBytes(), bytes);
  const growth = process.memoryUsage.rss() - rssAt100;
  assert.ok(growth < 32 * 2 ** 20, `RSS grew ${(growth / 2 ** 20).toFixed(1)} MiB from step 100 to 1000`);
  assert.ok(last < 0.5 * first, `loss ${first} → ${last}`);
  opt.dispose();
  model.dispose();
  x.dispose();
  y.dispose();
  setNumThreads(threads);
});
