import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { runCli } from "../helpers/cli.js";
import { readMergesFile } from "../../src/tokenizer/merges_file.js";

const CAPTIONS = [
  "a photo of a dog playing in the snow",
  "two dogs playing with a red ball on the beach",
  "a cat sleeping on a wooden bench",
  "the snowy mountains at dawn",
];

function setup(t: { after(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), "laclip-tokcli-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, "a.txt"), CAPTIONS.slice(0, 2).join("\n") + "\n");
  writeFileSync(join(dir, "b.txt.gz"), gzipSync(CAPTIONS.slice(2).join("\n")));
  return dir;
}

test("laclip tokenizer train, then encode and decode with the trained file", async (t) => {
  const dir = setup(t);
  const out = join(dir, "merges.txt.gz");
  const trained = await runCli(["tokenizer", "train", "--input", join(dir, "a.txt"), "--input", join(dir, "b.txt.gz"),
    "--merges", "60", "--min-frequency", "1", "--out", out]);
  assert.equal(trained.code, 0, trained.stderr);
  const summary = JSON.parse(trained.stdout.trim());
  assert.equal(summary.lines, 4);
  assert.equal(summary.merges, 60);
  assert.equal(summary.vocabSize, 60 + 514);
  assert.equal(readMergesFile(out).merges.length, 60);
  assert.equal(readFileSync(out)[0], 0x1f);

  const enc = await runCli(["tokenizer", "encode", "--merges", out, "--context", "10", "A dog", "the snowy beach"]);
  assert.equal(enc.code, 0, enc.stderr);
  const rows = enc.stdout.trim().split("\n").map((l) => JSON.parse(l) as number[]);
  assert.equal(rows.length, 2);
  for (const row of rows) {
    assert.equal(row.length, 10);
    assert.equal(row[0], 572); // SOT = vocab size - 2
    assert.ok(row.includes(573));
  }
  const dec = await runCli(["tokenizer", "decode", "--merges", out, JSON.stringify(rows[1])]);
  assert.equal(dec.code, 0, dec.stderr);
  assert.equal(JSON.parse(dec.stdout.trim()), "the snowy beach");
});

test("a malformed merges file or a bad option fails with a one-line message and status 1", async (t) => {
  const dir = setup(t);
  const bad = join(dir, "bad.txt");
  writeFileSync(bad, "#version: 0.2\ni n\noops\n");
  const r = await runCli(["tokenizer", "encode", "--merges", bad, "x"]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, new RegExp(`${bad.replace(/[.]/g, "\\.")}, line 3: expected two symbols`));
  const opt = await runCli(["tokenizer", "train", "--input", join(dir, "a.txt"), "--merges", "ten", "--out", join(dir, "x")]);
  assert.equal(opt.code, 2); // a bad option value is a usage error
  assert.match(opt.stderr, /--merges must be an integer >= 0, got 'ten'/);
});

test("laclip bench tokenizer prints load, cold and steady JSON lines", async (t) => {
  const dir = setup(t);
  const merges = join(dir, "m.txt");
  writeFileSync(merges, "#version: 0.2\nd o\ndo g</w>\n");
  const r = await runCli(["bench", "tokenizer", "--merges", merges, "--captions", join(dir, "a.txt"), "--n", "300", "--json"]);
  assert.equal(r.code, 0, r.stderr);
  const lines = r.stdout.trim().split("\n").map((l) => JSON.parse(l) as Record<string, number | string>);
  assert.deepEqual(lines.map((l) => l.pass), ["load", "cold", "steady"]);
  for (const l of lines.slice(1)) {
    assert.equal(l.captions, 300);
    assert.ok((l.tokens as number) > 300 * 5);
    assert.ok((l.captions_per_s as number) > 0);
  }
});

test("encode and decode use the shipped OpenAI vocabulary when no --merges or LACLIP_BPE is given", async () => {
  const env = { ...process.env, LACLIP_BPE: "" };
  const enc = await runCli(["tokenizer", "encode", "--context", "8", "a photo of a dog"], { env });
  assert.equal(enc.code, 0, enc.stderr);
  assert.deepEqual(JSON.parse(enc.stdout), [49406, 320, 1125, 539, 320, 1929, 49407, 0]);
  const dec = await runCli(["tokenizer", "decode", "[49406, 320, 1125, 539, 320, 1929, 49407]"], { env });
  assert.equal(dec.code, 0, dec.stderr);
  assert.equal(JSON.parse(dec.stdout), "a photo of a dog");
});

test("tokenizer train errors name the CLI flags; encode and decode take the merges file from LACLIP_BPE", async (t) => {
  const dir = setup(t);
  const input = join(dir, "a.txt");
  const neither = await runCli(["tokenizer", "train", "--input", input, "--out", join(dir, "m.txt")]);
  assert.equal(neither.code, 2);
  assert.match(neither.stderr, /^laclip tokenizer: give exactly one of --merges N and --vocab-size V/);
  const huge = await runCli(["tokenizer", "train", "--input", input, "--vocab-size", "99999999", "--out", join(dir, "m.txt")]);
  assert.match(huge.stderr, /^laclip tokenizer: --vocab-size gives \d+ merges/);
  for (const r of [neither, huge]) assert.doesNotMatch(r.stderr, /numMerges|vocabSize/, r.stderr);

  const merges = join(dir, "m.txt");
  assert.equal((await runCli(["tokenizer", "train", "--input", input, "--merges", "20", "--min-frequency", "1", "--out", merges])).code, 0);
  const explicit = await runCli(["tokenizer", "encode", "--merges", merges, "a photo"]);
  assert.equal(explicit.code, 0, explicit.stderr);
  const fromEnv = await runCli(["tokenizer", "encode", "a photo"], { env: { ...process.env, LACLIP_BPE: merges } });
  assert.equal(fromEnv.code, 0, fromEnv.stderr);
  assert.equal(fromEnv.stdout, explicit.stdout);
});
