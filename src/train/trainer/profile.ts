/**
 * Wall-clock time per phase of a training step (forward vision/text, loss, backward, optimizer, ...), on when
 * LACLIP_PROFILE=1 (or when asked for). The engine runs every op synchronously on the calling thread (CPU), so
 * the time between two points is the time of the ops between them; on CUDA it would need a synchronise first.
 * When off, `time` is a plain call: no clock reads, no allocation.
 */

export interface PhaseStats {
  phase: string;
  calls: number;
  totalMs: number;
}

export class PhaseTimer {
  private readonly totals = new Map<string, { calls: number; ms: number }>();

  constructor(readonly enabled: boolean = process.env.LACLIP_PROFILE === "1") {}

  /** Runs `fn`, adding its duration to `phase` when enabled. */
  time<T>(phase: string, fn: () => T): T {
    if (!this.enabled) return fn();
    const t0 = performance.now();
    try {
      return fn();
    } finally {
      this.add(phase, performance.now() - t0);
    }
  }

  async timeAsync<T>(phase: string, fn: () => Promise<T>): Promise<T> {
    if (!this.enabled) return fn();
    const t0 = performance.now();
    try {
      return await fn();
    } finally {
      this.add(phase, performance.now() - t0);
    }
  }

  add(phase: string, ms: number): void {
    if (!this.enabled) return;
    const s = this.totals.get(phase);
    if (s === undefined) this.totals.set(phase, { calls: 1, ms });
    else {
      s.calls += 1;
      s.ms += ms;
    }
  }

  reset(): void {
    this.totals.clear();
  }

  /** Phases in first-seen order. */
  stats(): PhaseStats[] {
    return [...this.totals].map(([phase, s]) => ({ phase, calls: s.calls, totalMs: s.ms }));
  }

  /** A table: phase, ms per step, share of the phases' sum. */
  format(steps: number): string {
    const rows = this.stats();
    const sum = rows.reduce((a, r) => a + r.totalMs, 0);
    const lines = rows.map((r) => `  ${r.phase.padEnd(18)} ${(r.totalMs / steps).toFixed(1).padStart(9)} ms/step ${((100 * r.totalMs) / (sum || 1)).toFixed(1).padStart(5)}%`);
    return [`phases over ${steps} steps:`, ...lines, `  ${"sum".padEnd(18)} ${(sum / steps).toFixed(1).padStart(9)} ms/step`].join("\n");
  }
}
