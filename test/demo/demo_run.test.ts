/**
 * `laclip demo` end to end on a tiny budget (30 emoji at 16 px, one epoch of 2 steps per method): the real CLI
 * prints a summary and one JSON line; the same seed gives the same line in another work dir (run in-process
 * through the library) and again when a finished run is reused; the LLM path works against a real
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

const TINY = ["--max-emoji", "30", "--size", "16", "--epochs", "1", "--batch", "32", "--threads", "1"];

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
    workDir, trainStyles: ["twemoji", "noto", "openmoji"], evalStyles: ["fluent-emoji-flat"], size: 16, seed: 0, minutes: 10, epochs: 1,
    batchSize: 32, maxEmoji: 30, methods: ["clip", "laclip"], dtype: "bf16", threads: 1, workers: 1, bpeMerges: 4000,
    rewrite: { engine: "eda", perSource: 1, seed: 0 }, fresh: false, log: () => {},
  };
}

test("laclip demo on a tiny budget: a summary, then one JSON line; the same seed gives the same line elsewhere and on reuse", async (t) => {
  const dirA = await tempDir(t);
  const r = await runCli(["demo", "--work-dir", dirA, ...TINY]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /zero-shot on held-out fluent-emoji-flat \(30 pictures/);
  assert.match(r.stdout, /name, top-1 of 30/);
  const line = lastJson(r.stdout);
  const s = line.settings;
  assert.deepEqual([s.emoji, s.train_images, s.eval_images, s.epochs, s.steps, s.batch], [30, 90, 30, 1, 2, 32]);
  assert.equal(s.rewrite.engine, "eda");
  assert.deepEqual(s.rewrite.sources, ["concise", "descriptive", "scene", "alt-text", "peer"]);
  assert.equal(s.tokenizer.merges, "learned");
  assert.deepEqual(line.chance["fluent-emoji-flat/name"], { classes: 30, images: 30, acc1: 0.0333, acc5: 0.1667, majority_acc1: 0.0333 });
  assert.equal(line.chance["fluent-emoji-flat/subgroup"]!.classes, s.subgroups);
  assert.deepEqual(Object.keys(line.methods), ["clip", "laclip"]);
  for (const m of Object.values(line.methods)) {
    assert.deepEqual(Object.keys(m.zeroshot), ["fluent-emoji-flat/name", "fluent-emoji-flat/subgroup"]);
    for (const score of Object.values(m.zeroshot)) {
      // 30 pictures: every accuracy is a whole number of them
      for (const v of [score.acc1, score.acc5!]) assert.ok(v >= 0 && v <= 1 && Math.abs(v * 30 - Math.round(v * 30)) < 0.01, `${v}`);
      assert.ok(score.acc5! >= score.acc1);
    }
    assert.ok(m.final_loss !== null && m.final_loss > 0 && m.final_loss < 10, `${m.final_loss}`);
  }
  assert.equal(typeof line.timings.total_s, "number");

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
    [["--bogus"], /unknown option '--bogus'/],
  ];
  for (const [args, message] of cases) {
    const r = await runCli(["demo", "--work-dir", dir, "--max-emoji", "5", ...args]);
    assert.equal(r.code, args[0] === "--bogus" ? 2 : 1, `${args.join(" ")}: ${r.stderr}`); // 2: a usage error
    assert.match(r.stderr, message);
    assert.equal(r.stderr.split("\n").filter((l) => l.startsWith("laclip demo: ")).length, 1, r.stderr);
    assert.doesNotMatch(r.stderr, /\n\s+at /, "no stack trace");
  }
  assert.equal(existsSync(dir), false);
});
