/**
 * Keeps two processes from writing the same shard at once (a Slurm task started twice, two pods with one index).
 * The lock file names its holder and is touched every 15 s; it is taken over when its holder is a dead process on
 * this host (a SIGKILLed run being restarted) or when it has not been touched for a minute (a holder on another
 * host that died).
 */
import { open, readFile, rm, stat, utimes } from "node:fs/promises";
import { hostname } from "node:os";
import { ConfigError } from "../../errors/config_error.js";

const HEARTBEAT_MS = 15_000;
const STALE_MS = 60_000;

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

export class DirLock {
  private readonly timer: NodeJS.Timeout;

  private constructor(private readonly path: string) {
    this.timer = setInterval(() => {
      const now = new Date();
      void utimes(path, now, now).catch(() => undefined);
    }, HEARTBEAT_MS);
    this.timer.unref();
  }

  static async acquire(path: string): Promise<DirLock> {
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        const fh = await open(path, "wx");
        await fh.write(JSON.stringify({ pid: process.pid, host: hostname(), since: new Date().toISOString() }));
        await fh.close();
        return new DirLock(path);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
      }
      const holder = await readFile(path, "utf8").then((t) => JSON.parse(t) as { pid: number; host: string }, () => undefined);
      const age = Date.now() - ((await stat(path).catch(() => undefined))?.mtimeMs ?? 0);
      const deadHere = holder !== undefined && holder.host === hostname() && (holder.pid === process.pid || !alive(holder.pid));
      if (!deadHere && holder !== undefined && age < STALE_MS) {
        throw new ConfigError(
          `another laclip rewrite (pid ${holder.pid} on ${holder.host}) is writing this output (${path}); wait for it, or delete the lock file if that process is gone`,
          "--output",
        );
      }
      await rm(path, { force: true });
    }
    throw new ConfigError(`could not take the lock ${path}: another process keeps taking it`, "--output");
  }

  async release(): Promise<void> {
    clearInterval(this.timer);
    await rm(this.path, { force: true });
  }
}
