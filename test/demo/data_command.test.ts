import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdir, readdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { ConfigError } from "../../src/errors/config_error.js";
import { run } from "../../src/demo/data/prepare_command.js";
import { prepareDemoData } from "../../src/demo/data/index.js";
import { tempDir } from "./data_fixtures.js";

async function captured(argv: string[]): Promise<{ code: number; out: string[] }> {
  const out: string[] = [];
  const log = console.log;
  const err = process.stderr.write;
  console.log = (...a: unknown[]) => void out.push(a.join(" "));
  process.stderr.write = (() => true) as typeof process.stderr.write;
  try {
    return { code: await run(argv), out };
  } finally {
    console.log = log;
    process.stderr.write = err;
  }
}

test("prepare command: options parsed into a run that prints one JSON line", async (t) => {
  const dir = await tempDir(t);
  const { code, out } = await captured(["--work-dir", dir, "--train-styles", "twemoji,openmoji", "--eval-styles", "noto", "--size", "16", "--max-emoji", "6"]);
  assert.equal(code, 0);
  assert.equal(out.length, 1);
  const line = JSON.parse(out[0]!);
  assert.equal(line.train_csv, join(dir, "dataset", "train.csv"));
  assert.equal(line.counts.emoji, 6);
  assert.equal(line.counts.trainImages, 12);
  assert.deepEqual(Object.keys(line.eval_sets), ["noto/name", "noto/subgroup"]);
  assert.equal((await captured(["--help"])).code, 0);
  await assert.rejects(captured(["--work-dir", dir, "--size", "big"]), (e: unknown) => e instanceof ConfigError && /--size/.test(e.message));
  await assert.rejects(captured(["--bogus"]), ConfigError);
});

test("a 'dataset' folder this code did not write is refused, never deleted", async (t) => {
  const dir = await tempDir(t);
  await mkdir(join(dir, "dataset"));
  await writeFile(join(dir, "dataset", "mine.txt"), "keep me");
  const opts = { workDir: dir, trainStyles: ["twemoji"], evalStyles: ["noto"], size: 16, maxEmoji: 2, log: () => {} };
  await assert.rejects(prepareDemoData(opts), (e: unknown) => e instanceof ConfigError && /was not written by the demo's data preparation/.test(e.message));
  assert.deepEqual(await readdir(join(dir, "dataset")), ["mine.txt"]);
  assert.deepEqual((await readdir(dir)).sort(), ["dataset"], "refused before rendering anything");
});
