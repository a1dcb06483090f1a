/**
 * `laclip train --nproc N` on one machine: N copies of the same command as child processes, each with the
 * torchrun variables of its rank (MASTER_ADDR 127.0.0.1, MASTER_PORT a free port), their output forwarded
 * line by line with a `[rank r]` prefix. The job is all-or-nothing: when one worker exits non-zero or is
 * killed, the launcher stops the others (SIGTERM, then SIGKILL after a grace period) and fails, so a dead
 * worker never leaves the rest waiting. Workers also exit by themselves if the launcher dies (launcher_watch.ts).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { availableParallelism } from "node:os";
import { WorkerFailedError, type WorkerExit } from "./errors/worker_failed_error.js";
import { freePort } from "./free_port.js";
import { LAUNCHER_FD_ENV } from "./launcher_watch.js";
import { forwardLines } from "./line_prefix.js";

export interface LaunchOptions {
  /** Worker processes (>= 1). */
  nproc: number;
  /** Arguments of every worker after `command`, e.g. ["train", "--config", "run.yaml"]. */
  argv: readonly string[];
  /** Program and leading arguments; default this process's own: node, its flags, its script. */
  command?: readonly string[];
  /** The workers' base environment (default process.env); the rendezvous variables are set on top. */
  env?: NodeJS.ProcessEnv;
  /** Default: a free port on 127.0.0.1. */
  masterPort?: number;
  /** LACLIP_NUM_THREADS of each worker unless env sets it: default cores / nproc (at least 1), so N workers do not oversubscribe the cores. */
  threadsPerWorker?: number;
  stdout?: NodeJS.WritableStream;
  stderr?: NodeJS.WritableStream;
  /** Between SIGTERM and SIGKILL when stopping workers; default 5000 ms. */
  killGraceMs?: number;
}

export interface LaunchResult {
  masterPort: number;
  workers: WorkerExit[];
  /** The signal the launcher received and passed on: the workers stopped on it (each saving what it saves). */
  interrupted?: NodeJS.Signals;
}

/** This process's own command line up to the script: what `--nproc` re-runs for each worker. */
export function ownCommand(): string[] {
  return [process.execPath, ...process.execArgv, process.argv[1]!];
}

/** Runs the workers to completion: resolves when all exit 0, rejects with WorkerFailedError otherwise. */
export async function launchLocalWorkers(o: LaunchOptions): Promise<LaunchResult> {
  if (!Number.isInteger(o.nproc) || o.nproc < 1) throw new RangeError(`nproc must be a positive integer, got ${o.nproc}`);
  const masterPort = o.masterPort ?? (await freePort());
  const [file, ...pre] = o.command ?? ownCommand();
  const base = o.env ?? process.env;
  const threads = o.threadsPerWorker ?? Math.max(1, Math.floor(availableParallelism() / o.nproc));
  const out = o.stdout ?? process.stdout;
  const err = o.stderr ?? process.stderr;
  const grace = o.killGraceMs ?? 5000;

  const exits: (WorkerExit | undefined)[] = new Array(o.nproc).fill(undefined);
  const stopping = new Set<number>();
  let firstFailure: { rank: number; reason: string } | undefined;
  let killTimer: NodeJS.Timeout | undefined;
  const children: ChildProcess[] = [];

  const stopOthers = (): void => {
    children.forEach((c, r) => {
      if (exits[r] !== undefined || stopping.has(r)) return;
      stopping.add(r);
      c.kill("SIGTERM");
    });
    killTimer ??= setTimeout(() => children.forEach((c, r) => exits[r] === undefined && c.kill("SIGKILL")), grace);
  };
  // The first SIGINT/SIGTERM is passed on to every worker, which stop at a step they agree on (a trainer saves a
  // checkpoint there); no SIGKILL follows. A second one kills them at once.
  let interrupted: NodeJS.Signals | undefined;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (interrupted !== undefined) {
      children.forEach((c, r) => exits[r] === undefined && c.kill("SIGKILL"));
      return;
    }
    interrupted = signal;
    err.write(`[launcher] ${signal}: passed on to the workers (send it again to kill them at once)\n`);
    children.forEach((c, r) => {
      if (exits[r] !== undefined) return;
      stopping.add(r);
      c.kill(signal);
    });
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);

  try {
    await new Promise<void>((resolveAll) => {
      let closed = 0;
      for (let rank = 0; rank < o.nproc; rank++) {
        const env: NodeJS.ProcessEnv = {
          ...base,
          RANK: String(rank), WORLD_SIZE: String(o.nproc), LOCAL_RANK: String(rank), LOCAL_WORLD_SIZE: String(o.nproc),
          MASTER_ADDR: "127.0.0.1", MASTER_PORT: String(masterPort), [LAUNCHER_FD_ENV]: "3",
          LACLIP_NUM_THREADS: base.LACLIP_NUM_THREADS ?? String(threads),
        };
        // fd 3: the lifeline the worker watches; the launcher holds its end open and never writes.
        // detached: their own process group, so a terminal's Ctrl-C reaches the launcher alone and each worker
        // gets the signal once (a second one would mean "exit at once"); the lifeline still ends them with it.
        const child = spawn(file!, [...pre, ...o.argv], { env, stdio: ["ignore", "pipe", "pipe", "pipe"], detached: true });
        children.push(child);
        forwardLines(child.stdout!, out, `[rank ${rank}] `);
        forwardLines(child.stderr!, err, `[rank ${rank}] `);
        (child.stdio[3] as NodeJS.ReadableStream & { on: (e: string, f: () => void) => void }).on("error", () => {});
        let spawnError: Error | undefined;
        child.on("error", (e) => {
          spawnError = e;
          firstFailure ??= { rank, reason: `worker rank ${rank} could not be started: ${e.message}` };
          stopOthers();
        });
        child.on("close", (code, signal) => {
          exits[rank] = { rank, pid: child.pid, code: spawnError ? null : code, signal, stoppedByLauncher: stopping.has(rank) };
          if ((code !== 0 || signal !== null) && !stopping.has(rank)) {
            const how = signal !== null ? `was killed by ${signal}` : `exited with code ${code}`;
            firstFailure ??= { rank, reason: `worker rank ${rank} (pid ${child.pid}) ${how}` };
            stopOthers();
          }
          if (++closed === o.nproc) resolveAll();
        });
      }
      err.write(`[launcher] ${o.nproc} workers, MASTER_PORT ${masterPort}, pids ${children.map((c) => c.pid ?? "?").join(" ")}\n`);
    });
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
    if (killTimer !== undefined) clearTimeout(killTimer);
  }
  const workers = exits as WorkerExit[];
  if (firstFailure !== undefined) throw new WorkerFailedError(firstFailure.rank, workers, firstFailure.reason);
  return { masterPort, workers, interrupted };
}
