/**
 * One line of the journal: a finished caption, in index order. Short keys keep the journal small and quick to
 * write; the final files are made from these records.
 */
import type { RejectReason, RewriteOutcome } from "../types.js";

export interface JournalRecord {
  /** Global index. */
  i: number;
  id: string;
  /** The original caption. */
  o: string;
  /** Rewrites per source, K each. */
  r: Record<string, string[]>;
  /** Fallbacks to the original. */
  f: number;
  /** Rejected candidates by reason. */
  x: Partial<Record<RejectReason, number>>;
  /** Completion tokens. */
  t: number;
  /** Set for a bad input row kept as a placeholder: why it was skipped. */
  e?: string;
}

export interface JournalHeader {
  journal: "laclip-rewrite";
  version: 1;
  settings: Record<string, unknown>;
  sources: string[];
  perSource: number;
}

export function fromOutcome(o: RewriteOutcome): JournalRecord {
  return { i: o.index, id: o.id, o: o.original, r: o.rewrites, f: o.fallbacks, x: o.rejects, t: o.tokens };
}

/** A caption that is not sent to the engine (empty, or a bad row): every slot holds `fill`. */
export function placeholder(index: number, id: string, original: string, sources: readonly string[], perSource: number, error?: string): JournalRecord {
  const r: Record<string, string[]> = {};
  for (const s of sources) r[s] = Array.from({ length: perSource }, () => original);
  const rec: JournalRecord = { i: index, id, o: original, r, f: 0, x: {}, t: 0 };
  if (error !== undefined) rec.e = error;
  return rec;
}

export function isRecord(v: unknown): v is JournalRecord {
  const r = v as JournalRecord;
  return typeof r === "object" && r !== null && Number.isInteger(r.i) && typeof r.id === "string" && typeof r.o === "string" && typeof r.r === "object";
}
