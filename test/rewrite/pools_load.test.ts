import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { FormatError } from "../../src/errors/format_error.js";
import { ConfigError } from "../../src/errors/config_error.js";
import { drawExamples } from "../../src/rewrite/pools/draw.js";
import { loadPools, selectPools } from "../../src/rewrite/pools/load.js";
import { Rng } from "../../src/util/rng.js";
import { sharedPath } from "../helpers/shared.js";

test("the project's own pools: 4+ pair styles of 16+ pairs and a group pool", () => {
  const set = loadPools();
  const pairs = [...set.pools.values()].filter((p) => p.kind === "pairs");
  assert.ok(pairs.length >= 4);
  for (const p of pairs) assert.ok(p.kind === "pairs" && p.pairs.length >= 16, p.name);
  const groups = [...set.pools.values()].filter((p) => p.kind === "groups");
  assert.equal(groups.length, 1);
  assert.equal(set.header, "write image captions differently,");
  assert.equal(set.examplesPerPrompt, 3);
});

test("the paper's file: mscoco is detected as groups, the rest as pairs", (t) => {
  const file = sharedPath(t, "reference", "laclip_meta_pairs.json");
  if (!file) return;
  const set = loadPools(file);
  assert.deepEqual([...set.pools.keys()], ["chatgpt", "bard", "human", "mscoco"]);
  assert.equal(set.pools.get("mscoco")!.kind, "groups");
  assert.equal(set.pools.get("chatgpt")!.kind, "pairs");
});

test("group draws take 2 distinct captions of one group", () => {
  const pool = { kind: "groups" as const, name: "g", groups: [["a", "b", "c"], ["d", "e"], ["f", "g", "h"]] };
  for (let s = 0; s < 50; s++) {
    const ex = drawExamples(pool, 3, new Rng(s));
    for (const [x, y] of ex) {
      assert.notEqual(x, y);
      assert.ok(pool.groups.some((g) => g.includes(x) && g.includes(y)));
    }
    assert.equal(new Set(ex.map(([x]) => pool.groups.findIndex((g) => g.includes(x)))).size, 3);
  }
});

test("bad pools files are reported with file and key", () => {
  const dir = mkdtempSync(join(tmpdir(), "laclip-pools-"));
  try {
    const write = (name: string, body: string) => {
      const f = join(dir, name);
      writeFileSync(f, body);
      return f;
    };
    assert.throws(() => loadPools(write("a.json", "{not json")), FormatError);
    assert.throws(() => loadPools(write("b.json", JSON.stringify({ s: [["only one"]] }))), (e: unknown) => e instanceof FormatError && /key 's'/.test(e.message) && /entry 0/.test(e.message));
    assert.throws(() => loadPools(write("c.json", JSON.stringify({ s: [["a", "b\nc"]] }))), /newline/);
    assert.throws(() => loadPools(join(dir, "missing.json")), ConfigError);
    const set = loadPools(write("d.json", JSON.stringify({ s: [["a", "b"], ["c", "d"]] })));
    assert.throws(() => selectPools(set, ["s"], 3), /fewer than the 3/);
    assert.throws(() => selectPools(set, ["t"], 1), (e: unknown) => e instanceof ConfigError && /its sources are s/.test(e.message));
    assert.deepEqual(selectPools(set, undefined, 2).map((p) => p.name), ["s"]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
