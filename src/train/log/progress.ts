/**
 * Training progress on stderr: on a terminal a bar redrawn in place (at most a few times a second) with steps,
 * rate, ETA and the latest loss; elsewhere (a batch job's log file) one plain line every `everySeconds`. The
 * rate is optimizer steps per second since this process started (a resumed run measures its own speed).
 */

export type ProgressMode = "auto" | "bar" | "lines" | "none";

export interface ProgressStatus {
  /** Optimizer steps done, over the whole run. */
  step: number;
  epoch: number;
  loss?: number;
  lr?: number;
  samplesPerSec?: number;
}

export interface ProgressOptions {
  /** Optimizer steps in the whole run. */
  total: number;
  mode?: ProgressMode;
  stream?: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  everySeconds?: number;
  /** Seconds clock, for tests. */
  now?: () => number;
}

const BAR = 20;

export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return "?";
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  if (h > 0) return `${h}h${String(m).padStart(2, "0")}m`;
  return m > 0 ? `${m}m${String(s % 60).padStart(2, "0")}s` : `${s}s`;
}

export class TrainProgress {
  private readonly bar: boolean;
  private readonly silent: boolean;
  private readonly stream: NonNullable<ProgressOptions["stream"]>;
  private readonly now: () => number;
  private readonly started: number;
  private firstStep: number | undefined;
  private lastDraw = -Infinity;
  private drewBar = false;

  constructor(private readonly options: ProgressOptions) {
    const mode = options.mode ?? "auto";
    this.stream = options.stream ?? process.stderr;
    this.now = options.now ?? (() => performance.now() / 1000);
    this.bar = mode === "bar" || (mode === "auto" && this.stream.isTTY === true);
    this.silent = mode === "none";
    this.started = this.now();
  }

  update(status: ProgressStatus): void {
    if (this.silent) return;
    this.firstStep ??= status.step;
    const t = this.now();
    const every = this.bar ? 0.2 : (this.options.everySeconds ?? 30);
    if (t - this.lastDraw < every && status.step < this.options.total) return;
    this.lastDraw = t;
    const line = this.describe(status, t);
    if (this.bar) {
      const frac = Math.min(1, status.step / this.options.total);
      const filled = Math.round(frac * BAR);
      this.stream.write(`\r[${"#".repeat(filled)}${"-".repeat(BAR - filled)}] ${line}\x1b[K`);
      this.drewBar = true;
    } else {
      this.stream.write(`train: ${line}\n`);
    }
  }

  /** Ends the bar's line so that later output starts on a fresh one. */
  finish(): void {
    if (this.drewBar) this.stream.write("\n");
    this.drewBar = false;
  }

  private describe(s: ProgressStatus, t: number): string {
    const elapsed = t - this.started;
    const done = s.step - (this.firstStep ?? s.step);
    const rate = elapsed > 0 ? done / elapsed : 0;
    const eta = rate > 0 ? (this.options.total - s.step) / rate : Infinity;
    const pct = ((100 * s.step) / this.options.total).toFixed(1);
    const parts = [`step ${s.step}/${this.options.total} (${pct}%)`, `epoch ${s.epoch}`];
    if (s.loss !== undefined) parts.push(`loss ${s.loss.toFixed(4)}`);
    if (s.lr !== undefined) parts.push(`lr ${s.lr.toExponential(2)}`);
    if (s.samplesPerSec !== undefined) parts.push(`${s.samplesPerSec.toFixed(1)} samples/s`);
    parts.push(`${rate.toFixed(2)} steps/s`, `elapsed ${formatDuration(elapsed)}`, `ETA ${formatDuration(eta)}`);
    return parts.join(", ");
  }
}
