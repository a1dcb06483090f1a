import assert from "node:assert/strict";
import { appendFile, readFile, readdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { test } from "node:test";
import { runRewriteJob } from "../../src/rewrite/job/job.js";
import { RewriteFailedError } from "../../src/rewrite/job/rewrite_failed_error.js";
import { FakeRewriter, fake, jobConfig, outputs, tempDir, unfake } from "./job_fixtures.js";

const FILES = ["alpha.txt", "beta.txt", "rewrites.jsonl"];

async function captionsFile(dir: string, n: number): Promise<{ path: string; captions: string[] }> {
  const captions = Array.from({ length: n }, (_, i) => (i % 50 === 17 ? "" : `caption ${i}: a ${["red", "blue", "green"][i % 3]} thing`));
  const path = join(dir, "captions.txt");
  await writeFile(path, captions.join("\n") + "\n");
  return { path, captions };
}

test("job: every caption rewritten once, outputs line-aligned, summary written, journal gone", async (t) => {
  const dir = await tempDir(t);
  const { path, captions } = await captionsFile(dir, 400);
  const out = join(dir, "out");
  const rw = new FakeRewriter({ maxDelayMs: 4 });
  const summary = await runRewriteJob(jobConfig(path, out, { concurrency: 16 }), async () => rw);
  const nonEmpty = captions.map((c, i) => [c, i] as const).filter(([c]) => c !== "").map(([, i]) => i);
  assert.deepEqual([...rw.calls].sort((a, b) => a - b), nonEmpty);
  assert.ok(rw.maxInFlight <= 16 && rw.maxInFlight > 1, `in flight ${rw.maxInFlight}`);
  assert.ok(rw.closed);
  for (const source of ["alpha", "beta"]) {
    const lines = (await readFile(join(out, `${source}.txt`), "utf8")).split("\n");
    assert.equal(lines.length, captions.length + 1);
    lines.slice(0, -1).forEach((line, i) => assert.equal(captions[i] === "" ? "" : unfake(line).caption, captions[i]));
  }
  const jsonl = (await readFile(join(out, "rewrites.jsonl"), "utf8")).trim().split("\n").map((l) => JSON.parse(l));
  assert.deepEqual(jsonl[3], { index: 3, id: "3", original: captions[3], rewrites: { alpha: [fake("alpha", 0, captions[3]!)], beta: [fake("beta", 0, captions[3]!)] } });
  assert.equal(summary.captions, 400);
  assert.equal(summary.emptyCaptions, 8);
  assert.equal(summary.rewritten, 392);
  assert.equal(summary.tokens, 3920);
  assert.equal(summary.rejects.too_short, nonEmpty.filter((i) => i % 5 === 0).length);
  assert.equal(summary.fallbacks, nonEmpty.filter((i) => i % 7 === 0).length);
  assert.equal(summary.rewrites, 392 * 2 - summary.fallbacks);
  assert.deepEqual(JSON.parse(await readFile(join(out, "summary.json"), "utf8")).captions, 400);
  await assert.rejects(readdir(join(out, ".laclip-rewrite")), /ENOENT/);
});

test("job: K rewrites per source go to <source>_<k>.txt", async (t) => {
  const dir = await tempDir(t);
  const { path } = await captionsFile(dir, 10);
  const out = join(dir, "out");
  await runRewriteJob(jobConfig(path, out), async () => new FakeRewriter({ sources: ["s"], perSource: 3 }));
  const names = (await readdir(out)).sort();
  assert.deepEqual(names, ["rewrites.jsonl", "s_1.txt", "s_2.txt", "s_3.txt", "summary.json"]);
  assert.equal((await readFile(join(out, "s_3.txt"), "utf8")).split("\n")[0], fake("s", 2, "caption 0: a red thing"));
});

test("job: a failed run keeps its journal; the rerun resumes after it and matches an uninterrupted run", async (t) => {
  const dir = await tempDir(t);
  const { path } = await captionsFile(dir, 300);
  const whole = join(dir, "whole");
  await runRewriteJob(jobConfig(path, whole), async () => new FakeRewriter());
  const out = join(dir, "out");
  await assert.rejects(
    runRewriteJob(jobConfig(path, out), async () => new FakeRewriter({ failAt: 200, maxDelayMs: 2 })),
    (err: Error) => err instanceof RewriteFailedError && /rewriting caption 200 \(id 200\) failed: engine exploded/.test(err.message),
  );
  const journal = (await readFile(join(out, ".laclip-rewrite", "journal.jsonl"), "utf8")).trim().split("\n");
  const done = journal.length - 1;
  assert.ok(done > 0 && done <= 200, `journal holds ${done}`);
  journal.slice(1).forEach((l, k) => assert.equal(JSON.parse(l).i, k));
  // a SIGKILL can tear the last line mid-write
  await appendFile(join(out, ".laclip-rewrite", "journal.jsonl"), '{"i":' + done + ',"id":"' + done + '","o":"cap');
  const rw = new FakeRewriter();
  await runRewriteJob(jobConfig(path, out), async () => rw);
  assert.equal(Math.min(...rw.calls), done);
  assert.deepEqual(await outputs(out, FILES), await outputs(whole, FILES));
});

test("job: a resume with other settings is refused and names them; a finished run is left alone", async (t) => {
  const dir = await tempDir(t);
  const { path } = await captionsFile(dir, 50);
  const out = join(dir, "out");
  await assert.rejects(runRewriteJob(jobConfig(path, out), async () => new FakeRewriter({ failAt: 30 })));
  await assert.rejects(
    runRewriteJob(jobConfig(path, out, { settings: { engine: "fake", seed: 2 } }), async () => new FakeRewriter()),
    /journal\.jsonl was started with other settings \(seed: 1 before, 2 now\); run again with the same arguments/,
  );
  await assert.rejects(runRewriteJob(jobConfig(path, out), async () => new FakeRewriter({ sources: ["alpha"] })), /sources: \["alpha","beta"\] before, \["alpha"\] now/);
  await runRewriteJob(jobConfig(path, out), async () => new FakeRewriter());
  const lines: string[] = [];
  const rw = new FakeRewriter();
  await runRewriteJob(jobConfig(path, out, { log: (l) => lines.push(l) }), async () => rw);
  assert.equal(rw.calls.length, 0);
  assert.match(lines.join("\n"), /already complete/);
  await assert.rejects(runRewriteJob(jobConfig(path, out, { settings: { engine: "fake", seed: 9 } }), async () => new FakeRewriter()), /summary\.json was started with other settings/);
});

test("job: bad rows stop the run with their location, or with --on-error skip keep their line as a placeholder", async (t) => {
  const dir = await tempDir(t);
  const path = join(dir, "c.csv");
  await writeFile(path, 'path,caption\na.jpg,first one\nb.jpg,"broken"tail\nc.jpg,third one\n');
  await assert.rejects(runRewriteJob(jobConfig(path, join(dir, "stop")), async () => new FakeRewriter()), /c\.csv, line 3: malformed CSV row/);
  const out = join(dir, "skip");
  const summary = await runRewriteJob(jobConfig(path, out, { onError: "skip" }), async () => new FakeRewriter());
  assert.deepEqual((await readFile(join(out, "alpha.txt"), "utf8")).split("\n"), [fake("alpha", 0, "first one"), "", fake("alpha", 0, "third one"), ""]);
  assert.equal(summary.skippedRows, 1);
  assert.match(summary.problems[0]!, /line 3/);
  const jsonl = (await readFile(join(out, "rewrites.jsonl"), "utf8")).trim().split("\n").map((l) => JSON.parse(l));
  assert.match(jsonl[1].skipped, /malformed CSV row/);
});

test("job: backpressure keeps the reader within the window of the oldest unfinished caption", async (t) => {
  const dir = await tempDir(t);
  const { path } = await captionsFile(dir, 300);
  class SlowFirst extends FakeRewriter {
    firstPending = true;
    startedWhilePending = 0;
    override async rewrite(item: Parameters<FakeRewriter["rewrite"]>[0]) {
      if (this.firstPending) this.startedWhilePending = Math.max(this.startedWhilePending, item.index);
      if (item.index === 0) {
        await new Promise((r) => setTimeout(r, 150));
        this.firstPending = false;
      }
      return super.rewrite(item);
    }
  }
  const rw = new SlowFirst();
  await runRewriteJob(jobConfig(path, join(dir, "out"), { concurrency: 4, window: 40 }), async () => rw);
  assert.ok(rw.startedWhilePending >= 30 && rw.startedWhilePending < 40, `started up to ${rw.startedWhilePending}`);
  assert.ok(rw.maxInFlight <= 4);
});
