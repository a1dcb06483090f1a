/**
 * A full disk, for real: outputs go to a 64 KiB tmpfs (mounting needs root; elsewhere the test skips with one
 * line). Every atomic writer must fail with the disk's error, leave nothing under the final name and no temp file.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test, type TestContext } from "node:test";
import { writeAll, writeFileAtomic } from "../../src/io/file/atomic_write.js";
import { AtomicFile, commitAll, writeAtomic } from "../../src/rewrite/io/atomic_file.js";
import { JournalWriter } from "../../src/rewrite/job/journal.js";
import { runCli } from "../helpers/cli.js";

async function tinyDisk(t: TestContext): Promise<string | undefined> {
  const dir = await mkdtemp(join(tmpdir(), "laclip-full-"));
  try {
    execFileSync("mount", ["-t", "tmpfs", "-o", "size=64k", "tmpfs", dir], { stdio: "ignore" });
  } catch {
    await rm(dir, { recursive: true, force: true });
    t.skip("cannot mount a small tmpfs here (needs root): disk-full test skipped");
    return undefined;
  }
  t.after(async () => {
    execFileSync("umount", ["-l", dir]); // lazy: a handle a failed test left open must not keep the mount
    await rm(dir, { recursive: true, force: true });
  });
  return dir;
}

const line = "a rewritten caption of moderate length, repeated until the disk is full\n";
const full = (e: unknown) => /ENOSPC/.test(String((e as Error).message) + String((e as NodeJS.ErrnoException).code));

test("AtomicFile and writeAtomic on a full disk: an error, no file under the final name, no stray temp file", async (t) => {
  const dir = await tinyDisk(t);
  if (!dir) return;
  const files = [await AtomicFile.create(join(dir, "chatgpt.txt")), await AtomicFile.create(join(dir, "rewrites.jsonl"))];
  await assert.rejects(
    (async () => {
      for (let i = 0; i < 3000; i++) for (const f of files) await f.write(line);
      await commitAll(files);
    })().catch(async (err: unknown) => {
      await Promise.all(files.map((f) => f.abort()));
      throw err;
    }),
    full,
  );
  assert.deepEqual(await readdir(dir), []);
  await assert.rejects(writeAtomic(join(dir, "summary.json"), line.repeat(3000)), full);
  assert.deepEqual(await readdir(dir), []);
  await assert.rejects(writeFileAtomic(join(dir, "model.safetensors"), async (h) => void (await writeAll(h, Buffer.alloc(200_000, 1), 0))), full);
  assert.deepEqual(await readdir(dir), []);
  // what fits is still written whole
  await writeAtomic(join(dir, "small.txt"), line);
  assert.deepEqual(await readdir(dir), ["small.txt"]);
});

test("the rewrite journal reports a full disk (every append written whole or an error)", async (t) => {
  const dir = await tinyDisk(t);
  if (!dir) return;
  const w = await JournalWriter.open(join(dir, "journal.jsonl"), undefined);
  try {
    await assert.rejects(
    (async () => {
      for (let i = 0; i < 2000; i++) {
        w.append({ i, id: String(i), o: line, r: { chatgpt: [line] } } as never);
        if (i % 100 === 0) await w.flush();
      }
      await w.flush();
      w.append({ i: -1, id: "", o: "", r: {} } as never);
    })(),
      full,
    );
  } finally {
    await w.close().catch(() => undefined);
  }
});

test("`laclip rewrite` whose finalize meets a full disk: one line, no output under a final name, no temp file", async (t) => {
  const dir = await tinyDisk(t);
  if (!dir) return;
  const input = join(tmpdir(), `laclip-full-captions-${process.pid}.txt`);
  await writeFile(input, Array.from({ length: 100 }, (_, i) => `a photo of a small red house number ${i} by the sea`).join("\n") + "\n");
  t.after(() => rm(input, { force: true }));
  const r = await runCli(["rewrite", "--input", input, "--output", join(dir, "out"), "--progress", "none"]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /^laclip rewrite: ENOSPC: no space left on device.*run again to resume\n$/);
  assert.deepEqual(await readdir(join(dir, "out")), [".laclip-rewrite"]);
  assert.deepEqual(await readdir(join(dir, "out", ".laclip-rewrite")), ["journal.jsonl"]);
});
