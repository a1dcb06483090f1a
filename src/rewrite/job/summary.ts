/**
 * The final account of a run, printed as one line and written to summary.json (whose presence marks a shard as
 * complete). Counts cover every caption of the shard, across resumes; wall time and rate are this run's.
 */
import type { RejectReason } from "../types.js";
import type { JournalRecord } from "./journal_record.js";
import type { ShardSpec } from "./shard.js";

export interface RunSummary {
  complete: true;
  settings: Record<string, unknown>;
  shard: ShardSpec;
  sources: string[];
  perSource: number;
  /** Caption slots written (every line of every output). */
  captions: number;
  /** Captions sent to the engine. */
  rewritten: number;
  emptyCaptions: number;
  /** Bad input rows kept as empty placeholders (--on-error skip). */
  skippedRows: number;
  /** Broken tars whose rest was lost (--on-error skip). */
  inputBreaks: number;
  /** Rewrite slots filled with an accepted rewrite. */
  rewrites: number;
  fallbacks: number;
  rejects: Partial<Record<RejectReason, number>>;
  tokens: number;
  /** Slots of the whole input (all shards), when this shard read all of it. */
  inputTotal?: number;
  firstIndex?: number;
  lastIndex?: number;
  wallSeconds: number;
  captionsThisRun: number;
  captionsPerSecond: number;
  files: string[];
  openClip?: { jsonTextKey: string; jsonTextKeyProbs: number[]; flags: string };
  problems: string[];
}

const KEPT_PROBLEMS = 100;

export class SummaryTally {
  captions = 0;
  rewritten = 0;
  emptyCaptions = 0;
  skippedRows = 0;
  fallbacks = 0;
  tokens = 0;
  rejects: Partial<Record<RejectReason, number>> = {};
  problems: string[] = [];
  firstIndex?: number;
  lastIndex?: number;

  add(rec: JournalRecord): void {
    this.captions++;
    this.firstIndex ??= rec.i;
    this.lastIndex = rec.i;
    if (rec.e !== undefined) {
      this.skippedRows++;
      if (this.problems.length < KEPT_PROBLEMS) this.problems.push(rec.e);
      return;
    }
    if (rec.o.trim() === "") {
      this.emptyCaptions++;
      return;
    }
    this.rewritten++;
    this.fallbacks += rec.f;
    this.tokens += rec.t;
    for (const [reason, n] of Object.entries(rec.x) as [RejectReason, number][]) this.rejects[reason] = (this.rejects[reason] ?? 0) + n;
  }
}

export function summaryLine(s: RunSummary): string {
  const rejects = Object.entries(s.rejects).map(([k, v]) => `${k}=${v}`).join(",") || "none";
  const shard = s.shard.count > 1 ? ` shard ${s.shard.index}/${s.shard.count}:` : "";
  return (
    `rewrite${shard} ${s.captions} captions (${s.rewritten} rewritten, ${s.emptyCaptions} empty, ${s.skippedRows} bad rows skipped` +
    `${s.inputBreaks ? `, ${s.inputBreaks} broken tars` : ""}), ${s.rewrites} rewrites, ${s.fallbacks} fallbacks, rejects ${rejects}, ` +
    `${s.tokens} tokens, ${s.wallSeconds.toFixed(1)} s, ${s.captionsPerSecond.toFixed(1)} captions/s`
  );
}
