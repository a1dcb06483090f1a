import { LaclipError } from "../../errors/laclip_error.js";

/** How one worker of a local launch ended. */
export interface WorkerExit {
  rank: number;
  pid: number | undefined;
  code: number | null;
  signal: NodeJS.Signals | null;
  /** True when the launcher itself stopped it (because another worker failed, or the launcher was interrupted). */
  stoppedByLauncher: boolean;
}

/**
 * A local multi-process launch that did not end with every worker exiting 0. `rank` is the first worker that
 * failed (the cause; the others were stopped or failed after it), or -1 when the launcher was interrupted.
 */
export class WorkerFailedError extends LaclipError {
  constructor(
    readonly rank: number,
    readonly exits: readonly WorkerExit[],
    readonly reason: string,
    options?: { cause?: unknown },
  ) {
    super(
      `${reason}; ${exits.filter((e) => e.stoppedByLauncher).length} other worker(s) were stopped. Each worker's output above ` +
        "is prefixed with its rank; running the same command again resumes from the last checkpoint",
      options,
    );
  }
}
