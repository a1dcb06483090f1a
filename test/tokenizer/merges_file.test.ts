import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { FormatError } from "../../src/errors/format_error.js";
import { ClipTokenizer } from "../../src/tokenizer/clip_tokenizer.js";
import { readMergesFile, writeMergesFile, OPENAI_CLIP_MERGES } from "../../src/tokenizer/merges_file.js";
import { openaiMergesPath } from "./openai_vocab.js";

function tempDir(t: { after(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), "laclip-merges-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

function rejects(fn: () => unknown, file: string, line: number | undefined, message: RegExp): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof FormatError, `expected FormatError, got ${String(err)}`);
    assert.equal(err.location.file, file);
    assert.equal(err.location.line, line);
    assert.match(err.message, message);
    return true;
  });
}

test("a missing merges file is a FormatError naming the file and what to pass", (t) => {
  const path = join(tempDir(t), "absent.txt.gz");
  rejects(() => readMergesFile(path), path, undefined, /ENOENT.*bpe_simple_vocab_16e6/);
});

test("malformed merges files are FormatErrors naming file and line", (t) => {
  const dir = tempDir(t);
  const cases: Array<[string, string, number, RegExp]> = [
    ["noheader.txt", "i n\nt h\n", 1, /version header/],
    ["oneword.txt", "#version: 0.2\ni n\nth\n", 3, /two symbols separated by one space/],
    ["three.txt", "#version: 0.2\ni n\nt h e\n", 3, /two symbols/],
    ["blank.txt", "#version: 0.2\ni n\n\nt h\n", 3, /two symbols/],
    ["alphabet.txt", "#version: 0.2\ni n\nt\u0100\u4e00 h\n", 3, /U\+4E00.*byte-level BPE alphabet/],
    ["emptysym.txt", "#version: 0.2\n</w> n\n", 2, /empty symbol/],
  ];
  for (const [name, text, line, message] of cases) {
    const path = join(dir, name);
    writeFileSync(path, text);
    rejects(() => readMergesFile(path), path, line, message);
  }
  const gz = join(dir, "broken.txt.gz");
  writeFileSync(gz, gzipSync("#version: 0.2\ni n\n").subarray(0, 12));
  rejects(() => readMergesFile(gz), gz, undefined, /gzip data is corrupt/);
});

test("a truncated copy of OpenAI's file is refused instead of giving a smaller vocabulary", (t) => {
  const path = join(tempDir(t), "short.txt");
  writeFileSync(path, '"bpe_simple_vocab_16e6.txt#version: 0.2\ni n\nt h\n');
  rejects(() => readMergesFile(path), path, 3, /at least 48894 merges, this one holds 2/);
  assert.equal(readMergesFile(path, { maxMerges: 1 }).merges.length, 1);
});

test("plain and gzip files read the same; written files read back; trailing CRs and blank lines are fine", (t) => {
  const dir = tempDir(t);
  const list = { header: "#version: 0.2", merges: [["i", "n</w>"], ["t", "h"], ["th", "e</w>"]] as Array<[string, string]> };
  writeMergesFile(join(dir, "m.txt"), list);
  writeMergesFile(join(dir, "m.txt.gz"), list);
  writeFileSync(join(dir, "crlf.txt"), "#version: 0.2\r\ni n</w>\r\nt h\r\nth e</w>\r\n\r\n");
  for (const name of ["m.txt", "m.txt.gz", "crlf.txt"]) assert.deepEqual(readMergesFile(join(dir, name)), list, name);
  const tok = new ClipTokenizer(list);
  assert.equal(tok.vocabSize, 512 + 3 + 2);
  assert.deepEqual(tok.tokenize("the in"), [514, 512]); // th+e</w>, i+n</w>
  assert.equal(tok.decode(tok.encode("The  in")), "the in");
});

test("OpenAI's file: the first 48894 of its merges are used, unless maxMerges says otherwise", (t) => {
  const path = openaiMergesPath(t);
  if (!path) return;
  const list = readMergesFile(path);
  assert.equal(list.merges.length, OPENAI_CLIP_MERGES);
  assert.deepEqual(list.merges[0], ["i", "n"]);
  assert.equal(readMergesFile(path, { maxMerges: 1000 }).merges.length, 1000);
});
