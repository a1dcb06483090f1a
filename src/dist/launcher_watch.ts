/**
 * The worker's side of the launcher's lifeline: launchLocalWorkers hands every worker the read end of a pipe
 * (its fd number in LACLIP_LAUNCHER_FD) and never writes to it. When the launcher dies, even by SIGKILL, the
 * kernel closes the write end, the read end reports end-of-file, and the worker exits instead of training on
 * as an orphan.
 */
import { Socket } from "node:net";

export const LAUNCHER_FD_ENV = "LACLIP_LAUNCHER_FD";

let watching = false;

/** Starts watching when `env` carries LACLIP_LAUNCHER_FD; does nothing otherwise, or when already watching. */
export function watchLauncher(env: NodeJS.ProcessEnv = process.env): void {
  const raw = env[LAUNCHER_FD_ENV];
  if (watching || raw === undefined || raw === "") return;
  const fd = Number(raw);
  if (!Number.isInteger(fd) || fd < 3) return; // not ours: 0-2 are stdio
  watching = true;
  const pipe = new Socket({ fd, readable: true, writable: false });
  const gone = (): void => {
    process.stderr.write(`laclip worker (pid ${process.pid}, RANK ${env.RANK ?? "?"}): the launcher has gone away; exiting\n`);
    process.exit(1);
  };
  pipe.on("data", () => {});
  pipe.on("end", gone);
  pipe.on("error", gone);
  // The lifeline must not keep a finished worker alive.
  pipe.unref();
}
