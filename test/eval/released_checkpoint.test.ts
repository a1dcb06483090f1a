/**
 * `evalFromFiles` on checkpoints in the released layouts (the tiny parity fixtures: a LaCLIP/SLIP `torch.save`
 * file with `module.` keys, and an open_clip one) with OpenAI's real BPE: the `.pt` file and the same weights
 * as safetensors must give the same result. Skips when ../shared is absent.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import sharp from "sharp";
import { evalFromFiles } from "../../src/eval/index.js";
import { sharedPath } from "../helpers/shared.js";

const CLASSES = ["sky", "grass", "sunset"];
const FILL = [{ r: 80, g: 140, b: 230 }, { r: 40, g: 170, b: 60 }, { r: 240, g: 120, b: 40 }];

for (const family of ["laclip_slip", "open_clip"]) {
  test(`${family}: checkpoint.pt and weights.safetensors give the same zero-shot result`, async (t) => {
    const dir = sharedPath(t, "reference", "parity", family);
    const merges = sharedPath(t, "reference", "bpe_simple_vocab_16e6.txt.gz");
    if (dir === undefined || merges === undefined) return;
    const root = await mkdtemp(join(tmpdir(), "laclip-eval-released-"));
    t.after(() => rm(root, { recursive: true, force: true }));
    for (const [i, c] of CLASSES.entries()) {
      await mkdir(join(root, "v", c), { recursive: true });
      for (const k of [0, 1]) {
        await sharp({ create: { width: 30 + 9 * k, height: 34, channels: 3, background: FILL[i]! } }).jpeg().toFile(join(root, "v", c, `${k}.jpg`));
      }
    }
    await writeFile(join(root, "classes.txt"), CLASSES.join("\n") + "\n");
    // widths 48 and 40 are not multiples of 64, so the heads (4 in both towers) cannot be inferred from shapes
    const overrides = { vision: { heads: 4 }, text: { heads: 4 } };
    const common = { images: join(root, "v"), classes: join(root, "classes.txt"), templates: "laclip-7", merges, batch: 4, overrides };
    const pt = await evalFromFiles({ ...common, checkpoint: join(dir, "checkpoint.pt") });
    const st = await evalFromFiles({ ...common, checkpoint: join(dir, "weights.safetensors") });
    assert.equal(pt.n_images, 6);
    assert.equal(pt.n_templates, 7);
    assert.equal(pt.metrics.acc5, null); // 3 classes
    assert.deepEqual(pt.metrics, st.metrics);
    assert.deepEqual(pt.per_class, st.per_class);
    assert.equal(pt.model, st.model);
  });
}
