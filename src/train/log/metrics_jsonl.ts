/**
 * The metrics log: one JSON object per line (`{"time", "step", "epoch", "loss", "lr", ...}`), appended with one
 * write per line, so each line reaches the kernel whole as soon as it is logged (a SIGKILL loses nothing logged).
 * Safe across resume: opening with `resumeStep` S (the optimizer steps the resumed checkpoint holds) drops the
 * lines of steps after S that the killed run wrote past its last checkpoint, and a last line cut in half, so
 * the file never holds a step twice. Non-finite numbers (a diverged loss) are written as the strings "NaN",
 * "Infinity", "-Infinity", since JSON has no such numbers.
 */
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, renameSync, writeFileSync, writeSync, fsyncSync } from "node:fs";
import { dirname } from "node:path";

export type MetricValue = number | string | boolean | null;

export interface MetricsRecord {
  /** Optimizer steps completed when the record was logged. */
  step: number;
  epoch: number;
  [name: string]: MetricValue;
}

export class MetricsLog {
  private fd: number | undefined;

  private constructor(readonly path: string, fd: number) {
    this.fd = fd;
  }

  static open(path: string, options: { resumeStep?: number } = {}): MetricsLog {
    mkdirSync(dirname(path), { recursive: true });
    if (existsSync(path)) truncateAfter(path, options.resumeStep);
    return new MetricsLog(path, openSync(path, "a"));
  }

  write(record: MetricsRecord): void {
    if (this.fd === undefined) throw new Error(`metrics log ${this.path} is closed`);
    const line = JSON.stringify({ time: Date.now() / 1000, ...record }, (_k, v: unknown) => (typeof v === "number" && !Number.isFinite(v) ? String(v) : v));
    writeSync(this.fd, line + "\n");
  }

  /** Forces the lines to disk (for a checkpoint: the log is then at least as far as the checkpoint). */
  sync(): void {
    if (this.fd !== undefined) fsyncSync(this.fd);
  }

  close(): void {
    if (this.fd === undefined) return;
    closeSync(this.fd);
    this.fd = undefined;
  }
}

/** Rewrites `path` (atomically) without a torn last line and without records of steps after `resumeStep`. */
function truncateAfter(path: string, resumeStep: number | undefined): void {
  const text = readFileSync(path, "utf8");
  const complete = text.endsWith("\n") || text === "" ? text : text.slice(0, text.lastIndexOf("\n") + 1);
  const lines = complete.split("\n").slice(0, -1);
  const kept = lines.filter((line) => {
    if (resumeStep === undefined) return true;
    try {
      const step = (JSON.parse(line) as { step?: unknown }).step;
      return !(typeof step === "number" && step > resumeStep);
    } catch {
      return true; // not ours to judge: keep what we cannot read
    }
  });
  if (kept.length === lines.length && complete.length === text.length) return;
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, kept.map((l) => l + "\n").join(""));
  renameSync(tmp, path);
}

/** Reads a metrics log back (for tests and tools); non-JSON lines are skipped. */
export function readMetrics(path: string): MetricsRecord[] {
  return readFileSync(path, "utf8")
    .split("\n")
    .filter((l) => l.trim() !== "")
    .flatMap((l) => {
      try {
        return [JSON.parse(l) as MetricsRecord];
      } catch {
        return [];
      }
    });
}
