import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { mkdtemp, readFile, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ConfigError } from "../../src/errors/config_error.js";
import { CsvSource } from "../../src/train/data/csv_source.js";
import { csvSource } from "../../src/rewrite/io/csv_reader.js";
import { parseCsvRecord } from "../../src/io/csv/index.js";
import { DEMO_TEMPLATES, prepareDemoData, type PreparedDemoData } from "../../src/demo/data/index.js";
import { tempDir } from "./data_fixtures.js";

const OPTS = { trainStyles: ["twemoji", "noto", "openmoji"], evalStyles: ["fluent-emoji-flat"], size: 16, maxEmoji: 20, seed: 3 };
let work: string;
let r: PreparedDemoData;
let manifest: { emoji: { key: string; name: string; subgroup: string }[] };

before(async () => {
  work = await mkdtemp(join(tmpdir(), "laclip-demo-"));
  r = await prepareDemoData({ ...OPTS, workDir: work, log: () => {} });
  manifest = JSON.parse(await readFile(r.manifestFile, "utf8"));
});

after(() => rm(work, { recursive: true, force: true }));

test("the training CSV is read by CsvSource and by the rewrite step's CSV reader, one row per (emoji, style)", async () => {
  assert.equal(manifest.emoji.length, 20);
  const src = await CsvSource.open({ csv: r.trainCsv, log: (l) => assert.fail(`unexpected non-sample rows: ${l}`) });
  try {
    assert.equal(src.size, 60);
    for (const [i, style] of OPTS.trainStyles.entries()) {
      for (const [j, e] of manifest.emoji.entries()) {
        const s = await src.read(i * 20 + j); // checkImages is on: the file must exist
        assert.deepEqual(s.texts, [e.name]);
        assert.equal(s.key, `images/${style}/${e.key}.png`);
      }
    }
  } finally {
    await src.close();
  }
  const captions: string[] = [];
  for await (const ev of csvSource(r.trainCsv, {})) if ("record" in ev) captions.push(ev.record.caption);
  assert.deepEqual(captions, OPTS.trainStyles.flatMap(() => manifest.emoji.map((e) => e.name)));
});

test("eval sets: every image's label is a class, folders sort in class order, subgroups humanised", async () => {
  assert.deepEqual(Object.keys(r.evalSets), ["fluent-emoji-flat/name", "fluent-emoji-flat/subgroup"]);
  assert.deepEqual(r.classNames.name, manifest.emoji.map((e) => e.name));
  assert.deepEqual(r.classNames.subgroup, [...new Set(manifest.emoji.map((e) => e.subgroup.replace(/-/g, " ")))]);
  for (const set of Object.values(r.evalSets)) {
    const classes = JSON.parse(await readFile(set.classNamesFile, "utf8")) as string[];
    assert.deepEqual(classes, r.classNames[set.task]);
    const folders = (await readdir(set.images)).sort();
    assert.equal(folders.length, classes.length);
    const lines = (await readFile(set.labelsCsv, "utf8")).trimEnd().split("\n");
    assert.equal(lines.shift(), "image,label,class_name");
    assert.equal(lines.length, 20);
    const seen = new Set<string>();
    for (const line of lines) {
      const [image, label, name] = parseCsvRecord(line);
      const k = Number(label);
      assert.equal(classes[k], name);
      assert.ok(existsSync(join(set.dir, image!)), image);
      assert.equal(image!.split("/")[1], folders[k], "the k-th sorted folder holds class k");
      const key = image!.split("/")[2]!.replace(/\.png$/, "");
      const e = manifest.emoji.find((m) => m.key === key)!;
      assert.equal(name, set.task === "name" ? e.name : e.subgroup.replace(/-/g, " "));
      seen.add(key);
    }
    assert.equal(seen.size, 20);
  }
  assert.deepEqual(JSON.parse(await readFile(r.templatesFile, "utf8")), DEMO_TEMPLATES);
});

test("another seed picks another subset; keywords lengthen captions only when asked", async (t) => {
  const other = await prepareDemoData({ ...OPTS, seed: 4, workDir: await tempDir(t), log: () => {} });
  assert.notDeepEqual(other.classNames.name, r.classNames.name);
  const kw = await prepareDemoData({ ...OPTS, captionKeywords: true, workDir: await tempDir(t), log: () => {} });
  const first = (await readFile(kw.trainCsv, "utf8")).split("\n")[0]!;
  const [, cap] = parseCsvRecord(first);
  assert.ok(cap!.startsWith(`${kw.classNames.name[0]}, `), cap);
});

test("an unknown style is a ConfigError listing the installed sets; a held-out style cannot be trained on", async (t) => {
  const dir = await tempDir(t);
  await assert.rejects(prepareDemoData({ ...OPTS, trainStyles: ["twemoji", "no-such-set"], workDir: dir, log: () => {} }), (e: unknown) => {
    assert.ok(e instanceof ConfigError);
    assert.match(e.message, /style 'no-such-set' is not an installed icon set; installed @iconify-json sets: .*fluent-emoji-flat, noto, openmoji, twemoji/);
    return true;
  });
  await assert.rejects(prepareDemoData({ ...OPTS, evalStyles: ["noto"], workDir: dir, log: () => {} }), /noto is both a training and an evaluation style/);
  await assert.rejects(prepareDemoData({ ...OPTS, size: 0, workDir: dir, log: () => {} }), /size must be an integer/);
  await assert.rejects(prepareDemoData({ ...OPTS, evalStyles: [], workDir: dir, log: () => {} }), ConfigError);
  await assert.rejects(prepareDemoData({ ...OPTS, trainStyles: ["../twemoji"], workDir: dir, log: () => {} }), /not an installed icon set/);
  assert.deepEqual(await readdir(dir), [], "nothing written before the options are checked");
});
