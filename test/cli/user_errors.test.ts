/**
 * Mistakes a new user makes, through the real CLI: each is one line naming the thing and what to do, exit
 * status 2 for a command line that cannot be used and 1 otherwise, never a JavaScript stack trace, and nothing
 * printed or written before the error.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestContext } from "node:test";
import { writeSafetensors, type HostTensor } from "../../src/io/index.js";
import { runCli, type CliResult } from "../helpers/cli.js";

async function tempDir(t: TestContext): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "laclip-usage-"));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

function oneLine(r: CliResult, command: string, code: number, message: RegExp): void {
  const what = `laclip ${command}: ${r.stderr}`;
  assert.equal(r.code, code, what);
  assert.doesNotMatch(r.stderr, /\n\s+at |Error \[|TypeError|SyntaxError/, `no stack trace: ${what}`);
  const lines = r.stderr.trim().split("\n");
  assert.equal(lines.length, 1, `one line: ${what}`);
  assert.ok(lines[0]!.startsWith(`laclip ${command}: `), what);
  assert.match(lines[0]!, message);
  assert.equal(r.stdout, "", `nothing printed before the error: ${r.stdout}`);
}

test("option parsing: unknown options, missing values and bad values are usage errors (exit 2)", async () => {
  oneLine(await runCli(["train", "--bogus"]), "train", 2, /unknown option '--bogus'; 'laclip train --help' lists the options/);
  oneLine(await runCli(["train", "--config"]), "train", 2, /option '--config' needs a value/);
  oneLine(await runCli(["train", "--config", "cpu-small", "--keep", "-1"]), "train", 2, /option '--keep' needs a value.*--keep=VALUE/);
  oneLine(await runCli(["train", "--config", "cpu-small", "--keep=-1"]), "train", 2, /--keep must be an integer >= 1, got '-1'/);
  oneLine(await runCli(["bench", "matmul", "--size", "5"]), "bench", 2, /unknown option '--size'; 'laclip bench matmul --help' lists the options/);
  oneLine(await runCli(["eval", "--checkpoint", "x.pt", "--images", "d"]), "eval", 2, /--classes is required/);
  oneLine(await runCli(["embed", "--out", "x.safetensors"]), "embed", 2, /give --checkpoint/);
});

test("train: missing or wrong data paths and an output that is a file fail before the config is printed (exit 1)", async (t) => {
  const dir = await tempDir(t);
  const merges = join(dir, "merges.txt");
  const csv = join(dir, "train.csv");
  const file = join(dir, "a-file");
  await writeFile(merges, "#version: 0.2\n");
  await writeFile(csv, "filepath,title\na.png,a cat\n");
  await writeFile(file, "x");
  const env = { ...process.env, LACLIP_BPE: merges };
  const train = (...set: string[]) => runCli(["train", "--config", "cpu-small", ...set.flatMap((s) => ["--set", s])], { env, cwd: dir });
  oneLine(await train("data.train=/nonexistent.csv"), "train", 1, /data\.train: CSV file '\/nonexistent\.csv' does not exist/);
  oneLine(await train(`data.train=${dir}`), "train", 1, /data\.train: '.*' is a directory; give the CSV file itself/);
  oneLine(await train(`data.train=${csv}`, `data.rewrites=[${join(dir, "missing.txt")}]`), "train", 1, /data\.rewrites\[0\]: rewrite file '.*missing\.txt' does not exist/);
  oneLine(await train("data.format=wds", `data.train=${join(dir, "{0..1}.tar")}`), "train", 1, /data\.train: shard '.*0\.tar' does not exist/);
  oneLine(await runCli(["train", "--config", "cpu-small", "--set", `data.train=${csv}`, "--output", file], { env, cwd: dir }), "train", 1,
    /checkpoint\.output_dir: '.*a-file' is an existing file; name a folder/);
  oneLine(await runCli(["train", "--config", "cpu-small", "--set", `data.train=${csv}`, "--merges", join(dir, "nope.txt")], { env, cwd: dir }), "train", 1,
    /--merges: merges file '.*nope\.txt' does not exist/);
});

test("eval and embed check that --out can be written before any work", async (t) => {
  const dir = await tempDir(t);
  const out = join(dir, "no-such-folder", "result.json");
  // the checkpoint does not exist either: the output is checked first, so that is not what the error names
  const e = await runCli(["eval", "--checkpoint", join(dir, "none.pt"), "--images", dir, "--classes", join(dir, "c.txt"), "--out", out]);
  oneLine(e, "eval", 1, /--out .*result\.json: the folder .*no-such-folder does not exist; create it first/);
  const m = await runCli(["embed", "--checkpoint", join(dir, "none.pt"), "--texts", join(dir, "t.txt"), "--out", join(dir, "no-such-folder", "e.safetensors")]);
  oneLine(m, "embed", 1, /--out .*e\.safetensors: the folder .*no-such-folder does not exist/);
  await mkdir(join(dir, "a-folder"));
  oneLine(await runCli(["embed", "--checkpoint", "x.pt", "--texts", "t.txt", "--out", join(dir, "a-folder")]), "embed", 1, /a-folder is a folder; give a file name/);
  assert.equal(existsSync(join(dir, "no-such-folder")), false);
});

test("malformed laclip.config metadata in a safetensors checkpoint is one line naming the file and key", async (t) => {
  const dir = await tempDir(t);
  const images = join(dir, "images");
  await mkdir(images);
  const tensor: HostTensor = { dtype: "f32", shape: [1], data: new Uint8Array(4) };
  const cases: [string, RegExp][] = [
    ["{not json", /the 'laclip\.config' metadata of .*bad0\.safetensors is not valid JSON/],
    [JSON.stringify({ layout: "mystery" }), /the 'laclip\.config' metadata of .*bad1\.safetensors is not a usable model config: layout must be/],
  ];
  for (const [i, [meta, message]] of cases.entries()) {
    const file = join(dir, `bad${i}.safetensors`);
    await writeSafetensors(file, new Map([["logit_scale", tensor]]), { metadata: { "laclip.config": meta } });
    oneLine(await runCli(["embed", "--checkpoint", file, "--images", images, "--out", join(dir, "e.safetensors")]), "embed", 1, message);
  }
});

test("laclip --version prints the package version", async () => {
  const r = await runCli(["--version"]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^laclip \d+\.\d+\.\d+\n$/);
});
