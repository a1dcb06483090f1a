import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { createRewriter } from "../../src/rewrite/rewriter.js";
import { buildPrompt, cutText } from "../../src/rewrite/prompt/build.js";
import { getTemplate } from "../../src/rewrite/prompt/templates.js";
import { sharedPath } from "../helpers/shared.js";

const SPACES = "            "; // the reference script's 12-space indentation

/**
 * Reads the examples back out of a prompt by matching, at each position, an "{in} => {out}" block built straight
 * from the JSON; then rebuilds the whole expected prompt from those JSON strings and compares bytes.
 */
function expectPaperPrompt(prompt: string, caption: string, entries: string[][], isGroup: boolean, indent: string): void {
  const header = "write image captions differently,\n\n";
  assert.ok(prompt.startsWith(header), "header");
  let at = header.length;
  const used: [string, string][] = [];
  for (let k = 0; k < 3; k++) {
    const candidates: [string, string][] = isGroup
      ? entries.flatMap((g) => g.flatMap((a, i) => g.filter((_, j) => j !== i).map((b) => [a, b] as [string, string])))
      : entries.map((e) => [e[0]!, e[1]!]);
    const hit = candidates.find(([a, b]) => prompt.startsWith(`${indent}${a} => ${b}\n\n`, at));
    assert.ok(hit, `example ${k} at byte ${at} is not a pair of the JSON: ${JSON.stringify(prompt.slice(at, at + 80))}`);
    used.push(hit);
    at += `${indent}${hit[0]} => ${hit[1]}\n\n`.length;
  }
  if (isGroup) {
    const groupOf = (s: string) => entries.findIndex((g) => g.includes(s));
    assert.equal(new Set(used.map(([a]) => groupOf(a))).size, 3, "three distinct groups");
    for (const [a, b] of used) assert.notEqual(a, b);
  } else assert.equal(new Set(used.map(([a]) => a)).size, 3, "three distinct pairs");
  const expected = header + used.map(([a, b]) => `${indent}${a} => ${b}\n\n`).join("") + `${indent}${caption} =>`;
  assert.equal(Buffer.compare(Buffer.from(prompt), Buffer.from(expected)), 0);
}

test("--pairs with the paper's pools gives the paper's prompt byte for byte (laclip and clean)", async (t) => {
  const file = sharedPath(t, "reference", "laclip_meta_pairs.json");
  if (!file) return;
  const json = JSON.parse(readFileSync(file, "utf8")) as Record<string, string[][]>;
  const sources = ["chatgpt", "bard", "mscoco", "human"];
  for (const [template, indent] of [["laclip", SPACES], ["clean", ""]] as const) {
    const r = await createRewriter({ engine: "eda", pairsFile: file, sources, template, perSource: 1, seed: 7 });
    assert.deepEqual(r.sources, sources);
    const seen = new Set<string>();
    for (let index = 0; index < 40; index++) {
      const caption = `a caption number ${index} with words .`;
      for (const source of sources) {
        const prompt = r.promptFor({ index, id: String(index), caption }, source, 0, 0);
        expectPaperPrompt(prompt, caption, json[source]!, source === "mscoco", indent);
        seen.add(prompt.split("\n\n")[1]!);
      }
    }
    assert.ok(seen.size > 30, "different captions draw different examples");
    await r.close();
  }
});

test("the draw depends only on (seed, index, source, slot, attempt)", async () => {
  const r1 = await createRewriter({ engine: "eda", perSource: 2, seed: 3 });
  const r2 = await createRewriter({ engine: "eda", perSource: 2, seed: 3 });
  const r3 = await createRewriter({ engine: "eda", perSource: 2, seed: 4 });
  const item = { index: 12, id: "x", caption: "a dog on a beach" };
  const p = (r: typeof r1, slot: number, attempt: number) => r.promptFor(item, "concise", slot, attempt);
  assert.equal(p(r1, 1, 2), p(r2, 1, 2));
  const variants = new Set([p(r1, 0, 0), p(r1, 1, 0), p(r1, 0, 1), p(r3, 0, 0)]);
  assert.equal(variants.size, 4, "slot, attempt and seed each change the examples");
  assert.equal(p(r1, 0, 0), r1.promptFor({ ...item, id: "other id" }, "concise", 0, 0), "the id plays no part");
});

test("over-long prompts are cut on the caption and ' =>' re-added", () => {
  const laclip = getTemplate("laclip")!;
  const examples = [["in one", "out one"], ["in two", "out two"], ["in three", "out three"]] as const;
  const caption = "word ".repeat(400).trim();
  const full = buildPrompt(laclip, "write image captions differently,", examples, caption, 100000);
  assert.equal(full.truncated, false);
  assert.ok(full.text.endsWith(`${SPACES}${caption} =>`));
  const cut = buildPrompt(laclip, "write image captions differently,", examples, caption, 300);
  assert.equal(cut.truncated, true);
  assert.ok(cut.text.length <= 300);
  assert.ok(cut.text.endsWith("word =>"), cut.text.slice(-20));
  assert.ok(cut.text.includes(`${SPACES}in three => out three\n\n${SPACES}word word`), "examples stay whole");
  // examples alone over budget: a blind cut, still ending with the marker
  const blind = buildPrompt(laclip, "write image captions differently,", examples, caption, 40);
  assert.ok(blind.text.length <= 40 && blind.text.endsWith(" =>"));
});

test("cutText never splits a surrogate pair", () => {
  assert.equal(cutText("ab\u{1F600}cd", 3), "ab");
  assert.equal(cutText("abc", 5), "abc");
});

test("the qa template uses its own header and labelled blocks", () => {
  const qa = getTemplate("qa")!;
  const p = buildPrompt(qa, qa.header, [["x y", "y x"]], "a cat");
  assert.equal(p.text, `${qa.header}\n\nCaption: x y\nRewrite: y x\n\nCaption: a cat\nRewrite:`);
});

test("line breaks inside a caption become one space, so the query stays one line", () => {
  const laclip = getTemplate("laclip")!;
  const examples = [["in one", "out one"], ["in two", "out two"], ["in three", "out three"]] as const;
  const p = buildPrompt(laclip, "write image captions differently,", examples, "a red car \r\n  parked\nby the sea");
  assert.ok(p.text.endsWith(`\n${SPACES}a red car parked by the sea =>`), JSON.stringify(p.text.slice(-50)));
});
