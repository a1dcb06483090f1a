/**
 * Intra-op threads used by libtorch (ATen/OpenMP, and OpenBLAS when it is the BLAS). The default, set when the
 * engine loads, is every core this process may use (os.availableParallelism()) or LACLIP_NUM_THREADS.
 */
import { EngineError } from "./errors/engine_error.js";
import { N } from "./native.js";

export function setNumThreads(n: number): void {
  if (!Number.isInteger(n) || n < 1) throw new EngineError("setNumThreads", "argument", `thread count must be a positive integer, got ${n}`);
  N.setNumThreads(n);
}

export const getNumThreads = (): number => N.getNumThreads();
