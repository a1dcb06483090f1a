/** `laclip rewrite` on open_clip's CSV: the `filepath,title` header is never rewritten as caption 1 (nothing shifts). */
import assert from "node:assert/strict";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { test } from "node:test";
import { runCli } from "../helpers/cli.js";
import { tempDir } from "./job_fixtures.js";

const originals = async (dir: string) =>
  (await readFile(join(dir, "rewrites.jsonl"), "utf8")).trim().split("\n").map((l) => (JSON.parse(l) as { original: string }).original);

test("a filepath,title header (comma or tab) is detected; --csv-caption-key picks a named column", async (t) => {
  const dir = await tempDir(t);
  const comma = join(dir, "oc.csv");
  await writeFile(comma, "filepath,title\nx.jpg,a red bus on a street\ny.jpg,two dogs in the snow\n");
  const a = await runCli(["rewrite", "--input", comma, "--output", join(dir, "a"), "--progress", "none"]);
  assert.equal(a.code, 0, a.stderr);
  assert.deepEqual(await originals(join(dir, "a")), ["a red bus on a street", "two dogs in the snow"]);
  const tabs = join(dir, "named.csv");
  await writeFile(tabs, "file\tsummary\nx.jpg\ta red bus, parked\n");
  const b = await runCli(["rewrite", "--input", tabs, "--output", join(dir, "b"), "--csv-caption-key", "summary", "--csv-img-key", "file", "--progress", "none"]);
  assert.equal(b.code, 0, b.stderr);
  assert.deepEqual(await originals(join(dir, "b")), ["a red bus, parked"]);
});
