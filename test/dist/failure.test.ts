/**
 * A worker that dies takes the job down cleanly: no hang, a clear error, no process left behind. Real
 * processes training the small CLIP over loopback; the collective timeout is 60 s in the death tests, so
 * ending within seconds shows the failure is noticed from the dead peer's closed connections, not by waiting.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { setTimeout as sleep } from "node:timers/promises";
import { test } from "node:test";
import { WorkerFailedError, freePort } from "../../src/dist/index.js";
import { alive, exited, launch, spawnRank, workerCommand } from "./run_workers.js";

async function until(what: string, cond: () => boolean, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await sleep(50);
  }
}

const pids = (output: string): number[] => [...output.matchAll(/pid (\d+)/g)].map((m) => Number(m[1]));

test("launcher: a worker that exits non-zero mid-training stops the job with an error naming it", async () => {
  const t0 = Date.now();
  const run = await launch("die", 2, { LACLIP_TEST_DIE: "exit", LACLIP_NUM_THREADS: "1" }, { killGraceMs: 2000 });
  const seconds = (Date.now() - t0) / 1000;
  assert.ok(run.error instanceof WorkerFailedError, `expected WorkerFailedError, got ${String(run.error)}\n${run.output}`);
  assert.equal(run.error.rank, 1);
  assert.match(run.error.message, /worker rank 1 \(pid \d+\) exited with code 7/);
  assert.match(run.output, /\[rank 1\] step 2/);
  assert.ok(seconds < 20, `took ${seconds} s`);
  const found = pids(run.output);
  assert.equal(found.length, 2, run.output);
  for (const pid of found) assert.ok(!alive(pid), `worker ${pid} still running`);
});

test("no launcher (as under srun): SIGKILL of rank 1 mid-step makes rank 0 exit 1 with a clear error", async (t) => {
  const port = await freePort();
  const ranks = [0, 1].map((r) => spawnRank("die", r, 2, port));
  t.after(() => ranks.forEach((c) => c.exitCode === null && c.signalCode === null && c.kill("SIGKILL")));
  await until("rank 1 to reach step 3", () => /step 3/.test(ranks[1]!.output()), 25_000);
  const t0 = Date.now();
  ranks[1]!.kill("SIGKILL");
  const { code } = await exited(ranks[0]!);
  const seconds = (Date.now() - t0) / 1000;
  assert.equal(code, 1, ranks[0]!.output());
  assert.match(ranks[0]!.output(), /failed on rank 0 of 2 \(gloo\).*A peer process probably exited, was killed or is unreachable/s);
  assert.ok(seconds < 10, `rank 0 took ${seconds} s to notice`);
});

test("a peer that stays alive but stops taking part: the others fail after the collective timeout", async (t) => {
  const port = await freePort();
  const env = { LACLIP_TEST_DIE: "hang", LACLIP_TEST_TIMEOUT_MS: "3000" };
  const ranks = [0, 1].map((r) => spawnRank("die", r, 2, port, env));
  t.after(() => ranks.forEach((c) => c.exitCode === null && c.signalCode === null && c.kill("SIGKILL")));
  await until("rank 1 to hang", () => /step 2/.test(ranks[1]!.output()), 25_000);
  const t0 = Date.now();
  const { code } = await exited(ranks[0]!);
  const seconds = (Date.now() - t0) / 1000;
  assert.equal(code, 1, ranks[0]!.output());
  assert.match(ranks[0]!.output(), /failed on rank 0 of 2 \(gloo\).*[Tt]imed out/s);
  assert.ok(seconds < 15, `took ${seconds} s with a 3 s timeout`);
});

test("rendezvous: a rank whose peers never come fails after the timeout, naming the address", async () => {
  const port = await freePort();
  const alone = spawnRank("die", 0, 2, port, { LACLIP_TEST_TIMEOUT_MS: "1500" });
  const { code } = await exited(alone);
  assert.equal(code, 1, alone.output());
  assert.match(alone.output(), new RegExp(`rendezvous of rank 0 of 2 at 127\\.0\\.0\\.1:${port} failed within 1500 ms`));
});

test("a launcher killed with SIGKILL takes its workers with it (no orphans)", async (t) => {
  const [file, ...args] = workerCommand("launcher");
  const launcher = spawn(file!, args, { env: { ...process.env, LACLIP_DIST_TEST_WORKER: "launcher", LACLIP_NUM_THREADS: "1" }, stdio: ["ignore", "pipe", "inherit"] });
  let output = "";
  launcher.stdout!.on("data", (d: Buffer) => (output += d.toString()));
  t.after(() => pids(output).forEach((pid) => alive(pid) && process.kill(pid, "SIGKILL")));
  await until("both workers to train", () => /\[rank 0\] step 1/.test(output) && /\[rank 1\] step 1/.test(output), 25_000);
  launcher.kill("SIGKILL");
  const workers = pids(output);
  assert.equal(workers.length, 2, output);
  await until("the workers to exit", () => workers.every((pid) => !alive(pid)), 10_000);
});
