/**
 * `--per-source`: an absurd value is refused before any work, and a large one never holds a file per output slot
 * open: the real CLI runs (and merges shards) under `ulimit -n 64` with 5 sources x 64 slots = 320 output files.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { readFile, readdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { test } from "node:test";
import { cliCommand, runCli, type CliResult } from "../helpers/cli.js";
import { tempDir } from "./job_fixtures.js";

const CAPTIONS = ["a dog on grass", "a red car", "two cats on a sofa", "the sea at night", "a tall tower"];

function underFileLimit(args: string[]): Promise<CliResult> {
  return new Promise((done, reject) => {
    const child = spawn("bash", ["-c", 'ulimit -n 64 && exec "$@"', "bash", ...cliCommand(), ...args], { stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("error", reject);
    child.on("close", (code, signal) => done({ code, signal, stdout, stderr }));
  });
}

async function checkOutputs(dir: string): Promise<void> {
  const names = await readdir(dir);
  assert.ok(!names.some((n) => n.includes(".tmp")), `stray temp files: ${names.filter((n) => n.includes(".tmp")).join(", ")}`);
  const texts = names.filter((n) => n.endsWith(".txt"));
  assert.equal(texts.length, 5 * 64);
  for (const n of ["concise_1.txt", "scene_64.txt"]) assert.equal((await readFile(join(dir, n), "utf8")).split("\n").length, CAPTIONS.length + 1, n);
  const jsonl = (await readFile(join(dir, "rewrites.jsonl"), "utf8")).trim().split("\n").map((l) => JSON.parse(l) as { rewrites: Record<string, string[]> });
  const scene = (await readFile(join(dir, "scene_64.txt"), "utf8")).split("\n");
  jsonl.forEach((r, i) => assert.equal(r.rewrites.scene![63], scene[i]));
}

test("--per-source beyond the limit is refused at once, before the output directory exists", async (t) => {
  const dir = await tempDir(t);
  const input = join(dir, "captions.txt");
  await writeFile(input, CAPTIONS.join("\n") + "\n");
  const r = await runCli(["rewrite", "--input", input, "--output", join(dir, "out"), "--per-source", "100000"]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /^laclip rewrite: --per-source 100000 is more than 64 rewrites per caption per source .*use at most 64\n$/);
  assert.equal(existsSync(join(dir, "out")), false);
});

test("320 output slots under a 64-file limit: one run, and two shards merged", { timeout: 120_000 }, async (t) => {
  const dir = await tempDir(t);
  const input = join(dir, "captions.txt");
  await writeFile(input, CAPTIONS.join("\n") + "\n");
  const common = ["--input", input, "--per-source", "64", "--progress", "none"];
  const one = await underFileLimit(["rewrite", ...common, "--output", join(dir, "one")]);
  assert.equal(one.code, 0, one.stderr);
  await checkOutputs(join(dir, "one"));
  for (const s of ["0/2", "1/2"]) {
    const r = await underFileLimit(["rewrite", ...common, "--output", join(dir, "sharded"), "--shard", s]);
    assert.equal(r.code, 0, r.stderr);
  }
  const merged = await underFileLimit(["rewrite", "merge", "--output", join(dir, "sharded"), "--shards", "2"]);
  assert.equal(merged.code, 0, merged.stderr);
  await checkOutputs(join(dir, "sharded"));
  assert.equal(await readFile(join(dir, "sharded", "scene_64.txt"), "utf8"), await readFile(join(dir, "one", "scene_64.txt"), "utf8"));
});
