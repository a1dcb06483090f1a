/**
 * The worker's side of the launcher's lifeline: launchLocalWorkers hands every worker one end of a pipe (its
 * fd number in LACLIP_LAUNCHER_FD) and never writes to it. When the launcher dies, even by SIGKILL, the kernel
 * closes the launcher's end, and a native thread watching this end ends the worker, so that no worker trains
 * on as an orphan. The watching is native because the JS thread may be busy (or blocked in a collective)
 * for as long as a training step lasts.
 */
import { N } from "../engine/native.js";

export const LAUNCHER_FD_ENV = "LACLIP_LAUNCHER_FD";

let watching = false;

/** Starts watching when `env` carries LACLIP_LAUNCHER_FD; does nothing otherwise, or when already watching. */
export function watchLauncher(env: NodeJS.ProcessEnv = process.env): void {
  const raw = env[LAUNCHER_FD_ENV];
  if (watching || raw === undefined || raw === "") return;
  const fd = Number(raw);
  if (!Number.isInteger(fd) || fd < 3) return; // not ours: 0-2 are stdio
  watching = true;
  N.distWatchLifeline(fd);
}
