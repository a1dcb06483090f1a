/**
 * The demo's emoji as evaluation sets in every layout: icon styles as splits (twemoji train, openmoji val, noto
 * test), emoji names as classes and as captions. The same test images as an ImageFolder and as CLIP_benchmark
 * shards must give the same features and metrics through a real (tiny, random) CLIP; every task runs on them.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import sharp from "sharp";
import { Generator } from "../../src/engine/index.js";
import { CLIP, clipPreset } from "../../src/models/clip/index.js";
import { ClipTokenizer } from "../../src/tokenizer/index.js";
import { loadIconSet, moduleDirs, resolveIcon } from "../../src/demo/data/index.js";
import { iconSvg } from "../../src/demo/data/svg.js";
import { classesFromNames, clipEvalInputs, openImageFolder, runDatasetTasks, zeroShotEval, type TaskResult } from "../../src/eval/index.js";
import { tempDir, writeTar } from "../train/data_fixtures.js";
import { colourMerges } from "./tiny_models.js";

const ICONS = ["red-apple", "dog-face", "cat-face", "sun", "snowflake", "rocket"];
const NAMES = ICONS.map((n) => n.replace("-", " "));
const STYLES: Record<string, string> = { train: "twemoji", val: "openmoji", test: "noto" };

async function render(style: string, icon: string, size: number): Promise<Buffer> {
  const set = await loadIconSet(style, moduleDirs());
  const r = resolveIcon(set, icon);
  if (r === undefined) throw new Error(`${style} has no ${icon}`);
  return sharp(Buffer.from(iconSvg(r, size))).flatten({ background: "#ffffff" }).png().toBuffer();
}

test("emoji styles as splits: WebDataset and ImageFolder agree, and every task runs on a real CLIP", async (t) => {
  const dir = await tempDir(t);
  const root = join(dir, "wds_emoji");
  await writeFile(join(await mkdirp(root), "classnames.txt"), `${NAMES.join("\n")}\n`);
  await writeFile(join(root, "zeroshot_classification_templates.txt"), "a {c} emoji.\n");
  for (const [split, style] of Object.entries(STYLES)) {
    const members: { name: string; data: Buffer | string }[] = [];
    for (const [label, icon] of ICONS.entries()) {
      for (const size of [24, 32]) {
        const png = await render(style, icon, size);
        members.push({ name: `${icon}-${size}.png`, data: png }, { name: `${icon}-${size}.cls`, data: String(label) });
        if (split === "test") await writeFile(join(await mkdirp(join(dir, "folder", NAMES[label]!)), `${size}.png`), png);
      }
    }
    await writeTar(join(root, split, "0.tar"), members);
    await writeFile(join(root, split, "nshards.txt"), "1\n");
  }
  // captions: the noto images, each captioned with its name
  const caps = join(dir, "wds_caps");
  const capMembers: { name: string; data: Buffer | string }[] = [];
  for (const [i, icon] of ICONS.entries()) capMembers.push({ name: `${icon}.png`, data: await render("noto", icon, 32) }, { name: `${icon}.txt`, data: `${NAMES[i]}\na ${NAMES[i]} emoji\n` });
  await writeTar(join(caps, "test", "0.tar"), capMembers);
  await writeFile(join(caps, "test", "nshards.txt"), "1\n");
  await writeFile(join(caps, "dataset_type.txt"), "retrieval\n");

  const model = new CLIP(clipPreset("laclip-tiny"), { generator: new Generator(7) });
  t.after(() => model.dispose());
  const tok = new ClipTokenizer(colourMerges(NAMES.join(" ").split(" ")), { contextLength: 16 });
  const inputs = clipEvalInputs(model.config);
  const o = {
    ...inputs, tokenizer: tok, identity: { model: "laclip-tiny", pretrained: "seed7", checkpoint: "seed7" }, batchSize: 5,
    tasks: ["zeroshot_classification", "linear_probe", "few_shot"] as const, valSplit: "val", linearProbe: { epochs: 2 }, fewShot: { ways: 3, shots: 1, queries: 1, episodes: 8 },
  };
  const results = await runDatasetTasks(model, { dataset: "wds/emoji", root }, o);
  const [zs, lp, fs] = results as [TaskResult, TaskResult, TaskResult];
  const folder = await zeroShotEval(model, await openImageFolder(join(dir, "folder"), classesFromNames(NAMES)), { ...inputs, tokenizer: tok, templates: ["a {c} emoji."] });
  assert.deepEqual(zs.metrics, { acc1: folder.acc1, acc5: folder.acc5, mean_per_class_recall: folder.meanPerClassRecall }, "tar members and files give the same answer");
  assert.deepEqual(zs.per_class!.map((c) => c.correct1), folder.perClass.map((c) => c.correct1));
  assert.deepEqual([lp.counts.n_train, lp.counts.n_val, lp.counts.n_test], [12, 12, 12]);
  assert.equal((lp.search ?? []).length, 19, "a validation split turns on the weight decay search");
  assert.ok(typeof fs.metrics.fewshot_acc === "number" && fs.metrics.fewshot_acc >= 0 && fs.metrics.fewshot_acc <= 1);
  const [ret] = await runDatasetTasks(model, { dataset: "wds/caps", root: caps }, { ...o, tasks: ["zeroshot_retrieval"], recallK: [1, 6, 12] });
  assert.equal(ret!.counts.n_captions, 12);
  assert.equal(ret!.metrics["image_retrieval_recall@6"], 1, "k = the image count finds every image");
  assert.equal(ret!.metrics["text_retrieval_recall@12"], 1, "k = the caption count finds a caption of every image");
  for (const v of Object.values(ret!.metrics)) assert.ok(typeof v === "number" && v >= 0 && v <= 1);
});

async function mkdirp(d: string): Promise<string> {
  await mkdir(d, { recursive: true });
  return d;
}
