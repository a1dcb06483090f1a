import { LaclipError } from "../../../errors/laclip_error.js";
import { signalExitCode } from "../stop.js";

/** The run stopped on a signal after saving a checkpoint at `step`; the same command resumes it. */
export class TrainingStoppedError extends LaclipError {
  readonly exitCode: number;

  constructor(
    readonly signal: NodeJS.Signals,
    readonly step: number,
    readonly checkpoint: string | undefined,
  ) {
    super(
      `stopped by ${signal} after optimizer step ${step}` +
        (checkpoint === undefined ? " (rank 0 writes the checkpoint)" : `; checkpoint saved: ${checkpoint}`) +
        ". Run the same command again to continue from it",
    );
    this.exitCode = signalExitCode(signal);
  }
}
