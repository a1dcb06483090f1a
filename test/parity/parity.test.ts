import { test } from "node:test";
import assert from "node:assert/strict";
import { copyFile, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readSafetensors, writeSafetensors } from "../../src/io/index.js";
import { runParity, type ParityResult } from "../../src/parity/index.js";
import { runCli } from "../helpers/cli.js";
import { sharedPath } from "../helpers/shared.js";

const QUANTITIES = ["config", "state_dict_keys", "input_text_ids", "image_embed", "text_embed", "logit_scale", "loss", "loss_multi_text", "grad", "checkpoint_weights", "checkpoint_load"];

const parse = (stdout: string): ParityResult[] => stdout.trim().split("\n").map((l) => JSON.parse(l) as ParityResult);

test("laclip parity passes on the shipped fixtures, one JSON line per family and quantity", async (t) => {
  const dir = sharedPath(t, "reference", "parity");
  if (dir === undefined) return;
  const r = await runCli(["parity", dir]);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  const lines = parse(r.stdout);
  for (const l of lines) assert.equal(l.ok, true, JSON.stringify(l));
  assert.deepEqual(lines.filter((l) => l.family === "tokenizer").map((l) => l.quantity), ["token_ids"]);
  assert.ok(lines.find((l) => l.family === "tokenizer")!.n > 100);
  for (const family of ["laclip_slip", "open_clip"]) {
    assert.deepEqual(lines.filter((l) => l.family === family).map((l) => l.quantity), QUANTITIES, family);
    const grad = lines.find((l) => l.family === family && l.quantity === "grad")!;
    assert.deepEqual([grad.atol, grad.rtol], [1e-5, 1e-3]);
    assert.ok(grad.n > 2_000_000, "every parameter's gradient is compared");
    const loss = lines.find((l) => l.family === family && l.quantity === "loss")!;
    assert.deepEqual([loss.atol, loss.rtol], [1e-5, 1e-4]);
  }
});

test("the library gives the same verdicts as the command", async (t) => {
  const dir = sharedPath(t, "reference", "parity");
  if (dir === undefined) return;
  const seen: string[] = [];
  const results = await runParity([dir], { onResult: (r) => seen.push(r.quantity) });
  assert.equal(results.length, seen.length);
  assert.ok(results.length >= 1 + 2 * QUANTITIES.length);
  assert.ok(results.every((r) => r.ok), JSON.stringify(results.filter((r) => !r.ok)));
});

test("a fixture whose loss and one gradient are off fails those lines and the exit status", async (t) => {
  const src = sharedPath(t, "reference", "parity", "open_clip");
  if (src === undefined) return;
  const dir = await mkdtemp(join(tmpdir(), "laclip-parity-"));
  try {
    const fam = join(dir, "open_clip");
    await mkdir(fam);
    for (const f of ["config.json", "weights.safetensors", "checkpoint.pt"]) await copyFile(join(src, f), join(fam, f));
    const { tensors } = await readSafetensors(join(src, "io.safetensors"));
    const bump = (key: string, index: number, factor: number) => {
      const h = tensors.get(key)!;
      const f = new Float32Array(h.data.slice().buffer);
      f[index] = f[index]! * factor + 1e-3;
      tensors.set(key, { ...h, data: new Uint8Array(f.buffer) });
    };
    bump("output.loss", 0, 1.001);
    bump("grad.visual.conv1.weight", 17, 1.01);
    await writeSafetensors(join(fam, "io.safetensors"), tensors);
    const r = await runCli(["parity", dir]);
    assert.equal(r.code, 1);
    const bad = parse(r.stdout).filter((l) => !l.ok).map((l) => l.quantity);
    assert.deepEqual(bad, ["loss", "grad"]);
    assert.match(parse(r.stdout).find((l) => l.quantity === "grad")!.detail!, /visual\.conv1\.weight/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test("a missing directory gives one clear line, and nothing checked is an error", async () => {
  const missing = join(tmpdir(), "laclip-no-such-parity-dir");
  const r = await runCli(["parity", missing]);
  assert.equal(r.code, 2);
  const lines = r.stdout.trim().split("\n");
  assert.equal(lines.length, 1);
  assert.deepEqual(JSON.parse(lines[0]!), { dir: missing, ok: null, skipped: `no such directory: ${missing}` });
});

test("a directory without fixtures fails with a line saying so", async () => {
  const dir = await mkdtemp(join(tmpdir(), "laclip-parity-empty-"));
  try {
    await writeFile(join(dir, "unrelated.txt"), "x");
    const r = await runCli(["parity", dir]);
    assert.equal(r.code, 1);
    assert.match(r.stdout, /no tokenizer_cases\.jsonl/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test("LACLIP_PARITY_DIRS lists the directories when none are given", async (t) => {
  const dir = sharedPath(t, "reference", "parity");
  if (dir === undefined) return;
  const missing = join(tmpdir(), "laclip-no-such-parity-dir-2");
  const r = await runCli(["parity"], { env: { ...process.env, LACLIP_PARITY_DIRS: `${missing}:${dir}` } });
  assert.equal(r.code, 0, r.stdout + r.stderr);
  const lines = r.stdout.trim().split("\n").map((l) => JSON.parse(l) as { dir: string; skipped?: string; ok: boolean | null });
  assert.deepEqual(lines[0], { dir: missing, ok: null, skipped: `no such directory: ${missing}` });
  assert.ok(lines.slice(1).length > 20 && lines.slice(1).every((l) => l.dir === dir && l.ok === true));
});
