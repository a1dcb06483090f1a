/** The torchrun environment contract, the one-process group, and the launcher's line forwarding. */
import assert from "node:assert/strict";
import { PassThrough } from "node:stream";
import { test } from "node:test";
import { EngineError, tensor } from "../../src/engine/index.js";
import { ConfigError } from "../../src/errors/config_error.js";
import { DistributedContext, freePort, initProcessGroup, isDistributedEnv, readDistEnv } from "../../src/dist/index.js";
import { forwardLines } from "../../src/dist/line_prefix.js";

test("readDistEnv reads torchrun's variables, with torch's defaults for the optional ones", () => {
  assert.deepEqual(readDistEnv({ RANK: "3", WORLD_SIZE: "8", LOCAL_RANK: "1", LOCAL_WORLD_SIZE: "2", MASTER_ADDR: "node07", MASTER_PORT: "12355" }), {
    rank: 3, world: 8, localRank: 1, localWorld: 2, masterAddr: "node07", masterPort: 12355,
  });
  assert.deepEqual(readDistEnv({ RANK: "0", WORLD_SIZE: "1" }), { rank: 0, world: 1, localRank: 0, localWorld: 1, masterAddr: "127.0.0.1", masterPort: 29500 });
  assert.equal(isDistributedEnv({ WORLD_SIZE: "2" }), true);
  assert.equal(isDistributedEnv({ WORLD_SIZE: "1" }), false);
  assert.equal(isDistributedEnv({}), false);
});

test("readDistEnv names the variable that is missing or out of range", () => {
  const bad: [NodeJS.ProcessEnv, string][] = [
    [{ WORLD_SIZE: "2" }, "RANK"],
    [{ RANK: "0" }, "WORLD_SIZE"],
    [{ RANK: "2", WORLD_SIZE: "2" }, "RANK"],
    [{ RANK: "0", WORLD_SIZE: "two" }, "WORLD_SIZE"],
    [{ RANK: "0", WORLD_SIZE: "2", MASTER_PORT: "70000" }, "MASTER_PORT"],
    [{ RANK: "0", WORLD_SIZE: "2", LOCAL_RANK: "1", LOCAL_WORLD_SIZE: "1" }, "LOCAL_RANK"],
  ];
  for (const [env, key] of bad) {
    assert.throws(() => readDistEnv(env), (e: unknown) => e instanceof ConfigError && e.key === key && e.message.includes(key), JSON.stringify(env));
  }
});

test("a one-process group: collectives are identities, one group at a time, destroy is idempotent", async () => {
  const port = await freePort();
  const g = initProcessGroup({ rank: 0, world: 1, masterPort: port, timeoutMs: 5000 });
  assert.throws(() => initProcessGroup({ rank: 0, world: 1, masterPort: port }), (e: unknown) => e instanceof EngineError && /already initialised/.test(e.message));
  const a = tensor([1, 2, 3]);
  g.allReduce([a], { average: true });
  assert.deepEqual(a.toArray(), [1, 2, 3]);
  const x = tensor([[1, 2]]).requiresGrad_();
  const y = g.allGatherWithGrad(x);
  y.mul(3).sum().backward();
  assert.deepEqual(x.grad!.toArray(), [[3, 3]]);
  g.barrier(1000);
  const ctx = new DistributedContext(g);
  assert.equal(ctx.isMain, true);
  assert.equal(ctx.allGatherWithGrad(x), x);
  ctx.close();
  g.destroy();
  assert.throws(() => g.allReduce([a]), (e: unknown) => e instanceof EngineError && /no process group; call initProcessGroup/.test(e.message));
  // A new group after the old one is gone.
  const g2 = initProcessGroup({ rank: 0, world: 1, masterPort: await freePort(), timeoutMs: 5000 });
  g2.destroy();
});

test("forwardLines prefixes whole lines, across chunk and UTF-8 boundaries, and flushes a last partial line", async () => {
  const from = new PassThrough();
  const to = new PassThrough();
  let got = "";
  to.on("data", (d: Buffer) => (got += d.toString()));
  forwardLines(from, to, "[rank 1] ");
  const bytes = Buffer.from("step 1\nloss 0.5 é\nstep", "utf8");
  const cut = bytes.indexOf(Buffer.from("é")) + 1; // inside the two bytes of é
  from.write(bytes.subarray(0, 3));
  from.write(bytes.subarray(3, cut));
  from.write(bytes.subarray(cut));
  from.end(" 2");
  await new Promise((r) => from.on("end", r));
  assert.equal(got, "[rank 1] step 1\n[rank 1] loss 0.5 é\n[rank 1] step 2\n");
});
