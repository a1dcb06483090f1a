/**
 * A `laclip train` output folder given as --checkpoint (eval, embed) stands for its newest checkpoint, and
 * `embed --out x.npy` writes a real NumPy file (read back with python3's numpy where installed) or refuses.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { copyFile, mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { setNumThreads } from "../../src/engine/index.js";
import { readSafetensors } from "../../src/io/index.js";
import { npyHeader } from "../../src/io/npy/writer.js";
import { train } from "../../src/train/trainer/index.js";
import { runCli } from "../helpers/cli.js";
import { tinyConfig, tinyData } from "../train/trainer_fixtures.js";

setNumThreads(1);

function hasNumpy(): boolean {
  try {
    execFileSync("python3", ["-c", "import numpy"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

test(".npy header: 64-byte aligned, the dict numpy expects", () => {
  const h = npyHeader({ dtype: "f32", shape: [3, 8] });
  assert.equal(h.length % 64, 0);
  const text = new TextDecoder().decode(h.subarray(10));
  assert.equal(text.trimEnd(), "{'descr': '<f4', 'fortran_order': False, 'shape': (3, 8), }");
  assert.ok(text.endsWith("\n"));
  assert.match(new TextDecoder().decode(npyHeader({ dtype: "f32", shape: [5] })), /'shape': \(5,\), }/);
});

test("a run folder as --checkpoint means its newest checkpoint; embed writes .npy or refuses the extension", async (t) => {
  const d = await tinyData(t);
  const run = join(d.dir, "run");
  await train(await tinyConfig(d, run, ["train.epochs=1"]), { merges: d.merges, log: () => {} });
  const texts = join(d.dir, "texts.txt");
  await writeFile(texts, "a red square\na blue stripe\na green square\n");

  const st = join(d.dir, "e.safetensors");
  const a = await runCli(["embed", "--checkpoint", run, "--texts", texts, "--merges", d.merges, "--out", st]);
  assert.equal(a.code, 0, a.stderr);
  assert.match(a.stdout, /the run's newest checkpoint: .*step-00000004/);
  const npy = join(d.dir, "e.npy");
  const b = await runCli(["embed", "--checkpoint", run, "--texts", texts, "--merges", d.merges, "--out", npy]);
  assert.equal(b.code, 0, b.stderr);
  const ref = (await readSafetensors(st)).tensors.get("text_embeds")!;
  assert.deepEqual(ref.shape, [3, 8]);
  if (!hasNumpy()) t.diagnostic("python3 numpy absent: the .npy is not read back by numpy here");
  else {
    const py = "import numpy, sys; a = numpy.load(sys.argv[1]); print(a.dtype, a.shape); sys.stdout.write(a.tobytes().hex())";
    const [head, hex] = execFileSync("python3", ["-c", py, npy], { encoding: "utf8" }).split("\n");
    assert.equal(head, "float32 (3, 8)");
    assert.equal(hex, Buffer.from(ref.data).toString("hex"), "numpy reads the same rows as the safetensors file holds");
  }

  const both = await runCli(["embed", "--checkpoint", run, "--texts", texts, "--images", join(d.dir, "img"), "--merges", d.merges, "--out", npy]);
  assert.equal(both.code, 1);
  assert.match(both.stderr, /^laclip embed: --out .*e\.npy: a \.npy file holds one array; embed images or texts into it, or write \.safetensors for both\n$/);
  const json = await runCli(["embed", "--checkpoint", run, "--texts", texts, "--merges", d.merges, "--out", join(d.dir, "e.json")]);
  assert.equal(json.code, 1);
  assert.match(json.stderr, /write \.safetensors \(both arrays, with the row lists\) or \.npy \(one array\)/);

  // eval takes the run folder too: two classes of two images each
  const images = join(d.dir, "eval");
  for (const [cls, files] of [["red", ["000.png", "008.png"]], ["blue", ["002.png", "010.png"]]] as const) {
    await mkdir(join(images, cls), { recursive: true });
    for (const f of files) await copyFile(join(d.dir, "img", f), join(images, cls, f));
  }
  const classes = join(d.dir, "classes.txt");
  await writeFile(classes, "red\nblue\n");
  const e = await runCli(["eval", "--checkpoint", run, "--images", images, "--classes", classes, "--merges", d.merges]);
  assert.equal(e.code, 0, e.stderr);
  assert.match(e.stdout + e.stderr, /the run's newest checkpoint: .*step-00000004/);
});
