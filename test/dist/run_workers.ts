/**
 * Runs the worker scripts of test/dist/workers/ as real processes: through the library's own launcher
 * (launchLocalWorkers) or spawned one by one, as a cluster scheduler would. Compiled tests (dist/test) run the
 * compiled workers; tests run through tsx run the TypeScript ones. Importing this file does nothing.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { PassThrough } from "node:stream";
import type { TestContext } from "node:test";
import { fileURLToPath } from "node:url";
import { launchLocalWorkers, type LaunchResult } from "../../src/dist/index.js";

/** Program and arguments that run test/dist/workers/<name>. */
export function workerCommand(name: string): string[] {
  const self = fileURLToPath(import.meta.url);
  const compiled = self.endsWith(".js");
  const file = join(dirname(self), "workers", `${name}.${compiled ? "js" : "ts"}`);
  return compiled ? [process.execPath, file] : [process.execPath, "--import", "tsx", file];
}

export async function tempDir(t: TestContext): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "laclip-dist-"));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

export interface Captured {
  result: LaunchResult | undefined;
  error: unknown;
  output: string;
}

/** launchLocalWorkers on worker `name`, output captured; never throws (the error is returned). */
export async function launch(name: string, nproc: number, env: Record<string, string>, o: { killGraceMs?: number; masterPort?: number } = {}): Promise<Captured> {
  const sink = new PassThrough();
  let output = "";
  sink.on("data", (d: Buffer) => (output += d.toString()));
  try {
    const result = await launchLocalWorkers({
      nproc, argv: [], command: workerCommand(name), env: { ...process.env, ...env, LACLIP_DIST_TEST_WORKER: name },
      stdout: sink, stderr: sink, killGraceMs: o.killGraceMs, masterPort: o.masterPort,
    });
    return { result, error: undefined, output };
  } catch (error) {
    return { result: undefined, error, output };
  }
}

/** Worker `name` started directly (no launcher) with the torchrun variables of `rank`; output collected. */
export function spawnRank(name: string, rank: number, world: number, port: number, env: Record<string, string> = {}): ChildProcess & { output: () => string } {
  const [file, ...args] = workerCommand(name);
  const child = spawn(file!, args, {
    env: { ...process.env, ...env, LACLIP_DIST_TEST_WORKER: name, RANK: String(rank), WORLD_SIZE: String(world), MASTER_ADDR: "127.0.0.1", MASTER_PORT: String(port), LACLIP_NUM_THREADS: "1" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  child.stdout!.on("data", (d: Buffer) => (out += d.toString()));
  child.stderr!.on("data", (d: Buffer) => (out += d.toString()));
  return Object.assign(child, { output: () => out });
}

/** Resolves with the exit of `child` (code, signal) and how long it took from `since`. */
export function exited(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
  return new Promise((res) => child.once("exit", (code, signal) => res({ code, signal })));
}

/** True while a process with this pid exists. */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export async function readJson<T>(path: string): Promise<T> {
  return JSON.parse(await readFile(path, "utf8")) as T;
}

/** Float32 values to and from base64, to move weights between processes exactly. */
export const f32ToBase64 = (a: Float32Array): string => Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString("base64");
export function base64ToF32(s: string): Float32Array {
  const b = Buffer.from(s, "base64");
  return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
}
