/**
 * libtorch's own op profiler: every ATen op between start and stop (forward and backward; on the CPU they all
 * run on the calling thread) is written as a Chrome trace (`chrome://tracing`, or summed per op name) to a
 * file. For finding where a step's time goes; it slows each op by a few microseconds.
 */
import { N } from "./native.js";

/** Starts recording; throws if a recording is already running. */
export function startOpTrace(path: string): void {
  N.profilerStart(path);
}

/** Stops recording and writes the trace file (a no-op when nothing is recording). */
export function stopOpTrace(): void {
  N.profilerStop();
}
