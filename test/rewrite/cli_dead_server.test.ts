/**
 * `laclip rewrite --engine openai` against servers that are not there, through the real CLI and real sockets:
 * a closed port fails in seconds naming the URL (with --model as without), and many captions in flight print
 * no MaxListenersExceededWarning.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runCli } from "../helpers/cli.js";
import { startOpenAIServer } from "../helpers/openai_server.js";

/** A port nothing listens on: bound, then closed again. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function captions(n: number): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "laclip-dead-"));
  await writeFile(join(dir, "captions.txt"), Array.from({ length: n }, (_, i) => `a photo of thing number ${i}`).join("\n") + "\n");
  return dir;
}

test("a closed port fails within seconds, naming the URL, with and without --model", async (t) => {
  const dir = await captions(200);
  t.after(() => rm(dir, { recursive: true, force: true }));
  const url = `http://127.0.0.1:${await closedPort()}/v1`;
  for (const model of [["--model", "m"], []]) {
    const started = Date.now();
    const r = await runCli(["rewrite", "--engine", "openai", "--base-url", url, ...model, "--input", join(dir, "captions.txt"), "--output", join(dir, `out${model.length}`)], { timeout: 60_000 });
    const seconds = (Date.now() - started) / 1000;
    assert.equal(r.code, 1, `${model.join(" ")}: ${r.stderr}`);
    assert.ok(seconds < 15, `failed after ${seconds} s`);
    assert.equal(r.stderr.trim().split("\n").length, 1, r.stderr);
    assert.ok(r.stderr.includes(`${url}/models: ECONNREFUSED`), r.stderr);
    assert.match(r.stderr, /^laclip rewrite: no LLM server answers at .*; start it or fix --base-url\n$/);
  }
});

test("many captions in flight against a slow server: no MaxListenersExceededWarning", async (t) => {
  const dir = await captions(60);
  const srv = await startOpenAIServer({ latencyMs: 30, record: false });
  t.after(async () => {
    await srv.close();
    await rm(dir, { recursive: true, force: true });
  });
  const r = await runCli(["rewrite", "--engine", "openai", "--base-url", srv.baseUrl, "--model", "fake-model", "--concurrency", "32",
    "--input", join(dir, "captions.txt"), "--output", join(dir, "out"), "--progress", "none"], { timeout: 120_000 });
  assert.equal(r.code, 0, r.stderr);
  assert.ok(srv.stats.maxInFlight > 10, `more than 10 requests in flight at once (${srv.stats.maxInFlight})`);
  assert.doesNotMatch(r.stderr, /MaxListenersExceededWarning/);
});
