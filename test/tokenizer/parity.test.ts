/**
 * Token ids equal to the reference tokenizer's for every case in every parity directory's tokenizer_cases.jsonl.
 * LACLIP_PARITY_DIRS lists the directories (colon-separated; relative ones from the project root), by default
 * the shared folder's reference/parity (../shared/reference/parity). A case's context length is the length of its
 * ids.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { projectRoot, sharedDir } from "../helpers/shared.js";
import { openaiTokenizer } from "./openai_vocab.js";

function parityDirs(): string[] {
  const spec = process.env.LACLIP_PARITY_DIRS ?? join(sharedDir(), "reference", "parity");
  return spec.split(":").filter((d) => d !== "").map((d) => resolve(projectRoot(), d));
}

interface Case {
  text: string;
  ids: number[];
}

for (const dir of parityDirs()) {
  test(`tokenizer ids equal the reference: ${dir}`, (t) => {
    const file = join(dir, "tokenizer_cases.jsonl");
    if (!existsSync(file)) return t.skip(`no tokenizer_cases.jsonl in ${dir}`);
    const tok = openaiTokenizer(t);
    if (!tok) return;
    const cases = readFileSync(file, "utf8")
      .split("\n")
      .filter((l) => l.trim() !== "")
      .map((l, i) => {
        const c = JSON.parse(l) as Case;
        assert.ok(typeof c.text === "string" && Array.isArray(c.ids), `${file} line ${i + 1}: expected {text, ids}`);
        return c;
      });
    assert.ok(cases.length > 0, `${file} holds no cases`);
    const wrong: string[] = [];
    for (const c of cases) {
      const got = Array.from(tok.encode(c.text, c.ids.length));
      if (JSON.stringify(got) !== JSON.stringify(c.ids)) {
        wrong.push(`${JSON.stringify(c.text.slice(0, 60))}: got ${got.join(",")} want ${c.ids.join(",")}`);
      }
    }
    assert.equal(wrong.length, 0, `${wrong.length}/${cases.length} cases differ:\n${wrong.slice(0, 5).join("\n")}`);
    t.diagnostic(`${cases.length} cases`);
  });
}
