/**
 * Turns a finished journal into the shard's final files: `<slot>.txt` (line i = caption i's rewrite), rewrites.jsonl
 * and, for WebDataset input, new tars in `shards/`. Everything is written under temp names and renamed into place
 * together only once all of it is on disk; summary.json goes last and marks the shard complete. The journal is
 * then deleted (its content is in the outputs).
 */
import { mkdir, rm } from "node:fs/promises";
import { basename, join, relative } from "node:path";
import { FormatError } from "../../errors/format_error.js";
import { AtomicFile, commitAll, writeAtomic } from "../io/atomic_file.js";
import { rewriteTar } from "../io/wds_writer.js";
import { readJournal } from "./journal.js";
import type { JournalHeader, JournalRecord } from "./journal_record.js";
import { ORIGINAL_KEY, oneLine, openClipFlags, slots, type Slot } from "./output_names.js";
import { writeSlotFiles } from "./slot_files.js";
import type { ShardSpec } from "./shard.js";
import { SummaryTally, type RunSummary } from "./summary.js";

export interface FinalizeInput {
  dir: string;
  journalPath: string;
  header: JournalHeader;
  shard: ShardSpec;
  /** Owned WebDataset tars to copy with the rewrites (undefined: no new shards). */
  tars?: string[];
  inputTotal?: number;
  inputBreaks: number;
  captionsThisRun: number;
  wallSeconds: number;
}

export const SUMMARY_FILE = "summary.json";
export const JSONL_FILE = "rewrites.jsonl";

/** The rewrites.jsonl line of a record. */
export function jsonlLine(rec: JournalRecord): string {
  const out: Record<string, unknown> = { index: rec.i, id: rec.id, original: rec.o, rewrites: rec.r };
  if (rec.e !== undefined) out.skipped = rec.e;
  return JSON.stringify(out) + "\n";
}

async function writeTexts(f: FinalizeInput, all: Slot[], files: AtomicFile[], tally: SummaryTally): Promise<void> {
  const jsonl = await AtomicFile.create(join(f.dir, JSONL_FILE));
  try {
    for await (const rec of readJournal(f.journalPath)) {
      tally.add(rec);
      await jsonl.write(jsonlLine(rec));
    }
    await jsonl.finish();
    await writeSlotFiles(f.dir, all, () => rewritesOf(readJournal(f.journalPath)), files);
  } finally {
    files.push(jsonl);
  }
}

async function* rewritesOf(records: AsyncIterable<JournalRecord>): AsyncGenerator<Record<string, string[]>> {
  for await (const rec of records) yield rec.r;
}

async function writeTars(f: FinalizeInput, tars: string[], all: Slot[], files: AtomicFile[]): Promise<void> {
  await mkdir(join(f.dir, "shards"), { recursive: true });
  const records = readJournal(f.journalPath);
  for (const tar of tars) {
    const out = await AtomicFile.create(join(f.dir, "shards", basename(tar)));
    files.push(out);
    await rewriteTar(tar, out, async (key) => {
      const r = await records.next();
      if (r.done || r.value.id !== key) {
        throw new FormatError(`the journal does not match this tar (sample '${key}', journal has '${r.done ? "nothing" : r.value.id}'); delete the output to start over`, { file: tar, key });
      }
      const extra: Record<string, string> = { [ORIGINAL_KEY]: r.value.o };
      for (const s of all) extra[s.jsonKey] = oneLine(r.value.r[s.source]![s.k]!);
      return extra;
    });
    await out.finish();
  }
  if (!(await records.next()).done) throw new FormatError("the journal holds more samples than the tars; delete the output to start over", { file: f.journalPath });
}

export async function finalizeShard(f: FinalizeInput): Promise<RunSummary> {
  const all = slots(f.header.sources, f.header.perSource);
  const files: AtomicFile[] = [];
  const tally = new SummaryTally();
  try {
    await writeTexts(f, all, files, tally);
    if (f.tars) await writeTars(f, f.tars, all, files);
    await commitAll(files);
  } catch (err) {
    await Promise.all(files.map((x) => x.abort()));
    throw err;
  }
  const summary: RunSummary = {
    complete: true,
    settings: f.header.settings,
    shard: f.shard,
    sources: f.header.sources,
    perSource: f.header.perSource,
    captions: tally.captions,
    rewritten: tally.rewritten,
    emptyCaptions: tally.emptyCaptions,
    skippedRows: tally.skippedRows,
    inputBreaks: f.inputBreaks,
    rewrites: tally.rewritten * all.length - tally.fallbacks,
    fallbacks: tally.fallbacks,
    rejects: tally.rejects,
    tokens: tally.tokens,
    inputTotal: f.inputTotal,
    firstIndex: tally.firstIndex,
    lastIndex: tally.lastIndex,
    wallSeconds: f.wallSeconds,
    captionsThisRun: f.captionsThisRun,
    captionsPerSecond: f.wallSeconds > 0 ? f.captionsThisRun / f.wallSeconds : 0,
    files: files.map((x) => relative(f.dir, x.path)),
    openClip: f.tars ? openClipFlags(all) : undefined,
    problems: tally.problems,
  };
  await writeAtomic(join(f.dir, SUMMARY_FILE), JSON.stringify(summary, null, 2) + "\n");
  await rm(f.journalPath, { force: true });
  return summary;
}
