/** `tokenizer_cases.jsonl`: `{text, ids}` per line; the ids must come out exactly, at the context length given. */
import { readFile } from "node:fs/promises";
import type { ClipTokenizer } from "../tokenizer/index.js";
import { failure, type ParityResult } from "./result.js";

export async function checkTokenizerCases(dir: string, file: string, tokenizer: ClipTokenizer): Promise<ParityResult> {
  const lines = (await readFile(file, "utf8")).split("\n");
  let cases = 0;
  let wrong = 0;
  let first: string | undefined;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === "") continue;
    let c: { text?: unknown; ids?: unknown };
    try {
      c = JSON.parse(line) as typeof c;
    } catch {
      return failure(dir, "tokenizer", "token_ids", `${file} line ${i + 1} is not JSON`);
    }
    if (typeof c.text !== "string" || !Array.isArray(c.ids) || c.ids.length < 2 || !c.ids.every(Number.isInteger)) {
      return failure(dir, "tokenizer", "token_ids", `${file} line ${i + 1} is not {text: string, ids: integer[] (length >= 2)}`);
    }
    cases++;
    const want = c.ids as number[];
    const got = tokenizer.encode(c.text, want.length);
    const diff = want.findIndex((id, k) => got[k] !== id);
    if (diff >= 0) {
      wrong++;
      first ??= `line ${i + 1} ${JSON.stringify(c.text.slice(0, 60))}: position ${diff} got ${got[diff]}, want ${want[diff]}`;
    }
  }
  return { dir, family: "tokenizer", quantity: "token_ids", n: cases, maxAbsErr: wrong, maxRelErr: 0, atol: 0, rtol: 0, ok: wrong === 0 && cases > 0, detail: first ?? (cases === 0 ? "no cases" : undefined) };
}

/** Config texts tokenized at the fixture's context length against its `input.text` ids (a row per text). */
export function checkConfigTexts(dir: string, family: string, texts: readonly string[], want: BigInt64Array, contextLength: number, tokenizer: ClipTokenizer): ParityResult {
  let wrong = 0;
  let first: string | undefined;
  const rows = Math.min(texts.length, want.length / contextLength);
  for (let r = 0; r < rows; r++) {
    const got = tokenizer.encode(texts[r]!, contextLength);
    for (let k = 0; k < contextLength; k++) {
      if (BigInt(got[k]!) !== want[r * contextLength + k]) {
        wrong++;
        first ??= `text ${r} position ${k}: got ${got[k]}, want ${want[r * contextLength + k]}`;
        break;
      }
    }
  }
  const ok = wrong === 0 && rows === texts.length;
  return { dir, family, quantity: "input_text_ids", n: rows, maxAbsErr: wrong, maxRelErr: 0, atol: 0, rtol: 0, ok, detail: first ?? (rows !== texts.length ? `config has ${texts.length} texts, input.text ${rows} rows` : undefined) };
}
