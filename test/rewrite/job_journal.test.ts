import assert from "node:assert/strict";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { test } from "node:test";
import { Writable } from "node:stream";
import { JournalWriter, readJournal, scanJournal } from "../../src/rewrite/job/journal.js";
import type { JournalHeader } from "../../src/rewrite/job/journal_record.js";
import { formatDuration, Progress } from "../../src/rewrite/job/progress.js";
import { tempDir } from "./job_fixtures.js";

const HEADER: JournalHeader = { journal: "laclip-rewrite", version: 1, settings: { seed: 1 }, sources: ["a"], perSource: 1 };
const rec = (i: number) => ({ i, id: String(i), o: `caption ${i}`, r: { a: [`rewrite ${i}`] }, f: 0, x: {}, t: 3 });

test("journal: records written in batches come back in order; a torn last line is cut off", async (t) => {
  const dir = await tempDir(t);
  const path = join(dir, "journal.jsonl");
  const w = await JournalWriter.open(path, HEADER);
  for (let i = 0; i < 5000; i++) w.append(rec(i));
  await w.close();
  const whole = await readFile(path, "utf8");
  await writeFile(path, whole + JSON.stringify(rec(5000)).slice(0, 17));
  const state = await scanJournal(path);
  assert.deepEqual({ done: state.done, lastIndex: state.lastIndex, seed: state.header?.settings.seed }, { done: 5000, lastIndex: 4999, seed: 1 });
  assert.equal(await readFile(path, "utf8"), whole, "the torn tail is truncated");
  // a whole last line without its newline is also treated as torn (the next append would glue onto it)
  await writeFile(path, whole + JSON.stringify(rec(5000)));
  assert.equal((await scanJournal(path)).done, 5000);
  const again = await JournalWriter.open(path, undefined);
  again.append(rec(5000));
  await again.close();
  const back = [];
  for await (const r of readJournal(path)) back.push(r.i);
  assert.deepEqual(back, Array.from({ length: 5001 }, (_, i) => i));
});

test("journal: a torn header reads as empty; damage in the middle and foreign files are refused", async (t) => {
  const dir = await tempDir(t);
  const path = join(dir, "journal.jsonl");
  await writeFile(path, JSON.stringify(HEADER).slice(0, 20));
  assert.deepEqual(await scanJournal(path), { done: 0, lastIndex: -1 });
  assert.deepEqual(await scanJournal(join(dir, "absent.jsonl")), { done: 0, lastIndex: -1 });
  const lines = [JSON.stringify(HEADER), JSON.stringify(rec(0)), "{broken", JSON.stringify(rec(1))];
  await writeFile(path, lines.join("\n") + "\n");
  await assert.rejects(scanJournal(path), /journal\.jsonl, line 3: journal line is damaged in the middle/);
  await writeFile(path, [JSON.stringify(HEADER), JSON.stringify(rec(3)), JSON.stringify(rec(2))].join("\n") + "\n");
  await assert.rejects(scanJournal(path), /line 3: journal record for index 2 comes after index 3/);
  await writeFile(path, '{"hello": 1}\n');
  await assert.rejects(scanJournal(path), /line 1: not a laclip rewrite journal/);
});

class Capture extends Writable {
  text = "";
  constructor(readonly isTTY: boolean) {
    super();
  }
  override _write(chunk: Buffer, _enc: string, cb: () => void): void {
    this.text += chunk.toString();
    cb();
  }
}

test("progress: a redrawn bar with rate and ETA on a terminal, plain lines otherwise", async () => {
  let done = 0;
  const source = { done: () => done, fraction: () => Math.min(1, done / 1000) };
  const tty = new Capture(true);
  const bar = new Progress(source, "auto", tty as unknown as NodeJS.WriteStream);
  done = 100;
  await new Promise((r) => setTimeout(r, 600));
  done = 400;
  bar.stop();
  assert.match(tty.text, /\r\[#+-+\]\s+40\.0% 400 captions, [\d.]+\/s, elapsed \d+s, ETA \d+s/);
  const file = new Capture(false);
  const log = new Progress(source, "auto", file as unknown as NodeJS.WriteStream, 0.2);
  await new Promise((r) => setTimeout(r, 450));
  log.stop();
  assert.match(file.text, /^rewrite: 40\.0% of input read, 400 captions, [\d.]+\/s, elapsed \d+s, ETA \?\n/);
  assert.doesNotMatch(file.text, /\r/);
  assert.equal(formatDuration(3725), "1h02m");
  assert.equal(formatDuration(75), "1m15s");
});
