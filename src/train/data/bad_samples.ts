/**
 * Counts and logs the samples a run skips. A run of days must not stop for one broken image, but nobody should
 * lose data without being told: every skip is counted by reason, and logged with the file and row/key that
 * caused it (the first `maxLinesPerReason` of each reason; later ones only counted, with one line saying so).
 */
import type { BadReason } from "./sample_error.js";
import { SampleError } from "./sample_error.js";

export interface BadSampleEvent {
  reason: BadReason;
  file: string;
  row?: number;
  key?: string;
  message: string;
}

export interface BadSamplesOptions {
  /** Receives each logged line; default: one line on stderr. */
  log?: (line: string) => void;
  maxLinesPerReason?: number;
}

export class BadSamples {
  private readonly byReason = new Map<string, number>();
  private readonly log: (line: string) => void;
  private readonly maxLines: number;

  constructor(options: BadSamplesOptions = {}) {
    this.log = options.log ?? ((line) => process.stderr.write(line + "\n"));
    this.maxLines = options.maxLinesPerReason ?? 1000;
  }

  record(event: BadSampleEvent): void {
    const n = (this.byReason.get(event.reason) ?? 0) + 1;
    this.byReason.set(event.reason, n);
    if (n <= this.maxLines) this.log(`skipped sample: ${event.message}`);
    if (n === this.maxLines) {
      this.log(`(${event.reason}: ${n} skipped samples logged; further ones are only counted)`);
    }
  }

  recordError(err: SampleError): void {
    this.record({ reason: err.reason, file: err.file, row: err.where.row, key: err.where.key, message: err.message });
  }

  /** Skipped samples by reason, e.g. `{missing_image: 3, bad_json: 1}`. */
  counts(): Record<string, number> {
    return Object.fromEntries(this.byReason);
  }

  get total(): number {
    let t = 0;
    for (const n of this.byReason.values()) t += n;
    return t;
  }
}
