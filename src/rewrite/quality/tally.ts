/** Running totals of a rewrite run, for the job's final summary. */
import type { RejectReason, RewriteOutcome } from "../types.js";

export interface RewriterStats {
  captions: number;
  /** Rewrite slots filled by an accepted rewrite. */
  accepted: number;
  /** Rewrite slots that fell back to the original. */
  fallbacks: number;
  rejects: Partial<Record<RejectReason, number>>;
  /** Prompts that were over budget and cut. */
  truncatedPrompts: number;
  tokens: number;
}

export function emptyStats(): RewriterStats {
  return { captions: 0, accepted: 0, fallbacks: 0, rejects: {}, truncatedPrompts: 0, tokens: 0 };
}

export function addReject(into: Partial<Record<RejectReason, number>>, reason: RejectReason, count = 1): void {
  into[reason] = (into[reason] ?? 0) + count;
}

export function addOutcome(stats: RewriterStats, outcome: RewriteOutcome, slots: number): void {
  stats.captions++;
  stats.accepted += slots - outcome.fallbacks;
  stats.fallbacks += outcome.fallbacks;
  stats.tokens += outcome.tokens;
  for (const [reason, n] of Object.entries(outcome.rejects)) addReject(stats.rejects, reason as RejectReason, n);
}
