import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import {
  augmentSeed, batchToHostTensor, DecodePool, DecodePoolError, ImageDecodeError, InlineDecoder, preprocessBatch,
  trainTransform, type DecodeJob, type DecodeResult,
} from "../../src/image/index.js";
import { content, raw, tempDir } from "./images.js";
import { projectRoot } from "../helpers/shared.js";

const SPEC = trainTransform({ size: 32, normalize: "openai" });

async function jobs(n: number, bad: Set<number> = new Set()): Promise<DecodeJob[]> {
  const out: DecodeJob[] = [];
  for (let i = 0; i < n; i++) {
    const w = 40 + 13 * i, h = 90 - 7 * i;
    const bytes = bad.has(i) ? new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3]) : await raw(content(w, h, "noise", i + 1), w, h, 3).jpeg().toBuffer();
    out.push({ source: { bytes, name: `img-${i}.jpg` }, spec: SPEC, seed: augmentSeed(3, 0, i) });
  }
  return out;
}

async function collect(it: AsyncIterable<DecodeResult>): Promise<DecodeResult[]> {
  const all: DecodeResult[] = [];
  for await (const r of it) all.push(r);
  return all;
}

test("pool results come back in job order, equal to in-thread decoding, and a bad image fails only its job", async () => {
  const list = await jobs(8, new Set([3]));
  const pool = new DecodePool({ workers: 2 });
  const inline = new InlineDecoder();
  try {
    const got = await collect(pool.imap(list, 3));
    const want = await collect(inline.imap(list));
    assert.deepEqual(got.map((r) => r.index), [0, 1, 2, 3, 4, 5, 6, 7]);
    for (const [i, r] of got.entries()) {
      if (i === 3) {
        assert.ok(!r.ok && r.error instanceof ImageDecodeError);
        assert.match(r.error.message, /^img-3\.jpg: cannot decode image/);
      } else {
        assert.ok(r.ok, `job ${i}`);
        const w = want[i]!;
        assert.ok(w.ok);
        assert.deepEqual(r.data, w.data, `job ${i}: same crop whichever thread decodes it`);
      }
    }
    // The pool is still usable after the failure.
    assert.equal((await pool.run(list[0]!)).length, 3 * 32 * 32);
    // Bytes that view the middle of a larger buffer (a tar member in a shard) decode the same.
    const own = (list[1]!.source as { bytes: Uint8Array }).bytes;
    const shard = new Uint8Array(own.length + 3000).fill(0xee);
    shard.set(own, 1000);
    const viaView = await pool.run({ ...list[1]!, source: { bytes: shard.subarray(1000, 1000 + own.length), name: "shard.tar:1" } });
    assert.deepEqual(viaView, (got[1] as { data: Float32Array }).data);
  } finally {
    await pool.close();
    await inline.close();
  }
});

test("preprocessBatch through the pool writes (B, 3, S, S) into shared memory; a bad image rejects naming it", async () => {
  const list = await jobs(5);
  const pool = new DecodePool({ workers: 2, perWorker: 1 });
  try {
    const sources = list.map((j) => j.source);
    const seeds = list.map((j) => j.seed!);
    const batch = await preprocessBatch(sources, SPEC, { decoder: pool, seeds });
    assert.ok(batch.buffer instanceof SharedArrayBuffer);
    const inline = await preprocessBatch(sources, SPEC, { seeds });
    assert.deepEqual([...batch], [...inline]);
    const host = batchToHostTensor(batch, 32);
    assert.deepEqual(host.shape, [5, 3, 32, 32]);
    assert.equal(host.data.byteLength, 5 * 3 * 32 * 32 * 4);
    assert.equal(new Float32Array(host.data.buffer, host.data.byteOffset, 4)[1], batch[1]);
    const broken = [...sources];
    broken[2] = { bytes: new Uint8Array(3), name: "broken-2.png" };
    await assert.rejects(preprocessBatch(broken, SPEC, { decoder: pool, seeds }), (err: unknown) => {
      assert.ok(err instanceof ImageDecodeError);
      assert.match(err.message, /^broken-2\.png: /);
      return true;
    });
  } finally {
    await pool.close();
  }
});

test("a full queue refuses instead of growing; a closed pool refuses; close waits for jobs in flight", async () => {
  const list = await jobs(5);
  const pool = new DecodePool({ workers: 1, perWorker: 1, maxQueue: 1 });
  const runs = list.map((j) => pool.run(j).then(() => "ok", (e: unknown) => e));
  const results = await Promise.all(runs);
  assert.deepEqual(results.slice(0, 2), ["ok", "ok"]); // one in flight, one queued
  for (const r of results.slice(2)) assert.ok(r instanceof DecodePoolError && /queue is full/.test(r.message));
  const inFlight = pool.run(list[0]!);
  await pool.close();
  assert.equal((await inFlight).length, 3 * 32 * 32);
  await assert.rejects(pool.run(list[1]!), DecodePoolError);
  await pool.close(); // idempotent
});

test("imap pulls jobs lazily (bounded window) and stops cleanly when the consumer breaks", async () => {
  const list = await jobs(3);
  const pool = new DecodePool({ workers: 1 });
  let pulled = 0;
  function* endless(): Generator<DecodeJob> {
    for (let i = 0; ; i++) {
      pulled++;
      yield list[i % 3]!;
    }
  }
  let seen = 0;
  for await (const r of pool.imap(endless(), 2)) {
    assert.ok(r.ok);
    if (++seen === 5) break;
  }
  assert.ok(pulled <= 7, `pulled ${pulled} jobs for 5 results with a window of 2`);
  await pool.close();
});

test("a process that forgets to close its pool still exits, whether the pool was used or not", async (t) => {
  const dir = tempDir(t);
  // The child runs whichever form this test runs in: compiled JavaScript under dist/, or TypeScript through tsx.
  const compiled = import.meta.url.endsWith(".js");
  const index = pathToFileURL(compiled ? join(projectRoot(), "dist", "src", "image", "index.js") : join(projectRoot(), "src", "image", "index.ts")).href;
  for (const mode of ["idle", "used"] as const) {
    const script = join(dir, `pool-${mode}.mjs`);
    writeFileSync(script, [
      `import { DecodePool, evalTransform } from ${JSON.stringify(index)};`,
      `const pool = new DecodePool({ workers: 1 });`,
      mode === "idle" ? `console.log("idle");` : [
        `const r = await pool.settle({ source: { path: ${JSON.stringify(join(dir, "missing.jpg"))} }, spec: evalTransform({ size: 8, normalize: "imagenet" }) });`,
        `console.log(r.ok ? "decoded" : r.error.name);`,
      ].join("\n"),
    ].join("\n"));
    const child = spawn(process.execPath, [...(compiled ? [] : ["--import", "tsx"]), script], { cwd: projectRoot(), stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.stderr.on("data", (d: Buffer) => (out += d.toString()));
    const timer = setTimeout(() => child.kill("SIGKILL"), 20_000);
    const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
    clearTimeout(timer);
    assert.equal(code, 0, `${mode}: exit ${code} (null: killed after 20 s, i.e. it hung), output: ${out}`);
    assert.equal(out.trim(), mode === "idle" ? "idle" : "ImageDecodeError");
  }
});

test("a worker that dies fails only its jobs in flight, and the pool replaces it", async () => {
  const list = await jobs(4);
  const pool = new DecodePool({ workers: 1, perWorker: 2 });
  try {
    await pool.run(list[0]!); // the worker has served a job, so its death is not a start-up failure
    const slots = (pool as unknown as { slots: { worker: { terminate(): Promise<number> } }[] }).slots;
    // Large images, so both jobs are still decoding when the thread goes.
    const big = await raw(content(1000, 800, "noise"), 1000, 800, 3).jpeg().toBuffer();
    const doomed = [1, 2].map((i) => pool.run({ ...list[i]!, source: { bytes: big, name: `img-${i}.jpg` } }));
    await slots[0]!.worker.terminate(); // stands in for a crash: the thread goes away mid-job
    for (const r of await Promise.allSettled(doomed)) {
      assert.equal(r.status, "rejected");
      assert.ok(r.reason instanceof DecodePoolError && /decode worker stopped .* while decoding img-[12]\.jpg/.test(r.reason.message), String(r.reason));
    }
    assert.equal((await pool.run(list[3]!)).length, 3 * 32 * 32);
  } finally {
    await pool.close();
  }
});
