/**
 * Runs one shard of a rewrite job from start to finish, or resumes it: output dir and lock, input, rewriter, the
 * journal (checked against this run's settings), the main loop with progress, then the final files. A shard whose
 * summary.json exists is complete and is left alone (same settings) or refused (other settings).
 */
import { mkdir, readFile, rmdir } from "node:fs/promises";
import { basename, join } from "node:path";
import { ConfigError } from "../../errors/config_error.js";
import { openInput } from "../io/open_input.js";
import type { Rewriter } from "../types.js";
import type { JobConfig } from "./config.js";
import { finalizeShard, SUMMARY_FILE } from "./finalize.js";
import { inputIdentity } from "./input_identity.js";
import { JournalWriter, scanJournal } from "./journal.js";
import type { JournalHeader } from "./journal_record.js";
import { DirLock } from "./lock.js";
import { Progress } from "./progress.js";
import { RewriteFailedError } from "./rewrite_failed_error.js";
import { Runner } from "./runner.js";
import { assertSameSettings } from "./settings.js";
import { ownsIndex, ownsTar, shardDir } from "./shard.js";
import type { RunSummary } from "./summary.js";

export const STATE_DIR = ".laclip-rewrite";

export async function readSummary(dir: string): Promise<RunSummary | undefined> {
  const text = await readFile(join(dir, SUMMARY_FILE), "utf8").catch(() => undefined);
  const parsed = text === undefined ? undefined : (JSON.parse(text) as RunSummary);
  return parsed?.complete ? parsed : undefined;
}

function uniqueNames(tars: string[]): void {
  const seen = new Map<string, string>();
  for (const t of tars) {
    const other = seen.get(basename(t));
    if (other) throw new ConfigError(`two input tars share the name ${basename(t)} (${other}, ${t}); new shards are written under the input names`, "--input");
    seen.set(basename(t), t);
  }
}

export async function runRewriteJob(config: JobConfig, openRewriter: () => Promise<Rewriter>): Promise<RunSummary> {
  const log = config.log ?? ((line: string) => void process.stderr.write(line + "\n"));
  const { shard } = config;
  const dir = shardDir(config.outputDir, shard);
  const started = Date.now();
  const input = await openInput(config.input, shard.count > 1 ? (t) => ownsTar(shard, t) : undefined);
  const wds = input.format === "wds";
  if (wds) uniqueNames(input.tars);
  const settings = { ...config.settings, input: await inputIdentity(input.format, input.source.files, config.input), shard: `${shard.index}/${shard.count}` };
  const finished = await readSummary(dir);
  if (finished) {
    assertSameSettings(join(dir, SUMMARY_FILE), finished.settings, settings);
    log(`${dir} is already complete (${SUMMARY_FILE}); nothing to do`);
    return finished;
  }
  await mkdir(join(dir, STATE_DIR), { recursive: true });
  const lock = await DirLock.acquire(join(dir, STATE_DIR, "lock"));
  let rewriter: Rewriter | undefined;
  try {
    rewriter = await openRewriter();
    const header: JournalHeader = { journal: "laclip-rewrite", version: 1, settings, sources: [...rewriter.sources], perSource: rewriter.perSource };
    const journalPath = join(dir, STATE_DIR, "journal.jsonl");
    const found = await scanJournal(journalPath);
    if (found.header) {
      const { settings: s, sources, perSource } = found.header;
      assertSameSettings(journalPath, { ...s, sources, perSource }, { ...settings, sources: header.sources, perSource: header.perSource });
      log(`resuming: ${found.done} captions of this shard are already done`);
    }
    const journal = await JournalWriter.open(journalPath, found.header ? undefined : header);
    const runner = new Runner({
      source: input.source,
      rewriter,
      journal,
      owns: wds ? () => true : (item) => ownsIndex(shard, item.record.index),
      resume: { done: found.done, lastIndex: found.lastIndex },
      concurrency: config.concurrency,
      window: config.window ?? Math.max(4096, 32 * config.concurrency),
      onError: config.onError,
      log,
    });
    const progress = new Progress({ done: () => runner.stats.emitted, fraction: () => input.source.fraction() }, config.progress ?? "auto", process.stderr, config.logEverySeconds);
    let signals = 0;
    const onSignal = (sig: NodeJS.Signals) => {
      if (++signals > 1) process.exit(130);
      runner.stop(new RewriteFailedError(`interrupted by ${sig}; the captions finished so far are kept: run the same command again to resume`));
    };
    process.on("SIGINT", onSignal).on("SIGTERM", onSignal);
    let failure: unknown;
    try {
      await runner.run();
    } catch (err) {
      failure = err;
    }
    progress.stop();
    process.off("SIGINT", onSignal).off("SIGTERM", onSignal);
    // what was finished must reach the disk even when the run failed; the run's own error is the one reported
    await journal.close().catch((err: unknown) => (failure ??= err));
    if (failure !== undefined) throw failure;
    const summary = await finalizeShard({
      dir,
      journalPath,
      header,
      shard,
      tars: wds && config.writeShards !== false ? input.tars.filter((_, t) => shard.count === 1 || ownsTar(shard, t)) : undefined,
      inputTotal: runner.stats.inputEnded && !(wds && shard.count > 1) ? runner.stats.inputSeen : undefined,
      inputBreaks: runner.stats.losses.length,
      captionsThisRun: runner.stats.emitted,
      wallSeconds: (Date.now() - started) / 1000,
    });
    return summary;
  } finally {
    try {
      await rewriter?.close();
    } finally {
      await lock.release();
      // gone only when empty, i.e. when the journal was consumed by a finished run
      await rmdir(join(dir, STATE_DIR)).catch(() => undefined);
    }
  }
}
