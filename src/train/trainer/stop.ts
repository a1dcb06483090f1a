/**
 * Stopping a run on SIGINT or SIGTERM (Ctrl-C, Slurm and Kubernetes preemption) without losing work: the first
 * signal only raises a flag; the loop looks at it at the next optimizer-step boundary (agreed over all ranks,
 * so every rank stops at the same step), saves a checkpoint there and ends with `TrainingStoppedError`. A
 * second signal exits at once, with the usual status 128 + the signal number.
 */
import { constants } from "node:os";

export class StopRequest {
  /** The signal that asked for the stop, once one did. */
  signal: NodeJS.Signals | undefined;

  get requested(): boolean {
    return this.signal !== undefined;
  }
}

/** The exit status of a process ended by `signal`: 128 + its number (130 for SIGINT, 143 for SIGTERM). */
export const signalExitCode = (signal: NodeJS.Signals): number => 128 + (constants.signals[signal] ?? 0);

/** Listens for SIGINT and SIGTERM until `dispose()`; the first raises the request, a second exits. */
export function stopOnSignals(log: (line: string) => void): { request: StopRequest; dispose(): void } {
  const request = new StopRequest();
  const on = (signal: NodeJS.Signals): void => {
    if (request.requested) {
      log(`${signal} again: exiting at once, without a checkpoint`);
      process.exit(signalExitCode(signal));
    }
    request.signal = signal;
    log(`${signal} received: saving a checkpoint at the end of this optimizer step, then stopping (send it again to exit at once)`);
  };
  process.on("SIGINT", on);
  process.on("SIGTERM", on);
  return {
    request,
    dispose: () => {
      process.off("SIGINT", on);
      process.off("SIGTERM", on);
    },
  };
}
