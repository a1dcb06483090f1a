import { test } from "node:test";
import assert from "node:assert/strict";
import { readFile, readdir, stat } from "node:fs/promises";
import { join } from "node:path";
import sharp from "sharp";
import { prepareDemoData, type PreparedDemoData } from "../../src/demo/data/index.js";
import { fakeIconSet, tempDir } from "./data_fixtures.js";

const BASE = { trainStyles: ["twemoji", "noto", "openmoji"], evalStyles: ["fluent-emoji-flat"], size: 16, maxEmoji: 20, seed: 7 };

/** Every file under the dataset folder, path -> bytes. */
async function datasetBytes(r: PreparedDemoData): Promise<Map<string, Buffer>> {
  const out = new Map<string, Buffer>();
  for (const rel of (await readdir(r.dir, { recursive: true })).sort()) {
    const full = join(r.dir, rel);
    if ((await stat(full)).isFile()) out.set(rel, await readFile(full));
  }
  return out;
}

test("renders are RGB PNGs of the asked size, byte-identical across runs, and a rerun renders nothing", async (t) => {
  const [a, b] = [await tempDir(t), await tempDir(t)];
  const r1 = await prepareDemoData({ ...BASE, workDir: a, log: () => {} });
  assert.equal(r1.counts.rendered, 80);
  assert.equal(r1.counts.cached, 0);
  const png = join(r1.dir, "images", "noto", `${JSON.parse(await readFile(r1.manifestFile, "utf8")).emoji[0].key}.png`);
  const meta = await sharp(png).metadata();
  assert.deepEqual([meta.format, meta.width, meta.height, meta.channels, meta.hasAlpha], ["png", 16, 16, 3, false]);

  const r2 = await prepareDemoData({ ...BASE, workDir: b, log: () => {} });
  const [f1, f2] = [await datasetBytes(r1), await datasetBytes(r2)];
  assert.deepEqual([...f1.keys()], [...f2.keys()]);
  for (const [rel, bytes] of f1) assert.ok(bytes.equals(f2.get(rel)!), `${rel} differs between two runs`);

  const cacheDir = join(a, "cache", "render");
  const cached = (await readdir(cacheDir, { recursive: true })).filter((f) => f.endsWith(".png"));
  assert.equal(cached.length, 80);
  const mtimes = await Promise.all(cached.map(async (f) => (await stat(join(cacheDir, f))).mtimeMs));
  const again = await prepareDemoData({ ...BASE, workDir: a, log: () => {} });
  assert.equal(again.counts.rendered, 0);
  assert.equal(again.counts.cached, 80);
  assert.deepEqual(await Promise.all(cached.map(async (f) => (await stat(join(cacheDir, f))).mtimeMs)), mtimes);
  const f3 = await datasetBytes(again);
  for (const [rel, bytes] of f1) assert.ok(bytes.equals(f3.get(rel)!), `${rel} differs after a cached rerun`);

  // another size is another cache entry, not a stale reuse
  const r16to24 = await prepareDemoData({ ...BASE, size: 24, workDir: a, log: () => {} });
  assert.equal(r16to24.counts.rendered, 80);
  assert.equal((await sharp(png).metadata()).width, 24);
});

test("random backgrounds are seeded: same seed same pixels, another seed other colours", async (t) => {
  const dir = await tempDir(t);
  const opts = { ...BASE, maxEmoji: 3, background: "random" as const, log: () => {} };
  const corner = async (r: PreparedDemoData, seedKey: string) => (await sharp(join(r.dir, "images", "twemoji", `${seedKey}.png`)).raw().toBuffer()).subarray(0, 3);
  const r1 = await prepareDemoData({ ...opts, workDir: join(dir, "1") });
  const key = JSON.parse(await readFile(r1.manifestFile, "utf8")).emoji[0].key as string;
  const again = await prepareDemoData({ ...opts, workDir: join(dir, "2") });
  assert.deepEqual(await corner(again, key), await corner(r1, key));
  assert.notDeepEqual([...(await corner(r1, key))], [255, 255, 255]);
  const white = await prepareDemoData({ ...opts, background: "white", workDir: join(dir, "3") });
  assert.deepEqual([...(await corner(white, key))], [255, 255, 255]);
});

test("bad artwork is counted, logged by icon name and skipped; alias flips are drawn", async (t) => {
  const root = await tempDir(t);
  const modules = await fakeIconSet(root);
  const logs: string[] = [];
  const r = await prepareDemoData({
    workDir: join(root, "work"), trainStyles: ["twemoji"], evalStyles: ["fake-emoji"], size: 16, moduleDirs: [modules], log: (l) => logs.push(l),
  });
  assert.equal(r.counts.inAllStyles, 7);
  assert.equal(r.counts.failed, 2);
  assert.equal(r.counts.droppedRenderFailures, 2);
  assert.equal(r.counts.emoji, 5);
  assert.deepEqual(r.failures.map((f) => `${f.style}:${f.icon}`), ["fake-emoji:1f602", "fake-emoji:1f603"]);
  assert.ok(logs.some((l) => l.startsWith("skipped fake-emoji:1f602: ")), logs.join("\n"));
  assert.ok(logs.some((l) => l === "skipped fake-emoji:1f603: the SVG draws nothing (all background)"), logs.join("\n"));
  assert.ok(!r.classNames.name.includes("face with tears of joy"));

  // the left bar, and its alias mirrored: dark on the left vs dark on the right
  const px = async (key: string) => sharp(join(r.dir, "images", "fake-emoji", `${key}.png`)).raw().toBuffer();
  const [left, right] = [await px("1f448"), await px("1f449")];
  const at = (buf: Buffer, x: number, y: number) => buf[(y * 16 + x) * 3]!;
  assert.deepEqual([at(left, 2, 8), at(left, 13, 8)], [0, 255]);
  assert.deepEqual([at(right, 2, 8), at(right, 13, 8)], [255, 0]);
});
