/** Memory: dispose, tidy/keep, `using`, live counts, the leak safety net, and a 1,000-step training loop. */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import * as E from "../../src/engine/index.js";

test("dispose is idempotent and frees memory at once", () => {
  const n0 = E.liveTensors();
  const b0 = E.liveBytes();
  const t = E.zeros([1000], { dtype: "f64" });
  assert.equal(E.liveTensors(), n0 + 1);
  assert.equal(E.liveBytes(), b0 + 8000);
  const v = t.reshape(10, 100); // a view: one more handle, same storage
  assert.equal(E.liveBytes(), b0 + 8000);
  t.dispose();
  t.dispose();
  assert.equal(t.isDisposed, true);
  assert.equal(E.liveBytes(), b0 + 8000, "the view still holds the storage");
  v.dispose();
  assert.equal(E.liveTensors(), n0);
  assert.equal(E.liveBytes(), b0);
  assert.throws(() => t.sum(), (e: unknown) => e instanceof E.DisposedTensorError && e.op === "sum");
  assert.throws(() => t.shape, (e: unknown) => e instanceof E.DisposedTensorError && e.op === "shape");
});

test("tidy disposes intermediates, keeps returned and kept tensors, nests", () => {
  const n0 = E.liveTensors();
  let kept!: E.Tensor;
  const out = E.tidy(() => {
    const a = E.ones([3]);
    kept = E.keep(a.mul(5));
    const inner = E.tidy(() => {
      const b = a.add(1);
      return { pair: [b.mul(2), b.mul(3)], note: "x" };
    });
    assert.equal(E.liveTensors(), n0 + 4, "a, kept, and the two returned by the inner scope");
    return inner.pair[0]!.add(inner.pair[1]!);
  });
  assert.deepEqual(out.toArray(), [10, 10, 10]);
  assert.deepEqual(kept.toArray(), [5, 5, 5]);
  assert.equal(E.liveTensors(), n0 + 2);
  out.dispose();
  kept.dispose();
  assert.equal(E.liveTensors(), n0);
  assert.throws(() => E.tidy(() => { E.ones([2]); throw new Error("boom"); }), /boom/);
  assert.equal(E.liveTensors(), n0, "a throwing scope still cleans up");
  assert.throws(() => E.tidy(async () => E.ones([2])), /async/);
  assert.equal(E.liveTensors(), n0);
});

test("`using` disposes at the end of the block", () => {
  const n0 = E.liveTensors();
  {
    using a = E.ones([4]);
    using b = a.mul(2);
    assert.equal(b.sum().item(), 8); // the sum is a temporary: disposed below by hand
  }
  assert.equal(E.liveTensors(), n0 + 1);
});

test("a 1,000-step training loop of a tiny MLP keeps live tensors and RSS flat", () => {
  E.manualSeed(0);
  const params = [E.randn([8, 4]), E.zeros([8]), E.randn([1, 8]), E.zeros([1])].map((p) => p.mul_(0.5).requiresGrad_());
  const x = E.randn([32, 4]);
  const y = x.sum(1, true).sin();
  const step = (): number =>
    E.tidy(() => {
      const h = E.linear(x, params[0]!, params[1]).quickGelu();
      const loss = E.mseLoss(E.linear(h, params[2]!, params[3]), y);
      loss.backward();
      E.noGrad(() => {
        for (const p of params) p.sub_(p.grad!, 0.05);
      });
      for (const p of params) p.zeroGrad();
      return loss.item();
    });
  const first = step();
  for (let i = 0; i < 99; i++) step();
  const live = E.liveTensors();
  const bytes = E.liveBytes();
  const rss = process.memoryUsage().rss;
  let last = 0;
  for (let i = 0; i < 900; i++) last = step();
  assert.equal(E.liveTensors(), live, "live tensor count unchanged");
  assert.equal(E.liveBytes(), bytes, "live bytes unchanged");
  const grown = (process.memoryUsage().rss - rss) / 2 ** 20;
  assert.ok(grown < 24, `RSS grew by ${grown.toFixed(1)} MiB over 900 steps`);
  assert.ok(last < first * 0.5, `loss went down: ${first} -> ${last}`);
});

test("the FinalizationRegistry safety net counts and reports tensors never disposed", () => {
  const here = fileURLToPath(import.meta.url);
  const compiled = here.endsWith(".js");
  const engine = join(here, "..", "..", "..", "src", "engine", compiled ? "index.js" : "index.ts");
  const script = `
    const E = await import(${JSON.stringify(engine)});
    (() => { for (let i = 0; i < 20; i++) E.ones([256]).mul(2).dispose(); for (let i = 0; i < 20; i++) E.ones([256]); })();
    for (let i = 0; i < 5; i++) { globalThis.gc(); await new Promise((r) => setTimeout(r, 20)); }
    console.log(JSON.stringify({ leaked: E.leakedTensors(), live: E.liveTensors() }));`;
  const args = ["--expose-gc", ...(compiled ? [] : ["--import", "tsx"]), "--input-type=module", "-e", script];
  const r = spawnSync(process.execPath, args, { env: { ...process.env, LACLIP_LEAK_REPORT: "1" }, encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout.trim().split("\n").pop()!) as { leaked: number; live: number };
  assert.equal(out.live, 0, "the safety net freed what the collector found");
  assert.equal(out.leaked, 40, "20 inputs of mul() and 20 bare ones() were never disposed");
  assert.match(r.stderr, /garbage-collected without dispose\(\)/);
  assert.match(r.stderr, /at exit 0 tensors live/);
});

test("dispose() unregisters from the safety net: the JS heap stays flat in a synchronous loop", () => {
  // Registry cells of disposed tensors would otherwise wait for a cleanup task that a synchronous loop never
  // lets run (about 130 bytes each).
  const here = fileURLToPath(import.meta.url);
  const compiled = here.endsWith(".js");
  const engine = join(here, "..", "..", "..", "src", "engine", compiled ? "index.js" : "index.ts");
  const script = `
    const E = await import(${JSON.stringify(engine)});
    const a = E.ones([4]);
    const loop = (n) => { for (let i = 0; i < n; i++) a.add(1).dispose(); };
    loop(1000); globalThis.gc();
    const before = process.memoryUsage().heapUsed;
    loop(100000); globalThis.gc();
    console.log(JSON.stringify({ grownMiB: (process.memoryUsage().heapUsed - before) / 2 ** 20, live: E.liveTensors() }));`;
  const args = ["--expose-gc", ...(compiled ? [] : ["--import", "tsx"]), "--input-type=module", "-e", script];
  const r = spawnSync(process.execPath, args, { encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout.trim().split("\n").pop()!) as { grownMiB: number; live: number };
  assert.equal(out.live, 1);
  assert.ok(out.grownMiB < 3, `heap grew by ${out.grownMiB.toFixed(1)} MiB over 100,000 add+dispose`);
});
