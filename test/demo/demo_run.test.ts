/**
 * `laclip demo` end to end on a tiny budget (30 emoji at 16 px, two seeds, one epoch of 2 steps per method and
 * seed): the real CLI prints a summary, the report's path and one JSON line with per-seed arrays, means and the
 * paired intervals; the report holds the expected charts; the same seeds give the same line in another work dir
 * (run in-process through the library) and again when finished runs are reused; the LLM path works against a real
 * OpenAI-compatible server on loopback; bad styles and options fail with one clear line before any work.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { runDemo, type DemoLine, type DemoOptions } from "../../src/demo/index.js";
import { readCsvCaptions } from "../../src/demo/rewrite_step.js";
import { runCli } from "../helpers/cli.js";
import { originalOf, startOpenAIServer } from "../helpers/openai_server.js";
import { tempDir } from "./data_fixtures.js";
import { chromiumPath, loadPage } from "../report/chromium.js";

const TINY = ["--max-emoji", "30", "--size", "16", "--epochs", "1", "--batch", "32", "--threads", "1", "--seeds", "0,1"];

function lastJson(stdout: string): DemoLine {
  const lines = stdout.trimEnd().split("\n");
  return JSON.parse(lines[lines.length - 1]!) as DemoLine;
}

const withoutTimings = (l: DemoLine): Omit<DemoLine, "timings"> => {
  const { timings: _, ...rest } = l;
  return rest;
};

function libraryOptions(workDir: string): DemoOptions {
  return {
    workDir, trainStyles: ["twemoji", "noto", "openmoji"], evalStyles: ["fluent-emoji-flat"], size: 16, seeds: [0, 1], minutes: 10, epochs: 1,
    batchSize: 32, maxEmoji: 30, methods: ["clip", "laclip"], dtype: "bf16", threads: 1, workers: 1, bpeMerges: 4000,
    rewrite: { engine: "eda", perSource: 1, seed: 0 }, fresh: false, log: () => {},
  };
}

test("laclip demo on a tiny budget: a summary, the report, then one JSON line; the same seeds give the same line elsewhere and on reuse", async (t) => {
  const dirA = await tempDir(t);
  const r = await runCli(["demo", "--work-dir", dirA, ...TINY]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /held-out fluent-emoji-flat \(30 pictures/);
  assert.match(r.stdout, /name, bare name, top-1 /);
  assert.match(r.stdout, /LaCLIP - CLIP \[95% CI\]/);
  assert.match(r.stdout, /95% CI: Student t over the 2 seeds of the paired per-seed difference/);
  assert.match(r.stdout, new RegExp(`report: ${join(dirA, "report.html").replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}`));
  // progress: one line per phase with seed, method and an ETA (stderr is not a terminal here)
  assert.match(r.stderr, /demo: train, seed 1 \(2\/2\), laclip, step 0\/2, run 4\/4, ETA \d/);
  assert.match(r.stderr, /demo: evaluate, seed 0 \(1\/2\), clip, run \d\/4, ETA /);
  const line = lastJson(r.stdout);
  const s = line.settings;
  assert.deepEqual([s.emoji, s.train_images, s.eval_images, s.epochs, s.steps, s.batch], [30, 90, 30, 1, 2, 32]);
  assert.deepEqual(s.seeds, [0, 1]);
  assert.equal(s.rewrite.engine, "eda");
  assert.deepEqual(s.rewrite.sources, ["concise", "descriptive", "scene", "alt-text", "peer"]);
  assert.equal(s.tokenizer.merges, "learned");
  assert.match(line.interval, /Student t/);
  assert.deepEqual(line.chance["fluent-emoji-flat/name"], { classes: 30, images: 30, acc1: 0.0333, acc5: 0.1667, majority_acc1: 0.0333 });
  assert.equal(line.chance["fluent-emoji-flat/subgroup"]!.classes, s.subgroups);
  assert.deepEqual(Object.keys(line.methods), ["clip", "laclip"]);
  const style = "fluent-emoji-flat";
  const expected = ["name/bare/acc1", "name/bare/acc5", "name/templates/acc1", "name/templates/acc5", "name/pic2name/r1", "name/name2pic/r1", "name/pic2name/r5", "name/name2pic/r5", "subgroup/bare/acc1", "subgroup/templates/acc1", "subgroup/linear_probe/acc1"];
  for (const k of expected) assert.ok(line.tasks[`${style}/${k}`] !== undefined, `task ${k} in ${Object.keys(line.tasks).join(", ")}`);
  for (const [key, task] of Object.entries(line.tasks)) {
    for (const m of ["clip", "laclip"]) {
      const xs = task.per_seed[m]!;
      assert.equal(xs.length, 2, key);
      for (const v of xs) assert.ok(v >= 0 && v <= 1, `${key}: ${v}`); // fractions of 1
      assert.ok(Math.abs(task.mean[m]! - (xs[0]! + xs[1]!) / 2) < 1e-3, key);
      assert.ok(task.ci95[m] === null || task.ci95[m]![0] <= task.mean[m]! + 1e-9, key);
    }
    // the paired difference is LaCLIP - CLIP seed by seed, and its interval (t with 1 df) brackets its mean
    const d = task.diff!;
    d.per_seed.forEach((v, i) => assert.ok(Math.abs(v - (task.per_seed.laclip![i]! - task.per_seed.clip![i]!)) < 1e-3, key));
    assert.ok(d.ci95 !== null && d.ci95[0] <= d.mean + 1e-9 && d.mean <= d.ci95[1] + 1e-9, key);
    const half = (12.706 * Math.abs(d.per_seed[0]! - d.per_seed[1]!) / Math.SQRT2) / Math.SQRT2;
    assert.ok(Math.abs(d.ci95[1] - d.ci95[0] - 2 * half) < 5e-4, `${key}: ${d.ci95} vs half-width ${half}`);
  }
  // 30 pictures: every zero-shot accuracy is a whole number of them; picture-to-name R@k equals bare-prompt top-k
  for (const k of ["name/bare/acc1", "name/templates/acc5", "subgroup/bare/acc1"]) {
    for (const v of line.tasks[`${style}/${k}`]!.per_seed.clip!) assert.ok(Math.abs(v * 30 - Math.round(v * 30)) < 0.01, `${k}: ${v}`);
  }
  assert.deepEqual(line.tasks[`${style}/name/pic2name/r1`]!.per_seed, line.tasks[`${style}/name/bare/acc1`]!.per_seed);
  assert.deepEqual(line.tasks[`${style}/name/pic2name/r5`]!.per_seed, line.tasks[`${style}/name/bare/acc5`]!.per_seed);
  for (const m of Object.values(line.methods)) {
    assert.equal(m.final_loss.length, 2);
    for (const l of m.final_loss) assert.ok(l !== null && l > 0 && l < 10, `${l}`);
  }
  assert.equal(typeof line.timings.total_s, "number");
  // the report: one chart pair per task, loss and lr curves for the four runs, pictures inline
  const html = await readFile(join(dirA, "report.html"), "utf8");
  assert.equal((html.match(/<figure class="task"/g) ?? []).length, Object.keys(line.tasks).length);
  assert.match(html, /<svg id="chart-loss"/);
  assert.match(html, /<svg id="chart-lr"/);
  assert.equal((html.match(/id="chart-loss"[\s\S]*?<\/svg>/)![0].match(/class="series"/g) ?? []).length, 4);
  assert.equal((html.match(/<img [^>]*src="data:image\/png;base64,/g) ?? []).length, 8);
  assert.doesNotMatch(html, /(src|href)="(https?:)?\/\//);
  // and in headless Chromium: no console messages, the task figures and curves in the loaded DOM
  const bin = chromiumPath();
  if (bin === undefined) t.diagnostic("chromium is not installed: the demo's report was not loaded in a browser");
  else {
    const page = await loadPage(bin, join(dirA, "report.html"), join(dirA, "chromium-profile"));
    assert.deepEqual(page.console, []);
    assert.equal((page.dom.match(/<figure class="task"/g) ?? []).length, Object.keys(line.tasks).length);
    assert.equal((page.dom.match(/<svg id="(task|diff)-0-\d+"/g) ?? []).length, 2 * Object.keys(line.tasks).length);
    assert.match(page.dom, /<svg id="chart-loss"/);
  }

  // the same settings in a fresh work dir, through the library: every field but the timings is equal
  const dirB = await tempDir(t);
  const b = await runDemo(libraryOptions(dirB));
  assert.deepEqual(withoutTimings(b.line), withoutTimings(line));
  // every CSV row got the rewrites of its own caption
  const captions = await readCsvCaptions(b.data.trainCsv);
  const first = (await readFile(b.rewrites.files[0]!, "utf8")).trimEnd().split("\n");
  assert.equal(first.length, captions.length);
  // a rerun in the same work dir reuses the finished runs and reports the same numbers
  const again = await runDemo(libraryOptions(dirB));
  assert.equal(again.line.timings.train_clip_reused, true);
  assert.equal(again.line.timings.train_laclip_reused, true);
  assert.deepEqual(withoutTimings(again.line), withoutTimings(line));
});

test("the LLM path is one flag away: --rewrite-engine openai --base-url trains LaCLIP on the server's rewrites", async (t) => {
  const dir = await tempDir(t);
  const srv = await startOpenAIServer({ seed: 1 });
  t.after(() => srv.close());
  const r = await runCli(["demo", "--work-dir", dir, ...TINY, "--methods", "laclip", "--rewrite-engine", "openai", "--base-url", srv.baseUrl, "--model", "test-model", "--sources", "concise,scene"]);
  assert.equal(r.code, 0, r.stderr);
  const line = lastJson(r.stdout);
  assert.equal(line.settings.rewrite.engine, "openai");
  assert.equal(line.settings.rewrite.model, "test-model");
  assert.deepEqual(line.settings.rewrite.sources, ["concise", "scene"]);
  assert.equal(line.settings.rewrite.distinct_captions, 30, "each distinct caption is sent once");
  assert.deepEqual(Object.keys(line.methods), ["laclip"]);
  assert.doesNotMatch(r.stdout, /Rule-based \(eda\)/);
  const rows = join(dir, "rewrites");
  const [folder] = await readdir(rows);
  const captions = await readCsvCaptions(join(dir, "dataset", "train.csv"));
  for (const source of ["concise", "scene"]) {
    const lines = (await readFile(join(rows, folder!, "rows", `${source}.txt`), "utf8")).trimEnd().split("\n");
    assert.equal(lines.length, captions.length);
    lines.forEach((l, i) => assert.equal(originalOf(l), captions[i], `row ${i} of ${source}`));
  }
});

test("bad styles and options fail with one clear line, before anything is written", async (t) => {
  const dir = join(await tempDir(t), "work");
  const cases: [string[], RegExp][] = [
    [["--train-styles", "twemoji,no-such-set"], /'no-such-set' is not an installed icon set; installed @iconify-json sets: .*twemoji/],
    [["--eval-styles", "twemoji"], /twemoji is both a training and an evaluation style/],
    [["--methods", "clip,siglip"], /--methods: unknown method 'siglip'/],
    [["--rewrite-engine", "openai"], /--rewrite-engine openai needs --base-url/],
    [["--size", "big"], /--size must be an integer/],
    [["--seeds", "0,0"], /--seeds lists a seed twice: 0,0/],
    [["--seeds", "0,x"], /--seeds must be an integer >= 0, got 'x'/],
    [["--seed", "1", "--seeds", "0,1"], /give --seeds 0,1,2 or --seed N, not both/],
    [["--bogus"], /unknown option '--bogus'/],
  ];
  for (const [args, message] of cases) {
    const r = await runCli(["demo", "--work-dir", dir, "--max-emoji", "5", ...args]);
    // 2: a usage error (an unknown option, a value that is not a number); 1: values that cannot be used
    const usage = args[0] === "--bogus" || args[0] === "--size" || args.join(" ") === "--seeds 0,x";
    assert.equal(r.code, usage ? 2 : 1, `${args.join(" ")}: ${r.stderr}`);
    assert.match(r.stderr, message);
    assert.equal(r.stderr.split("\n").filter((l) => l.startsWith("laclip demo: ")).length, 1, r.stderr);
    assert.doesNotMatch(r.stderr, /\n\s+at /, "no stack trace");
  }
  assert.equal(existsSync(dir), false);
});
