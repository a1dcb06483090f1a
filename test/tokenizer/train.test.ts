import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ClipTokenizer } from "../../src/tokenizer/clip_tokenizer.js";
import { cleanText } from "../../src/tokenizer/clean.js";
import { formatMerges, readMergesFile, writeMergesFile } from "../../src/tokenizer/merges_file.js";
import { pretokenize } from "../../src/tokenizer/pretokenize.js";
import { trainBpe, trainBpeFromCounts } from "../../src/tokenizer/train/train_bpe.js";
import { Rng } from "../../src/util/rng.js";

const CORPUS = [
  "A photo of a dog playing in the snow.",
  "two dogs playing with a red ball on the beach",
  "a cat sleeping on a wooden bench &amp; a dog",
  "the newest widest lowest lower lowest roads",
  "Café crème at the café, it's 3.50 euros",
  "東京の夜景 and the snowy mountains",
  "a dog, a cat and a bird.",
];

test("merges follow the counts, ties going to the older left symbol", () => {
  const counts = new Map([["low", 5], ["lower", 2], ["newest", 6], ["widest", 3]]);
  const r = trainBpeFromCounts(counts, { numMerges: 4 });
  // (e,s) and (s,t</w>) both occur 9 times: 'e' is older than 's' in the byte order. Then (l,o) 7 times; then
  // (n,e) and (e,w) 6 times each: 'e' is older than 'n'.
  assert.deepEqual(r.merges, [["e", "s"], ["es", "t</w>"], ["l", "o"], ["e", "w"]]);
  assert.equal(r.stats.stoppedBy, "numMerges");
});

test("training stops at minFrequency and reaches vocabSize otherwise", () => {
  const counts = new Map([["abab", 3], ["cd", 1]]);
  const r = trainBpeFromCounts(counts, { vocabSize: 600, minFrequency: 2 });
  // (a,b) (b,a) (a,b</w>) tie at 3: left 'a' is older than 'b', right 'b' older than 'b</w>'. After a+b the word
  // is `ab a b</w>`: (a,b</w>) beats (ab,a) because 'a' is older than 'ab'. (c,d</w>) occurs once: below 2.
  assert.deepEqual(r.merges, [["a", "b"], ["a", "b</w>"], ["ab", "ab</w>"]]);
  assert.equal(r.stats.stoppedBy, "minFrequency");
  assert.equal(trainBpeFromCounts(counts, { vocabSize: 515, minFrequency: 1 }).merges.length, 1);
  assert.throws(() => trainBpeFromCounts(counts, {}), /exactly one of numMerges and vocabSize/);
  assert.throws(() => trainBpeFromCounts(counts, { vocabSize: 100 }), /vocabSize gives -414 merges/);
});

test("training is deterministic and independent of the order of the lines", async () => {
  const lines = Array.from({ length: 40 }, (_, i) => CORPUS[i % CORPUS.length]!);
  const a = await trainBpe(lines, { numMerges: 150 });
  const b = await trainBpe(lines, { numMerges: 150 });
  const c = await trainBpe(new Rng(5).shuffle([...lines]), { numMerges: 150 });
  assert.equal(formatMerges(a), formatMerges(b));
  assert.equal(formatMerges(a), formatMerges(c));
  assert.ok(a.merges.length > 50);
  assert.equal(a.stats.lines, 40);
});

test("a trained file loads in the tokenizer and round-trips text", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), "laclip-train-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const result = await trainBpe(CORPUS, { numMerges: 200, minFrequency: 1 });
  const path = join(dir, "merges.txt.gz");
  writeMergesFile(path, result);
  assert.equal(readFileSync(path)[0], 0x1f, "gzip for a .gz name");
  assert.deepEqual(readMergesFile(path).merges, result.merges);
  const tok = ClipTokenizer.fromFile(path, { contextLength: 64 });
  assert.equal(tok.vocabSize, 512 + result.merges.length + 2);
  for (const text of [...CORPUS, "unseen words: zebra quokka, 🐧 and 42!"]) {
    const ids = tok.encode(text);
    assert.equal(ids[0], tok.sotId);
    assert.equal(tok.decode(ids), pretokenize(cleanText(text)).join(" "), text);
  }
  assert.equal(tok.decode(tok.encode("two dogs playing")), "two dogs playing");
  // frequent words became single tokens
  assert.equal(tok.tokenize("dog").length, 1);
  // encodeInto pads the rest of the row itself, whatever the buffer held
  const row = new Int32Array(12).fill(7);
  const used = tok.encodeInto("a dog", row, 0, 12);
  assert.deepEqual(Array.from(row), [tok.sotId, ...tok.tokenize("a dog"), tok.eotId, ...new Array(12 - used).fill(0)]);
});

test("a tiny word cache gives the same ids as a large one", async () => {
  const result = await trainBpe(CORPUS, { numMerges: 120, minFrequency: 1 });
  const small = new ClipTokenizer(result, { cacheSize: 2 });
  const large = new ClipTokenizer(result);
  const texts = [...CORPUS, ...CORPUS.map((s) => s.toUpperCase())];
  assert.deepEqual(small.encodeBatch(texts), large.encodeBatch(texts));
  assert.ok(small.cache.size <= 4, `cache holds ${small.cache.size}`);
  assert.ok(small.cache.misses > large.cache.misses);
});
