/**
 * Parity on fixtures the suite has not seen: other sizes, switches and seeds. With Debian's python3-torch
 * present, PyTorch writes them (test/parity/make_fixture.py); without it that test skips with one line. The
 * second test needs no Python: it writes a fixture from this project's own model with unusual settings, which
 * cannot show agreement with PyTorch but does show that every config field reaches the model.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { manualSeed, randint, randn, tidy } from "../../src/engine/index.js";
import { writeSafetensors, type HostTensor } from "../../src/io/index.js";
import { CLIP, resolveClipConfig } from "../../src/models/clip/index.js";
import type { ParityResult } from "../../src/parity/index.js";
import { runCli } from "../helpers/cli.js";
import { projectRoot } from "../helpers/shared.js";

const PY = "/usr/bin/python3";
const parse = (stdout: string): ParityResult[] => stdout.trim().split("\n").map((l) => JSON.parse(l) as ParityResult);

function torchAvailable(): boolean {
  const r = spawnSync(PY, ["-c", "import torch"], { timeout: 60_000 });
  return r.status === 0;
}

test("PyTorch-written fixtures of other sizes and switches pass", async (t) => {
  if (!torchAvailable()) {
    t.skip(`${PY} with torch is not installed (apt-get install python3-torch); fixture generation skipped`);
    return;
  }
  const dir = await mkdtemp(join(tmpdir(), "laclip-genfix-"));
  try {
    const script = join(projectRoot(), "test", "parity", "make_fixture.py");
    const runs = [
      ["--family", "laclip_slip", "--seed", "21", "--image-size", "30", "--patch", "5", "--vision-width", "24", "--vision-heads", "3", "--vision-layers", "2",
        "--text-width", "36", "--text-heads", "6", "--text-layers", "2", "--context-length", "10", "--embed-dim", "20", "--batch", "5", "--rewrites", "1"],
      ["--family", "open_clip", "--seed", "22", "--image-size", "16", "--patch", "4", "--vision-width", "32", "--vision-heads", "8", "--vision-layers", "1",
        "--text-width", "24", "--text-heads", "2", "--text-layers", "3", "--context-length", "7", "--embed-dim", "12",
        "--text-activation", "quick_gelu", "--patch-bias", "1", "--ln-pre", "0", "--vision-ln-eps", "0.001",
        "--container", "model", "--no-module-prefix"],
    ];
    for (const args of runs) {
      const r = spawnSync(PY, [script, "write", "--out", dir, ...args], { encoding: "utf8", timeout: 120_000 });
      assert.equal(r.status, 0, r.stderr);
    }
    const r = await runCli(["parity", dir]);
    const lines = parse(r.stdout);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.equal(lines.filter((l) => l.quantity === "grad").length, 2);
    assert.ok(lines.every((l) => l.ok), r.stdout);
    const read = lines.find((l) => l.family === "open_clip" && l.quantity === "checkpoint_weights")!;
    assert.match(read.detail!, /'model' entry/);
    assert.doesNotMatch(read.detail!, /module\./);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

const host = (m: Map<string, HostTensor>, k: string, h: HostTensor) => m.set(k, h);

test("every fixture config field reaches the model (self-written fixture, no PyTorch)", async () => {
  const dir = await mkdtemp(join(tmpdir(), "laclip-selffix-"));
  try {
    const fam = join(dir, "laclip_odd");
    await mkdir(fam);
    const fixture = {
      embed_dim: 10, image_size: 18, patch: 6, vision_width: 30, vision_layers: 2, vision_heads: 5, context_length: 9,
      vocab_size: 300, text_width: 28, text_layers: 1, text_heads: 7, batch: 3, family: "laclip_odd",
      text_activation: "gelu", vision_activation: "quick_gelu", image_pooling: "cls", vision_ln_eps: 1e-2, text_ln_eps: 1e-3,
      qk_norm: false, qk_norm_eps: null, vision_ln_pre: true, patch_bias: false, attention_scale: "head_dim ** -0.5",
    };
    const config = resolveClipConfig({
      layout: "laclip", embedDim: 10,
      vision: { imageSize: 18, patchSize: 6, width: 30, layers: 2, heads: 5, activation: "quick_gelu", lnEps: 1e-2, qkNorm: false, lnPre: true, patchBias: false },
      text: { contextLength: 9, vocabSize: 300, width: 28, layers: 1, heads: 7, activation: "gelu", lnEps: 1e-3 },
    });
    manualSeed(4);
    const model = new CLIP(config);
    const io = new Map<string, HostTensor>();
    tidy(() => {
      const images = randn([3, 3, 18, 18]);
      const texts = [0, 1].map(() => {
        const t = randint(1, 299, [3, 9]);
        t.select(1, 8).fill_(299).dispose();
        return t;
      });
      const out = model.forward(images, texts[0]!, { loss: true, multiText: [texts[1]!] });
      out.loss!.backward();
      host(io, "input.image", images.toHost());
      host(io, "input.text", texts[0]!.toHost());
      host(io, "input.text_mt.1", texts[1]!.toHost());
      host(io, "output.image_embed", model.encodeImage(images).toHost());
      host(io, "output.text_embed", model.encodeText(texts[0]!).toHost());
      host(io, "output.loss", out.loss!.reshape(1).toHost());
      host(io, "output.loss_multi_text", out.multiTextLoss!.reshape(1).toHost());
      for (const [k, p] of model.namedParameters()) host(io, `grad.${k}`, p.grad!.toHost());
    });
    await writeSafetensors(join(fam, "weights.safetensors"), model.hostStateDict());
    await writeSafetensors(join(fam, "io.safetensors"), io);
    await writeFile(join(fam, "config.json"), JSON.stringify(fixture));
    model.dispose();
    const r = await runCli(["parity", dir]);
    const lines = parse(r.stdout);
    assert.equal(r.code, 1, "no checkpoint.pt was written, so those lines fail");
    for (const l of lines) {
      if (l.quantity.startsWith("checkpoint")) assert.equal(l.ok, false);
      else assert.equal(l.ok, true, JSON.stringify(l));
    }
    assert.match(lines.find((l) => l.quantity === "checkpoint_weights")!.detail!, /checkpoint\.pt/);
    assert.ok(lines.some((l) => l.quantity === "grad" && l.ok));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
