/**
 * Per-native-call profile, for `laclip bench train-step --profile`: wraps every function of the engine's addon
 * object to count calls, time them and count the tensor handles they return, so a step's wall time splits
 * into time inside libtorch calls and time in JavaScript between them. Profiling only: the wrappers add about
 * a microsecond per call, and `stop()` puts the original functions back. (The engine keeps its addon object
 * internal; this reads it without changing any behaviour.)
 */
import { N } from "../../engine/native.js";

export interface OpStats {
  op: string;
  calls: number;
  ms: number;
  /** Tensor handles returned (new tensors allocated by the call). */
  handles: number;
}

export class OpProfile {
  private readonly stats = new Map<string, OpStats>();
  private readonly originals = new Map<string, Function>();

  start(): this {
    const target = N as unknown as Record<string, unknown>;
    for (const [name, fn] of Object.entries(target)) {
      if (typeof fn !== "function" || this.originals.has(name)) continue;
      this.originals.set(name, fn);
      const s: OpStats = { op: name, calls: 0, ms: 0, handles: 0 };
      this.stats.set(name, s);
      target[name] = function (this: unknown, ...args: unknown[]) {
        const t0 = performance.now();
        const r = (fn as (...a: unknown[]) => unknown).apply(this, args);
        s.ms += performance.now() - t0;
        s.calls += 1;
        if (typeof r === "bigint") s.handles += 1;
        else if (Array.isArray(r)) for (const x of r) if (typeof x === "bigint") s.handles += 1;
        return r;
      };
    }
    return this;
  }

  reset(): void {
    for (const s of this.stats.values()) {
      s.calls = 0;
      s.ms = 0;
      s.handles = 0;
    }
  }

  stop(): void {
    const target = N as unknown as Record<string, unknown>;
    for (const [name, fn] of this.originals) target[name] = fn;
    this.originals.clear();
  }

  /** Ops with at least one call, most time first. */
  ops(): OpStats[] {
    return [...this.stats.values()].filter((s) => s.calls > 0).sort((a, b) => b.ms - a.ms);
  }

  totals(): { calls: number; ms: number; handles: number } {
    let calls = 0, ms = 0, handles = 0;
    for (const s of this.stats.values()) {
      calls += s.calls;
      ms += s.ms;
      handles += s.handles;
    }
    return { calls, ms, handles };
  }
}
