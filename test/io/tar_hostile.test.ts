/**
 * The tar reader against hostile archives (bytes built in the test): every one ends with a FormatError naming the
 * file, byte offset and member, never a loop. `timeout` turns a hang into a failure.
 */
import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test, type TestContext } from "node:test";
import { FormatError } from "../../src/errors/format_error.js";
import { TarReader } from "../../src/io/tar/reader.js";
import { trainBpeFromCounts, writeMergesFile } from "../../src/tokenizer/index.js";
import { runCli } from "../helpers/cli.js";
import { END, member, negativePaxTar, paxRecord, tarBody, tarHeader } from "./helpers/tar_bytes.js";

async function tempFile(t: TestContext, name: string, bytes: Buffer): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "laclip-tar-"));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const file = join(dir, name);
  await writeFile(file, bytes);
  return file;
}

async function names(file: string, requireEnd = false): Promise<string[]> {
  const tar = await TarReader.open(file, { requireEnd });
  try {
    const out: string[] = [];
    for await (const m of tar.members()) out.push(m.name);
    return out;
  } finally {
    await tar.close();
  }
}

const fails = (file: string, pattern: RegExp) => (e: unknown) => e instanceof FormatError && e.message.startsWith(file) && /byte \d+/.test(e.message) && pattern.test(e.message);

test("a pax size=-512 before a global header is an error naming the member, not an endless loop", { timeout: 10_000 }, async (t) => {
  const bytes = negativePaxTar();
  const file = await tempFile(t, "hostile.tar", bytes);
  await assert.rejects(names(file), fails(file, /member 'PaxHeaders\/000000001\.jpg': pax size=-512 is not a byte count/));
});

test("pax size=abc, a ustar size that is not octal, sizes past the end, bogus pax records: one error each", { timeout: 10_000 }, async (t) => {
  const cases: [string, Buffer, RegExp][] = [
    ["abc", Buffer.concat([member("p", paxRecord("size", "abc"), "x"), member("a.txt", "hi"), END]), /pax size=abc is not a byte count/],
    ["octal", Buffer.concat([tarHeader("a.txt", "12x4\0"), tarBody("hi"), END]), /member 'a\.txt': unreadable size field '12x4'/],
    ["past end", Buffer.concat([tarHeader("a.jpg", 1 << 30), tarBody("hi"), END]), /member 'a\.jpg' needs 1073741824 bytes but the file ends first/],
    ["pax past end", Buffer.concat([member("p", paxRecord("size", "99999999"), "x"), member("a.jpg", "hi"), END]), /member 'a\.jpg' needs 99999999 bytes/],
    ["negative base-256", Buffer.concat([negative256("a.jpg"), END]), /member 'a\.jpg': unreadable size field/],
    ["pax record length", Buffer.concat([member("p", "999999 size=1\n", "x"), member("a.txt", "hi"), END]), /member 'p': malformed pax record/],
    ["pax record zero", Buffer.concat([member("p", "0 size=1\n", "x"), member("a.txt", "hi"), END]), /member 'p': malformed pax record/],
  ];
  for (const [label, bytes, pattern] of cases) {
    const file = await tempFile(t, `${label.replace(/ /g, "_")}.tar`, bytes);
    await assert.rejects(names(file), fails(file, pattern), label);
  }
});

test("a global header ends pending pax state; well-formed pax and end-of-archive rules still hold", async (t) => {
  const ok = Buffer.concat([member("p", paxRecord("path", "long/name.txt"), "x"), member("short.txt", "hi"), member("g", paxRecord("path", "nope"), "g"), member("b.txt", "x"), END]);
  assert.deepEqual(await names(await tempFile(t, "ok.tar", ok)), ["long/name.txt", "b.txt"]);
  const reset = Buffer.concat([member("p", paxRecord("path", "stale.txt"), "x"), member("g", "", "g"), member("c.txt", "x"), END]);
  assert.deepEqual(await names(await tempFile(t, "reset.tar", reset)), ["c.txt"]);
  const noEnd = await tempFile(t, "noend.tar", member("a.txt", "x"));
  assert.deepEqual(await names(noEnd), ["a.txt"]);
  await assert.rejects(names(noEnd, true), fails(noEnd, /end-of-archive blocks \(truncated\)/));
});

const noStack = (text: string) => !/\n\s+at .*:\d+:\d+/.test(text);

test("`laclip rewrite` and `laclip train` (wds) on the hostile tar end with one line naming it", { timeout: 60_000 }, async (t) => {
  const file = await tempFile(t, "00000.tar", negativePaxTar());
  const out = file.replace(/00000\.tar$/, "out");
  const rw = await runCli(["rewrite", "--input", file, "--format", "wds", "--engine", "eda", "--output", out, "--progress", "none"]);
  assert.equal(rw.code, 1, rw.stderr);
  assert.match(rw.stderr, /hostile|00000\.tar, byte 2048: member 'PaxHeaders\/000000001\.jpg': pax size=-512 is not a byte count/);
  assert.ok(noStack(rw.stderr), rw.stderr);
  const merges = file.replace(/00000\.tar$/, "merges.txt");
  writeMergesFile(merges, trainBpeFromCounts(new Map([["a caption", 3]]), { numMerges: 4, minFrequency: 1 }));
  const tr = await runCli(["train", "--config", "cpu-small", "--merges", merges, "--set", "data.format=wds", "--set", `data.train=${file}`, "--output", `${out}-train`]);
  assert.equal(tr.code, 1, tr.stderr);
  assert.match(tr.stderr, /00000\.tar, byte 2048: member 'PaxHeaders\/000000001\.jpg': pax size=-512 is not a byte count/);
  assert.ok(noStack(tr.stderr), tr.stderr);
});

function negative256(name: string): Buffer {
  const h = tarHeader(name, 0);
  h.fill(0xff, 124, 136);
  h.fill(32, 148, 156);
  let sum = 0;
  for (const b of h) sum += b;
  h.write(sum.toString(8).padStart(6, "0") + "\0 ", 148, "latin1");
  return h;
}
