/**
 * Progress on stderr: a redrawn bar with rate and ETA on a terminal, a plain line every few seconds otherwise (log
 * files of batch jobs). The rate counts captions finished by this run; the ETA extrapolates from how much of the
 * input the reader has got through since this run's work began (a resume races through the finished part first).
 */
import type { ProgressMode } from "./config.js";

export interface ProgressSource {
  /** Captions finished by this run. */
  done(): number;
  /** Fraction of the input read, 0..1. */
  fraction(): number;
}

const BAR = 24;

export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return "?";
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  return h > 0 ? `${h}h${String(m).padStart(2, "0")}m` : m > 0 ? `${m}m${String(s % 60).padStart(2, "0")}s` : `${s}s`;
}

export class Progress {
  private timer?: NodeJS.Timeout;
  private readonly started = Date.now();
  private startFraction?: number;
  private readonly bar: boolean;

  constructor(
    private readonly source: ProgressSource,
    mode: ProgressMode,
    private readonly stream: NodeJS.WriteStream = process.stderr,
    private readonly everySeconds = 30,
  ) {
    this.bar = mode === "bar" || (mode === "auto" && stream.isTTY === true);
    if (mode === "none") return;
    this.timer = setInterval(() => this.tick(), this.bar ? 250 : this.everySeconds * 1000);
    this.timer.unref();
  }

  private status(): { pct: number; line: string } {
    const done = this.source.done();
    const f = this.source.fraction();
    if (done > 0) this.startFraction ??= f;
    const elapsed = (Date.now() - this.started) / 1000;
    const rate = elapsed > 0 ? done / elapsed : 0;
    const progressed = f - (this.startFraction ?? f);
    const eta = progressed > 0 ? (elapsed * (1 - f)) / progressed : Infinity;
    const line = `${done} captions, ${rate.toFixed(1)}/s, elapsed ${formatDuration(elapsed)}, ETA ${formatDuration(eta)}`;
    return { pct: f * 100, line };
  }

  private tick(): void {
    const { pct, line } = this.status();
    if (this.bar) {
      const filled = Math.min(BAR, Math.round((pct / 100) * BAR));
      this.stream.write(`\r[${"#".repeat(filled)}${"-".repeat(BAR - filled)}] ${pct.toFixed(1).padStart(5)}% ${line}\x1b[K`);
    } else {
      this.stream.write(`rewrite: ${pct.toFixed(1)}% of input read, ${line}\n`);
    }
  }

  stop(): void {
    if (!this.timer) return;
    clearInterval(this.timer);
    this.timer = undefined;
    if (this.bar) {
      this.tick();
      this.stream.write("\n");
    }
  }
}
