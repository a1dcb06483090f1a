import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { readFile, utimes, writeFile } from "node:fs/promises";
import { hostname } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { DirLock } from "../../src/rewrite/job/lock.js";
import { tempDir } from "./job_fixtures.js";

test("lock: a live holder is refused; a dead one on this host or a silent one elsewhere is taken over", async (t) => {
  const dir = await tempDir(t);
  const path = join(dir, "lock");
  const sleeper = spawn(process.execPath, ["-e", "setTimeout(() => {}, 20000)"], { stdio: "ignore" });
  t.after(() => sleeper.kill("SIGKILL"));
  await writeFile(path, JSON.stringify({ pid: sleeper.pid, host: hostname() }));
  await assert.rejects(DirLock.acquire(path), new RegExp(`another laclip rewrite \\(pid ${sleeper.pid} on ${hostname()}\\) is writing this output`));
  sleeper.kill("SIGKILL");
  await new Promise((r) => sleeper.once("exit", r));
  const lock = await DirLock.acquire(path);
  assert.equal(JSON.parse(await readFile(path, "utf8")).pid, process.pid);
  await lock.release();
  await writeFile(path, JSON.stringify({ pid: 1, host: "some-other-node" }));
  await assert.rejects(DirLock.acquire(path), /on some-other-node/);
  const old = new Date(Date.now() - 120_000);
  await utimes(path, old, old);
  await (await DirLock.acquire(path)).release();
  await assert.rejects(readFile(path), /ENOENT/);
});
