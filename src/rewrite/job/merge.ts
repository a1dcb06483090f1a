/**
 * Joins the shards of a run back into one output in input order: `<slot>.txt`, rewrites.jsonl, the new tars (hard
 * links, or copies across file systems) and a summary. Each shard's rewrites.jsonl is read in step; the merge takes
 * index 0, 1, 2, ... from whichever shard holds it, so a missing, duplicated or out-of-order index is caught by
 * name, and the shards must all be complete, of one run (same settings), and all of 0..N-1.
 */
import { copyFile, link, mkdir, readdir, rm } from "node:fs/promises";
import { join } from "node:path";
import { AtomicFile, commitAll, writeAtomic } from "../io/atomic_file.js";
import { readRawLines } from "../io/line_reader.js";
import { JSONL_FILE, SUMMARY_FILE } from "./finalize.js";
import { IncompleteShardsError } from "./incomplete_shards_error.js";
import { readSummary } from "./job.js";
import { slots } from "./output_names.js";
import { writeSlotFiles } from "./slot_files.js";
import { settingsDiff } from "./settings.js";
import { shardDirName, type ShardSpec } from "./shard.js";
import type { RunSummary } from "./summary.js";

interface Head {
  shard: number;
  index: number;
  line: string;
  rewrites: Record<string, string[]>;
}

export function shardDirsOf(outputDir: string, count: number): string[] {
  return Array.from({ length: count }, (_, index) => join(outputDir, shardDirName({ index, count })));
}

async function loadShards(dirs: string[]): Promise<RunSummary[]> {
  const sums: RunSummary[] = [];
  for (const dir of dirs) {
    const s = await readSummary(dir);
    if (!s) throw new IncompleteShardsError(`${dir} is not a finished shard (no ${SUMMARY_FILE}); run that shard again with the same arguments`);
    sums.push(s);
  }
  const count = sums[0]!.shard.count;
  const seen = new Map<number, string>();
  sums.forEach((s, k) => {
    if (s.shard.count !== count) throw new IncompleteShardsError(`${dirs[k]} is shard ${s.shard.index}/${s.shard.count}, not of ${count}`);
    const other = seen.get(s.shard.index);
    if (other) throw new IncompleteShardsError(`${other} and ${dirs[k]} are both shard ${s.shard.index}/${count}`);
    seen.set(s.shard.index, dirs[k]!);
    const diff = settingsDiff({ ...sums[0]!.settings, shard: null }, { ...s.settings, shard: null });
    if (diff.length > 0) throw new IncompleteShardsError(`${dirs[k]} comes from another run than ${dirs[0]} (${diff.join("; ")})`);
  });
  const missing = Array.from({ length: count }, (_, i) => i).filter((i) => !seen.has(i));
  if (missing.length > 0) throw new IncompleteShardsError(`shard(s) ${missing.join(", ")} of ${count} not given; every shard must be merged`);
  return sums;
}

export async function mergeShards(outputDir: string, dirs: string[], log: (line: string) => void = () => undefined): Promise<RunSummary> {
  if (dirs.length === 0) throw new IncompleteShardsError("no shard directories to merge");
  const sums = await loadShards(dirs);
  const first = sums[0]!;
  const all = slots(first.sources, first.perSource);
  const jsonl = await AtomicFile.create(join(outputDir, JSONL_FILE));
  const files: AtomicFile[] = [];
  const readers = dirs.map((d) => readRawLines(join(d, JSONL_FILE)));
  const heads = new Map<number, Head>();
  const advance = async (shard: number, after: number): Promise<void> => {
    const r = await readers[shard]!.next();
    if (r.done) return;
    const line = r.value.bytes.toString("utf8");
    const rec = JSON.parse(line) as { index: number; rewrites: Record<string, string[]> };
    if (!(rec.index > after)) throw new IncompleteShardsError(`${dirs[shard]}/${JSONL_FILE} line ${r.value.line}: index ${rec.index} is out of order`);
    const clash = heads.get(rec.index);
    if (clash) throw new IncompleteShardsError(`index ${rec.index} is in both ${dirs[clash.shard]} and ${dirs[shard]}`);
    heads.set(rec.index, { shard, index: rec.index, line, rewrites: rec.rewrites });
  };
  let g = 0;
  try {
    for (let k = 0; k < dirs.length; k++) await advance(k, -1);
    for (; heads.size > 0; g++) {
      const head = heads.get(g);
      if (!head) throw new IncompleteShardsError(`index ${g} is missing: no shard holds it (next indices held: ${[...heads.keys()].sort((a, b) => a - b).slice(0, 5).join(", ")})`);
      heads.delete(g);
      await jsonl.write(head.line + "\n");
      await advance(head.shard, g);
    }
    const total = sums.find((s) => s.inputTotal !== undefined)?.inputTotal;
    if (total !== undefined && g !== total) throw new IncompleteShardsError(`the shards hold ${g} captions but the input has ${total}`);
    await jsonl.finish();
    // the slot files come from the merged rewrites.jsonl, in as many passes as it takes to keep few files open
    await writeSlotFiles(outputDir, all, () => rewritesIn(jsonl.tempPath), files);
    files.push(jsonl);
    await commitAll(files);
  } catch (err) {
    await Promise.all([...files, jsonl].map((f) => f.abort()));
    throw err;
  }
  const tarFiles = await linkTars(outputDir, dirs);
  const merged = mergedSummary(sums, g, [...all.map((s) => s.file), JSONL_FILE, ...tarFiles]);
  await writeAtomic(join(outputDir, SUMMARY_FILE), JSON.stringify(merged, null, 2) + "\n");
  log(`merged ${dirs.length} shards: ${g} captions into ${outputDir}`);
  return merged;
}

async function* rewritesIn(path: string): AsyncGenerator<Record<string, string[]>> {
  for await (const raw of readRawLines(path)) yield (JSON.parse(raw.bytes.toString("utf8")) as { rewrites: Record<string, string[]> }).rewrites;
}

async function linkTars(outputDir: string, dirs: string[]): Promise<string[]> {
  const names: string[] = [];
  for (const dir of dirs) {
    const tars = await readdir(join(dir, "shards")).catch(() => [] as string[]);
    if (tars.length > 0) await mkdir(join(outputDir, "shards"), { recursive: true });
    for (const name of tars.filter((n) => n.endsWith(".tar"))) {
      const to = join(outputDir, "shards", name);
      await rm(to, { force: true });
      await link(join(dir, "shards", name), to).catch(() => copyFile(join(dir, "shards", name), to));
      names.push(join("shards", name));
    }
  }
  return names.sort();
}

function mergedSummary(sums: RunSummary[], captions: number, files: string[]): RunSummary {
  const add = (f: (s: RunSummary) => number) => sums.reduce((a, s) => a + f(s), 0);
  const rejects: RunSummary["rejects"] = {};
  for (const s of sums) for (const [k, v] of Object.entries(s.rejects)) rejects[k as keyof typeof rejects] = (rejects[k as keyof typeof rejects] ?? 0) + (v ?? 0);
  const shard: ShardSpec = { index: 0, count: 1 };
  const wall = Math.max(...sums.map((s) => s.wallSeconds));
  return {
    ...sums[0]!,
    settings: { ...sums[0]!.settings, shard: `merged from ${sums.length}` },
    shard,
    captions,
    rewritten: add((s) => s.rewritten),
    emptyCaptions: add((s) => s.emptyCaptions),
    skippedRows: add((s) => s.skippedRows),
    inputBreaks: add((s) => s.inputBreaks),
    rewrites: add((s) => s.rewrites),
    fallbacks: add((s) => s.fallbacks),
    rejects,
    tokens: add((s) => s.tokens),
    firstIndex: captions > 0 ? 0 : undefined,
    lastIndex: captions > 0 ? captions - 1 : undefined,
    wallSeconds: wall,
    captionsThisRun: add((s) => s.captionsThisRun),
    captionsPerSecond: add((s) => s.captionsPerSecond),
    files,
    problems: sums.flatMap((s) => s.problems).slice(0, 100),
  };
}
