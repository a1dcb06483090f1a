/**
 * scripts/device/gpu-check.sh --dry-run: the GPU check's own script, run on this CPU machine with tiny sizes
 * (docs/gpu.md). Every part runs for real (parity on the fixtures, the train-step benchmark against the
 * PyTorch peer, train killed and resumed, eval) and the test reads the JSON lines it printed, on stdout and in
 * $OUT/gpu-check.jsonl. The bundle is made without Node and with light compression, and the dry run unpacks
 * the app and fixtures from it, so the packages bundle.sh picks are the ones that run.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { projectRoot, sharedPath } from "../helpers/shared.js";

type Line = Record<string, unknown> & { check: string; ok: boolean | null };

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: projectRoot(), env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "", stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

test("gpu-check.sh --dry-run from a bundle: every check passes and is reported as JSON lines", async (t) => {
  if (sharedPath(t, "reference", "parity", "open_clip") === undefined || sharedPath(t, "bench", "torch_clip_step.py") === undefined) return;
  if (!existsSync(join(projectRoot(), "native", "build", "Release", "laclip_native.node"))) return t.skip("native addon not built");
  const dir = await mkdtemp(join(tmpdir(), "laclip-gpu-check-"));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const env = { ...process.env, OUT: join(dir, "out"), LACLIP_NUM_THREADS: "1" };

  const b = await run("bash", ["scripts/device/bundle.sh", "--out", join(dir, "bundle"), "--no-node", "--fast"], env);
  assert.equal(b.code, 0, b.stderr);
  const manifest = JSON.parse(readFileSync(join(dir, "bundle", "MANIFEST.json"), "utf8")) as { node: string; packages: number };
  assert.equal(manifest.node, "none");
  assert.ok(manifest.packages > 5);

  const r = await run("bash", ["scripts/device/gpu-check.sh", "--dry-run", "--bundle", join(dir, "bundle"), "--work", join(dir, "work")], env);
  const lines = r.stdout.trim().split("\n").map((l) => JSON.parse(l) as Line);
  const saved = readFileSync(join(dir, "out", "gpu-check.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l) as Line);
  assert.deepEqual(saved, lines, "$OUT/gpu-check.jsonl holds the same lines as stdout");
  assert.ok(existsSync(join(dir, "out", "gpu-check-logs.tar.gz")), "the parts' logs come back in $OUT");
  const one = (check: string): Line => {
    const found = lines.filter((l) => l.check === check);
    assert.equal(found.length, 1, `one '${check}' line in:\n${r.stdout}\n${r.stderr}`);
    return found[0]!;
  };
  assert.equal(one("summary").ok, true, r.stdout + r.stderr);
  assert.equal(r.code, 0);

  const env0 = one("env");
  assert.equal(env0.device, "cpu");
  assert.equal(env0.dry_run, true);
  assert.match(String(env0.torch), /^\d+\.\d+/);

  const parity = lines.filter((l) => l.check === "parity");
  for (const family of ["open_clip", "laclip_slip"]) {
    const qs = parity.filter((l) => l.family === family).map((l) => l.quantity);
    for (const q of ["image_embed", "text_embed", "loss", "loss_multi_text", "grad"]) assert.ok(qs.includes(q), `${family} ${q} checked`);
    assert.ok(!qs.includes("checkpoint_load"), "the device check compares numbers only");
  }
  assert.ok(parity.every((l) => l.ok === true), JSON.stringify(parity.filter((l) => l.ok !== true)));

  const ours = one("bench-train");
  assert.equal(ours.engine, "laclip");
  assert.equal(ours.device, "cpu");
  assert.ok(Number(ours.samples_per_s) > 0);
  const peer = one("bench-train-peer");
  assert.equal(peer.peer, "pytorch-eager");
  assert.equal(peer.compiled, false);
  assert.ok(Number(peer.samples_per_s) > 0);
  assert.equal(peer.peak_gpu_bytes, null, "no GPU memory on the CPU");
  const ratio = one("bench-train-ratio");
  assert.ok(Math.abs(Number(ratio.ratio_vs_eager) - Number(ours.samples_per_s) / Number(peer.samples_per_s)) < 0.01);

  const trained = one("train");
  assert.equal(trained.step, 12);
  assert.ok(Number.isFinite(Number(trained.last_loss)));
  const resume = one("train-resume");
  assert.deepEqual([resume.killed, resume.identical_model, resume.identical_optimizer, resume.ok], [true, true, true, true]);
  assert.match(String(resume.resumed_from), /^step-0000000[4-9]|^step-000000[1-9]\d/);
  const evaluated = one("eval");
  assert.equal(evaluated.n_classes, 8);
  assert.equal(evaluated.n_images, 24);
  const embed = one("bench-embed");
  assert.deepEqual([embed.ok, embed.device, embed.mode], [true, "cpu", "infer"]);
  assert.ok(Number(embed.pairs_per_s) > 0);
});
