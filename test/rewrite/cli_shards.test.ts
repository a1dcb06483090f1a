/** The real CLI: Slurm-array and Kubernetes sharding, `rewrite merge`, and one-line failures. */
import assert from "node:assert/strict";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { test } from "node:test";
import { runCli } from "../helpers/cli.js";
import { cleanEnv, tempDir } from "./job_fixtures.js";

const OUTPUTS = ["concise.txt", "scene.txt", "rewrites.jsonl"];

test("cli: Slurm and Kubernetes shards merge into exactly the unsharded output", async (t) => {
  const dir = await tempDir(t);
  const input = join(dir, "c.txt");
  await writeFile(input, Array.from({ length: 90 }, (_, i) => `a person walking a dog number ${i} in the park at dusk`).join("\n") + "\n");
  const base = ["rewrite", "--input", input, "--engine", "eda", "--sources", "concise,scene", "--seed", "3", "--progress", "none"];
  const root = join(dir, "root");
  const [whole, s0, s1, s2] = await Promise.all([
    runCli([...base, "--output", join(dir, "whole")], { env: cleanEnv() }),
    runCli([...base, "--output", root], { env: cleanEnv({ SLURM_ARRAY_TASK_ID: "1", SLURM_ARRAY_TASK_MIN: "1", SLURM_ARRAY_TASK_COUNT: "3" }) }),
    runCli([...base, "--output", root, "--shard", "1/3"], { env: cleanEnv() }),
    runCli([...base, "--output", root, "--shard-count", "3"], { env: cleanEnv({ JOB_COMPLETION_INDEX: "2" }) }),
  ]);
  for (const r of [whole, s0, s1, s2]) assert.equal(r.code, 0, r.stderr);
  assert.match(s0.stderr, /shard 0\/3 from SLURM_ARRAY_TASK_ID/);
  assert.match(s2.stderr, /shard 2\/3 from JOB_COMPLETION_INDEX/);
  assert.match(s1.stdout, /^rewrite shard 1\/3: 30 captions/);
  const merged = await runCli(["rewrite", "merge", "--output", root, "--shards", "3"], { env: cleanEnv() });
  assert.equal(merged.code, 0, merged.stderr);
  assert.match(merged.stdout, /^rewrite 90 captions/);
  for (const f of OUTPUTS) assert.equal(await readFile(join(root, f), "utf8"), await readFile(join(dir, "whole", f), "utf8"), f);
  const missing = await runCli(["rewrite", "merge", "--output", join(dir, "nothing"), "--shards", "2"], { env: cleanEnv() });
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /^laclip rewrite: .*shard-00000-of-00002 is not a finished shard \(no summary\.json\).*\n$/);
});

test("cli: a failed run exits non-zero with a one-line reason", async (t) => {
  const dir = await tempDir(t);
  const csv = join(dir, "bad.csv");
  await writeFile(csv, 'path,caption\na.jpg,a fine caption here\nb.jpg,"oops"x\n');
  const out = join(dir, "out");
  const [bad, unknown, noInput] = await Promise.all([
    runCli(["rewrite", "--input", csv, "--output", out, "--progress", "none"], { env: cleanEnv() }),
    runCli(["rewrite", "--input", csv, "--output", out, "--frobnicate"], { env: cleanEnv() }),
    runCli(["rewrite", "--output", out], { env: cleanEnv() }),
  ]);
  assert.equal(bad.code, 1);
  assert.equal(bad.stderr.trim().split("\n").length, 1, bad.stderr);
  assert.match(bad.stderr, /^laclip rewrite: .*bad\.csv, line 3: malformed CSV row: text after the closing quote/);
  assert.notEqual(unknown.code, 0);
  assert.match(unknown.stderr, /frobnicate/);
  assert.match(noInput.stderr, /^laclip rewrite: give --input FILE\|DIR/);
  const skipped = await runCli(["rewrite", "--input", csv, "--output", out, "--progress", "none", "--on-error", "skip"], { env: cleanEnv() });
  assert.equal(skipped.code, 0, skipped.stderr);
  assert.match(skipped.stdout, /2 captions \(1 rewritten, 0 empty, 1 bad rows skipped\)/);
  const other = await runCli(["rewrite", "--input", csv, "--output", out, "--progress", "none", "--seed", "5"], { env: cleanEnv() });
  assert.equal(other.code, 1);
  assert.match(other.stderr, /^laclip rewrite: .*summary\.json was started with other settings \(seed: 0 before, 5 now\)[^\n]*\n$/);
});

test("cli: SIGTERM (Slurm preemption) stops with a one-line reason, keeps the finished captions, and the rerun completes", async (t) => {
  const { spawn } = await import("node:child_process");
  const { cliCommand } = await import("../helpers/cli.js");
  const { startOpenAIServer } = await import("../helpers/openai_server.js");
  const srv = await startOpenAIServer({ latencyMs: 25 });
  t.after(() => srv.close());
  const dir = await tempDir(t);
  const input = join(dir, "c.txt");
  await writeFile(input, Array.from({ length: 200 }, (_, i) => `a quiet street with parked bicycles, photo ${i}`).join("\n") + "\n");
  const argv = ["rewrite", "--input", input, "--output", join(dir, "out"), "--base-url", srv.baseUrl, "--sources", "concise", "--concurrency", "4", "--progress", "none"];
  const [cmd, ...pre] = cliCommand();
  const child = spawn(cmd!, [...pre, ...argv], { stdio: ["ignore", "pipe", "pipe"], env: cleanEnv() });
  let stderr = "";
  child.stderr!.on("data", (d: Buffer) => (stderr += d.toString()));
  while (srv.stats.completions < 20) await new Promise((r) => setTimeout(r, 10));
  child.kill("SIGTERM");
  const code = await new Promise<number | null>((r) => child.on("exit", (c) => r(c)));
  assert.equal(code, 1);
  assert.match(stderr, /^laclip rewrite: interrupted by SIGTERM; the captions finished so far are kept: run the same command again to resume\n$/);
  const again = await runCli(argv, { env: cleanEnv() });
  assert.equal(again.code, 0, again.stderr);
  const done = Number(/resuming: (\d+) captions/.exec(again.stderr)?.[1]);
  assert.ok(done >= 10 && done < 200, `resumed after ${done}`);
  assert.equal((await readFile(join(dir, "out", "concise.txt"), "utf8")).split("\n").length, 201);
});
