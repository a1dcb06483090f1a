/**
 * End to end: the real `laclip rewrite` process against the fault-injecting OpenAI-compatible server, killed with
 * SIGKILL mid-run and started again with the same arguments. The server's completions are a reversible function of
 * the caption, so every output line can be traced back to the caption it rewrites.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { readFile, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { test, type TestContext } from "node:test";
import { cliCommand, runCli } from "../helpers/cli.js";
import { originalOf, startOpenAIServer, type OpenAIServer } from "../helpers/openai_server.js";
import { sharedPath } from "../helpers/shared.js";
import { cleanEnv, tempDir } from "./job_fixtures.js";

const normal = (s: string) => s.trim().split(/\s+/).join(" ");

async function faultServer(t: TestContext): Promise<OpenAIServer> {
  const firstSeen = new Set<string>();
  const srv = await startOpenAIServer({
    seed: 11,
    latencyMs: 10,
    retryAfter: 0,
    faults: { "429": 0.05, "500": 0.03, "503": 0.02, reset: 0.03, garbage: 0.02, hang: 0.004 },
    // bad completions keyed by caption (not by request order), so they hit the same captions in every run
    script: ({ caption }) => {
      if (caption === undefined || caption.length % 5 !== 0 || firstSeen.has(caption)) return undefined;
      firstSeen.add(caption);
      return caption.length % 2 === 0 ? "echo" : "identical";
    },
  });
  t.after(() => srv.close());
  return srv;
}

function args(input: string, out: string, srv: OpenAIServer, extra: string[] = []): string[] {
  return ["rewrite", "--input", input, "--output", out, "--engine", "openai", "--base-url", srv.baseUrl, "--concurrency", "6", "--timeout", "0.4", "--backoff-ms", "5", "--seed", "7", "--progress", "log", ...extra];
}

async function lines(path: string): Promise<string[]> {
  const text = await readFile(path, "utf8");
  return text.slice(0, -1).split("\n");
}

/** Starts the CLI, SIGKILLs it once its journal holds `atLeast` records, and says how many it held. */
async function killMidRun(argv: string[], out: string, atLeast: number): Promise<number> {
  const [cmd, ...pre] = cliCommand();
  const child = spawn(cmd!, [...pre, ...argv], { stdio: ["ignore", "ignore", "pipe"], env: cleanEnv() });
  let stderr = "";
  child.stderr!.on("data", (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((r) => child.on("exit", (code) => r(code)));
  const journal = join(out, ".laclip-rewrite", "journal.jsonl");
  for (;;) {
    const text = await readFile(journal, "utf8").catch(() => "");
    const records = Math.max(0, text.split("\n").length - 2);
    if (records >= atLeast) {
      child.kill("SIGKILL");
      await exited;
      return records;
    }
    if (child.exitCode !== null) throw new Error(`the run ended (code ${child.exitCode}) before it could be killed: ${stderr}`);
    await new Promise((r) => setTimeout(r, 15));
  }
}

async function killAndResume(t: TestContext, input: string, captions: string[], extra: string[] = []): Promise<void> {
  const srv = await faultServer(t);
  const dir = await tempDir(t);
  const whole = join(dir, "whole");
  const first = await runCli(args(input, whole, srv, extra), { env: cleanEnv() });
  assert.equal(first.code, 0, first.stderr);
  const out = join(dir, "killed");
  const held = await killMidRun(args(input, out, srv, extra), out, 12);
  await assert.rejects(stat(join(out, "rewrites.jsonl")), /ENOENT/, "no final file may exist after the kill");
  const resumed = await runCli(args(input, out, srv, extra), { env: cleanEnv() });
  assert.equal(resumed.code, 0, resumed.stderr);
  const done = Number(/resuming: (\d+) captions/.exec(resumed.stderr)?.[1]);
  assert.ok(done >= 12 && done < captions.length, `resumed after ${done} (journal held ${held} at the kill)`);
  assert.match(resumed.stdout, new RegExp(`^rewrite ${captions.length} captions`));
  const summary = JSON.parse(await readFile(join(out, "summary.json"), "utf8"));
  const texts = (summary.files as string[]).filter((f) => f.endsWith(".txt"));
  assert.equal(texts.length, (summary.sources as string[]).length * summary.perSource);
  for (const file of texts) {
    const got = await lines(join(out, file));
    assert.equal(got.length, captions.length, file);
    got.forEach((line, i) => assert.equal(line === normal(captions[i]!) ? line : originalOf(line), normal(captions[i]!), `${file} line ${i}`));
    assert.deepEqual(got, await lines(join(whole, file)));
  }
  const jsonl = (await lines(join(out, "rewrites.jsonl"))).map((l) => JSON.parse(l) as { index: number; original: string });
  assert.deepEqual(jsonl.map((r) => r.index), captions.map((_, i) => i));
  assert.deepEqual(jsonl.map((r) => r.original), captions);
  assert.equal(await readFile(join(out, "rewrites.jsonl"), "utf8"), await readFile(join(whole, "rewrites.jsonl"), "utf8"));
  assert.ok(Object.keys(srv.stats.byFault).length >= 4, `faults served: ${JSON.stringify(srv.stats.byFault)}`);
}

test("cli: LaCLIP's sample captions, faulty server, SIGKILL mid-run, resume: complete, aligned, no duplicates, same as uninterrupted", async (t) => {
  const input = sharedPath(t, "reference", "laclip_source_sample.txt");
  if (!input) return;
  const captions = (await readFile(input, "utf8")).replace(/\n$/, "").split("\n");
  await killAndResume(t, input, captions, ["--sources", "concise,scene"]);
});

test("cli: generated CSV captions, faulty server, SIGKILL mid-run, resume", async (t) => {
  const dir = await tempDir(t);
  const captions = Array.from({ length: 160 }, (_, i) => `a ${["small", "bright", "old", "wet"][i % 4]} photo of item ${i}, seen from ${["left", "above"][i % 2]}`);
  const input = join(dir, "train.csv");
  await writeFile(input, "path,caption\n" + captions.map((c, i) => `img/${i}.jpg,"${c}"`).join("\n") + "\n");
  await killAndResume(t, input, captions, ["--sources", "concise", "--per-source", "2"]);
});
