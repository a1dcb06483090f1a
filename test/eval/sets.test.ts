import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdir, mkdtemp, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  classesFromNames, compareCodePoints, openImageFolder, openLabelList, openZeroShotTask, readClassNames, readFolderMap, readTemplates,
} from "../../src/eval/index.js";
import { ConfigError, FormatError } from "../../src/errors/index.js";

/** Creates `files` (relative paths) under a new temp dir; listing never decodes, so they may be empty. */
async function tree(t: { after(fn: () => Promise<void>): void }, files: Record<string, string>): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), "laclip-eval-sets-"));
  t.after(() => rm(root, { recursive: true, force: true }));
  for (const [rel, body] of Object.entries(files)) {
    await mkdir(join(root, rel, ".."), { recursive: true });
    await writeFile(join(root, rel), body);
  }
  return root;
}

const labelsOf = (set: { samples: readonly { path: string; label: number }[] }, root: string) =>
  set.samples.map((s) => [s.path.slice(root.length + 1), s.label]);

test("ImageFolder by name: folder order does not matter, nested images are found, other files are ignored", async (t) => {
  const root = await tree(t, { "img/red/a.png": "", "img/red/sub/b.JPG": "", "img/blue/c.webp": "", "img/blue/notes.txt": "", "img/loose.png": "" });
  const set = await openImageFolder(join(root, "img"), classesFromNames(["red", "blue"]));
  assert.deepEqual(labelsOf(set, root), [["img/blue/c.webp", 1], ["img/red/a.png", 0], ["img/red/sub/b.JPG", 0]]);
  assert.ok(set.notes.some((n) => n.includes("by name")));
  assert.ok(set.notes.some((n) => n.includes("1 file(s) without an image extension")));
  assert.ok(set.notes.some((n) => n.includes("directly in")));
});

test("ImageFolder by sorted position when folders are not class names (torchvision's rule)", async (t) => {
  const root = await tree(t, { "v/n02/a.png": "", "v/n01/b.png": "", "v/n10/c.png": "" });
  const set = await openImageFolder(join(root, "v"), classesFromNames(["tench", "goldfish", "shark"]));
  assert.deepEqual(labelsOf(set, root), [["v/n01/b.png", 0], ["v/n02/a.png", 1], ["v/n10/c.png", 2]]);
  assert.ok(set.notes.some((n) => n.includes("sorted position") && n.includes("'n01' is class 0 'tench'")));
});

test("ImageFolder with a folder map: explicit indices, unmapped classes get zero images", async (t) => {
  const root = await tree(t, { "v/x/a.png": "", "v/y/b.png": "", "map.json": JSON.stringify({ x: 2, y: 0, z: 1 }) });
  const classes = classesFromNames(["a", "b", "c"]);
  const map = await readFolderMap(join(root, "map.json"), 3);
  const set = await openImageFolder(join(root, "v"), classes, { folderMap: map });
  assert.deepEqual(labelsOf(set, root), [["v/x/a.png", 2], ["v/y/b.png", 0]]);
  assert.ok(set.notes.some((n) => n.includes("'z'") && n.includes("0 images")));
  await writeFile(join(root, "bad.json"), JSON.stringify({ x: 3 }));
  await assert.rejects(readFolderMap(join(root, "bad.json"), 3), (e: Error) => e instanceof FormatError && /bad\.json, key 'x'.*not an integer in \[0, 2\]/.test(e.message));
  await assert.rejects(openImageFolder(join(root, "v"), classes, { folderMap: new Map([["x", 0]]) }), /folders '.*v\/y' are not in the folder map/);
});

test("bad image folders fail with errors naming the path", async (t) => {
  const root = await tree(t, { "one/red/a.png": "", "flat/a.png": "", "emptycls/red/readme.txt": "", "mixed/red/a.png": "", "mixed/n01/b.png": "", "count/n1/a.png": "" });
  await mkdir(join(root, "empty"));
  const rgb = classesFromNames(["red", "green", "blue"]);
  await assert.rejects(openImageFolder(join(root, "one"), rgb), (e: Error) =>
    e instanceof ConfigError && e.message.includes(`missing class folder(s) '${join(root, "one", "green")}', '${join(root, "one", "blue")}'`));
  await assert.rejects(openImageFolder(join(root, "empty"), rgb), new RegExp(`'${join(root, "empty")}' has no class folders`));
  await assert.rejects(openImageFolder(join(root, "flat"), rgb), /has no class folders.*holds 1 files directly/);
  await assert.rejects(openImageFolder(join(root, "nope"), rgb), new RegExp(`cannot list the image folder '${join(root, "nope")}' \\(no such folder\\)`));
  await assert.rejects(openImageFolder(join(root, "emptycls"), classesFromNames(["red"])), new RegExp(`no images below '${join(root, "emptycls")}'`));
  await assert.rejects(openImageFolder(join(root, "mixed"), rgb), /some class folders are named after classes.*n01/);
  await assert.rejects(openImageFolder(join(root, "count"), rgb), /has 1 class folders but 3 classes are named/);
});

test("a class folder that links back up the tree is walked once", async (t) => {
  const root = await tree(t, { "v/red/a.png": "" });
  await symlink(join(root, "v", "red"), join(root, "v", "red", "loop"));
  const set = await openImageFolder(join(root, "v"), classesFromNames(["red"]));
  assert.equal(set.samples.length, 1);
});

test("label lists: CSV with header, index and name labels, quoted paths; JSONL by JSON type", async (t) => {
  const root = await tree(t, {
    "l.csv": 'path,label\nimgs/a.png,1\n"imgs/b, with comma.png",red\n\n/abs/c.png,0\n',
    "l.jsonl": '{"path":"a.png","label":"blue"}\n{"path":"b.png","label":0}\n',
  });
  const classes = classesFromNames(["red", "blue"]);
  const csv = await openLabelList(join(root, "l.csv"), classes);
  assert.deepEqual(csv.samples, [
    { path: join(root, "imgs/a.png"), label: 1 }, { path: join(root, "imgs/b, with comma.png"), label: 0 }, { path: "/abs/c.png", label: 0 },
  ]);
  assert.ok(csv.notes.some((n) => n.includes("1 blank line")));
  const jsonl = await openLabelList(join(root, "l.jsonl"), classes, { imageRoot: "/data" });
  assert.deepEqual(jsonl.samples, [{ path: "/data/a.png", label: 1 }, { path: "/data/b.png", label: 0 }]);
});

test("bad label lists fail naming the file and line", async (t) => {
  const root = await tree(t, {
    "unknown.csv": "a.png,red\nb.png,purple\n", "range.csv": "a.png,7\n", "fields.csv": "a.png\n",
    "dup.csv": "a.png,missile\n", "bad.jsonl": '{"path":"a.png","label":0}\nnot json\n', "empty.csv": "\n", "list.txt": "a.png,0\n",
  });
  const classes = classesFromNames(["red", "missile", "missile"]);
  const rej = (f: string, re: RegExp) => assert.rejects(openLabelList(join(root, f), classes), (e: Error) => e instanceof Error && re.test(e.message), f);
  await rej("unknown.csv", new RegExp(`unknown\\.csv, line 2: unknown label 'purple'`));
  await rej("range.csv", /range\.csv, line 1: label 7 is not a class index in \[0, 2\]/);
  await rej("fields.csv", /line 1: expected 2 fields/);
  await rej("dup.csv", /line 1: label 'missile' is ambiguous/);
  await rej("bad.jsonl", /bad\.jsonl, line 2: not valid JSON/);
  await rej("empty.csv", /names no images/);
  await rej("list.txt", /must be a \.csv or \.jsonl file/);
});

test("class names and templates files: JSON lists (with synonyms), text lines, built-in laclip-7, and their errors", async (t) => {
  const root = await tree(t, {
    "c.json": '["tench", ["goldfish", "Carassius auratus"]]', "c.txt": "tench\r\ngoldfish\n", "gap.txt": "a\n\nb\n", "obj.json": '{"a": 1}',
    "num.json": '["a", 3]', "t.json": '["a photo of a {}.", "{c} art"]', "t.txt": "a {}\n", "nohole.json": '["a photo"]', "brace.txt": "a {x}\n",
  });
  assert.deepEqual(await readClassNames(join(root, "c.json")), [
    { name: "tench", synonyms: ["tench"] }, { name: "goldfish", synonyms: ["goldfish", "Carassius auratus"] },
  ]);
  assert.deepEqual((await readClassNames(join(root, "c.txt"))).map((c) => c.name), ["tench", "goldfish"]);
  await assert.rejects(readClassNames(join(root, "gap.txt")), /gap\.txt, line 2: blank line/);
  await assert.rejects(readClassNames(join(root, "obj.json")), /obj\.json: class names must be a JSON list, got object/);
  await assert.rejects(readClassNames(join(root, "num.json")), /class name 1 must be a non-empty string, got 3/);
  await assert.rejects(readClassNames(join(root, "missing.json")), /cannot read the class names file .*missing\.json' \(ENOENT\)/);
  assert.deepEqual(await readTemplates(join(root, "t.json")), { name: "t.json", templates: ["a photo of a {}.", "{c} art"] });
  assert.deepEqual((await readTemplates(join(root, "t.txt"))).templates, ["a {}"]);
  const seven = await readTemplates("laclip-7");
  assert.equal(seven.templates.length, 7);
  assert.equal(seven.templates[0], "itap of a {}.");
  await assert.rejects(readTemplates(join(root, "nohole.json")), /nohole\.json, key '0': template "a photo" has no '\{\}'/);
  await assert.rejects(readTemplates(join(root, "brace.txt")), /brace\.txt, line 1: template "a \{x\}" has '\{x\}'/);
  const eighty = await readTemplates("openai-80"); // shipped in data/zeroshot/
  assert.equal(eighty.templates.length, 80);
  assert.equal(eighty.templates[0], "a bad photo of a {}.");
});

test("openZeroShotTask picks ImageFolder or label list by what the images path is", async (t) => {
  const root = await tree(t, { "v/red/a.png": "", "l.csv": "v/red/a.png,red\n", "c.txt": "red\n" });
  const folder = await openZeroShotTask({ images: join(root, "v"), classes: join(root, "c.txt"), templates: "laclip-7" });
  const list = await openZeroShotTask({ images: join(root, "l.csv"), classes: join(root, "c.txt"), templates: "laclip-7" });
  assert.deepEqual(folder.set.samples, list.set.samples);
  assert.equal(folder.templates.name, "laclip-7");
  await assert.rejects(openZeroShotTask({ images: join(root, "l.csv"), classes: join(root, "c.txt"), templates: "laclip-7", folderMap: "m.json" }), /folder map applies to an image folder/);
  await assert.rejects(openZeroShotTask({ images: join(root, "gone"), classes: join(root, "c.txt"), templates: "laclip-7" }), /cannot open the evaluation images '.*gone' \(ENOENT\)/);
});

test("names sort by code point, as Python's sorted does", () => {
  const names = ["b", "\u{1F600}", "\uFF21", "a", "B"];
  assert.deepEqual([...names].sort(compareCodePoints), ["B", "a", "b", "\uFF21", "\u{1F600}"]);
  assert.deepEqual([...names].sort(), ["B", "a", "b", "\u{1F600}", "\uFF21"]); // JS's own order differs here
});
