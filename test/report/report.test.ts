/**
 * `laclip report`: charts from plain training runs (config.yaml, metrics.jsonl with per-step lines and per-epoch
 * evaluations), checked as text and in headless Chromium (the page loads without console messages, and the
 * loaded DOM holds the charts); a page that logs to the console is caught by the same check; bad folders fail
 * with one clear line. The demo's own report is checked in test/demo/demo_run.test.ts.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestContext } from "node:test";
import { esc, niceTicks, readRunDir, smooth, writeReport } from "../../src/report/index.js";
import { runCli } from "../helpers/cli.js";
import { chromiumPath, loadPage } from "./chromium.js";

async function tempDir(t: TestContext): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "laclip-report-"));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** A training run folder as `laclip train` leaves it: 3 epochs of 4 steps, an evaluation after each epoch. */
async function fakeRun(dir: string, method: string, seed: number): Promise<void> {
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, "config.yaml"), `# a run\ntext:\n  augment: ${method}\ntrain:\n  seed: ${seed}\n  epochs: 3\n`);
  const lines: string[] = [];
  let step = 0;
  for (let epoch = 0; epoch < 3; epoch++) {
    for (let k = 0; k < 4; k++) {
      step++;
      lines.push(JSON.stringify({ time: step, step, epoch, loss: 5 - 0.2 * step - seed * 0.01, loss_avg: 5, lr: 1e-3 * (1 - step / 12), logit_scale: 14 }));
    }
    lines.push(JSON.stringify({ time: step, step, epoch, zeroshot_acc1: 10 * (epoch + 1) + seed, zeroshot_acc5: 30 + epoch }));
  }
  lines.push("not json: skipped");
  await writeFile(join(dir, "metrics.jsonl"), lines.join("\n") + "\n");
}

test("pure parts: ticks at round values, escaping, window means", () => {
  assert.deepEqual(niceTicks(0, 1, 5), [0, 0.2, 0.4, 0.6, 0.8, 1]);
  assert.deepEqual(niceTicks(3, 47, 4), [20, 40]);
  assert.deepEqual(niceTicks(-0.013, 0.021, 4), [-0.01, 0, 0.01, 0.02]);
  assert.deepEqual(niceTicks(2, 2), [2]);
  assert.equal(esc(`<a href="x">'&'</a>`), "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;");
  assert.deepEqual(smooth([[1, 1], [2, 3], [3, 5], [4, 7], [5, 9]], 2), [[2, 2], [4, 6], [5, 9]]);
});

test("a train run folder: curves from its per-step lines, evaluations per epoch, label from its config", async (t) => {
  const dir = join(await tempDir(t), "run");
  await fakeRun(dir, "laclip", 2);
  const r = await readRunDir(dir);
  assert.equal(r.label, "laclip seed 2");
  assert.equal(r.train.length, 12);
  assert.deepEqual(r.evals.map((e) => [e.epoch, e.values.zeroshot_acc1]), [[1, 12], [2, 22], [3, 32]]);
});

test("laclip report on two train runs: one self-contained page that Chromium loads without console messages", async (t) => {
  const root = await tempDir(t);
  await fakeRun(join(root, "clip"), "clip", 0);
  await fakeRun(join(root, "laclip"), "laclip", 0);
  const out = join(root, "report.html");
  const r = await runCli(["report", join(root, "clip"), join(root, "laclip"), "--out", out]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /report: .*report\.html \(2 runs\)/);
  const html = await readFile(out, "utf8");
  assert.doesNotMatch(html, /(src|href)="(https?:)?\/\//, "nothing fetched");
  assert.doesNotMatch(html, /<script/i);
  assert.match(html, /@media print/);

  const bin = chromiumPath();
  if (bin === undefined) return t.skip("chromium is not installed (scripts/system-deps.sh installs it)");
  const page = await loadPage(bin, out, join(root, "profile"));
  assert.equal(page.code, 0, page.stderr.slice(-2000));
  assert.deepEqual(page.console, []);
  // the loaded DOM: loss and lr charts with a line per run, and one chart per evaluation metric
  for (const id of ["chart-loss", "chart-lr", "chart-eval-zeroshot_acc1", "chart-eval-zeroshot_acc5"]) {
    const svg = new RegExp(`<svg id="${id}"[\\s\\S]*?</svg>`).exec(page.dom);
    assert.ok(svg !== null, `${id} in the loaded page`);
    assert.deepEqual([...svg[0].matchAll(/class="series" data-label="([^"]+)"/g)].map((m) => m[1]), ["clip seed 0", "laclip seed 0"], id);
  }

  // the check can fail: a page that logs to the console is caught
  const bad = join(root, "bad.html");
  await writeFile(bad, `<!doctype html><html><body><script>console.error("broken chart")</script></body></html>`);
  const badPage = await loadPage(bin, bad, join(root, "profile2"));
  assert.equal(badPage.console.length, 1, badPage.stderr.slice(-2000));
  assert.match(badPage.console[0]!, /broken chart/);
});

test("a folder that is no run fails with one line naming it", async (t) => {
  const root = await tempDir(t);
  await expectLine(["report", root, "--out", join(root, "x.html")], new RegExp(`${root.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")} holds no metrics.jsonl`));
  await expectLine(["report", join(root, "missing")], /missing does not exist/);
  await expectLine(["report"], /give at least one RUN_DIR/, 2); // a usage error
  await assert.rejects(writeReport([], join(root, "y.html")), /at least one RUN_DIR/);
});

async function expectLine(args: string[], message: RegExp, code = 1): Promise<void> {
  const r = await runCli(args);
  assert.equal(r.code, code, r.stderr);
  assert.match(r.stderr, message);
  assert.doesNotMatch(r.stderr, /\n\s+at /, "no stack trace");
}
